// Differential test of the EventLoop (src/sim/loop.ts: schedules staged during
// dispatch and filed with the next expire, ids predicted from the wheel's free
// stack) against a plain loop over the reference heap (src/core/ref/wheel.ts)
// that schedules one call at a time. Random handler programs schedule with at
// and after (now, fractional and far delays, times in the past), cancel what
// they scheduled (staged, pending, expired in the burst being dispatched, or
// long fired), and fire in bursts of equal times.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import { EventLoop, EventQueueFullError, type EventHandler } from "../../src/sim/loop.js";
import { RefWheel } from "../../src/core/ref/wheel.js";
import { RefLoop } from "./ref-loop.js";

type Loopish = Pick<EventLoop, "at" | "after" | "cancel" | "register" | "now"> & { run(end: number): object };

interface Action {
  /** Follow-ups: [0 at now + d, 1 after d, 2 at an absolute time], d or the time. */
  fan: [number, number][];
  /** Cancel the id scheduled this many schedules ago (-1: none). */
  cancel: number;
  /** Then schedule each of these as in fan and cancel it at once (zombies
   *  wherever they land, live count unchanged). */
  drop?: [number, number][];
}

const delayArb = fc.oneof(
  fc.constantFrom(0, 0, 0.5, 1, 4095, 4096, 4097),
  fc.integer({ min: 1, max: 20_000 }),
  fc.double({ min: 0, max: 1e7, noNaN: true }),
);
const actionArb: fc.Arbitrary<Action> = fc.record({
  fan: fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), delayArb), { maxLength: 3 }),
  cancel: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 6 })),
});

/** Run one program on a loop; returns the dispatch log and cancel results.
 *  `check` (if given) runs after every event and every run. */
export function play(loop: Loopish, seeds: number[], actions: Action[], ends: number[], budget: number, check?: () => void): unknown[] {
  const log: unknown[] = [];
  const ids: number[] = [];
  let arg = 0;
  const kinds: number[] = [];
  const handler: EventHandler = (a, t) => {
    log.push([t, a]);
    if (log.length > 200_000) throw new Error("runaway program");
    if (ids.length > budget) return;
    const act = actions[a % actions.length]!;
    for (const [mode, d] of act.fan) {
      const k = kinds[(arg + mode) % kinds.length]!;
      if (mode === 0) ids.push(loop.at(t + d, k, arg++));
      else if (mode === 1) ids.push(loop.after(d, k, arg++));
      else ids.push(loop.at(d, k, arg++)); // absolute: often in the past, clamped to now
    }
    if (act.cancel >= 0 && ids.length > act.cancel) log.push(["c", ids.length - 1 - act.cancel, loop.cancel(ids[ids.length - 1 - act.cancel]!)]);
    for (const [mode, d] of act.drop ?? []) {
      const k = kinds[(arg + mode) % kinds.length]!;
      const id = mode === 0 ? loop.at(t + d, k, arg++) : mode === 1 ? loop.after(d, k, arg++) : loop.at(d, k, arg++);
      ids.push(id);
      log.push(["d", loop.cancel(id)]);
    }
    check?.();
  };
  kinds.push(loop.register("a", handler), loop.register("b", handler));
  for (const t of seeds) ids.push(loop.at(t, kinds[arg % 2]!, arg++));
  for (const end of ends) {
    log.push(["run", loop.run(end)]);
    check?.();
  }
  return log;
}

describe("event loop vs a one-call-per-schedule loop on the reference heap", () => {
  it("same dispatch order, cancel results and run results", async () => {
    const core = await freshCore({ wheelEntries: 4096 });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(0, 10, 10, 4096), fc.integer({ min: 0, max: 50_000 })), { minLength: 1, maxLength: 40 }),
        fc.array(actionArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 2e6 }), { minLength: 1, maxLength: 3 }),
        (seeds, actions, endsRaw) => {
          core.wheel.clear();
          const ends = [...endsRaw].sort((a, b) => a - b);
          ends.push(Infinity);
          const got = play(new EventLoop(core.wheel), seeds, actions, ends, 1500);
          const want = play(new RefLoop(new RefWheel(core.wheel.capacity, core.wheel.outCapacity)), seeds, actions, ends, 1500);
          expect(got).toEqual(want);
          expect(core.wheel.pending).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the same on a small wheel where cancelled entries use up the indices (sweeps during dispatch)", async () => {
    // 48 entries, 72 indices. Each event schedules a follow-up and a far
    // one, and mostly cancels the far one at once, so at most 40 are live
    // (the seeds) and the wheel is never full, while the far zombies run the
    // free indices out: the wheel sweeps them, also while a batch is out and
    // schedules are staged.
    const core = await freshCore({ wheelEntries: 48 });
    const oneFan: fc.Arbitrary<Action> = fc.record({
      fan: fc
        .tuple(fc.tuple(fc.integer({ min: 0, max: 2 }), delayArb), fc.integer({ min: 1e6, max: 1e9 }))
        .map(([near, far]): [number, number][] => [near, [1, far]]),
      cancel: fc.constantFrom(0, 0, 0, 1), // the far one or the near one: never more live
      // Near ones often land in the due array (a granule being drained):
      // zombies there when the next schedule sweeps.
      drop: fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), delayArb), { maxLength: 2 }),
    });
    let sweeps = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(0, 10, 10, 4096), fc.integer({ min: 0, max: 50_000 })), { minLength: 1, maxLength: 40 }),
        fc.array(oneFan, { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 2e6 }), { minLength: 1, maxLength: 3 }),
        (seeds, actions, endsRaw) => {
          core.wheel.clear();
          const s0 = core.wheel.stats().compactions;
          const ends = [...endsRaw].sort((a, b) => a - b);
          ends.push(Infinity);
          // The audit after every event catches a sweep that frees an index
          // a cell still holds at once, not when (if ever) it shows later.
          const got = play(new EventLoop(core.wheel), seeds, actions, ends, 3000, () => core.wheel.audit());
          const want = play(new RefLoop(new RefWheel(core.wheel.capacity, core.wheel.outCapacity)), seeds, actions, ends, 3000);
          expect(got).toEqual(want);
          expect(core.wheel.pending).toBe(0);
          sweeps += core.wheel.stats().compactions - s0;
        },
      ),
      { numRuns: 150 },
    );
    expect(sweeps).toBeGreaterThan(0);
  });

  it("at() during dispatch returns the id the wheel gives (cancel finds it), also past a full staging buffer", async () => {
    const core = await freshCore({ wheelEntries: 1 << 14 });
    const loop = new EventLoop(core.wheel);
    const fired: number[] = [];
    const ids: number[] = [];
    const k = loop.register("fan", (a) => {
      fired.push(a);
      if (a !== 0) return;
      // More than the 4096-entry staging buffer in one handler.
      for (let i = 1; i <= 5000; i++) ids.push(loop.after(i, k, i));
      for (let i = 0; i < 5000; i += 2) expect(loop.cancel(ids[i]!)).toBe(true);
    });
    loop.at(0, k, 0);
    loop.run(Infinity);
    expect(fired).toEqual([0, ...Array.from({ length: 2500 }, (_, i) => 2 * i + 2)]);
    expect(core.wheel.pending).toBe(0);
  });

  it("one batch over many times: an earlier schedule from a handler cuts in, a cancelled entry ahead in the batch is skipped", async () => {
    const core = await freshCore({ wheelEntries: 1024 });
    const loop = new EventLoop(core.wheel);
    const log: string[] = [];
    let victim = -1;
    const k = loop.register("e", (a, t) => {
      log.push(`${t}:${a}`);
      if (a === 1) loop.at(t + 5, k, 100); // before entry 2 (t 30): must come first
      if (a === 1) loop.at(t + 20, k, 101); // equal to entry 2's time: after it
      if (a === 100) loop.cancel(victim); // entry 3, still ahead in the batch
    });
    loop.at(10, k, 1);
    loop.at(30, k, 2);
    victim = loop.at(40, k, 3);
    loop.at(50, k, 4);
    const r = loop.run(Infinity);
    expect(log).toEqual(["10:1", "15:100", "30:2", "30:101", "50:4"]);
    expect(r.events).toBe(5);
    expect(core.wheel.pending).toBe(0);
    expect(core.wheel.stats().cancelled).toBe(1);
  });

  it("a full wheel throws EventQueueFullError from a handler, and the wheel stays consistent", async () => {
    const core = await freshCore({ wheelEntries: 16 });
    const loop = new EventLoop(core.wheel);
    const k = loop.register("grow", (a) => {
      loop.after(1, k, a);
      loop.after(2, k, a);
    });
    loop.at(0, k, 0);
    expect(() => loop.run(Infinity)).toThrow(EventQueueFullError);
    expect(core.wheel.pending).toBe(16);
    expect(core.wheel.stats().full).toBe(1);
  });

  it("full is raised by the at() that would hold more than capacity once the batch's dispatched entries are released", async () => {
    // 16 entries; a batch of 4 at t 10. The handler of entry j schedules
    // until refused: staging takes what the wheel's published pending count
    // leaves room for, then the loop syncs (files them, releases entries
    // 0..j) and schedules directly, so the wheel refuses exactly when the
    // rest of the batch plus the new ones fill it. Cancelling an entry
    // ahead in the batch makes room for one more.
    const core = await freshCore({ wheelEntries: 16 });
    const w = core.wheel;
    for (const cancelAhead of [false, true]) {
      for (let j = 0; j < 4; j++) {
        w.clear();
        const full0 = w.stats().full;
        const loop = new EventLoop(w);
        const fired: number[] = [];
        const ids: number[] = [];
        let ok = -1;
        const k = loop.register("flood", (a) => {
          fired.push(a);
          if (a !== j) return;
          for (let n = 0; n < 64; n++) {
            if (cancelAhead && n === 5) expect(loop.cancel(ids[3]!)).toBe(true);
            try {
              loop.at(20 + n, k, 100 + n);
            } catch (e) {
              expect(e).toBeInstanceOf(EventQueueFullError);
              ok = n;
              return;
            }
          }
        });
        for (let a = 0; a < 4; a++) ids.push(loop.at(10, k, a));
        const r = loop.run(Infinity);
        const ahead = cancelAhead && j < 3 ? 1 : 0;
        const rest = 3 - j - ahead;
        expect({ j, cancelAhead, ok }).toEqual({ j, cancelAhead, ok: 16 - rest });
        expect(w.stats().full - full0).toBe(1);
        const batch = [0, 1, 2, 3].filter((a) => !(ahead && a === 3));
        expect(fired).toEqual([...batch, ...Array.from({ length: ok }, (_, n) => 100 + n)]);
        expect(r.events).toBe(fired.length);
        expect(w.pending).toBe(0);
      }
    }
  });

  it("an entry cancelled ahead in the batch whose index a sweep gives to a new schedule before the batch is released: the new one fires, the cancelled one does not", async () => {
    // 16 entries, 24 indices. A (arg 0) cancels C (arg 2, ahead in the
    // batch), then schedules and cancels until a sweep runs and hands out
    // C's index again. The sweep must tombstone C's due cell (the batch still
    // holds it), or the release would take the new entry's index for C's.
    const core = await freshCore({ wheelEntries: 16 });
    const w = core.wheel;
    const loop = new EventLoop(w);
    const mask = (1 << w.indexBits) - 1;
    const fired: number[] = [];
    let C = -1;
    let reuser = -1;
    const k = loop.register("h", (a) => {
      fired.push(a);
      if (fired.length > 100) throw new Error("runaway: more events than scheduled");
      if (a !== 0) return;
      expect(loop.cancel(C)).toBe(true);
      const s0 = w.stats().compactions;
      for (let i = 0; i < 64 && reuser < 0; i++) {
        const id = loop.at(10 + (i + 1) / 1000, k, 100 + i);
        if (w.stats().compactions > s0 && (id & mask) === (C & mask)) reuser = 100 + i;
        else loop.cancel(id);
      }
    });
    loop.at(10, k, 0);
    loop.at(10, k, 1);
    C = loop.at(10, k, 2);
    loop.at(10, k, 3);
    const r = loop.run(1e6);
    expect(reuser).toBeGreaterThanOrEqual(100); // the sweep did reuse C's index inside the batch
    expect(fired).toEqual([0, 1, 3, reuser]);
    expect(r.stoppedBy).toBe("idle");
    expect(w.pending).toBe(0);
    expect(w.stats().zombies).toBe(0);
  });

  it("using the wheel directly while schedules are staged is caught", async () => {
    const core = await freshCore({ wheelEntries: 64 });
    const loop = new EventLoop(core.wheel);
    const k = loop.register("bad", () => {
      loop.after(5, k + 1, 0);
      core.wheel.schedule(3, k + 1, 0); // behind the loop's back: takes the staged id
    });
    loop.register("noop", () => {});
    loop.at(0, k, 0);
    expect(() => loop.run(Infinity)).toThrow(/used directly/);
  });
});
