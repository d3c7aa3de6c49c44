// GRO (generic receive offload) per NAPI instance, on the skbs' real header
// bytes, with the rules of Linux 6.12: net/core/gro.c (dev_gro_receive,
// napi_gro_complete, napi_gro_flush), net/ipv4/af_inet.c (inet_gro_receive,
// inet_gro_complete), include/net/gro.h (inet_gro_flush, ipv6_gro_flush),
// net/ipv4/tcp_offload.c (tcp_gro_receive, tcp4_gro_complete,
// tcp_gro_complete), net/ipv6/ip6_offload.c + tcpv6_offload.c.
// TS reference (the differential oracle): src/core/ref/gro.ts.
//
// Model decisions (see README, *GRO: receive aggregation on real header bytes*):
// - skb len counts from header byte 0 (the MAC header, as writePacket sets it),
//   so the kernel's p->len (L3 length, after eth_type_trans) is len - network.
// - A merged skb is freed at once (GRO_MERGED_FREE: its page frags are stolen
//   by the head); the aggregate is the head skb alone, its wire packet count
//   is gso_segs (count), its len the total. Nothing is chained on `next`.
// - Payload bytes are virtual zeros, so a TCP checksum is checked over the
//   pseudo-header and the TCP header only (the zero-filled-payload rule).
// - UDP gets no GRO: without a UDP_GRO socket (which needs a tunnel-encap
//   socket lookup) or NETIF_F_GRO_UDP_FWD, udp_gro_receive flushes the packet
//   (GRO_NORMAL) — the kernel default. IPv6 extension headers are not parsed
//   (delivered alone). IPv6 aggregates stay below 64 KB (no BIG TCP jumbo HBH).
//
//   ctxBase (gro_plan reserves C contexts, CTX_BYTES each)
//   +----------------------------------------------+ context c
//   | +0   u32 allocated                           |
//   | +4   u32 enabled (NETIF_F_GRO)               |
//   | +8   u32 gro_max_size       (non-IPv4)       |
//   | +12  u32 gro_ipv4_max_size  (IPv4)           |
//   | +16  u32 gro_bitmask (bit b: bucket b held)  |
//   | +20  u32 held (aggregates held, all buckets) |
//   | +24  u64 free slots (bit s: slot s free)     |
//   | +32  u32 csum validate (1 = check TCP csum)  |
//   +----------------------------------------------+
//   | +64  bucket[8], 16 B each:                   |  gro_hash[b]
//   |      +0 u32 count, +8 u64 list: slot ids,    |  byte i = i-th newest
//   |      one per byte, newest in the low byte    |  (list head = byte 0)
//   +----------------------------------------------+
//   | +192 slot[64], 32 B each (NAPI_GRO_CB(p)):   |
//   |      +0 u32 head skb, +4 u32 count,          |
//   |      +8 u32 ip_fixedid, +16 f64 age (ns)     |
//   +----------------------------------------------+
//   | +2240 stats f64[32] (GRO_ST_*)               |
//   +----------------------------------------------+  CTX_BYTES = 2496
import { reserve, zero } from "./layout";
import {
  SKB_LEN,
  SKB_HDR_LEN,
  SKB_MAC,
  SKB_NETWORK,
  SKB_PROTOCOL,
  SKB_HASH,
  SKB_GSO_SIZE,
  SKB_GSO_SEGS,
  SKB_GSO_TYPE,
  SKB_TRUESIZE,
  skb_col,
  skb_hdr,
  skb_free_one,
} from "./skb";

/** include/linux/netdevice.h: GRO_HASH_BUCKETS; net/core/gro.c: MAX_GRO_SKBS */
export const GRO_HASH_BUCKETS: u32 = 8;
export const MAX_GRO_SKBS: u32 = 8;
/** include/linux/netdevice.h: GRO_LEGACY_MAX_SIZE, GRO_MAX_SIZE (BIG TCP ceiling) */
export const GRO_LEGACY_MAX_SIZE: u32 = 65536;
export const GRO_MAX_SIZE: u32 = 8 * 65535;

// include/linux/skbuff.h: SKB_GSO_*
export const SKB_GSO_TCPV4: u32 = 1 << 0;
export const SKB_GSO_DODGY: u32 = 1 << 1;
export const SKB_GSO_TCP_ECN: u32 = 1 << 2;
export const SKB_GSO_TCP_FIXEDID: u32 = 1 << 3;
export const SKB_GSO_TCPV6: u32 = 1 << 4;

export const GRO_ERR: u32 = 0xffffffff;

// Stats (f64). Reasons count events where GRO stopped aggregating: one per
// input that completed a held aggregate or was delivered alone (the first
// failing check, in the order below), plus one per aggregate completed by a
// bucket overflow or by gro_flush.
export const GRO_ST_IN: u32 = 0; //          skbs into gro_receive_burst
export const GRO_ST_OUT: u32 = 1; //         skbs delivered up (aggregates + alone)
export const GRO_ST_SEGS_OUT: u32 = 2; //    wire packets in the delivered skbs
export const GRO_ST_MERGED: u32 = 3; //      GRO_MERGED_FREE (merged, skb freed)
export const GRO_ST_HELD: u32 = 4; //        GRO_HELD (started an aggregate)
export const GRO_ST_NORMAL: u32 = 5; //      GRO_NORMAL (delivered alone)
export const GRO_ST_COMPLETED: u32 = 6; //   napi_gro_complete calls
export const GRO_ST_REASON: u32 = 8; //      + GRO_R_*
export const GRO_R_DISABLED: u32 = 0; //     GRO off for the device
export const GRO_R_NOT_IP: u32 = 1; //       no offload: not IPv4/IPv6, not TCP/UDP
export const GRO_R_UDP: u32 = 2; //          UDP: no UDP GRO socket -> flushed
export const GRO_R_IP_OPTIONS: u32 = 3; //   IPv4 ihl != 5, IPv6 extension header
export const GRO_R_FRAGMENT: u32 = 4; //     IPv4 MF/offset, IPv6 fragment header
export const GRO_R_CSUM: u32 = 5; //         bad IPv4 header or TCP checksum
export const GRO_R_BAD_HDR: u32 = 6; //      tot_len/payload_len != length, reserved
//                                            frag bit, bad doff, bad GSO type
export const GRO_R_TCP_FLAGS: u32 = 7; //    URG/PSH/RST/SYN/FIN in the new segment
export const GRO_R_CWR: u32 = 8; //          CWR in the new segment
export const GRO_R_FLAG_WORD: u32 = 9; //    doff/flags/window differ
export const GRO_R_ACK: u32 = 10; //         ack_seq differs
export const GRO_R_OPTIONS: u32 = 11; //     a TCP option byte differs (TSval ...)
export const GRO_R_IP_FIELDS: u32 = 12; //   TTL/TOS/DF (v6: traffic class/hop limit)
export const GRO_R_IP_ID: u32 = 13; //       IPv4 ID neither fixed nor +1 per packet
export const GRO_R_LEN: u32 = 14; //         payload 0 or > mss; GSO size mismatch
export const GRO_R_SEQ: u32 = 15; //         seq not contiguous
export const GRO_R_MAX_SIZE: u32 = 16; //    would reach gro_(ipv4_)max_size
export const GRO_R_SHORT: u32 = 17; //       sub-MSS segment merged, ends it
export const GRO_R_BUCKET: u32 = 18; //      bucket full: oldest completed
export const GRO_R_FLUSH: u32 = 19; //       completed by napi_gro_flush
export const GRO_R_COUNT: u32 = 20;
const GRO_STATS: u32 = 32;

const ETH_P_IP: u32 = 0x0800;
const ETH_P_IPV6: u32 = 0x86dd;
const IPPROTO_TCP: u32 = 6;
const IPPROTO_UDP: u32 = 17;

// TCP flag bits as they sit in a little-endian u32 load of the flag word
// (bytes doff, flags, window hi, window lo): include/net/tcp.h TCP_FLAG_*.
const TF_FIN: u32 = 0x01 << 8;
const TF_SYN: u32 = 0x02 << 8;
const TF_RST: u32 = 0x04 << 8;
const TF_PSH: u32 = 0x08 << 8;
const TF_URG: u32 = 0x20 << 8;
const TF_CWR: u32 = 0x80 << 8;

const C_ALLOC: usize = 0;
const C_ENABLED: usize = 4;
const C_MAX: usize = 8;
const C_MAX4: usize = 12;
const C_BITMASK: usize = 16;
const C_HELD: usize = 20;
const C_FREE: usize = 24;
const C_CSUM: usize = 32;
const C_BUCKETS: usize = 64;
const BUCKET_BYTES: usize = 16;
const B_COUNT: usize = 0;
const B_LIST: usize = 8;
const C_SLOTS: usize = C_BUCKETS + <usize>GRO_HASH_BUCKETS * BUCKET_BYTES;
const SLOT_BYTES: usize = 32;
const S_HEAD: usize = 0;
const S_COUNT: usize = 4;
const S_FIXEDID: usize = 8;
const S_AGE: usize = 16;
const C_STATS: usize = C_SLOTS + <usize>(GRO_HASH_BUCKETS * MAX_GRO_SKBS) * SLOT_BYTES;
const CTX_BYTES: usize = C_STATS + (<usize>GRO_STATS << 3);

let ctxMax: u32 = 0;
let ctxCount: u32 = 0;
let ctxBase: usize = 0;

// Column bases, cached at init (the skb pool is planned before GRO).
let colLen: usize = 0;
let colHdrLen: usize = 0;
let colMac: usize = 0;
let colNet: usize = 0;
let colProto: usize = 0;
let colHash: usize = 0;
let colGsoSize: usize = 0;
let colGsoSegs: usize = 0;
let colGsoType: usize = 0;
let colTruesize: usize = 0;

export function gro_plan(contexts: u32): void {
  ctxMax = contexts;
  ctxBase = reserve(CTX_BYTES * <usize>contexts);
}

export function gro_init(): void {
  zero(ctxBase, CTX_BYTES * <usize>ctxMax);
  ctxCount = 0;
  colLen = skb_col(SKB_LEN);
  colHdrLen = skb_col(SKB_HDR_LEN);
  colMac = skb_col(SKB_MAC);
  colNet = skb_col(SKB_NETWORK);
  colProto = skb_col(SKB_PROTOCOL);
  colHash = skb_col(SKB_HASH);
  colGsoSize = skb_col(SKB_GSO_SIZE);
  colGsoSegs = skb_col(SKB_GSO_SEGS);
  colGsoType = skb_col(SKB_GSO_TYPE);
  colTruesize = skb_col(SKB_TRUESIZE);
}

@inline function col(base: usize, h: u32): usize {
  return base + (<usize>h << 2);
}
@inline function ctxAt(ctx: u32): usize {
  return ctxBase + CTX_BYTES * <usize>ctx;
}
@inline function slotAt(c: usize, s: u32): usize {
  return c + C_SLOTS + <usize>s * SLOT_BYTES;
}
@inline function bucketAt(c: usize, b: u32): usize {
  return c + C_BUCKETS + <usize>b * BUCKET_BYTES;
}
@inline function stat(c: usize, i: u32, v: f64): void {
  const p = c + C_STATS + (<usize>i << 3);
  store<f64>(p, load<f64>(p) + v);
}
@inline function be16(p: usize): u32 {
  return <u32>bswap<u16>(load<u16>(p));
}
@inline function be32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

/** Fold a sum of little-endian-loaded words to 16 bits (one's complement).
 *  Byte order does not change a one's complement sum beyond a byte swap, so
 *  0xffff (a valid checksum) reads the same either way. */
@inline function fold(s: u64): u32 {
  s = (s & 0xffffffff) + (s >> 32);
  s = (s & 0xffffffff) + (s >> 32);
  let x = <u32>s;
  x = (x & 0xffff) + (x >> 16);
  x = (x & 0xffff) + (x >> 16);
  return x;
}

/** Pseudo-header sum (LE domain): addresses, protocol and L4 length. */
@inline function pseudoSum(ip: usize, v6: bool, l4len: u32): u64 {
  let s: u64;
  if (v6) {
    s = <u64>load<u32>(ip + 8) + <u64>load<u32>(ip + 12) + <u64>load<u32>(ip + 16) + <u64>load<u32>(ip + 20) +
      <u64>load<u32>(ip + 24) + <u64>load<u32>(ip + 28) + <u64>load<u32>(ip + 32) + <u64>load<u32>(ip + 36);
    // the upper-layer length is a u32 on the wire: its high 16 bits (0 below 64 KB)
    s += (<u64>((l4len >> 16) & 0xff) << 8) | <u64>(l4len >> 24);
  } else {
    s = <u64>load<u32>(ip + 12) + <u64>load<u32>(ip + 16);
  }
  s += <u64>(IPPROTO_TCP << 8);
  s += <u64>bswap<u16>(<u16>l4len);
  return s;
}

/** Allocate the next GRO context: enabled, 64 KB limits, checksums checked. */
export function gro_ctx_alloc(): i32 {
  if (ctxCount >= ctxMax) return -1;
  const id = ctxCount++;
  const c = ctxAt(id);
  zero(c, CTX_BYTES);
  store<u32>(c + C_ALLOC, 1);
  store<u32>(c + C_ENABLED, 1);
  store<u32>(c + C_MAX, GRO_LEGACY_MAX_SIZE);
  store<u32>(c + C_MAX4, GRO_LEGACY_MAX_SIZE);
  store<u64>(c + C_FREE, 0xffffffffffffffff);
  store<u32>(c + C_CSUM, 1);
  return <i32>id;
}

export function gro_ctx_count(): u32 { return ctxCount; }
export function gro_ctx_max(): u32 { return ctxMax; }
export function gro_stats_ptr(ctx: u32): usize { return ctxAt(ctx) + C_STATS; }
export function gro_stats_len(): u32 { return GRO_STATS; }
/** Byte address of the context's held-aggregates count (a u32 the TS side reads without a call). */
export function gro_held_ptr(ctx: u32): usize { return ctxAt(ctx) + C_HELD; }
export function gro_bitmask(ctx: u32): u32 { return load<u32>(ctxAt(ctx) + C_BITMASK); }
export function gro_bucket_count(ctx: u32, b: u32): u32 {
  return load<u32>(bucketAt(ctxAt(ctx), b & 7) + B_COUNT);
}
/** Head skb of the i-th newest aggregate of bucket b (no check of i). */
export function gro_bucket_head(ctx: u32, b: u32, i: u32): u32 {
  const c = ctxAt(ctx);
  const s = <u32>((load<u64>(bucketAt(c, b & 7) + B_LIST) >> (<u64>(i & 7) << 3)) & 0xff);
  return load<u32>(slotAt(c, s) + S_HEAD);
}
export function gro_bucket_seg_count(ctx: u32, b: u32, i: u32): u32 {
  const c = ctxAt(ctx);
  const s = <u32>((load<u64>(bucketAt(c, b & 7) + B_LIST) >> (<u64>(i & 7) << 3)) & 0xff);
  return load<u32>(slotAt(c, s) + S_COUNT);
}

export function gro_set_enabled(ctx: u32, on: u32): void {
  store<u32>(ctxAt(ctx) + C_ENABLED, on != 0 ? 1 : 0);
}
export function gro_set_max_size(ctx: u32, ipv4Max: u32, max: u32): void {
  const c = ctxAt(ctx);
  store<u32>(c + C_MAX4, ipv4Max);
  store<u32>(c + C_MAX, max);
}
export function gro_set_csum(ctx: u32, on: u32): void {
  store<u32>(ctxAt(ctx) + C_CSUM, on != 0 ? 1 : 0);
}
export function gro_enabled(ctx: u32): u32 { return load<u32>(ctxAt(ctx) + C_ENABLED); }
export function gro_max_size(ctx: u32): u32 { return load<u32>(ctxAt(ctx) + C_MAX); }
export function gro_ipv4_max_size(ctx: u32): u32 { return load<u32>(ctxAt(ctx) + C_MAX4); }

/** net/core/gro.c: napi_gro_complete — count 1 goes up as a plain packet;
 *  otherwise inet_gro_complete/ipv6_gro_complete + tcp4/6_gro_complete. */
function complete(c: usize, s: u32, out: usize, k: u32): u32 {
  const sp = slotAt(c, s);
  const h = load<u32>(sp + S_HEAD);
  const count = load<u32>(sp + S_COUNT);
  if (count == 1) {
    store<u32>(col(colGsoSize, h), 0);
  } else {
    const base = skb_hdr(h);
    const net = load<u32>(col(colNet, h));
    const ip = base + <usize>net;
    const len = load<u32>(col(colLen, h));
    const l3 = len - net;
    let th: usize;
    let gso = load<u32>(col(colGsoType, h));
    const v6 = load<u8>(ip) >> 4 == 6;
    if (v6) {
      // net/ipv6/ip6_offload.c: ipv6_gro_complete — payload_len
      store<u16>(ip + 4, bswap<u16>(<u16>(l3 - 40)));
      th = ip + 40;
      gso |= SKB_GSO_TCPV6;
    } else {
      // net/ipv4/af_inet.c: inet_gro_complete — iph_set_totlen (0 past 64 KB)
      // and the header checksum (csum_replace2 == a recomputation here)
      store<u16>(ip + 2, bswap<u16>(<u16>(l3 <= 0xffff ? l3 : 0)));
      store<u16>(ip + 10, 0);
      const sum = <u64>load<u32>(ip) + <u64>load<u32>(ip + 4) + <u64>load<u32>(ip + 8) +
        <u64>load<u32>(ip + 12) + <u64>load<u32>(ip + 16);
      store<u16>(ip + 10, <u16>(~fold(sum)));
      th = ip + 20;
      gso |= SKB_GSO_TCPV4;
      if (load<u32>(sp + S_FIXEDID) != 0) gso |= SKB_GSO_TCP_FIXEDID;
    }
    // tcp4/6_gro_complete: th->check = ~tcp_v4/6_check(len, saddr, daddr, 0),
    // the pseudo-header sum for CHECKSUM_PARTIAL
    const l4len = <u32>(<usize>l3 - (th - ip));
    store<u16>(th + 16, <u16>fold(pseudoSum(ip, v6, l4len)));
    // net/ipv4/tcp_offload.c: tcp_gro_complete
    if ((load<u8>(th + 13) & 0x80) != 0) gso |= SKB_GSO_TCP_ECN;
    store<u32>(col(colGsoType, h), gso);
    store<u32>(col(colGsoSegs, h), count);
  }
  store<u32>(out + (<usize>k << 2), h);
  stat(c, GRO_ST_COMPLETED, 1);
  stat(c, GRO_ST_OUT, 1);
  stat(c, GRO_ST_SEGS_OUT, <f64>count);
  store<u64>(c + C_FREE, load<u64>(c + C_FREE) | (<u64>1 << <u64>s));
  return k + 1;
}

/** Remove list position i (0 = newest) of a bucket; returns the slot id. */
@inline function listRemove(bp: usize, i: u32): u32 {
  const list = load<u64>(bp + B_LIST);
  const sh = <u64>i << 3;
  const s = <u32>((list >> sh) & 0xff);
  const low = i == 0 ? <u64>0 : list & ((<u64>1 << sh) - 1);
  const high = i >= 7 ? <u64>0 : (list >> (sh + 8)) << sh;
  store<u64>(bp + B_LIST, low | high);
  return s;
}

@inline function setBit(c: usize, b: u32, on: bool): void {
  const m = load<u32>(c + C_BITMASK);
  store<u32>(c + C_BITMASK, on ? m | (1 << b) : m & ~(1 << b));
}

/** Wire packets in an skb: gso_segs for a GSO skb, else 1. */
@inline function wireSegs(h: u32): u32 {
  if (load<u32>(col(colGsoSize, h)) == 0) return 1;
  const n = load<u32>(col(colGsoSegs, h));
  return n == 0 ? 1 : n;
}

@inline function deliverAlone(c: usize, h: u32, out: usize, k: u32, reason: u32): u32 {
  store<u32>(out + (<usize>k << 2), h);
  stat(c, GRO_ST_NORMAL, 1);
  stat(c, GRO_ST_OUT, 1);
  stat(c, GRO_ST_SEGS_OUT, <f64>wireSegs(h));
  stat(c, GRO_ST_REASON + reason, 1);
  return k + 1;
}

/** net/core/gro.c: dev_gro_receive for one skb; returns the new out count. */
// (GRO_ST_IN is counted once per burst by gro_receive_burst.)
function receiveOne(c: usize, h: u32, out: usize, k: u32, now: f64): u32 {
  // netif_elide_gro: GRO off ⇒ GRO_NORMAL
  if (load<u32>(c + C_ENABLED) == 0) return deliverAlone(c, h, out, k, GRO_R_DISABLED);
  const base = skb_hdr(h);
  const proto = load<u32>(col(colProto, h));
  const net = load<u32>(col(colNet, h));
  const hl = load<u32>(col(colHdrLen, h));
  const len = load<u32>(col(colLen, h));
  const v6 = proto == ETH_P_IPV6;
  if (!v6 && proto != ETH_P_IP) return deliverAlone(c, h, out, k, GRO_R_NOT_IP);
  const iphl: u32 = v6 ? 40 : 20;
  if (net + iphl > hl || hl > 128 || len < net + iphl) return deliverAlone(c, h, out, k, GRO_R_NOT_IP);
  const ip = base + <usize>net;
  const l3 = len - net;
  let sflush = false; // NAPI_GRO_CB(skb)->flush set by L3 (still goes to TCP)
  let l4: u32;
  if (!v6) {
    // net/ipv4/af_inet.c: inet_gro_receive
    l4 = load<u8>(ip + 9);
    if (l4 != IPPROTO_TCP && l4 != IPPROTO_UDP) return deliverAlone(c, h, out, k, GRO_R_NOT_IP);
    if (load<u8>(ip) != 0x45) return deliverAlone(c, h, out, k, GRO_R_IP_OPTIONS);
    const frag = be16(ip + 6);
    if ((frag & 0x3fff) != 0) return deliverAlone(c, h, out, k, GRO_R_FRAGMENT);
    const sum = <u64>load<u32>(ip) + <u64>load<u32>(ip + 4) + <u64>load<u32>(ip + 8) +
      <u64>load<u32>(ip + 12) + <u64>load<u32>(ip + 16);
    if (fold(sum) != 0xffff) return deliverAlone(c, h, out, k, GRO_R_CSUM);
    sflush = ((be16(ip + 2) ^ l3) & 0xffff) != 0 || (frag & 0x8000) != 0;
  } else {
    // net/ipv6/ip6_offload.c: ipv6_gro_receive
    sflush = be16(ip + 4) != l3 - 40;
    l4 = load<u8>(ip + 6);
    if (l4 != IPPROTO_TCP && l4 != IPPROTO_UDP) {
      if (l4 == 44) return deliverAlone(c, h, out, k, GRO_R_FRAGMENT);
      if (l4 == 0 || l4 == 43 || l4 == 60) return deliverAlone(c, h, out, k, GRO_R_IP_OPTIONS);
      return deliverAlone(c, h, out, k, GRO_R_NOT_IP);
    }
  }
  // net/ipv4/udp_offload.c: udp_gro_receive — no UDP GRO socket ⇒ flush
  if (l4 == IPPROTO_UDP) return deliverAlone(c, h, out, k, sflush ? GRO_R_BAD_HDR : GRO_R_UDP);

  // net/ipv4/tcp_offload.c: tcp_gro_pull_header
  const th = ip + <usize>iphl;
  const l4len = l3 - iphl;
  if (net + iphl + 20 > hl || l4len < 20) return deliverAlone(c, h, out, k, GRO_R_BAD_HDR);
  const thlen: u32 = <u32>(load<u8>(th + 12) >> 4) << 2;
  if (thlen < 20 || net + iphl + thlen > hl || l4len < thlen) return deliverAlone(c, h, out, k, GRO_R_BAD_HDR);
  const gsoSize = load<u32>(col(colGsoSize, h));
  const isGso = gsoSize != 0;
  const segs = wireSegs(h);
  if (isGso) {
    // dev_gro_receive: count = gso_segs; only non-DODGY TCP GSO may merge
    const gt = load<u32>(col(colGsoType, h));
    if ((gt & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) == 0 || (gt & SKB_GSO_DODGY) != 0) sflush = true;
  } else if (!sflush && load<u32>(c + C_CSUM) != 0) {
    // tcp4/6_gro_receive: skb_gro_checksum_validate (skipped when flushing)
    let s = pseudoSum(ip, v6, l4len);
    for (let o: usize = 0; o < <usize>thlen; o += 4) s += <u64>load<u32>(th + o);
    if (fold(s) != 0xffff) return deliverAlone(c, h, out, k, GRO_R_CSUM);
  }
  const payload = l4len - thlen;
  const flags = load<u32>(th + 12);
  const hash = load<u32>(col(colHash, h));
  const b = hash & (GRO_HASH_BUCKETS - 1);
  const bp = bucketAt(c, b);
  let cnt = load<u32>(bp + B_COUNT);
  const list = load<u64>(bp + B_LIST);
  const mac = base + <usize>load<u32>(col(colMac, h));

  // gro_list_prepare + inet/ipv6 same_flow + tcp_gro_lookup: the first
  // (newest) held aggregate of the same flow
  let pi: u32 = 0;
  let ps: u32 = 0;
  let p: u32 = 0xffffffff;
  for (; pi < cnt; pi++) {
    ps = <u32>((list >> (<u64>pi << 3)) & 0xff);
    const q = load<u32>(slotAt(c, ps) + S_HEAD);
    if (load<u32>(col(colHash, q)) != hash) continue;
    const qb = skb_hdr(q);
    const qmac = qb + <usize>load<u32>(col(colMac, q));
    if (load<u64>(qmac) != load<u64>(mac) || load<u32>(qmac + 8) != load<u32>(mac + 8) ||
      load<u16>(qmac + 12) != load<u16>(mac + 12)) continue;
    const qip = qb + <usize>load<u32>(col(colNet, q));
    if (v6) {
      if (((load<u32>(qip) ^ load<u32>(ip)) & 0xffff0ff0) != 0 || load<u8>(qip + 6) != load<u8>(ip + 6)) continue;
      if (load<u64>(qip + 8) != load<u64>(ip + 8) || load<u64>(qip + 16) != load<u64>(ip + 16) ||
        load<u64>(qip + 24) != load<u64>(ip + 24) || load<u64>(qip + 32) != load<u64>(ip + 32)) continue;
    } else {
      if (load<u8>(qip + 9) != load<u8>(ip + 9) || load<u64>(qip + 12) != load<u64>(ip + 12)) continue;
    }
    if (load<u32>(qip + <usize>iphl) != load<u32>(th)) continue;
    p = q;
    break;
  }

  let reason: u32 = 0xffffffff;
  let merged = false;
  let mss: u32 = 1;
  if (p != 0xffffffff) {
    const sp = slotAt(c, ps);
    const pip = skb_hdr(p) + <usize>load<u32>(col(colNet, p));
    const th2 = pip + <usize>iphl;
    const pcount = load<u32>(sp + S_COUNT);
    // tcp_gro_receive: the flush checks, first failing one named
    if (sflush) reason = GRO_R_BAD_HDR; // skb_gro_receive refuses a flushing skb
    else if ((flags & TF_CWR) != 0) reason = GRO_R_CWR;
    else if (((flags ^ load<u32>(th2 + 12)) & ~(TF_CWR | TF_FIN | TF_PSH)) != 0) reason = GRO_R_FLAG_WORD;
    else if (load<u32>(th + 8) != load<u32>(th2 + 8)) reason = GRO_R_ACK;
    else {
      for (let o: usize = 20; o < <usize>thlen; o += 4) {
        if (load<u32>(th + o) != load<u32>(th2 + o)) {
          reason = GRO_R_OPTIONS;
          break;
        }
      }
      if (reason == 0xffffffff) {
        if (v6) {
          // include/net/gro.h: ipv6_gro_flush — traffic class, hop limit
          if (((load<u32>(ip) ^ load<u32>(pip)) & 0xf00f) != 0 || load<u8>(ip + 7) != load<u8>(pip + 7)) reason = GRO_R_IP_FIELDS;
        } else {
          // include/net/gro.h: inet_gro_flush — TTL, TOS, DF; then the IP ID
          const df = load<u8>(ip + 6) & 0x40;
          if (load<u8>(ip + 8) != load<u8>(pip + 8) || load<u8>(ip + 1) != load<u8>(pip + 1) || df != (load<u8>(pip + 6) & 0x40)) {
            reason = GRO_R_IP_FIELDS;
          } else {
            const off = (be16(ip + 4) - be16(pip + 4)) & 0xffff;
            if (pcount == 1 && df != 0 && off == 0) store<u32>(sp + S_FIXEDID, 1);
            const fixed = load<u32>(sp + S_FIXEDID);
            if ((off ^ (fixed != 0 ? 0 : pcount)) != 0) reason = GRO_R_IP_ID;
          }
        }
      }
      if (reason == 0xffffffff) {
        const pmss = load<u32>(col(colGsoSize, p));
        const plen = load<u32>(col(colLen, p));
        const pthlen = <u32>(load<u8>(th2 + 12) >> 4) << 2;
        const pl3 = plen - load<u32>(col(colNet, p));
        const ppayload = pl3 - iphl - pthlen;
        const max = v6 ? min(load<u32>(c + C_MAX), GRO_LEGACY_MAX_SIZE) : load<u32>(c + C_MAX4);
        if (isGso ? pmss != gsoSize : payload - 1 >= pmss) reason = GRO_R_LEN;
        else if (be32(th2 + 4) + ppayload != be32(th + 4)) reason = GRO_R_SEQ;
        else if (<u64>pl3 + <u64>payload >= <u64>max) reason = GRO_R_MAX_SIZE;
        else {
          // net/core/gro.c: skb_gro_receive — the head takes the payload
          mss = pmss;
          merged = true;
          store<u32>(sp + S_COUNT, pcount + segs);
          store<u32>(col(colLen, p), plen + payload);
          store<u32>(col(colTruesize, p), load<u32>(col(colTruesize, p)) + load<u32>(col(colTruesize, h)));
          store<u32>(th2 + 12, load<u32>(th2 + 12) | (flags & (TF_FIN | TF_PSH)));
        }
      }
    }
  }
  // out_check_final: a short or flagged segment ends the aggregate
  let flush = isGso ? payload != segs * gsoSize : payload < mss;
  const fl = (flags & (TF_URG | TF_PSH | TF_RST | TF_SYN | TF_FIN)) != 0;
  if (p != 0xffffffff && (!merged || flush || fl)) {
    if (merged) reason = fl ? GRO_R_TCP_FLAGS : GRO_R_SHORT;
    stat(c, GRO_ST_REASON + reason, 1);
    listRemove(bp, pi);
    cnt--;
    store<u32>(bp + B_COUNT, cnt);
    store<u32>(c + C_HELD, load<u32>(c + C_HELD) - 1);
    k = complete(c, ps, out, k);
    if (cnt == 0) setBit(c, b, false);
  }
  if (merged) {
    // GRO_MERGED_FREE
    stat(c, GRO_ST_MERGED, 1);
    skb_free_one(h);
    return k;
  }
  if (flush || fl || sflush) {
    // GRO_NORMAL (the reason was counted with the completion if p existed)
    store<u32>(out + (<usize>k << 2), h);
    stat(c, GRO_ST_NORMAL, 1);
    stat(c, GRO_ST_OUT, 1);
    stat(c, GRO_ST_SEGS_OUT, <f64>segs);
    if (p == 0xffffffff) stat(c, GRO_ST_REASON + (sflush ? GRO_R_BAD_HDR : fl ? GRO_R_TCP_FLAGS : GRO_R_LEN), 1);
    return k + 1;
  }
  // GRO_HELD: a full bucket first completes its oldest (gro_flush_oldest)
  if (cnt >= MAX_GRO_SKBS) {
    const os = listRemove(bp, cnt - 1);
    stat(c, GRO_ST_REASON + GRO_R_BUCKET, 1);
    k = complete(c, os, out, k);
  } else {
    cnt++;
    store<u32>(bp + B_COUNT, cnt);
    store<u32>(c + C_HELD, load<u32>(c + C_HELD) + 1);
  }
  const free = load<u64>(c + C_FREE);
  const s = <u32>ctz(free);
  store<u64>(c + C_FREE, free & ~(<u64>1 << <u64>s));
  const sp = slotAt(c, s);
  store<u32>(sp + S_HEAD, h);
  store<u32>(sp + S_COUNT, segs);
  store<u32>(sp + S_FIXEDID, 0);
  store<f64>(sp + S_AGE, now);
  if (!isGso) store<u32>(col(colGsoSize, h), payload);
  store<u64>(bp + B_LIST, (load<u64>(bp + B_LIST) << 8) | <u64>s);
  setBit(c, b, true);
  stat(c, GRO_ST_HELD, 1);
  return k;
}

/** napi_gro_receive for n skbs at handles[0..n): every skb that must go up
 *  the stack now (completed aggregates, packets delivered alone) is written
 *  to out[] in the kernel's order. Returns the out count, or GRO_ERR when ctx
 *  is not allocated or outMax < 2n (one skb can complete one aggregate and go
 *  up itself). `now` (ns) is the age given to new aggregates. */
export function gro_receive_burst(ctx: u32, handles: usize, n: u32, out: usize, outMax: u32, now: f64): u32 {
  if (ctx >= ctxCount || <u64>outMax < (<u64>n << 1)) return GRO_ERR;
  const c = ctxAt(ctx);
  // one add for the burst: the stats are only read between calls
  stat(c, GRO_ST_IN, <f64>n);
  let k: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    k = receiveOne(c, load<u32>(handles + (<usize>i << 2)), out, k, now);
  }
  return k;
}

/** net/core/gro.c: napi_gro_flush — complete held aggregates, bucket by
 *  bucket, oldest first; with olderThan, a bucket stops at its first
 *  aggregate not older than it (the kernel's age == jiffies test). Stops when
 *  out is full (the rest stay held). Returns the out count or GRO_ERR. */
export function gro_flush(ctx: u32, out: usize, outMax: u32, olderThan: f64): u32 {
  if (ctx >= ctxCount) return GRO_ERR;
  const c = ctxAt(ctx);
  let k: u32 = 0;
  let mask = load<u32>(c + C_BITMASK);
  while (mask != 0) {
    const b = <u32>ctz(mask);
    mask &= mask - 1;
    const bp = bucketAt(c, b);
    let cnt = load<u32>(bp + B_COUNT);
    while (cnt > 0) {
      if (k >= outMax) return k;
      const s = <u32>((load<u64>(bp + B_LIST) >> (<u64>(cnt - 1) << 3)) & 0xff);
      if (load<f64>(slotAt(c, s) + S_AGE) >= olderThan) break;
      listRemove(bp, cnt - 1);
      cnt--;
      store<u32>(bp + B_COUNT, cnt);
      store<u32>(c + C_HELD, load<u32>(c + C_HELD) - 1);
      stat(c, GRO_ST_REASON + GRO_R_FLUSH, 1);
      k = complete(c, s, out, k);
    }
    if (cnt == 0) setBit(c, b, false);
  }
  return k;
}
