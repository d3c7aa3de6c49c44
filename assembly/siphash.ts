// SipHash-2-4 (lib/siphash.c), the hash behind Linux's SYN cookies
// (net/ipv4/syncookies.c and net/ipv6/syncookies.c: cookie_hash). One
// function (`sip`, state in locals) over bytes in memory, or over
// siphash_4u32's two little-endian words in registers. A SYN-ACK's cookie takes two hashes, a cookie
// check two (assembly/cookie.ts does a SYN-ACK's in the same call).
//
//   +--------------------------------+ keys
//   | SIPHASH_KEY_SLOTS x 64 B       | slot s: four siphash_key_t (k0, k1 as
//   |                                | little-endian u64 pairs): syncookie_secret[0..1],
//   |                                | syncookie6_secret[0..1] of one host
//   +--------------------------------+ msg
//   | 64 B                           | message bytes for siphash_bytes (the
//   |                                | IPv6 cookie's 40-byte struct)
//   +--------------------------------+
//
// Slots are handed out by TS (src/core/siphash.ts), which writes the keys.
import { reserve, zero } from "./layout";

export const SIPHASH_KEY_SLOTS: u32 = 128;
export const SIPHASH_SLOT_BYTES: u32 = 64;
export const SIPHASH_MSG_BYTES: u32 = 64;

let keys: usize = 0;
let msg: usize = 0;

export function siphash_plan(): void {
  keys = reserve(<usize>SIPHASH_KEY_SLOTS * SIPHASH_SLOT_BYTES);
  msg = reserve(<usize>SIPHASH_MSG_BYTES);
}

export function siphash_init(): void {
  zero(keys, <usize>SIPHASH_KEY_SLOTS * SIPHASH_SLOT_BYTES);
  zero(msg, <usize>SIPHASH_MSG_BYTES);
}

export function siphash_keys_ptr(): usize { return keys; }
export function siphash_key_slots(): u32 { return SIPHASH_KEY_SLOTS; }
export function siphash_msg_ptr(): usize { return msg; }

/** lib/siphash.c: __siphash_aligned — SipHash-2-4 of `len` bytes at `ptr`
 *  under the siphash_key_t at `key`: PREAMBLE, two SIPROUNDs per 8-byte
 *  word, the last word carrying the length in its top byte, POSTAMBLE. The
 *  rounds are written out at each of their three uses with constant counts
 *  (a shared round count in a variable is ~1.5x slower in V8). */
@inline function sip(key: usize, ptr: usize, len: u32, w0: u64, w1: u64, inRegs: bool): u64 {
  const k0 = load<u64>(key);
  const k1 = load<u64>(key, 8);
  let v0: u64 = 0x736f6d6570736575 ^ k0;
  let v1: u64 = 0x646f72616e646f6d ^ k1;
  let v2: u64 = 0x6c7967656e657261 ^ k0;
  let v3: u64 = 0x7465646279746573 ^ k1;
  const full = ptr + (<usize>len & ~<usize>7);
  // siphash_4u32's two words come in registers (inRegs is a constant at each use)
  const n: u32 = inRegs ? 2 : len >> 3;
  for (let i: u32 = 0; i < n; i++) {
    const m = inRegs ? (i == 0 ? w0 : w1) : load<u64>(ptr + (<usize>i << 3));
    v3 ^= m;
    for (let r = 0; r < 2; r++) {
      v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
      v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
      v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
      v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
    }
    v0 ^= m;
  }
  let b: u64 = <u64>len << 56;
  const left = len & 7;
  if (!inRegs) for (let i: u32 = 0; i < left; i++) b |= <u64>load<u8>(full + i) << (<u64>i << 3);
  v3 ^= b;
  for (let r = 0; r < 2; r++) {
    v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
    v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
  }
  v0 ^= b;
  v2 ^= 0xff;
  for (let r = 0; r < 4; r++) {
    v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
    v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
  }
  return v0 ^ v1 ^ v2 ^ v3;
}

/** lib/siphash.c: siphash_4u32 — the 64-bit hash of a, b, c, d laid out as
 *  16 little-endian bytes, under the key at `key`. */
@inline export function sip4u32(key: usize, a: u32, b: u32, c: u32, d: u32): u64 {
  return sip(key, 0, 16, (<u64>b << 32) | <u64>a, (<u64>d << 32) | <u64>c, true);
}

/** siphash_4u32's low 32 bits (what cookie_hash keeps). */
export function siphash_4u32(key: usize, a: u32, b: u32, c: u32, d: u32): u32 {
  return <u32>sip4u32(key, a, b, c, d);
}

/** siphash_4u32, all 64 bits (tests). */
export function siphash_4u32_64(key: usize, a: u32, b: u32, c: u32, d: u32): u64 {
  return sip4u32(key, a, b, c, d);
}

/** SipHash-2-4 of `len` bytes at `ptr`: the low 32 bits. */
export function siphash_bytes(key: usize, ptr: usize, len: u32): u32 {
  return <u32>sip(key, ptr, len, 0, 0, false);
}

/** siphash_bytes, all 64 bits (tests). */
export function siphash_bytes_64(key: usize, ptr: usize, len: u32): u64 {
  return sip(key, ptr, len, 0, 0, false);
}
