// tcp_tso_segs is asked on every write; data-out.ts reuses its answer for every pacing rate from
// TSO_RATE_CAP up. That holds only if the kernel's answer is the same for all of them, whatever
// min_rtt adds: checked against the WASM tcp_tso_segs over random rates, RTTs and MSS.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import { createGso } from "../../src/core/gso.js";
import { GSO_MAX_SIZE, SK_PACING_SHIFT, TSO_RATE_CAP } from "../../src/tcp/data-out.js";

describe("tcp_tso_segs above TSO_RATE_CAP", () => {
  it("is the same for every pacing rate from the cap up (sk_gso_max_size caps the bytes)", async () => {
    const gso = createGso(await freshCore({ skbs: 16 }));
    const args = (pacingRate: number, minRttUs: number, mss: number, rttLog: number) =>
      ({ pacingRate, minRttUs, mss, gsoMaxSize: GSO_MAX_SIZE, pacingShift: SK_PACING_SHIFT, rttLog, minSegs: 2 });
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: TSO_RATE_CAP, max: 2 ** 45 }), fc.constant(2 ** 52)),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 88, max: 9000 }),
        fc.integer({ min: 0, max: 12 }),
        (rate, minRtt, mss, rttLog) => {
          expect(gso.tsoSegs(args(rate, minRtt, mss, rttLog))).toBe(gso.tsoSegs(args(TSO_RATE_CAP, minRtt, mss, rttLog)));
        },
      ),
      { numRuns: 300 },
    );
    // and just below the cap, a long min_rtt adds nothing: the answer is smaller (the cap is tight);
    // MSS 13043 divides sk_gso_max_size 65215 five times, the rate 2048 below it gives 65213 bytes: 4
    expect(GSO_MAX_SIZE).toBe(65215);
    expect([gso.tsoSegs(args(TSO_RATE_CAP - 2048, 1_000_000, 13043, 9)), gso.tsoSegs(args(TSO_RATE_CAP, 1_000_000, 13043, 9))]).toEqual([4, 5]);
  });
});
