import { describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import { SkbCol, SkbF64Col, SKB_NONE, SKB_OFFSET_UNSET } from "../../src/core/skb-fields.js";

// assembly/skb.ts resetSkb writes every column by name (unrolled for speed),
// so a column added to the layout but not to resetSkb would leak a freed
// skb's value into the next allocation: dirty every column, free, allocate
// the same handles again (the free stack is LIFO) and expect fresh values.
describe("skb_alloc_burst resets every column", () => {
  const fresh: Record<keyof typeof SkbCol, number> = {
    len: 0, hdrLen: 0, mac: SKB_OFFSET_UNSET, network: SKB_OFFSET_UNSET, transport: SKB_OFFSET_UNSET,
    protocol: 0, hash: 0, hashFlags: 0, queue: 0, cpu: 0, gsoSize: 0, gsoSegs: 0, gsoType: 0,
    flags: 0, truesize: 0, sk: SKB_NONE, next: SKB_NONE, mark: 0, live: 1,
  };

  it("lists every u32 column", () => {
    expect(Object.keys(fresh).sort()).toEqual(Object.keys(SkbCol).sort());
    expect(Object.keys(SkbF64Col).sort()).toEqual(["born", "tstamp"]);
  });

  it("a reallocated skb carries nothing of its previous life", async () => {
    const core = await freshCore({ skbs: 32 });
    expect(core.allocBurst(8, 1)).toBe(8);
    const hs = Array.from(core.scratch.subarray(0, 8));
    for (const h of hs) {
      for (const k of Object.keys(SkbCol) as (keyof typeof SkbCol)[]) {
        if (k !== "live") core.skb[k][h] = 0x5a5a0000 + SkbCol[k];
      }
      core.skbTime.tstamp[h] = 12345.5;
      core.skbTime.born[h] = 777;
    }
    core.scratch.set(hs);
    expect(core.freeBurst(8)).toBe(8);
    expect(core.allocBurst(8, 42)).toBe(8);
    const again = Array.from(core.scratch.subarray(0, 8));
    expect(new Set(again)).toEqual(new Set(hs));
    for (const h of again) {
      for (const k of Object.keys(SkbCol) as (keyof typeof SkbCol)[]) expect([k, core.skb[k][h]]).toEqual([k, fresh[k]]);
      expect(core.skbTime.tstamp[h]).toBe(0);
      expect(core.skbTime.born[h]).toBe(42);
    }
  });
});
