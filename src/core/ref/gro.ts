// Plain-TS reference of assembly/gro.ts (the differential oracle): the same
// kernel rules over the same header bytes (core.headers) and skb columns,
// written for clarity — big-endian field reads, one check per line, JS arrays
// for the held lists. Sources as in the WASM kernel: net/core/gro.c,
// net/ipv4/af_inet.c, include/net/gro.h, net/ipv4/tcp_offload.c,
// net/ipv6/ip6_offload.c, net/ipv6/tcpv6_offload.c (Linux 6.12).
import type { Core } from "../core.js";
import { SKB_HEADROOM } from "../skb-fields.js";
import {
  GRO_HASH_BUCKETS,
  GRO_LEGACY_MAX_SIZE,
  GRO_REASONS,
  MAX_GRO_SKBS,
  SKB_GSO_DODGY,
  SKB_GSO_TCP_ECN,
  SKB_GSO_TCP_FIXEDID,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  type GroReason,
  type GroStats,
} from "../gro.js";

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const URG = 0x20;
const CWR = 0x80;

interface Held {
  head: number;
  count: number;
  fixedid: boolean;
  age: number;
}

/** One's complement sum of 16-bit big-endian words of b[o .. o+n), unfolded. */
function sum16(b: Uint8Array, o: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i += 2) s += (b[o + i]! << 8) | (i + 1 < n ? b[o + i + 1]! : 0);
  return s;
}

function foldSum(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

function pseudo(b: Uint8Array, ip: number, v6: boolean, l4len: number): number {
  const addr = v6 ? sum16(b, ip + 8, 32) : sum16(b, ip + 12, 8);
  return addr + 6 + (l4len & 0xffff) + Math.floor(l4len / 0x10000);
}

export class RefGroContext {
  readonly buckets: Held[][] = Array.from({ length: GRO_HASH_BUCKETS }, () => []);
  enabled = true;
  ipv4Max = GRO_LEGACY_MAX_SIZE;
  max = GRO_LEGACY_MAX_SIZE;
  csum = true;
  readonly st = { in: 0, out: 0, segsOut: 0, merged: 0, held: 0, normal: 0, completed: 0 };
  readonly reasons = Object.fromEntries(GRO_REASONS.map((r) => [r, 0])) as Record<GroReason, number>;

  constructor(readonly core: Core) {}

  private u8(h: number, o: number): number {
    return this.core.headers[h * SKB_HEADROOM + o]!;
  }
  private u16(h: number, o: number): number {
    return (this.u8(h, o) << 8) | this.u8(h, o + 1);
  }
  private u32(h: number, o: number): number {
    return ((this.u16(h, o) << 16) | this.u16(h, o + 2)) >>> 0;
  }
  private put16(h: number, o: number, v: number): void {
    this.core.headers[h * SKB_HEADROOM + o] = (v >> 8) & 0xff;
    this.core.headers[h * SKB_HEADROOM + o + 1] = v & 0xff;
  }
  private same(a: number, ao: number, b: number, bo: number, n: number): boolean {
    for (let i = 0; i < n; i++) if (this.u8(a, ao + i) !== this.u8(b, bo + i)) return false;
    return true;
  }
  private segsOf(h: number): number {
    const s = this.core.skb;
    return s.gsoSize[h] === 0 ? 1 : Math.max(1, s.gsoSegs[h]!);
  }

  /** napi_gro_complete: rewrite the head's headers, deliver it. */
  private complete(p: Held, out: number[]): void {
    const s = this.core.skb;
    const h = p.head;
    if (p.count === 1) {
      s.gsoSize[h] = 0;
    } else {
      const net = s.network[h]!;
      const l3 = s.len[h]! - net;
      const v6 = this.u8(h, net) >> 4 === 6;
      const base = h * SKB_HEADROOM;
      let gso = s.gsoType[h]!;
      let th: number;
      if (v6) {
        this.put16(h, net + 4, l3 - 40); // ipv6_gro_complete
        th = net + 40;
        gso |= SKB_GSO_TCPV6;
      } else {
        this.put16(h, net + 2, l3 <= 0xffff ? l3 : 0); // inet_gro_complete: iph_set_totlen
        this.put16(h, net + 10, 0);
        this.put16(h, net + 10, ~foldSum(sum16(this.core.headers, base + net, 20)) & 0xffff);
        th = net + 20;
        gso |= SKB_GSO_TCPV4 | (p.fixedid ? SKB_GSO_TCP_FIXEDID : 0);
      }
      // tcp4/6_gro_complete: th->check = ~tcp_v4/6_check(len, saddr, daddr, 0)
      this.put16(h, th + 16, foldSum(pseudo(this.core.headers, base + net, v6, l3 - (th - net))));
      if (this.u8(h, th + 13) & CWR) gso |= SKB_GSO_TCP_ECN; // tcp_gro_complete
      s.gsoType[h] = gso;
      s.gsoSegs[h] = p.count;
    }
    out.push(h);
    this.st.completed++;
    this.st.out++;
    this.st.segsOut += p.count;
  }

  private alone(h: number, out: number[], reason: GroReason | null): void {
    out.push(h);
    this.st.normal++;
    this.st.out++;
    this.st.segsOut += this.segsOf(h);
    if (reason) this.reasons[reason]++;
  }

  /** dev_gro_receive for one skb. */
  receive(h: number, out: number[], now: number): void {
    const s = this.core.skb;
    this.st.in++;
    if (!this.enabled) return this.alone(h, out, "disabled");
    const proto = s.protocol[h]!;
    const net = s.network[h]!;
    const hl = s.hdrLen[h]!;
    const len = s.len[h]!;
    const v6 = proto === 0x86dd;
    if (!v6 && proto !== 0x0800) return this.alone(h, out, "notIp");
    const iphl = v6 ? 40 : 20;
    if (net + iphl > hl || hl > SKB_HEADROOM || len < net + iphl) return this.alone(h, out, "notIp");
    const l3 = len - net;
    let sflush: boolean;
    let l4: number;
    if (!v6) {
      l4 = this.u8(h, net + 9);
      if (l4 !== 6 && l4 !== 17) return this.alone(h, out, "notIp");
      if (this.u8(h, net) !== 0x45) return this.alone(h, out, "ipOptions");
      const frag = this.u16(h, net + 6);
      if (frag & 0x3fff) return this.alone(h, out, "fragment"); // ip_is_fragment
      if (foldSum(sum16(this.core.headers, h * SKB_HEADROOM + net, 20)) !== 0xffff) return this.alone(h, out, "csum");
      sflush = this.u16(h, net + 2) !== (l3 & 0xffff) || (frag & 0x8000) !== 0;
    } else {
      sflush = this.u16(h, net + 4) !== l3 - 40;
      l4 = this.u8(h, net + 6);
      if (l4 !== 6 && l4 !== 17) {
        if (l4 === 44) return this.alone(h, out, "fragment");
        if (l4 === 0 || l4 === 43 || l4 === 60) return this.alone(h, out, "ipOptions");
        return this.alone(h, out, "notIp");
      }
    }
    if (l4 === 17) return this.alone(h, out, sflush ? "badHeader" : "udp");

    const th = net + iphl;
    const l4len = l3 - iphl;
    if (th + 20 > hl || l4len < 20) return this.alone(h, out, "badHeader");
    const thlen = (this.u8(h, th + 12) >> 4) * 4;
    if (thlen < 20 || th + thlen > hl || l4len < thlen) return this.alone(h, out, "badHeader");
    const gsoSize = s.gsoSize[h]!;
    const isGso = gsoSize !== 0;
    const segs = this.segsOf(h);
    if (isGso) {
      const gt = s.gsoType[h]!;
      if ((gt & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) === 0 || (gt & SKB_GSO_DODGY) !== 0) sflush = true;
    } else if (!sflush && this.csum) {
      const b = this.core.headers;
      const sum = pseudo(b, h * SKB_HEADROOM + net, v6, l4len) + sum16(b, h * SKB_HEADROOM + th, thlen);
      if (foldSum(sum) !== 0xffff) return this.alone(h, out, "csum");
    }
    const payload = l4len - thlen;
    const flags = this.u8(h, th + 13);
    const hash = s.hash[h]!;
    const list = this.buckets[hash & (GRO_HASH_BUCKETS - 1)]!;

    // gro_list_prepare + L3 same_flow + tcp_gro_lookup
    let pi = -1;
    for (let i = 0; i < list.length; i++) {
      const q = list[i]!.head;
      if (s.hash[q] !== hash) continue;
      if (!this.same(q, s.mac[q]!, h, s.mac[h]!, 14)) continue;
      const qn = s.network[q]!;
      if (v6) {
        if ((this.u32(q, qn) ^ this.u32(h, net)) & 0xf00fffff) continue;
        if (this.u8(q, qn + 6) !== this.u8(h, net + 6) || !this.same(q, qn + 8, h, net + 8, 32)) continue;
      } else {
        if (this.u8(q, qn + 9) !== this.u8(h, net + 9) || !this.same(q, qn + 12, h, net + 12, 8)) continue;
      }
      if (!this.same(q, qn + iphl, h, th, 4)) continue;
      pi = i;
      break;
    }
    const pe = pi >= 0 ? list[pi]! : null;
    let reason: GroReason | null = null;
    let merged = false;
    let mss = 1;
    if (pe) {
      const p = pe.head;
      const pn = s.network[p]!;
      const th2 = pn + iphl;
      // tcp_gro_receive
      if (sflush) reason = "badHeader";
      else if (flags & CWR) reason = "cwr";
      else if (((this.u32(h, th + 12) ^ this.u32(p, th2 + 12)) & ~(((CWR | FIN | PSH) << 16) >>> 0)) >>> 0 !== 0) reason = "flagWord";
      else if (this.u32(h, th + 8) !== this.u32(p, th2 + 8)) reason = "ack";
      else if (!this.same(h, th + 20, p, th2 + 20, thlen - 20)) reason = "options";
      else if (v6) {
        // ipv6_gro_flush: traffic class, hop limit
        if ((this.u32(h, net) ^ this.u32(p, pn)) & 0x0ff00000 || this.u8(h, net + 7) !== this.u8(p, pn + 7)) reason = "ipFields";
      } else {
        // inet_gro_flush
        const df = this.u8(h, net + 6) & 0x40;
        if (this.u8(h, net + 8) !== this.u8(p, pn + 8) || this.u8(h, net + 1) !== this.u8(p, pn + 1) || df !== (this.u8(p, pn + 6) & 0x40)) {
          reason = "ipFields";
        } else {
          const off = (this.u16(h, net + 4) - this.u16(p, pn + 4)) & 0xffff;
          if (pe.count === 1 && df && off === 0) pe.fixedid = true;
          if ((off ^ (pe.fixedid ? 0 : pe.count)) !== 0) reason = "ipId";
        }
      }
      if (reason === null) {
        const pmss = s.gsoSize[p]!;
        const plen = s.len[p]!;
        const pthlen = (this.u8(p, th2 + 12) >> 4) * 4;
        const ppayload = plen - pn - iphl - pthlen;
        const max = v6 ? Math.min(this.max, GRO_LEGACY_MAX_SIZE) : this.ipv4Max;
        if (isGso ? pmss !== gsoSize : payload === 0 || payload > pmss) reason = "len";
        else if (((this.u32(p, th2 + 4) + ppayload) >>> 0) !== this.u32(h, th + 4)) reason = "seq";
        else if (plen - pn + payload >= max) reason = "maxSize";
        else {
          // skb_gro_receive
          mss = pmss;
          merged = true;
          pe.count += segs;
          s.len[p] = plen + payload;
          s.truesize[p] = (s.truesize[p]! + s.truesize[h]!) >>> 0;
          this.core.headers[p * SKB_HEADROOM + th2 + 13] |= flags & (FIN | PSH);
        }
      }
    }
    const flush = isGso ? payload !== segs * gsoSize : payload < mss;
    const fl = (flags & (URG | PSH | RST | SYN | FIN)) !== 0;
    if (pe && (!merged || flush || fl)) {
      if (merged) reason = fl ? "tcpFlags" : "short";
      this.reasons[reason!]++;
      list.splice(pi, 1);
      this.complete(pe, out);
    }
    if (merged) {
      this.st.merged++;
      this.core.freeOne(h);
      return;
    }
    if (flush || fl || sflush) return this.alone(h, out, pe ? null : sflush ? "badHeader" : fl ? "tcpFlags" : "len");
    if (list.length >= MAX_GRO_SKBS) {
      this.reasons.bucket++;
      this.complete(list.pop()!, out);
    }
    if (!isGso) s.gsoSize[h] = payload;
    list.unshift({ head: h, count: segs, fixedid: false, age: now });
    this.st.held++;
  }

  receiveBurst(handles: ArrayLike<number>, now = 0): number[] {
    const out: number[] = [];
    for (let i = 0; i < handles.length; i++) this.receive(handles[i]!, out, now);
    return out;
  }

  /** napi_gro_flush. */
  flush(olderThan = Infinity, outMax = Infinity): number[] {
    const out: number[] = [];
    for (const list of this.buckets) {
      while (list.length > 0) {
        if (out.length >= outMax) return out;
        if (list[list.length - 1]!.age >= olderThan) break;
        this.reasons.flush++;
        this.complete(list.pop()!, out);
      }
    }
    return out;
  }

  stats(): GroStats {
    let heldNow = 0;
    let heldSegments = 0;
    for (const l of this.buckets) for (const p of l) (heldNow++, (heldSegments += p.count));
    return {
      packetsIn: this.st.in,
      aggregatesOut: this.st.out,
      segmentsOut: this.st.segsOut,
      merged: this.st.merged,
      held: this.st.held,
      normal: this.st.normal,
      completed: this.st.completed,
      heldNow,
      heldSegments,
      reasons: { ...this.reasons },
    };
  }
}
