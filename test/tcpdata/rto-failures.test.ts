// icsk_retransmits (6.12): raised by each RTO (tcp_update_rto_stats), cleared when snd_una advances
// (tcp_ack) and when a loss is undone (tcp_try_undo_loss). While it is 0 an RTO is the first of its
// episode and tcp_retransmit_timer counts what it interrupts: TCPSackRecoveryFail / TCPRenoRecoveryFail in
// Recovery, TCPLossFailures in Loss, TCPSackFailures / TCPRenoFailures in Disorder or with SACKed data.
// Setup as in frto.test.ts: 100 ms RTT, no timestamps, the initial window out, then the RTO.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { ICSK_TIME_RETRANS, resetXmitTimer, writeTimerHandler } from "../../src/tcp/data-out.js";
import { TCP_CA_Disorder, TCP_CA_Loss } from "../../src/tcp/cc.js";
import type { TcpHost } from "../../src/tcp/tcp-host.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import type { TcpConn } from "../../src/tcp/conn.js";

const MSS = 1460;

function rto(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  resetXmitTimer(t, c, ICSK_TIME_RETRANS, 0);
  writeTimerHandler(t, sk, c);
}

async function afterRto(frto: number) {
  const r = await runWorld(
    pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: { "net.ipv4.tcp_timestamps": 0, "net.ipv4.tcp_frto": frto } }, [bulk()]),
  );
  const { t, sk } = clientConn(r.w);
  const c = sk.conn!;
  expect(c.packetsOut).toBe(10);
  rto(t, sk, c);
  return { ...r, t, sk, c, n: r.w.host("a").nstat };
}

describe("icsk_retransmits and the RTO failure counters", () => {
  it("the first RTO in Open with nothing SACKed counts no failure", async () => {
    const { n } = await afterRto(2);
    expect(n.get("TcpExtTCPTimeouts")).toBe(1);
    for (const k of ["TCPLossFailures", "TCPSackFailures", "TCPSackRecoveryFail"]) expect(n.get(`TcpExtTCP${k.slice(3)}`)).toBe(0);
  });

  it("snd_una advanced in Loss (tcp_ack clears icsk_retransmits): the next RTO counts TCPLossFailures, the one after does not", async () => {
    const { w, t, sk, c, n } = await afterRto(0);
    injectAck(w, sk, c.sndUna + MSS, [], { ts: false });
    expect(c.caState).toBe(TCP_CA_Loss);
    rto(t, sk, c);
    expect(n.get("TcpExtTCPTimeouts")).toBe(2);
    expect(n.get("TcpExtTCPLossFailures")).toBe(1);
    rto(t, sk, c);
    expect(n.get("TcpExtTCPTimeouts")).toBe(3);
    expect(n.get("TcpExtTCPLossFailures")).toBe(1);
  });

  it("F-RTO undone by a SACK of an original, snd_una unmoved (tcp_try_undo_loss clears icsk_retransmits): the next RTO is a new episode, TCPSackFailures", async () => {
    const { w, t, sk, c, n } = await afterRto(2);
    const una = c.sndUna;
    // segment 5, never retransmitted and below high_seq, is SACKed: FLAG_ORIG_SACK_ACKED, the RTO was spurious
    injectAck(w, sk, una, [[una + 4 * MSS, una + 5 * MSS]], { ts: false });
    expect(c.sndUna).toBe(una);
    expect(n.get("TcpExtTCPSpuriousRTOs")).toBe(1);
    // back to Open, then tcp_try_keep_open: a SACKed segment left out makes it Disorder
    expect(c.caState).toBe(TCP_CA_Disorder);
    expect(c.sackedOut).toBe(1);
    // Disorder and icsk_retransmits 0: TCPSackFailures; tcp_enter_loss saves a new ssthresh
    const cwnd = c.cwnd;
    rto(t, sk, c);
    expect(n.get("TcpExtTCPSackFailures")).toBe(1);
    expect(n.get("TcpExtTCPLossFailures")).toBe(0);
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.priorCwnd).toBe(cwnd);
    expect(c.frto).toBe(true);
  });
});

describe("icsk_backoff (reset only by a valid RTT sample, RFC 6298)", () => {
  it("an ACK of the retransmitted head without timestamps gives no RTT sample (Karn): the timer keeps the doubled icsk_rto", async () => {
    const { w, sk, c } = await afterRto(0);
    // the handshake's sample m ~ 100 ms: rto = m + max(2m, 200 ms) ~ 300 ms; the RTO doubled it (icsk_backoff 1)
    expect(c.rtt.rtoUs).toBeGreaterThanOrEqual(300_000);
    expect(c.rtt.rtoUs).toBeLessThan(302_000);
    expect(c.backoff).toBe(1);
    injectAck(w, sk, c.sndUna + MSS, [], { ts: false });
    // snd_una advanced (icsk_retransmits 0) but no RTT was measured: icsk_backoff and icsk_rto stay
    expect(c.retransmits).toBe(0);
    expect(c.backoff).toBe(1);
    expect(c.icskRtoUs()).toBe(2 * c.rtt.rtoUs);
    // the retransmission of the new head rearmed the timer with that icsk_rto
    expect(c.rtoDeadline - w.loop.now).toBe(2 * c.rtt.rtoUs * 1000);
  });

  it("an ACK with a timestamp echo measures the RTT: backoff 0, icsk_rto from tcp_set_rto", async () => {
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: { "net.ipv4.tcp_frto": 0 } }, [bulk()]));
    const { t, sk, c } = clientConn(r.w);
    rto(t, sk, c);
    expect(c.backoff).toBe(1);
    injectAck(r.w, sk, c.sndUna + c.mss, [], { tsecrMs: t.nowMs() - 100 });
    expect(c.backoff).toBe(0);
    expect(c.icskRtoUs()).toBe(c.rtt.rtoUs);
  });
});
