// EventLoop.atVirtual (src/sim/loop.ts) when a handler throws with its virtual schedule still pending: run()'s
// finally files what was staged (flush) so that the wheel stays whole; the virtual schedule must be staged with
// them, in its place, while the loop still stages (dispatching), not filed straight into the wheel ahead of the
// staged ones (which would shift the ids at() returned for them and replace the handler's error with the
// loop's "staged schedules got other ids" one).
import { describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import { EventLoop } from "../../src/sim/loop.js";

describe("EventLoop.atVirtual: a handler that throws with a virtual schedule pending", () => {
  it("run() rethrows the handler's own error; the virtual event and the staged one stay on the wheel, in order", async () => {
    const core = await freshCore({ wheelEntries: 1024 });
    const loop = new EventLoop(core.wheel);
    const log: string[] = [];
    let sunk = -1;
    const k = loop.register("k", (a, t) => {
      log.push(`${a}@${t}`);
      if (a === 1) {
        loop.atVirtual(t, k, 10);
        loop.at(t + 5, k, 11); // later than the virtual one: staged, the virtual one not
        throw new Error("boom");
      }
    });
    loop.setVirtualSink(k, (_arg, id) => {
      sunk = id;
    });
    loop.at(100, k, 1);
    expect(() => loop.run(Infinity)).toThrow("boom");
    expect(sunk).toBeGreaterThanOrEqual(0);
    expect(core.wheel.pending).toBe(2);
    core.wheel.audit();
    // the run goes on from there: the virtual event at 100 first, then 105
    loop.run(Infinity);
    expect(log).toEqual(["1@100", "10@100", "11@105"]);
    expect(core.wheel.pending).toBe(0);
  });
});
