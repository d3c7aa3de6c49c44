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

  // rx-frames with rx-usecs: the link wakes the NIC only at the arrival that fills rx-frames
  // (the least room over the unmasked queues), the frames before land silently
  const framed: [string, number, number, number][] = [
    ["rx-gro-on-off", 5_000_000, 50_000, 16],
    ["rx-rss-queues", 300_000, 20_000, 8],
    ["rx-rps-single-queue", 2_000_000, 30_000, 5],
    ["flood-with-clients", 20_000_000, 8_000, 3],
    ["tcp-incast-32", 12_000_000, 10_000, 4],
  ];
  for (const [name, durationNs, rxUsecs, rxFrames] of framed) {
    it(`${name} with rx-usecs ${rxUsecs / 1000} us, rx-frames ${rxFrames}: identical reports`, async () => {
      const base = loadBuiltinScenario(name);
      const s = { ...base, duration: durationNs, hosts: base.hosts.map((h) => ({ ...h, nic: { ...h.nic, rxUsecs, rxFrames } })) } as Scenario;
      const { train, perFrame } = await both(s);
      expect(train.json === perFrame.json, "reports differ").toBe(true);
      const r = JSON.parse(train.json);
      expect(r.ledger.unaccounted).toBe(0);
      expect(train.events).toBeLessThan(perFrame.events);
    });
  }

  it("rx-frames 32 on a 2M SYN/s flood: about one wake-up per 32 arrivals, not one per frame", async () => {
    const base = loadBuiltinScenario("syn-flood-cookies-always");
    const s = {
      ...base,
      duration: 3_000_000,
      hosts: base.hosts.map((h) => ({ ...h, nic: { ...h.nic, rxUsecs: 16_000, rxFrames: 32 } })),
      traffic: base.traffic.map((t) => (t.kind === "syn-flood" ? { ...t, rate: 2e6, count: 4000 } : t)),
    } as Scenario;
    const { train, perFrame } = await both(s);
    expect(train.json === perFrame.json).toBe(true);
    const r = JSON.parse(train.json);
    expect(r.hosts.server.nstat.TcpExtSyncookiesSent).toBeGreaterThan(3900);
    // each of ~8000 frames (SYNs and SYN-ACKs) is an arrival event per frame; in train mode ~1 in 32 is
    expect(perFrame.events - train.events).toBeGreaterThan(0.8 * 8000);
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
