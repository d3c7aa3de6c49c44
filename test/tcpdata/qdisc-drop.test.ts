// A qdisc drop at enqueue (6.12 net/ipv4/tcp_output.c: __tcp_transmit_skb): ip_queue_xmit returns NET_XMIT_DROP
// (pfifo_fast's txqueuelen, fq's flow_limit / band limit / horizon: qdisc_drop), err > 0, so tcp_enter_cwr
// (net/ipv4/tcp_input.c) and net_xmit_eval leaves 1: tcp_write_xmit breaks with the skb still its send head
// (no tcp_event_new_data_sent: snd_nxt and packets_out stay), no tcp_update_skb_after_send / tcp_rate_skb_sent.
// TcpOutSegs was counted before the qdisc (end_seq after snd_nxt), TCPOrigDataSent was not. tcp_enter_cwr:
// prior_ssthresh 0, undo_marker 0, tcp_init_cwnd_reduction (high_seq = snd_nxt, prior_cwnd = cwnd, ssthresh =
// CUBIC's max(cwnd * 717 / 1024, 2)), TCP_CA_CWR; tcp_cwnd_reduction (PRR) on each ACK; tcp_fastretrans_alert
// ends CWR once snd_una passes high_seq (not at it): tcp_end_cwnd_reduction sets cwnd = ssthresh, then Open.
// tcp_send_probe0: a zero-window probe tick whose tcp_write_wakeup the qdisc drops (err > 0) retries after
// TCP_RESOURCE_PROBE_INTERVAL (HZ/2) without backing off.
// The drops are made at TcpHost's send (ip_output) as the qdisc's sink makes them: the skb's socket charge freed
// (tcp_wfree), the skb dropped QDISC_DROP, false returned.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { SegIn } from "../../src/tcp/segment.js";
import { TCP_CA_CWR, TCP_CA_Open } from "../../src/tcp/cc.js";
import { ICSK_TIME_PROBE0, TCP_RESOURCE_PROBE_INTERVAL, appSend } from "../../src/tcp/data-out.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import type { TcpConn } from "../../src/tcp/conn.js";
import { NO_UNDO } from "../../src/tcp/undo.js";

/** A bulk flow of `bytes`, run for `durationNs`; `keepOpen`: the application's close() after its last write does
 *  nothing, so the test may write more (after close() a write is -EPIPE: tcp_sendmsg_locked). */
async function flow(bytes: number, durationNs: number, keepOpen = false) {
  const spec = world(
    [host("a", 1, {}), host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] })],
    [link("a", "b", { rateBps: 1e9, delayNs: 50_000 })],
    [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes, at: 0 }],
    { durationNs },
  );
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const tcp = w.host("a").stack.tcp;
  if (keepOpen) tcp.closeConn = () => {};
  w.run();
  const c = [...w.flows.values()][0]!.sender!;
  const sk = (tcp as unknown as { socks: (TcpSock | null)[] }).socks[c.slot]!;
  const nstat = w.host("a").nstat;
  // every data skb TCP hands to ip_output (relative seq, length, dropped?); `drop(n)`: the qdisc drops the next n
  const sent: { seq: number; len: number; dropped: boolean; cwnd: number }[] = [];
  let dropping = 0;
  const wrapped = tcp as unknown as { send: (h: number) => boolean };
  const send = wrapped.send;
  wrapped.send = (h: number): boolean => {
    const seg = new SegIn();
    seg.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
    if (seg.dataLen === 0) return send(h);
    const drop = dropping > 0;
    sent.push({ seq: (seg.seq - sk.iss - 1) | 0, len: seg.dataLen, dropped: drop, cwnd: c.cwnd });
    if (!drop) return send(h);
    dropping--;
    // qdisc_drop: kfree_skb runs tcp_wfree, the skb is dropped with the qdisc's reason
    const owner = core.skb.sk[h]!;
    core.skb.sk[h] = 0xffffffff;
    tcp.txFree(owner, core.skb.truesize[h]!);
    w.drop(h, "QDISC_DROP");
    return false;
  };
  // the congestion states the socket passes through, with cwnd / snd_una / high_seq at each change
  const states: { state: number; cwnd: number; ssthresh: number; una: number; high: number }[] = [];
  const cc = c.cc;
  c.cc = { ...cc, setState: (s: TcpConn, st: number) => {
    states.push({ state: st, cwnd: s.cwnd, ssthresh: s.ssthresh, una: c.sndUna, high: c.highSeq });
    cc.setState?.(s, st);
  } } as typeof cc;
  return { w, tcp, c, sk, nstat, sent, states, drop: (n: number) => void (dropping = n) };
}

const cubicSsthresh = (cwnd: number) => Math.max(Math.floor((cwnd * 717) / 1024), 2);

describe("a qdisc drop at enqueue (NET_XMIT_DROP): the skb stays unsent, tcp_enter_cwr", () => {
  it("the dropped data skb is the next one sent again (same seq, not a retransmission); CWR with CUBIC's ssthresh, left once snd_una passes high_seq with cwnd = ssthresh", async () => {
    const f = await flow(Infinity, 2e6);
    const { w, c, nstat, sent, states } = f;
    expect(c.caState).toBe(TCP_CA_Open);
    const retrans0 = nstat.get("TcpRetransSegs");
    f.drop(1);
    const from = sent.length;
    const outSegs0 = nstat.get("TcpOutSegs");
    const orig0 = nstat.get("TcpExtTCPOrigDataSent");
    // run until the drop
    while (sent.length === from) w.loop.run(w.loop.now + 1000);
    const d = sent[from]!;
    expect(d.dropped).toBe(true);
    const segs = Math.ceil(d.len / c.mss);
    // __tcp_transmit_skb counted it in TcpOutSegs before ip_queue_xmit; tcp_event_new_data_sent never ran
    expect(nstat.get("TcpOutSegs") - outSegs0).toBe(segs);
    expect(nstat.get("TcpExtTCPOrigDataSent") - orig0).toBe(0);
    // the send head did not move, tcp_enter_cwr ran
    expect(c.sndNxt).toBe(d.seq);
    expect(states.length).toBe(1);
    expect(states[0]).toEqual({ state: TCP_CA_CWR, cwnd: d.cwnd, ssthresh: cubicSsthresh(d.cwnd), una: c.sndUna, high: d.seq });
    expect([c.priorSsthresh, c.undoMarker, c.priorCwnd]).toEqual([0, NO_UNDO, d.cwnd]);
    // 5 ms more: the next data skb starts where the dropped one did; nothing is retransmitted
    w.loop.run(w.loop.now + 5e6);
    expect(sent[from + 1]!.seq).toBe(d.seq);
    expect(sent[from + 1]!.dropped).toBe(false);
    expect(nstat.get("TcpRetransSegs")).toBe(retrans0);
    // CWR ends on the first ACK past high_seq (snd_una > high_seq), cwnd = ssthresh (tcp_end_cwnd_reduction)
    expect(states.length).toBe(2);
    expect(states[1]!.state).toBe(TCP_CA_Open);
    expect(states[1]!.una).toBeGreaterThan(d.seq);
    expect(states[1]!.cwnd).toBe(cubicSsthresh(d.cwnd));
  });

  it("tcp_send_probe0: with nothing in flight the dropped skb arms the probe timer; a dropped tcp_write_wakeup retries after TCP_RESOURCE_PROBE_INTERVAL without back-off", async () => {
    // 10 000 bytes, all ACKed after 20 ms: nothing in flight, nothing unsent; the socket still open
    const f = await flow(10_000, 20e6, true);
    const { w, tcp, c, sk, sent } = f;
    expect([c.packetsOut, c.sndNxt, c.writeSeq]).toEqual([0, 10_000, 10_000]);
    const from = sent.length;
    f.drop(2);
    const t0 = w.loop.now;
    expect(appSend(tcp, sk, c, 1000)).toBe(1000);
    // tcp_push -> tcp_write_xmit: dropped, nothing in flight (returns true) -> tcp_check_probe_timer:
    // tcp_probe0_base = max(icsk_rto, TCP_RTO_MIN)
    expect(sent.slice(from)).toMatchObject([{ seq: 10_000, len: 1000, dropped: true }]);
    expect([c.sndNxt, c.packetsOut, c.xmitPending]).toEqual([10_000, 0, ICSK_TIME_PROBE0]);
    const base = Math.max(c.icskRtoUs(), 200_000) * 1000;
    expect(c.rtoDeadline - t0).toBe(base);
    // icsk_retransmit_timer on the timer wheel (kernel/time/timer.c: calc_wheel_index, HZ=1000): t0 = jiffy 20,
    // base 201: 221, level 1 (63 <= delta < 504): the next multiple of 8, 224; re-armed from that callback for
    // 500 (base clk 225, delta 499, level 1): 724 -> 728
    expect([t0, base, c.rtoTimerAt]).toEqual([20e6, 201e6, 224e6]);
    // the probe timer: tcp_write_wakeup sends the head (the window has room): dropped again, err 1
    w.loop.run(224e6);
    expect(sent.slice(from)).toMatchObject([{ dropped: true }, { seq: 10_000, len: 1000, dropped: true }]);
    expect([c.probesOut, c.icskBackoff, c.xmitPending, c.rtoDeadline - 224e6]).toEqual([1, 0, ICSK_TIME_PROBE0, TCP_RESOURCE_PROBE_INTERVAL]);
    // then it goes: something in flight, probing over
    expect(c.rtoTimerAt).toBe(728e6);
    w.loop.run(728e6);
    expect(sent.slice(from + 2)).toMatchObject([{ seq: 10_000, len: 1000, dropped: false }]);
    expect([c.sndNxt, c.probesOut, c.icskBackoff]).toEqual([11_000, 0, 0]);
  });
});
