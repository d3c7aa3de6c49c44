// SipHash-2-4 (lib/siphash.c), the hash behind Linux's SYN cookies
// (net/ipv4/syncookies.c and net/ipv6/syncookies.c: cookie_hash). One call
// per hash: a SYN-ACK's cookie takes two, a cookie check two.
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

let v0: u64 = 0;
let v1: u64 = 0;
let v2: u64 = 0;
let v3: u64 = 0;
/** High 32 bits of the last hash (the exports return the low 32, as cookie_hash does). */
let lastHi: u32 = 0;

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
export function siphash_last_hi(): u32 { return lastHi; }

// lib/siphash.c: SIPROUND
@inline function round(): void {
  v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
  v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
  v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
  v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
}

// lib/siphash.c: PREAMBLE
@inline function start(key: usize): void {
  const k0 = load<u64>(key);
  const k1 = load<u64>(key, 8);
  v0 = 0x736f6d6570736575 ^ k0;
  v1 = 0x646f72616e646f6d ^ k1;
  v2 = 0x6c7967656e657261 ^ k0;
  v3 = 0x7465646279746573 ^ k1;
}

// SipHash-2-4: two compression rounds per 8-byte word
@inline function compress(m: u64): void {
  v3 ^= m;
  round();
  round();
  v0 ^= m;
}

// lib/siphash.c: POSTAMBLE (the last word carries the length in its top byte)
@inline function finish(b: u64): u32 {
  compress(b);
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  const h = v0 ^ v1 ^ v2 ^ v3;
  lastHi = <u32>(h >>> 32);
  return <u32>h;
}

/** lib/siphash.c: siphash_4u32 — the four words as two little-endian u64
 *  (first = b << 32 | a), under the key at `key`; the low 32 bits. Written
 *  with locals (the per-SYN call: wasm globals would stay memory-bound). */
export function siphash_4u32(key: usize, a: u32, b: u32, c: u32, d: u32): u32 {
  const k0 = load<u64>(key);
  const k1 = load<u64>(key, 8);
  let v0: u64 = 0x736f6d6570736575 ^ k0;
  let v1: u64 = 0x646f72616e646f6d ^ k1;
  let v2: u64 = 0x6c7967656e657261 ^ k0;
  let v3: u64 = 0x7465646279746573 ^ k1;
  const m0: u64 = (<u64>b << 32) | <u64>a;
  const m1: u64 = (<u64>d << 32) | <u64>c;
  const m2: u64 = <u64>16 << 56;
  v3 ^= m0;
  for (let r = 0; r < 2; r++) {
    v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
    v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
  }
  v0 ^= m0;
  v3 ^= m1;
  for (let r = 0; r < 2; r++) {
    v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
    v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
  }
  v0 ^= m1;
  v3 ^= m2;
  for (let r = 0; r < 2; r++) {
    v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
    v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
  }
  v0 ^= m2;
  v2 ^= 0xff;
  for (let r = 0; r < 4; r++) {
    v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
    v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
  }
  const h = v0 ^ v1 ^ v2 ^ v3;
  lastHi = <u32>(h >>> 32);
  return <u32>h;
}

/** lib/siphash.c: __siphash_aligned — `len` bytes at `ptr` under the key at
 *  `key`; the low 32 bits. */
export function siphash_bytes(key: usize, ptr: usize, len: u32): u32 {
  start(key);
  const end = ptr + (<usize>len & ~<usize>7);
  let p = ptr;
  for (; p < end; p += 8) compress(load<u64>(p));
  let b: u64 = <u64>len << 56;
  const left = len & 7;
  for (let i: u32 = 0; i < left; i++) b |= <u64>load<u8>(p + i) << (<u64>i << 3);
  return finish(b);
}
