// Differential test of the event-loop pattern: nextTime, expire in small
// batches at that now, and handlers that schedule follow-ups at now (same
// time, must come after what is already due), within the same tick, and
// ahead; the WASM wheel against the reference heap.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import { RefWheel } from "../../src/core/ref/wheel.js";

function same(a: unknown, b: unknown, what: string): void {
  if (!Object.is(a, b)) throw new Error(`${what}: wasm ${String(a)} != ref ${String(b)}`);
}

describe("timing wheel in a dispatch loop vs reference heap", () => {
  it("dispatch loop: handlers schedule at and just after now while draining in small batches", async () => {
    const w = (await freshCore({ wheelEntries: 4096 })).wheel;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2000 })), { minLength: 1, maxLength: 60, size: "max" }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 20 }), { maxLength: 4 }),
        (seedTimes, batch, fanout) => {
          w.clear();
          const ref = new RefWheel(w.capacity, w.outCapacity);
          let arg = 0;
          for (const [, t] of seedTimes) {
            w.schedule(t, 0, arg);
            ref.schedule(t, 0, arg++);
          }
          let fires = 0;
          for (;;) {
            const now = w.nextTime();
            same(now, ref.nextTime(), "nextTime");
            if (now === Infinity || fires > 3000) break;
            const n = w.expire(now, batch);
            same(n, ref.expire(now, batch), `expire(${now}) count`);
            for (let i = 0; i < n; i++) {
              same(w.outArg[i], ref.outArg[i], `expire(${now}) out[${i}].arg`);
              same(w.outTime[i], ref.outTime[i], `expire(${now}) out[${i}].time`);
              // The handler schedules follow-ups: same time, later in this tick, and ahead.
              const a = w.outArg[i]!;
              for (const [j, d] of fanout.entries()) {
                if ((a + j) % 3 !== 0 || arg > 2500) continue;
                const t = j === 0 ? now : j === 1 ? now + 0.5 : now + d;
                w.schedule(t, 1, arg);
                ref.schedule(t, 1, arg++);
              }
            }
            fires += n;
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("a late schedule while a batch reads a staged run in place keeps the batch's due positions", async () => {
    // A granule's staged run with nothing listed after it is due in place (a
    // window into the staging area). A handler's schedule appended to due
    // first copies the window's unread part into the due array at the same
    // indices: the batch records due positions (batchPos), and the release of
    // what was dispatched walks them. Copied anywhere else (say to index 0),
    // the release frees the wrong cells and S + 3 is lost.
    const w = (await freshCore({ wheelEntries: 4096 })).wheel;
    const x = w.core.raw as unknown as { wheel_loop_step(n: number, done: number, limit: number, max: number): number };
    w.tuneStaging(1, 4096); // stage even a 3-cell level-1 slot
    const S = 2 ** 20; // level-1 slot 1
    for (const t of [S + 1, S + 2, S + 3]) w.schedule(t, 0, t - S);
    // One-entry batches: the slot is staged, granule 0's run is due in place.
    expect(x.wheel_loop_step(0, 0, S + 10, 1)).toBe(1);
    expect(w.outArg[0]).toBe(1);
    expect(x.wheel_loop_step(0, 1, S + 10, 1)).toBe(1); // S + 1 released
    expect(w.outArg[0]).toBe(2);
    // S + 2's handler schedules S + 5 (behind the drained cursor: appended to
    // due), filed by the step that releases S + 2.
    w.inTime[0] = S + 5;
    w.inKind[0] = 0;
    w.inArg[0] = 5;
    const n = x.wheel_loop_step(1, 1, S + 10, 8);
    expect(Array.from(w.outArg.slice(0, n))).toEqual([3, 5]);
    w.audit();
  });

  it("a batch that begins with the late heap's top goes on with due's run, and a partial dispatch of it is released right", async () => {
    // 1000, 2000, 3000 and 4000 ns share granule 0. The first batch drains it
    // (all four, pending). 1000's handler schedules 1500: behind due's tail
    // (4000), so to the late heap. The next call releases 1000, files 1500,
    // and returns 1500 (the heap's top, released by the call) followed by
    // due's run 2000, 3000, 4000 (still pending): one call, not one for 1500
    // and one for the run (before: it returned [1500] alone).
    const w = (await freshCore({ wheelEntries: 4096 })).wheel;
    const x = w.core.raw as unknown as { wheel_loop_step(n: number, done: number, limit: number, max: number): number };
    for (const t of [1000, 2000, 3000, 4000]) w.schedule(t, 0, t);
    expect(x.wheel_loop_step(0, 0, 10_000, 256)).toBe(4);
    w.inTime[0] = 1500;
    w.inKind[0] = 0;
    w.inArg[0] = 1500;
    let n = x.wheel_loop_step(1, 1, 10_000, 256);
    expect(Array.from(w.outArg.slice(0, n))).toEqual([1500, 2000, 3000, 4000]);
    expect(w.pending).toBe(3); // 1500 released by the call; the run pending
    w.audit();
    // 1500 and 2000 dispatched; 2000's handler schedules 2500 (late again):
    // the next call releases 2000 only, and 2500 leads the next batch.
    w.inTime[0] = 2500;
    w.inKind[0] = 0;
    w.inArg[0] = 2500;
    n = x.wheel_loop_step(1, 2, 10_000, 256);
    expect(Array.from(w.outArg.slice(0, n))).toEqual([2500, 3000, 4000]);
    expect(w.pending).toBe(2);
    w.audit();
    // Only 2500 dispatched (the loop stopped): 3000 and 4000 come again.
    n = x.wheel_loop_step(0, 1, 10_000, 256);
    expect(Array.from(w.outArg.slice(0, n))).toEqual([3000, 4000]);
    expect(x.wheel_loop_step(0, 2, 10_000, 256)).toBe(0);
    expect(w.pending).toBe(0);
    w.audit();
  });
});
