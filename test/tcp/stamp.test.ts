// Handshake header templates (src/tcp/stamp.ts) against writeSegment, the
// reference writer: for every option layout, IPv4 and IPv6, random
// addresses, ports, sequence numbers, windows and timestamps, the stamped
// skb has the same header bytes and columns. IPv4 stamps run in WASM
// (assembly/stamp.ts stamp_tcp4) once they have a template slot: that path
// is checked against writeRef, the plain-TS reference, on a core whose slots
// hold every layout.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createCore } from "../../src/core/node.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { StampCache, TcpStamp } from "../../src/tcp/stamp.js";
import { parseSkb } from "../../src/wire/skb-headers.js";
import { TCPHDR_ACK, TCPHDR_SYN } from "../../src/wire/tcp.js";

const core = await createCore({ skbs: 64 });
const COLS = ["len", "hdrLen", "mac", "network", "transport", "protocol"] as const;

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const seg = fc.record({
  v6: fc.boolean(),
  src: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  dst: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  srcOff: fc.integer({ min: 0, max: 12 }),
  sport: fc.integer({ min: 0, max: 65535 }),
  dport: fc.integer({ min: 0, max: 65535 }),
  seq: u32,
  ack: u32,
  flags: fc.constantFrom(TCPHDR_SYN, TCPHDR_SYN | TCPHDR_ACK, TCPHDR_ACK),
  window: fc.integer({ min: 0, max: 65535 }),
  mss: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 65535 })),
  wscale: fc.integer({ min: -1, max: 14 }),
  sackPerm: fc.boolean(),
  ts: fc.boolean(),
  tsVal: u32,
  tsEcr: u32,
});

function segOut(r: SegFields): SegOut {
  const s = new SegOut();
  s.v6 = r.v6;
  s.src = r.src;
  s.srcOff = r.v6 ? 0 : r.srcOff;
  s.dst = r.dst;
  s.dstOff = 0;
  s.sport = r.sport;
  s.dport = r.dport;
  s.seq = r.seq;
  s.ack = r.ack;
  s.flags = r.flags;
  s.window = r.window;
  s.mss = r.mss;
  s.wscale = r.wscale;
  s.sackPerm = r.sackPerm;
  s.ts = r.ts;
  s.tsVal = r.tsVal;
  s.tsEcr = r.tsEcr;
  return s;
}

type SegFields = typeof seg extends fc.Arbitrary<infer T> ? T : never;

function snapshot(h: number) {
  const n = core.skb.hdrLen[h]!;
  return { bytes: Array.from(core.headers.subarray(h * SKB_HEADROOM, h * SKB_HEADROOM + n)), cols: COLS.map((c) => core.skb[c][h]) };
}

describe("TcpStamp", () => {
  it("writes what writeSegment writes, for every layout and field value", () => {
    fc.assert(
      fc.property(seg, (r) => {
        const s = segOut(r);
        // dirty both skbs first: the stamp must not rely on what was there
        core.headers.fill(0xa5, 1 * SKB_HEADROOM, 3 * SKB_HEADROOM);
        writeSegment(core, 1, s);
        new TcpStamp(s).write(core, 2, s);
        expect(snapshot(2)).toEqual(snapshot(1));
      }),
      { numRuns: 2000 },
    );
  });

  it("stamp_tcp4 (WASM) writes what writeRef (TS) and writeSegment write, every layout, from its slot", async () => {
    const wcore = await createCore({ skbs: 8 });
    // 16 option layouts x 2 flag sets, then 32 more MSS values: 64 templates, every slot
    const stamps: TcpStamp[] = [];
    const make = (flags: number, mss: number, sackPerm: boolean, ts: boolean, wscale: number) => {
      const s = new SegOut();
      s.flags = flags;
      s.mss = mss;
      s.sackPerm = sackPerm;
      s.ts = ts;
      s.wscale = wscale;
      stamps.push(new TcpStamp(s));
    };
    for (const flags of [TCPHDR_SYN, TCPHDR_SYN | TCPHDR_ACK])
      for (let layout = 0; layout < 16; layout++) make(flags, layout & 1 ? 1460 : -1, (layout & 2) !== 0, (layout & 4) !== 0, layout & 8 ? 7 : -1);
    for (let i = 0; i < 32; i++) make(TCPHDR_SYN | TCPHDR_ACK, 1000 + i, true, true, i % 15);
    for (const st of stamps) expect(st.inWasm(wcore)).toBe(true);
    const fields = seg.map((r) => ({ ...r, v6: false }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: stamps.length - 1 }), fields, (i, r) => {
        const st = stamps[i]!;
        const s = segOut({ ...r, flags: st.flags, mss: st.mss, wscale: st.wscale, sackPerm: st.sackPerm, ts: st.ts });
        expect(st.matches(s)).toBe(true);
        wcore.headers.fill(0xa5, 0, 4 * SKB_HEADROOM);
        st.writeRef(wcore, 1, s);
        st.write(wcore, 2, s);
        writeSegment(wcore, 3, s);
        const snap = (h: number) => {
          const n = wcore.skb.hdrLen[h]!;
          return { bytes: Array.from(wcore.headers.subarray(h * SKB_HEADROOM, h * SKB_HEADROOM + n)), cols: COLS.map((c) => wcore.skb[c][h]) };
        };
        expect(snap(2)).toEqual(snap(1));
        expect(snap(2)).toEqual(snap(3));
        // the same segment as words (the SYN flood's path)
        const w4 = (a: Uint8Array, o: number) => (a[o]! << 24) | (a[o + 1]! << 16) | (a[o + 2]! << 8) | a[o + 3]!;
        st.write4(wcore, 0, w4(s.src, s.srcOff), w4(s.dst, s.dstOff), (s.sport << 16) | s.dport, s.seq, s.ack, s.window, s.tsVal, s.tsEcr);
        expect(snap(0)).toEqual(snap(1));
        // nothing past the header bytes is touched
        expect(wcore.headers[2 * SKB_HEADROOM + wcore.skb.hdrLen[2]!]).toBe(0xa5);
      }),
      { numRuns: 3000 },
    );
    // templates alike share a slot; one more layout finds none left and stays in TS
    const again = new SegOut();
    again.flags = TCPHDR_SYN;
    again.mss = 1460;
    expect(new TcpStamp(again).inWasm(wcore)).toBe(true);
    again.mss = 1400;
    again.ts = true;
    const ts = new TcpStamp(again);
    expect(ts.inWasm(wcore)).toBe(false);
    // write4 without a slot: writeRef from the words
    again.src = Uint8Array.of(192, 168, 200, 7);
    again.dst = Uint8Array.of(10, 250, 0, 2);
    again.sport = 61000;
    again.dport = 443;
    again.seq = 0xfedcba98;
    again.window = 64240;
    again.tsVal = 0x80000001;
    writeSegment(wcore, 1, again);
    ts.write4(wcore, 2, 0xc0a8c807 | 0, 0x0afa0002, (61000 << 16) | 443, 0xfedcba98 | 0, 0, 64240, 0x80000001 | 0, 0);
    const at = (h: number) => Array.from(wcore.headers.subarray(h * SKB_HEADROOM, h * SKB_HEADROOM + wcore.skb.hdrLen[h]!));
    expect(at(2)).toEqual(at(1));
  });

  it("stamped segments parse with valid IP and TCP checksums", () => {
    fc.assert(
      fc.property(seg, (r) => {
        const s = segOut(r);
        new TcpStamp(s).write(core, 3, s);
        const p = parseSkb(core, 3, { verifyIpChecksum: true, verifyL4Checksum: true });
        expect(p.l4CheckOk).toBe(true);
        expect(p.l4?.proto === "tcp" && p.l4.seq).toBe(s.seq >>> 0);
      }),
      { numRuns: 300 },
    );
  });

  it("the cache rebuilds a layout whose constant fields changed", () => {
    const c = new StampCache();
    const s = new SegOut();
    s.flags = TCPHDR_SYN | TCPHDR_ACK;
    s.mss = 1460;
    s.wscale = 7;
    const a = c.for(s);
    expect(c.for(s)).toBe(a);
    s.wscale = 9;
    const b = c.for(s);
    expect(b).not.toBe(a);
    expect(b.wscale).toBe(9);
    s.ts = true;
    expect(c.for(s).ts).toBe(true);
  });
});
