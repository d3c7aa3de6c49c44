// skb->truesize of the segments skb_segment cuts from a TCP GSO skb (net/core/skbuff.c, Linux 6.12,
// x86_64, Debian's config): each is a fresh __alloc_skb of the original's headroom plus its header
// bytes (hsize 0: TCP's payload is all in page frags), and its share of the frags (data_len) is added.
// tcp_gso_segment then charges the socket the difference between the segments' sum and the original
// (sum_truesize - gso_skb->truesize), which is why software GSO grows sk_wmem_alloc.
import { MAX_TCP_HEADER, SHINFO_ALIGNED, SKB_ALIGNED, SKB_SMALL_HEAD_CACHE_SIZE, writeQueueSkbOverhead } from "../tcp/buffers.js";

/** net/core/skbuff.c: skb_segment — the truesize of a segment without its payload (add data_len),
 *  for a GSO skb with `hdrLen` header bytes (mac + network + transport: skb_segment's doffset). Its
 *  headroom is still MAX_TCP_HEADER (tcp_stream_alloc_skb's reserve; every header pulled), so the head
 *  is the same __alloc_skb -> kmalloc_reserve -> SKB_TRUESIZE sum as a write-queue skb's, of a bigger size. */
export function gsoSegmentHeadTruesize(hdrLen: number): number {
  return writeQueueSkbOverhead(MAX_TCP_HEADER + hdrLen, SKB_SMALL_HEAD_CACHE_SIZE, SKB_ALIGNED, SHINFO_ALIGNED);
}
