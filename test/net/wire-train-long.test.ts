// Train mode against per-frame mode (see wire-train.test.ts) past 2^34 ns (~17.2 s) of simulated
// time, where a double's spacing (2^-18 ns) outgrows the 1e-6 ns a per-frame pull once took for
// "strictly before now": now - 1e-6 === now there. The shape that needs it: a TX completion IRQ
// timer (tx-usecs) firing at the very instant a frame arrives that left after the timer was armed.
// Per-frame mode runs the IRQ first (its event is older), so train mode's pull before the IRQ
// (RxSource.pullFor) must leave that frame on the wire. Integer-ns times make such ties exact: at
// 10 Mbit a 1538-byte frame serializes in 1230400 ns, and tx-usecs 89 us with an 8 us delay puts
// the sender's IRQ on the arrival of an ACK (found by measuring the gap at 16 us and adding it).
import { describe, expect, it } from "vitest";
import { loadBuiltinScenario } from "../../src/scenario/builtin.js";
import type { Scenario } from "../../src/scenario/types.js";
import { WireFifo } from "../../src/net/wire-fifo.js";
import { trainAndPerFrame as both } from "./train-modes.js";

describe("link: train mode = per-frame mode past 2^34 ns", () => {
  it("18 s of a 10 Mbit bulk flow with tx-usecs 89 us: identical reports, with IRQ/arrival ties past 2^34 ns", async () => {
    const base = loadBuiltinScenario("tx-bulk-10g-no-tso");
    const s = {
      ...base,
      duration: 18e9,
      hosts: base.hosts.map((h) => ({ ...h, nic: { ...h.nic, txUsecs: 89_000 } })),
      links: base.links.map((l) => ({ ...l, rate: 10e6, delay: 8_000 })),
    } as Scenario;
    // count the shape under test: a pull before an event of instant `now` inserted at `insertedAt`
    // finds a frame arriving at now that left at or after insertedAt (it must stay), past 2^34 ns
    let lateTies = 0;
    const arrivedFor = WireFifo.prototype.arrivedFor;
    WireFifo.prototype.arrivedFor = function (this: WireFifo, now: number, insertedAt: number): number {
      const k = arrivedFor.call(this, now, insertedAt);
      const f = this as unknown as { head: number; tail: number; mask: number; tArr: Float64Array; tEnd: Float64Array };
      const i = (f.head + k) & f.mask;
      if (now > 2 ** 34 && f.head + k < f.tail && f.tArr[i] === now && f.tEnd[i]! >= insertedAt) lateTies++;
      return k;
    };
    try {
      const { train, perFrame } = await both(s);
      expect(train.json === perFrame.json, "reports differ").toBe(true);
      const r = JSON.parse(train.json);
      expect(r.ledger.unaccounted).toBe(0);
      // the run reaches past 2^34 ns with traffic flowing: ~814 full frames/s for 18 s
      expect(r.links[0].packets).toBeGreaterThan(14_000);
      expect(lateTies).toBeGreaterThan(100);
    } finally {
      WireFifo.prototype.arrivedFor = arrivedFor;
    }
  });
});
