import { beforeEach, describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import type { Core } from "../../src/core/core.js";
import { WHEEL_LEVELS, type Wheel } from "../../src/core/wheel.js";
import { RefWheel } from "../../src/core/ref/wheel.js";

/** Expire everything due at now (in as many calls as needed); returns [time, arg] pairs. */
function drain(w: Wheel | RefWheel, now: number, max?: number): [number, number][] {
  const out: [number, number][] = [];
  for (;;) {
    const n = w.expire(now, max);
    for (let i = 0; i < n; i++) out.push([w.outTime[i]!, w.outArg[i]!]);
    if (n === 0 || n < (max ?? w.outCapacity)) return out;
    // A broken wheel could hand entries out forever: fail instead of spinning.
    if (out.length > w.capacity) throw new Error(`drain: more than the ${w.capacity} entries the wheel holds`);
  }
}

const args = (pairs: [number, number][]) => pairs.map((p) => p[1]);

describe("timing wheel", () => {
  let core: Core;
  let w: Wheel;
  beforeEach(async () => {
    core = await freshCore({ wheelEntries: 1 << 12 });
    w = core.wheel;
  });

  it("geometry matches the WASM constants", () => {
    const raw = core.raw as Record<string, unknown>;
    expect((raw.WHEEL_LEVELS as WebAssembly.Global).value).toBe(WHEEL_LEVELS);
    expect(w.capacity).toBe(4096);
    expect(w.outCapacity).toBe(4096);
    // 4096 entries -> 6144 indices (cancelled entries hold theirs until
    // met) -> 13 index bits; the rest of the id is the generation.
    expect(w.indexBits).toBe(13);
  });

  it("orders by time, then insertion; fractional times within one tick", () => {
    const times = [5, 100, 3, 70000, 3, 5.5, 5.25, 1e12, 5];
    times.forEach((t, i) => expect(w.schedule(t, 7, i)).toBeGreaterThanOrEqual(0));
    expect(w.pending).toBe(9);
    expect(w.nextTime()).toBe(3);
    const got = drain(w, 100);
    expect(got).toEqual([
      [3, 2],
      [3, 4],
      [5, 0],
      [5, 8],
      [5.25, 6],
      [5.5, 5],
      [100, 1],
    ]);
    expect(w.outKind[0]).toBe(7);
    expect(w.nextTime()).toBe(70000);
    expect(drain(w, 1e13)).toEqual([
      [70000, 3],
      [1e12, 7],
    ]);
    expect(w.nextTime()).toBe(Infinity);
  });

  it("same time stays FIFO when entries reach level 0 by different cascades", () => {
    // One target time, scheduled from cursor positions just before and after
    // every level boundary: each entry is filed at a different level and
    // cascades down a different number of times.
    const T = 2 ** 40 + 12345;
    let now = 0;
    let k = 0;
    const nows: number[] = [0];
    for (let b = 6; b <= 40; b += 6) nows.push(T - 2 ** b - 1, T - 2 ** b, T - 2 ** b + 1);
    nows.push(T - 64, T - 63, T - 1, T - 0.5);
    nows.sort((a, b) => a - b);
    for (const n of nows) {
      if (n < now) continue;
      now = n;
      expect(drain(w, now)).toEqual([]);
      w.schedule(T, 0, k++);
      w.schedule(T + 0.5, 0, 1000 + k);
    }
    expect(k).toBeGreaterThan(20);
    expect(w.nextTime()).toBe(T);
    expect(args(drain(w, T))).toEqual(Array.from({ length: k }, (_, i) => i));
    expect(args(drain(w, T + 1))).toEqual(Array.from({ length: k }, (_, i) => 1001 + i));
    expect(w.stats().cascaded).toBeGreaterThan(0);
  });

  it("cancel removes from every container; stale and unknown ids are refused", () => {
    const a = w.schedule(10, 0, 1); // level 0
    const b = w.schedule(5e6, 0, 2); // level 1
    const c = w.schedule(2 ** 61, 0, 3); // overflow
    const d = w.schedule(10, 0, 4);
    expect(w.cancel(b)).toBe(true);
    expect(w.cancel(b)).toBe(false);
    expect(w.cancel(c)).toBe(true);
    expect(w.expire(10, 1)).toBe(1); // a fires, d is left in the due list
    expect(w.outId[0]).toBe(a);
    expect(w.cancel(a)).toBe(false); // fired
    const e = w.schedule(3, 0, 5); // in the past, before d: the late heap
    expect(w.cancel(d)).toBe(true); // from the due list
    expect(w.nextTime()).toBe(3);
    expect(w.cancel(e)).toBe(true); // from the heap
    expect(w.pending).toBe(0);
    expect(w.nextTime()).toBe(Infinity);
    expect(drain(w, 1e18)).toEqual([]);
    expect(w.cancel(0xffffffff)).toBe(false);
    expect(w.cancel(4096)).toBe(false); // index 0, generation 1: never issued
    expect(w.cancel(-1)).toBe(false);
    expect(w.stats()).toMatchObject({ scheduled: 5, fired: 1, cancelled: 4, pending: 0 });
  });

  it("ids stay below 2^30 (V8 small integers): generation 0 first (wrapped from the last), one more per reuse", () => {
    // 13 index bits: 2^17 generations. An index's "last id" starts at the
    // last generation, so the first ids show the wrap to 0; every index
    // comes back after the 6143 others, one generation on.
    const mask = (1 << w.indexBits) - 1;
    const seen = new Map<number, number>();
    let maxId = 0;
    for (let round = 0; round < 5; round++) {
      for (let k = 0; k < 6144; k++) {
        const id = w.schedule(1 + k, 0, 0);
        if (!w.cancel(id)) throw new Error(`cancel ${id}`);
        const i = id & mask;
        const g = id >>> w.indexBits;
        if (g !== (seen.has(i) ? seen.get(i)! + 1 : 0)) throw new Error(`index ${i}: generation ${g}`);
        seen.set(i, g);
        if (id > maxId) maxId = id;
      }
    }
    expect(seen.size).toBe(6144);
    expect([...seen.values()].every((g) => g === 4)).toBe(true);
    expect(maxId).toBeLessThan(2 ** 30);
    expect(w.stats().compactions).toBeGreaterThan(0);
  });

  it("a stale id cannot cancel the entry that reused its index", async () => {
    const small = (await freshCore({ wheelEntries: 16 })).wheel;
    expect(small.indexBits).toBe(5); // 24 indices
    const first = small.schedule(1, 0, 0);
    expect(small.expire(1)).toBe(1);
    // Free indices come back in index order, round the 24: the 24th
    // schedule from here reuses first's index, one generation on.
    let reused = -1;
    for (let k = 0; k < 24 && reused < 0; k++) {
      const id = small.schedule(100, 0, 1);
      if ((id & 31) === (first & 31)) reused = id;
      else small.cancel(id);
    }
    expect(reused >>> 5).toBe((first >>> 5) + 1);
    expect(small.cancel(first)).toBe(false);
    expect(small.pending).toBe(1);
    expect(small.cancel(reused)).toBe(true);
    expect(small.cancel(reused)).toBe(false);
    // Cancelled, it holds its index until met: cancel and schedule 23 more
    // force a sweep, which frees it; the next round hands it out again.
    let third = -1;
    for (let k = 0; k < 60 && third < 0; k++) {
      const id = small.schedule(100, 0, 2);
      if ((id & 31) === (first & 31)) third = id;
      else small.cancel(id);
    }
    expect(small.stats().compactions).toBeGreaterThan(0);
    expect(third >>> 5).toBe((first >>> 5) + 2);
    expect(small.cancel(reused)).toBe(false);
    expect(small.cancel(first)).toBe(false);
    expect(small.cancel(third)).toBe(true);
  });

  it("max-limited expiry resumes in order; scheduling between calls at the same now", () => {
    for (let i = 0; i < 10; i++) w.schedule(50, 0, i);
    w.schedule(50.5, 0, 99);
    expect(w.expire(50, 3)).toBe(3);
    expect(Array.from(w.outArg.subarray(0, 3))).toEqual([0, 1, 2]);
    // "Inside dispatch": handlers schedule at now, before now, and just after.
    w.schedule(50, 0, 10);
    w.schedule(49, 0, 11);
    w.schedule(50.25, 0, 12);
    expect(w.nextTime()).toBe(49);
    expect(args(drain(w, 50, 4))).toEqual([11, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(w.nextTime()).toBe(50.25);
    expect(args(drain(w, 51))).toEqual([12, 99]);
    expect(w.expire(50, 0)).toBe(0);
  });

  it("times in the past fire at the next expire, earliest first", () => {
    expect(drain(w, 1000)).toEqual([]);
    w.schedule(999, 0, 1);
    w.schedule(10, 0, 2);
    w.schedule(1000, 0, 3);
    w.schedule(0, 0, 4);
    expect(w.nextTime()).toBe(0);
    expect(drain(w, 1000)).toEqual([
      [0, 4],
      [10, 2],
      [999, 1],
      [1000, 3],
    ]);
    // expire with an earlier now than before: only what is due by then.
    w.schedule(500, 0, 5);
    w.schedule(700, 0, 6);
    expect(drain(w, 600)).toEqual([[500, 5]]);
    expect(drain(w, 2000)).toEqual([[700, 6]]);
  });

  it("far future: the overflow list beyond 2^60 ns, clamped ticks, and +Infinity", () => {
    const R = 2 ** 60; // f64 steps are 256 ns here
    // 1e19 is past the 2^62 tick clamp: it shares 2^62's granule and is
    // ordered there by its exact time.
    const far = [2 ** 62, 1e19, R + 512, R, Infinity, R - 512, 1e15];
    far.forEach((t, i) => w.schedule(t, 0, i));
    w.schedule(1, 0, 100);
    expect(w.nextTime()).toBe(1);
    expect(drain(w, 1e15)).toEqual([
      [1, 100],
      [1e15, 6],
    ]);
    expect(w.nextTime()).toBe(R - 512);
    expect(drain(w, R)).toEqual([
      [R - 512, 5],
      [R, 3],
    ]);
    w.schedule(R + 512, 0, 200); // same time as entry 2, scheduled later
    expect(drain(w, 2 ** 61)).toEqual([
      [R + 512, 2],
      [R + 512, 200],
    ]);
    expect(w.nextTime()).toBe(2 ** 62);
    expect(drain(w, 1e300)).toEqual([
      [2 ** 62, 0],
      [1e19, 1],
    ]);
    expect(w.nextTime()).toBe(Infinity);
    expect(w.pending).toBe(1);
    expect(drain(w, Infinity)).toEqual([[Infinity, 4]]);
    expect(w.pending).toBe(0);
  });

  it("a granule of 10000 entries (full-resolution counting sort) drains in (time, insertion) order", async () => {
    const big = (await freshCore({ wheelEntries: 1 << 14 })).wheel;
    const ref = new RefWheel(1 << 14);
    let x = 99;
    const rnd = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
    const G = 5 * 4096; // one granule: [G, G + 4096)
    for (let i = 0; i < 10_000; i++) {
      const r = rnd();
      // Whole ticks, fractions, and heavy ties on a few ticks.
      const t = r < 0.3 ? G + (i % 7) : G + Math.floor(rnd() * 4096) + (r < 0.6 ? Math.floor(rnd() * 4) / 4 : 0);
      big.schedule(t, 0, i);
      ref.schedule(t, 0, i);
    }
    for (const now of [G + 3, G + 2048.5, G + 5000]) {
      const a = drain(big, now, 1000);
      const b = drain(ref, now, 1000);
      expect(a.length).toBe(b.length);
      expect(a).toEqual(b);
    }
    expect(big.pending).toBe(0);
  });

  it("granules of 1 to 40 entries (insertion and counting sort, with zombies) drain in (time, insertion) order", () => {
    // Each size on both sides of the small-drain limit (8 cells), with ties,
    // quarter-ns fractions, a fraction of cancelled cells and one cell at
    // the granule's last tick.
    let x = 4242;
    const rnd = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
    const ref = new RefWheel(w.capacity);
    const refIds: number[] = [];
    const ids: number[] = [];
    for (let n = 1; n <= 40; n++) {
      const G = (10 + n) * 4096; // one granule per size: [G, G + 4096)
      for (let i = 0; i < n; i++) {
        const r = rnd();
        const t = i === n - 1 ? G + 4095.75 : r < 0.5 ? G + 7 + (i % 2) : G + Math.floor(rnd() * 4096) + Math.floor(rnd() * 4) / 4;
        ids.push(w.schedule(t, 0, n * 100 + i));
        refIds.push(ref.schedule(t, 0, n * 100 + i));
      }
      for (let c = 0; c < n / 4; c++) {
        const k = ids.length - 1 - Math.floor(rnd() * n);
        expect(w.cancel(ids[k]!)).toBe(ref.cancel(refIds[k]!));
      }
    }
    for (let n = 1; n <= 40; n++) {
      const end = (11 + n) * 4096;
      expect(drain(w, end)).toEqual(drain(ref, end));
    }
    expect(w.pending).toBe(0);
  });

  it("a full due array sends later schedules into drained granules to the late heap", async () => {
    const small = (await freshCore({ wheelEntries: 16 })).wheel;
    for (let i = 0; i < 16; i++) small.schedule(10 + (i >> 2), 0, i); // one granule: all 16 drained into due
    expect(small.expire(12, 9)).toBe(9); // 0..8 read: due holds 9..15 at [9, 16)
    // due has 24 cells (one per index): 8 appends at >= its tail fill it,
    // and the next time >= its tail goes to the heap.
    for (let i = 0; i < 8; i++) small.schedule(13 + i / 8, 0, 20 + i);
    small.schedule(14, 0, 28);
    expect(small.schedule(15, 0, 29)).toBe(-1); // 16 live: full
    expect(args(drain(small, 20))).toEqual([9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25, 26, 27, 28]);
    // Once due is used up it starts again from the front.
    for (let i = 0; i < 16; i++) small.schedule(30 - (i & 3) + i / 64, 0, i);
    expect(args(drain(small, 31))).toEqual([3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13, 0, 4, 8, 12]);
  });

  it("equal times across the due array and the late heap keep insertion order", () => {
    // Due cells carry no seq: a due entry must win every tie with the heap,
    // so a late schedule goes to the heap whenever the heap is not empty.
    for (let i = 0; i < 4; i++) w.schedule(100 + i, 0, i); // one granule -> due
    expect(w.expire(100, 1)).toBe(1); // due: 101, 102, 103
    w.schedule(101, 0, 4); // before the due tail (103): heap, after the due 101
    w.schedule(102, 0, 5); // heap not empty: heap, though not before the tail
    w.schedule(103, 0, 6); // heap
    expect(drain(w, 101)).toEqual([
      [101, 1],
      [101, 4],
    ]);
    expect(drain(w, 102)).toEqual([
      [102, 2],
      [102, 5],
    ]);
    expect(w.expire(103, 1)).toBe(1); // 103 (arg 3) from due: due is used up
    expect(w.outArg[0]).toBe(3);
    w.schedule(103, 0, 7); // due empty, heap holds 6 at 103: 7 must come after it
    w.schedule(50, 0, 8); // earlier than everything: first
    expect(drain(w, 200)).toEqual([
      [50, 8],
      [103, 6],
      [103, 7],
    ]);
    const ref = new RefWheel(64, 64);
    for (let i = 0; i < 4; i++) ref.schedule(100 + i, 0, i);
    ref.expire(100, 1);
    [101, 102, 103].forEach((t, k) => ref.schedule(t, 0, 4 + k));
    expect(args([...drain(ref, 101), ...drain(ref, 102)])).toEqual([1, 4, 2, 5]);
  });
  it("fractional times out of order within one ns are sorted, also after cascades", () => {
    // 40 entries in tick 5000 (scheduled at level 1) and 40 in tick 9 (level 0),
    // with fractional parts in a scrambled order and some exact ties.
    const frac = (i: number) => ((i * 37) % 16) / 16;
    for (let i = 0; i < 40; i++) {
      w.schedule(5000 + frac(i), 0, i);
      w.schedule(9 + frac(i), 0, 100 + i);
    }
    const want = (base: number, off: number) =>
      Array.from({ length: 40 }, (_, i) => [base + frac(i), off + i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(drain(w, 10)).toEqual(want(9, 100));
    expect(w.nextTime()).toBe(5000);
    expect(drain(w, 5001, 7)).toEqual(want(5000, 0));
  });

  it("cancelled entries hold their indices until a sweep, which > N/2 cancels pay for", async () => {
    // 16 entries, 24 indices. 200k schedule/cancel pairs into slots that are
    // never reached leave zombies; when no index is free a sweep drops them.
    const small = (await freshCore({ wheelEntries: 16 })).wheel;
    const keep = [small.schedule(2e9, 0, 1), small.schedule(3e9, 0, 2), small.schedule(1e6, 0, 3)];
    let refused = 0;
    const pairs = 200_000;
    for (let i = 0; i < pairs; i++) {
      const id = small.schedule(1e7 + ((i * 7919) % 1e9), 0, 99);
      if (id < 0 || !small.cancel(id)) refused++;
    }
    expect(refused).toBe(0);
    const s = small.stats();
    // With 3 live, a sweep frees the 21 others: one per 21 pairs.
    expect(s.compactions).toBe(Math.floor(pairs / 21));
    expect(s.zombies).toBe(pairs % 21);
    expect(s.pending).toBe(3);
    expect(keep.every((id) => id >= 0)).toBe(true);
    expect(drain(small, 1e10)).toEqual([
      [1e6, 3],
      [2e9, 1],
      [3e9, 2],
    ]);
  });

  it("full means N live entries: cancelled ones never make the wheel refuse", async () => {
    const small = (await freshCore({ wheelEntries: 16 })).wheel;
    for (let round = 0; round < 50; round++) {
      const ids: number[] = [];
      for (let i = 0; i < 16; i++) ids.push(small.schedule(1e9 + round * 1e3 + i, 0, i));
      expect(ids.every((id) => id >= 0)).toBe(true);
      expect(small.schedule(1, 0, 99)).toBe(-1);
      // All cancelled: 16 zombies in a slot, 8 indices free.
      expect(ids.every((id) => small.cancel(id))).toBe(true);
      expect(small.pending).toBe(0);
    }
    const s = small.stats();
    expect(s.full).toBe(50);
    expect(s.compactions).toBeGreaterThanOrEqual(49);
    expect(s.zombies).toBeLessThanOrEqual(24);
    expect(small.stats().zombies).toBeGreaterThan(0);
    // An entry behind them: draining to it meets and drops every zombie.
    small.schedule(2e9, 0, 7);
    expect(drain(small, 2e9)).toEqual([[2e9, 7]]);
    expect(small.stats().zombies).toBe(0);
  });

  it("long empty stretches: zombies far ahead are dropped by the cascades that cross them, live entries keep their order", async () => {
    const small = (await freshCore({ wheelEntries: 64 })).wheel;
    // Zombies and live entries at every level's scale, then nothing for ~11 days.
    const live: [number, number][] = [];
    for (let k = 0; k < 30; k++) {
      const t = 10 ** (3 + k / 2.5) + k / 4;
      small.cancel(small.schedule(t, 0, 1000 + k));
      small.cancel(small.schedule(t, 0, 2000 + k)); // the same time: a tie with the live one
      if (k % 3 === 0) {
        small.schedule(t, 0, k);
        live.push([t, k]);
      }
    }
    expect(small.stats().zombies).toBeGreaterThan(0);
    expect(drain(small, 1e15)).toEqual(live);
    // Nothing live is left: the 4 zombies after the last live entry (k = 28,
    // 29) wait, unmet, until something behind them is drained.
    expect(small.stats()).toMatchObject({ pending: 0, zombies: 4 });
    small.schedule(1e15 + 5, 0, 7);
    small.schedule(1e15 + 1, 0, 8);
    expect(drain(small, 1e15 + 10)).toEqual([
      [1e15 + 1, 8],
      [1e15 + 5, 7],
    ]);
    expect(small.stats().zombies).toBe(0);
  });

  it("a sweep leaves every live entry where cancel and expire find it", async () => {
    const small = (await freshCore({ wheelEntries: 16 })).wheel;
    for (let i = 0; i < 5; i++) small.schedule(10, 0, i);
    expect(small.expire(10, 2)).toBe(2); // due: 3 unread behind 2 consumed cells
    const d = small.schedule(10, 0, 5); // appended to due
    const T = 1e9; // a level-2 slot, far ahead
    const a = small.schedule(T, 0, 100);
    small.cancel(small.schedule(T, 0, 98)); // a zombie between a and c
    const c = small.schedule(T, 0, 101);
    const o = small.schedule(2 ** 61, 0, 102); // overflow
    small.cancel(d); // a zombie in due
    // 8 live: 16 indices left; 16 pairs use them up, the 17th sweeps.
    for (let i = 0; i < 17; i++) small.cancel(small.schedule(T / 2 + i, 0, 99));
    expect(small.stats().compactions).toBe(1);
    expect(small.cancel(a)).toBe(true);
    expect(small.cancel(d)).toBe(false);
    expect(args(drain(small, 10))).toEqual([2, 3, 4]);
    expect(drain(small, T)).toEqual([[T, 101]]);
    expect(small.cancel(c)).toBe(false);
    expect(small.cancel(o)).toBe(true);
    expect(small.pending).toBe(0);
  });

  it("a sweep keeps the late heap's entries reachable, in heap order", async () => {
    const small = (await freshCore({ wheelEntries: 16 })).wheel;
    for (let i = 0; i < 3; i++) small.schedule(100, 0, i);
    expect(small.expire(100, 1)).toBe(1); // two unread at 100: earlier times go to the heap
    // Zombies in the heap: 40 pairs sweep it (filtered, re-heapified).
    for (let i = 0; i < 40; i++) small.cancel(small.schedule(20 + i, 0, 99));
    expect(small.stats().compactions).toBeGreaterThan(0);
    const keep = [60, 40, 70, 30, 50].map((t) => small.schedule(t, 0, t));
    for (const t of [45, 35, 65]) small.cancel(small.schedule(t, 0, 99)); // more heap zombies
    const before = small.stats().compactions;
    let pairs = 0;
    while (small.stats().compactions === before && pairs++ < 200_000) small.cancel(small.schedule(1e9, 0, 99));
    expect(small.stats().compactions).toBe(before + 1);
    expect(small.cancel(keep[2]!)).toBe(true); // 70
    expect(small.nextTime()).toBe(30);
    expect(drain(small, 100)).toEqual([
      [30, 30],
      [40, 40],
      [50, 50],
      [60, 60],
      [100, 1],
      [100, 2],
    ]);
  });

  it("a sweep keeps a staged granule's slot busy when the granule's list empties", async () => {
    // A level-0 slot's bit stands for its list and its staged run alike: a
    // sweep that empties the list (its only cell a zombie) must leave the bit
    // set while the run is undrained, or the drain never visits the granule
    // and its staged entries are lost (audit: WHEEL_AUDIT_STAGED).
    const small = (await freshCore({ wheelEntries: 64 })).wheel;
    small.tuneStaging(1, 4096); // stage even a 2-cell level-1 slot
    const G = 4096;
    const S = 2 ** 20; // level-1 slot 1
    small.schedule(S + 5 * G + 7, 0, 1); // granule 5's staged run
    small.schedule(S + 9 * G, 0, 2);
    expect(small.expire(S, 10)).toBe(0); // the cursor enters slot 1: staged
    const z = small.schedule(S + 5 * G + 9, 0, 3); // granule 5's level-0 list
    small.cancel(z); // ... whose one cell is now a zombie
    // 96 indices: far-future pairs use up the free ones, then one sweeps.
    for (let i = 0; i < 200 && small.stats().compactions === 0; i++) small.cancel(small.schedule(1e12 + i, 0, 99));
    expect(small.stats().compactions).toBe(1);
    small.audit();
    expect(drain(small, Infinity)).toEqual([
      [S + 5 * G + 7, 1],
      [S + 9 * G, 2],
    ]);
  });

  it("a full wheel refuses and counts; bad times are counted", async () => {
    const small = (await freshCore({ wheelEntries: 16 })).wheel;
    for (let i = 0; i < 16; i++) expect(small.schedule(i, 0, i)).toBeGreaterThanOrEqual(0);
    expect(small.schedule(100, 0, 16)).toBe(-1);
    expect(small.schedule(NaN, 0, 0)).toBe(-1);
    expect(small.schedule(-1, 0, 0)).toBe(-1);
    expect(small.schedule(-Infinity, 0, 0)).toBe(-1);
    expect(small.stats()).toMatchObject({ pending: 16, scheduled: 16, full: 1, bad: 3 });
    expect(small.expire(0)).toBe(1);
    expect(small.schedule(100, 0, 16)).toBeGreaterThanOrEqual(0);
    expect(small.expire(NaN)).toBe(0);
    expect(small.expire(-5)).toBe(0);
  });

  it("free indices come back in index order, from a cursor that goes round, with their generations", async () => {
    const big = (await freshCore({ wheelEntries: 8192 })).wheel;
    const mask = (1 << big.indexBits) - 1;
    expect(big.indexBits).toBe(14); // 12288 indices
    const first: number[] = [];
    // Latest time first: they fire in reverse order of scheduling.
    for (let i = 0; i < 8192; i++) first.push(big.schedule(8192 - i, 0, i));
    expect(first.map((id) => id & mask)).toEqual([...Array(8192).keys()]);
    expect(big.schedule(1, 0, 0)).toBe(-1); // full
    expect(drain(big, 8192).length).toBe(8192);
    // The cursor is at 8192: 8192..12287 (never used), then 0..4095.
    const again: number[] = [];
    for (let i = 0; i < 8192; i++) again.push(big.schedule(1e6 + i, 0, i));
    expect(again.slice(0, 4096).map((id) => id & mask)).toEqual([...Array(4096).keys()].map((k) => 8192 + k));
    expect(again.slice(4096).map((id) => id & mask)).toEqual([...Array(4096).keys()]);
    expect(again.slice(0, 4096).every((id) => id >>> big.indexBits === 0)).toBe(true);
    expect(again.slice(4096).every((id) => id >>> big.indexBits === 1)).toBe(true);
    expect(first.some((id) => big.cancel(id))).toBe(false);
    expect(big.cancel(again[5000]!)).toBe(true);
    expect(big.pending).toBe(8191);
    expect(args(drain(big, 2e6)).slice(0, 3)).toEqual([0, 1, 2]);
  });

  it("scheduleBurst matches single schedules, ids included", () => {
    const n = 100;
    for (let i = 0; i < n; i++) {
      w.inTime[i] = (i * 7919) % 1000;
      w.inKind[i] = 3;
      w.inArg[i] = i;
    }
    w.inTime[5] = NaN;
    expect(w.scheduleBurst(n)).toBe(n - 1);
    expect(w.inId[5]).toBe(0xffffffff);
    const ref = new RefWheel(4096);
    for (let i = 0; i < n; i++) ref.schedule(w.inTime[i]!, 3, i);
    expect(drain(w, 1000)).toEqual(drain(ref, 1000));
    expect(() => w.scheduleBurst(w.outCapacity + 1)).toThrow(/scheduleBurst: n=4097 is not an integer in \[0, 4096\]/);
  });

  it("scheduleBurst gives what single schedules give, with room and ids for all (its fast path) and without (full)", async () => {
    // Two wheels of 256 entries, one scheduling in bursts, one entry by entry:
    // the same ids, refusals, stats, pending counts and order, late times
    // (before the drained cursor) and bad ones included.
    const a = (await freshCore({ wheelEntries: 256 })).wheel;
    const b = (await freshCore({ wheelEntries: 256 })).wheel;
    for (const x of [a, b]) {
      x.schedule(5000, 0, 999);
      expect(x.expire(5000)).toBe(1); // granule 1 (4096..8191) drained
    }
    const times = (n: number, seed: number) =>
      Array.from({ length: n }, (_, i) => {
        const r = (i * 7919 + seed) % 97;
        return r === 3 ? NaN : r === 5 ? -1 : r === 7 ? Infinity : r < 30 ? 4096 + r * 100 : 5000 + r * 1000 + (i % 3) * 0.5;
      });
    const burst = (ts: number[], arg0: number): number[] => {
      ts.forEach((t, i) => {
        a.inTime[i] = t;
        a.inKind[i] = 2;
        a.inArg[i] = arg0 + i;
      });
      const ok = a.scheduleBurst(ts.length);
      const ids = Array.from(a.inId.subarray(0, ts.length));
      expect(ok).toBe(ids.filter((id) => id !== 0xffffffff).length);
      return ids;
    };
    const single = (ts: number[], arg0: number): number[] => ts.map((t, i) => b.schedule(t, 2, arg0 + i) >>> 0);
    // 120 fit (fast path); then 200 more do not (136 accepted, the rest full)
    for (const [ts, arg0] of [[times(120, 1), 0], [times(200, 2), 1000]] as const) {
      expect(burst([...ts], arg0)).toEqual(single([...ts], arg0));
      expect(a.pending).toBe(b.pending);
      expect(a.stats()).toEqual(b.stats());
      a.audit();
    }
    expect(a.pending).toBe(256);
    expect(drain(a, Infinity)).toEqual(drain(b, Infinity));
    a.audit();
  });

  it("ids carried in outId are the ids schedule returned", () => {
    const ids = [w.schedule(3, 1, 0), w.schedule(2, 1, 1), w.schedule(2 ** 31, 1, 2)];
    expect(w.expire(2 ** 32)).toBe(3);
    expect(Array.from(w.outId.subarray(0, 3))).toEqual([ids[1], ids[0], ids[2]]);
  });

  it("clear drops everything, counts it, and makes old ids stale", () => {
    const id = w.schedule(10, 0, 0);
    w.schedule(20, 0, 1);
    const before = w.stats();
    w.clear();
    expect(w.pending).toBe(0);
    expect(w.cancel(id)).toBe(false);
    expect(w.stats().cancelled).toBe(before.cancelled + 2);
    expect(w.nextTime()).toBe(Infinity);
    w.schedule(5, 0, 9); // the clock is back at 0
    expect(drain(w, 5)).toEqual([[5, 9]]);
  });

  it("scheduled = fired + cancelled + pending, and memory never grows", () => {
    const buf = core.memory.buffer;
    let x = 1;
    const ids: number[] = [];
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 60; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        ids.push(w.schedule(round * 1000 + (x % 5000), 0, i));
      }
      for (let i = 0; i < 10; i++) w.cancel(ids[(x + i * 31) % ids.length]!);
      drain(w, round * 1000);
      const s = w.stats();
      expect(s.scheduled).toBe(s.fired + s.cancelled + s.pending);
    }
    expect(core.memory.buffer).toBe(buf);
  });
});
