// An IPv4 SYN cookie SYN-ACK in one call (a SYN flood answers every SYN
// so): the cookie ISN (net/ipv4/syncookies.c: __cookie_v4_init_sequence ->
// secure_tcp_syn_cookie, two cookie_hash SipHashes) and the SYN-ACK's
// headers from a template slot (assembly/stamp.ts stamp_tcp4). Its plain-TS
// reference is src/tcp/cookie.ts cookieSeq over src/core/ref/siphash.ts plus
// TcpStamp.writeRef. cookie_synack4_burst does a NAPI poll's cookie
// SYN-ACKs in one call, from rows TS fills in its burst area:
//
//   +--------------------------------+ burst
//   | COOKIE_BURST x 11 u32          | row i: slot, h, raddr, lport, rport,
//   |                                | sseq, mssind, count, win, tsval,
//   |                                | tsecr
//   +--------------------------------+
import { reserve, zero } from "./layout";
import { sip4u32 } from "./siphash";
import { stamp_tcp4 } from "./stamp";

/** Rows of the burst area: a NAPI poll's frames (NAPI_POLL_WEIGHT) and the GRO flush after them. */
export const COOKIE_BURST: u32 = 128;
const ROW_U32: u32 = 11;
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

/** cookie_synack4 for rows 0..n of the burst area, in order, under the
 *  host's key at `key` and its address `laddr`. n above COOKIE_BURST is
 *  clamped (TS never passes it). */
export function cookie_synack4_burst(n: u32, key: usize, laddr: u32): void {
  if (n > COOKIE_BURST) n = COOKIE_BURST;
  for (let i: u32 = 0; i < n; i++) {
    const r = burst + (<usize>(i * ROW_U32) << 2);
    cookie_synack4(load<u32>(r), load<u32>(r, 4), key, laddr, load<u32>(r, 8), load<u32>(r, 12), load<u32>(r, 16), load<u32>(r, 20), load<u32>(r, 24), load<u32>(r, 28), load<u32>(r, 32), load<u32>(r, 36), load<u32>(r, 40));
  }
}
