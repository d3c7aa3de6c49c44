// Building and reading TCP segments in an skb's header bytes, allocation-free.
// The writer lays out Ethernet + IPv4/IPv6 + TCP with options exactly as
// net/ipv4/tcp_output.c: tcp_options_write does (MSS | SACK_PERM+TS or
// NOP,NOP,TS | NOP,WS), with valid IP and TCP checksums, so captures decode
// as real handshakes. Both sides reuse one mutable descriptor per host.
import type { Core } from "../core/core.js";
import { SKB_HEADROOM } from "../core/skb-fields.js";
import { csumFold, pseudoSumV6 } from "../wire/csum.js";
import { F64Keys, f64Fields } from "../util/f64-field.js";

const ETH_HLEN = 14;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const IPPROTO_TCP = 6;
// writeSegment's Ethernet header: src/wire/skb-headers.ts DEFAULT_ETH_DST / DEFAULT_ETH_SRC, then the ethertype
// (ETH_HDR_V4: 02:00:00:00:00:02 02:00:00:00:00:01 0800; ETH_HDR_V6 the same with 86dd)

/** SegOut's and SegIn's wire sequence numbers, timestamps and lengths: doubles from the start
 *  (util/f64-field.ts; a length computed from doubles arrives as one). */
const SEG_OUT_F64 = new F64Keys(["seq", "ack", "tsVal", "tsEcr", "payloadLen"]);
const SEG_IN_F64 = new F64Keys(["seq", "ack", "tsVal", "tsEcr", "dataLen"]);

/** What to send; fill the fields, then writeSegment. -1 = option absent. */
export class SegOut {
  v6 = false;
  /** Source and destination addresses: 4 or 16 bytes at srcOff / dstOff. */
  src: Uint8Array = new Uint8Array(4);
  srcOff = 0;
  dst: Uint8Array = new Uint8Array(4);
  dstOff = 0;
  sport = 0;
  dport = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  mss = -1;
  wscale = -1;
  sackPerm = false;
  ts = false;
  tsVal = 0;
  tsEcr = 0;
  /** SACK blocks (left/right edges) to send; 0 = no SACK option. */
  sackN = 0;
  readonly sackL = new Uint32Array(4);
  readonly sackR = new Uint32Array(4);
  /** Virtual payload bytes after the headers (IP length, pseudo-header, skb->len). */
  payloadLen = 0;

  /** Clear the options and the payload (before filling a new segment). */
  noOptions(): this {
    this.mss = -1;
    this.wscale = -1;
    this.sackPerm = false;
    this.ts = false;
    this.sackN = 0;
    this.payloadLen = 0;
    return this;
  }

  constructor() {
    f64Fields(this, SEG_OUT_F64);
  }
}

/** Write `s` into skb h and set its header columns. The checksums are summed
 *  from the field values as they are written (the same 16-bit words the bytes
 *  hold), so nothing is read back. */
export function writeSegment(core: Core, h: number, s: SegOut): void {
  const b = core.headers;
  const base = h * SKB_HEADROOM;
  const v6 = s.v6;
  // ETH_HDR_V4 / ETH_HDR_V6 as constant stores (a TypedArray.set of 14 bytes is a runtime call)
  b[base] = 2;
  b[base + 1] = 0;
  b[base + 2] = 0;
  b[base + 3] = 0;
  b[base + 4] = 0;
  b[base + 5] = 2;
  b[base + 6] = 2;
  b[base + 7] = 0;
  b[base + 8] = 0;
  b[base + 9] = 0;
  b[base + 10] = 0;
  b[base + 11] = 1;
  b[base + 12] = v6 ? 0x86 : 0x08;
  b[base + 13] = v6 ? 0xdd : 0x00;
  const ip = base + ETH_HLEN;
  const ipLen = v6 ? 40 : 20;
  const th = ip + ipLen;
  // tcp_options_write layout; osum = the options' 16-bit words
  let p = th + 20;
  let osum = 0;
  const mss = s.mss;
  if (mss >= 0) {
    b[p] = 2;
    b[p + 1] = 4;
    b[p + 2] = mss >>> 8;
    b[p + 3] = mss & 0xff;
    osum += 0x0204 + (mss & 0xffff);
    p += 4;
  }
  if (s.ts) {
    if (s.sackPerm) {
      b[p] = 4;
      b[p + 1] = 2;
      osum += 0x0402;
    } else {
      b[p] = 1;
      b[p + 1] = 1;
      osum += 0x0101;
    }
    b[p + 2] = 8;
    b[p + 3] = 10;
    const tv = s.tsVal >>> 0;
    const te = s.tsEcr >>> 0;
    put32(b, p + 4, tv);
    put32(b, p + 8, te);
    osum += 0x080a + (tv >>> 16) + (tv & 0xffff) + (te >>> 16) + (te & 0xffff);
    p += 12;
  } else if (s.sackPerm) {
    b[p] = 1;
    b[p + 1] = 1;
    b[p + 2] = 4;
    b[p + 3] = 2;
    osum += 0x0101 + 0x0402;
    p += 4;
  }
  if (s.sackN > 0) {
    // tcp_options_write: NOP, NOP, SACK, 2 + 8n, edges
    const n = s.sackN;
    b[p] = 1;
    b[p + 1] = 1;
    b[p + 2] = 5;
    b[p + 3] = 2 + 8 * n;
    osum += 0x0101 + 0x0500 + ((2 + 8 * n) & 0xff);
    p += 4;
    for (let i = 0; i < n; i++) {
      const l = s.sackL[i]!;
      const r = s.sackR[i]!;
      put32(b, p, l);
      put32(b, p + 4, r);
      osum += (l >>> 16) + (l & 0xffff) + (r >>> 16) + (r & 0xffff);
      p += 8;
    }
  }
  if (s.wscale >= 0) {
    b[p] = 1;
    b[p + 1] = 3;
    b[p + 2] = 3;
    b[p + 3] = s.wscale;
    osum += 0x0103 + ((0x03 << 8) | (s.wscale & 0xff));
    p += 4;
  }
  const tcpLen = p - th;
  const payload = s.payloadLen;
  // the IPv4 total length (or IPv6 payload length) is 16 bits; GSO skbs stay below it (tcp_tso_segs)
  if (payload < 0 || tcpLen + payload > 0xffff - (v6 ? 0 : 20)) {
    throw new RangeError(`writeSegment: payloadLen = ${payload} is outside 0..${0xffff - (v6 ? 0 : 20) - tcpLen}`);
  }
  const segLen = tcpLen + payload;
  const sport = s.sport & 0xffff;
  const dport = s.dport & 0xffff;
  const seq = s.seq >>> 0;
  const ack = s.ack >>> 0;
  const offFlags = (((tcpLen >> 2) << 4) << 8) | (s.flags & 0xff);
  const win = s.window & 0xffff;
  b[th] = sport >>> 8;
  b[th + 1] = sport & 0xff;
  b[th + 2] = dport >>> 8;
  b[th + 3] = dport & 0xff;
  put32(b, th + 4, seq);
  put32(b, th + 8, ack);
  b[th + 12] = offFlags >>> 8;
  b[th + 13] = offFlags & 0xff;
  b[th + 14] = win >>> 8;
  b[th + 15] = win & 0xff;
  b[th + 16] = 0;
  b[th + 17] = 0;
  b[th + 18] = 0;
  b[th + 19] = 0;
  let sum = osum + sport + dport + (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff) + offFlags + win;
  if (!v6) {
    const tot = 20 + segLen;
    b[ip] = 0x45;
    b[ip + 1] = 0;
    b[ip + 2] = tot >>> 8;
    b[ip + 3] = tot & 0xff;
    b[ip + 4] = 0; // id 0 with DF, as ip_select_ident for connected TCP before any data
    b[ip + 5] = 0;
    b[ip + 6] = 0x40; // DF
    b[ip + 7] = 0;
    b[ip + 8] = 64;
    b[ip + 9] = IPPROTO_TCP;
    b[ip + 10] = 0;
    b[ip + 11] = 0;
    const addrs = writeIpv4Addrs(b, ip, s);
    // 0x4500 + tot + 0x4000 (DF) + 0x4006 (ttl 64, TCP) + the addresses
    const c = csumFold(0x4500 + tot + 0x4000 + ((64 << 8) | IPPROTO_TCP) + addrs);
    b[ip + 10] = c >>> 8;
    b[ip + 11] = c & 0xff;
    // pseudo-header: addresses, protocol, TCP length
    sum += addrs + IPPROTO_TCP + segLen;
  } else {
    b[ip] = 0x60;
    b[ip + 1] = 0;
    b[ip + 2] = 0;
    b[ip + 3] = 0;
    b[ip + 4] = segLen >>> 8;
    b[ip + 5] = segLen & 0xff;
    b[ip + 6] = IPPROTO_TCP;
    b[ip + 7] = 64;
    copy(b, ip + 8, s.src, s.srcOff, 16);
    copy(b, ip + 24, s.dst, s.dstOff, 16);
    sum += pseudoSumV6(b, ip + 8, ip + 24, IPPROTO_TCP, segLen);
  }
  const c = csumFold(sum);
  b[th + 16] = c >>> 8;
  b[th + 17] = c & 0xff;
  const sk = core.skb;
  const hdrLen = ETH_HLEN + ipLen + tcpLen;
  sk.len[h] = hdrLen + payload;
  sk.hdrLen[h] = hdrLen;
  sk.mac[h] = 0;
  sk.network[h] = ETH_HLEN;
  sk.transport[h] = ETH_HLEN + ipLen;
  sk.protocol[h] = v6 ? ETH_P_IPV6 : ETH_P_IP;
}

/** A received segment, parsed in place (net/ipv4/tcp_input.c: tcp_parse_options). */
export class SegIn {
  v6 = false;
  /** Byte offset (in core.headers) of the source / destination address. */
  saddrOff = 0;
  daddrOff = 0;
  /** Source address folded to a u32 (the address itself for IPv4). */
  saddrKey = 0;
  sport = 0;
  dport = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  /** Payload bytes (skb->len beyond the headers, from the IP length). */
  dataLen = 0;
  /** TCP header length with options (doff·4). */
  hdrLen = 20;
  /** The skb's nr_frags and tailroom when the socket backlog coalesced into it (-1: from its GRO segments). */
  skbFrags = -1;
  skbTailroom = 0;
  mss = -1;
  wscale = -1;
  sackPerm = false;
  ts = false;
  /** The options start NOP, NOP, timestamps (tcp_parse_aligned_timestamp's layout: header prediction's). */
  tsAligned = false;
  tsVal = 0;
  tsEcr = 0;
  /** SACK blocks received (left/right edges). */
  sackN = 0;
  readonly sackL = new Uint32Array(4);
  readonly sackR = new Uint32Array(4);

  /** The skb parsed (its gso_segs: pure ACKs coalesced by tcp_add_backlog count as that many duplicates). */
  skb = -1;

  /** Parse skb h (network and transport offsets set, protocol TCP). */
  parse(headers: Uint8Array, h: number, network: number, transport: number, v6: boolean): void {
    this.skb = h;
    const b = headers;
    const base = h * SKB_HEADROOM;
    const ip = base + network;
    const th = base + transport;
    this.v6 = v6;
    let segLen: number;
    if (!v6) {
      this.saddrOff = ip + 12;
      this.daddrOff = ip + 16;
      this.saddrKey = get32(b, ip + 12);
      segLen = ((b[ip + 2]! << 8) | b[ip + 3]!) - (transport - network);
    } else {
      this.saddrOff = ip + 8;
      this.daddrOff = ip + 24;
      this.saddrKey = (get32(b, ip + 8) ^ get32(b, ip + 12) ^ get32(b, ip + 16) ^ get32(b, ip + 20)) >>> 0;
      segLen = (b[ip + 4]! << 8) | b[ip + 5]!;
    }
    this.sport = (b[th]! << 8) | b[th + 1]!;
    this.dport = (b[th + 2]! << 8) | b[th + 3]!;
    this.seq = get32(b, th + 4);
    this.ack = get32(b, th + 8);
    const hl = (b[th + 12]! >> 4) * 4;
    this.flags = b[th + 13]!;
    this.window = (b[th + 14]! << 8) | b[th + 15]!;
    this.dataLen = segLen - hl;
    this.hdrLen = hl;
    this.skbFrags = -1;
    this.mss = -1;
    this.wscale = -1;
    this.sackPerm = false;
    this.ts = false;
    this.tsAligned = false;
    this.sackN = 0;
    let p = th + 20;
    const end = th + hl;
    // the layouts Linux writes most (tcp_options_write), in one step each: what parseOptions finds
    if (hl === 32 && b[p] === 1 && b[p + 1] === 1 && b[p + 2] === 8 && b[p + 3] === 10) {
      // NOP, NOP, timestamps: an established segment (tcp_fast_parse_options -> tcp_parse_aligned_timestamp)
      this.ts = true;
      this.tsAligned = true;
      this.tsVal = get32(b, p + 4);
      this.tsEcr = get32(b, p + 8);
      return;
    }
    if (hl === 40 && b[p] === 2 && b[p + 1] === 4 && b[p + 4] === 4 && b[p + 5] === 2 && b[p + 6] === 8 && b[p + 7] === 10 && b[p + 16] === 1 && b[p + 17] === 3 && b[p + 18] === 3) {
      // MSS, SACK_PERM, timestamps, NOP, window scale: a SYN or SYN-ACK
      this.mss = (b[p + 2]! << 8) | b[p + 3]!;
      this.sackPerm = true;
      this.ts = true;
      this.tsVal = get32(b, p + 8);
      this.tsEcr = get32(b, p + 12);
      this.wscale = b[p + 19]! > 14 ? 14 : b[p + 19]!;
      return;
    }
    parseOptions(this, b, p, end);
  }

  constructor() {
    f64Fields(this, SEG_IN_F64);
  }
}

/** tcp_parse_options' walk over the option bytes b[p, end): sets seg's mss, wscale, sackPerm,
 *  ts/tsVal/tsEcr and SACK blocks (seg's fields reset by the caller). Several options of a kind:
 *  the last wins, SACK included (tcp_parse_options keeps the last SACK option's offset in
 *  TCP_SKB_CB(skb)->sacked and tcp_sacktag_write_queue reads at most TCP_NUM_SACKS blocks from
 *  it). The kernel's gates on the connection (th->syn for MSS/WS/SACK_PERM, tstamp_ok, sack_ok)
 *  are left to the callers (data-in.ts checks sk.sackOk; established.ts's FIN check too). */
export function parseOptions(seg: SegIn, b: Uint8Array, p: number, end: number): void {
  while (p < end) {
    const kind = b[p]!;
    if (kind === 0) break;
    if (kind === 1) {
      p++;
      continue;
    }
    const size = b[p + 1]!;
    if (size < 2 || p + size > end) break;
    if (kind === 2 && size === 4) seg.mss = (b[p + 2]! << 8) | b[p + 3]!;
    else if (kind === 3 && size === 3) seg.wscale = b[p + 2]! > 14 ? 14 : b[p + 2]!; // tcp_parse_options clamps to TCP_MAX_WSCALE
    else if (kind === 4 && size === 2) seg.sackPerm = true;
    else if (kind === 8 && size === 10) {
      seg.ts = true;
      seg.tsVal = get32(b, p + 2);
      seg.tsEcr = get32(b, p + 6);
    } else if (kind === 5 && size >= 10 && (size - 2) % 8 === 0) {
      // tcp_parse_options: a later SACK option replaces an earlier one
      seg.sackN = 0;
      for (let q = p + 2; q < p + size && seg.sackN < 4; q += 8) {
        seg.sackL[seg.sackN] = get32(b, q);
        seg.sackR[seg.sackN] = get32(b, q + 4);
        seg.sackN++;
      }
    }
    p += size;
  }
}

export function get32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

function copy(b: Uint8Array, o: number, from: Uint8Array, fromOff: number, n: number): void {
  for (let i = 0; i < n; i++) b[o + i] = from[fromOff + i]!;
}

/** Fold a 4- or 16-byte address at a[off] to a u32 (IPv4: the address). */
export function addrKey(a: Uint8Array, off: number, len: number): number {
  if (len === 4) return get32(a, off);
  return (get32(a, off) ^ get32(a, off + 4) ^ get32(a, off + 8) ^ get32(a, off + 12)) >>> 0;
}

/** Copies the segment's IPv4 source and destination into the header at `ip`;
 *  returns the sum of their four 16-bit words (for both checksums). */
export function writeIpv4Addrs(b: Uint8Array, ip: number, s: SegOut): number {
  const src = s.src;
  const dst = s.dst;
  const so = s.srcOff;
  const d = s.dstOff;
  const s0 = (src[so]! << 8) | src[so + 1]!;
  const s1 = (src[so + 2]! << 8) | src[so + 3]!;
  const d0 = (dst[d]! << 8) | dst[d + 1]!;
  const d1 = (dst[d + 2]! << 8) | dst[d + 3]!;
  b[ip + 12] = s0 >>> 8;
  b[ip + 13] = s0 & 0xff;
  b[ip + 14] = s1 >>> 8;
  b[ip + 15] = s1 & 0xff;
  b[ip + 16] = d0 >>> 8;
  b[ip + 17] = d0 & 0xff;
  b[ip + 18] = d1 >>> 8;
  b[ip + 19] = d1 & 0xff;
  return s0 + s1 + d0 + d1;
}
