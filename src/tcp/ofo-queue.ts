// The out-of-order queue as sorted, disjoint sequence ranges (Linux keeps an
// rbtree of skbs; the model groups touching skbs into one range; the SACK
// blocks sent are sack-blocks.ts's, not the ranges; pruning drops skbs, from the highest seq). Each range keeps its skbs in a flat
// number array, five numbers per skb in sequence order:
//
//   skbs: | seq end truesize frags tailroom | seq end … | …
//
// since tcp_data_queue_ofo coalesces a segment into the skb that ends the
// range (its layout is mirrored in the range's frags/tailroom, the SkbShape
// skb_try_coalesce updates) and tcp_ofo_queue later tries each skb against
// the receive queue's tail.
import { F64Keys, f64Fields } from "../util/f64-field.js";
import { skbTryCoalesce, type SkbShape } from "./skb-coalesce.js";

const OFO_F64 = new F64Keys(["start", "end"]);
/** Numbers per skb in OfoRange.skbs. */
export const OFO_SKB = 5;

/** An out-of-order range; its sequence numbers are doubles from the start (util/f64-field.ts). */
export class OfoRange implements SkbShape {
  /** Its skbs: seq, end_seq, truesize, nr_frags, skb_tailroom each, by seq. */
  readonly skbs: number[];

  constructor(
    public start: number,
    public end: number,
    /** The range's total truesize (charged to sk_rmem_alloc). */
    public truesize: number,
    /** The last skb's nr_frags and skb_tailroom (skb-coalesce.ts). */
    public frags: number,
    public tailroom: number,
  ) {
    f64Fields(this, OFO_F64);
    this.skbs = [start, end, truesize, frags, tailroom];
  }

  /** Index in skbs of the skb that ends the range (the highest end_seq; the later one on a tie): the last
   *  one whose end_seq is the range's end, searched from the back since that is nearly always the last skb
   *  (a per-frame scan of the whole range made a GRO-off recovery O(N²)). */
  lastSkb(): number {
    const s = this.skbs;
    let k = s.length - OFO_SKB;
    while (k > 0 && s[k + 1] !== this.end) k -= OFO_SKB;
    return k;
  }

  /** Remove the skb with the highest seq (tcp_prune_ofo_queue's ooo_last_skb) and return its truesize. The
   *  rest stay one range (skbs sorted by seq whose union was contiguous stay so without the last); when the
   *  dropped skb ended it, the range ends at the highest end_seq left, with that skb's layout. */
  dropLastSkb(): number {
    const s = this.skbs;
    const k = s.length - OFO_SKB;
    const truesize = s[k + 2]!;
    const ended = s[k + 1] === this.end;
    s.length = k;
    this.truesize -= truesize;
    if (k > 0 && ended) {
      let end = s[1]!;
      for (let j = OFO_SKB; j < k; j += OFO_SKB) if (s[j + 1]! > end) end = s[j + 1]!;
      this.end = end;
      const l = this.lastSkb();
      this.frags = s[l + 3]!;
      this.tailroom = s[l + 4]!;
    }
    return truesize;
  }

  /** Replace the skbs by `skbs` (tcp_collapse's result: the same bytes, so the same start and end). */
  setSkbs(skbs: number[]): void {
    const s = this.skbs;
    s.length = 0;
    let ts = 0;
    for (let k = 0; k < skbs.length; k++) s.push(skbs[k]!);
    for (let k = 2; k < s.length; k += OFO_SKB) ts += s[k]!;
    this.truesize = ts;
    const l = this.lastSkb();
    this.frags = s[l + 3]!;
    this.tailroom = s[l + 4]!;
  }

  /** Put skb [seq, end) among the skbs, after those with a seq not above its own (appended in the usual case
   *  of frames arriving in order after a hole). */
  addSkb(seq: number, end: number, truesize: number, frags: number, tailroom: number): void {
    const s = this.skbs;
    let k = s.length;
    while (k > 0 && s[k - OFO_SKB]! > seq) k -= OFO_SKB;
    if (k === s.length) s.push(seq, end, truesize, frags, tailroom);
    else s.splice(k, 0, seq, end, truesize, frags, tailroom);
  }
}

/** D-SACK block operations of the last ofoInsert, in the order tcp_data_queue_ofo makes them: kind, seq, end. */
export const OFO_DSACK_SET = 0;
export const OFO_DSACK_EXTEND = 1;
/** What the last ofoInsert did besides placing the skb (one object, reused: no allocation per packet). */
export const ofoEffects = {
  /** kind, seq, end triples (OFO_DSACK_SET: tcp_dsack_set, OFO_DSACK_EXTEND: tcp_dsack_extend). */
  dsack: [] as number[],
  /** Queued skbs the new one fully covered, dropped TCP_OFOMERGE (one TCPOFOMerge each). */
  dropped: 0,
  /** Their truesize, to uncharge from sk_rmem_alloc. */
  freed: 0,
};

/** net/ipv4/tcp_input.c: tcp_data_queue_ofo's placement of skb [start, end) — merged into the skb that ends
 *  at `start` when skb_try_coalesce allows (tcp_ooo_try_coalesce; ooo_last_skb first, else the rbtree walk
 *  meets the predecessor), else placed among the skbs by seq: dropped when the skb at or below its seq covers
 *  it, that skb replaced when the new one starts with it and reaches past it, the following skbs it covers
 *  dropped (merge_right); the D-SACKs and drops go to ofoEffects. Returns the truesize to charge to
 *  sk_rmem_alloc (the coalescing delta, or the skb's whole truesize), -1 when an skb covers it (TCPOFOMerge,
 *  the caller drops it). A charge below `truesize` means it was coalesced. */
export function ofoInsert(q: OfoRange[], start: number, end: number, truesize: number, frags: number, tailroom: number): number {
  const fx = ofoEffects;
  fx.dsack.length = 0;
  fx.dropped = 0;
  fx.freed = 0;
  let i = 0;
  while (i < q.length && q[i]!.end < start) i++;
  if (i === q.length || q[i]!.start > end) {
    q.splice(i, 0, new OfoRange(start, end, truesize, frags, tailroom));
    return truesize;
  }
  const r = q[i]!;
  const s = r.skbs;
  if (r.end === start) {
    const delta = skbTryCoalesce(r, end - start, frags, truesize);
    if (delta >= 0) {
      // the skb that ended the range took it; coalesce_done skips merge_right
      const k = r.lastSkb();
      s[k + 1] = end;
      s[k + 2] = s[k + 2]! + delta;
      s[k + 3] = r.frags;
      s[k + 4] = r.tailroom;
      r.end = end;
      r.truesize += delta;
      absorbNext(q, i, end);
      return delta;
    }
  }
  // the walk always meets the skb with the highest seq not above `start` (the floor) and compares it (an
  // earlier skb reaching past it, left by a coalesce that skips merge_right, is not modelled as met)
  let k = 0;
  if (start >= r.start) {
    let f = s.length - OFO_SKB;
    while (f > 0 && s[f]! > start) f -= OFO_SKB;
    k = f + OFO_SKB;
    if (start < s[f + 1]!) {
      if (end <= s[f + 1]!) {
        // all the bits are present
        fx.dsack.push(OFO_DSACK_SET, start, end);
        return -1;
      }
      if (start > s[f]!) fx.dsack.push(OFO_DSACK_SET, start, s[f + 1]!); // partial overlap
      else {
        // same seq, reaching further: it replaces that skb
        fx.dsack.push(OFO_DSACK_EXTEND, s[f]!, s[f + 1]!);
        dropAt(r, f);
        k = f;
      }
    }
  }
  s.splice(k, 0, start, end, truesize, frags, tailroom);
  r.start = Math.min(r.start, start);
  r.truesize += truesize;
  r.end = Math.max(r.end, end);
  absorbNext(q, i, end);
  // merge_right: the following skbs it covers go; the first it only overlaps is D-SACKed up to its end
  while (k + OFO_SKB < s.length && s[k + OFO_SKB]! < end) {
    const j = k + OFO_SKB;
    if (end < s[j + 1]!) {
      fx.dsack.push(OFO_DSACK_EXTEND, s[j]!, end);
      break;
    }
    fx.dsack.push(OFO_DSACK_EXTEND, s[j]!, s[j + 1]!);
    dropAt(r, j);
  }
  const l = r.lastSkb();
  r.frags = s[l + 3]!;
  r.tailroom = s[l + 4]!;
  return truesize;
}

/** Drop the skb at index j of r (TCP_OFOMERGE), its truesize left to the caller to uncharge. */
function dropAt(r: OfoRange, j: number): void {
  ofoEffects.dropped++;
  ofoEffects.freed += r.skbs[j + 2]!;
  r.truesize -= r.skbs[j + 2]!;
  r.skbs.splice(j, OFO_SKB);
}

/** Merge into q[i] the ranges after it that reach `end` (touching or overlapping the new skb); their skbs all
 *  start past q[i]'s, so they append in order. */
function absorbNext(q: OfoRange[], i: number, end: number): void {
  const r = q[i]!;
  while (i + 1 < q.length && q[i + 1]!.start <= end) {
    const n = q.splice(i + 1, 1)[0]!;
    r.end = Math.max(r.end, n.end);
    r.truesize += n.truesize;
    for (let k = 0; k < n.skbs.length; k++) r.skbs.push(n.skbs[k]!);
  }
  const l = r.lastSkb();
  r.frags = r.skbs[l + 3]!;
  r.tailroom = r.skbs[l + 4]!;
}
