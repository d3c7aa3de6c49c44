// skb_try_coalesce on the model's received-skb shape. TCP merges a received
// skb into the skb before it in three places (tcp_add_backlog, tcp_queue_rcv /
// tcp_ofo_queue into the receive queue's tail, tcp_data_queue_ofo into the
// out-of-order skb it extends); what that costs in truesize depends only on
// the two skbs' layout, kept here as two numbers per skb:
//   frags    nr_frags (0 = linear), or FRAG_LIST for a GRO aggregate that
//            chained skbs on frag_list (never coalesced either way)
//   tailroom skb_tailroom of a linear skb (0 once it has frags)
// Every received skb the model builds is a build_skb / napi_build_skb one:
// its head is a page fragment (head_frag), not cloned, same pp_recycle.
import { NET_SKB_PAD, SHINFO_ALIGNED, SKB_ALIGNED } from "../net/skb-size.js";

/** include/linux/skbuff.h: MAX_SKB_FRAGS (CONFIG_MAX_SKB_FRAGS default 17) */
const MAX_SKB_FRAGS = 17;
/** A frags value no sum stays under MAX_SKB_FRAGS with: the skb has a frag_list. */
export const FRAG_LIST = 0xff;
/** A bit on frags: the skb's head is kmalloc'd (tcp_collapse's alloc_skb), not a page fragment, so
 *  skb_head_is_locked refuses to steal it; as a coalescing target it is an ordinary linear skb. */
export const HEAD_LOCKED = 0x100;

/** The coalescing target (the tail skb's shape); updated in place on success. */
export interface SkbShape {
  frags: number;
  tailroom: number;
}

/** nr_frags of a received skb of `segs` frames: GRO stole each merged frame's page-frag head as one frag,
 *  past MAX_SKB_FRAGS it chained skbs on frag_list instead (net/core/gro.c: skb_gro_receive). */
export function rxFrags(segs: number): number {
  if (segs <= 1) return 0;
  return segs - 1 > MAX_SKB_FRAGS ? FRAG_LIST : segs - 1;
}

/** skb_tailroom of a linear received skb: its buffer (truesize less struct sk_buff) less the headroom, the
 *  frame and skb_shared_info; a nonlinear skb has none. */
export function rxTailroom(frags: number, truesize: number, frameLen: number): number {
  return frags === 0 ? Math.max(0, truesize - SKB_ALIGNED - SHINFO_ALIGNED - NET_SKB_PAD - frameLen) : 0;
}

/** net/core/skbuff.c: skb_try_coalesce — the truesize `to` grows by when `from` (len payload bytes, frags,
 *  truesize) is merged into it, or -1 when it cannot be. Copied into a linear `to`'s tailroom: nothing; else
 *  `from`'s head_frag head is stolen as one more frag and its struct sk_buff freed (kfree_skb_partial):
 *  truesize − SKB_DATA_ALIGN(sizeof(struct sk_buff)). */
export function skbTryCoalesce(to: SkbShape, len: number, frags: number, truesize: number): number {
  if (len <= to.tailroom) {
    to.tailroom -= len;
    return 0;
  }
  // frag_list on either side, or to.nr_frags + from.nr_frags >= MAX_SKB_FRAGS, or skb_head_is_locked(from)
  if ((to.frags & FRAG_LIST) + frags >= MAX_SKB_FRAGS) return -1;
  to.frags += frags + 1;
  to.tailroom = 0;
  return truesize - SKB_ALIGNED;
}
