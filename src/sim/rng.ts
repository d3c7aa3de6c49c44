// Seeded PRNG for every random choice in a run (ephemeral ports, spoofed
// addresses, link loss). xoshiro128** seeded through splitmix32: fast, no
// BigInt, identical sequences in Node and browsers for the same seed.

export class Rng {
  /** xoshiro128 state words a, b, c, d. In an Int32Array the draw is pure
   *  int32 arithmetic: u32 values kept in object fields become heap numbers,
   *  and boxing them cost ~20 ns and garbage per draw. */
  private readonly s = new Int32Array(4);

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    const s = this.s;
    s[0] = next();
    s[1] = next();
    s[2] = next();
    s[3] = next();
    if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  }

  /** The next draw as an int32 (xoshiro128**): the one step every draw
   *  takes. An int32 result stays a small integer across a call V8 does not
   *  inline; a u32 above 2^31 would come back as a heap number. */
  private next(): number {
    const s = this.s;
    const a = s[0]!;
    const b = s[1]!;
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    const t = b << 9;
    const c = s[2]! ^ a;
    const d = s[3]! ^ b;
    s[1] = b ^ c;
    s[0] = a ^ d;
    s[2] = c ^ t;
    s[3] = rotl(d, 11);
    return result;
  }

  /** Uniform u32. */
  u32(): number {
    return this.next() >>> 0;
  }

  /** The u32() draw's bits as an int32 (for words passed on as int32). */
  i32(): number {
    return this.next();
  }

  /** Uniform in [0, 1). */
  float(): number {
    return (this.next() >>> 0) / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive), hi - lo < 2^32. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** A new independent generator derived from this one (per-subsystem streams
   *  keep one subsystem's draws from shifting another's). */
  fork(): Rng {
    return new Rng(this.u32());
  }
}

/** 32-bit rotate left, as an int32. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
