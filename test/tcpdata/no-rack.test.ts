// net.ipv4.tcp_recovery=0 on a SACK connection (6.12): no RACK, so
// tcp_identify_packet_loss marks nothing; tcp_fastretrans_alert ends with
// tcp_update_scoreboard (tcp_mark_head_lost: a hole with `reordering`
// SACKed segments above it) when do_lost, and only on the paths that reach
// its end — not in Loss, which returns unless it just ended. Classic rule:
// tcp_time_to_recover once sacked_out + 1 > reordering. A 100 ms RTT flow
// with its initial window out; the link then drops everything and injected
// ACKs drive the sender.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { armRto, writeTimerHandler } from "../../src/tcp/data-out.js";
import { TCP_CA_Loss, TCP_CA_Recovery } from "../../src/tcp/cc.js";
import { TCPCB_LOST } from "../../src/tcp/conn.js";

const MSS = 1448;

/** 10 segments out at ~100 ms over a 50 ms one-way link, tcp_recovery=0, F-RTO off; from 103 ms the link
 *  loses every frame (a link with a loss model keeps one event per frame, so the later setting applies). */
async function tenOut() {
  const sysctl = { "net.ipv4.tcp_recovery": 0, "net.ipv4.tcp_frto": 0 };
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, loss: 1e-12, clientSysctl: sysctl }, [bulk()]));
  for (const d of (r.w as unknown as { directions: { config: { loss: number } }[] }).directions) d.config.loss = 1;
  return { ...r, ...clientConn(r.w) };
}

describe("tcp_recovery=0 with SACK: tcp_update_scoreboard at the end of tcp_fastretrans_alert", () => {
  it("three SACKed segments in Open: sacked_out + 1 > reordering starts Recovery; mark_head_lost(0) marks the holes below them", async () => {
    const { w, sk, c, n } = await tenOut();
    const una = c.sndUna;
    injectAck(w, sk, una, [[una + 4 * MSS, una + 7 * MSS]]);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(n.get("TcpExtTCPSackRecovery")).toBe(1);
    // sacked_upto = 3 - 3 = 0: from the head, everything before the first SACKed segment
    expect(c.lostOut).toBe(4);
    expect(c.lost).toBe(4);
  });

  it("in Loss, SACKs above a hole in the new data mark nothing (tcp_fastretrans_alert returns from Loss); when Loss ends, Recovery marks it", async () => {
    const { w, t, sk, c, n } = await tenOut();
    const una = c.sndUna;
    armRto(t, c, 0);
    writeTimerHandler(t, sk, c);
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.lostOut).toBe(10);
    // the originals of 1-8 arrived: cwnd grows in Loss, segment 9 is retransmitted and new data follows (paced)
    injectAck(w, sk, una + 9 * MSS);
    w.loop.run(w.loop.now + 20e6);
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.sndNxt).toBeGreaterThanOrEqual(una + 15 * MSS);
    expect(c.lostOut).toBe(1);
    // new segments 11-13 SACKed, 10 missing: three SACKed above it, but Loss returns before the scoreboard
    injectAck(w, sk, una + 9 * MSS, [[una + 11 * MSS, una + 14 * MSS]]);
    expect(c.caState).toBe(TCP_CA_Loss);
    const rb = c.rtx;
    expect(rb.start[rb.at(1)]).toBe(una + 10 * MSS);
    expect(rb.flags[rb.at(1)]! & TCPCB_LOST).toBe(0);
    expect(c.lostOut).toBe(1);
    // segment 9's retransmission ACKed (high_seq reached: Loss ends, Open) with segment 14 newly SACKed: the
    // default path, 4 SACKed start Recovery, and do_lost (FLAG_DATA_SACKED, the highest SACK beyond
    // snd_una + 3 MSS) lets tcp_update_scoreboard mark segment 10 (mark_head_lost(4 - 3))
    injectAck(w, sk, una + 10 * MSS, [[una + 11 * MSS, una + 15 * MSS]]);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(n.get("TcpExtTCPSackRecovery")).toBe(1);
    expect(rb.start[rb.at(0)]).toBe(una + 10 * MSS);
    expect(rb.flags[rb.at(0)]! & TCPCB_LOST).not.toBe(0);
    expect(c.lostOut).toBe(1);
  });
});
