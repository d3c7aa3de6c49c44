// Address text forms. IPv4: dotted quad as inet_pton(AF_INET) accepts it
// (exactly four decimal parts 0..255, no leading zeros, which would be octal
// to inet_aton). IPv6: RFC 4291 section 2.2 (groups of 1..4 hex digits, one
// "::" standing for one or more zero groups, an embedded dotted quad in the
// last 32 bits); output is RFC 5952 canonical. Zone ids ("%eth0"), brackets,
// spaces and prefixes ("/64") are refused: these are addresses, not URLs.
// Parsers return null on bad text; formatters check the buffer length.
import { need } from "./errors.js";

const HEX = "0123456789abcdef";

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Parse "a.b.c.d" into dst[off..off+4); false on any deviation. */
function parseQuadInto(s: string, start: number, end: number, dst: Uint8Array, off: number): boolean {
  let part = 0;
  let i = start;
  while (part < 4) {
    const first = i;
    let v = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      i++;
      if (i - first > 3) return false;
    }
    const digits = i - first;
    if (digits === 0 || v > 255 || (digits > 1 && s.charCodeAt(first) === 0x30)) return false;
    dst[off + part] = v;
    part++;
    if (part < 4) {
      if (i >= end || s.charCodeAt(i) !== 0x2e) return false;
      i++;
    }
  }
  return i === end;
}

/** "192.0.2.1" -> 4 bytes, or null. */
export function parseIPv4(s: string): Uint8Array | null {
  if (typeof s !== "string") return null;
  const out = new Uint8Array(4);
  return parseQuadInto(s, 0, s.length, out, 0) ? out : null;
}

/** RFC 4291 text -> 16 bytes, or null. */
export function parseIPv6(s: string): Uint8Array | null {
  if (typeof s !== "string" || s.length < 2 || s.length > 45) return null;
  const out = new Uint8Array(16);
  const n = s.length;
  let i = 0;
  let g = 0; // groups written (16-bit units)
  let gap = -1; // group index where "::" sits
  if (s.charCodeAt(0) === 0x3a) {
    if (s.charCodeAt(1) !== 0x3a) return null; // a lone leading ':'
    gap = 0;
    i = 2;
    if (i === n) return out; // "::"
  }
  for (;;) {
    // one token: hex group, or dotted quad as the final 32 bits
    const start = i;
    let v = 0;
    while (i < n) {
      const h = hexVal(s.charCodeAt(i));
      if (h < 0) break;
      v = (v << 4) | h;
      i++;
    }
    if (i < n && s.charCodeAt(i) === 0x2e) {
      if (g > 6) return null;
      if (!parseQuadInto(s, start, n, out, g * 2)) return null;
      g += 2;
      i = n;
      break;
    }
    const digits = i - start;
    if (digits === 0 || digits > 4 || g >= 8) return null;
    out[g * 2] = v >> 8;
    out[g * 2 + 1] = v & 0xff;
    g++;
    if (i === n) break;
    if (s.charCodeAt(i) !== 0x3a) return null; // '%', '/', ']', space, non-hex ...
    i++;
    if (i < n && s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return null; // a second "::"
      gap = g;
      i++;
      if (i === n) break; // trailing "::"
    } else if (i === n) {
      return null; // a lone trailing ':'
    }
  }
  if (gap < 0) return g === 8 ? out : null;
  if (g > 7) return null; // "::" must stand for at least one group (RFC 4291 2.2)
  const tail = (g - gap) * 2;
  const shift = 16 - g * 2;
  out.copyWithin(gap * 2 + shift, gap * 2, gap * 2 + tail);
  out.fill(0, gap * 2, gap * 2 + shift);
  return out;
}

export function formatIPv4(bytes: Uint8Array, off = 0): string {
  need(bytes, off, 4, "addr", "IPv4 address");
  return `${bytes[off]}.${bytes[off + 1]}.${bytes[off + 2]}.${bytes[off + 3]}`;
}

/** RFC 5952: lower case, no leading zeros, the longest run (first on a tie) of
 *  two or more zero groups as "::"; IPv4-mapped (::ffff:0:0/96) in mixed form
 *  (RFC 5952 section 5). */
export function formatIPv6(bytes: Uint8Array, off = 0): string {
  need(bytes, off, 16, "addr", "IPv6 address");
  const grp = (k: number) => (bytes[off + 2 * k]! << 8) | bytes[off + 2 * k + 1]!;
  let mapped = grp(5) === 0xffff;
  for (let k = 0; k < 5 && mapped; k++) if (grp(k) !== 0) mapped = false;
  if (mapped) return `::ffff:${formatIPv4(bytes, off + 12)}`;
  let bestAt = -1;
  let bestLen = 1; // a single zero group is never compressed (RFC 5952 4.2.2)
  for (let k = 0; k < 8; ) {
    if (grp(k) !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && grp(e) === 0) e++;
    if (e - k > bestLen) {
      bestAt = k;
      bestLen = e - k;
    }
    k = e;
  }
  let s = "";
  for (let k = 0; k < 8; k++) {
    if (k === bestAt) {
      s += "::";
      k += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(":")) s += ":";
    s += grp(k).toString(16);
  }
  return s;
}

/** "02:00:5e:00:53:01" (or '-' separated, either case) -> 6 bytes, or null. */
export function parseMac(s: string): Uint8Array | null {
  if (typeof s !== "string" || s.length !== 17) return null;
  const sep = s.charCodeAt(2);
  if (sep !== 0x3a && sep !== 0x2d) return null;
  const out = new Uint8Array(6);
  for (let k = 0; k < 6; k++) {
    const hi = hexVal(s.charCodeAt(3 * k));
    const lo = hexVal(s.charCodeAt(3 * k + 1));
    if (hi < 0 || lo < 0) return null;
    if (k < 5 && s.charCodeAt(3 * k + 2) !== sep) return null;
    out[k] = (hi << 4) | lo;
  }
  return out;
}

export function formatMac(bytes: Uint8Array, off = 0): string {
  need(bytes, off, 6, "addr", "MAC address");
  let s = "";
  for (let k = 0; k < 6; k++) {
    const b = bytes[off + k]!;
    if (k) s += ":";
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
}

/** Address given as bytes or text; null when it is neither a valid form nor the right size. */
export function toIpBytes(a: Uint8Array | string, version: 4 | 6): Uint8Array | null {
  if (typeof a === "string") return version === 4 ? parseIPv4(a) : parseIPv6(a);
  if (a instanceof Uint8Array && a.length === (version === 4 ? 4 : 16)) return a;
  return null;
}
