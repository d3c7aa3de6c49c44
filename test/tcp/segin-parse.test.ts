// SegIn.parse's one-step paths for the option layouts Linux writes most
// (NOP,NOP,TS on established segments; MSS,SACK_PERM,TS,NOP,WS on SYNs and
// SYN-ACKs) against parseOptions (tcp_parse_options' walk, which parse runs
// for every other layout): the layouts with random values, the same with one
// byte changed (a near miss takes the walk), the layouts under another header
// length (more options after them, or doff cut short), and random option
// bytes. Then the walk itself on hand-built options.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegIn, parseOptions } from "../../src/tcp/segment.js";

const TH = 14 + 20;

/** What SegIn.parse reads from options, with the sackN blocks it holds. */
const fields = (s: SegIn) => ({ mss: s.mss, wscale: s.wscale, sackPerm: s.sackPerm, ts: s.ts, tsVal: s.tsVal, tsEcr: s.tsEcr, sack: Array.from({ length: s.sackN }, (_, i) => [s.sackL[i], s.sackR[i]]) });

/** A SegIn as parse leaves it before the options, with a previous segment's timestamps. */
function fresh(): SegIn {
  const s = new SegIn();
  s.tsVal = 123;
  s.tsEcr = 456;
  s.mss = -1;
  s.wscale = -1;
  s.sackPerm = false;
  s.ts = false;
  s.sackN = 0;
  return s;
}

/** The option bytes `opts` after a TCP header whose doff says `hl` bytes (default: all of them). */
function check(opts: number[], hl = 20 + opts.length): void {
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
  const s = fresh();
  s.parse(headers, 1, 14, TH, false);
  const want = fresh();
  parseOptions(want, b, base + TH + 20, base + TH + hl);
  expect(s.hdrLen).toBe(hl);
  // leftovers of a previous segment's timestamps stay in both when no TS option is read
  expect(fields(s)).toEqual(fields(want));
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

/** A SACK option of 1..4 blocks (kind 5, length 2 + 8n), NOP-aligned as tcp_options_write puts it. */
const sackOpt = fc.array(fc.tuple(u32b, u32b), { minLength: 1, maxLength: 4 }).map((bl) => [1, 1, 5, 2 + 8 * bl.length, ...bl.flatMap(([l, r]) => [...l, ...r])]);
/** A layout followed by more options (doff above its 32 or 40), capped at doff 15 (60 bytes). */
const longer = (layout: fc.Arbitrary<number[]>) =>
  fc.tuple(layout, fc.oneof(sackOpt, fc.constant([1, 1, 1, 1]), fc.constant([1, 1, 4, 2]))).map(([o, more]) => {
    // every piece is a multiple of 4 long; past 40 bytes the last option is cut (the walk stops there)
    return [...o, ...more].slice(0, 40);
  });
/** A layout whose doff is cut short (a smaller multiple of 4): the bytes past doff are not options. */
const cut = (layout: fc.Arbitrary<number[]>) => fc.tuple(layout, fc.integer({ min: 1, max: 5 })).map(([o, k]) => ({ o, hl: 20 + Math.max(0, o.length - 4 * k) }));

describe("SegIn.parse options", () => {
  it("the one-step layouts parse as tcp_parse_options' walk does", () => {
    fc.assert(fc.property(fc.oneof(tsOnly, synLayout), (o) => check(o)), { numRuns: 500 });
  });
  it("near misses of those layouts and random option bytes take the walk", () => {
    fc.assert(fc.property(fc.oneof(nearMiss(tsOnly), nearMiss(synLayout), padded), (o) => check(o)), { numRuns: 2000 });
  });
  it("the one-step layouts under another header length take the walk", () => {
    fc.assert(fc.property(fc.oneof(longer(tsOnly), longer(synLayout)), (o) => check(o)), { numRuns: 1000 });
    fc.assert(fc.property(fc.oneof(cut(tsOnly), cut(synLayout)), ({ o, hl }) => check(o, hl)), { numRuns: 500 });
  });
  it("parseOptions: with several SACK options the last one counts (tcp_parse_options), at most 4 blocks", () => {
    const b = Uint8Array.from([1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 5, 18, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6, 1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 8]);
    const s = fresh();
    parseOptions(s, b, 0, b.length);
    expect(fields(s)).toMatchObject({ ts: true, tsVal: 7, tsEcr: 8, sack: [[3, 4], [5, 6]] });
    const five = Uint8Array.from([5, 42, ...Array.from({ length: 40 }, (_, i) => i)]);
    const t = fresh();
    parseOptions(t, five, 0, five.length);
    expect(t.sackN).toBe(4);
    expect([t.sackL[3], t.sackR[3]]).toEqual([0x18191a1b, 0x1c1d1e1f]);
    // a truncated option ends the walk (tcp_parse_options: opsize > length)
    const u = fresh();
    parseOptions(u, Uint8Array.from([2, 4, 5, 0xb4, 8, 10, 0, 0]), 0, 8);
    expect(fields(u)).toMatchObject({ mss: 1460, ts: false, tsVal: 123 });
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
