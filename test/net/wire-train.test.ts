// The link's train mode (a TX descriptor's frames put on the wire at once with
// computed start, end and arrival times, counters brought up to date lazily,
// frames handed to the far NIC when it looks unless it would react to the
// arrival) against per-frame mode (one event per departure and per arrival;
// forced here by a capture tap that records nothing): every number of the
// report must be the same, including runs that end in the middle of a TSO
// train, RX interrupt coalescing, RPS, aRFS filters and RX ring overflow.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { loadBuiltinScenario } from "../../src/scenario/builtin.js";
import { simulate, coreConfigForScenario } from "../../src/sim/simulate.js";
import type { Scenario } from "../../src/scenario/types.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";

/** The report without `events` (the simulator's own event count, which train mode lowers). */
function modelJson(r: ReturnType<typeof simulate>): { json: string; events: number } {
  const { events, ...rest } = r;
  return { json: JSON.stringify(rest), events };
}

async function both(s: Scenario) {
  const core1 = await createCore(coreConfigForScenario(s));
  const train = modelJson(simulate(core1, s));
  const core2 = await createCore(coreConfigForScenario(s));
  const perFrame = modelJson(simulate(core2, s, { tap: () => () => {} }));
  return { train, perFrame };
}

describe("link: train mode = per-frame mode", () => {
  // durations chosen to stop mid-train (a 45-segment descriptor lasts ~55 us at 10 Gbit, ~550 us at 1 Gbit)
  const cases: [string, number][] = [
    ["tx-bulk-10g-tso", 3_000_777],
    ["tx-bulk-10g-no-tso", 2_000_333],
    ["tx-bql-on", 8_000_101],
    ["tx-fq-fairness", 6_000_419],
    ["rx-rss-queues", 300_000],
    ["default", 30e6],
    ["rx-gro-on-off", 5_000_000],
    ["rx-rfs-arfs", 3_000_000],
    ["rx-rps-single-queue", 2_000_000],
    ["tcp-incast-32", 12_000_000],
    ["rx-defer-irqs", 3_000_000],
  ];
  for (const [name, durationNs] of cases) {
    it(`${name} (${durationNs} ns): identical reports`, async () => {
      const s = { ...loadBuiltinScenario(name), duration: durationNs } as Scenario;
      const { train, perFrame } = await both(s);
      expect(train.json === perFrame.json, "reports differ").toBe(true);
      expect(JSON.parse(train.json).ledger.unaccounted).toBe(0);
      expect(train.events).toBeLessThanOrEqual(perFrame.events);
      if (name === "tcp-incast-32") expect(JSON.parse(train.json).ledger.dropped.NIC_RX_MISSED).toBeGreaterThan(0);
    });
  }

  it("with RX coalescing the far NIC is woken far less often than once per frame", async () => {
    const s = { ...loadBuiltinScenario("rx-gro-on-off"), duration: 5_000_000 } as Scenario;
    const { train, perFrame } = await both(s);
    expect(train.json === perFrame.json).toBe(true);
    // rx-usecs 50 us: ~40 frames per interrupt, so most arrivals need no event of their own
    expect(train.events).toBeLessThan(perFrame.events / 2);
  });

  it("mid-train, the counters count only frames that have started / ended, and train mode is on", async () => {
    const s = { ...loadBuiltinScenario("tx-bulk-10g-tso"), duration: 1e9 } as Scenario;
    const spec = worldSpecFromScenario(s);
    const w = new World(await createCore(coreConfigFor(spec)), spec);
    const d = w.linkDirections()[0]!;
    expect(d.train).toBe(true);
    for (const t of w.traffic) t.start();
    // 1538 wire bytes per full frame at 10 Gbit: 1230.4 ns; sample the counters at odd times inside trains
    let last = 0;
    for (let t = 2e6; t < 2.2e6; t += 7_919) {
      w.loop.run(t);
      const p = d.packets;
      expect(p).toBeGreaterThanOrEqual(last);
      last = p;
      const q = w.hosts.get("sender")!.nics[0]!.tx.stats[0]!.packets;
      // started but not ended: at most the one frame being serialized
      expect(q - p).toBeGreaterThanOrEqual(0);
      expect(q - p).toBeLessThanOrEqual(1);
    }
  });
});
