import { describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import { SkbCol, SkbF64Col, SKB_NONE } from "../../src/core/skb-fields.js";
import type { Core } from "../../src/core/core.js";

const allocCopy = (core: Core, n: number, src: number): number =>
  (core.raw as unknown as { skb_alloc_copy_burst(out: number, n: number, src: number): number }).skb_alloc_copy_burst(core.scratchAddr(0), n, src);

// assembly/skb.ts copySkb (GSO's segments: skb_alloc_copy_burst) names every
// column, as resetSkb does, so a column added to the layout but not to copySkb
// would leak a freed skb's value into a segment: dirty every column of the
// handles about to be reused, then allocate them as copies of a source skb
// and expect the source's values (GSO fields 0, next none though the
// source's is set, live 1).
describe("skb_alloc_copy_burst copies every column", () => {
  const fixed: Partial<Record<keyof typeof SkbCol, number>> = { gsoSize: 0, gsoSegs: 0, gsoType: 0, next: SKB_NONE, live: 1 };

  it("lists every column", () => {
    expect(Object.keys(SkbF64Col).sort()).toEqual(["born", "tstamp"]);
  });

  it("a segment carries its source's metadata and nothing of its previous life", async () => {
    const core = await freshCore({ skbs: 32 });
    const src = core.allocOne(0);
    for (const k of Object.keys(SkbCol) as (keyof typeof SkbCol)[]) {
      if (k !== "live" && k !== "next") core.skb[k][src] = 0x33330000 + SkbCol[k];
    }
    core.skbTime.tstamp[src] = 987.25;
    core.skbTime.born[src] = 55.5;
    // a segment starts its own list: src's next, set to a live handle here, must not be copied
    const other = core.allocOne(0);
    core.skb.next[src] = other;
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
    const before = core.poolStats();
    expect(allocCopy(core, 8, src)).toBe(8);
    expect(core.poolStats().live).toBe(before.live + 8);
    const again = Array.from(core.scratch.subarray(0, 8));
    expect(new Set(again)).toEqual(new Set(hs));
    for (const h of again) {
      for (const k of Object.keys(SkbCol) as (keyof typeof SkbCol)[]) {
        expect([k, core.skb[k][h]]).toEqual([k, fixed[k] ?? 0x33330000 + SkbCol[k]]);
      }
      expect(core.skbTime.tstamp[h]).toBe(987.25);
      expect(core.skbTime.born[h]).toBe(55.5);
    }
  });

  it("a short pool gives what it has and counts the rest as alloc failures", async () => {
    const core = await freshCore({ skbs: 4 });
    const src = core.allocOne(0);
    const fail0 = core.poolStats().allocFail;
    expect(allocCopy(core, 8, src)).toBe(3);
    expect(core.poolStats().allocFail).toBe(fail0 + 5);
  });
});
