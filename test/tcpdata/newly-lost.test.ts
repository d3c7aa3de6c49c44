// newly_lost on an ACK (6.12 tcp_ack: lost = tp->lost - lost, passed as the
// rate sample's losses to tcp_cong_control -> tcp_cwnd_reduction, or to a
// cong_control model): tp->lost grows in tcp_mark_skb_lost for a newly lost
// segment and also for a retransmission RACK finds lost again
// (TCPLostRetransmit), whose LOST mark is already set. A 100 ms RTT flow
// with its initial window out; the link then drops everything, and injected
// ACKs drive the sender.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { TCP_CA_Recovery, type CcSock, type CongestionOps } from "../../src/tcp/cc.js";
import { reno } from "../../src/tcp/cc.js";
import { TCPCB_LOST, TCPCB_SACKED_RETRANS } from "../../src/tcp/conn.js";
import type { World } from "../../src/sim/world.js";

const MSS = 1448;

/** 10 segments out at ~100 ms over a 50 ms one-way link; from 103 ms the link loses every frame. */
async function tenOut() {
  // (a link with a loss model keeps one event per frame, so the loss set later applies to every frame)
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, loss: 1e-12 }, [bulk()]));
  for (const d of (r.w as unknown as { directions: { config: { loss: number } }[] }).directions) d.config.loss = 1;
  return { ...r, ...clientConn(r.w) };
}

/** Recovery from a SACK of segments 4-9 (0-3 lost; PRR lets 6 out: the 4 retransmissions in one instant,
 *  2 new segments after them), then 101 ms later an ACK of segment 0 with segment 2's retransmission SACKed: RACK
 *  finds segment 1's retransmission (sent in the same instant, lower sequence) lost again, and nothing else
 *  (segment 3's retransmission has a higher sequence, the new ones went later). */
function remark(w: World, c: ReturnType<typeof clientConn>["c"], sk: ReturnType<typeof clientConn>["sk"], una: number) {
  injectAck(w, sk, una, [[una + 4 * MSS, una + 10 * MSS]]);
  expect(c.caState).toBe(TCP_CA_Recovery);
  expect(c.lostOut).toBe(4);
  expect(c.lost).toBe(4);
  // PRR: in flight 10 - 6 SACKed - 4 lost = 0, ssthresh 7: sndcnt = min(7 - 0, max(6 - 0, 6)) = 6; the 4
  // retransmissions go now, the 2 new segments as pacing lets them (later, so after any retransmission)
  expect(c.cwnd).toBe(6);
  expect(c.retransOut).toBe(4);
  const rb = c.rtx;
  expect(rb.flags[rb.at(1)]! & (TCPCB_LOST | TCPCB_SACKED_RETRANS)).toBe(TCPCB_LOST | TCPCB_SACKED_RETRANS);
  // rack.rtt from the retransmission's SACK must reach min_rtt (just over 100 ms) for RACK to take it
  w.loop.run(w.loop.now + 101e6);
  injectAck(w, sk, una + MSS, [[una + 2 * MSS, una + 3 * MSS], [una + 4 * MSS, una + 10 * MSS]]);
}

describe("newly_lost = Δ tp->lost (tcp_ack -> tcp_rate_gen -> tcp_cong_control)", () => {
  it("a retransmission lost again on an ACK that advances snd_una: PRR gets newly_lost 1, so no extra segment (tcp_cwnd_reduction)", async () => {
    const { w, sk, c, n } = await tenOut();
    const una = c.sndUna;
    remark(w, c, sk, una);
    expect(n.get("TcpExtTCPLostRetransmit")).toBe(1);
    expect(c.lost).toBe(5);
    // out 11: SACKed 7 (2, 4-9), lost 2 (1 again, 3 still being retransmitted), retransmissions out 1 (3);
    // in flight 11 - 9 + 1 = 3. After cwnd is set, segment 1 goes again and one new segment (out 12)
    expect([c.packetsOut, c.sackedOut, c.lostOut, c.retransOut]).toEqual([12, 7, 2, 2]);
    // prr_delivered 6 + 2 (segment 0 ACKed, segment 2 SACKed) = 8, prr_out 6: sndcnt = max(8 - 6, 2) = 2, not
    // + 1 (FLAG_SND_UNA_ADVANCED but newly_lost = 1); delta = ssthresh 7 - in flight 3 = 4: cwnd = 3 + 2
    expect(c.ssthresh).toBe(7);
    expect(c.cwnd).toBe(5);
  });

  it("a cong_control model is given the same count as rs->losses", async () => {
    const seen: number[] = [];
    const { w, sk, c } = await tenOut();
    const base = reno();
    const cc: CongestionOps = {
      ...base,
      name: "record",
      congControl(s: CcSock, _acked: number, _state: number, losses: number) {
        seen.push(losses);
        s.cwnd = Math.max(s.cwnd, 1);
      },
    };
    c.cc = cc;
    const una = c.sndUna;
    injectAck(w, sk, una, [[una + 4 * MSS, una + 7 * MSS]]);
    // RACK marks segments 0-3 lost (reo_wnd 0: three SACKed, no reordering seen)
    expect(seen).toEqual([4]);
  });
});
