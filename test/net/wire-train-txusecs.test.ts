// The link's train mode against per-frame mode (see wire-train.test.ts) with
// TX completion coalescing (tx-usecs, tx-frames): a descriptor whose completion
// would only be counted gets no tx-done event of its own, and on a one-queue
// NIC the plain frames posted behind it join its train. Every number of the
// report must be the same; the event counts must drop.
import { describe, expect, it } from "vitest";
import { loadBuiltinScenario } from "../../src/scenario/builtin.js";
import type { Scenario } from "../../src/scenario/types.js";
import { trainAndPerFrame as both } from "./train-modes.js";

describe("link: train mode = per-frame mode with tx-usecs and tx-frames", () => {
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
    // one queue: plain frames posted behind a quiet completion join its train
    ["tx-bulk-10g-no-tso", 2_000_333, { queues: 1, txUsecs: 16_000, txFrames: 32 }],
    ["tx-bulk-10g-tso", 3_000_777, { queues: 1, txUsecs: 30_000 }],
    ["tx-fq-fairness", 6_000_419, { queues: 1, txUsecs: 8_000, txFrames: 8 }],
    ["tcp-incast-32", 12_000_000, { queues: 1, txUsecs: 20_000, txFrames: 4 }],
    ["flood-with-clients", 20_000_000, { queues: 1, txUsecs: 16_000, txFrames: 32, rxUsecs: 16_000, rxFrames: 32 }],
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
  it("tx-usecs 16 us, tx-frames 32 on a 2M SYN/s flood: about one tx-done event per 32 frames", async () => {
    const base = loadBuiltinScenario("syn-flood-cookies-always");
    // one queue: the SYN-ACKs a poll posts join one train (with several, the wire picks the ring as each leaves)
    const nic = { queues: 1, rxUsecs: 16_000, rxFrames: 32, txUsecs: 16_000, txFrames: 32 };
    const s = {
      ...base,
      duration: 3_000_000,
      hosts: base.hosts.map((h) => ({ ...h, nic: { ...h.nic, ...nic } })),
      traffic: base.traffic.map((t) => (t.kind === "syn-flood" ? { ...t, rate: 2e6, count: 4000 } : t)),
    } as Scenario;
    const { train, perFrame } = await both(s);
    expect(train.json === perFrame.json).toBe(true);
    // per frame: a departure and an arrival event for each of ~8000 frames. Train mode: an arrival
    // event per ~32 frames, and a tx-done event per ~32 frames: the attacker's SYNs, sent one at a
    // time, and the server's SYN-ACKs, posted in bursts by a NAPI poll and put on the wire back
    // to back, complete quietly until tx-frames
    expect(perFrame.events - train.events).toBeGreaterThan(0.8 * 8000 + 0.8 * 8000);
  });
});
