// SACK compression as 6.12 does it (net/ipv4/tcp_input.c: __tcp_ack_snd_check,
// tcp_sack_compress_send_ack, tcp_sack_new_ofo_skb; tcp_output.c: tcp_event_ack_sent;
// tcp_timer.c: tcp_compressed_ack_kick, tcp_delack_timer_handler), numbers derived from the source:
// - with out-of-order data queued and no send-now condition (quick-ack mode, ICSK_ACK_NOW, > 1 MSS unacked),
//   the first TCP_FASTRETRANS_THRESH (3) ACKs at one rcv_nxt go at once (dup_ack_counter), the next ones are
//   held (compressed_ack++), the first held one queueing the hrtimer;
// - the timer's delay is min(tcp_comp_sack_delay_ns, rtt * (NSEC_PER_USEC >> 3) / 20) with rtt =
//   rcv_rtt_est.rtt_us, or srtt_us when smaller (both 8x scaled): 5 % of the RTT in ns; a soft hrtimer runs at
//   its hard expiry, delay + tcp_comp_sack_slack_ns (100 us);
// - tcp_compressed_ack_kick: compressed_ack--, tcp_send_ack; tcp_event_ack_sent adds the rest to
//   TCPAckCompressed (n held: n - 1 counted, one ACK sent); any ACK sent adds all n and cancels the timer;
// - compressed_ack >= tcp_comp_sack_nr sends at once (0: every ACK);
// - tcp_sack_new_ofo_skb reaching a block at index >= TCP_SACK_BLOCKS_EXPECTED (2) sends the held ACK first
//   (n - 1 counted) with the blocks as they are then; that ACK clears icsk_ack.pending, so the segment gets
//   no ACK of its own from tcp_ack_snd_check.
// Receiver: a bulk flow a -> b cut off by a dead link, its receiver quiet; segments are injected at rcv_nxt + off (1000 bytes
// each), the receiver's rcv_ssthresh at its clamp (no tcp_grow_window, whose quick |= 1 would ACK at once),
// quick-ack mode over.
import { describe, expect, it } from "vitest";
import { bulk, deadLinkWorld, pair, type PairOpts } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { SegIn } from "../../src/tcp/segment.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { releaseSock } from "../../src/tcp/sock-lock.js";

async function receiver(o: PairOpts = {}, rcvRttUs = 400, srttUs = 1000) {
  // a bulk flow whose link goes dead at 2 ms; 300 ms later the receiver's timers have run out
  const w = await deadLinkWorld(pair({ durationNs: 3e6, ...o }, [bulk()]), 2e6);
  w.run();
  w.loop.run(w.loop.now + 300e6);
  const t = w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  const c = sk.conn!;
  const nstat = w.host("b").nstat;
  // no ACK due, no delayed-ACK timer left (it would send held ACKs), nothing out of order
  expect(c.rcvNxt).toBeGreaterThan(100_000);
  expect([c.ackPending, c.delackDeadline, c.ofo.length]).toEqual([false, Infinity, 0]);
  // (icsk_delack_timer ran: no longer pending)
  expect(c.delackTimerAt).toBe(Infinity);
  c.readRate = 0;
  c.quick = 0;
  c.rcvSsthresh = c.windowClamp;
  c.rcvq.rttUs = 8 * rcvRttUs;
  c.rtt.srttUs = 8 * srttUs;
  // above the 300 ms gap, as quiet-receiver.ts: no quick-ack mode from tcp_event_data_recv
  c.rtt.rtoUs = 1e6;
  const nxt = c.rcvNxt;
  const base = sk.irs + 1;
  const tsVal = sk.tsOk ? sk.tsRecent : undefined; // the peer's last TSval: passes PAWS
  // the receiver's ACKs: time and SACK blocks (relative to nxt), parsed from their header bytes
  const acks: { at: number; blocks: number[][] }[] = [];
  const env = t.env as { alloc(): number };
  const alloc = env.alloc.bind(env);
  env.alloc = () => {
    const h = alloc();
    const at = w.loop.now;
    // parsed once the segment is written (the next call or the end of the test reads it)
    pending.push([h, at]);
    return h;
  };
  const pending: [number, number][] = [];
  const collect = (): typeof acks => {
    for (const [h, at] of pending) {
      const seg = new SegIn();
      seg.parse(w.core.headers, h, w.core.skb.network[h]!, w.core.skb.transport[h]!, false);
      const blocks: number[][] = [];
      for (let i = 0; i < seg.sackN; i++) blocks.push([(seg.sackL[i]! - base - nxt) >>> 0, (seg.sackR[i]! - base - nxt) >>> 0]);
      acks.push({ at, blocks });
    }
    pending.length = 0;
    return acks;
  };
  /** 1000 bytes at nxt + off; returns the ACKs sent so far. */
  const rcv = (off: number): typeof acks => {
    tcpRcvState(t, sk, clientSegment(w, sk, off - (c.rcvNxt - nxt), 1000, TCPHDR_ACK, tsVal));
    return collect();
  };
  const run = (ns: number): typeof acks => {
    w.loop.run(w.loop.now + ns);
    return collect();
  };
  const compressed = (): number => nstat.get("TcpExtTCPAckCompressed");
  return { w, t, sk, c, nstat, rcv, run, compressed, acks };
}

describe("SACK compression (__tcp_ack_snd_check's out-of-order branch)", () => {
  it("a train past a hole: 3 ACKs at once, then one held ACK sent by the timer at 5 % of the RTT + slack", async () => {
    const { rcv, run, compressed, c, w } = await receiver();
    const t0 = w.loop.now;
    for (let k = 1; k <= 6; k++) rcv(1000 * k);
    const acks = rcv(7000);
    // segments 1-3: dup_ack_counter 1, 2, 3 — at once; 4-7 held (compressed_ack 4)
    expect(acks.map((a) => a.at - t0)).toEqual([0, 0, 0]);
    expect(acks.map((a) => a.blocks)).toEqual([[[1000, 2000]], [[1000, 3000]], [[1000, 4000]]]);
    expect(c.compressedAck).toBe(4);
    // rcv_rtt 400 us (3200 scaled) < srtt 1000 us: 3200 * 125 / 20 = 20000 ns; + 100000 ns slack
    const after = run(2e6);
    expect(after.length).toBe(4);
    expect(after[3]!.at - t0).toBe(120_000);
    expect(after[3]!.blocks).toEqual([[1000, 8000]]);
    // compressed_ack-- before tcp_send_ack, tcp_event_ack_sent adds the other 3
    expect(compressed()).toBe(3);
    expect(c.compressedAck).toBe(0);
  });

  it("the delay: srtt_us when smaller than rcv_rtt_est; at most tcp_comp_sack_delay_ns; 0 with no receive RTT", async () => {
    const cases: [number, number, number][] = [
      // rcv_rtt us, srtt us, hard expiry ns: min(1e6, scaled * 125 / 20) + 100000
      [400, 200, 10_000 + 100_000], // srtt 1600 scaled
      [100_000, 200_000, 1_000_000 + 100_000], // 5 ms capped at 1 ms
      [0, 1000, 0 + 100_000], // rtt = rcv_rtt_est (0): srtt is not smaller; delay 0
      [333, 1000, 16_650 + 100_000], // 2664 * 125 / 20 = 16650
    ];
    for (const [rcvRtt, srtt, fire] of cases) {
      const { rcv, run, w } = await receiver({}, rcvRtt, srtt);
      const t0 = w.loop.now;
      for (let k = 1; k <= 4; k++) rcv(1000 * k);
      const acks = run(3e6);
      expect(acks.map((a) => a.at - t0)).toEqual([0, 0, 0, fire]);
    }
  });

  it("tcp_comp_sack_delay_ns and tcp_comp_sack_slack_ns set the timer", async () => {
    const { rcv, run, w } = await receiver({ sysctl: { "net.ipv4.tcp_comp_sack_delay_ns": 7000, "net.ipv4.tcp_comp_sack_slack_ns": 500 } });
    const t0 = w.loop.now;
    for (let k = 1; k <= 4; k++) rcv(1000 * k);
    expect(run(1e6).map((a) => a.at - t0)).toEqual([0, 0, 0, 7500]);
  });

  it("tcp_comp_sack_nr 0: an ACK for every out-of-order segment", async () => {
    const { rcv, run, compressed } = await receiver({ sysctl: { "net.ipv4.tcp_comp_sack_nr": 0 } });
    for (let k = 1; k <= 6; k++) expect(rcv(1000 * k).length).toBe(k);
    expect(run(2e6).length).toBe(6);
    expect(compressed()).toBe(0);
  });

  it("tcp_comp_sack_nr 2: the third held ACK goes at once with all held, and the timer is cancelled", async () => {
    const { rcv, run, compressed, w } = await receiver({ sysctl: { "net.ipv4.tcp_comp_sack_nr": 2 } });
    const t0 = w.loop.now;
    for (let k = 1; k <= 5; k++) rcv(1000 * k);
    expect(compressed()).toBe(0);
    // compressed_ack 2 >= 2: send now; tcp_event_ack_sent counts the 2 held
    const acks = rcv(6000);
    expect(acks.length).toBe(4);
    expect(acks[3]!.blocks).toEqual([[1000, 7000]]);
    expect(compressed()).toBe(2);
    expect(run(2e6).length).toBe(4);
    expect(acks.every((a) => a.at === t0)).toBe(true);
  });

  it("an in-order segment filling the hole ACKs at once with all held counted, and cancels the timer", async () => {
    const { rcv, run, compressed, c } = await receiver();
    const rcvNxt0 = c.rcvNxt;
    for (let k = 1; k <= 5; k++) rcv(1000 * k);
    expect(c.compressedAck).toBe(2);
    // [0, 1000): tcp_ofo_queue empties the queue, ICSK_ACK_NOW; the ACK carries no block
    const acks = rcv(0);
    expect(acks.length).toBe(4);
    expect(acks[3]!.blocks).toEqual([]);
    expect(c.rcvNxt - rcvNxt0).toBe(6000);
    expect(compressed()).toBe(2);
    expect(run(2e6).length).toBe(4);
  });

  it("an ACK whose skb cannot be allocated saves none (__tcp_send_ack returns before tcp_event_ack_sent)", async () => {
    const { t, sk, rcv, run, compressed, c, w } = await receiver();
    const t0 = w.loop.now;
    for (let k = 1; k <= 5; k++) rcv(1000 * k);
    expect(c.compressedAck).toBe(2);
    // tcp_send_ack (TcpHost.sendAck) with alloc_skb failing: nothing sent, the held ACKs stay held
    const env = t.env as { alloc(): number };
    const alloc = env.alloc;
    env.alloc = () => -1;
    t.sendAck(sk);
    env.alloc = alloc;
    expect([compressed(), c.compressedAck]).toEqual([0, 2]);
    // the timer still runs: tcp_compressed_ack_kick sends one (2 - 1 counted) at 20 us + 100 us slack
    const acks = run(2e6);
    expect(acks.map((a) => a.at - t0)).toEqual([0, 0, 0, 120_000]);
    expect(compressed()).toBe(1);
  });

  it("a new skb at block index >= 2 sends the held ACK first, with the blocks before it; it gets no ACK of its own", async () => {
    const { rcv, run, compressed } = await receiver();
    // blocks: [2000,3000) / [4000,5000) first / [6000,7000) first: three ACKs at once
    rcv(2000);
    rcv(4000);
    expect(rcv(6000).length).toBe(3);
    // [8000, 9000): a fourth block (tcp_sack_new_ofo_skb flushes nothing: none held), then held
    expect(rcv(8000).length).toBe(3);
    // blocks [8000,9000) [6000,7000) [4000,5000) [2000,3000). [3000, 4000): the first block it touches is
    // [4000, 5000), index 2, extended to [3000, 5000); tcp_sack_compress_send_ack before the rotation — one ACK
    // (the held one, 1 - 1 = 0 counted) with the first 3 blocks as they are then; pending cleared, no ACK of its own
    const acks = rcv(3000);
    expect(acks.length).toBe(4);
    expect(acks[3]!.blocks).toEqual([
      [8000, 9000],
      [6000, 7000],
      [3000, 5000],
    ]);
    expect(compressed()).toBe(0);
    // the timer was cancelled; dup_ack_counter stays 3 at this rcv_nxt: the next segment is held again
    expect(run(2e6).length).toBe(4);
    expect(rcv(10_000).length).toBe(4);
    const late = run(2e6);
    expect(late.length).toBe(5);
    // [3000, 5000) rotated to the front and coalesced with [2000, 3000); then the new block in front
    expect(late[4]!.blocks).toEqual([
      [10_000, 11_000],
      [2000, 5000],
      [8000, 9000],
    ]);
  });

  it("the delayed-ACK timer, still queued after the ACK that cleared it, sends the held ACKs (tcp_delack_timer_handler)", async () => {
    // delay min(100 ms, 16e6 * 125 / 20 = 100 ms): the delayed-ACK timer (40 ms) comes first
    const { rcv, run, compressed, nstat, c, w } = await receiver({ sysctl: { "net.ipv4.tcp_comp_sack_delay_ns": 100e6 } }, 2e6, 4e6);
    const t0 = w.loop.now;
    // an in-order segment below rcv_mss, no quick-ack: tcp_send_delayed_ack arms the timer (ato as the flow left it)
    rcv(0);
    const due = c.delackTimerAt;
    expect(due).toBeGreaterThan(t0);
    expect(due).toBeLessThan(t0 + 100e6);
    // out of order: 3 at once (the first clears the pending ACK, not the timer), 2 held (scheduled again: pending)
    for (let k = 2; k <= 6; k++) expect(rcv(1000 * k).length).toBe(Math.min(k - 1, 3));
    expect([c.ackPending, c.delackDeadline]).toEqual([true, Infinity]);
    expect(c.compressedAck).toBe(2);
    const delayed = nstat.get("TcpExtDelayedACKs");
    const acks = run(150e6);
    expect(acks.length).toBe(4);
    expect(acks[3]!.at).toBe(due);
    expect(acks[3]!.blocks).toEqual([[2000, 7000]]);
    // tcp_sack_compress_send_ack: 2 - 1 counted; the handler returns before its delayed-ACK part
    expect(compressed()).toBe(1);
    expect(nstat.get("TcpExtDelayedACKs")).toBe(delayed);
  });

  it("a segment held at the very tick the stale delayed-ACK timer is due (before it runs): the timer, still pending, sends the held ACKs then", async () => {
    // As the test above, but the out-of-order segments arrive at the timer's own tick, before its callback: in
    // __run_timers' batch it is still timer_pending(), so tcp_delack_timer runs this tick and
    // tcp_delack_timer_handler's SACK-compression case sends the held ACKs (not the hrtimer 100 ms later).
    const o = { sysctl: { "net.ipv4.tcp_comp_sack_delay_ns": 100e6 } };
    // the timer's tick, from a first run of the same deterministic world
    const probe = await receiver(o, 2e6, 4e6);
    probe.rcv(0);
    const due = probe.c.delackTimerAt;
    const { rcv, run, compressed, c, w } = await receiver(o, 2e6, 4e6);
    // an event at `due` scheduled before rcv(0) arms the timer: it runs first at that tick (ties go in order)
    const kind = w.loop.register("test: out-of-order train at the delayed-ACK tick", () => {
      for (let k = 2; k <= 6; k++) rcv(1000 * k);
    });
    w.loop.at(due, kind, 0);
    rcv(0);
    expect(c.delackTimerAt).toBe(due);
    const acks = run(150e6);
    // 3 at once at `due`, then the held 2 (one ACK, 1 counted) by the delayed-ACK timer at `due` too
    expect(acks.map((a) => a.at)).toEqual([due, due, due, due]);
    expect(acks[3]!.blocks).toEqual([[2000, 7000]]);
    expect(compressed()).toBe(1);
    expect(c.compressedAck).toBe(0);
  });

  // The two places where 6.12 counts differently while the socket is owned (review10 finding 15):
  // tcp_compressed_ack_kick defers to tcp_release_cb without DelayedACKLocked; tcp_delack_timer counts it.
  it("owned at the hrtimer's expiry: no ACK until release_sock, then one with n - 1 counted and no DelayedACKLocked", async () => {
    const { rcv, run, compressed, nstat, c, t, sk, w } = await receiver();
    const t0 = w.loop.now;
    for (let k = 1; k <= 7; k++) rcv(1000 * k);
    expect(c.compressedAck).toBe(4);
    const locked = nstat.get("TcpExtDelayedACKLocked");
    // the application holds the socket over the timer's hard expiry (t0 + 120 us): TCP_DELACK_TIMER_DEFERRED
    c.owned = true;
    expect(run(1e6).length).toBe(3);
    expect(c.compressedAck).toBe(4);
    // release_sock -> tcp_release_cb -> tcp_delack_timer_handler: its SACK-compression case first
    releaseSock(t, sk, c);
    const acks = run(0);
    expect(acks.length).toBe(4);
    expect(acks[3]!.at - t0).toBe(1e6);
    expect(acks[3]!.blocks).toEqual([[1000, 8000]]);
    expect(compressed()).toBe(3);
    expect(nstat.get("TcpExtDelayedACKLocked")).toBe(locked);
    expect(run(2e6).length).toBe(4);
  });

  it("owned when the stale delayed-ACK timer expires with ACKs held: DelayedACKLocked +1, the ACK at release_sock", async () => {
    // as the test above: the delayed-ACK timer (before 100 ms) expires before the compressed-ACK hrtimer
    const { rcv, run, compressed, nstat, c, t, sk, w } = await receiver({ sysctl: { "net.ipv4.tcp_comp_sack_delay_ns": 100e6 } }, 2e6, 4e6);
    const t0 = w.loop.now;
    rcv(0);
    const due = c.delackTimerAt;
    for (let k = 2; k <= 6; k++) rcv(1000 * k);
    expect(c.compressedAck).toBe(2);
    const locked = nstat.get("TcpExtDelayedACKLocked");
    c.owned = true;
    // to just past the delayed-ACK timer, before the hrtimer (100 ms + 100 us)
    expect(run(due + 1 - w.loop.now).length).toBe(3);
    expect(due - t0).toBeLessThan(100e6);
    // tcp_delack_timer: owned -> DelayedACKLocked, TCP_DELACK_TIMER_DEFERRED
    expect(nstat.get("TcpExtDelayedACKLocked")).toBe(locked + 1);
    const at = w.loop.now;
    releaseSock(t, sk, c);
    const acks = run(0);
    expect(acks.length).toBe(4);
    expect(acks[3]!.at).toBe(at);
    expect(acks[3]!.blocks).toEqual([[2000, 7000]]);
    // tcp_sack_compress_send_ack: 2 - 1 counted; the hrtimer cancelled, nothing more
    expect(compressed()).toBe(1);
    expect(run(150e6).length).toBe(4);
    expect(nstat.get("TcpExtDelayedACKLocked")).toBe(locked + 1);
  });
});
