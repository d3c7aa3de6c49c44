// skb->truesize of the segments skb_segment cuts from a TCP GSO skb (net/core/skbuff.c, Linux 6.12,
// x86_64, Debian's config): each is a fresh __alloc_skb of the original's headroom plus its header
// bytes (hsize 0: TCP's payload is all in page frags), and its share of the frags (data_len) is added.
// tcp_gso_segment then charges the socket the difference between the segments' sum and the original
// (sum_truesize - gso_skb->truesize), which is why software GSO grows sk_wmem_alloc.

/** SKB_DATA_ALIGN(sizeof(struct sk_buff)) and SKB_DATA_ALIGN(sizeof(struct skb_shared_info)). */
const SKB_ALIGNED = 256;
const SHINFO_ALIGNED = 320;
/** SMP_CACHE_BYTES: SKB_DATA_ALIGN's alignment. */
const CACHE_BYTES = 64;
/** MAX_TCP_HEADER (L1_CACHE_ALIGN(128 + MAX_HEADER 176)): the headroom tcp_stream_alloc_skb reserves,
 *  still the GSO skb's when skb_segment runs (every header pulled), and so every segment's. */
export const GSO_HEADROOM = 320;
/** SKB_SMALL_HEAD_CACHE_SIZE = SKB_HEAD_ALIGN(max(MAX_TCP_HEADER, GRO_MAX_HEAD_PAD 368)) = 384 + 320. */
const SMALL_HEAD_CACHE = 704;

// mm/slab_common.c: kmalloc_size_roundup — above the small-head cache's 704 B the kmalloc caches
// (1k, 2k, 4k, 8k) and the page allocations beyond them are powers of two
function kmallocSizeRoundup(n: number): number {
  let p = 1024;
  while (p < n) p *= 2;
  return p;
}

// net/core/skbuff.c: __alloc_skb -> kmalloc_reserve (small heads from skb_small_head_cache, else
// kmalloc_size_roundup of SKB_HEAD_ALIGN(size)) -> __finalize_skb_around: SKB_TRUESIZE(object - shinfo)
export function allocSkbTruesize(size: number): number {
  const head = Math.ceil(size / CACHE_BYTES) * CACHE_BYTES + SHINFO_ALIGNED;
  const obj = head <= SMALL_HEAD_CACHE ? SMALL_HEAD_CACHE : kmallocSizeRoundup(head);
  return obj - SHINFO_ALIGNED + SKB_ALIGNED + SHINFO_ALIGNED;
}

/** net/core/skbuff.c: skb_segment — the truesize of a segment without its payload (add data_len),
 *  for a GSO skb with `hdrLen` header bytes (mac + network + transport: skb_segment's doffset). */
export function gsoSegmentHeadTruesize(hdrLen: number): number {
  return allocSkbTruesize(GSO_HEADROOM + hdrLen);
}
