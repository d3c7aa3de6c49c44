// SipHash-2-4 (lib/siphash.c), the hash behind Linux's SYN cookies
// (net/ipv4/syncookies.c and net/ipv6/syncookies.c: cookie_hash). One
// function over bytes in memory (`sip`, state in locals); siphash_4u32 lays
// its four words out little-endian in the words area first, as the kernel's
// siphash_4u32 hashes them. A SYN-ACK's cookie takes two hashes, a cookie
// check two (assembly/cookie.ts does a SYN-ACK's in the same call).
//
//   +--------------------------------+ keys
//   | SIPHASH_KEY_SLOTS x 64 B       | slot s: four siphash_key_t (k0, k1 as
//   |                                | little-endian u64 pairs): syncookie_secret[0..1],
//   |                                | syncookie6_secret[0..1] of one host
//   +--------------------------------+ msg
//   | 64 B                           | message bytes for siphash_bytes (the
//   |                                | IPv6 cookie's 40-byte struct)
//   +--------------------------------+ words
//   | 16 B                           | siphash_4u32's a, b, c, d (u32 LE)
//   +--------------------------------+
//
// Slots are handed out by TS (src/core/siphash.ts), which writes the keys.
import { reserve, zero } from "./layout";

export const SIPHASH_KEY_SLOTS: u32 = 128;
export const SIPHASH_SLOT_BYTES: u32 = 64;
export const SIPHASH_MSG_BYTES: u32 = 64;
const WORDS_BYTES: u32 = 16;

let keys: usize = 0;
let msg: usize = 0;
let words: usize = 0;

export function siphash_plan(): void {
  keys = reserve(<usize>SIPHASH_KEY_SLOTS * SIPHASH_SLOT_BYTES);
  msg = reserve(<usize>SIPHASH_MSG_BYTES);
  words = reserve(<usize>WORDS_BYTES);
}

export function siphash_init(): void {
  zero(keys, <usize>SIPHASH_KEY_SLOTS * SIPHASH_SLOT_BYTES);
  zero(msg, <usize>SIPHASH_MSG_BYTES);
  zero(words, <usize>WORDS_BYTES);
}

export function siphash_keys_ptr(): usize { return keys; }
export function siphash_key_slots(): u32 { return SIPHASH_KEY_SLOTS; }
export function siphash_msg_ptr(): usize { return msg; }

/** lib/siphash.c: __siphash_aligned — SipHash-2-4 of `len` bytes at `ptr`
 *  under the siphash_key_t at `key`: PREAMBLE, two SIPROUNDs per 8-byte
 *  word, the last word carrying the length in its top byte, POSTAMBLE. */
@inline function sip(key: usize, ptr: usize, len: u32): u64 {
  const k0 = load<u64>(key);
  const k1 = load<u64>(key, 8);
  let v0: u64 = 0x736f6d6570736575 ^ k0;
  let v1: u64 = 0x646f72616e646f6d ^ k1;
  let v2: u64 = 0x6c7967656e657261 ^ k0;
  let v3: u64 = 0x7465646279746573 ^ k1;
  const full = ptr + (<usize>len & ~<usize>7);
  let b: u64 = <u64>len << 56;
  const left = len & 7;
  for (let i: u32 = 0; i < left; i++) b |= <u64>load<u8>(full + i) << (<u64>i << 3);
  // the full words, then the length word; then v2 ^= 0xff and four rounds
  let p = ptr;
  let rounds = 2;
  for (;;) {
    let m: u64 = 0;
    if (p < full) m = load<u64>(p);
    else if (p == full) m = b;
    else {
      v2 ^= 0xff;
      rounds = 4;
    }
    v3 ^= m;
    for (let r = 0; r < rounds; r++) {
      // lib/siphash.c: SIPROUND
      v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
      v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
      v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
      v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
    }
    if (rounds == 4) break;
    v0 ^= m;
    p += 8;
  }
  return v0 ^ v1 ^ v2 ^ v3;
}

/** lib/siphash.c: siphash_4u32 — the 64-bit hash of a, b, c, d laid out as
 *  16 little-endian bytes, under the key at `key`. */
@inline export function sip4u32(key: usize, a: u32, b: u32, c: u32, d: u32): u64 {
  store<u32>(words, a);
  store<u32>(words, b, 4);
  store<u32>(words, c, 8);
  store<u32>(words, d, 12);
  return sip(key, words, 16);
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
  return <u32>sip(key, ptr, len);
}

/** siphash_bytes, all 64 bits (tests). */
export function siphash_bytes_64(key: usize, ptr: usize, len: u32): u64 {
  return sip(key, ptr, len);
}
