// Plain-TS reference of assembly/cookie.ts cookie_synack4's cookie (the
// SYN-ACK's header bytes have theirs in TcpStamp.writeRef): Linux's
// secure_tcp_syn_cookie over cookie_hash, with the BigInt SipHash of
// ./siphash.ts. Test oracle only.
import { keyFromWords, siphash4u32Ref } from "./siphash.js";

const bswap32 = (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
const bswap16 = (v: number): number => ((v & 0xff) << 8) | ((v >>> 8) & 0xff);

/** The cookie ISN of a SYN from raddr:rport to laddr:lport (host-order u32
 *  addresses) with sequence number sseq, under syncookie_secret[0..1] (the
 *  first 8 u32 of `keyWords`, little-endian as in memory). */
export function cookieIsn4Ref(keyWords: ArrayLike<number>, laddr: number, raddr: number, lport: number, rport: number, sseq: number, mssind: number, count: number): number {
  // cookie_hash: the tuple's network-order words as x86 reads them
  const a = bswap32(raddr);
  const b = bswap32(laddr);
  const c = ((bswap16(rport) << 16) | bswap16(lport)) >>> 0;
  const hash = (k: number, cnt: number): number => {
    const [k0, k1] = keyFromWords(keyWords, k * 4);
    return Number(siphash4u32Ref(k0, k1, a, b, c, cnt) & 0xffffffffn);
  };
  // net/ipv4/syncookies.c: secure_tcp_syn_cookie, mod 2^32
  return (hash(0, 0) + (sseq >>> 0) + ((count << 24) >>> 0) + ((hash(1, count) + mssind) & 0xffffff)) % 2 ** 32;
}
