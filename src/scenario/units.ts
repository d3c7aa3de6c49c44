// Strict parsers for the quantities a scenario file spells with units. Each
// returns a plain number in the simulator's base unit (ns, bit/s, bytes,
// events/s) or throws a ScenarioError naming the path, the value and the
// accepted forms. Decimals are parsed exactly (1.1ms is 1100000 ns, not
// 1100000.0000000002): the mantissa is read as an integer with a decimal
// scale and multiplied in BigInt, then checked to fit 2^53 — parsing is not a
// hot path, results are f64 like every time and rate in skbsim.
//
// Choices (documented in README.md, "Scenario files"):
// - No bare numbers for durations and rates: `delay: 50` could be s, ms or us,
//   and tc reads a bare rate as bit/s while people expect Mbit. Sizes accept a
//   bare non-negative integer as bytes (`mtu: 1500`, `size: 64`).
// - Sizes: SI prefixes are powers of 1000 (KB = kB = 1000), IEC are powers of
//   1024 (KiB); lowercase `b` is not a byte, so `100mb` is refused.
// - Rates: tc's spellings, case-insensitive (tc(8) "RATES"): bit, kbit, mbit,
//   gbit, tbit (×1000), kibit…tibit (×1024), and bps, kbps, mbps, gbps, tbps,
//   kibps…tibps which tc reads as BYTES per second (so `1gbps` = 8 Gbit/s).
// - Durations: ns, us (or µs), ms, s, min, h. No `m` (minute or milli?).
// - Event rates: `<count><K|k|M|G>?/<ns|us|µs|ms|s|min|h>`, e.g. 1000/s,
//   14M/s, 5/ms; the only parser whose result may be fractional (0.5/s).

import { ScenarioError } from "./errors.js";

export type Nanoseconds = number;
export type BitsPerSecond = number;
export type Bytes = number;
export type PerSecond = number;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Bounds checked after parsing, in base units. */
export interface Bounds {
  min?: number;
  /** If true, `min` itself is refused (value must be > min). */
  minExclusive?: boolean;
  max?: number;
}

interface Decimal {
  /** All digits of the mantissa as an integer: 1.25 -> 125. */
  digits: bigint;
  /** 10^(number of fraction digits): 1.25 -> 100. */
  scale: bigint;
}

function decimal(intPart: string, frac: string | undefined): Decimal {
  const f = frac ?? "";
  return { digits: BigInt(intPart + f), scale: 10n ** BigInt(f.length) };
}

const DURATION_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  min: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const KILO = 1000n;
const KIBI = 1024n;

const RATE_BITS: Readonly<Record<string, bigint>> = {
  bit: 1n,
  kbit: KILO,
  mbit: KILO ** 2n,
  gbit: KILO ** 3n,
  tbit: KILO ** 4n,
  kibit: KIBI,
  mibit: KIBI ** 2n,
  gibit: KIBI ** 3n,
  tibit: KIBI ** 4n,
  bps: 8n,
  kbps: 8n * KILO,
  mbps: 8n * KILO ** 2n,
  gbps: 8n * KILO ** 3n,
  tbps: 8n * KILO ** 4n,
  kibps: 8n * KIBI,
  mibps: 8n * KIBI ** 2n,
  gibps: 8n * KIBI ** 3n,
  tibps: 8n * KIBI ** 4n,
};

const SIZE_BYTES: Readonly<Record<string, bigint>> = {
  B: 1n,
  kB: KILO,
  KB: KILO,
  MB: KILO ** 2n,
  GB: KILO ** 3n,
  TB: KILO ** 4n,
  KiB: KIBI,
  MiB: KIBI ** 2n,
  GiB: KIBI ** 3n,
  TiB: KIBI ** 4n,
};

const COUNT_PREFIX: Readonly<Record<string, bigint>> = { "": 1n, k: KILO, K: KILO, M: KILO ** 2n, G: KILO ** 3n };

const NUMBER = String.raw`(\d+)(?:\.(\d+))?`;
const DURATION_RE = new RegExp(`^${NUMBER}(ns|us|µs|μs|ms|s|min|h)$`);
const RATE_RE = new RegExp(`^${NUMBER}([A-Za-z]+)$`);
const SIZE_RE = new RegExp(`^${NUMBER}(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`);
const EVENT_RATE_RE = new RegExp(`^${NUMBER}([kKMG]?)/(ns|us|µs|μs|ms|s|min|h)$`);

export const DURATION_FORMS = "duration: a number and a unit ns, us, ms, s, min or h, e.g. 2s, 1.5ms, 50us, 100ns";
export const RATE_FORMS =
  "rate: a number and a tc unit bit, kbit, mbit, gbit, tbit (×1000), kibit…tibit (×1024), or bps, kbps, mbps, gbps, tbps (BYTES/s, as tc), e.g. 10Gbit, 100Mbit";
export const SIZE_FORMS = "size: an integer (bytes) or a number and a unit B, KB (1000), MB, GB, TB, KiB (1024), MiB, GiB, TiB, e.g. 1500, 64KB, 1KiB";
export const EVENT_RATE_FORMS = "event rate: count/unit with optional K, M, G on the count and unit ns, us, ms, s, min or h, e.g. 1000/s, 14M/s, 5/ms";

function describeBounds(b: Bounds, show: (n: number) => string): string {
  const parts: string[] = [];
  if (b.min !== undefined) parts.push(`${b.minExclusive ? ">" : "≥"} ${show(b.min)}`);
  if (b.max !== undefined) parts.push(`≤ ${show(b.max)}`);
  return parts.length ? `; ${parts.join(", ")}` : "";
}

function checkBounds(n: number, b: Bounds): boolean {
  if (b.min !== undefined && (b.minExclusive ? !(n > b.min) : !(n >= b.min))) return false;
  if (b.max !== undefined && !(n <= b.max)) return false;
  return true;
}

/** Exact integer result of digits/scale × mult, or null if not a whole number. */
function exactInteger(d: Decimal, mult: bigint): bigint | null {
  const num = d.digits * mult;
  return num % d.scale === 0n ? num / d.scale : null;
}

// Pretty printers for bounds in messages.
export function showNs(ns: number): string {
  const units: [number, string][] = [
    [3_600e9, "h"],
    [60e9, "min"],
    [1e9, "s"],
    [1e6, "ms"],
    [1e3, "us"],
  ];
  for (const [mult, u] of units) if (ns >= mult && ns % mult === 0) return `${ns / mult}${u}`;
  return `${ns}ns`;
}

export function showBits(bps: number): string {
  const units: [number, string][] = [
    [1e12, "Tbit"],
    [1e9, "Gbit"],
    [1e6, "Mbit"],
    [1e3, "Kbit"],
  ];
  for (const [mult, u] of units) if (bps >= mult && bps % mult === 0) return `${bps / mult}${u}`;
  return `${bps}bit`;
}

const showPlain = (n: number) => String(n);
const showPerSec = (n: number) => `${n}/s`;

/** Duration -> integer nanoseconds. `2s`, `1.5ms`, `50us`, `100ns`, `3min`, `1h`. */
export function parseDuration(value: unknown, path: string, bounds: Bounds = {}): Nanoseconds {
  const allowed = DURATION_FORMS + describeBounds(bounds, showNs);
  if (typeof value !== "string") throw new ScenarioError(path, value, allowed);
  const m = DURATION_RE.exec(value);
  if (!m) throw new ScenarioError(path, value, allowed);
  const ns = exactInteger(decimal(m[1]!, m[2]), DURATION_NS[m[3]!]!);
  if (ns === null) throw new ScenarioError(path, value, `${allowed}; a whole number of nanoseconds`);
  if (ns > MAX_SAFE) throw new ScenarioError(path, value, `${allowed}; at most 2^53-1 ns`);
  const n = Number(ns);
  if (!checkBounds(n, bounds)) throw new ScenarioError(path, value, allowed);
  return n;
}

/** Bit rate -> integer bit/s, tc spellings (`10Gbit`, `100mbit`; `bps` is bytes/s). */
export function parseRate(value: unknown, path: string, bounds: Bounds = {}): BitsPerSecond {
  const allowed = RATE_FORMS + describeBounds(bounds, showBits);
  if (typeof value !== "string") throw new ScenarioError(path, value, allowed);
  const m = RATE_RE.exec(value);
  const mult = m ? RATE_BITS[m[3]!.toLowerCase()] : undefined;
  if (!m || mult === undefined) throw new ScenarioError(path, value, allowed);
  const bits = exactInteger(decimal(m[1]!, m[2]), mult);
  if (bits === null) throw new ScenarioError(path, value, `${allowed}; a whole number of bit/s`);
  if (bits > MAX_SAFE) throw new ScenarioError(path, value, `${allowed}; at most 2^53-1 bit/s`);
  const n = Number(bits);
  if (!checkBounds(n, bounds)) throw new ScenarioError(path, value, allowed);
  return n;
}

/** Size -> integer bytes. A bare non-negative integer is bytes; KB = 1000, KiB = 1024. */
export function parseSize(value: unknown, path: string, bounds: Bounds = {}): Bytes {
  const allowed = SIZE_FORMS + describeBounds(bounds, showPlain);
  let n: number;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new ScenarioError(path, value, allowed);
    n = value + 0; // -0 -> 0
  } else if (typeof value === "string") {
    const m = SIZE_RE.exec(value);
    if (!m) throw new ScenarioError(path, value, allowed);
    const bytes = exactInteger(decimal(m[1]!, m[2]), SIZE_BYTES[m[3]!]!);
    if (bytes === null) throw new ScenarioError(path, value, `${allowed}; a whole number of bytes`);
    if (bytes > MAX_SAFE) throw new ScenarioError(path, value, `${allowed}; at most 2^53-1 bytes`);
    n = Number(bytes);
  } else throw new ScenarioError(path, value, allowed);
  if (!checkBounds(n, bounds)) throw new ScenarioError(path, value, allowed);
  return n;
}

/** Event rate -> events per second (may be fractional): `1000/s`, `14M/s`, `5/ms`. */
export function parseEventRate(value: unknown, path: string, bounds: Bounds = {}): PerSecond {
  const allowed = EVENT_RATE_FORMS + describeBounds(bounds, showPerSec);
  if (typeof value !== "string") throw new ScenarioError(path, value, allowed);
  const m = EVENT_RATE_RE.exec(value);
  if (!m) throw new ScenarioError(path, value, allowed);
  const d = decimal(m[1]!, m[2]);
  // events/s = digits/scale × prefix × 1e9 / unit_ns
  const num = d.digits * COUNT_PREFIX[m[3]!]! * 1_000_000_000n;
  const den = d.scale * DURATION_NS[m[4]!]!;
  if (num / den > MAX_SAFE) throw new ScenarioError(path, value, `${allowed}; at most 2^53-1 per second`);
  const n = ratio(num, den);
  if (!checkBounds(n, bounds)) throw new ScenarioError(path, value, allowed);
  return n;
}

/** num/den as the nearest f64 (both operands may exceed 2^53). */
function ratio(num: bigint, den: bigint): number {
  const q = num / den;
  const r = num % den;
  if (r === 0n) return Number(q);
  // Scale the remainder so its quotient carries ≥ 53 significant bits.
  const SHIFT = 64n;
  return Number(q) + Number((r << SHIFT) / den) / 2 ** 64;
}

const BYTE_RATE_RE = new RegExp(`^${NUMBER}(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)/(ns|us|µs|μs|ms|s|min|h)$`);
export const BYTE_RATE_FORMS =
  "byte rate: a size per time unit like 10MB/s, 64KiB/ms, 1500B/us, or a tc bit rate like 80Mbit (÷ 8)";

/** Application byte rate -> bytes per second (may be fractional): `10MB/s`, `64KiB/ms`, or a bit rate `80Mbit` (= 10 MB/s). */
export function parseByteRate(value: unknown, path: string, bounds: Bounds = {}): PerSecond {
  const allowed = BYTE_RATE_FORMS + describeBounds(bounds, (n) => `${n} B/s`);
  if (typeof value !== "string") throw new ScenarioError(path, value, allowed);
  let n: number;
  const m = BYTE_RATE_RE.exec(value);
  if (m) {
    const d = decimal(m[1]!, m[2]);
    const num = d.digits * SIZE_BYTES[m[3]!]! * 1_000_000_000n;
    const den = d.scale * DURATION_NS[m[4]!]!;
    if (num / den > MAX_SAFE) throw new ScenarioError(path, value, `${allowed}; at most 2^53-1 bytes per second`);
    n = ratio(num, den);
  } else {
    const r = RATE_RE.exec(value);
    const mult = r ? RATE_BITS[r[3]!.toLowerCase()] : undefined;
    if (!r || mult === undefined) throw new ScenarioError(path, value, allowed);
    const bits = d2(r, mult);
    if (bits > MAX_SAFE) throw new ScenarioError(path, value, `${allowed}; at most 2^53-1 bit/s`);
    n = ratio(bits, 8n);
  }
  if (!checkBounds(n, bounds)) throw new ScenarioError(path, value, allowed);
  return n;
}

/** digits × mult / scale rounded down (a bit rate's fractional bit is below any resolution that matters). */
function d2(m: RegExpExecArray, mult: bigint): bigint {
  const d = decimal(m[1]!, m[2]);
  return (d.digits * mult) / d.scale;
}
