// The TX latency histogram: log2 octaves with 16 linear sub-buckets, nearest-rank percentiles.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LatencyHist } from "../../src/sim/latency-hist.js";

describe("LatencyHist", () => {
  it("values below 16 ns are exact; above, a percentile is the floor of its 1/16-octave sub-bucket", () => {
    const h = new LatencyHist();
    for (const v of [0, 3, 15, 16, 17, 1000, 1023, 1024, 1100]) h.add(v);
    // 9 samples: ranks 1..9 = 0, 3, 15, 16, 17, 1000, 1023, 1024, 1100
    expect(h.percentile(10)).toBe(0);
    expect(h.percentile(20)).toBe(3);
    expect(h.percentile(30)).toBe(15);
    expect(h.percentile(40)).toBe(16);
    expect(h.percentile(50)).toBe(17);
    // 1000 in [512, 1024), step 32: floor(1000 / 32) = 31 -> 992
    expect(h.percentile(60)).toBe(992);
    expect(h.percentile(70)).toBe(992);
    expect(h.percentile(80)).toBe(1024);
    // 1100 in [1024, 2048), step 64: 17 x 64 = 1088
    expect(h.percentile(100)).toBe(1088);
    expect(h.maxNs).toBe(1100);
    expect(h.buckets()).toEqual([
      { fromNs: 0, toNs: 1, count: 1 },
      { fromNs: 2, toNs: 4, count: 1 },
      { fromNs: 8, toNs: 16, count: 1 },
      { fromNs: 16, toNs: 32, count: 2 },
      { fromNs: 512, toNs: 1024, count: 2 },
      { fromNs: 1024, toNs: 2048, count: 2 },
    ]);
  });

  it("a percentile is within 1/16 below the exact nearest-rank value (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 2 ** 31 - 64, max: 2 ** 31 + 64 }), fc.integer({ min: 0, max: 2 ** 31 })), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 100 }), (xs, p) => {
        const h = new LatencyHist();
        for (const x of xs) h.add(x);
        const sorted = [...xs].sort((a, b) => a - b);
        const exact = sorted[Math.ceil((p / 100) * xs.length) - 1]!;
        const got = h.percentile(p);
        expect(got).toBeLessThanOrEqual(exact);
        expect(got).toBeGreaterThanOrEqual(exact < 16 ? exact : exact - exact / 16);
        expect(h.buckets().reduce((s, b) => s + b.count, 0)).toBe(xs.length);
      }),
    );
  });
});
