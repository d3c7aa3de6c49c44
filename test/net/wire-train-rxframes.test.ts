// The link's train mode against per-frame mode (see wire-train.test.ts) with
// rx-frames interrupt coalescing: the far NIC is woken only at the arrival that
// fills rx-frames. Every number of the report must be the same; the event
// counts must drop.
import { describe, expect, it } from "vitest";
import { loadBuiltinScenario } from "../../src/scenario/builtin.js";
import type { Scenario } from "../../src/scenario/types.js";
import { trainAndPerFrame as both } from "./train-modes.js";

describe("link: train mode = per-frame mode with rx-frames", () => {
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
    // every SYN that reaches TCP (random sources: about 1 in 15 is martian and dies in IP, test/net/martian-source)
    expect(r.hosts.server.nstat.TcpExtSyncookiesSent).toBe(r.hosts.server.nstat.TcpInSegs);
    expect(r.hosts.server.nstat.TcpExtSyncookiesSent).toBeGreaterThan(3600);
    // each of ~8000 frames (SYNs and SYN-ACKs) is an arrival event per frame; in train mode ~1 in 32 is
    expect(perFrame.events - train.events).toBeGreaterThan(0.8 * 8000);
  });
});
