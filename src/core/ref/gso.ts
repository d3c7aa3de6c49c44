// Plain-TS reference of assembly/gso.ts (the differential oracle): software
// GSO of a TCP super-packet over the same header bytes (core.headers) and
// skb columns, written for clarity with src/wire's big-endian field helpers
// and checksum code. Sources as in the WASM kernel: net/ipv4/tcp_offload.c
// (tcp_gso_segment), net/ipv4/af_inet.c (inet_gso_segment),
// net/ipv6/ip6_offload.c, net/core/skbuff.c (skb_segment),
// net/ipv4/tcp_output.c (tcp_tso_autosize, tcp_tso_segs).
import type { Core } from "../core.js";
import { SKB_HEADROOM, SKB_NONE } from "../skb-fields.js";
import { get16, put16 } from "../../wire/bytes.js";
import { internetChecksum } from "../../wire/csum.js";
import { fillL4Checksum } from "../../wire/l4csum.js";
import { GSO_ST, SKB_GSO_TCP_FIXEDID, SKB_GSO_TCPV4, SKB_GSO_TCPV6, type TsoAutosizeArgs } from "../gso.js";

const COPIED = ["hdrLen", "mac", "network", "transport", "protocol", "hash", "hashFlags", "queue", "cpu", "flags", "sk", "mark"] as const;

interface Shape {
  ip: number; // offsets in core.headers
  th: number;
  v6: boolean;
  ihl: number;
  thlen: number;
  hdr: number;
}

export class RefGso {
  readonly counters = new Float64Array(16);
  consumed = 0;

  constructor(readonly core: Core) {}

  /** inet_gso_segment / ipv6_gso_segment / tcp4|6_gso_segment checks. */
  private parse(h: number): Shape | null {
    const c = this.core;
    const s = c.skb;
    if (h >= s.len.length || s.live[h] === 0) return null;
    const hdr = s.hdrLen[h]!;
    const net = s.network[h]!;
    const trans = s.transport[h]!;
    if (hdr > SKB_HEADROOM || net >= trans || trans + 20 > hdr) return null;
    const b = c.headers;
    const base = h * SKB_HEADROOM;
    const ip = base + net;
    const ver = b[ip]! >> 4;
    const type = s.gsoType[h]!;
    let ihl: number;
    if (ver === 4) {
      ihl = (b[ip]! & 15) * 4;
      if (ihl < 20 || net + ihl !== trans || b[ip + 9] !== 6) return null;
      if (!(type & SKB_GSO_TCPV4)) return null;
      if (type & SKB_GSO_TCP_FIXEDID && !(b[ip + 6]! & 0x40)) return null;
    } else if (ver === 6) {
      if (net + 40 !== trans || b[ip + 6] !== 6 || !(type & SKB_GSO_TCPV6)) return null;
      ihl = 40;
    } else return null;
    const th = base + trans;
    const thlen = (b[th + 12]! >> 4) * 4;
    if (thlen < 20 || trans + thlen !== hdr || s.len[h]! < hdr) return null;
    return { ip, th, v6: ver === 6, ihl, thlen, hdr };
  }

  /** Lengths and checksums of a header set at ip/th for a payload. */
  private finish(p: Shape, ip: number, th: number, payload: number): void {
    const b = this.core.headers;
    const l4len = p.thlen + payload;
    if (p.v6) put16(b, ip + 4, l4len);
    else {
      put16(b, ip + 2, p.ihl + l4len);
      put16(b, ip + 10, 0);
      put16(b, ip + 10, internetChecksum(b, ip, p.ihl));
    }
    fillL4Checksum(b, ip, th, p.thlen, l4len);
  }

  segment(h: number, out: number[], outMax: number): number {
    const c = this.core;
    const s = c.skb;
    const st = this.counters;
    st[GSO_ST.in]!++;
    const p = this.parse(h);
    const mss = p ? s.gsoSize[h]! : 0;
    if (!p || mss === 0) {
      st[GSO_ST.bad]!++;
      return 0;
    }
    const payload = s.len[h]! - p.hdr;
    if (payload <= mss) {
      if (outMax < 1) {
        st[GSO_ST.noRoom]!++;
        return 0;
      }
      this.finish(p, p.ip, p.th, payload);
      s.gsoSize[h] = s.gsoSegs[h] = s.gsoType[h] = 0;
      out.push(h);
      st[GSO_ST.asIs]!++;
      st[GSO_ST.segsOut]!++;
      return 1;
    }
    const n = Math.ceil(payload / mss);
    if (n > outMax) {
      st[GSO_ST.noRoom]!++;
      return 0;
    }
    const segs: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = c.allocOne(0);
      if (x < 0) {
        for (const y of segs) c.freeOne(y);
        st[GSO_ST.noMem]!++;
        return 0;
      }
      segs.push(x);
    }
    const b = c.headers;
    const src = h * SKB_HEADROOM;
    const fixedid = (s.gsoType[h]! & SKB_GSO_TCP_FIXEDID) !== 0;
    const id0 = p.v6 ? 0 : get16(b, p.ip + 4);
    const seq0 = ((b[p.th + 4]! << 24) | (b[p.th + 5]! << 16) | (b[p.th + 6]! << 8) | b[p.th + 7]!) >>> 0;
    const flags0 = b[p.th + 13]!;
    const truesize = s.truesize[h]!;
    let left = truesize;
    segs.forEach((x, i) => {
      const last = i === n - 1;
      const pay = last ? payload - (n - 1) * mss : mss;
      for (const k of COPIED) s[k][x] = s[k][h]!;
      s.len[x] = p.hdr + pay;
      s.gsoSize[x] = s.gsoSegs[x] = s.gsoType[x] = 0;
      s.next[x] = SKB_NONE;
      const share = last ? left : Math.floor((truesize * pay) / payload);
      left -= share;
      s.truesize[x] = share;
      c.skbTime.tstamp[x] = c.skbTime.tstamp[h]!;
      c.skbTime.born[x] = c.skbTime.born[h]!;
      const dst = x * SKB_HEADROOM;
      b.copyWithin(dst, src, src + p.hdr);
      const ip = dst + (p.ip - src);
      const th = dst + (p.th - src);
      if (!p.v6 && !fixedid) put16(b, ip + 4, (id0 + i) & 0xffff);
      const seq = (seq0 + i * mss) >>> 0;
      b[th + 4] = seq >>> 24;
      b[th + 5] = (seq >>> 16) & 0xff;
      b[th + 6] = (seq >>> 8) & 0xff;
      b[th + 7] = seq & 0xff;
      let fl = flags0;
      if (i !== 0) fl &= ~0x80; // CWR only on the first
      if (!last) fl &= ~(0x01 | 0x08); // FIN, PSH only on the last
      b[th + 13] = fl;
      this.finish(p, ip, th, pay);
      out.push(x);
    });
    c.freeOne(h);
    st[GSO_ST.segmented]!++;
    st[GSO_ST.segsOut]! += n;
    return n;
  }

  /** validate_xmit_skb over a burst (see gso_segment_burst). */
  segmentBurst(inp: number[], out: number[], outMax: number): number {
    const s = this.core.skb;
    let i = 0;
    for (; i < inp.length; i++) {
      const h = inp[i]!;
      const ok = h < s.len.length && s.live[h] !== 0;
      if (ok && s.gsoSize[h] === 0) {
        if (out.length >= outMax) break;
        out.push(h);
        this.counters[GSO_ST.pass]!++;
        continue;
      }
      if (ok && s.hdrLen[h]! <= s.len[h]!) {
        const mss = s.gsoSize[h]!;
        const pay = s.len[h]! - s.hdrLen[h]!;
        if ((pay <= mss ? 1 : Math.ceil(pay / mss)) > outMax - out.length) break;
      }
      if (this.segment(h, out, outMax - out.length) === 0) {
        if (ok) this.core.freeOne(h);
        this.counters[GSO_ST.dropped]!++;
      }
    }
    this.consumed = i;
    return out.length;
  }
}

/** net/ipv4/tcp_output.c: tcp_tso_autosize */
export function refTsoAutosize(a: Required<TsoAutosizeArgs>): number {
  let bytes = Math.floor(a.pacingRate / 2 ** a.pacingShift);
  const r = Math.floor(a.minRttUs / 2 ** a.rttLog);
  if (r < 32) bytes += Math.floor(a.gsoMaxSize / 2 ** r);
  bytes = Math.min(bytes, a.gsoMaxSize);
  return Math.max(Math.floor(bytes / a.mss), a.minSegs);
}
