// Header templates for handshake segments (SYNs of a flood, SYN-ACKs of a
// listener): the Ethernet, IP and TCP bytes of one option layout are built
// once (src/wire/skb-headers.ts HeaderTemplate); each segment copies them
// and writes only what differs per segment. The checksums start from the
// template's sums over its constant words and add the per-segment words, so
// a stamped segment is byte for byte what writeSegment would write for the
// same SegOut (a differential test checks that).
//
// Per segment: addresses, ports, seq, ack, window, TSval and TSecr. Fixed by
// the template: v6, flags, which options are present, the MSS and
// window-scale values.
//
// IPv4 segments are stamped in WASM (assembly/stamp.ts: one call copies the
// template and writes the rest), from a copy of the template in a slot of
// the core's template area; writeRef is the plain-TS reference (and the
// path of IPv6 and of templates that found no slot free).
import type { Core } from "../core/core.js";
import { SKB_HEADROOM } from "../core/skb-fields.js";
import { HeaderTemplate } from "../wire/skb-headers.js";
import type { TcpOptions } from "../wire/tcp.js";
import { SegOut, writeIpv4Addrs } from "./segment.js";

const ETH_HLEN = 14;
const IPPROTO_TCP = 6;

function sum16(b: Uint8Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  return s;
}

/** Ones-complement fold and complement of a sum below 2^31 (csum_fold). */
function fold(sum: number): number {
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The WASM export used per segment (called straight, no wrapper). */
interface StampHot {
  stamp_tcp4(slot: number, h: number, saddr: number, daddr: number, ports: number, seq: number, ack: number, win: number, tsval: number, tsecr: number): void;
  stamp_tpl_ptr(): number;
  stamp_info_ptr(): number;
  stamp_slots(): number;
}

const STAMP_INFO_U32 = 8;
/** Per core, the template slots taken (assembly/stamp.ts), by the
 *  template's constant fields: templates alike share a slot. */
const slotsOf = new WeakMap<Core, Map<string, number>>();

function addr32(a: Uint8Array, o: number): number {
  return (a[o]! << 24) | (a[o + 1]! << 16) | (a[o + 2]! << 8) | a[o + 3]!;
}

function putAddr(a: Uint8Array, v: number): Uint8Array {
  a[0] = v >>> 24;
  a[1] = (v >>> 16) & 0xff;
  a[2] = (v >>> 8) & 0xff;
  a[3] = v & 0xff;
  return a;
}

export class TcpStamp {
  readonly v6: boolean;
  readonly flags: number;
  readonly mss: number;
  readonly wscale: number;
  readonly sackPerm: boolean;
  readonly ts: boolean;
  private readonly bytes: Uint8Array;
  private readonly hdrLen: number;
  private readonly th: number;
  /** Offset of TSval in the header bytes, or -1. */
  private readonly tsAt: number;
  /** Sums of the template's constant 16-bit words: IPv4 header; TCP header
   *  plus the pseudo-header's protocol and length. */
  private readonly ipBase: number;
  private readonly tcpBase: number;
  /** The core whose template slot `slot` holds this template (-1: none free, TS writes). */
  private boundTo: Core | null = null;
  private slot = -1;
  private hot: StampHot | null = null;
  /** write4's segment when writeRef does the work. */
  private words4: SegOut | null = null;

  constructor(s: SegOut) {
    this.v6 = s.v6;
    this.flags = s.flags & 0xff;
    this.mss = s.mss;
    this.wscale = s.wscale;
    this.sackPerm = s.sackPerm;
    this.ts = s.ts;
    const opts: TcpOptions = {};
    if (s.mss >= 0) opts.mss = s.mss;
    if (s.ts) opts.ts = { val: 0, ecr: 0 };
    if (s.sackPerm) opts.sackPerm = true;
    if (s.wscale >= 0) opts.wscale = s.wscale;
    const zero = new Uint8Array(s.v6 ? 16 : 4);
    // every per-segment field zero, so the template's sums hold only the constant words
    const tpl = new HeaderTemplate({ ip: { version: s.v6 ? 6 : 4, src: zero, dst: zero }, l4: { proto: "tcp", sport: 0, dport: 0, seq: 0, ack: 0, flags: this.flags, window: 0, options: opts } });
    const b = tpl.bytes.slice();
    const ipLen = s.v6 ? 40 : 20;
    this.th = ETH_HLEN + ipLen;
    this.hdrLen = b.length;
    // tcp_options_write: the timestamp block follows MSS (4 bytes); its
    // SACK_PERM or NOP,NOP, kind and length come first, then TSval
    this.tsAt = s.ts ? this.th + 20 + (s.mss >= 0 ? 4 : 0) + 4 : -1;
    b[ETH_HLEN + 10] = b[ETH_HLEN + 11] = 0;
    b[this.th + 16] = b[this.th + 17] = 0;
    this.bytes = b;
    this.ipBase = s.v6 ? 0 : sum16(b, ETH_HLEN, this.th);
    const tcpLen = this.hdrLen - this.th;
    this.tcpBase = sum16(b, this.th, this.hdrLen) + IPPROTO_TCP + tcpLen;
  }

  /** Whether segments like `s` fit this template (only per-segment fields may differ). */
  matches(s: SegOut): boolean {
    return s.v6 === this.v6 && (s.flags & 0xff) === this.flags && s.mss === this.mss && s.wscale === this.wscale && s.sackPerm === this.sackPerm && s.ts === this.ts && s.sackN === 0;
  }

  /** Write segment `s` (which matches this template) into skb h and set its header columns. */
  write(core: Core, h: number, s: SegOut): void {
    if (this.v6) {
      this.writeRef(core, h, s);
      return;
    }
    if (this.boundTo !== core) this.bind(core);
    const x = this.hot;
    if (x === null) {
      this.writeRef(core, h, s);
      return;
    }
    x.stamp_tcp4(this.slot, h, addr32(s.src, s.srcOff), addr32(s.dst, s.dstOff), ((s.sport & 0xffff) << 16) | (s.dport & 0xffff), s.seq, s.ack, s.window, s.tsVal, s.tsEcr);
  }

  /** write() for an IPv4 segment given as words: addresses host-order u32
   *  (10.0.0.1 = 0x0a000001), ports = sport << 16 | dport; what a SYN flood
   *  sends without filling a SegOut. */
  write4(core: Core, h: number, saddr: number, daddr: number, ports: number, seq: number, ack: number, win: number, tsval: number, tsecr: number): void {
    if (this.boundTo !== core) this.bind(core);
    const x = this.hot;
    if (x !== null) {
      x.stamp_tcp4(this.slot, h, saddr, daddr, ports, seq, ack, win, tsval, tsecr);
      return;
    }
    if (this.v6) throw new Error("TcpStamp.write4: an IPv6 template");
    const s = (this.words4 ??= new SegOut());
    s.v6 = false;
    s.src = putAddr(s.src, saddr);
    s.srcOff = 0;
    s.dst = putAddr(s.dst, daddr);
    s.dstOff = 0;
    s.sport = ports >>> 16;
    s.dport = ports & 0xffff;
    s.seq = seq;
    s.ack = ack;
    s.window = win;
    s.tsVal = tsval;
    s.tsEcr = tsecr;
    this.writeRef(core, h, s);
  }

  /** Copy the template into a slot of core's template area (once per core;
   *  templates alike share one). With none left, writeRef does the work. */
  private bind(core: Core): void {
    this.boundTo = core;
    this.hot = null;
    const x = core.raw as unknown as StampHot;
    let slots = slotsOf.get(core);
    if (slots === undefined) slotsOf.set(core, (slots = new Map()));
    const key = `${this.flags} ${this.mss} ${this.wscale} ${this.sackPerm} ${this.ts}`;
    let slot = slots.get(key);
    if (slot === undefined) {
      if (slots.size >= x.stamp_slots()) return;
      slot = slots.size;
      slots.set(key, slot);
      const buf = core.memory.buffer;
      new Uint8Array(buf, x.stamp_tpl_ptr() + slot * SKB_HEADROOM, SKB_HEADROOM).set(this.bytes);
      const info = new Uint32Array(buf, x.stamp_info_ptr() + slot * STAMP_INFO_U32 * 4, STAMP_INFO_U32);
      info[0] = this.hdrLen;
      info[1] = this.th;
      info[2] = this.tsAt >= 0 ? this.tsAt : 0;
      info[3] = this.ipBase;
      info[4] = this.tcpBase;
    }
    this.slot = slot;
    this.hot = x;
  }

  /** Whether write() stamps in WASM on `core` (an IPv4 template with a slot there). */
  inWasm(core: Core): boolean {
    return this.wasmSlot(core) >= 0;
  }

  /** The template slot this template has on `core` (stamp_tcp4's and
   *  cookie_synack4's `slot`), or -1: IPv6, or no slot free (write in TS). */
  wasmSlot(core: Core): number {
    if (this.v6) return -1;
    if (this.boundTo !== core) this.bind(core);
    return this.hot !== null ? this.slot : -1;
  }

  /** The plain-TS reference of stamp_tcp4, and the IPv6 path. */
  writeRef(core: Core, h: number, s: SegOut): void {
    const b = core.headers;
    const base = h * SKB_HEADROOM;
    b.set(this.bytes, base);
    const th = base + this.th;
    let sum = this.tcpBase;
    if (!this.v6) {
      const ip = base + ETH_HLEN;
      const addrs = writeIpv4Addrs(b, ip, s);
      const c = fold(this.ipBase + addrs);
      b[ip + 10] = c >>> 8;
      b[ip + 11] = c & 0xff;
      sum += addrs;
    } else {
      const ip = base + ETH_HLEN;
      const src = s.src;
      const so = s.srcOff;
      const dst = s.dst;
      const d = s.dstOff;
      for (let i = 0; i < 16; i += 2) {
        const a = (src[so + i]! << 8) | src[so + i + 1]!;
        const z = (dst[d + i]! << 8) | dst[d + i + 1]!;
        b[ip + 8 + i] = a >>> 8;
        b[ip + 9 + i] = a & 0xff;
        b[ip + 24 + i] = z >>> 8;
        b[ip + 25 + i] = z & 0xff;
        sum += a + z;
      }
    }
    const sport = s.sport & 0xffff;
    const dport = s.dport & 0xffff;
    const seq = s.seq >>> 0;
    const ack = s.ack >>> 0;
    const win = s.window & 0xffff;
    b[th] = sport >>> 8;
    b[th + 1] = sport & 0xff;
    b[th + 2] = dport >>> 8;
    b[th + 3] = dport & 0xff;
    b[th + 4] = seq >>> 24;
    b[th + 5] = (seq >>> 16) & 0xff;
    b[th + 6] = (seq >>> 8) & 0xff;
    b[th + 7] = seq & 0xff;
    b[th + 8] = ack >>> 24;
    b[th + 9] = (ack >>> 16) & 0xff;
    b[th + 10] = (ack >>> 8) & 0xff;
    b[th + 11] = ack & 0xff;
    b[th + 14] = win >>> 8;
    b[th + 15] = win & 0xff;
    sum += sport + dport + (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff) + win;
    if (this.tsAt >= 0) {
      const p = base + this.tsAt;
      const tv = s.tsVal >>> 0;
      const te = s.tsEcr >>> 0;
      b[p] = tv >>> 24;
      b[p + 1] = (tv >>> 16) & 0xff;
      b[p + 2] = (tv >>> 8) & 0xff;
      b[p + 3] = tv & 0xff;
      b[p + 4] = te >>> 24;
      b[p + 5] = (te >>> 16) & 0xff;
      b[p + 6] = (te >>> 8) & 0xff;
      b[p + 7] = te & 0xff;
      sum += (tv >>> 16) + (tv & 0xffff) + (te >>> 16) + (te & 0xffff);
    }
    const c = fold(sum);
    b[th + 16] = c >>> 8;
    b[th + 17] = c & 0xff;
    const sk = core.skb;
    const n = this.hdrLen;
    sk.len[h] = n;
    sk.hdrLen[h] = n;
    sk.mac[h] = 0;
    sk.network[h] = ETH_HLEN;
    sk.transport[h] = this.th;
    sk.protocol[h] = this.v6 ? 0x86dd : 0x0800;
  }
}

/** A host's templates, one per option layout (which of MSS, SACK_PERM,
 *  timestamps, window scale are present); a layout seen with other constant
 *  values (flags, MSS, wscale, v6) replaces its entry. */
export class StampCache {
  private readonly stamps: (TcpStamp | null)[] = new Array<TcpStamp | null>(16).fill(null);

  for(s: SegOut): TcpStamp {
    const i = (s.mss >= 0 ? 1 : 0) | (s.sackPerm ? 2 : 0) | (s.ts ? 4 : 0) | (s.wscale >= 0 ? 8 : 0);
    let st = this.stamps[i]!;
    if (st === null || !st.matches(s)) this.stamps[i] = st = new TcpStamp(s);
    return st;
  }
}
