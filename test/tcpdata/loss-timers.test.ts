// The sender's undo state around a tail loss probe, SACK reneging, a retransmission the qdisc refuses, and
// tcp_send_fin's push, against 6.12: net/ipv4/tcp_input.c tcp_init_undo, tcp_check_sack_reneging,
// tcp_timeout_mark_lost; net/ipv4/tcp_timer.c tcp_retransmit_timer; net/ipv4/tcp_output.c tcp_send_fin.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { ICSK_TIME_LOSS_PROBE, ICSK_TIME_RETRANS, TCP_RESOURCE_PROBE_INTERVAL, appSend, armRto, resetXmitTimer, writeTimerHandler } from "../../src/tcp/data-out.js";
import { TCP_CA_Loss, TCP_CA_Recovery } from "../../src/tcp/cc.js";
import { TCPCB_LOST, TCPCB_SACKED_ACKED } from "../../src/tcp/conn.js";
import type { World } from "../../src/sim/world.js";
import type { TcpHost } from "../../src/tcp/tcp-host.js";

const MSS = 1448;

/** 103 ms into a flow over a 50 ms one-way link: established at ~100 ms, 10 segments out, nothing ACKed;
 *  `bytes` 10·MSS: nothing else to send (the bulk closes: the FIN rides on the tenth). `dead`: every frame
 *  from now on is lost, so only the ACKs injected here reach the sender. */
async function tenOut(bytes = Infinity, dead = true) {
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, loss: 1e-12 }, [bulk({ bytes })]));
  if (dead) for (const d of r.w.linkDirections()) (d as unknown as { config: { loss: number } }).config.loss = 1;
  const cc = clientConn(r.w);
  expect(cc.c.packetsOut).toBe(10);
  return { ...r, ...cc };
}

/** The retransmit timer fires now. */
function fireRto(t: TcpHost, w: World) {
  const { sk, c } = clientConn(w);
  armRto(t, c, 0);
  writeTimerHandler(t, sk, c);
}

describe("tcp_init_undo counts a loss probe's retransmission still in flight", () => {
  it("Recovery entered while the probe's copy of the tail is out: undo_retrans = retrans_out 0 + 1, then + 1 for the fast retransmit", async () => {
    const { w, t, sk, c } = await tenOut(10 * MSS, false);
    // the probe: nothing unsent, the tail is retransmitted (__tcp_retransmit_skb: not in retrans_out)
    resetXmitTimer(t, c, ICSK_TIME_LOSS_PROBE, 0);
    writeTimerHandler(t, sk, c);
    expect(c.tlpRetrans).toBe(true);
    expect(c.tlpHighSeq).toBe(10 * MSS + 1);
    expect(c.retransOut).toBe(0);
    // segments 1-3 SACKed: the head lost (RACK, reo_wnd 0 with 3 SACKed), tcp_enter_recovery -> tcp_init_undo
    // (tlp_high_seq still set: tcp_init_cwnd_reduction clears it after) -> undo_retrans 1; the head's fast
    // retransmission (tcp_retransmit_skb) -> 2
    injectAck(w, sk, 0, [[MSS, 4 * MSS]]);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(c.retransOut).toBe(1);
    expect(c.undoRetrans).toBe(2);
    expect(c.tlpHighSeq).toBe(0);
  });

  it("an RTO while the probe's copy is out: tcp_enter_loss's tcp_init_undo counts it too (1, then 2 with the head's retransmission)", async () => {
    const { w, t, sk, c } = await tenOut(10 * MSS, false);
    resetXmitTimer(t, c, ICSK_TIME_LOSS_PROBE, 0);
    writeTimerHandler(t, sk, c);
    expect(c.tlpRetrans).toBe(true);
    fireRto(t, w);
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.undoRetrans).toBe(2);
    expect(c.tlpHighSeq).toBe(0);
  });
});

describe("sender-side SACK reneging (tcp_check_sack_reneging, tcp_timeout_mark_lost)", () => {
  it("an ACK that stops at a SACKed segment arms the RTO for max(srtt/2, 10 ms); at its expiry TCPSACKReneging: SACKs forgotten, all lost, the head resent", async () => {
    const { w, t, c, sk, n } = await tenOut();
    injectAck(w, sk, 0, [[2 * MSS, 4 * MSS]]);
    expect(c.sackedOut).toBe(2);
    // segments 0-1 ACKed, 2 (SACKed) is now the head: FLAG_SACK_RENEGING with FLAG_SND_UNA_ADVANCED.
    // tcp_fastretrans_alert returns at step B; the timer: max(usecs_to_jiffies(srtt_us >> 4), 10 ms), HZ 1000.
    // srtt (tcp_rtt_estimator, srtt_us 8x): the handshake's 100 ms, 800000; then ~3 ms samples (sent at ~100.0
    // ms, (S)ACKed at 103 ms) from the SACK (sack_rtt_us) and from this ACK: srtt_us += m - srtt_us/8 twice,
    // 800000 -> ~703000 -> ~618100; >> 4 = ~38.6 ms -> 39 jiffies
    injectAck(w, sk, 2 * MSS);
    expect(c.sndUna).toBe(2 * MSS);
    expect(c.rtx.flags[c.rtx.at(0)]! & TCPCB_SACKED_ACKED).toBe(TCPCB_SACKED_ACKED);
    expect(c.xmitPending).toBe(ICSK_TIME_RETRANS);
    const ms = Math.max(Math.ceil((c.rtt.srttUs >> 4) / 1000), 10);
    expect(ms).toBe(39);
    expect(c.rtoDeadline - t.now).toBe(ms * 1e6);
    // icsk_retransmit_timer is a timer_list (kernel/time/timer.c: calc_wheel_index): a delta of 39 jiffies is
    // level 0 of the wheel, run on the jiffy after the expiry
    expect(t.now % 1e6).toBe(0);
    expect(c.rtoTimerAt - t.now).toBe((ms + 1) * 1e6);
    expect(n.get("TcpExtTCPSACKReneging")).toBe(0);
    const segs = n.get("TcpRetransSegs");
    w.loop.run(c.rtoDeadline);
    expect(n.get("TcpExtTCPTimeouts")).toBe(0);
    w.loop.run(c.rtoTimerAt);
    expect(n.get("TcpExtTCPTimeouts")).toBe(1);
    // tcp_timeout_mark_lost: the head is SACKed -> reneging: sacked_out 0, SACKED_ACKED cleared, every segment
    // marked lost (RACK's recently-sent exemption does not apply)
    expect(n.get("TcpExtTCPSACKReneging")).toBe(1);
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.sackedOut).toBe(0);
    expect(c.lostOut).toBe(c.packetsOut);
    const rb = c.rtx;
    for (let i = 0; i < rb.count; i++) expect(rb.flags[rb.at(i)]! & (TCPCB_SACKED_ACKED | TCPCB_LOST)).toBe(TCPCB_LOST);
    // the former SACKed head goes again
    expect(n.get("TcpRetransSegs")).toBe(segs + 1);
  });

  it("srtt/2 below 10 ms: the 10 ms floor", async () => {
    const { w, t, c, sk } = await tenOut();
    injectAck(w, sk, 0, [[2 * MSS, 4 * MSS]]);
    // hand-set: srtt 8 ms (srtt_us 64000, 8x): >> 4 = 4 ms < 10 ms; the ACK's own sample (~3 ms) lowers it more
    c.rtt.srttUs = 64_000;
    injectAck(w, sk, 2 * MSS);
    expect(c.rtt.srttUs >> 4).toBeLessThan(10_000);
    expect(c.rtoDeadline - t.now).toBe(10e6);
  });
});

describe("tcp_retransmit_timer: a retransmission the qdisc drops", () => {
  it("NET_XMIT_DROP (> 0): re-armed at TCP_RESOURCE_PROBE_INTERVAL (500 ms), no backoff; the next RTO backs off as usual", async () => {
    const { w, t, c, n } = await tenOut();
    // the qdisc drops the next data skb at enqueue (qdisc_drop: kfree_skb runs tcp_wfree)
    const tcp = t as unknown as { send: (h: number) => boolean };
    const send = tcp.send.bind(t);
    let drop = 1;
    tcp.send = (h: number): boolean => {
      if (drop === 0 || w.core.skb.len[h]! <= 66) return send(h);
      drop--;
      const owner = w.core.skb.sk[h]!;
      w.core.skb.sk[h] = 0xffffffff;
      t.txFree(owner, w.core.skb.truesize[h]!);
      w.drop(h, "QDISC_DROP");
      return false;
    };
    const rto = c.icskRtoUs();
    fireRto(t, w);
    expect(n.get("TcpExtTCPTimeouts")).toBe(1);
    expect(n.get("TcpRetransSegs")).toBe(1);
    expect(n.get("TcpExtTCPRetransFail")).toBe(1);
    // tcp_update_rto_stats ran (icsk_retransmits 1); icsk_backoff and icsk_rto untouched
    expect(c.retransmits).toBe(1);
    expect(c.icskBackoff).toBe(0);
    expect(c.icskRtoUs()).toBe(rto);
    expect(c.xmitPending).toBe(ICSK_TIME_RETRANS);
    expect(c.rtoDeadline - t.now).toBe(TCP_RESOURCE_PROBE_INTERVAL);
    // icsk_retransmit_timer on the timer wheel (kernel/time/timer.c: calc_wheel_index): armed at jiffy 103 for
    // 500, level 1 (63 <= delta < 504): the next multiple of 8 after 603
    expect(t.now).toBe(103e6);
    expect(c.rtoTimerAt).toBe(608e6);
    // then the head goes: out_reset_timer doubles icsk_rto
    w.loop.run(c.rtoTimerAt);
    expect(n.get("TcpExtTCPTimeouts")).toBe(2);
    expect(n.get("TcpRetransSegs")).toBe(2);
    expect(c.icskBackoff).toBe(1);
    expect(c.rtoDeadline - t.now).toBe(Math.min(2 * rto, 120e6) * 1000);
  });
});

describe("tcp_send_fin pushes with TCP_NAGLE_OFF", () => {
  it("a 2·MSS + 100 B tail with a small segment unACKed: the FIN goes with all of it in one GSO skb (Minshall's check would split off the 100 B)", async () => {
    // a slow writer (its small writes go at once, ACKed at once early on) on a 100 µs RTT path
    const r = await runWorld(pair({ durationNs: 2e6 }, [bulk({ writeRate: 14_480 })]));
    const { t, sk, c } = clientConn(r.w);
    expect(c.packetsOut).toBe(0);
    // a small write goes at once (nothing out): snd_sml = its end, unACKed (tcp_minshall_check true)
    appSend(t, sk, c, 100);
    expect(c.packetsOut).toBe(1);
    expect(c.sndSml).toBeGreaterThan(c.sndUna);
    // hand-set: cwnd full while the next 2·MSS + 100 B are written (one skb, unsent), then room again
    const cwnd = c.cwnd;
    c.cwnd = c.packetsInFlight();
    appSend(t, sk, c, 2 * MSS + 100);
    expect(c.writeSeq - c.sndNxt).toBe(2 * MSS + 100);
    c.cwnd = cwnd;
    const tcp = t as unknown as { send: (h: number) => boolean };
    const send = tcp.send.bind(t);
    const skbs: number[] = [];
    tcp.send = (h: number): boolean => {
      skbs.push(r.w.core.skb.gsoSegs[h]! || 1);
      return send(h);
    };
    // close(): tcp_send_fin tacks the FIN on the tail skb and pushes with TCP_NAGLE_OFF: tcp_mss_split_point's
    // tcp_nagle_check is false (nonagle != 0), so the skb goes whole: 3 segments, the last 100 B + FIN
    t.closeConn(sk);
    expect(skbs).toEqual([3]);
    expect(c.sndNxt).toBe(c.writeSeq);
  });

  it("its push is tcp_write_xmit alone: a segment marked lost and not yet retransmitted stays for tcp_xmit_recovery", async () => {
    const { w, t, sk, c, n } = await tenOut();
    const rb = c.rtx;
    // segments 4-6 SACKed: 0-3 lost (RACK), Recovery; PRR lets 0-2 be retransmitted, 3 waits
    injectAck(w, sk, 0, [[4 * MSS, 7 * MSS]]);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect([c.lostOut, c.retransOut]).toEqual([4, 3]);
    const s3 = rb.at(3);
    expect(rb.flags[s3]).toBe(TCPCB_LOST);
    // hand-set: room in cwnd (as a later ACK's PRR would give) when the application closes
    c.cwnd = c.packetsInFlight() + 4;
    const segs = n.get("TcpRetransSegs");
    const nxt = c.sndNxt;
    t.closeConn(sk);
    // __tcp_push_pending_frames -> tcp_write_xmit: new data only (the bulk writer's unsent bytes)
    expect(c.sndNxt).toBeGreaterThan(nxt);
    expect(n.get("TcpRetransSegs")).toBe(segs);
    expect(rb.flags[s3]).toBe(TCPCB_LOST);
  });
});

describe("tcp_xmit_recovery runs only on tcp_fastretrans_alert's REXMIT_LOST", () => {
  it("tcp_try_undo_partial's stop (the delayed original filled the hole, retransmissions still out): nothing is retransmitted by this ACK", async () => {
    const { w, sk, c, n } = await tenOut();
    const rb = c.rtx;
    // segments 4-6 SACKed: 0-3 lost, Recovery; PRR lets 0-2 be retransmitted, 3 waits
    injectAck(w, sk, 0, [[4 * MSS, 7 * MSS]]);
    expect([c.lostOut, c.retransOut]).toEqual([4, 3]);
    const segs = n.get("TcpRetransSegs");
    // segment 0's original arrives late: ACK of 1·MSS echoing a TSval older than retrans_stamp.
    // tcp_try_undo_partial: tcp_packet_delayed, reordering learnt (TCPTSReorder), retrans_out 2 > 0: "clock out new
    // data without marking more lost" -> return true; tcp_fastretrans_alert returns, rexmit stays REXMIT_NONE
    injectAck(w, sk, MSS, [[4 * MSS, 7 * MSS]], { tsecrMs: c.retransStamp - 1 });
    expect(n.get("TcpExtTCPTSReorder")).toBe(1);
    expect(n.get("TcpExtTCPPartialUndo")).toBe(0);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(n.get("TcpRetransSegs")).toBe(segs);
    expect(rb.flags[rb.at(2)]).toBe(TCPCB_LOST);
  });
});

