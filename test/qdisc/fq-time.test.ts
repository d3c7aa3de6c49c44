// EDT, watchdog on the timing wheel, maxrate pacing: times derived by hand
// from fq_dequeue's pacing update (net/sched/sch_fq.c) and spec 8.14/8.18.
// The watchdog (qdisc_watchdog_schedule_range_ns: a hard hrtimer, soft expiry
// time_next_delayed_flow, hard expiry + timer_slack, 10 us by default) fires at
// its hard expiry: nothing else on the CPU runs hrtimers sooner. fq_dequeue's
// pacing forgives that lateness (len -= min(len / 2, now - time_next_packet)),
// so paced gaps after the first stay len/rate.
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

/** An fq whose watchdog runs the qdisc: every dequeued skb with its time. */
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

describe("fq time", () => {
  it("EDT with timer_slack 0: skbs with a future tstamp leave exactly at it, woken by the wheel", () => {
    const { q, loop, sent, run } = harness({ timerSlackNs: 0 });
    const a = mkSkb(core, { sk: 1, tstamp: 5000 });
    const b = mkSkb(core, { sk: 1, tstamp: 12345 });
    const c = mkSkb(core, { sk: 2, tstamp: 7000 });
    for (const h of [a, b, c]) q.enqueue(h, 0);
    run(0);
    expect(sent).toEqual([]);
    expect(q.nextEligible()).toBe(5000);
    expect(q.stats(0).fq.throttled_flows).toBe(2);
    loop.run(1e9);
    expect(sent).toEqual([
      { h: a, t: 5000 },
      { h: c, t: 7000 },
      { h: b, t: 12345 },
    ]);
    expect(q.stats(20000)).toMatchObject({ qlen: 0, packets: 3 });
    expect(q.stats(20000).fq.throttled).toBe(3);
  });

  it("EDT with the default 10 us slack: the watchdog armed for 5000 fires at 15000 and finds all three due", () => {
    const { q, loop, sent, run } = harness();
    const a = mkSkb(core, { sk: 1, tstamp: 5000 });
    const b = mkSkb(core, { sk: 1, tstamp: 12345 });
    const c = mkSkb(core, { sk: 2, tstamp: 7000 });
    for (const h of [a, b, c]) q.enqueue(h, 0);
    run(0);
    expect(q.nextEligible()).toBe(5000);
    loop.run(1e9);
    // fq_check_throttled moves sk 1 (5000) then sk 2 (7000) to old_flows; sk 1 sends a then b (12345 <= 15000,
    // credit left), then sk 2 sends c; no flow throttled again
    expect(sent).toEqual([
      { h: a, t: 15000 },
      { h: b, t: 15000 },
      { h: c, t: 15000 },
    ]);
    expect(q.stats(20000).fq.throttled).toBe(2);
  });

  it("watchdog is not re-armed when pending within [expires, expires + 10 us] (spec 8.18)", () => {
    const { q, run } = harness();
    q.enqueue(mkSkb(core, { sk: 1, tstamp: 100_000 }), 0);
    run(0);
    expect(q.nextEligible()).toBe(100_000);
    q.enqueue(mkSkb(core, { sk: 2, tstamp: 95_000 }), 0);
    run(0);
    expect(q.nextEligible()).toBe(100_000); // 100000 - 95000 <= slack 10000
    q.enqueue(mkSkb(core, { sk: 3, tstamp: 50_000 }), 0);
    run(0);
    expect(q.nextEligible()).toBe(50_000); // re-armed earlier
    q.reset();
  });

  it("maxrate with EDT skbs: the first paced one 10 us late, then every gap is len/rate (1514 B at 1e6 B/s = 1.514 ms)", () => {
    const { q, loop, sent, run } = harness({ maxrate: 1e6 });
    for (let i = 0; i < 6; i++) q.enqueue(mkSkb(core, { sk: 1, tstamp: 1 }), 1);
    run(1);
    loop.run(1e9);
    // time_next_packet 1_514_001, the watchdog at + 10 us; then now + 1_514_000 - 10_000 each: 3_028_001, …
    expect(sent.map((s) => s.t)).toEqual([1, 1_524_001, 3_038_001, 4_552_001, 6_066_001, 7_580_001]);
  });

  it("maxrate without EDT: 10 back-to-back (initial quantum), then 2 every 3.028 ms (spec 8.14)", () => {
    const { q, loop, sent, run } = harness({ maxrate: 1e6 });
    for (let i = 0; i < 16; i++) q.enqueue(mkSkb(core, { sk: 1 }), 0);
    run(0);
    loop.run(1e9);
    const t = sent.map((s) => s.t);
    // time_next_packet 3_028_000 (+ 10 us slack); the pair's second sets 3_038_000 + 3_028_000 - 10_000 = 6_056_000
    expect(t).toEqual([...Array(10).fill(0), 3_038_000, 3_038_000, 6_066_000, 6_066_000, 9_094_000, 9_094_000]);
    expect(q.stats(1e9).fq.throttled).toBe(3);
  });

  it("low rate (<= 68750 B/s): credit 0, one packet per len/rate (spec 8.15)", () => {
    const { q, loop, sent, run } = harness({ maxrate: 50_000 });
    for (let i = 0; i < 3; i++) q.enqueue(mkSkb(core, { sk: 1 }), 0);
    run(0);
    loop.run(1e9);
    // 1514 B at 50000 B/s = 30.28 ms; each watchdog 10 us late, forgiven in the next gap
    expect(sent.map((s) => s.t)).toEqual([0, 30_290_000, 60_570_000]);
  });

  it("a gap over 1 s is clamped to 1 s and counted in pkts_too_long", () => {
    const { q, loop, sent, run } = harness({ maxrate: 1000 });
    for (let i = 0; i < 2; i++) q.enqueue(mkSkb(core, { sk: 1, tstamp: 1 }), 1);
    run(1);
    loop.run(10e9);
    expect(sent.map((s) => s.t)).toEqual([1, 1e9 + 1 + 10_000]);
    expect(q.stats(2e9).fq.pkts_too_long).toBe(2);
  });

  it("horizon: beyond now + 10 s is dropped (FQ_HORIZON_LIMIT) or, with horizon_drop 0, capped", () => {
    const sink = new Sink(core);
    const q = new FqQdisc(core, sink);
    expect(q.enqueue(mkSkb(core, { sk: 1, tstamp: 11e9 }), 0)).toBe(false);
    expect(q.enqueue(mkSkb(core, { sk: 1, tstamp: 10e9 }), 0)).toBe(true);
    expect(sink.reasons).toEqual(["FQ_HORIZON_LIMIT"]);
    expect(q.stats(0).fq.horizon_drops).toBe(1);
    q.reset();
    const { q: q2, loop, sent, run } = harness({ horizonDrop: false });
    const h = mkSkb(core, { sk: 1, tstamp: 11e9 + 5 });
    expect(q2.enqueue(h, 5)).toBe(true);
    expect(core.skbTime.tstamp[h]).toBe(10e9 + 5);
    run(5);
    loop.run(20e9);
    expect(sent).toEqual([{ h, t: 10e9 + 5 + 10_000 }]);
    expect(q2.stats(0).fq.horizon_caps).toBe(1);
  });
});
