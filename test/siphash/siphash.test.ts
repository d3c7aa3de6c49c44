// SipHash-2-4 (lib/siphash.c) in WASM against the plain-TS reference and the
// reference implementation's published vectors (lib/siphash_kunit.c:
// test_vectors_siphash, key 00..0f, message 00 01 .. of length i).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import { keyFromWords, siphash4u32Ref, siphashRef } from "../../src/core/ref/siphash.js";
import { SIPHASH_MSG_BYTES, SIPHASH_SLOT_BYTES, SiphashKeys, type SiphashRaw } from "../../src/core/siphash.js";
import type { Core } from "../../src/core/core.js";

const VECTORS = [
  0x726fdb47dd0e0e31n, 0x74f839c593dc67fdn, 0x0d6c8009d9a94f5an, 0x85676696d7fb7e2dn, 0xcf2794e0277187b7n, 0x18765564cd99a68dn,
  0xcbc9466e58fee3cen, 0xab0200f58b01d137n, 0x93f5f5799a932462n, 0x9e0082df0ba9e4b0n, 0x7a5dbbc594ddb9f3n, 0xf4b32f46226bada7n,
  0x751e8fbc860ee5fbn, 0x14ea5627c0843d90n, 0xf723ca908e7af2een, 0xa129ca6149be45e5n, 0x3f2acc7f57c29bdbn, 0x699ae9f52cbe4794n,
  0x4bc1b3f0968dd39cn, 0xbb6dc91da77961bdn, 0xbed65cf21aa2ee98n, 0xd0f2cbb02e3b67c7n, 0x93536795e3a33e88n, 0xa80c038ccd5ccec8n,
  0xb8ad50c6f649af94n, 0xbce192de8a85b8ean, 0x17d835b85bbb15f3n, 0x2f2e6163076bcfadn, 0xde4daaaca71dc9a5n, 0xa6a2506687956571n,
  0xad87a3535c49ef28n, 0x32d892fad841c342n, 0x7127512f72f27ccen, 0xa7f32346f95978e3n, 0x12e0b01abb051238n, 0x15e034d40fa197aen,
  0x314dffbe0815a3b4n, 0x027990f029623981n, 0xcadcd4e59ef40c4dn, 0x9abfd8766a33735cn, 0x0e3ea96b5304a7d0n, 0xad0c42d6fc585992n,
  0x187306c89bc215a9n, 0xd4a60abcf3792b95n, 0xf935451de4f21df2n, 0xa9538f0419755787n, 0xdb9acddff56ca510n, 0xd06c98cd5c0975ebn,
  0xe612a3cb9ecba951n, 0xc766e62cfcadaf96n, 0xee64435a9752fe72n, 0xa192d576b245165an, 0x0a8787bf8ecb74b2n, 0x81b3e73d20b49b6fn,
  0x7fa8220ba3b2ecean, 0x245731c13ca42499n, 0xb78dbfaf3a8d83bdn, 0xea1ad565322a1a0bn, 0x60e61c23a3795013n, 0x6606d7e446282b93n,
  0x6ca4ecb15c5f91e1n, 0x9f626da15c9625f3n, 0xe51b38608ef25f57n, 0x958a324ceb064572n,
];

/** Key bytes 00..0f read as little-endian u32 words. */
const KEY_WORDS = [0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c];

function keysWith(core: Core, words: number[]): SiphashKeys {
  const w = new Uint32Array(SIPHASH_SLOT_BYTES / 4);
  w.set(words);
  return new SiphashKeys(core, w);
}

/** A 64-bit WASM result as the u64 it is (the i64 comes back signed). */
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

function wasmBytes(core: Core, keys: SiphashKeys, msg: Uint8Array): bigint {
  const x = keys.raw;
  new Uint8Array(core.memory.buffer, x.siphash_msg_ptr(), SIPHASH_MSG_BYTES).set(msg);
  keys.claim();
  const lo = x.siphash_bytes(keys.keyAddr(0), x.siphash_msg_ptr(), msg.length);
  const all = u64(x.siphash_bytes_64(keys.keyAddr(0), x.siphash_msg_ptr(), msg.length));
  expect(lo >>> 0).toBe(Number(all & 0xffffffffn));
  return all;
}

describe("siphash-2-4", () => {
  it("published vectors (key 00..0f, message 00..i-1, i = 0..63): reference and WASM", async () => {
    const core = await freshCore();
    const keys = keysWith(core, KEY_WORDS);
    const [k0, k1] = keyFromWords(KEY_WORDS);
    expect(k0).toBe(0x0706050403020100n);
    for (let i = 0; i < 64; i++) {
      const msg = Uint8Array.from({ length: i }, (_, j) => j);
      expect(siphashRef(k0, k1, msg)).toBe(VECTORS[i]);
      expect(wasmBytes(core, keys, msg)).toBe(VECTORS[i]);
    }
  });

  it("siphash_4u32 is the 16-byte little-endian message (vector 16: words 03020100 .. 0f0e0d0c)", async () => {
    const core = await freshCore();
    const keys = keysWith(core, KEY_WORDS);
    const x = keys.raw;
    const [k0, k1] = keyFromWords(KEY_WORDS);
    const [a, b, c, d] = KEY_WORDS as [number, number, number, number];
    expect(u64(x.siphash_4u32_64(keys.keyAddr(0), a, b, c, d))).toBe(VECTORS[16]);
    expect(x.siphash_4u32(keys.keyAddr(0), a, b, c, d) >>> 0).toBe(Number(VECTORS[16]! & 0xffffffffn));
    expect(siphash4u32Ref(k0, k1, a, b, c, d)).toBe(VECTORS[16]);
  });

  it("differential: random keys and messages of 0..64 bytes, WASM = reference", async () => {
    const core = await freshCore();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 3 }), (words, msg, ki) => {
        const keys = keysWith(core, words);
        const x = keys.raw;
        new Uint8Array(core.memory.buffer, x.siphash_msg_ptr(), SIPHASH_MSG_BYTES).set(msg);
        const got = u64(x.siphash_bytes_64(keys.keyAddr(ki), x.siphash_msg_ptr(), msg.length));
        expect(x.siphash_bytes(keys.keyAddr(ki), x.siphash_msg_ptr(), msg.length) >>> 0).toBe(Number(got & 0xffffffffn));
        const [k0, k1] = keyFromWords(words, ki * 4);
        expect(got).toBe(siphashRef(k0, k1, msg));
      }),
      { numRuns: 300 },
    );
  });

  it("differential: siphash_4u32 under random keys and words, WASM = reference", async () => {
    const core = await freshCore();
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(fc.array(u32, { minLength: 16, maxLength: 16 }), u32, u32, u32, u32, fc.integer({ min: 0, max: 3 }), (words, a, b, c, d, ki) => {
        const keys = keysWith(core, words);
        const x = keys.raw;
        const got = u64(x.siphash_4u32_64(keys.keyAddr(ki), a, b, c, d));
        expect(x.siphash_4u32(keys.keyAddr(ki), a, b, c, d) >>> 0).toBe(Number(got & 0xffffffffn));
        const [k0, k1] = keyFromWords(words, ki * 4);
        expect(got).toBe(siphash4u32Ref(k0, k1, a, b, c, d));
      }),
      { numRuns: 300 },
    );
  });

  it("key slots: an owner whose slot was taken round-robin writes its keys again", async () => {
    const core = await freshCore();
    const x = core.raw as unknown as SiphashRaw;
    const first = keysWith(core, KEY_WORDS);
    const n = x.siphash_key_slots();
    for (let i = 1; i < n; i++) keysWith(core, [i]);
    const thief = keysWith(core, [0xdead]); // wraps onto the first slot
    expect(thief.keyAddr(0)).toBe(first.keyAddr(0));
    first.claim();
    expect(u64(x.siphash_4u32_64(first.keyAddr(0), ...(KEY_WORDS as [number, number, number, number])))).toBe(VECTORS[16]);
  });

  it("bad key words: a clear error", async () => {
    const core = await freshCore();
    expect(() => new SiphashKeys(core, new Uint32Array(4))).toThrow(/words must hold 16 u32/);
  });
});
