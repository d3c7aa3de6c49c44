// Plain-TS SipHash-2-4 (lib/siphash.c), the oracle for assembly/siphash.ts.
// BigInt keeps it a line-by-line reading of the algorithm; it is never on a
// hot path.
const M64 = (1n << 64n) - 1n;

const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & M64;

/** SipHash-2-4 of `msg` under the key (k0, k1): the 64-bit result. */
export function siphashRef(k0: bigint, k1: bigint, msg: Uint8Array): bigint {
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;
  const round = (): void => {
    v0 = (v0 + v1) & M64; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M64; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & M64; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & M64; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const word = (m: bigint): void => {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  };
  const full = msg.length & ~7;
  for (let i = 0; i < full; i += 8) {
    let m = 0n;
    for (let j = 7; j >= 0; j--) m = (m << 8n) | BigInt(msg[i + j]!);
    word(m);
  }
  let b = BigInt(msg.length & 0xff) << 56n;
  for (let j = 0; j < (msg.length & 7); j++) b |= BigInt(msg[full + j]!) << BigInt(8 * j);
  word(b);
  v2 ^= 0xffn;
  for (let r = 0; r < 4; r++) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

/** A siphash_key_t from four u32 words as they sit in memory (little-endian). */
export function keyFromWords(w: ArrayLike<number>, at = 0): [bigint, bigint] {
  const u = (i: number): bigint => BigInt(w[at + i]! >>> 0);
  return [u(0) | (u(1) << 32n), u(2) | (u(3) << 32n)];
}

/** lib/siphash.c: siphash_4u32 — the words laid out little-endian, 16 bytes. */
export function siphash4u32Ref(k0: bigint, k1: bigint, a: number, b: number, c: number, d: number): bigint {
  const msg = new Uint8Array(16);
  const dv = new DataView(msg.buffer);
  dv.setUint32(0, a >>> 0, true);
  dv.setUint32(4, b >>> 0, true);
  dv.setUint32(8, c >>> 0, true);
  dv.setUint32(12, d >>> 0, true);
  return siphashRef(k0, k1, msg);
}
