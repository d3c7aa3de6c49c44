// SYN cookies (net/ipv4/syncookies.c). The layout is Linux's:
//   isn = H(0,0) + client_isn + (count << 24) + ((H(1,count) + mssind) & 0xFFFFFF)
// with count = minutes of uptime (tcp_cookie_time), mssind an index into
// msstab, and the options a timestamp-capable SYN asked for carried in the low
// 6 bits of the SYN-ACK's TSval (cookie_init_timestamp).
//
// H is Linux's cookie_hash: SipHash-2-4 (assembly/siphash.ts) under
// syncookie_secret[c] over the IPv4 tuple and count (siphash_4u32), or under
// syncookie6_secret[c] over the 40-byte {saddr, daddr, count, sport, dport}
// struct with the full IPv6 addresses; the low 32 bits. The words are what an
// x86 (little-endian) kernel feeds it, so with the same keys the model's
// cookies are the kernel's. The keys are random at boot in Linux; here they
// come from the run's seeded RNG, so runs stay deterministic.
import type { Rng } from "../sim/rng.js";
import { Rng as SeededRng } from "../sim/rng.js";
import type { Core } from "../core/core.js";
import type { SegIn } from "./segment.js";
import { SiphashKeys, type SiphashRaw } from "../core/siphash.js";
import { MAX_SYNCOOKIE_AGE, TCP_SYNCOOKIE_PERIOD } from "./constants.js";

const COOKIEBITS = 24;
const COOKIEMASK = (1 << COOKIEBITS) - 1;

/** net/ipv4/syncookies.c: msstab */
export const MSSTAB: readonly number[] = [536, 1300, 1440, 1460];
/** net/ipv6/syncookies.c: msstab (IPV6_MIN_MTU - 60, 1480 - 60, 1500 - 60, 9000 - 60) */
export const MSSTAB6: readonly number[] = [1220, 1420, 1440, 8940];

// net/ipv4/syncookies.c: TS_OPT_WSCALE_MASK, TS_OPT_SACK, TS_OPT_ECN, TSBITS
export const TS_OPT_WSCALE_MASK = 0xf;
export const TS_OPT_SACK = 1 << 4;
export const TS_OPT_ECN = 1 << 5;
export const TSBITS = 6;

const bswap32 = (x: number): number => ((x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) | 0;
const bswap16 = (x: number): number => ((x & 0xff) << 8) | ((x >>> 8) & 0xff);

/** A host's cookie secrets: syncookie_secret[2] and syncookie6_secret[2]
 *  (two 128-bit SipHash keys each) in a WASM key slot, and the tuple of the
 *  segment being hashed (set once per cookie, then hashed per count). */
export class CookieSecrets {
  /** 16 u32: syncookie_secret[0..1], then syncookie6_secret[0..1]. */
  readonly key = new Uint32Array(16);
  private readonly keys: SiphashKeys;
  private readonly raw: SiphashRaw;
  private readonly mem: Uint8Array;
  private readonly msg: number;
  private readonly headersPtr: number;
  /** The IPv4 words a, b, c of siphash_4u32 (int32, no heap numbers). */
  private readonly w = new Int32Array(3);
  private v6 = false;

  constructor(rng: Rng, core: Core) {
    const k = this.key;
    for (let i = 0; i < 8; i++) k[i] = rng.u32();
    // The IPv6 keys come from a stream seeded by the IPv4 ones: as random
    // per seed, and no extra draws from the run's RNG (which would move
    // every later random choice of the run).
    const r6 = new SeededRng((k[0]! ^ k[5]! ^ 0x5ec6) >>> 0);
    for (let i = 8; i < 16; i++) k[i] = r6.u32();
    this.keys = new SiphashKeys(core, k);
    this.raw = this.keys.raw;
    this.mem = this.keys.table.mem;
    this.msg = this.keys.msgPtr;
    this.headersPtr = core.headersPtr;
  }

  /** The IPv4 tuple (addresses as big-endian u32 values, host-order ports):
   *  __cookie_v4_init_sequence / __cookie_v4_check pass iph->saddr,
   *  iph->daddr, th->source, th->dest in network order; on x86 those read
   *  as the byte-swapped values. */
  tuple4(saddr: number, daddr: number, sport: number, dport: number): void {
    this.keys.claim();
    this.v6 = false;
    const w = this.w;
    w[0] = bswap32(saddr);
    w[1] = bswap32(daddr);
    w[2] = (bswap16(sport) << 16) | bswap16(dport);
  }

  /** The IPv6 tuple: the addresses' 16 bytes at `saddrOff` / `daddrOff` in
   *  core.headers, copied with the ports into the message struct. */
  tuple6(saddrOff: number, daddrOff: number, sport: number, dport: number): void {
    this.keys.claim();
    this.v6 = true;
    const m = this.mem;
    const at = this.msg;
    const hp = this.headersPtr;
    m.copyWithin(at, hp + saddrOff, hp + saddrOff + 16);
    m.copyWithin(at + 16, hp + daddrOff, hp + daddrOff + 16);
    // __be16 sport, dport after the u32 count: network byte order
    m[at + 36] = sport >>> 8;
    m[at + 37] = sport & 0xff;
    m[at + 38] = dport >>> 8;
    m[at + 39] = dport & 0xff;
  }

  /** Byte address of syncookie_secret[0] in WASM memory (syncookie_secret[1]
   *  follows at +16), for cookie_synack4; the slot is claimed first. */
  keyAddr4(): number {
    this.keys.claim();
    return this.keys.keyAddr(0);
  }

  /** The tuple of a received segment; `daddr` is the local IPv4 address key. */
  tupleOf(rx: SegIn, daddr: number): void {
    if (rx.v6) this.tuple6(rx.saddrOff, rx.daddrOff, rx.sport, rx.dport);
    else this.tuple4(rx.saddrKey, daddr, rx.sport, rx.dport);
  }

  /** cookie_hash(tuple, count, c) as an int32 (the u32 mod 2^32: callers sum
   *  it and take >>> 0). */
  hash(count: number, c: number): number {
    if (!this.v6) {
      const w = this.w;
      // net/ipv4/syncookies.c: cookie_hash
      return this.raw.siphash_4u32(this.keys.keyAddr(c), w[0]!, w[1]!, w[2]!, count) | 0;
    }
    // net/ipv6/syncookies.c: cookie_hash — u32 count in host (little-endian) order
    const m = this.mem;
    const at = this.msg;
    m[at + 32] = count & 0xff;
    m[at + 33] = (count >>> 8) & 0xff;
    m[at + 34] = (count >>> 16) & 0xff;
    m[at + 35] = count >>> 24;
    return this.raw.siphash_bytes(this.keys.keyAddr(2 + c), at, 40) | 0;
  }
}

/** tcp_cookie_time(): the minute counter at `now` (ns), as a u32. */
export function cookieTime(now: number): number {
  return Math.floor(now / TCP_SYNCOOKIE_PERIOD) >>> 0;
}

/** Largest msstab index whose entry is <= mss (0 below the second entry): __cookie_v4_init_sequence,
 *  __cookie_v6_init_sequence with its own table for `v6`. */
export function mssIndex(mss: number, v6 = false): number {
  const tab = v6 ? MSSTAB6 : MSSTAB;
  let i = tab.length - 1;
  for (; i > 0; i--) if (mss >= tab[i]!) break;
  return i;
}

/** secure_tcp_syn_cookie for an IPv4 tuple: the SYN-ACK's sequence number. */
export function cookieEncode(sec: CookieSecrets, saddr: number, daddr: number, sport: number, dport: number, sseq: number, mssind: number, now: number): number {
  sec.tuple4(saddr, daddr, sport, dport);
  return cookieSeq(sec, sseq | 0, mssind, cookieTime(now)) >>> 0;
}

/** secure_tcp_syn_cookie for the tuple last set on `sec` and a minute counter
 *  `count`, every word an int32 (the per-SYN path: no heap number per call);
 *  the result is the ISN mod 2^32 as an int32. */
export function cookieSeq(sec: CookieSecrets, sseq: number, mssind: number, count: number): number {
  return (sec.hash(0, 0) + sseq + (count << COOKIEBITS) + ((sec.hash(count, 1) + mssind) & COOKIEMASK)) | 0;
}

/** check_tcp_syn_cookie + __cookie_v4_check for an IPv4 tuple. */
export function cookieCheck(sec: CookieSecrets, cookie: number, saddr: number, daddr: number, sport: number, dport: number, sseq: number, now: number): number {
  sec.tuple4(saddr, daddr, sport, dport);
  return cookieCheckSet(sec, cookie, sseq, now);
}

/** check_tcp_syn_cookie (+ the msstab lookup of __cookie_v4_check /
 *  __cookie_v6_check) for the tuple last set on `sec`: the MSS the cookie
 *  carries, or 0 when it is forged or older than MAX_SYNCOOKIE_AGE minutes.
 *  `cookie` is ack_seq - 1, `sseq` the client's seq - 1. */
export function cookieCheckSet(sec: CookieSecrets, cookie: number, sseq: number, now: number, v6 = false): number {
  const count = cookieTime(now);
  const c = (cookie - sec.hash(0, 0) - sseq) >>> 0;
  const diff = (count - (c >>> COOKIEBITS)) & 0xff;
  if (diff >= MAX_SYNCOOKIE_AGE) return 0;
  const mssind = ((c - sec.hash((count - diff) >>> 0, 1)) & COOKIEMASK) >>> 0;
  const tab = v6 ? MSSTAB6 : MSSTAB;
  return mssind < tab.length ? tab[mssind]! : 0;
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
