// The out-of-order queue's ranges (src/tcp/ofo-queue.ts): finding the skb
// that ends a range and appending an skb stay O(1) when frames arrive in
// sequence after a hole (GRO off: one skb per MAX_SKB_FRAGS+1 frames, or per
// frame for frag_list aggregates), and the ranges keep their invariants
// against a plain reference under random arrivals.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OFO_DSACK_EXTEND, OFO_DSACK_SET, OFO_SKB, OfoRange, ofoEffects, ofoInsert } from "../../src/tcp/ofo-queue.js";
import { FRAG_LIST } from "../../src/tcp/skb-coalesce.js";

/** Reference: the skb with the highest end_seq, the later one on a tie. */
function refLastSkb(s: number[]): number {
  let k = s.length - OFO_SKB;
  for (let j = k; j >= 0; j -= OFO_SKB) if (s[j + 1]! > s[k + 1]!) k = j;
  return k;
}

/** Wrap a range's skbs to count element reads and array-method lookups. */
function counted(r: OfoRange): { reads: () => number; methods: string[] } {
  let reads = 0;
  const methods: string[] = [];
  const p = new Proxy(r.skbs, {
    get(target, key, recv) {
      if (typeof key === "string" && /^\d+$/.test(key)) reads++;
      else if (typeof key === "string" && typeof (target as unknown as Record<string, unknown>)[key] === "function") methods.push(key);
      return Reflect.get(target, key, recv);
    },
  });
  (r as unknown as { skbs: number[] }).skbs = p;
  return { reads: () => reads, methods };
}

describe("OfoRange: the range's end and appends are O(1) in a long range", () => {
  it("2000 frag_list frames in sequence: 2000 skbs; lastSkb reads a couple of entries, an append is a push", () => {
    const q: OfoRange[] = [];
    for (let i = 0; i < 2000; i++) expect(ofoInsert(q, 1448 * (i + 1), 1448 * (i + 2), 2304, FRAG_LIST, 0)).toBe(2304);
    expect(q.length).toBe(1);
    const r = q[0]!;
    expect(r.skbs.length).toBe(2000 * OFO_SKB);
    const c = counted(r);
    expect(r.lastSkb()).toBe(1999 * OFO_SKB);
    expect(c.reads()).toBeLessThanOrEqual(4);
    r.addSkb(1448 * 2001, 1448 * 2002, 2304, FRAG_LIST, 0);
    expect(c.methods).not.toContain("splice");
    expect(r.skbs.slice(2000 * OFO_SKB)).toEqual([1448 * 2001, 1448 * 2002, 2304, FRAG_LIST, 0]);
  });

  it("an skb placed before the last one is still spliced in by seq", () => {
    const r = new OfoRange(100, 200, 1000, 0, 0);
    r.addSkb(300, 400, 1000, 0, 0);
    r.addSkb(150, 350, 1000, 0, 0);
    expect(r.skbs.filter((_, i) => i % OFO_SKB === 0)).toEqual([100, 150, 300]);
  });
});

/** Each range: skbs by seq, their union contiguous; start/end/truesize from them; layout of lastSkb, which matches the full scan. */
function check(q: OfoRange[]): void {
  for (let i = 0; i < q.length; i++) {
    const r = q[i]!;
    const k = refLastSkb(r.skbs);
    expect(r.lastSkb()).toBe(k);
    let min = Infinity;
    let max = -Infinity;
    let ts = 0;
    for (let j = 0; j < r.skbs.length; j += OFO_SKB) {
      if (j > 0) {
        expect(r.skbs[j]!).toBeGreaterThanOrEqual(r.skbs[j - OFO_SKB]!);
        expect(r.skbs[j]!).toBeLessThanOrEqual(max); // one contiguous range
      }
      min = Math.min(min, r.skbs[j]!);
      max = Math.max(max, r.skbs[j + 1]!);
      ts += r.skbs[j + 2]!;
    }
    expect([r.start, r.end, r.truesize]).toEqual([min, max, ts]);
    expect([r.frags, r.tailroom]).toEqual([r.skbs[k + 3], r.skbs[k + 4]]);
    if (i > 0) expect(q[i - 1]!.end).toBeLessThan(r.start);
  }
}

describe("ofoInsert against a reference", () => {
  it("random arrivals, then pruning from the highest seq (dropLastSkb): skbs by seq, each range's start/end/truesize/layout from its skbs, lastSkb as the full scan", () => {
    const seg = fc.record({ off: fc.integer({ min: 1, max: 60 }), len: fc.integer({ min: 1, max: 8 }), frags: fc.constantFrom(0, 0, 1, 3, FRAG_LIST), tail: fc.constantFrom(0, 150, 5000) });
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 80 }), (segs) => {
        const q: OfoRange[] = [];
        let charged = 0;
        for (const s of segs) {
          const ch = ofoInsert(q, s.off * 100, (s.off + s.len) * 100, 2304, s.frags, s.frags === 0 ? s.tail : 0);
          if (ch >= 0) charged += ch;
          charged -= ofoEffects.freed;
          check(q);
        }
        expect(q.reduce((a, r) => a + r.truesize, 0)).toBe(charged);
        // tcp_prune_ofo_queue's order: the highest seq first, every range left whole and consistent
        while (q.length > 0) {
          const r = q[q.length - 1]!;
          const ts = r.skbs[r.skbs.length - OFO_SKB + 2]!;
          expect(r.dropLastSkb()).toBe(ts);
          charged -= ts;
          if (r.skbs.length === 0) q.pop();
          check(q);
          expect(q.reduce((a, x) => a + x.truesize, 0)).toBe(charged);
        }
      }),
      { numRuns: 300, seed: 9 },
    );
  });
});

describe("tcp_data_queue_ofo's covering rules (6.12)", () => {
  const seqs = (q: OfoRange[]) => q.map((r) => r.skbs.filter((_, i) => i % OFO_SKB < 2));
  it("[100,200) [200,300) then [150,250): only partial overlaps, so it is queued: D-SACK set [150,200), extended [200,250)", () => {
    const q: OfoRange[] = [];
    ofoInsert(q, 100, 200, 1000, FRAG_LIST, 0);
    ofoInsert(q, 200, 300, 1000, FRAG_LIST, 0);
    expect(ofoInsert(q, 150, 250, 1000, FRAG_LIST, 0)).toBe(1000);
    expect(seqs(q)).toEqual([[100, 200, 150, 250, 200, 300]]);
    expect(ofoEffects.dsack).toEqual([OFO_DSACK_SET, 150, 200, OFO_DSACK_EXTEND, 200, 250]);
    expect([ofoEffects.dropped, q[0]!.truesize]).toEqual([0, 3000]);
  });
  it("[100,200) then [100,300): replaces it (dropped, D-SACK extended over it) and covers [250,300) too", () => {
    const q: OfoRange[] = [];
    ofoInsert(q, 100, 200, 1000, FRAG_LIST, 0);
    ofoInsert(q, 250, 300, 700, FRAG_LIST, 0);
    ofoInsert(q, 400, 500, 900, FRAG_LIST, 0);
    expect(ofoInsert(q, 100, 300, 1500, FRAG_LIST, 0)).toBe(1500);
    expect(seqs(q)).toEqual([[100, 300], [400, 500]]);
    expect(ofoEffects.dsack).toEqual([OFO_DSACK_EXTEND, 100, 200, OFO_DSACK_EXTEND, 250, 300]);
    expect([ofoEffects.dropped, ofoEffects.freed, q[0]!.truesize]).toEqual([2, 1700, 1500]);
  });
  it("a new skb inside one skb is dropped; one spanning two skbs' union is not", () => {
    const q: OfoRange[] = [];
    ofoInsert(q, 100, 200, 1000, FRAG_LIST, 0);
    ofoInsert(q, 200, 300, 1000, FRAG_LIST, 0);
    expect(ofoInsert(q, 120, 200, 1000, FRAG_LIST, 0)).toBe(-1);
    expect(ofoEffects.dsack).toEqual([OFO_DSACK_SET, 120, 200]);
    expect(ofoInsert(q, 120, 220, 1000, FRAG_LIST, 0)).toBe(1000);
    expect(seqs(q)).toEqual([[100, 200, 120, 220, 200, 300]]);
  });
});
