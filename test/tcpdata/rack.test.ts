// RACK-TLP (6.12, net.ipv4.tcp_recovery=1, tcp_early_retrans=3) on a 100 ms
// RTT path: the initial window is in flight, no ACK can come back for 100 ms,
// and ACKs injected in between drive RACK's loss detection, its REO timer and
// the tail loss probe. Numbers from tcp_rack_reo_wnd, tcp_rack_mark_lost,
// tcp_schedule_loss_probe and tcp_process_tlp_ack.
import { describe, expect, it } from "vitest";
import { pair, bulk } from "./helpers.js";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { clientConn, injectAck } from "./inject.js";
import { ICSK_TIME_LOSS_PROBE, ICSK_TIME_REO_TIMEOUT, ICSK_TIME_RETRANS, appSend, resetXmitTimer, writeTimerHandler } from "../../src/tcp/data-out.js";
import { TCP_CA_Disorder, TCP_CA_Open, TCP_CA_Recovery } from "../../src/tcp/cc.js";
import { TCPCB_EVER_RETRANS, TCPCB_LOST } from "../../src/tcp/conn.js";
import type { TcpSock } from "../../src/tcp/sock.js";

const MSS = 1448;

/** 103 ms into a flow over a 50 ms one-way link: established at ~100 ms, 10 segments out, nothing ACKed yet.
 *  `keepOpen`: the application's close() after its last write does nothing (no FIN), so it may write more. */
async function inFlight(bytes = Infinity, sysctl: Record<string, number> = {}, writeRate?: number, keepOpen = false) {
  const spec = pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: sysctl }, [bulk({ bytes, ...(writeRate !== undefined ? { writeRate } : {}) })]);
  const w = new World(await createCore(coreConfigFor(spec)), spec);
  if (keepOpen) w.host("a").stack.tcp.closeConn = () => {};
  w.run();
  return { w, ...clientConn(w) };
}

const ack = (w: World, sk: TcpSock, ackRel: number, sack: [number, number][] = []): number => injectAck(w, sk, ackRel, sack);

describe("RACK loss detection (tcp_rack_mark_lost)", () => {
  it("one SACK above 4 unacked segments sent with it: not lost yet; the REO timer waits reo_wnd = min(min_rtt/4, srtt) + 2 ms", async () => {
    const { w, t, c } = await inFlight();
    const sk = t.sockAt(c.slot)!;
    expect(c.packetsOut).toBe(10);
    const una = c.sndUna;
    ack(w, sk, una, [[una + 4 * MSS, una + 5 * MSS]]);
    // no reordering seen, Open, 1 SACKed (< reordering 3): reo_wnd = min(min_rtt >> 2, srtt_us >> 3)
    const reo = Math.min(c.minRttUs >> 2, c.rtt.srttUs >> 3);
    // tcp_clean_rtx_queue ran before tcp_rack_mark_lost: the SACKed segment, sent at 100002.69 µs, gave
    // ca_rtt_us on the µs clocks 103000 − 100002 = 2998 (2997.3 µs apart) and tcp_update_rtt_min took it (the
    // handshake's 100 ms before): 2998 >> 2 = 749
    expect(c.minRttUs).toBe(2998);
    expect(reo).toBe(749);
    expect(c.lostOut).toBe(0);
    expect(c.xmitPending).toBe(ICSK_TIME_REO_TIMEOUT);
    // the four were sent at the same instant as the SACKed one: remaining = rack.rtt + reo - elapsed = reo
    expect(c.rtoDeadline - t.now).toBe(Math.ceil((reo + 2000) / 1000) * 1e6); // 27 ms
    expect(c.caState).toBe(TCP_CA_Disorder);
  });

  it("the REO timer fires: the 4 segments below the SACK are lost, Recovery starts and the head is retransmitted", async () => {
    const { w, t, c, n } = await inFlight();
    const sk = t.sockAt(c.slot)!;
    const una = c.sndUna;
    ack(w, sk, una, [[una + 4 * MSS, una + 5 * MSS]]);
    // icsk_retransmit_timer is a timer_list (kernel/time/timer.c: calc_wheel_index): 3 jiffies ahead is level 0,
    // run on the jiffy after the expiry; not before
    expect(c.rtoTimerAt - c.rtoDeadline).toBe(1e6);
    w.loop.run(c.rtoDeadline);
    expect(c.lostOut).toBe(0);
    w.loop.run(c.rtoTimerAt);
    expect(c.lostOut).toBe(4);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(n.get("TcpExtTCPSackRecovery")).toBe(1);
    expect(n.get("TcpRetransSegs")).toBeGreaterThanOrEqual(1);
    // the segments above the SACK were sent after it: not RACK's to judge
    const rb = c.rtx;
    expect(rb.flags[rb.at(5)]! & TCPCB_LOST).toBe(0);
    // the retransmission of the head re-arms the RTO
    expect(c.xmitPending).toBe(ICSK_TIME_RETRANS);
  });

  it("three SACKed segments without reordering seen: reo_wnd 0, everything sent before them is lost at once", async () => {
    const { w, t, c, n } = await inFlight();
    const sk = t.sockAt(c.slot)!;
    const una = c.sndUna;
    ack(w, sk, una, [[una + 4 * MSS, una + 7 * MSS]]);
    expect(c.lostOut).toBe(4);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(n.get("TcpExtTCPSackRecovery")).toBe(1);
  });

  it("tcp_recovery=0: no RACK, one SACK arms nothing (the 3-SACK rule waits)", async () => {
    const { w, t, c } = await inFlight(Infinity, { "net.ipv4.tcp_recovery": 0 });
    const sk = t.sockAt(c.slot)!;
    const una = c.sndUna;
    ack(w, sk, una, [[una + 4 * MSS, una + 5 * MSS]]);
    expect(c.xmitPending).not.toBe(ICSK_TIME_REO_TIMEOUT);
    expect(c.lostOut).toBe(0);
  });

  it("a never-retransmitted hole filled below the highest SACK is reordering: TCPSACKReorder, reordering = 5, reo_wnd back to min_rtt/4", async () => {
    const { w, t, c, n } = await inFlight();
    const sk = t.sockAt(c.slot)!;
    const una = c.sndUna;
    ack(w, sk, una, [[una + 4 * MSS, una + 5 * MSS]]);
    // the four "missing" segments arrive late: cumulative ACK to the SACK's end
    ack(w, sk, una + 5 * MSS);
    expect(n.get("TcpExtTCPSACKReorder")).toBe(1);
    expect(c.reordSeen).toBe(1);
    // metric = fack - reord = 5 MSS > reordering (3) · MSS
    expect(c.reordering).toBe(5);
    expect(c.caState).toBe(TCP_CA_Open);
  });
});

describe("tail loss probe (tcp_schedule_loss_probe, tcp_send_loss_probe)", () => {
  it("data out in Open arms the probe: PTO = 2·srtt + 2 ms (more than one segment out), before the RTO", async () => {
    const { w, t, c } = await inFlight();
    const sk = t.sockAt(c.slot)!;
    // an ACK of 2 segments re-arms it (tcp_set_xmit_timer): snd_una advances, 8 + new data out
    ack(w, sk, c.sndUna + 2 * MSS);
    expect(c.xmitPending).toBe(ICSK_TIME_LOSS_PROBE);
    const pto = Math.ceil(((c.rtt.srttUs >> 2) + 2000) / 1000) * 1e6;
    expect(c.rtoDeadline - t.now).toBe(Math.min(pto, Math.ceil(c.rtt.rtoUs / 1000) * 1e6));
  });

  it("one segment out: PTO adds the 200 ms minimum RTO (a delayed ACK may hold it), capped by the RTO", async () => {
    // a slow writer that never closes (a closing one would add its FIN skb: two out): its first small
    // write leaves at once, Nagle holds the rest
    const { c } = await inFlight(Infinity, {}, 14_480);
    expect(c.packetsOut).toBe(1);
    expect(c.xmitPending).toBe(ICSK_TIME_LOSS_PROBE);
    // armed when the segment left; srtt 100 ms and RTO 300 ms from the handshake sample, unchanged since
    const pto = Math.ceil(((c.rtt.srttUs >> 2) + 200_000) / 1000) * 1e6; // 2·100 + 200 = 400 ms
    // icsk_timeout = jiffies + when: from the jiffy the segment left in
    const armedFor = c.rtoDeadline - Math.floor(c.rtx.sentAt[c.rtx.at(0)]! / 1e6) * 1e6;
    expect(armedFor).toBe(Math.min(pto, Math.ceil(c.rtt.rtoUs / 1000) * 1e6));
    expect(armedFor).toBe(300e6);
  });

  it("the probe fires with unsent data: one new segment beyond cwnd, TCPLossProbes, tlp_high_seq = snd_nxt", async () => {
    const { t, c, n } = await inFlight();
    const sk = t.sockAt(c.slot)!;
    const out = c.packetsOut;
    expect(out).toBe(c.cwnd);
    resetXmitTimer(t, c, ICSK_TIME_LOSS_PROBE, 0);
    writeTimerHandler(t, sk, c);
    expect(n.get("TcpExtTCPLossProbes")).toBe(1);
    expect(c.packetsOut).toBe(out + 1);
    expect(c.tlpHighSeq).toBe(c.sndNxt);
    expect(c.tlpRetrans).toBe(false);
    expect(c.xmitPending).toBe(ICSK_TIME_RETRANS);
  });

  it("nothing unsent: the last segment is retransmitted; an ACK beyond tlp_high_seq then shows the probe repaired a loss (TCPLossProbeRecovery)", async () => {
    // the socket stays open (no FIN): after close() the application could not write more (-EPIPE)
    const { w, t, c, n } = await inFlight(10 * MSS, {}, undefined, true);
    const sk = t.sockAt(c.slot)!;
    expect(c.sndNxt).toBe(10 * MSS);
    resetXmitTimer(t, c, ICSK_TIME_LOSS_PROBE, 0);
    writeTimerHandler(t, sk, c);
    expect(n.get("TcpExtTCPLossProbes")).toBe(1);
    expect(n.get("TcpRetransSegs")).toBe(1);
    expect(c.tlpRetrans).toBe(true);
    // tp->snd_nxt, the end of the tenth segment
    expect(c.tlpHighSeq).toBe(10 * MSS);
    expect(c.rtx.flags[c.rtx.at(9)]! & TCPCB_EVER_RETRANS).not.toBe(0);
    // a second probe waits for the first to be resolved
    resetXmitTimer(t, c, ICSK_TIME_LOSS_PROBE, 0);
    writeTimerHandler(t, sk, c);
    expect(n.get("TcpExtTCPLossProbes")).toBe(1);
    // the application writes more; the ACK of all ten lets it out
    expect(appSend(t, sk, c, 5 * MSS)).toBe(5 * MSS);
    ack(w, sk, 10 * MSS);
    expect(c.tlpHighSeq).toBe(10 * MSS);
    expect(c.sndNxt).toBeGreaterThan(10 * MSS);
    const cwnd = c.cwnd;
    ack(w, sk, c.sndNxt);
    expect(n.get("TcpExtTCPLossProbeRecovery")).toBe(1);
    expect(c.tlpHighSeq).toBe(0);
    // CUBIC's ssthresh: cwnd · 717 / 1024
    expect(c.ssthresh).toBe(Math.max(Math.floor((cwnd * 717) / 1024), 2));
    expect(c.caState).toBe(TCP_CA_Open);
  });

  it("tcp_early_retrans=0: no probe timer, the RTO stays", async () => {
    const { c } = await inFlight(Infinity, { "net.ipv4.tcp_early_retrans": 0 });
    expect(c.xmitPending).toBe(ICSK_TIME_RETRANS);
  });
});

describe("tcp_rack_skb_timeout's µs stamps (tcp_stamp_us_delta of tcp_skb_timestamp_us)", () => {
  it("elapsed is now_us − sent_us, the difference of whole-µs stamps: a segment sent at 28000.6 µs is 75000 µs old at 103000 µs and due with rack.rtt 50000 + reo_wnd 25000", async () => {
    const { w, t, c } = await inFlight();
    const sk = t.sockAt(c.slot)!;
    expect(t.now).toBe(103e6);
    const rb = c.rtx;
    // segments 0-3 sent at 28000.600 µs, the SACKed segment 4 and the rest at 53000 µs
    for (let i = 0; i < rb.count; i++) rb.sentAt[rb.at(i)] = i < 4 ? 28_000_600 : 53_000_000;
    const una = c.sndUna;
    ack(w, sk, una, [[una + 4 * MSS, una + 5 * MSS]]);
    // tcp_rack_advance: rack.rtt = 103000 - 53000 = 50000 µs; reo_wnd = min(min_rtt / 4, srtt) = 25000 µs
    expect(c.rackRttUs).toBe(50_000);
    // tcp_rack_skb_timeout = 50000 + 25000 - (103000 - 28000) = 0: lost (the floor of the ns difference,
    // 74999 µs, would leave 1 µs and arm the REO timer instead)
    expect(c.lostOut).toBe(4);
    expect(c.xmitPending).not.toBe(ICSK_TIME_REO_TIMEOUT);
  });

  it("rack.rtt from whole-µs stamps: a segment sent at 53000.4 µs SACKed at 103000 µs took 50000 µs", async () => {
    const { w, t, c } = await inFlight();
    const sk = t.sockAt(c.slot)!;
    const rb = c.rtx;
    for (let i = 0; i < rb.count; i++) rb.sentAt[rb.at(i)] = 53_000_400;
    const una = c.sndUna;
    ack(w, sk, una, [[una + 4 * MSS, una + 5 * MSS]]);
    // floor(103000000 / 1000) - floor(53000400 / 1000) = 50000 (the floor of the ns difference: 49999)
    expect(c.rackRttUs).toBe(50_000);
    expect(c.rackMstamp).toBe(53_000);
  });
});
