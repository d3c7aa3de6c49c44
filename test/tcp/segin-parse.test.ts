// SegIn.parse's one-step paths for the option layouts Linux writes most
// (NOP,NOP,TS on established segments; MSS,SACK_PERM,TS,NOP,WS on SYNs and
// SYN-ACKs) against tcp_parse_options' walk (the loop below, as parse does
// it for every other layout): the layouts with random values, the same with
// one byte changed (a near miss takes the walk), and random option bytes.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegIn } from "../../src/tcp/segment.js";

const TH = 14 + 20;

/** tcp_parse_options over b[th+20 .. th+hl): the fields SegIn.parse sets from options. */
function refOptions(b: Uint8Array, th: number, hl: number) {
  const r = { mss: -1, wscale: -1, sackPerm: false, ts: false, tsVal: -1, tsEcr: -1, sackN: 0 };
  const g32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  let p = th + 20;
  const end = th + hl;
  while (p < end) {
    const kind = b[p]!;
    if (kind === 0) break;
    if (kind === 1) {
      p++;
      continue;
    }
    const size = b[p + 1]!;
    if (size < 2 || p + size > end) break;
    if (kind === 2 && size === 4) r.mss = (b[p + 2]! << 8) | b[p + 3]!;
    else if (kind === 3 && size === 3) r.wscale = Math.min(14, b[p + 2]!);
    else if (kind === 4 && size === 2) r.sackPerm = true;
    else if (kind === 8 && size === 10) {
      r.ts = true;
      r.tsVal = g32(p + 2);
      r.tsEcr = g32(p + 6);
    } else if (kind === 5 && size >= 10 && (size - 2) % 8 === 0) r.sackN = Math.min(4, r.sackN + (size - 2) / 8);
    p += size;
  }
  return r;
}

function check(opts: number[]): void {
  const hl = 20 + opts.length;
  const headers = new Uint8Array(2 * SKB_HEADROOM);
  const base = SKB_HEADROOM;
  const b = headers;
  b[base + 14] = 0x45;
  const tot = hl + 20;
  b[base + 16] = tot >>> 8;
  b[base + 17] = tot & 0xff;
  b[base + TH + 12] = (hl / 4) << 4;
  b[base + TH + 13] = 0x02;
  b.set(opts, base + TH + 20);
  const s = new SegIn();
  // leftovers of a previous segment must not survive
  s.tsVal = 123;
  s.tsEcr = 456;
  s.parse(headers, 1, 14, TH, false);
  const want = refOptions(b, base + TH, hl);
  expect({ mss: s.mss, wscale: s.wscale, sackPerm: s.sackPerm, ts: s.ts, sackN: s.sackN, hdrLen: s.hdrLen }).toEqual({ mss: want.mss, wscale: want.wscale, sackPerm: want.sackPerm, ts: want.ts, sackN: want.sackN, hdrLen: hl });
  if (want.ts) expect([s.tsVal, s.tsEcr]).toEqual([want.tsVal, want.tsEcr]);
}

const byte = fc.integer({ min: 0, max: 255 });
const u32b = fc.array(byte, { minLength: 4, maxLength: 4 });
const tsOnly = fc.tuple(u32b, u32b).map(([v, e]) => [1, 1, 8, 10, ...v, ...e]);
const synLayout = fc.tuple(byte, byte, u32b, u32b, byte).map(([m0, m1, v, e, ws]) => [2, 4, m0, m1, 4, 2, 8, 10, ...v, ...e, 1, 3, 3, ws]);
/** One byte of a layout changed (kind, length or value). */
const nearMiss = (layout: fc.Arbitrary<number[]>) =>
  fc.tuple(layout, fc.nat(), byte).map(([o, i, v]) => {
    const c = o.slice();
    c[i % c.length] = v;
    return c;
  });
const padded = fc.array(byte, { minLength: 0, maxLength: 40 }).map((o) => [...o, ...new Array((4 - (o.length % 4)) % 4).fill(0)]);

describe("SegIn.parse options", () => {
  it("the one-step layouts parse as tcp_parse_options' walk does", () => {
    fc.assert(fc.property(fc.oneof(tsOnly, synLayout), check), { numRuns: 500 });
  });
  it("near misses of those layouts and random option bytes take the walk", () => {
    fc.assert(fc.property(fc.oneof(nearMiss(tsOnly), nearMiss(synLayout), padded), check), { numRuns: 2000 });
  });
  it("a SYN's wscale above 14 is clamped on the one-step path", () => {
    const s = new SegIn();
    const headers = new Uint8Array(2 * SKB_HEADROOM);
    const b = headers;
    const base = SKB_HEADROOM;
    b[base + 14] = 0x45;
    b[base + 17] = 60;
    b[base + TH + 12] = 10 << 4;
    b.set([2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 1, 3, 3, 15], base + TH + 20);
    s.parse(headers, 1, 14, TH, false);
    expect([s.mss, s.wscale, s.sackPerm, s.ts, s.tsVal]).toEqual([1460, 14, true, true, 9]);
  });
});
