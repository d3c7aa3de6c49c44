// The x86-64 sizes behind an skb's truesize (include/linux/skbuff.h), shared
// by TCP's socket memory (src/tcp/buffers.ts), IP reassembly (ipfrag.ts) and
// UDP receive (udp-sock.ts).

/** SKB_DATA_ALIGN(sizeof(struct sk_buff)): 232 on 6.12 (224 on 6.18), both 256. */
export const SKB_ALIGNED = 256;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)): 48 + MAX_SKB_FRAGS 17 x 16 = 320. */
export const SHINFO_ALIGNED = 320;
/** NET_SKB_PAD = max(32, L1_CACHE_BYTES). */
export const NET_SKB_PAD = 64;
