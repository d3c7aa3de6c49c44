// The timer_list wheel's expiry rounding (kernel/time/timer.c: calc_wheel_index, calc_index) against a plain
// reference: a walk of the wheel as __run_timers / collect_expired_timers visit it. At jiffy c the collector
// looks at level L only when the low 3·L bits of c are zero, at bucket (c >> 3·L) & 63; a timer filed at level
// L in the bucket of its expiry F must be found first at c = F (never earlier: no wrap of the 64 buckets), and
// F must be after the expiry by at most one granule of its level.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { jiffiesAt, lvlDepth, lvlGran, lvlStart, nsToJiffies, timerBucketExpiry, timerListFireNs } from "../../src/sim/jiffies.js";

/** The first jiffy >= clk at which the collector visits level `lvl`'s bucket `idx` (a plain walk, 65 steps at most). */
function firstVisit(clk: number, lvl: number, idx: number): number {
  const g = lvlGran(lvl);
  for (let c = Math.ceil(clk / g) * g, n = 0; n <= 64; c += g, n++) if (Math.floor(c / g) % 64 === idx) return c;
  throw new Error("never visited");
}

/** The level a delta is filed at, from the ranges: level L holds deltas in [LVL_START(L), LVL_START(L+1)). */
function levelOf(delta: number, hz: number): number {
  const depth = lvlDepth(hz);
  for (let l = 0; l < depth - 1; l++) if (delta < 63 * 8 ** l) return l;
  return depth - 1;
}

const hzArb = fc.constantFrom(100, 250, 1000);

describe("timer_list wheel: calc_wheel_index's bucket expiry", () => {
  it("derived values: a 1 s timer at HZ=1000 from jiffy 0 runs at 1024 (level 2, 64-jiffy granule); at HZ=250 at 256 (level 1, 8)", () => {
    // delta 1000: LVL_START(2) = 63·8 = 504 <= 1000 < LVL_START(3) = 4032 -> level 2: ((1000 >> 6) + 1) << 6 = 1024
    expect(timerBucketExpiry(1000, 0, 1000)).toBe(1024);
    // delta 250: 63 <= 250 < 504 -> level 1: ((250 >> 3) + 1) << 3 = 256
    expect(timerBucketExpiry(250, 0, 250)).toBe(256);
    // level 0 still adds one jiffy: mod_timer(jiffies + 2) runs 3 ticks on
    expect(timerBucketExpiry(12, 10, 1000)).toBe(13);
    // an exact multiple moves a whole granule: 1024 + 1000 = 2024 -> 2048; 1024 + 2048 -> 3136 (3072 + 64)
    expect(timerBucketExpiry(2048 + 1024, 1024, 1000)).toBe(3136);
    // an expiry in the past runs at the base's clock
    expect(timerBucketExpiry(5, 9, 1000)).toBe(9);
    // the level follows the delta from the base's clk: 504 from clk 0 is level 2 (((504 >> 6) + 1) << 6 = 512),
    // from clk 1 (a timer callback's jiffies + 1) 503 is level 1 (((504 >> 3) + 1) << 3 = 512); 600 from clk 0
    // level 2 -> 640, from clk 100 (delta 500) level 1 -> 608
    expect(timerBucketExpiry(504, 0, 1000)).toBe(512);
    expect(timerBucketExpiry(504, 1, 1000)).toBe(512);
    expect(timerBucketExpiry(600, 0, 1000)).toBe(640);
    expect(timerBucketExpiry(600, 100, 1000)).toBe(608);
  });

  it("property: the wheel walk finds the timer first at its bucket expiry, never early, at most one granule late", () => {
    fc.assert(
      fc.property(hzArb, fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 0, max: 31 }), (hz, clk, raw, bits) => {
        const delta = raw % 2 ** bits; // log-spread deltas: every level is hit
        const expires = clk + delta;
        const f = timerBucketExpiry(expires, clk, hz);
        const depth = lvlDepth(hz);
        const cutoff = lvlStart(depth);
        const lvl = levelOf(delta, hz);
        const g = lvlGran(lvl);
        expect(f % g).toBe(0);
        expect(firstVisit(clk, lvl, Math.floor(f / g) % 64)).toBe(f);
        if (delta < cutoff) {
          expect(f).toBeGreaterThan(expires);
          expect(f - expires).toBeLessThanOrEqual(g);
        } else {
          // capped at the wheel's capacity: clk + WHEEL_TIMEOUT_MAX, rounded up
          expect(f).toBeGreaterThan(clk + cutoff - lvlGran(depth - 1));
          expect(f).toBeLessThanOrEqual(clk + cutoff);
        }
        // the relative slack above level 0 is at most 1/7 of the delta (LVL_START(L) = 63·8^(L-1) > 7·8^L / 8)
        if (lvl > 0 && delta < cutoff) expect((f - expires) * 7).toBeLessThanOrEqual(delta + g);
      }),
      { numRuns: 3000 },
    );
  });

  it("property: fire time in ns is a jiffy tick after the armed delay, and a later arm never fires earlier", () => {
    fc.assert(
      fc.property(hzArb, fc.integer({ min: 0, max: 1e13 }), fc.integer({ min: 1, max: 200_000 }), fc.boolean(), (hz, now, delta, fromTimer) => {
        const at = timerListFireNs(now, delta, hz, fromTimer);
        const j = 1e9 / hz;
        expect(at % j).toBe(0);
        expect(jiffiesAt(at, hz)).toBeGreaterThan(jiffiesAt(now, hz) + delta);
        expect(at).toBeGreaterThan(now + (delta - 1) * j);
        expect(timerListFireNs(now + j, delta, hz, fromTimer)).toBeGreaterThanOrEqual(at);
      }),
      { numRuns: 3000 },
    );
  });

  it("nsToJiffies: HZ multiples are exact, fractions round up", () => {
    expect(nsToJiffies(1e9, 250)).toBe(250);
    expect(nsToJiffies(120e9, 1000)).toBe(120_000);
    expect(nsToJiffies(2e6, 250)).toBe(1);
  });
});
