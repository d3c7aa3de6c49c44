// tcp_collapse (net/ipv4/tcp_input.c, 6.12) on a run of the model's received
// skbs, each five numbers as in the out-of-order queue (ofo-queue.ts):
//
//   skbs: | seq end truesize frags tailroom | seq end … | …
//
// tcp_prune_queue runs it on every range of the out-of-order queue
// (tcp_collapse_ofo_queue) and on the receive queue from copied_seq to
// rcv_nxt. From the first skb worth collapsing (bloated: tcp_win_from_space of
// its truesize above its length; holding bytes before `start`; or overlapping
// the next) to the run's end, the bytes are copied into fresh linear skbs of
// at most SKB_MAX_ORDER(0, 0) = 3776 bytes and the old skbs freed
// (__kfree_skb: consumed, not dropped; TCPRcvCollapsed each). Cold path (only
// under memory pressure): it builds a new array.
import { SHINFO_ALIGNED, SKB_ALIGNED, SKB_SMALL_HEAD_CACHE_SIZE, winFromSpace, writeQueueSkbOverhead } from "./buffers.js";
import { HEAD_LOCKED } from "./skb-coalesce.js";

/** include/linux/skbuff.h: SKB_MAX_ORDER(0, 0) = SKB_WITH_OVERHEAD(PAGE_SIZE), the most one collapsed skb holds. */
export const COLLAPSE_MAX = 4096 - SHINFO_ALIGNED;
const REC = 5;

/** What the last tcpCollapse did, in the kernel's order: a new skb's truesize charged (skb_set_owner_r: a
 *  positive entry) or an old one freed (tcp_collapse_one: its truesize negated; TCPRcvCollapsed each). The
 *  order matters to sk_mem_uncharge's page reclaim. */
export const collapseEffects = {
  ops: [] as number[],
};

/** net/ipv4/tcp_input.c: tcp_collapse over the run `skbs` (sorted by seq), copying start..end. `ratio` is
 *  tp->scaling_ratio; `finEnd` the end_seq of the skb carrying a FIN (-1: none), which is neither collapsed
 *  nor copied past. Returns the run as it is afterwards (the same array when nothing was collapsed). */
export function tcpCollapse(skbs: number[], start: number, end: number, ratio: number, finEnd: number): number[] {
  const ops = collapseEffects.ops;
  ops.length = 0;
  const n = skbs.length;
  const out: number[] = [];
  let i = 0;
  // find the first skb worth collapsing; those before it stay as they are
  for (; i < n; i += REC) {
    const seq = skbs[i]!;
    const e = skbs[i + 1]!;
    // no new bits (possible on the out-of-order queue): freed
    if (start >= e) {
      ops.push(-skbs[i + 2]!);
      continue;
    }
    const fin = e === finEnd;
    if (!fin && (winFromSpace(ratio, skbs[i + 2]!) > e - seq || seq < start)) break;
    if (i + REC < n && e !== skbs[i + REC]!) break;
    start = e;
    for (let k = 0; k < REC; k++) out.push(skbs[i + k]!);
  }
  if (i >= n || skbs[i + 1] === finEnd) {
    if (ops.length === 0) return skbs;
    for (; i < n; i++) out.push(skbs[i]!);
    return out;
  }
  copy: while (start < end) {
    let copy = Math.min(COLLAPSE_MAX, end - start);
    // __alloc_skb(copy) -> kmalloc_reserve: the small-head cache's object or kmalloc_size_roundup's, as for a
    // write-queue skb's head (its truesize less the sk_buff)
    const obj = writeQueueSkbOverhead(copy, SKB_SMALL_HEAD_CACHE_SIZE, SKB_ALIGNED, SHINFO_ALIGNED) - SKB_ALIGNED;
    // alloc_skb(copy): truesize SKB_TRUESIZE(SKB_WITH_OVERHEAD(obj)), linear; its head is kmalloc'd, so a
    // later skb_try_coalesce can copy into its tailroom but never steal it (skb_head_is_locked)
    const o = out.length;
    out.push(start, start, obj + SKB_ALIGNED, HEAD_LOCKED, obj - SHINFO_ALIGNED);
    ops.push(obj + SKB_ALIGNED);
    while (copy > 0) {
      const size = skbs[i + 1]! - start;
      if (size > 0) {
        const c = Math.min(copy, size);
        out[o + 1] = out[o + 1]! + c;
        out[o + 4] = out[o + 4]! - c;
        copy -= c;
        start += c;
      }
      if (start >= skbs[i + 1]!) {
        ops.push(-skbs[i + 2]!);
        i += REC;
        if (i >= n || skbs[i + 1] === finEnd) break copy;
      }
    }
  }
  for (; i < n; i++) out.push(skbs[i]!);
  return out;
}
