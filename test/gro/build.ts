// Segment builder for the GRO tests: real Ethernet + IPv4/IPv6 + TCP headers
// through src/wire (writePacket), one flow per index, as a NIC + driver
// would hand them to napi_gro_receive (hash = the RX hash column).
import type { Core } from "../../src/core/core.js";
import { writePacket, type PacketSpec } from "../../src/wire/skb-headers.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import type { GroContext } from "../../src/core/gro.js";

export const ACK = 0x10;
export const PSH = 0x08;
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

export interface Seg {
  flow?: number;
  v6?: boolean;
  seq: number;
  /** payload bytes (default 1448) */
  len?: number;
  flags?: number;
  ack?: number;
  window?: number;
  /** TSval/TSecr; null = no options (default: timestamps [1000, 500]) */
  ts?: [number, number] | null;
  id?: number;
  df?: boolean;
  ttl?: number;
  tos?: number;
  /** RX hash (default: 0x100 * (flow + 1) + flow, bucket = flow & 7) */
  hash?: number;
  proto?: "tcp" | "udp";
}

export function specOf(s: Seg): PacketSpec {
  const f = s.flow ?? 0;
  const v6 = s.v6 ?? false;
  const ip = v6
    ? { version: 6 as const, src: "2001:db8::1", dst: `2001:db8:1::${(f + 1).toString(16)}`, ttl: s.ttl, tos: s.tos }
    : { version: 4 as const, src: "10.0.0.1", dst: `10.0.1.${f + 1}`, id: s.id ?? 0, df: s.df ?? true, ttl: s.ttl, tos: s.tos };
  const l4 =
    s.proto === "udp"
      ? { proto: "udp" as const, sport: 5000 + f, dport: 53 }
      : {
          proto: "tcp" as const,
          sport: 40000 + f,
          dport: 80,
          seq: s.seq >>> 0,
          ack: s.ack ?? 7777,
          flags: s.flags ?? ACK,
          window: s.window ?? 512,
          options: s.ts === null ? undefined : { ts: { val: (s.ts ?? [1000, 500])[0], ecr: (s.ts ?? [1000, 500])[1] } },
        };
  return { ip, l4, payloadLen: s.len ?? 1448 };
}

/** Allocate an skb and write segment s into it; returns the handle. */
export function seg(core: Core, s: Seg): number {
  const h = core.allocOne(0);
  if (h < 0) throw new Error("skb pool exhausted");
  writePacket(core, h, specOf(s));
  const f = s.flow ?? 0;
  core.skb.hash[h] = s.hash ?? (0x100 * (f + 1) + f) >>> 0;
  core.skb.truesize[h] = 2304;
  return h;
}

/** Run handles through ctx in one burst (input at scratch 0, out at 2048). */
export function burst(ctx: GroContext, hs: number[], now = 0): number[] {
  const core = ctx.core;
  core.scratch.set(hs, 0);
  const k = ctx.receiveBurst(hs.length, 0, 2048, now);
  return Array.from(core.scratch.subarray(2048, 2048 + k));
}

export function flushAll(ctx: GroContext, olderThan = Infinity): number[] {
  const k = ctx.flush(2048, olderThan);
  return Array.from(ctx.core.scratch.subarray(2048, 2048 + k));
}

/** In-order MSS segments of one flow starting at seq0. */
export function train(core: Core, n: number, base: Seg, idStep = 0): number[] {
  const hs: number[] = [];
  const len = base.len ?? 1448;
  for (let i = 0; i < n; i++) hs.push(seg(core, { ...base, seq: base.seq + i * len, id: ((base.id ?? 0) + i * idStep) & 0xffff }));
  return hs;
}

export function bytesOf(core: Core, h: number, from: number, n: number): number[] {
  return Array.from(core.headers.subarray(h * SKB_HEADROOM + from, h * SKB_HEADROOM + from + n));
}

export function be16(core: Core, h: number, o: number): number {
  const b = core.headers;
  return (b[h * SKB_HEADROOM + o]! << 8) | b[h * SKB_HEADROOM + o + 1]!;
}

/** One's complement sum (folded, not complemented) of 16-bit words. */
export function onesSum(words: number[]): number {
  let s = 0;
  for (const w of words) s += w;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
