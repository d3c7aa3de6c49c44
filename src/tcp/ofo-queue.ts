// The out-of-order queue as sorted, disjoint sequence ranges (Linux keeps an
// rbtree of skbs; the model groups touching or overlapping skbs into one
// range; the SACK blocks sent are sack-blocks.ts's, not the ranges; pruning
// drops skbs, from the highest seq). Each range keeps its skbs in a flat
// number array, five numbers per skb in seq order (no two skbs share a seq):
//
//   skbs: | seq end truesize frags tailroom | seq end … | …
//
// The last skb of the last range is 6.12's tp->ooo_last_skb (the rbtree's
// last node). Skbs may overlap as in 6.12: a coalesce grows its target
// without merge_right, and inserts past ooo_last_skb or after a partial
// overlap look at no earlier skb. Each skb's layout (frags, tailroom) is what
// skb_try_coalesce needs when tcp_data_queue_ofo coalesces into it, and
// tcp_ofo_queue later tries each skb against the receive queue's tail. Beside
// them, reach[j] is the highest end_seq of skbs 0..j, so dropping the last
// skb (tcp_prune_ofo_queue) finds the range's new end without a scan.
import { F64Keys, f64Fields } from "../util/f64-field.js";
import { skbTryCoalesce, type SkbShape } from "./skb-coalesce.js";

const OFO_F64 = new F64Keys(["start", "end"]);
/** Numbers per skb in OfoRange.skbs. */
export const OFO_SKB = 5;

/** An out-of-order range; its sequence numbers are doubles from the start (util/f64-field.ts). */
export class OfoRange {
  /** Its skbs: seq, end_seq, truesize, nr_frags, skb_tailroom each, by seq. */
  readonly skbs: number[];
  /** One per skb: the highest end_seq of the skbs up to it (so the last is the range's end). */
  readonly reach: number[];

  constructor(
    /** Its first skb's seq. */
    public start: number,
    /** The highest end_seq of its skbs (not always the last skb's). */
    public end: number,
    /** The range's total truesize (charged to sk_rmem_alloc). */
    public truesize: number,
    frags: number,
    tailroom: number,
  ) {
    f64Fields(this, OFO_F64);
    this.skbs = [start, end, truesize, frags, tailroom];
    this.reach = [end];
  }

  /** Recompute reach from skb index j (0, 1, …) on, after skbs changed there. */
  refill(j: number): void {
    const s = this.skbs;
    const a = this.reach;
    const n = s.length / OFO_SKB;
    a.length = n;
    let max = j > 0 ? a[j - 1]! : -Infinity;
    for (let k = j * OFO_SKB; j < n; j++, k += OFO_SKB) {
      if (s[k + 1]! > max) max = s[k + 1]!;
      a[j] = max;
    }
  }

  /** Append an skb that starts at or past every skb's seq (O(1)). */
  push(seq: number, end: number, truesize: number, frags: number, tailroom: number): void {
    const a = this.reach;
    const n = a.length;
    this.skbs.push(seq, end, truesize, frags, tailroom);
    a.push(n === 0 || end > a[n - 1]! ? end : a[n - 1]!);
    this.truesize += truesize;
    if (end > this.end) this.end = end;
  }

  /** Remove the skb with the highest seq (tcp_prune_ofo_queue's ooo_last_skb) and return its truesize, in
   *  O(1). The rest stay one range (skbs sorted by seq whose union was contiguous stay so without the last),
   *  ending at the highest end_seq left. */
  dropLastSkb(): number {
    const s = this.skbs;
    const a = this.reach;
    const k = s.length - OFO_SKB;
    const truesize = s[k + 2]!;
    s.length = k;
    a.length--;
    this.truesize -= truesize;
    if (k > 0) this.end = a[a.length - 1]!;
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
    this.refill(0);
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

/** The coalescing target's layout, read from and written back to its skb's numbers (no object per packet). */
const target: SkbShape = { frags: 0, tailroom: 0 };

/** net/ipv4/tcp_input.c: tcp_ooo_try_coalesce — merge skb [start, end) into skb k of r when it starts at that
 *  skb's end_seq and skb_try_coalesce allows; the target grows (no merge_right: it may now overlap the skbs
 *  after it). Returns the truesize delta, -1 when not merged. */
function tryCoalesceAt(r: OfoRange, k: number, start: number, end: number, truesize: number, frags: number): number {
  const s = r.skbs;
  if (s[k + 1] !== start) return -1;
  target.frags = s[k + 3]!;
  target.tailroom = s[k + 4]!;
  const delta = skbTryCoalesce(target, end - start, frags, truesize);
  if (delta < 0) return -1;
  s[k + 1] = end;
  s[k + 2] = s[k + 2]! + delta;
  s[k + 3] = target.frags;
  s[k + 4] = target.tailroom;
  r.truesize += delta;
  if (end > r.end) r.end = end;
  // the skbs from k on reach at least as far now (the last one: one entry)
  const a = r.reach;
  for (let j = k / OFO_SKB; j < a.length && a[j]! < end; j++) a[j] = end;
  return delta;
}

/** net/ipv4/tcp_input.c: tcp_data_queue_ofo's placement of skb [start, end), in its order: coalesced into
 *  ooo_last_skb (the last range's last skb) when it starts at that skb's end_seq; else, starting at or past
 *  that end_seq, inserted after it with no other check (even inside an earlier skb that a coalesce grew);
 *  else the rbtree walk, modelled as meeting the skb with the highest seq not above `start` (the floor; an
 *  earlier skb reaching past the floor's seq is met only when the tree's shape puts it on the path, which the
 *  model does not keep): dropped when the floor covers it (all its bits present), the floor replaced when the
 *  new skb starts with it and reaches past it, a partial overlap D-SACKed, coalesced into the floor when it
 *  starts at its end_seq (coalesce_done: no merge_right), else placed after it; a placed skb drops the
 *  following skbs it covers (merge_right). The D-SACKs and drops go to ofoEffects. Returns the truesize to
 *  charge to sk_rmem_alloc (the coalescing delta, or the skb's whole truesize), -1 when the floor covers it
 *  (TCPOFOMerge, the caller drops it). A charge below `truesize` means it was coalesced. */
export function ofoInsert(q: OfoRange[], start: number, end: number, truesize: number, frags: number, tailroom: number): number {
  const fx = ofoEffects;
  fx.dsack.length = 0;
  fx.dropped = 0;
  fx.freed = 0;
  if (q.length === 0) {
    q.push(new OfoRange(start, end, truesize, frags, tailroom));
    return truesize;
  }
  // ooo_last_skb first (the common append): nothing follows it, so no range to join
  const last = q[q.length - 1]!;
  const kl = last.skbs.length - OFO_SKB;
  const delta = tryCoalesceAt(last, kl, start, end, truesize, frags);
  if (delta >= 0) return delta;
  if (start >= last.skbs[kl + 1]!) {
    // after ooo_last_skb, without a walk: merge_right finds nothing after it
    if (start > last.end) q.push(new OfoRange(start, end, truesize, frags, tailroom));
    else last.push(start, end, truesize, frags, tailroom);
    return truesize;
  }
  // the walk: start is below ooo_last_skb's end_seq, so some range reaches it
  let i = 0;
  while (q[i]!.end < start) i++;
  if (q[i]!.start > end) {
    q.splice(i, 0, new OfoRange(start, end, truesize, frags, tailroom));
    return truesize;
  }
  const r = q[i]!;
  const s = r.skbs;
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
    } else {
      const d = tryCoalesceAt(r, f, start, end, truesize, frags);
      if (d >= 0) {
        absorbNext(q, i);
        return d;
      }
    }
  }
  if (k === s.length) r.push(start, end, truesize, frags, tailroom);
  else {
    s.splice(k, 0, start, end, truesize, frags, tailroom);
    if (start < r.start) r.start = start;
    if (end > r.end) r.end = end;
    r.truesize += truesize;
    r.refill(k / OFO_SKB);
  }
  absorbNext(q, i);
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
  return truesize;
}

/** Drop the skb at index j of r (TCP_OFOMERGE), its truesize left to the caller to uncharge. */
function dropAt(r: OfoRange, j: number): void {
  ofoEffects.dropped++;
  ofoEffects.freed += r.skbs[j + 2]!;
  r.truesize -= r.skbs[j + 2]!;
  r.skbs.splice(j, OFO_SKB);
  r.refill(j / OFO_SKB);
}

/** Merge into q[i] the ranges after it that its grown end reaches (touching or overlapping); their skbs all
 *  start past q[i]'s, so they append in order. */
function absorbNext(q: OfoRange[], i: number): void {
  const r = q[i]!;
  while (i + 1 < q.length && q[i + 1]!.start <= r.end) {
    const n = q.splice(i + 1, 1)[0]!;
    const ns = n.skbs;
    for (let k = 0; k < ns.length; k += OFO_SKB) r.push(ns[k]!, ns[k + 1]!, ns[k + 2]!, ns[k + 3]!, ns[k + 4]!);
  }
}
