// The out-of-order queue's ranges (src/tcp/ofo-queue.ts): an append stays
// O(1) when frames arrive in sequence after a hole (GRO off: one skb per
// MAX_SKB_FRAGS+1 frames, or per frame for frag_list aggregates), so does
// dropping the last skb (tcp_prune_ofo_queue), and the
// ranges hold exactly the skbs a plain list run by tcp_data_queue_ofo's rules
// (6.12) holds, under random arrivals and prunes from the highest seq.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OFO_DSACK_EXTEND, OFO_DSACK_SET, OFO_SKB, OfoRange, ofoEffects, ofoInsert } from "../../src/tcp/ofo-queue.js";
import { FRAG_LIST, skbTryCoalesce } from "../../src/tcp/skb-coalesce.js";

/** Wrap a range's skbs and reach to count element reads and array-method lookups. */
function counted(r: OfoRange): { reads: () => number; methods: string[] } {
  let reads = 0;
  const methods: string[] = [];
  const wrap = (a: number[]): number[] =>
    new Proxy(a, {
      get(target, key, recv) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        else if (typeof key === "string" && typeof (target as unknown as Record<string, unknown>)[key] === "function") methods.push(key);
        return Reflect.get(target, key, recv);
      },
    });
  const w = r as unknown as { skbs: number[]; reach?: number[] };
  w.skbs = wrap(w.skbs);
  if (w.reach) w.reach = wrap(w.reach);
  return { reads: () => reads, methods };
}

describe("OfoRange: appends are O(1) in a long range", () => {
  it("2000 frag_list frames in sequence: 2000 skbs; the next one reads ooo_last_skb only and is a push", () => {
    const q: OfoRange[] = [];
    for (let i = 0; i < 2000; i++) expect(ofoInsert(q, 1448 * (i + 1), 1448 * (i + 2), 2304, FRAG_LIST, 0)).toBe(2304);
    expect(q.length).toBe(1);
    const r = q[0]!;
    expect(r.skbs.length).toBe(2000 * OFO_SKB);
    const c = counted(r);
    expect(ofoInsert(q, 1448 * 2001, 1448 * 2002, 2304, FRAG_LIST, 0)).toBe(2304);
    expect(c.reads()).toBeLessThanOrEqual(6);
    expect(c.methods).not.toContain("splice");
    expect(r.skbs.slice(2000 * OFO_SKB)).toEqual([1448 * 2001, 1448 * 2002, 2304, FRAG_LIST, 0]);
    expect([r.start, r.end, r.truesize]).toEqual([1448, 1448 * 2002, 2001 * 2304]);
  });

  it("tcp_prune_ofo_queue's drops from a 2000-skb range read a few numbers each, whether or not the last skb ends the range", () => {
    const q: OfoRange[] = [];
    // 2000 skbs of 15 frags each in sequence (15 + 15 ≥ MAX_SKB_FRAGS: none coalesced), a hole, then B
    for (let i = 0; i < 2000; i++) ofoInsert(q, 1448 * (i + 1), 1448 * (i + 2), 2304, 15, 0);
    ofoInsert(q, 1448 * 2002, 1448 * 2002 + 100, 1280, 15, 0);
    // a linear skb filling the hole and more: coalesced into the 2000th skb (15 + 0 < 17), which now covers B
    expect(ofoInsert(q, 1448 * 2001, 1448 * 2003, 2304, 0, 0)).toBe(2048);
    expect(q.length).toBe(1);
    const r = q[0]!;
    expect(r.skbs.length).toBe(2001 * OFO_SKB);
    expect(r.end).toBe(1448 * 2003);
    const c = counted(r);
    let max = 0;
    for (let n = 2001; n > 1; n--) {
      const before = c.reads();
      r.dropLastSkb();
      max = Math.max(max, c.reads() - before);
      // the highest end_seq left: the grown skb's while it stays, then the last frame's
      expect(r.end).toBe(n === 2001 ? 1448 * 2003 : 1448 * n);
    }
    expect(max).toBeLessThanOrEqual(4);
    expect(c.methods).not.toContain("splice");
  });

  it("dropping the last skb: the range ends at the highest end_seq left, not the last skb's", () => {
    const q: OfoRange[] = [];
    ofoInsert(q, 100, 200, 1000, 0, 0);
    ofoInsert(q, 300, 400, 1000, FRAG_LIST, 0);
    ofoInsert(q, 200, 500, 1000, 0, 0); // coalesced into [100, 200): it covers [300, 400)
    ofoInsert(q, 400, 450, 1000, FRAG_LIST, 0); // after ooo_last_skb [300, 400)
    expect(q[0]!.skbs.filter((_, i) => i % OFO_SKB < 2)).toEqual([100, 500, 300, 400, 400, 450]);
    const r = q[0]!;
    expect([r.dropLastSkb(), r.end]).toEqual([1000, 500]);
    expect([r.dropLastSkb(), r.end]).toEqual([1000, 500]);
    expect(r.dropLastSkb()).toBe(1000 + 1000 - 256);
    expect(r.skbs.length).toBe(0);
  });
});

/** Each range: skbs by seq, their union contiguous; start/end/truesize from them; ranges apart. */
function check(q: OfoRange[]): void {
  for (let i = 0; i < q.length; i++) {
    const r = q[i]!;
    let max = -Infinity;
    let ts = 0;
    for (let j = 0; j < r.skbs.length; j += OFO_SKB) {
      if (j > 0) {
        expect(r.skbs[j]!).toBeGreaterThan(r.skbs[j - OFO_SKB]!);
        expect(r.skbs[j]!).toBeLessThanOrEqual(max); // one contiguous range
      }
      max = Math.max(max, r.skbs[j + 1]!);
      ts += r.skbs[j + 2]!;
    }
    expect([r.start, r.end, r.truesize]).toEqual([r.skbs[0], max, ts]);
    // reach: the running highest end_seq
    const reach: number[] = [];
    for (let j = 0; j < r.skbs.length; j += OFO_SKB) reach.push(Math.max(reach[reach.length - 1] ?? -Infinity, r.skbs[j + 1]!));
    expect(r.reach).toEqual(reach);
    if (i > 0) expect(q[i - 1]!.end).toBeLessThan(r.start);
  }
}

/** Reference: tcp_data_queue_ofo (6.12) on a plain list of skbs [seq, end, truesize, frags, tailroom] by seq,
 *  the walk meeting the floor (the skb with the highest seq not above the new one's). */
function refInsert(l: number[][], seq: number, end: number, ts: number, frags: number, tail: number): { charge: number; dsack: number[]; dropped: number; freed: number } {
  const fx = { charge: ts, dsack: [] as number[], dropped: 0, freed: 0 };
  const coalesce = (k: number): number => {
    const x = l[k]!;
    if (x[1] !== seq) return -1;
    const shape = { frags: x[3]!, tailroom: x[4]! };
    const d = skbTryCoalesce(shape, end - seq, frags, ts);
    if (d < 0) return -1;
    l[k] = [x[0]!, end, x[2]! + d, shape.frags, shape.tailroom];
    return d;
  };
  const drop = (k: number): void => {
    fx.dropped++;
    fx.freed += l[k]![2]!;
    l.splice(k, 1);
  };
  if (l.length === 0) {
    l.push([seq, end, ts, frags, tail]);
    return fx;
  }
  const last = l.length - 1;
  const d = coalesce(last);
  if (d >= 0) return { ...fx, charge: d };
  if (seq >= l[last]![1]!) {
    l.push([seq, end, ts, frags, tail]);
    return fx;
  }
  let f = -1;
  for (let k = 0; k < l.length; k++) if (l[k]![0]! <= seq) f = k;
  let pos = f + 1;
  if (f >= 0) {
    const x = l[f]!;
    if (seq < x[1]!) {
      if (end <= x[1]!) {
        fx.dsack.push(OFO_DSACK_SET, seq, end);
        return { ...fx, charge: -1 };
      }
      if (seq > x[0]!) fx.dsack.push(OFO_DSACK_SET, seq, x[1]!);
      else {
        fx.dsack.push(OFO_DSACK_EXTEND, x[0]!, x[1]!);
        drop(f);
        pos = f;
      }
    } else {
      const d2 = coalesce(f);
      if (d2 >= 0) return { ...fx, charge: d2 };
    }
  }
  l.splice(pos, 0, [seq, end, ts, frags, tail]);
  while (pos + 1 < l.length && l[pos + 1]![0]! < end) {
    const x = l[pos + 1]!;
    if (end < x[1]!) {
      fx.dsack.push(OFO_DSACK_EXTEND, x[0]!, end);
      break;
    }
    fx.dsack.push(OFO_DSACK_EXTEND, x[0]!, x[1]!);
    drop(pos + 1);
  }
  return fx;
}

const flat = (q: OfoRange[]): number[][] => {
  const out: number[][] = [];
  for (const r of q) for (let k = 0; k < r.skbs.length; k += OFO_SKB) out.push(r.skbs.slice(k, k + OFO_SKB));
  return out;
};

describe("ofoInsert against a reference", () => {
  it("random arrivals and prunes from the highest seq (dropLastSkb): the same skbs, charges, D-SACKs and drops as the plain list", () => {
    // a segment starts at a random offset, or (next) where the previous one ended: frames in order after a hole
    const seg = fc.record({
      off: fc.integer({ min: 1, max: 40 }),
      next: fc.boolean(),
      len: fc.integer({ min: 1, max: 6 }),
      frags: fc.constantFrom(0, 1, 0, 3, 15, FRAG_LIST),
      tail: fc.constantFrom(0, 150, 5000),
      prune: fc.integer({ min: 0, max: 9 }),
    });
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 80 }), (segs) => {
        const q: OfoRange[] = [];
        const l: number[][] = [];
        let charged = 0;
        let prev = 0;
        for (const s of segs) {
          if (s.prune === 0 && q.length > 0) {
            // tcp_prune_ofo_queue: ooo_last_skb first
            const r = q[q.length - 1]!;
            const ts = r.dropLastSkb();
            expect(ts).toBe(l.pop()![2]);
            charged -= ts;
            if (r.skbs.length === 0) q.pop();
          } else {
            const ts = 2304 + s.len;
            const tail = s.frags === 0 ? s.tail : 0;
            const seq = s.next && prev > 0 ? prev : s.off * 100;
            prev = seq + s.len * 100;
            const want = refInsert(l, seq, prev, ts, s.frags, tail);
            const ch = ofoInsert(q, seq, prev, ts, s.frags, tail);
            expect([ch, [...ofoEffects.dsack], ofoEffects.dropped, ofoEffects.freed]).toEqual([want.charge, want.dsack, want.dropped, want.freed]);
            if (ch >= 0) charged += ch;
            charged -= ofoEffects.freed;
          }
          check(q);
          expect(flat(q)).toEqual(l);
          expect(q.reduce((a, r) => a + r.truesize, 0)).toBe(charged);
        }
        while (q.length > 0) {
          const r = q[q.length - 1]!;
          expect(r.dropLastSkb()).toBe(l.pop()![2]);
          if (r.skbs.length === 0) q.pop();
          check(q);
          expect(flat(q)).toEqual(l);
        }
      }),
      { numRuns: 400, seed: 9 },
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
