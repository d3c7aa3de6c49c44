// Plain-TS Toeplitz references for assembly/toeplitz.ts: the bit-by-bit
// definition (spec §1.1, tools/testing/selftests/net/toeplitz.c: toeplitz) and
// the byte-table version. Test oracles and bench baselines; not hot paths.
import { parseIPv4, parseIPv6 } from "../../wire/addr.js";

/** include/linux/netdevice.h: NETDEV_RSS_KEY_LEN */
export const RSS_KEY_MAX = 52;
export const RSS_KEY_MIN = 4;
/** Longest input whose every 32-bit key window lies inside a 52-byte key. */
export const RSS_INPUT_MAX = 48;

/** Bit-by-bit Toeplitz (sliding window): w starts as the first 4 key bytes,
 *  big-endian; for each input bit, MSB first, XOR w into the result if the
 *  bit is set, then shift the next key bit into w. Key bits past its end are 0. */
export function toeplitzBitwise(key: Uint8Array, input: Uint8Array, off = 0, len = input.length - off): number {
  let w = ((key[0]! << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!) >>> 0;
  let result = 0;
  let kb = 32; // index of the next key bit to shift in
  for (let i = 0; i < len; i++) {
    const b = input[off + i]!;
    for (let bit = 7; bit >= 0; bit--) {
      if ((b >> bit) & 1) result ^= w;
      const byte = kb >> 3;
      const next = byte < key.length ? (key[byte]! >> (7 - (kb & 7))) & 1 : 0;
      w = ((w << 1) | next) >>> 0;
      kb++;
    }
  }
  return result >>> 0;
}

/** T[p*256 + v] = XOR of the key windows starting at bits 8p+j for each set
 *  bit j (MSB first) of v; positions rows, key zero-padded. */
export function buildToeplitzTable(key: Uint8Array, positions = RSS_INPUT_MAX): Uint32Array {
  const t = new Uint32Array(positions * 256);
  const k = (i: number) => (i < key.length ? key[i]! : 0);
  for (let p = 0; p < positions; p++) {
    const hi = ((k(p) << 24) | (k(p + 1) << 16) | (k(p + 2) << 8) | k(p + 3)) >>> 0;
    const nx = k(p + 4);
    const row = p << 8;
    for (let v = 1; v < 256; v++) {
      const j = 7 - (31 - Math.clz32(v & -v)); // lowest set bit of v is input bit j
      const w = j === 0 ? hi : ((hi << j) | (nx >> (8 - j))) >>> 0;
      t[row + v] = t[row + (v & (v - 1))]! ^ w;
    }
  }
  return t;
}

/** Table-driven Toeplitz: one lookup per input byte. */
export function toeplitzTableHash(table: Uint32Array, input: Uint8Array, off = 0, len = input.length - off): number {
  let h = 0;
  for (let p = 0; p < len; p++) h ^= table[(p << 8) | input[off + p]!]!;
  return h >>> 0;
}

/** Address text to bytes: IPv4 (4 bytes) or IPv6 (16), via src/wire/addr.ts. */
export function addrBytes(addr: string): Uint8Array {
  const b = typeof addr === "string" && addr.includes(":") ? parseIPv6(addr) : parseIPv4(addr);
  if (b === null) throw new RangeError(`addr: "${String(addr)}" is not an IPv4 or IPv6 address`);
  return b;
}

/** The RSS input string (Microsoft "RSS hashing functions"): src | dst, then
 *  sport | dport (network order) when both ports are given. */
export function rssInput(src: string | Uint8Array, dst: string | Uint8Array, sport?: number, dport?: number): Uint8Array {
  const s = typeof src === "string" ? addrBytes(src) : src;
  const d = typeof dst === "string" ? addrBytes(dst) : dst;
  if (s.length !== d.length || (s.length !== 4 && s.length !== 16)) {
    throw new RangeError(`rssInput: src and dst must both be IPv4 (4 bytes) or IPv6 (16 bytes), got ${s.length} and ${d.length}`);
  }
  const ports = sport !== undefined && dport !== undefined;
  const out = new Uint8Array(2 * s.length + (ports ? 4 : 0));
  out.set(s, 0);
  out.set(d, s.length);
  if (ports) {
    for (const [name, p] of [["sport", sport], ["dport", dport]] as const) {
      if (!Number.isInteger(p) || p < 0 || p > 0xffff) throw new RangeError(`rssInput: ${name} ${p} is not an integer in [0, 65535]`);
    }
    const at = 2 * s.length;
    out[at] = sport >> 8;
    out[at + 1] = sport & 0xff;
    out[at + 2] = dport >> 8;
    out[at + 3] = dport & 0xff;
  }
  return out;
}
