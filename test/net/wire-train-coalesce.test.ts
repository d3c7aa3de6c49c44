// The link's train mode against per-frame mode (see wire-train.test.ts) with
// interrupt coalescing by frame counts: rx-frames (the far NIC is woken only at
// the arrival that fills rx-frames) and tx-usecs / tx-frames (a descriptor whose
// completion would only be counted gets no tx-done event of its own). Every
// number of the report must be the same; the event counts must drop.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { loadBuiltinScenario } from "../../src/scenario/builtin.js";
import { simulate, coreConfigForScenario } from "../../src/sim/simulate.js";
import type { Scenario } from "../../src/scenario/types.js";

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

describe("link: train mode = per-frame mode with rx-frames, tx-usecs and tx-frames", () => {
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

  it("tx-usecs 16 us, tx-frames 32 on a 2M SYN/s flood: the attacker's SYNs need about one tx-done event per 32", async () => {
    const base = loadBuiltinScenario("syn-flood-cookies-always");
    const nic = { rxUsecs: 16_000, rxFrames: 32, txUsecs: 16_000, txFrames: 32 };
    const s = {
      ...base,
      duration: 3_000_000,
      hosts: base.hosts.map((h) => ({ ...h, nic: { ...h.nic, ...nic } })),
      traffic: base.traffic.map((t) => (t.kind === "syn-flood" ? { ...t, rate: 2e6, count: 4000 } : t)),
    } as Scenario;
    const { train, perFrame } = await both(s);
    expect(train.json === perFrame.json).toBe(true);
    // per frame: a departure and an arrival event for each of ~8000 frames. Train mode: an arrival
    // event per ~32 frames, and a tx-done event per ~32 SYNs (the attacker sends them one at a time,
    // each completion only counted); the SYN-ACKs leave in bursts, each with its tx-done event
    expect(perFrame.events - train.events).toBeGreaterThan(0.8 * 8000 + 0.8 * 4000);
  });

  // tx-usecs / tx-frames: a descriptor whose completion would only be counted (the
  // completion IRQ already armed for later, or the TX NAPI scheduled for later)
  // gets no tx-done event; it is completed when the link next kicks or the IRQ/poll comes
  const txCoalesced: [string, number, Record<string, number>][] = [
    ["tx-bulk-10g-tso", 3_000_777, { txUsecs: 16_000, txFrames: 32 }],
    ["tx-bulk-10g-no-tso", 2_000_333, { txUsecs: 16_000, txFrames: 32 }],
    ["tx-bql-on", 8_000_101, { txUsecs: 50_000 }],
    ["tx-fq-fairness", 6_000_419, { txUsecs: 8_000, txFrames: 8 }],
    ["rx-rss-queues", 300_000, { txUsecs: 16_000, txFrames: 32, rxUsecs: 16_000, rxFrames: 32 }],
    ["tcp-incast-32", 12_000_000, { txUsecs: 20_000, txFrames: 4 }],
    ["flood-with-clients", 20_000_000, { txUsecs: 16_000, txFrames: 32, rxUsecs: 16_000, rxFrames: 32 }],
  ];
  for (const [name, durationNs, nic] of txCoalesced) {
    it(`${name} with ${JSON.stringify(nic)}: identical reports`, async () => {
      const base = loadBuiltinScenario(name);
      const s = { ...base, duration: durationNs, hosts: base.hosts.map((h) => ({ ...h, nic: { ...h.nic, ...nic } })) } as Scenario;
      const { train, perFrame } = await both(s);
      expect(train.json === perFrame.json, "reports differ").toBe(true);
      expect(JSON.parse(train.json).ledger.unaccounted).toBe(0);
      expect(train.events).toBeLessThan(perFrame.events);
    });
  }
});
