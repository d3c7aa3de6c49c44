// The out-of-order queue as sorted, disjoint sequence ranges (Linux keeps an
// rbtree of skbs; the model merges touching skbs into one range and keeps
// the range's total truesize and the layout of the skb that ends it, since
// that is the skb tcp_data_queue_ofo coalesces a segment starting at the
// range's end into).
import { F64Keys, f64Fields } from "../util/f64-field.js";
import { skbTryCoalesce, type SkbShape } from "./skb-coalesce.js";

const OFO_F64 = new F64Keys(["start", "end"]);

/** An out-of-order range; its sequence numbers are doubles from the start (util/f64-field.ts). */
export class OfoRange implements SkbShape {
  constructor(
    public start: number,
    public end: number,
    public truesize: number,
    /** The last skb's nr_frags and skb_tailroom (skb-coalesce.ts). */
    public frags: number,
    public tailroom: number,
  ) {
    f64Fields(this, OFO_F64);
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
    if (delta < 0 && end > r.end) {
      r.frags = frags;
      r.tailroom = tailroom;
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
    }
    return charge;
  }
  q.splice(i, 0, new OfoRange(start, end, truesize, frags, tailroom));
  return truesize;
}
