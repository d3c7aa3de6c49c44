// Handshake header templates (src/tcp/stamp.ts) against writeSegment, the
// reference writer: for every option layout, IPv4 and IPv6, random
// addresses, ports, sequence numbers, windows and timestamps, the stamped
// skb has the same header bytes and columns.
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
