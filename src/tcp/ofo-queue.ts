// The out-of-order queue as sorted, disjoint sequence ranges (Linux keeps an
// rbtree of skbs; the model merges touching skbs into one range, so SACK
// blocks see ranges; pruning drops skbs, from the highest seq). Each range keeps its skbs in a flat
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

/** net/ipv4/tcp_input.c: tcp_data_queue_ofo's placement of skb [start, end) — merged into the skb that ends
 *  at `start` when skb_try_coalesce allows (tcp_ooo_try_coalesce; ooo_last_skb first, else the rbtree walk
 *  meets the predecessor), else inserted, touching and overlapping ranges merged. Returns the truesize to
 *  charge to sk_rmem_alloc (the coalescing delta, or the skb's whole truesize), -1 when every byte is queued
 *  already (TCPOFOMerge, the caller drops it). A charge below `truesize` means it was coalesced. */
export function ofoInsert(q: OfoRange[], start: number, end: number, truesize: number, frags: number, tailroom: number): number {
  let i = 0;
  while (i < q.length && q[i]!.end < start) i++;
  if (i < q.length && q[i]!.start <= start && q[i]!.end >= end) return -1; // duplicate
  if (i < q.length && q[i]!.start <= end) {
    // merge with every range it touches
    const r = q[i]!;
    const delta = r.end === start ? skbTryCoalesce(r, end - start, frags, truesize) : -1;
    const charge = delta >= 0 ? delta : truesize;
    if (delta >= 0) {
      // the skb that ended the range took it
      const k = r.lastSkb();
      r.skbs[k + 1] = end;
      r.skbs[k + 2] = r.skbs[k + 2]! + delta;
      r.skbs[k + 3] = r.frags;
      r.skbs[k + 4] = r.tailroom;
    } else {
      if (end > r.end) {
        r.frags = frags;
        r.tailroom = tailroom;
      }
      r.addSkb(start, end, truesize, frags, tailroom);
    }
    r.start = Math.min(r.start, start);
    r.end = Math.max(r.end, end);
    r.truesize += charge;
    while (i + 1 < q.length && q[i + 1]!.start <= r.end) {
      const n = q.splice(i + 1, 1)[0]!;
      if (n.end >= r.end) {
        r.frags = n.frags;
        r.tailroom = n.tailroom;
      }
      r.end = Math.max(r.end, n.end);
      r.truesize += n.truesize;
      // n starts past every skb of r but the one just added, which may start anywhere up to n's start
      for (let k = 0; k < n.skbs.length; k += OFO_SKB) r.addSkb(n.skbs[k]!, n.skbs[k + 1]!, n.skbs[k + 2]!, n.skbs[k + 3]!, n.skbs[k + 4]!);
    }
    return charge;
  }
  q.splice(i, 0, new OfoRange(start, end, truesize, frags, tailroom));
  return truesize;
}
