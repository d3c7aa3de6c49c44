// F-RTO (RFC 5682 3.1, SACK-enhanced; 6.12 tcp_enter_loss / tcp_process_loss /
// tcp_xmit_recovery, net.ipv4.tcp_frto = 2) on a 100 ms RTT path without
// timestamps (so the Eifel check of tcp_try_undo_loss cannot undo): the
// initial window is out, an RTO fires, then the delayed ACKs of the original
// segments arrive in a burst. Numbers derived from the source: enter_loss
// marks all 10 lost, cwnd = in_flight + 1 = 1, ssthresh = 10 * 717 / 1024 = 7
// (CUBIC), one retransmission; the first ACK (of the retransmitted head)
// advances snd_una below high_seq: step 2.b sends new data (slow start made
// cwnd 2: two segments) instead of retransmitting; the next ACK covers a
// segment never retransmitted: spurious, undone.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { ICSK_TIME_RETRANS, resetXmitTimer, writeTimerHandler } from "../../src/tcp/data-out.js";
import { TCP_CA_Loss, TCP_CA_Open } from "../../src/tcp/cc.js";
import { TCP_INFINITE_SSTHRESH } from "../../src/tcp/undo.js";
import { parseSysctl } from "../../src/scenario/sysctl.js";
import type { World } from "../../src/sim/world.js";
import type { TcpSock } from "../../src/tcp/sock.js";

// no timestamp option: the full 1460-byte MSS
const MSS = 1460;

/** 103 ms into a flow over a 50 ms one-way link without timestamps: 10 segments out; then the RTO fires. */
async function afterRto(frto: number) {
  const r = await runWorld(
    pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: { "net.ipv4.tcp_timestamps": 0, "net.ipv4.tcp_frto": frto } }, [bulk()]),
  );
  const { t, sk } = clientConn(r.w);
  const c = sk.conn!;
  expect(sk.tsOk).toBe(false);
  expect(c.mss).toBe(MSS);
  expect(c.packetsOut).toBe(10);
  expect(c.cwnd).toBe(10);
  resetXmitTimer(t, c, ICSK_TIME_RETRANS, 0);
  writeTimerHandler(t, sk, c);
  // 1 ms on: the retransmission leaves the host and its TX completion frees it (the ACKs below take at least
  // an RTT on a real path). Injected at once, it would still count in sk_wmem_alloc and tcp_small_queue_check
  // would hold the second new segment (1 + 2 truesizes > 2 truesizes).
  r.w.loop.run(r.w.loop.now + 1e6);
  return { ...r, t, sk, c, n: r.w.host("a").nstat };
}

/** An ACK from b for relative `ackRel`, with SACK blocks (relative), no timestamps. */
const ack = (w: World, sk: TcpSock, ackRel: number, sack: [number, number][] = []): number =>
  injectAck(w, sk, ackRel, sack, { ts: false });

describe("F-RTO (tcp_frto)", () => {
  it("the RTO: all 10 lost, cwnd 1, ssthresh 7, the head retransmitted, F-RTO armed (a new recovery)", async () => {
    const { c, n } = await afterRto(2);
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.lostOut).toBe(10);
    expect(c.cwnd).toBe(1);
    expect(c.ssthresh).toBe(7);
    expect(c.frto).toBe(true);
    expect(n.get("TcpExtTCPTimeouts")).toBe(1);
    expect(n.get("TcpRetransSegs")).toBe(1);
  });

  it("spurious RTO, delayed ACK burst: step 2.b sends new data, the next ACK of an original undoes (TCPSpuriousRTOs)", async () => {
    const { w, sk, c, n } = await afterRto(2);
    const una = c.sndUna;
    const highSeq = c.highSeq;
    expect(highSeq).toBe(una + 10 * MSS);
    // the head's ACK: could be the retransmission's, so nothing is proven; new data instead of retransmissions
    ack(w, sk, una + MSS);
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.cwnd).toBe(2);
    expect(c.sndNxt).toBe(highSeq + 2 * MSS);
    expect(n.get("TcpRetransSegs")).toBe(1);
    expect(c.frto).toBe(true);
    // the second original's ACK (never retransmitted, below high_seq): the RTO was spurious
    ack(w, sk, una + 2 * MSS);
    expect(n.get("TcpExtTCPSpuriousRTOs")).toBe(1);
    expect(n.get("TcpExtTCPLossUndo")).toBe(1);
    expect(c.caState).toBe(TCP_CA_Open);
    expect(c.lostOut).toBe(0);
    // undo_cwnd = max(cwnd, prior_cwnd) = 10, then slow start on this ACK; ssthresh back to prior_ssthresh
    expect(c.cwnd).toBeGreaterThanOrEqual(10);
    expect(c.ssthresh).toBe(TCP_INFINITE_SSTHRESH);
    // the rest of the burst: nothing was retransmitted but the head
    for (let k = 3; k <= 10; k++) ack(w, sk, una + k * MSS);
    expect(n.get("TcpRetransSegs")).toBe(1);
  });

  it("tcp_frto=0: the same burst retransmits what cwnd allows and nothing is undone", async () => {
    const { w, sk, c, n } = await afterRto(0);
    expect(c.frto).toBe(false);
    const una = c.sndUna;
    ack(w, sk, una + MSS);
    // conventional recovery: cwnd 2, two more retransmissions (segments 2 and 3)
    expect(n.get("TcpRetransSegs")).toBe(3);
    expect(c.sndNxt).toBe(una + 10 * MSS);
    ack(w, sk, una + 2 * MSS);
    expect(n.get("TcpExtTCPSpuriousRTOs")).toBe(0);
    expect(n.get("TcpExtTCPLossUndo")).toBe(0);
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.ssthresh).toBe(7);
  });

  it("step 3.a: after the new data a SACK (of new data) shows the loss was real: F-RTO off, retransmissions resume", async () => {
    const { w, sk, c, n } = await afterRto(2);
    const una = c.sndUna;
    const high = una + 10 * MSS;
    ack(w, sk, una + MSS);
    expect(c.sndNxt).toBe(high + 2 * MSS);
    // a duplicate ACK SACKing the first new segment (above high_seq: not "original" data below it)
    ack(w, sk, una + MSS, [[high, high + MSS]]);
    expect(c.frto).toBe(false);
    expect(n.get("TcpExtTCPSpuriousRTOs")).toBe(0);
    expect(c.caState).toBe(TCP_CA_Loss);
    // in_flight = 11 out - 1 SACKed - 9 lost = 1 < cwnd 2: segment 2 is retransmitted
    expect(n.get("TcpRetransSegs")).toBe(2);
  });

  it("net.ipv4.tcp_frto is a u8: 0..255, default 2", () => {
    const path = "hosts[0].sysctl.net.ipv4.tcp_frto";
    expect(parseSysctl("net.ipv4.tcp_frto", 255, path)).toBe(255);
    expect(() => parseSysctl("net.ipv4.tcp_frto", 256, path)).toThrow(/tcp_frto[\s\S]*0\.\.255/);
    expect(() => parseSysctl("net.ipv4.tcp_frto", -1, path)).toThrow(/0\.\.255/);
    expect(() => parseSysctl("net.ipv4.tcp_frto", 1.5, path)).toThrow(/0\.\.255/);
  });
});
