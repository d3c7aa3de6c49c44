import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  csumFold,
  csumPartial,
  csumReplace2,
  csumReplace4,
  csumReplaceSum,
  internetChecksum,
  pseudoSumV4,
  pseudoSumV6,
} from "../../src/wire/csum.js";

const hexBytes = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));

/** Textbook RFC 1071: 32-bit accumulator with end-around carry, then complement. */
function naive(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) {
    s += (b[i]! << 8) | (i + 1 < b.length ? b[i + 1]! : 0);
    s = (s & 0xffff) + (s >>> 16);
  }
  return ~s & 0xffff;
}

describe("internet checksum (RFC 1071)", () => {
  it("IPv4 header known answer 0xb861", () => {
    const h = hexBytes("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
    expect(internetChecksum(h, 0, 20)).toBe(0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    expect(internetChecksum(h, 0, 20)).toBe(0); // a correct header verifies to 0
  });

  it("RFC 1071 section 3 example: sum ddf2", () => {
    const b = hexBytes("0001 f203 f4f5 f6f7");
    expect(csumFold(csumPartial(b, 0, 8))).toBe(~0xddf2 & 0xffff);
  });

  it("odd length pads a zero byte; offsets are honoured", () => {
    const b = hexBytes("ff 0102 03");
    expect(internetChecksum(b, 1, 3)).toBe(~(0x0102 + 0x0300) & 0xffff);
  });

  it("agrees with a textbook implementation on random buffers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(internetChecksum(b, 0, b.length)).toBe(naive(b));
      }),
    );
  });

  it("chained partial sums of even pieces equal one sum", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(100), (b, k) => {
        const cut = Math.min(b.length, k * 2);
        const chained = csumPartial(b, cut, b.length - cut, csumPartial(b, 0, cut));
        expect(csumFold(chained)).toBe(naive(b));
      }),
    );
  });
});

describe("incremental update (RFC 1624)", () => {
  it("csumReplace2 / csumReplace4 / csumReplaceSum give a checksum that verifies", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 64 }).filter((b) => b.length % 2 === 0),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffffffff }),
        (b, at, v) => {
          // a region with its checksum in bytes 0..1
          b[0] = 0;
          b[1] = 0;
          const c0 = internetChecksum(b, 0, b.length);
          b[0] = c0 >> 8;
          b[1] = c0 & 0xff;
          const w = 2 + ((at % ((b.length - 6) / 2)) * 2); // an even offset past the checksum
          const old16 = (b[w]! << 8) | b[w + 1]!;
          const old32 = ((old16 << 16) | (b[w + 2]! << 8) | b[w + 3]!) >>> 0;
          const c = b.slice();
          // 32-bit change
          c[w] = v >>> 24;
          c[w + 1] = (v >>> 16) & 0xff;
          c[w + 2] = (v >>> 8) & 0xff;
          c[w + 3] = v & 0xff;
          const c4 = csumReplace4(c0, old32, v);
          c[0] = c4 >> 8;
          c[1] = c4 & 0xff;
          expect(internetChecksum(c, 0, c.length)).toBe(0);
          // 16-bit change
          const d = b.slice();
          d[w] = (v >>> 8) & 0xff;
          d[w + 1] = v & 0xff;
          const c2 = csumReplace2(c0, old16, v & 0xffff);
          d[0] = c2 >> 8;
          d[1] = c2 & 0xff;
          expect(internetChecksum(d, 0, d.length)).toBe(0);
          // the same change expressed as sums
          expect(csumReplaceSum(c0, old16, v & 0xffff)).toBe(c2);
        },
      ),
    );
  });

  it("RFC 1624 section 4 example: 0xdd2f with 0x5555 -> 0x3285 gives 0x0000", () => {
    // HC = 0xdd2f, m = 0x5555, m' = 0x3285; eqn. 3 gives 0x0000 (eqn. 2 would give 0xffff)
    expect(csumReplace2(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });
});

describe("pseudo-header sums", () => {
  it("IPv4: equals the checksum over an explicit 12-byte pseudo header", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }), (a, p, l) => {
        const ph = new Uint8Array(12);
        ph.set(a, 0);
        ph[9] = p;
        ph[10] = l >> 8;
        ph[11] = l & 0xff;
        expect(csumFold(pseudoSumV4(a, 0, 4, p, l))).toBe(naive(ph));
      }),
    );
  });

  it("IPv6: equals the checksum over an explicit 40-byte pseudo header", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffffffff }), (a, p, l) => {
        const ph = new Uint8Array(40);
        ph.set(a, 0);
        ph[32] = l >>> 24;
        ph[33] = (l >>> 16) & 0xff;
        ph[34] = (l >>> 8) & 0xff;
        ph[35] = l & 0xff;
        ph[39] = p;
        expect(csumFold(pseudoSumV6(a, 0, 16, p, l))).toBe(naive(ph));
      }),
    );
  });
});
