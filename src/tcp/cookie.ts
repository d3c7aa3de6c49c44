// SYN cookies (net/ipv4/syncookies.c). The layout is Linux's:
//   isn = H(0,0) + client_isn + (count << 24) + ((H(1,count) + mssind) & 0xFFFFFF)
// with count = minutes of uptime (tcp_cookie_time), mssind an index into
// msstab, and the options a timestamp-capable SYN asked for carried in the low
// 6 bits of the SYN-ACK's TSval (cookie_init_timestamp).
//
// Model choice: Linux's H is siphash_4u32 under two random boot-time keys.
// Here H is a keyed 32-bit ARX mix (murmur3 finalisers over the four words and
// the key) with two 128-bit keys drawn from the run's RNG: deterministic per
// seed, uniform enough that a forged cookie passes with the same ~4/2^24 odds,
// and free of allocation. IPv6 addresses are folded to 32 bits before hashing
// (Linux hashes the full addresses).
import type { Rng } from "../sim/rng.js";
import { MAX_SYNCOOKIE_AGE, TCP_SYNCOOKIE_PERIOD } from "./constants.js";
import { murmurFinal, murmurMix } from "../util/murmur.js";

const COOKIEBITS = 24;
const COOKIEMASK = (1 << COOKIEBITS) - 1;

/** net/ipv4/syncookies.c: msstab */
export const MSSTAB: readonly number[] = [536, 1300, 1440, 1460];

// net/ipv4/syncookies.c: TS_OPT_WSCALE_MASK, TS_OPT_SACK, TS_OPT_ECN, TSBITS
export const TS_OPT_WSCALE_MASK = 0xf;
export const TS_OPT_SACK = 1 << 4;
export const TS_OPT_ECN = 1 << 5;
export const TSBITS = 6;

const mix = murmurMix;
const fmix = murmurFinal;

/** The two cookie secrets of a host (syncookie_secret[2]). */
export class CookieSecrets {
  readonly key = new Uint32Array(8);

  constructor(rng: Rng) {
    for (let i = 0; i < 8; i++) this.key[i] = rng.u32();
  }

  /** cookie_hash(saddr, daddr, sport, dport, count, c), as an int32 (the
   *  u32 mod 2^32: callers sum it and take >>> 0). Int32 in and out keeps
   *  V8 from boxing a heap number per call on the per-SYN path. */
  hash(saddr: number, daddr: number, sport: number, dport: number, count: number, c: number): number {
    const k = this.key;
    const o = c * 4;
    let h = k[o]! | 0;
    h = mix(h, saddr ^ k[o + 1]!);
    h = mix(h, daddr);
    h = mix(h, ((sport << 16) | dport) ^ k[o + 2]!);
    h = mix(h, count ^ k[o + 3]!);
    return fmix(h ^ 16) | 0;
  }
}

/** tcp_cookie_time(): the minute counter at `now` (ns), as a u32. */
export function cookieTime(now: number): number {
  return Math.floor(now / TCP_SYNCOOKIE_PERIOD) >>> 0;
}

/** Largest msstab index whose entry is <= mss (0 below 1300): __cookie_v4_init_sequence. */
export function mssIndex(mss: number): number {
  let i = MSSTAB.length - 1;
  for (; i > 0; i--) if (mss >= MSSTAB[i]!) break;
  return i;
}

/** secure_tcp_syn_cookie: the SYN-ACK's sequence number. */
export function cookieEncode(sec: CookieSecrets, saddr: number, daddr: number, sport: number, dport: number, sseq: number, mssind: number, now: number): number {
  return cookieSeq(sec, saddr | 0, daddr | 0, sport, dport, sseq | 0, mssind, cookieTime(now)) >>> 0;
}

/** secure_tcp_syn_cookie for a minute counter `count`, every word an int32
 *  (the per-SYN path: no heap number per call); the result is the ISN mod
 *  2^32 as an int32. */
export function cookieSeq(sec: CookieSecrets, saddr: number, daddr: number, sport: number, dport: number, sseq: number, mssind: number, count: number): number {
  return (sec.hash(saddr, daddr, sport, dport, 0, 0) + sseq + (count << COOKIEBITS) + ((sec.hash(saddr, daddr, sport, dport, count, 1) + mssind) & COOKIEMASK)) | 0;
}

/** check_tcp_syn_cookie + __cookie_v4_check: the MSS the cookie carries, or 0
 *  when it is forged or older than MAX_SYNCOOKIE_AGE minutes. `cookie` is
 *  ack_seq - 1, `sseq` the client's seq - 1. */
export function cookieCheck(sec: CookieSecrets, cookie: number, saddr: number, daddr: number, sport: number, dport: number, sseq: number, now: number): number {
  const count = cookieTime(now);
  saddr |= 0;
  daddr |= 0;
  const c = (cookie - sec.hash(saddr, daddr, sport, dport, 0, 0) - sseq) >>> 0;
  const diff = (count - (c >>> COOKIEBITS)) & 0xff;
  if (diff >= MAX_SYNCOOKIE_AGE) return 0;
  const mssind = ((c - sec.hash(saddr, daddr, sport, dport, (count - diff) >>> 0, 1)) & COOKIEMASK) >>> 0;
  return mssind < MSSTAB.length ? MSSTAB[mssind]! : 0;
}

/** cookie_init_timestamp: the SYN-ACK TSval (before the per-connection
 *  offset) carrying wscale (0xF = none), SACK and ECN in its low 6 bits. */
export function cookieTimestamp(nowMs: number, wscale: number, sack: boolean, ecn: boolean): number {
  let options = wscale >= 0 ? wscale : TS_OPT_WSCALE_MASK;
  if (sack) options |= TS_OPT_SACK;
  if (ecn) options |= TS_OPT_ECN;
  const tsNow = nowMs;
  let ts = Math.floor(tsNow / 64) * 64 + options;
  if (ts > tsNow) ts -= 1 << TSBITS;
  return ts >>> 0;
}

/** What cookie_timestamp_decode recovers from an echoed TSval. */
export interface CookieOptions {
  ok: boolean;
  tsOk: boolean;
  sackOk: boolean;
  /** -1 = no window scaling. */
  sndWscale: number;
}

/** cookie_timestamp_decode: options from the ACK's TSecr (already minus the
 *  ts offset); false in `ok` when the sysctls no longer allow them. Writes
 *  into `out` (no allocation). */
export function cookieDecodeOptions(out: CookieOptions, sawTs: boolean, tsecr: number, tcpTimestamps: number, tcpSack: number, tcpWindowScaling: number): CookieOptions {
  out.ok = true;
  out.tsOk = false;
  out.sackOk = false;
  out.sndWscale = -1;
  if (!sawTs) return out; // tcp_clear_options: no options survive without timestamps
  if (tcpTimestamps === 0) {
    out.ok = false;
    return out;
  }
  out.tsOk = true;
  out.sackOk = (tsecr & TS_OPT_SACK) !== 0;
  if (out.sackOk && tcpSack === 0) {
    out.ok = false;
    return out;
  }
  if ((tsecr & TS_OPT_WSCALE_MASK) === TS_OPT_WSCALE_MASK) return out;
  out.sndWscale = tsecr & TS_OPT_WSCALE_MASK;
  out.ok = tcpWindowScaling !== 0;
  return out;
}
