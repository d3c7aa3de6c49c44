import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatIPv4, formatIPv6, formatMac, parseIPv4, parseIPv6, parseMac } from "../../src/wire/addr.js";
import { WireError } from "../../src/wire/errors.js";

const hex = (u: Uint8Array | null) => (u ? Buffer.from(u).toString("hex") : null);

describe("IPv4 text", () => {
  it("parses dotted quads", () => {
    expect(Array.from(parseIPv4("192.0.2.1")!)).toEqual([192, 0, 2, 1]);
    expect(Array.from(parseIPv4("0.0.0.0")!)).toEqual([0, 0, 0, 0]);
    expect(Array.from(parseIPv4("255.255.255.255")!)).toEqual([255, 255, 255, 255]);
  });
  it.each(["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "1.2.3.", "a.b.c.d", "1.2.3.0x4", "1234.1.1.1", "-1.2.3.4"])(
    "rejects %j",
    (s) => expect(parseIPv4(s)).toBeNull(),
  );
  it("formats and round-trips", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
        const s = formatIPv4(b);
        expect(hex(parseIPv4(s))).toBe(hex(b));
      }),
    );
    expect(formatIPv4(new Uint8Array([9, 10, 0, 0, 1, 7]), 2)).toBe("0.0.1.7");
  });
  it("format checks the buffer length", () => {
    expect(() => formatIPv4(new Uint8Array(5), 2)).toThrow(WireError);
  });
});

describe("IPv6 text (RFC 4291 parse, RFC 5952 format)", () => {
  const cases: [string, string][] = [
    ["::", "00000000000000000000000000000000"],
    ["::1", "00000000000000000000000000000001"],
    ["1::", "00010000000000000000000000000000"],
    ["2001:db8::1", "20010db8000000000000000000000001"],
    ["2001:DB8:0:0:8:800:200C:417A", "20010db80000000000080800200c417a"],
    ["FF01::101", "ff010000000000000000000000000101"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "20010db8000000000000000000000001"],
    ["::ffff:192.0.2.128", "00000000000000000000ffffc0000280"],
    ["::13.1.68.3", "0000000000000000000000000d014403"],
    ["0:0:0:0:0:0:13.1.68.3", "0000000000000000000000000d014403"],
    ["1:2:3:4:5:6:7::", "00010002000300040005000600070000"],
    ["::2:3:4:5:6:7:8", "00000002000300040005000600070008"],
    ["1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304"],
    ["64:ff9b::192.0.2.33", "0064ff9b0000000000000000c0000221"],
  ];
  it.each(cases)("parses %s", (s, h) => expect(hex(parseIPv6(s))).toBe(h));

  it.each([
    "", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4::5:6:7:8", "1::2::3", ":1::2", "1::2:",
    "12345::", "g::1", "fe80::1%eth0", "fe80::1%1", "[::1]", "::1/128", " ::1", "::1 ", "1:2:3:4:5:6:7:1.2.3.4",
    "::1.2.3", "::1.2.3.256", "::01.2.3.4", "::1.2.3.4:1", "1.2.3.4::", "::ffff:1.2.3.4.5", "1:2", "::-1",
  ])("rejects %j", (s) => expect(parseIPv6(s)).toBeNull());

  const fmt: [string, string][] = [
    ["20010db8000000000000000000000001", "2001:db8::1"],
    ["20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"], // a single zero group stays "0"
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"], // first of two equal runs
    ["20010db8000000010000000000000001", "2001:db8:0:1::1"], // the longer run
    ["00000000000000000000000000000000", "::"],
    ["00000000000000000000000000000001", "::1"],
    ["00010000000000000000000000000000", "1::"],
    ["00000000000000000000ffffc0000280", "::ffff:192.0.2.128"],
    ["fe800000000000000200abfffecd1234", "fe80::200:abff:fecd:1234"],
    ["000a000b000c000d000e000f00100011", "a:b:c:d:e:f:10:11"],
  ];
  it.each(fmt)("formats %s as %s", (h, s) => expect(formatIPv6(Buffer.from(h, "hex"))).toBe(s));

  it("format then parse is the identity; canonical text is stable and agrees with WHATWG URL", () => {
    const groups = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(groups, (gs) => {
        const b = new Uint8Array(16);
        gs.forEach((g, k) => {
          b[2 * k] = g >> 8;
          b[2 * k + 1] = g & 0xff;
        });
        const s = formatIPv6(b);
        expect(hex(parseIPv6(s))).toBe(hex(b));
        expect(formatIPv6(parseIPv6(s)!)).toBe(s);
        if (!s.includes(".")) expect(new URL(`http://[${s}]/`).hostname).toBe(`[${s}]`);
      }),
      { numRuns: 500 },
    );
  });

  it("non-canonical spellings parse to the same bytes as canonical ones", () => {
    expect(hex(parseIPv6("0:0::0:1"))).toBe(hex(parseIPv6("::1")));
    expect(hex(parseIPv6("::FFFF:c000:0280"))).toBe(hex(parseIPv6("::ffff:192.0.2.128")));
  });
});

describe("MAC text", () => {
  it("parses and formats", () => {
    expect(hex(parseMac("02:00:5E:00:53:01"))).toBe("02005e005301");
    expect(hex(parseMac("02-00-5e-00-53-01"))).toBe("02005e005301");
    expect(formatMac(Buffer.from("02005e005301", "hex"))).toBe("02:00:5e:00:53:01");
    expect(formatMac(Buffer.from("ff02005e005301", "hex"), 1)).toBe("02:00:5e:00:53:01");
  });
  it.each(["", "02:00:5e:00:53", "02:00:5e:00:53:011", "02:00-5e:00:53:01", "0g:00:5e:00:53:01", "0200.5e00.5301"])("rejects %j", (s) =>
    expect(parseMac(s)).toBeNull(),
  );
});

describe("IPv6 parse agrees with the WHATWG URL host parser", () => {
  const group = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)),
    fc.constantFrom("0", "00", "0000", "00000", "FFFF", "g", ""),
  );
  const quad = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map((q) => q.join("."));
  const text = fc.oneof(
    fc.tuple(fc.array(group, { maxLength: 9 }), fc.option(fc.nat(9)), fc.option(quad)).map(([gs, gap, q]) => {
      const parts = [...gs];
      if (gap !== null) parts.splice(Math.min(gap, parts.length), 0, "");
      let s = parts.join(":");
      if (gap !== null && (s.startsWith(":") || s === "")) s = ":" + s;
      if (gap !== null && s.endsWith(":")) s = s + ":";
      if (q !== null) s = s + (s === "" || s.endsWith(":") ? "" : ":") + q;
      return s;
    }),
    fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF:.".split("")), maxLength: 45 }),
  );
  it("valid iff URL accepts it, with the same bytes", () => {
    let valid = 0;
    fc.assert(
      fc.property(text, (s) => {
        let viaUrl: string | null;
        try {
          viaUrl = new URL(`http://[${s}]/`).hostname.slice(1, -1);
        } catch {
          viaUrl = null;
        }
        const mine = parseIPv6(s);
        expect(mine === null, s).toBe(viaUrl === null);
        if (mine && viaUrl !== null) {
          valid++;
          expect(hex(parseIPv6(viaUrl))).toBe(hex(mine));
        }
      }),
      { numRuns: 3000 },
    );
    expect(valid).toBeGreaterThan(300); // the generator reaches valid forms, not only junk
  });

  it("arbitrary text never throws", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        parseIPv6(s);
        parseIPv4(s);
        parseMac(s);
      }),
    );
  });
});
