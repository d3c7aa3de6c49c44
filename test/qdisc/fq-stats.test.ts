// fq's `tc -s` statistics and the fast path's delayed-flow test, with numbers derived by hand from
// net/sched/sch_fq.c (6.12): fq_check_throttled's unthrottle_latency_ns EWMA (1/8), fq_dump_stats's
// time_next_delayed_flow (+ timer_slack - now), fq_dequeue's ce_mark, fq_fastpath_check's
// `q->time_next_delayed_flow <= now` refusal. The watchdog fires at its hard expiry (time + timer_slack).
import { beforeAll, describe, expect, it } from "vitest";
import type { Core } from "../../src/core/core.js";
import { freshCore } from "../helpers.js";
import { EventLoop } from "../../src/sim/loop.js";
import { FqQdisc, NO_SKB, type FqOptions } from "../../src/qdisc/index.js";
import { mkSkb, Sink } from "./util.js";

let core: Core;
beforeAll(async () => {
  core = await freshCore({ skbs: 4096, wheelEntries: 1 << 12 });
});

function harness(opts: FqOptions = {}) {
  core.wheel.clear();
  const loop = new EventLoop(core.wheel);
  const sent: { h: number; t: number }[] = [];
  const run = (now: number): void => {
    for (let h = q.dequeue(now); h !== NO_SKB; h = q.dequeue(now)) {
      sent.push({ h, t: now });
      core.freeOne(h);
    }
  };
  const q: FqQdisc = new FqQdisc(core, new Sink(core), opts, { loop, onWatchdog: run });
  return { q, loop, sent, run };
}

describe("fq statistics", () => {
  it("unthrottle_latency_ns: EWMA 1/8 of now - time_next_delayed_flow at each unthrottle", () => {
    const { q, loop, sent, run } = harness();
    q.enqueue(mkSkb(core, { sk: 1, tstamp: 5000 }), 0);
    run(0);
    // time_next_delayed_flow 5000; 6.12 dumps time_next_delayed_flow + timer_slack - now
    expect(q.stats(1000).fq.time_next_delayed_flow).toBe(5000 + 10000 - 1000);
    loop.run(16000);
    // the watchdog at 15000: sample 10000 -> 0 - (0 >> 3) + (10000 >> 3) = 1250
    expect(sent.map((s) => s.t)).toEqual([15000]);
    expect(q.stats(16000).fq.unthrottle_latency_ns).toBe(1250);
    q.enqueue(mkSkb(core, { sk: 1, tstamp: 100000 }), 20000);
    run(20000);
    expect(q.stats(20000).fq.time_next_delayed_flow).toBe(100000 + 10000 - 20000);
    loop.run(200000);
    // sample 10000 again: 1250 - (1250 >> 3) + 1250 = 1250 - 156 + 1250
    expect(sent.map((s) => s.t)).toEqual([15000, 110000]);
    expect(q.stats(200000).fq.unthrottle_latency_ns).toBe(2344);
  });

  it("ce_mark: a packet that leaves more than ce_threshold after its time_next_packet", () => {
    // now - time_next_packet - ce_threshold > 0: the EDT skb due at 5000 leaves at 15000 (10000 late), the
    // one due at 0 leaves at 0
    const { q, loop, run } = harness({ ceThresholdNs: 1000 });
    q.enqueue(mkSkb(core, { sk: 1, tstamp: 5000 }), 0);
    q.enqueue(mkSkb(core, { sk: 2, tstamp: 0 }), 0);
    run(0);
    expect(q.stats(0).fq.ce_mark).toBe(0);
    loop.run(20000);
    expect(q.stats(20000).fq.ce_mark).toBe(1);
  });

  it("fast path refused while a delayed flow is due (time_next_delayed_flow <= now), before its watchdog", () => {
    const { q, loop, sent, run } = harness();
    const a = mkSkb(core, { sk: 1, tstamp: 5000 });
    q.enqueue(a, 0);
    run(0);
    const fast0 = q.stats(0).fq.fastpath_packets;
    // at 7000 every flow is throttled or inactive and the internal queue is empty, but flow 1 is due since
    // 5000 (its watchdog waits until 15000): fq_fastpath_check says no, so b gets a flow of its own
    const b = mkSkb(core, { sk: 2, tstamp: 0 });
    q.enqueue(b, 7000);
    expect(q.stats(7000).fq.fastpath_packets).toBe(fast0);
    expect(q.stats(7000).fq.flows).toBe(2);
    run(7000);
    // fq_dequeue at 7000: fq_check_throttled moves flow 1 to old_flows; new flow 2 goes first
    expect(sent).toEqual([
      { h: b, t: 7000 },
      { h: a, t: 7000 },
    ]);
    loop.run(20000);
  });
});
