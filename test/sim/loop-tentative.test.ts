// EventLoop.atTentative / takeBack / idleAfter (src/sim/loop.ts) and the
// wheel's published bound behind them (assembly/wheel.ts publishBound).
// Differential, as test/sim/loop.test.ts: random handler programs on the
// EventLoop, where a handler may schedule an event at now tentatively and, at
// its end, take it back and run it in place when takeBack says it is the next
// event, against the reference loop, where that event is always dispatched.
// The dispatch logs (times, args, cancel results, run results with the event
// count) must be equal: a take-back that let anything due by then run after
// the event it replaced, or that broke the ids of what was staged after it,
// shows as a different log.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import { EventLoop, VIRTUAL_ID, type EventHandler } from "../../src/sim/loop.js";
import { RefWheel } from "../../src/core/ref/wheel.js";
import { RefLoop } from "./ref-loop.js";

interface TentLoop {
  now: number;
  at(time: number, kind: number, arg: number): number;
  atTentative(time: number, kind: number, arg: number): number;
  takeBack(id: number, t: number): boolean;
  atVirtual(time: number, kind: number, arg: number): number;
  takeVirtual(t: number): boolean;
  setVirtualSink(kind: number, sink: (arg: number, id: number) => void): void;
  reschedule(id: number, time: number, kind: number, arg: number): number;
  runAhead(t: number): void;
  cancel(id: number): boolean;
  register(name: string, h: EventHandler): number;
  run(end: number): object;
}

/** The reference: a tentative event is an ordinary one, never taken back. */
class RefTentLoop extends RefLoop {
  atTentative(time: number, kind: number, arg: number): number {
    return this.at(time, kind, arg);
  }
  takeBack(): boolean {
    return false;
  }
  atVirtual(time: number, kind: number, arg: number): number {
    return this.at(time, kind, arg);
  }
  takeVirtual(): boolean {
    return false;
  }
  setVirtualSink(): void {}
  reschedule(id: number, time: number, kind: number, arg: number): number {
    this.cancel(id);
    return this.at(time, kind, arg);
  }
  runAhead(): void {
    throw new Error("the reference loop never runs ahead");
  }
}

interface Act {
  /** Schedule a tentative event at now first (1), after the fan (2), or none (0). */
  tent: number;
  /** Follow-ups: [0 at now + d, 1 at an absolute time], d or the time. */
  fan: [number, number][];
  /** Cancel the id scheduled this many schedules ago (-1: none). */
  cancel: number;
  /** Then move the one scheduled this many schedules ago to now + d (-1: none): [back, d]. */
  move: [number, number];
}

const delayArb = fc.oneof(fc.constantFrom(0, 0, 0.5, 1, 4095, 4096, 4097), fc.integer({ min: 1, max: 20_000 }));
const actArb: fc.Arbitrary<Act> = fc.record({
  tent: fc.constantFrom(0, 1, 1, 2),
  fan: fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), delayArb), { maxLength: 3 }),
  cancel: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 6 })),
  move: fc.tuple(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 4 })), delayArb),
});

/** `virtual`: the event at now is an atVirtual one (staged only when its place matters; its id comes
 *  through the sink then), taken with takeVirtual while still virtual, else with takeBack. */
function playTent(loop: TentLoop, seeds: number[], acts: Act[], ends: number[], budget: number, virtual = false): { log: unknown[]; taken: number } {
  const log: unknown[] = [];
  const ids: number[] = [];
  let arg = 0;
  let taken = 0;
  let kind = 0;
  const handler: EventHandler = (a, t) => {
    log.push([t, a]);
    if (log.length > 100_000) throw new Error("runaway program");
    // (arg counts every schedule, the tentative ones included)
    if (arg > budget) return;
    const act = acts[a % acts.length]!;
    let tent = -1;
    let tentArg = 0;
    const tentative = (): void => {
      tentArg = arg++;
      tent = virtual ? loop.atVirtual(t, kind, tentArg) : loop.atTentative(t, kind, tentArg);
      cur = tent;
    };
    if (act.tent === 1) tentative();
    for (const [mode, d] of act.fan) ids.push(mode === 0 ? loop.at(t + d, kind, arg++) : loop.at(d, kind, arg++));
    if (act.tent === 2) tentative();
    if (act.cancel >= 0 && ids.length > act.cancel) log.push(["c", loop.cancel(ids[ids.length - 1 - act.cancel]!)]);
    // reschedule: the program holds the id only in ids[], which takes the new one
    const [back, d] = act.move;
    if (back >= 0 && ids.length > back) {
      const x = ids.length - 1 - back;
      ids[x] = loop.reschedule(ids[x]!, t + d, kind, arg++);
    }
    // (the tentative id is never cancelled: once taken back it is free for the wheel to give again)
    // a virtual one staged meanwhile: its id came through the sink
    if (tent === VIRTUAL_ID && cur !== VIRTUAL_ID) tent = cur;
    // (a virtual one scheduled after the fan is left to the loop: it runs in place at the end of this
    // event when it is next, EventLoop.settleVirtual, or is staged there)
    if (virtual && act.tent === 2 && tent === VIRTUAL_ID) return;
    if (tent >= 0 && (tent === VIRTUAL_ID ? loop.takeVirtual(t) : loop.takeBack(tent, t))) {
      taken++;
      loop.runAhead(t);
      handler(tentArg, t);
    }
  };
  kind = loop.register("a", handler);
  // the id of the last virtual event, once staged
  let cur = -1;
  loop.setVirtualSink(kind, (_a, id) => {
    cur = id;
  });
  for (const t of seeds) ids.push(loop.at(t, kind, arg++));
  for (const end of ends) log.push(["run", loop.run(end)]);
  return { log, taken };
}

describe("EventLoop.atTentative / takeBack", () => {
  it("an event taken back and run in place runs where its dispatch would have (same log as the reference loop)", async () => {
    const core = await freshCore({ wheelEntries: 4096 });
    let taken = 0;
    let kept = 0;
    let fromStaging = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(0, 10, 10, 4096), fc.integer({ min: 0, max: 50_000 })), { minLength: 1, maxLength: 30 }),
        fc.array(actArb, { minLength: 1, maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 2e6 }), { minLength: 1, maxLength: 3 }),
        (seeds, acts, endsRaw) => {
          core.wheel.clear();
          const ends = [...endsRaw].sort((a, b) => a - b);
          ends.push(Infinity);
          const loop = new EventLoop(core.wheel);
          const got = playTent(loop, seeds, acts, ends, 1200);
          fromStaging += loop.fromStaging;
          const want = playTent(new RefTentLoop(new RefWheel(core.wheel.capacity, core.wheel.outCapacity)), seeds, acts, ends, 1200);
          expect(got.log).toEqual(want.log);
          expect(core.wheel.pending).toBe(0);
          core.wheel.audit();
          taken += got.taken;
          kept += got.log.length;
        },
      ),
      { numRuns: 300 },
    );
    // the programs exercise both answers
    expect(taken).toBeGreaterThan(100);
    expect(kept).toBeGreaterThan(taken);
    // and events dispatched straight from the staging area (EventLoop.stagedNext)
    expect(fromStaging).toBeGreaterThan(1000);
  });

  it("atVirtual / takeVirtual: the event staged only when its place matters runs where its dispatch would have (same log as the reference loop)", async () => {
    const core = await freshCore({ wheelEntries: 4096 });
    let taken = 0;
    let kept = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(0, 10, 10, 4096), fc.integer({ min: 0, max: 50_000 })), { minLength: 1, maxLength: 30 }),
        fc.array(actArb, { minLength: 1, maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 2e6 }), { minLength: 1, maxLength: 3 }),
        (seeds, acts, endsRaw) => {
          core.wheel.clear();
          const ends = [...endsRaw].sort((a, b) => a - b);
          ends.push(Infinity);
          const loop = new EventLoop(core.wheel);
          const got = playTent(loop, seeds, acts, ends, 1200, true);
          const want = playTent(new RefTentLoop(new RefWheel(core.wheel.capacity, core.wheel.outCapacity)), seeds, acts, ends, 1200, true);
          expect(got.log).toEqual(want.log);
          expect(core.wheel.pending).toBe(0);
          core.wheel.audit();
          taken += got.taken;
          kept += got.log.length;
        },
      ),
      { numRuns: 300 },
    );
    expect(taken).toBeGreaterThan(100);
    expect(kept).toBeGreaterThan(taken);
  });

  it("takes back an event with schedules staged after it (they keep their ids), not one with an equal time before it", async () => {
    const core = await freshCore({ wheelEntries: 1024 });
    const loop = new EventLoop(core.wheel);
    const log: string[] = [];
    let laterId = -1;
    const k = loop.register("k", (a, t) => {
      log.push(`${a}@${t}`);
      if (a === 1) {
        // S at now, then two later ones staged behind it: S is the next event
        const s = loop.atTentative(t, k, 10);
        loop.at(t + 5, k, 11);
        laterId = loop.at(t + 7, k, 12);
        expect(loop.takeBack(s, t)).toBe(true);
        loop.runAhead(t);
        log.push(`10@${t} (in place)`);
      }
      if (a === 11) expect(loop.cancel(laterId)).toBe(true);
      if (a === 2) {
        // another event at this instant is already pending (arg 3): S must wait behind it
        const s = loop.atTentative(t, k, 20);
        expect(loop.takeBack(s, t)).toBe(false);
      }
    });
    loop.at(100, k, 1);
    loop.at(1000, k, 2);
    loop.at(1000, k, 3);
    const r = loop.run(Infinity);
    expect(log).toEqual(["1@100", "10@100 (in place)", "11@105", "2@1000", "3@1000", "20@1000"]);
    expect(r.events).toBe(6);
    expect(core.wheel.pending).toBe(0);
  });
});

describe("EventLoop: the next event from the staging area", () => {
  it("a handler's own next event, before everything in the wheel, is dispatched without a wheel step; ties keep insertion order", async () => {
    const core = await freshCore({ wheelEntries: 1024 });
    const loop = new EventLoop(core.wheel);
    const log: string[] = [];
    const k = loop.register("k", (a, t) => {
      log.push(`${a}@${t}`);
      // a chain 1 ns apart; at 1003 one the wheel already holds (inserted first), then two staged in order
      if (a < 5) loop.at(t + 1, k, a + 1);
      if (a === 2) loop.at(t + 1, k, 20);
    });
    loop.at(1000, k, 0);
    loop.at(1003, k, 30); // filed before the chain's 1003 (arg 3's follow-up): comes first
    loop.at(1e6, k, 100); // far: the wheel's bound is past the chain
    const s0 = core.wheel.stats().scheduled;
    loop.run(Infinity);
    expect(log).toEqual(["0@1000", "1@1001", "2@1002", "30@1003", "3@1003", "20@1003", "4@1004", "5@1005", "100@1000000"]);
    expect(loop.fromStaging).toBeGreaterThan(2);
    // every schedule still counts in the wheel's stats (a staged dispatch uses its id up: scheduled and fired)
    expect(core.wheel.stats().scheduled - s0).toBe(6);
    expect(core.wheel.pending).toBe(0);
    core.wheel.audit();
  });
});

describe("EventLoop.idleAfter", () => {
  it("answers horizon() > t (the wheel's published bound only spares the call)", async () => {
    const core = await freshCore({ wheelEntries: 4096 });
    let fast = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(0, 10, 10, 4096), fc.integer({ min: 0, max: 50_000 })), { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(delayArb, delayArb, fc.constantFrom(0, 0.5, 1, 3000, 5000)), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 2e6 }),
        (seeds, acts, end) => {
          core.wheel.clear();
          const loop = new EventLoop(core.wheel);
          let n = 0;
          const k = loop.register("k", (a, t) => {
            if (n++ > 500) return;
            const [d1, d2, probe] = acts[a % acts.length]!;
            loop.at(t + d1, k, a + 1);
            if (d2 > 1000) loop.at(t + d2, k, a + 2);
            const q = t + probe;
            const idle = loop.idleAfter(q);
            if (idle) fast++;
            expect(idle).toBe(loop.horizon() > q);
          });
          for (const [i, t] of seeds.entries()) loop.at(t, k, i);
          loop.run(end);
          loop.run(Infinity);
        },
      ),
      { numRuns: 100 },
    );
    expect(fast).toBeGreaterThan(1000);
  });

  it("past a full batch (more due entries than one wheel_loop_step hands out) and behind the late heap", async () => {
    const core = await freshCore({ wheelEntries: 4096 });
    const loop = new EventLoop(core.wheel);
    let checked = 0;
    const k = loop.register("k", (a, t) => {
      // a few at probe distances behind, some into the granule being drained (the late heap)
      if (a < 40) loop.at(t + (a % 5), k, 1000 + a);
      // every answer before horizon() (which fetches the exact time, and idleAfter then reads that)
      const qs = [t, t + 1, t + 3, t + 4096];
      const idle = qs.map((q) => loop.idleAfter(q));
      const h = loop.horizon();
      expect(idle).toEqual(qs.map((q) => h > q));
      checked += qs.length;
    });
    // 600 entries 3 ns apart: one granule's due array, drained in batches of 256
    for (let i = 0; i < 600; i++) loop.at(1000 + 3 * i, k, i);
    loop.run(Infinity);
    expect(checked).toBeGreaterThan(2400);
  });
});
