// An IPv4 SYN cookie SYN-ACK in one call (a SYN flood answers every SYN
// so): the cookie ISN (net/ipv4/syncookies.c: __cookie_v4_init_sequence ->
// secure_tcp_syn_cookie, two cookie_hash SipHashes) and the SYN-ACK's
// headers from a template slot (assembly/stamp.ts stamp_tcp4). Its plain-TS
// reference is src/tcp/cookie.ts cookieSeq over src/core/ref/siphash.ts plus
// TcpStamp.writeRef. cookie_synack4_burst does a NAPI poll's cookie
// SYN-ACKs in one call, from rows TS fills in its burst area, and with
// them each SYN-ACK's txhash (skb_set_hash) and its timestamp offset
// (secure_tcp_ts_off), so TS makes no call per SYN for either:
//
//   +--------------------------------+ burst
//   | COOKIE_BURST x 12 u32          | row i: slot, h, raddr, lport, rport,
//   |                                | sseq, mssind, count, win, tsval,
//   |                                | tsecr, flags (COOKIE_ROW_TS_OFF)
//   +--------------------------------+
import { reserve, zero } from "./layout";
import { sip4u32 } from "./siphash";
import { stamp_tcp4 } from "./stamp";
import { HASH_L4, SKB_HASH, SKB_HASH_FLAGS, skb_set } from "./skb";

/** Rows of the burst area: a NAPI poll's frames (NAPI_POLL_WEIGHT) and the GRO flush after them. */
export const COOKIE_BURST: u32 = 128;
const ROW_U32: u32 = 12;
/** Row flag: tsval gets the host's timestamp offset for raddr added (the SYN had timestamps). */
export const COOKIE_ROW_TS_OFF: u32 = 1;
let burst: usize = 0;

export function cookie_plan(): void {
  burst = reserve(<usize>COOKIE_BURST * ROW_U32 * 4);
}

export function cookie_init(): void {
  zero(burst, <usize>COOKIE_BURST * ROW_U32 * 4);
}

export function cookie_burst_ptr(): usize {
  return burst;
}

export function cookie_burst_rows(): u32 {
  return COOKIE_BURST;
}

const COOKIEBITS: u32 = 24;
const COOKIEMASK: u32 = (1 << COOKIEBITS) - 1;

/** The SYN-ACK answering a SYN from raddr:rport to laddr:lport (host-order
 *  u32 addresses, 10.0.0.1 = 0x0a000001) with sequence number `sseq`:
 *  seq = the cookie (mssind and the minute counter `count` folded in, keys
 *  syncookie_secret[0] at `key` and [1] at key + 16), ack = sseq + 1,
 *  stamped from template `slot` into skb h. Returns the cookie. */
export function cookie_synack4(slot: u32, h: u32, key: usize, laddr: u32, raddr: u32, lport: u32, rport: u32, sseq: u32, mssind: u32, count: u32, win: u32, tsval: u32, tsecr: u32): u32 {
  // cookie_hash(saddr, daddr, sport, dport, count, c): the tuple's network-order
  // words as a little-endian machine reads them
  const a = bswap<u32>(raddr);
  const b = bswap<u32>(laddr);
  const c = (<u32>bswap<u16>(<u16>rport) << 16) | <u32>bswap<u16>(<u16>lport);
  const h0 = <u32>sip4u32(key, a, b, c, 0);
  const h1 = <u32>sip4u32(key + 16, a, b, c, count);
  // secure_tcp_syn_cookie
  const isn = h0 + sseq + (count << COOKIEBITS) + ((h1 + mssind) & COOKIEMASK);
  stamp_tcp4(slot, h, laddr, raddr, (lport << 16) | (rport & 0xffff), isn, sseq + 1, win, tsval, tsecr);
  return isn;
}

// src/util/murmur.ts murmurMix / murmurFinal (MurmurHash3 x86_32 steps), the same u32 arithmetic
@inline function murmurMix(h: u32, k: u32): u32 {
  k *= 0xcc9e2d51;
  k = rotl<u32>(k, 15);
  k *= 0x1b873593;
  h ^= k;
  h = rotl<u32>(h, 13);
  return h * 5 + 0xe6546b64;
}
@inline function murmurFinal(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/** src/tcp/txhash.ts txhashOf: the model's net_tx_rndhash for a request of this 4-tuple (nonzero). */
@inline function txhashOf(lport: u32, rport: u32, rkey: u32): u32 {
  const h = murmurFinal(murmurMix(murmurMix(0x9e3779b9, (lport << 16) | (rport & 0xffff)), rkey));
  return h != 0 ? h : 1;
}

/** src/tcp/isn-secret.ts IsnSecret.hash(laddr, raddr, 0, 0, 1) under that key's words k0..k3
 *  (key[4..8)): TcpHost.tsOffset, the model's secure_tcp_ts_off. */
@inline function tsOffset(laddr: u32, raddr: u32, k0: u32, k1: u32, k2: u32, k3: u32): u32 {
  let h = k0;
  h = murmurMix(h, laddr ^ k1);
  h = murmurMix(h, raddr);
  h = murmurMix(h, k2);
  h = murmurMix(h, k3);
  return murmurFinal(h ^ 16);
}

/** cookie_synack4 for rows 0..n of the burst area, in order, under the
 *  host's key at `key` and its address `laddr`; each SYN-ACK's skb gets
 *  its L4 txhash, and a row flagged COOKIE_ROW_TS_OFF its timestamp offset
 *  added to tsval when `tsKey` (the host's tcp_timestamps is 1; its
 *  offset key's words tk0..tk3). n above COOKIE_BURST is clamped (TS never
 *  passes it). */
export function cookie_synack4_burst(n: u32, key: usize, laddr: u32, tsKey: u32, tk0: u32, tk1: u32, tk2: u32, tk3: u32): void {
  if (n > COOKIE_BURST) n = COOKIE_BURST;
  for (let i: u32 = 0; i < n; i++) {
    const r = burst + (<usize>(i * ROW_U32) << 2);
    const h = load<u32>(r, 4);
    const raddr = load<u32>(r, 8);
    const lport = load<u32>(r, 12);
    const rport = load<u32>(r, 16);
    // tcp_conn_request: tcp_rsk(req)->txhash; tcp_make_synack: skb_set_hash(.., PKT_HASH_TYPE_L4)
    skb_set(SKB_HASH, h, txhashOf(lport, rport, raddr));
    skb_set(SKB_HASH_FLAGS, h, HASH_L4);
    let tsval = load<u32>(r, 36);
    if (tsKey != 0 && (load<u32>(r, 44) & COOKIE_ROW_TS_OFF) != 0) tsval += tsOffset(laddr, raddr, tk0, tk1, tk2, tk3);
    cookie_synack4(load<u32>(r), h, key, laddr, raddr, lport, rport, load<u32>(r, 20), load<u32>(r, 24), load<u32>(r, 28), load<u32>(r, 32), tsval, load<u32>(r, 40));
  }
}
