// writeSegment with a payload length must give the very bytes and columns of a
// header-only writeSegment followed by setPayloadLen (the RFC 1624 patch the
// data path used before), and checksums that verify from scratch.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { setPayloadLen } from "../../src/wire/skb-headers.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { internetChecksum, csumFold, csumPartial, pseudoSumV4, pseudoSumV6 } from "../../src/wire/csum.js";

const core = await freshCore();
const hA = core.allocOne(0);
const hB = core.allocOne(0);

function fill(s: SegOut, f: Fields): void {
  s.noOptions();
  s.v6 = f.v6;
  s.src = f.v6 ? Uint8Array.from(f.a16) : Uint8Array.from(f.a16.slice(0, 4));
  s.dst = f.v6 ? Uint8Array.from(f.b16) : Uint8Array.from(f.b16.slice(0, 4));
  s.sport = f.sport;
  s.dport = f.dport;
  s.seq = f.seq;
  s.ack = f.ack;
  s.flags = f.flags;
  s.window = f.window;
  s.ts = f.ts;
  s.tsVal = f.tsVal;
  s.tsEcr = f.tsEcr;
  s.sackN = f.sack.length;
  f.sack.forEach(([l, r], i) => {
    s.sackL[i] = l;
    s.sackR[i] = r;
  });
}

interface Fields {
  v6: boolean;
  a16: number[];
  b16: number[];
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  ts: boolean;
  tsVal: number;
  tsEcr: number;
  sack: [number, number][];
  payload: number;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const fields: fc.Arbitrary<Fields> = fc.record({
  v6: fc.boolean(),
  a16: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }),
  b16: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }),
  sport: fc.integer({ min: 0, max: 0xffff }),
  dport: fc.integer({ min: 0, max: 0xffff }),
  seq: u32,
  ack: u32,
  flags: fc.integer({ min: 0, max: 0xff }),
  window: fc.integer({ min: 0, max: 0xffff }),
  ts: fc.boolean(),
  tsVal: u32,
  tsEcr: u32,
  sack: fc.array(fc.tuple(u32, u32), { maxLength: 3 }),
  payload: fc.integer({ min: 0, max: 65000 }),
});

const bytes = (h: number): number[] => Array.from(core.headers.subarray(h * SKB_HEADROOM, h * SKB_HEADROOM + core.skb.hdrLen[h]!));
const cols = (h: number): number[] => [core.skb.len[h]!, core.skb.hdrLen[h]!, core.skb.network[h]!, core.skb.transport[h]!, core.skb.protocol[h]!];

describe("writeSegment payload length", () => {
  it("equals writeSegment(headers only) + setPayloadLen, byte for byte", () => {
    fc.assert(
      fc.property(fields, (f) => {
        const s = new SegOut();
        fill(s, f);
        writeSegment(core, hA, s);
        setPayloadLen(core, hA, f.payload);
        fill(s, f);
        s.payloadLen = f.payload;
        writeSegment(core, hB, s);
        expect(bytes(hB)).toEqual(bytes(hA));
        expect(cols(hB)).toEqual(cols(hA));
        expect(core.skb.len[hB]).toBe(core.skb.hdrLen[hB]! + f.payload);
      }),
      { numRuns: 300 },
    );
  });

  it("IP and TCP checksums verify over the headers and a zero payload of that length", () => {
    fc.assert(
      fc.property(fields, (f) => {
        const s = new SegOut();
        fill(s, f);
        s.payloadLen = f.payload;
        writeSegment(core, hB, s);
        const base = hB * SKB_HEADROOM;
        const ip = base + core.skb.network[hB]!;
        const th = base + core.skb.transport[hB]!;
        const tcpLen = core.skb.hdrLen[hB]! - core.skb.transport[hB]!;
        const b = core.headers;
        if (!f.v6) expect(internetChecksum(b, ip, 20)).toBe(0);
        const pseudo = f.v6 ? pseudoSumV6(b, ip + 8, ip + 24, 6, tcpLen + f.payload) : pseudoSumV4(b, ip + 12, ip + 16, 6, tcpLen + f.payload);
        expect(csumFold(csumPartial(b, th, tcpLen, pseudo))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("a payload past the 16-bit IP length is refused, naming the field", () => {
    const s = new SegOut();
    s.payloadLen = 65535;
    expect(() => writeSegment(core, hA, s)).toThrow(/payloadLen = 65535 is outside 0\.\./);
  });
});

describe("rxTruesize (a received frame's page-fragment truesize)", () => {
  it("is 2304 for a 1514-byte frame and the next power of two of frame + 384, plus 256, for every length", async () => {
    const { rxTruesize } = await import("../../src/tcp/data-in.js");
    expect(rxTruesize(1514)).toBe(2304);
    expect(rxTruesize(0)).toBe(512 + 256);
    expect(rxTruesize(128)).toBe(512 + 256);
    expect(rxTruesize(129)).toBe(1024 + 256);
    for (let f = 0; f < 70000; f++) {
      let p = 1;
      while (p < f + 384) p *= 2;
      if (rxTruesize(f) !== p + 256) expect(rxTruesize(f)).toBe(p + 256);
    }
  });
});
