// With the zero cost model a NAPI poll charges nothing: the step that closes
// its softirq session, and the reader's wake-up step a delivered segment puts
// at now (CpuSched.addApp, virtually: EventLoop.atVirtual, staged only when
// its place in the order matters), run in the poll's own event when they
// would be the next event dispatched (CpuSched.runPoll: EventLoop.idleAfter,
// EventLoop.takeVirtual, EventLoop.takeBack). That must be invisible in what the model says: the same
// run with both refused (every such step dispatched as its own event) gives a
// byte-identical report and the same event count (a step run in place counts
// as the event it replaces).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { host, link, world } from "../sim/spec-helpers.js";

function spec(linkOver: object, flows: number): WorldSpec {
  return world(
    [host("a", 1, { cpus: 2 }), host("b", 2, { cpus: 2, listeners: [{ port: 5001, backlog: 128, accept: true }] })],
    [link("a", "b", linkOver)],
    [{ kind: "bulk", from: "a", to: "b", port: 5001, flows, bytes: 4e6, at: 0 }],
    { durationNs: 8e6 },
  );
}

async function run(s: WorldSpec, inPlace: boolean): Promise<{ json: string; events: number; ranAhead: number; taken: number }> {
  const w = new World(await createCore(coreConfigFor(s)), s);
  let taken = 0;
  if (!inPlace) {
    w.loop.idleAfter = () => false;
    w.loop.takeBack = () => false;
    // refused, the virtual step is staged at the end of the poll's event (materialize) and dispatched
    w.loop.takeVirtual = () => false;
  } else {
    const tb = w.loop.takeBack.bind(w.loop);
    w.loop.takeBack = (id, t) => {
      const r = tb(id, t);
      if (r) taken++;
      return r;
    };
    const tv = w.loop.takeVirtual.bind(w.loop);
    w.loop.takeVirtual = (t) => {
      const r = tv(t);
      if (r) taken++;
      return r;
    };
  }
  const json = JSON.stringify(buildReport(w, w.run()));
  return { json, events: w.loop.events, ranAhead: w.loop.ranAhead, taken };
}

describe("zero-cost CPU steps run in the poll's event", () => {
  for (const [name, linkOver, flows] of [
    ["one bulk flow, 10 Gbit", {}, 1],
    ["four flows, 1% loss (per-frame wire, SACK recovery)", { loss: 0.01 }, 4],
    ["two flows, 5% reordering", { reorder: 0.05 }, 2],
  ] as const) {
    it(`${name}: the same report with every step dispatched`, async () => {
      const s = spec(linkOver, flows);
      const a = await run(s, true);
      const b = await run(s, false);
      expect(b.ranAhead).toBe(0);
      // the paths under test ran: wake-up steps taken back, session ends run in place
      expect(a.taken).toBeGreaterThan(500);
      expect(a.ranAhead).toBeGreaterThan(a.taken);
      expect(a.events).toBe(b.events);
      expect(a.json).toBe(b.json);
    });
  }
});
