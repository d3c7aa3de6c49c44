// tso_segment (the NIC's TSO train path, src/net/nic-tx.ts txPopTrain) is
// gso_segment with its segments released for the wire: against gso_segment on
// a second core fed identically, then releaseForWire (the TS release NicTx
// uses), every result, header byte, column and counter must match; a failure
// (bad headers, no room, an empty pool: 40 skbs, checked to run dry) leaves
// the skb alone.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import type { Core } from "../../src/core/core.js";
import { createGso, SKB_GSO_TCPV4, SKB_GSO_TCPV6 } from "../../src/core/gso.js";
import { releaseForWire } from "../../src/net/nic-tx.js";
import { superPacket, skbSnapshot as snapshot } from "./build.js";

describe("tso_segment = gso_segment + release", () => {
  it("same segments, bytes and columns but the released ones", async () => {
    // 40 skbs: a split into 40..90 segments finds the pool short (noMem)
    const a = await freshCore({ skbs: 40, ioSlots: 256 });
    const b = await freshCore({ skbs: 40, ioSlots: 256 });
    expect(a.poolStats()).toEqual(b.poolStats());
    const ga = createGso(a);
    const gb = createGso(b);
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 65000 }),
        // an MSS near 1448 and a roomy output often ask for more skbs than the pool has
        fc.oneof(fc.integer({ min: 1, max: 9000 }), fc.integer({ min: 800, max: 1600 })),
        fc.integer({ min: 0, max: 200000 }),
        fc.double({ min: 0, max: 1e12, noNaN: true }),
        fc.oneof(fc.integer({ min: 0, max: 90 }), fc.constant(90)),
        fc.boolean(),
        (v6, payload, mss, truesize, tstamp, outMax, badType) => {
          const a0 = a.poolStats();
          const b0 = b.poolStats();
          const gsoType = badType ? 0 : v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4;
          const p = { v6, payload, mss, seq: 7, id: 3, flags: 0x18, df: true, ts: true, gsoType, truesize };
          const ha = superPacket(a, p);
          const hb = superPacket(b, p);
          a.skb.sk[ha] = b.skb.sk[hb] = 5;
          a.skbTime.tstamp[ha] = b.skbTime.tstamp[hb] = tstamp;
          const ka = ga.tsoSegment(ha, 0, outMax);
          const kb = gb.segment(hb, 0, outMax);
          expect(ka).toBe(kb);
          const sa = Array.from(a.scratch.subarray(0, ka));
          const sb = Array.from(b.scratch.subarray(0, kb));
          // a super-packet that fits one MSS comes back as itself
          expect(sa.map((h) => h === ha)).toEqual(sb.map((h) => h === hb));
          for (const h of sb) releaseForWire(b, h);
          expect(snapshot(a, sa)).toEqual(snapshot(b, sb));
          expect(ga.stats()).toEqual(gb.stats());
          // a failure leaves the super-packet as it was (owner, truesize, time): free it
          const left = ka === 0 ? [ha] : sa;
          if (ka === 0) expect([a.skb.sk[ha], a.skb.truesize[ha], a.skbTime.tstamp[ha]]).toEqual([5, truesize, tstamp]);
          for (const h of left) a.freeOne(h);
          for (const h of ka === 0 ? [hb] : sb) b.freeOne(h);
          const pa = a.poolStats();
          const pb = b.poolStats();
          // pool use of this run alone (a failed run before, while shrinking, may have left skbs behind)
          expect([pa.live - a0.live, pa.allocated - a0.allocated, pa.freed - a0.freed, pa.allocFail - a0.allocFail]).toEqual([
            pb.live - b0.live,
            pb.allocated - b0.allocated,
            pb.freed - b0.freed,
            pb.allocFail - b0.allocFail,
          ]);
          expect(pa.live - a0.live).toBe(0);
        },
      ),
      // besides the random ones: 65 segments, more than the pool holds
      { numRuns: 300, examples: [[false, 65000, 1000, 70000, 5, 90, false]] },
    );
    // the run covered an empty pool (else the failure path above went untested)
    expect(ga.stats().noMem).toBeGreaterThan(0);
  });
});
