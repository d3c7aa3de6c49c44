// Software GSO of TCP super-packets on the skbs' real header bytes, with the
// rules of Linux 6.12: net/ipv4/tcp_offload.c (tcp4_gso_segment,
// tcp_gso_segment), net/ipv6/tcpv6_offload.c (tcp6_gso_segment),
// net/ipv4/af_inet.c (inet_gso_segment), net/ipv6/ip6_offload.c
// (ipv6_gso_segment), net/core/skbuff.c (skb_segment); and the TSO sizing of
// net/ipv4/tcp_output.c (tcp_tso_autosize, tcp_tso_segs).
// TS reference (the differential oracle): src/core/ref/gso.ts.
//
// Model decisions (header conventions as assembly/gro.ts, whose aggregates
// this splits back):
// - skb len counts from header byte 0 (the MAC header); hdr_len is every
//   header byte (Ethernet + IP + TCP) and must end the TCP header; the payload
//   P = len - hdr_len is virtual. n = ceil(P / gso_size) segments.
// - Segments are n freshly allocated skbs (skb_segment builds new skbs); the
//   original is freed when all n exist (consume_skb). With too few free skbs
//   nothing is kept: the partial allocation is returned to the pool, the
//   original is left untouched (gso_segment) or dropped (the burst form, as
//   validate_xmit_skb does), and the failure is counted.
// - Each segment gets the original's columns (mac/network/transport offsets,
//   protocol, hash, hash flags, queue, cpu, flags, sk, mark, tstamp, born),
//   its own len, gso_size/segs/type 0, next unset (the output array is the
//   list), and a share of truesize proportional to its payload (the last one
//   takes the remainder) so the shares sum to the original truesize. The
//   TX path's software GSO (src/net/nic-tx.ts) then sets skb_segment's own
//   truesize per segment and charges the socket tcp_gso_segment's
//   sum_truesize - truesize; the NIC's TSO frames own nothing.
// - Checksums are complete (as when the device cannot checksum and
//   gso_make_checksum runs): the IPv4 header checksum, and the TCP checksum
//   over the pseudo-header with the segment's length plus the TCP header,
//   payload bytes being zeros (the zero-filled-payload rule of src/wire).
// - A GSO skb whose payload fits one MSS is sent as it is (tcp_gso_segment
//   returns no segments): checksum completed, gso fields cleared.
//
//   statsBase (gso_plan reserves one table)
//   +-----------------------------------+
//   | f64 x 16 stats (GSO_ST_*)         |
//   +-----------------------------------+
import { reserve, zero } from "./layout";
import {
  SKB_LEN,
  SKB_HDR_LEN,
  SKB_MAC,
  SKB_NETWORK,
  SKB_TRANSPORT,
  SKB_PROTOCOL,
  SKB_HASH,
  SKB_HASH_FLAGS,
  SKB_QUEUE,
  SKB_CPU,
  SKB_GSO_SIZE,
  SKB_GSO_SEGS,
  SKB_GSO_TYPE,
  SKB_FLAGS,
  SKB_TRUESIZE,
  SKB_SK,
  SKB_MARK,
  SKB_LIVE,
  SKB_NEXT,
  SKB_NONE,
  SKB_TSTAMP,
  SKB_BORN,
  SKB_HEADROOM,
  skb_col,
  skb_fcol,
  skb_hdr,
  skb_pool_size,
  skb_alloc_copy_burst,
  skb_free_burst,
  skb_free_one,
} from "./skb";

// include/linux/skbuff.h: SKB_GSO_* (as assembly/gro.ts)
const GSO_TCPV4: u32 = 1 << 0;
const GSO_TCP_FIXEDID: u32 = 1 << 3;
const GSO_TCPV6: u32 = 1 << 4;

const IPPROTO_TCP: u32 = 6;
const TH_FIN: u8 = 0x01;
const TH_PSH: u8 = 0x08;
const TH_CWR: u8 = 0x80;

// Stats (f64)
export const GSO_ST_IN: u32 = 0; //         GSO skbs handed to gso_segment*
export const GSO_ST_SEGMENTED: u32 = 1; //  split into segments
export const GSO_ST_SEGS_OUT: u32 = 2; //   segments produced
export const GSO_ST_AS_IS: u32 = 3; //      payload <= gso_size: sent whole
export const GSO_ST_PASS: u32 = 4; //       not GSO (gso_size 0): passed through (burst)
export const GSO_ST_NOMEM: u32 = 5; //      skb pool could not supply n skbs
export const GSO_ST_BAD: u32 = 6; //        not TCP over IPv4/IPv6, bad headers or gso_type
export const GSO_ST_NOROOM: u32 = 7; //     n > out slots
export const GSO_ST_DROPPED: u32 = 8; //    burst inputs dropped on failure
const GSO_STATS: u32 = 16;

let stats: usize = 0;
let colLen: usize = 0;
let colHdrLen: usize = 0;
let colNet: usize = 0;
let colTrans: usize = 0;
let colGsoSize: usize = 0;
let colGsoSegs: usize = 0;
let colGsoType: usize = 0;
let colTruesize: usize = 0;
let colLive: usize = 0;
let colNext: usize = 0;
let colMac: usize = 0;
let colProto: usize = 0;
let colHash: usize = 0;
let colHashFlags: usize = 0;
let colQueue: usize = 0;
let colCpu: usize = 0;
let colFlags: usize = 0;
let colSk: usize = 0;
let colMark: usize = 0;
let fTstamp: usize = 0;
let fBorn: usize = 0;
let burstConsumed: u32 = 0;

export function gso_plan(): void {
  stats = reserve(<usize>GSO_STATS << 3);
}

export function gso_init(): void {
  zero(stats, <usize>GSO_STATS << 3);
  colLen = skb_col(SKB_LEN);
  colHdrLen = skb_col(SKB_HDR_LEN);
  colNet = skb_col(SKB_NETWORK);
  colTrans = skb_col(SKB_TRANSPORT);
  colGsoSize = skb_col(SKB_GSO_SIZE);
  colGsoSegs = skb_col(SKB_GSO_SEGS);
  colGsoType = skb_col(SKB_GSO_TYPE);
  colTruesize = skb_col(SKB_TRUESIZE);
  colLive = skb_col(SKB_LIVE);
  colNext = skb_col(SKB_NEXT);
  colMac = skb_col(SKB_MAC);
  colProto = skb_col(SKB_PROTOCOL);
  colHash = skb_col(SKB_HASH);
  colHashFlags = skb_col(SKB_HASH_FLAGS);
  colQueue = skb_col(SKB_QUEUE);
  colCpu = skb_col(SKB_CPU);
  colFlags = skb_col(SKB_FLAGS);
  colSk = skb_col(SKB_SK);
  colMark = skb_col(SKB_MARK);
  fTstamp = skb_fcol(SKB_TSTAMP);
  fBorn = skb_fcol(SKB_BORN);
}

export function gso_stats_ptr(): usize { return stats; }
export function gso_stats_len(): u32 { return GSO_STATS; }
/** Inputs consumed by the last gso_segment_burst call. */
export function gso_burst_consumed(): u32 { return burstConsumed; }

@inline function col(base: usize, h: u32): u32 {
  return load<u32>(base + (<usize>h << 2));
}
@inline function setCol(base: usize, h: u32, v: u32): void {
  store<u32>(base + (<usize>h << 2), v);
}
@inline function stat(i: u32, v: f64): void {
  const p = stats + (<usize>i << 3);
  store<f64>(p, load<f64>(p) + v);
}

@inline function fold(s: u64): u32 {
  s = (s & 0xffffffff) + (s >> 32);
  s = (s & 0xffffffff) + (s >> 32);
  let x = <u32>s;
  x = (x & 0xffff) + (x >> 16);
  x = (x & 0xffff) + (x >> 16);
  return x;
}

/** Sum of n/4 little-endian u32 words at p (n a multiple of 4). */
@inline function sumWords(p: usize, n: u32): u64 {
  let s: u64 = 0;
  for (let i: u32 = 0; i < n; i += 4) s += <u64>load<u32>(p + <usize>i);
  return s;
}

/** net/ipv4/af_inet.c: ip_send_check — header checksum over ihl bytes. */
@inline function ipv4Check(ip: usize, ihl: u32): void {
  store<u16>(ip + 10, 0);
  store<u16>(ip + 10, <u16>(~fold(sumWords(ip, ihl))));
}

/** Address part of the pseudo-header plus the protocol (LE domain). */
@inline function pseudoBase(ip: usize, v6: bool): u64 {
  let s: u64 = <u64>(IPPROTO_TCP << 8);
  if (v6) s += sumWords(ip + 8, 32);
  else s += <u64>load<u32>(ip + 12) + <u64>load<u32>(ip + 16);
  return s;
}

/** TCP checksum: pseudo-header with l4len, the header, zero payload. */
@inline function tcpCheck(th: usize, thlen: u32, base: u64, l4len: u32): void {
  store<u16>(th + 16, 0);
  const s = base + <u64>bswap<u16>(<u16>l4len) + sumWords(th, thlen);
  store<u16>(th + 16, <u16>(~fold(s)));
}

/** Copy n header bytes (n <= SKB_HEADROOM): 8-byte words, then the tail.
 *  memory.copy with a size known only at run time is a call out of the
 *  compiled code in V8 (wasm_memory_copy), which for a 54-86 byte header
 *  cost more than these few loads and stores; once per segment. */
@inline function copyHdr(dst: usize, src: usize, n: u32): void {
  const w = <usize>(n & ~7);
  for (let o: usize = 0; o < w; o += 8) store<u64>(dst + o, load<u64>(src + o));
  let o = w;
  if ((n & 4) != 0) {
    store<u32>(dst + o, load<u32>(src + o));
    o += 4;
  }
  if ((n & 2) != 0) {
    store<u16>(dst + o, load<u16>(src + o));
    o += 2;
  }
  if ((n & 1) != 0) store<u8>(dst + o, load<u8>(src + o));
}

// Parsed shape of the last checked skb (set by parse()).
let pIp: usize = 0;
let pTh: usize = 0;
let pV6: bool = false;
let pIhl: u32 = 0;
let pThlen: u32 = 0;
let pHdr: u32 = 0;

/** The checks of inet_gso_segment / ipv6_gso_segment / tcp4|6_gso_segment /
 *  tcp_gso_segment on the real header bytes. False = -EINVAL. */
function parse(h: u32): bool {
  if (h >= skb_pool_size() || col(colLive, h) == 0) return false;
  const hdrLen = col(colHdrLen, h);
  const net = col(colNet, h);
  const trans = col(colTrans, h);
  if (hdrLen > SKB_HEADROOM || net >= trans || trans + 20 > hdrLen) return false;
  const base = skb_hdr(h);
  const ip = base + <usize>net;
  const ver = <u32>load<u8>(ip) >> 4;
  const gsoType = col(colGsoType, h);
  if (ver == 4) {
    const ihl = (<u32>load<u8>(ip) & 15) << 2;
    if (ihl < 20 || net + ihl != trans) return false;
    if (<u32>load<u8>(ip + 9) != IPPROTO_TCP) return false;
    if ((gsoType & GSO_TCPV4) == 0) return false;
    // fixed ID is invalid if DF is not set
    if ((gsoType & GSO_TCP_FIXEDID) != 0 && (load<u8>(ip + 6) & 0x40) == 0) return false;
    pIhl = ihl;
    pV6 = false;
  } else if (ver == 6) {
    if (net + 40 != trans || <u32>load<u8>(ip + 6) != IPPROTO_TCP) return false;
    if ((gsoType & GSO_TCPV6) == 0) return false;
    pIhl = 40;
    pV6 = true;
  } else {
    return false;
  }
  const th = base + <usize>trans;
  const thlen = (<u32>load<u8>(th + 12) >> 4) << 2;
  if (thlen < 20 || trans + thlen != hdrLen) return false;
  if (col(colLen, h) < hdrLen) return false;
  pIp = ip;
  pTh = th;
  pThlen = thlen;
  pHdr = hdrLen;
  return true;
}

/** Send a GSO skb whose payload fits one MSS as it is: lengths and
 *  checksums made whole, gso fields cleared. */
function asIs(h: u32): void {
  const payload = col(colLen, h) - pHdr;
  const l4len = pThlen + payload;
  if (pV6) {
    store<u16>(pIp + 4, bswap<u16>(<u16>l4len));
  } else {
    store<u16>(pIp + 2, bswap<u16>(<u16>(pIhl + l4len)));
    ipv4Check(pIp, pIhl);
  }
  tcpCheck(pTh, pThlen, pseudoBase(pIp, pV6), l4len);
  setCol(colGsoSize, h, 0);
  setCol(colGsoSegs, h, 0);
  setCol(colGsoType, h, 0);
}

/** Split the parsed GSO skb h into n new skbs at out[0..n). Returns n, or 0
 *  when the pool is short (counted; nothing allocated stays live). */
function split(h: u32, out: usize, n: u32, mss: u32, payload: u32): u32 {
  // every column of h copied once: __copy_skb_header's, and sk as tcp_gso_segment's
  // copy_destructor gives it; len and truesize (skb_segment's per segment) set below
  const k = skb_alloc_copy_burst(out, n, h);
  if (k < n) {
    skb_free_burst(out, k);
    stat(GSO_ST_NOMEM, 1);
    return 0;
  }
  const src = skb_hdr(h);
  const hdrLen = pHdr;
  const ipOff = <u32>(pIp - src);
  const thOff = <u32>(pTh - src);
  const v6 = pV6;
  const ihl = pIhl;
  const thlen = pThlen;
  const fixedid = (col(colGsoType, h) & GSO_TCP_FIXEDID) != 0;
  const id0 = v6 ? 0 : <u32>bswap<u16>(load<u16>(pIp + 4));
  const seq0 = bswap<u32>(load<u32>(pTh + 4));
  const flags0 = load<u8>(pTh + 13);
  const pbase = pseudoBase(pIp, v6);
  const truesize = col(colTruesize, h);
  let tsLeft = truesize;
  // every segment but the last carries mss bytes: one share, one division
  const shareMss = <u32>((<u64>truesize * <u64>mss) / <u64>payload);
  let ipConst: u64 = 0;
  if (!v6) {
    ipConst = <u64>(load<u32>(pIp) & 0xffff) + <u64>(load<u32>(pIp + 4) & 0xffff0000) + <u64>(load<u32>(pIp + 8) & 0xffff) + sumWords(pIp + 12, ihl - 12);
  }
  const tcpConst: u64 = <u64>load<u32>(pTh) + <u64>load<u32>(pTh + 8) + <u64>(load<u32>(pTh + 16) & 0xffff0000) + sumWords(pTh + 20, thlen - 20);
  for (let i: u32 = 0; i < n; i++) {
    const s = load<u32>(out + (<usize>i << 2));
    const last = i == n - 1;
    const segPay = last ? payload - (n - 1) * mss : mss;
    setCol(colLen, s, hdrLen + segPay);
    const share = last ? tsLeft : shareMss;
    tsLeft -= share;
    setCol(colTruesize, s, share);
    // header bytes
    const dst = skb_hdr(s);
    copyHdr(dst, src, hdrLen);
    const ip = dst + <usize>ipOff;
    const th = dst + <usize>thOff;
    const l4len = thlen + segPay;
    if (v6) {
      store<u16>(ip + 4, bswap<u16>(<u16>l4len));
    } else {
      const id = fixedid ? <u16>id0 : <u16>(id0 + i);
      const tot = <u16>(ihl + l4len);
      store<u16>(ip + 4, bswap<u16>(id));
      store<u16>(ip + 2, bswap<u16>(tot));
      // the header sum with tot_len, id and check as 0, plus this segment's
      // tot_len (high half of word 0) and id (low half of word 4)
      const sum = ipConst + (<u64>bswap<u16>(tot) << 16) + <u64>bswap<u16>(id);
      store<u16>(ip + 10, <u16>(~fold(sum)));
    }
    store<u32>(th + 4, bswap<u32>(seq0 + i * mss));
    let fl = flags0;
    if (i != 0) fl &= ~TH_CWR;
    if (!last) fl &= ~(TH_FIN | TH_PSH);
    store<u8>(th + 13, fl);
    // the TCP header sum without seq (word 1), doff/flags/window (word 3)
    // and check (low half of word 4), plus this segment's and the pseudo-header
    const tsum = tcpConst + <u64>load<u32>(th + 4) + <u64>load<u32>(th + 12) + pbase + <u64>bswap<u16>(<u16>l4len);
    store<u16>(th + 16, <u16>(~fold(tsum)));
  }
  skb_free_one(h);
  stat(GSO_ST_SEGMENTED, 1);
  stat(GSO_ST_SEGS_OUT, <f64>n);
  return n;
}

/** Segment GSO skb h into out[0..outMax). Returns the number of skbs now in
 *  out: n (h freed), 1 (h itself, payload <= gso_size, sent as it is), or 0
 *  on failure (h untouched: bad headers, n > outMax, or no skbs; counted). */
export function gso_segment(h: u32, out: usize, outMax: u32): u32 {
  stat(GSO_ST_IN, 1);
  if (!parse(h)) {
    stat(GSO_ST_BAD, 1);
    return 0;
  }
  const mss = col(colGsoSize, h);
  if (mss == 0) {
    stat(GSO_ST_BAD, 1);
    return 0;
  }
  const payload = col(colLen, h) - pHdr;
  if (payload <= mss) {
    if (outMax < 1) {
      stat(GSO_ST_NOROOM, 1);
      return 0;
    }
    asIs(h);
    store<u32>(out, h);
    stat(GSO_ST_AS_IS, 1);
    stat(GSO_ST_SEGS_OUT, 1);
    return 1;
  }
  const n = (payload + mss - 1) / mss;
  if (n > outMax) {
    stat(GSO_ST_NOROOM, 1);
    return 0;
  }
  return split(h, out, n, mss, payload);
}

/** The NIC's TSO engine (src/net/nic-tx.ts txPopTrain): gso_segment, and the
 *  segments go on the wire at once, where they become the receiver's: no
 *  owner, truesize or departure time (the descriptor keeps the sender's
 *  socket and truesize until its completion). Same return as gso_segment.
 *  The release is src/net/nic-tx.ts releaseForWire's: change both together
 *  (test/gso/tso-segment.test.ts compares them). */
export function tso_segment(h: u32, out: usize, outMax: u32): u32 {
  const k = gso_segment(h, out, outMax);
  for (let i: u32 = 0; i < k; i++) {
    const s = load<u32>(out + (<usize>i << 2));
    setCol(colSk, s, SKB_NONE);
    setCol(colTruesize, s, 0);
    store<f64>(fTstamp + (<usize>s << 3), 0);
  }
  return k;
}

/** validate_xmit_skb over a burst: inp[0..n) in order; a skb without
 *  gso_size passes through unchanged, a GSO skb is segmented, and one that
 *  cannot be (bad headers, no skbs) is dropped (freed, counted). Stops before
 *  an input whose segments would not fit in out[0..outMax); the number of
 *  inputs consumed is gso_burst_consumed(). Returns the skbs written. */
export function gso_segment_burst(inp: usize, n: u32, out: usize, outMax: u32): u32 {
  let k: u32 = 0;
  let i: u32 = 0;
  for (; i < n; i++) {
    const h = load<u32>(inp + (<usize>i << 2));
    if (h < skb_pool_size() && col(colGsoSize, h) == 0 && col(colLive, h) != 0) {
      if (k >= outMax) break;
      store<u32>(out + (<usize>k << 2), h);
      k++;
      stat(GSO_ST_PASS, 1);
      continue;
    }
    if (h < skb_pool_size() && col(colLive, h) != 0 && col(colHdrLen, h) <= col(colLen, h)) {
      // room check first, so a full output leaves the input for the next call
      const mss = col(colGsoSize, h);
      const payload = col(colLen, h) - col(colHdrLen, h);
      const need: u32 = payload <= mss ? 1 : (payload + mss - 1) / mss;
      if (need > outMax - k) break;
    }
    const got = gso_segment(h, out + (<usize>k << 2), outMax - k);
    if (got == 0) {
      if (h < skb_pool_size() && col(colLive, h) != 0) skb_free_one(h);
      stat(GSO_ST_DROPPED, 1);
      continue;
    }
    k += got;
  }
  burstConsumed = i;
  return k;
}

/** net/ipv4/tcp_output.c: tcp_tso_autosize. pacingRate in bytes/s
 *  (sk_pacing_rate, integer-valued), minRttUs = tcp_min_rtt, gsoMaxSize =
 *  sk_gso_max_size, minSegs = tcp_min_tso_segs, pacingShift =
 *  sk_pacing_shift, rttLog = tcp_tso_rtt_log. */
export function tcp_tso_autosize(pacingRate: f64, minRttUs: u32, mss: u32, gsoMaxSize: u32, minSegs: u32, pacingShift: u32, rttLog: u32): u32 {
  let bytes: u64 = (<u64>pacingRate) >> <u64>(pacingShift & 63);
  const r = minRttUs >> (rttLog & 31);
  // BITS_PER_TYPE(sk->sk_gso_max_size) = 32
  if (r < 32) bytes += <u64>(gsoMaxSize >> r);
  if (bytes > <u64>gsoMaxSize) bytes = <u64>gsoMaxSize;
  const segs: u32 = mss == 0 ? 0 : <u32>(bytes / <u64>mss);
  return segs > minSegs ? segs : minSegs;
}

/** net/ipv4/tcp_output.c: tcp_tso_segs — autosize capped by sk_gso_max_segs. */
export function tcp_tso_segs(pacingRate: f64, minRttUs: u32, mss: u32, gsoMaxSize: u32, minSegs: u32, pacingShift: u32, rttLog: u32, gsoMaxSegs: u32): u32 {
  const s = tcp_tso_autosize(pacingRate, minRttUs, mss, gsoMaxSize, minSegs, pacingShift, rttLog);
  return s < gsoMaxSegs ? s : gsoMaxSegs;
}
