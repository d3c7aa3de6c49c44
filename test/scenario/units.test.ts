import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ScenarioError } from "../../src/scenario/errors.js";
import { parseDuration, parseEventRate, parseRate, parseSize } from "../../src/scenario/units.js";

const P = "links[0].delay";

/** The ScenarioError a call throws (fails the test if it does not throw one). */
function errorOf(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

// Values every parser must refuse: wrong types, non-finite numbers, junk.
const REFUSED_BY_ALL: unknown[] = [undefined, null, true, false, [], {}, ["2s"], Number.NaN, Number.POSITIVE_INFINITY, -1, "", " ", "NaN", "Infinity", "-"];

describe("parseDuration -> ns", () => {
  it.each([
    ["2s", 2_000_000_000],
    ["50us", 50_000],
    ["50µs", 50_000], // micro sign
    ["50μs", 50_000], // Greek mu
    ["1.5ms", 1_500_000],
    ["1.1ms", 1_100_000], // exact, not 1100000.0000000002
    ["100ns", 100],
    ["0s", 0],
    ["0.001us", 1],
    ["3min", 180_000_000_000],
    ["1h", 3_600_000_000_000],
    ["0.25s", 250_000_000],
    ["007ms", 7_000_000],
    ["2501h", 2501 * 3_600_000_000_000], // 9.0036e15 < 2^53
    ["9007199254740991ns", Number.MAX_SAFE_INTEGER],
  ])("%s = %d ns", (text, ns) => {
    expect(parseDuration(text, P)).toBe(ns);
  });

  it.each([
    2, // bare numbers refused: unit required
    "2",
    " 2s",
    "2s ",
    "2 s",
    "-2s",
    "+2s",
    "2S",
    "2sec",
    "2m", // minute or milli? refused
    "2d",
    "1e3s",
    ".5s",
    "5.s",
    "2s2",
    "1_000s",
    "0x10s",
    "2s\n",
    "Infinitys",
    "0.5ns", // not a whole number of ns
    "1.0000000001s",
    "9007199254740992ns", // 2^53
    "2502h", // > 2^53 ns
    "99999999999999999999999999h",
    ...REFUSED_BY_ALL,
  ])("refuses %j", (bad) => {
    const e = errorOf(() => parseDuration(bad, P));
    expect(e.path).toBe(P);
    expect(e.value).toBe(bad);
    expect(e.allowed).toContain("ns, us, ms, s, min or h");
  });

  it("names path, value and forms in the message", () => {
    expect(errorOf(() => parseDuration("-2s", "duration")).message).toBe(
      'duration: "-2s" is not allowed (duration: a number and a unit ns, us, ms, s, min or h, e.g. 2s, 1.5ms, 50us, 100ns)',
    );
  });

  it("applies bounds and shows them", () => {
    expect(parseDuration("1ns", P, { min: 0, minExclusive: true })).toBe(1);
    const e = errorOf(() => parseDuration("0s", "duration", { min: 0, minExclusive: true, max: 86_400e9 }));
    expect(e.allowed).toMatch(/> 0ns, ≤ 24h$/);
    expect(() => parseDuration("24h", P, { max: 86_400e9 })).not.toThrow();
    expect(() => parseDuration("86400000000001ns", P, { max: 86_400e9 })).toThrow(ScenarioError);
  });

  it("is exact for every integer mantissa and unit (property)", () => {
    const units: [string, number][] = [
      ["ns", 1],
      ["us", 1e3],
      ["ms", 1e6],
      ["s", 1e9],
      ["min", 60e9],
      ["h", 3600e9],
    ];
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), fc.constantFrom(...units), (n, [u, mult]) => {
        const expected = BigInt(n) * BigInt(mult);
        if (expected > BigInt(Number.MAX_SAFE_INTEGER)) expect(() => parseDuration(`${n}${u}`, P)).toThrow(ScenarioError);
        else expect(parseDuration(`${n}${u}`, P)).toBe(Number(expected));
      }),
      { numRuns: 500 },
    );
  });
});

describe("parseRate -> bit/s (tc spellings)", () => {
  it.each([
    ["10Gbit", 10_000_000_000],
    ["10gbit", 10_000_000_000],
    ["100Mbit", 100_000_000],
    ["100mbit", 100_000_000],
    ["1Kbit", 1000],
    ["1kbit", 1000],
    ["5bit", 5],
    ["1tbit", 1e12],
    ["2.5gbit", 2_500_000_000],
    ["1kibit", 1024],
    ["1Mibit", 1_048_576],
    ["1gibit", 1_073_741_824],
    ["1tibit", 1_099_511_627_776],
    ["1bps", 8], // tc: bps = bytes per second
    ["1kbps", 8_000],
    ["1Gbps", 8_000_000_000], // NOT 1 Gbit/s: tc reads it as gigabytes
    ["1mbps", 8_000_000],
    ["1tbps", 8e12],
    ["1kibps", 8 * 1024],
    ["1mibps", 8 * 1_048_576],
    ["9007tbit", 9_007_000_000_000_000],
  ])("%s = %d bit/s", (text, bits) => {
    expect(parseRate(text, P)).toBe(bits);
  });

  it.each([
    1000, // bare numbers refused (tc would read bit/s)
    "1000",
    "10G",
    "10Gb",
    "10GB",
    "10 Gbit",
    "10Gbit/s",
    "10gbits",
    "-1gbit",
    "1.5bit", // not a whole number of bit/s
    "0.0001kbit",
    "9008tbit", // > 2^53
    "1e9bit",
    "gbit",
    "10Gbit ",
    ...REFUSED_BY_ALL,
  ])("refuses %j", (bad) => {
    const e = errorOf(() => parseRate(bad, "nic.rate"));
    expect(e.path).toBe("nic.rate");
    expect(e.value).toBe(bad);
    expect(e.allowed).toContain("kbit");
    expect(e.allowed).toContain("BYTES/s");
  });

  it("refuses 0 with a positive bound", () => {
    expect(parseRate("0bit", P)).toBe(0);
    expect(() => parseRate("0bit", P, { min: 0, minExclusive: true })).toThrow(ScenarioError);
  });
});

describe("parseSize -> bytes (KB = 1000, KiB = 1024)", () => {
  it.each([
    [1500, 1500], // a bare integer is bytes
    [0, 0],
    ["1500B", 1500],
    ["64KB", 64_000],
    ["64kB", 64_000],
    ["100MB", 100_000_000],
    ["1GB", 1e9],
    ["2TB", 2e12],
    ["1KiB", 1024],
    ["1.5KiB", 1536],
    ["1MiB", 1_048_576],
    ["1GiB", 1_073_741_824],
    ["1TiB", 1_099_511_627_776],
    ["0.5KB", 500],
  ])("%j = %d bytes", (text, bytes) => {
    expect(parseSize(text, P)).toBe(bytes);
  });

  it.each([
    "1500", // strings need a unit
    "100mb", // lowercase b is bits
    "1kb",
    "1Kb",
    "1KIB",
    "1kib",
    "1.5B", // not a whole number of bytes
    "1 KB",
    "KB",
    "1e3B",
    "-1B",
    1.5,
    2 ** 53, // beyond 2^53-1
    "8192TiB", // 2^53 bytes
    ...REFUSED_BY_ALL,
  ])("refuses %j", (bad) => {
    const e = errorOf(() => parseSize(bad, "traffic[0].bytes"));
    expect(e.path).toBe("traffic[0].bytes");
    expect(e.value).toBe(bad);
    expect(e.allowed).toContain("KiB (1024)");
  });

  it("applies bounds", () => {
    expect(() => parseSize(67, "mtu", { min: 68, max: 65535 })).toThrow(/≥ 68, ≤ 65535/);
    expect(parseSize("64KB", "mtu", { min: 68, max: 65535 })).toBe(64000);
    expect(() => parseSize("64KiB", "mtu", { min: 68, max: 65535 })).toThrow(ScenarioError);
  });
});

describe("parseEventRate -> per second", () => {
  it.each([
    ["1000/s", 1000],
    ["14M/s", 14_000_000],
    ["5/ms", 5000],
    ["1/us", 1_000_000],
    ["1/µs", 1_000_000],
    ["1/ns", 1e9],
    ["1k/s", 1000],
    ["1K/s", 1000],
    ["2G/s", 2e9],
    ["0.5/s", 0.5],
    ["1.5K/s", 1500],
    ["60/min", 1],
    ["1/min", 1 / 60],
    ["3600/h", 1],
    ["0/s", 0],
  ])("%s = %d /s", (text, perSec) => {
    expect(parseEventRate(text, P)).toBe(perSec);
  });

  it.each([
    "1000",
    1000,
    "1000/sec",
    "/s",
    "1000/",
    "1m/s", // milli-events? refused
    "1000/s/s",
    "14MB/s",
    "14M /s",
    "-1/s",
    "1e3/s",
    "1/m",
    "10G/ns", // 1e19/s > 2^53
    ...REFUSED_BY_ALL,
  ])("refuses %j", (bad) => {
    const e = errorOf(() => parseEventRate(bad, "traffic[1].rate"));
    expect(e.path).toBe("traffic[1].rate");
    expect(e.value).toBe(bad);
    expect(e.allowed).toContain("1000/s");
  });

  it("refuses 0 with a positive bound", () => {
    expect(() => parseEventRate("0/s", P, { min: 0, minExclusive: true })).toThrow(ScenarioError);
  });
});

describe("parsers on arbitrary input", () => {
  it("throw nothing but ScenarioError, and return finite non-negative numbers", () => {
    const parsers = [parseDuration, parseRate, parseSize, parseEventRate];
    const input = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.stringMatching(/^[0-9.]{1,25}[a-zA-Zµ/]{0,6}$/),
      fc.double(),
      fc.anything(),
    );
    fc.assert(
      fc.property(input, (v) => {
        for (const parse of parsers) {
          try {
            const n = parse(v, "x");
            expect(Number.isFinite(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(ScenarioError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
