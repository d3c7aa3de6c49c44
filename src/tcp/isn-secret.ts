// The key behind initial sequence numbers and timestamp offsets
// (net/core/secure_seq.c: secure_tcp_seq, secure_tcp_ts_off). Model choice:
// Linux uses siphash under net_secret; here a keyed 32-bit murmur mix of the
// tuple under a 128-bit key pair drawn from the run's RNG (deterministic per
// seed, allocation-free). The SYN cookie hash is SipHash (cookie.ts).
import type { Rng } from "../sim/rng.js";
import { murmurFinal as fmix, murmurMix as mix } from "../util/murmur.js";

export class IsnSecret {
  readonly key = new Uint32Array(8);
  /** The words of hash(.., c = 1), the timestamp offsets' (a view of key[4..8)). */
  readonly tsKey = this.key.subarray(4, 8);

  constructor(rng: Rng) {
    for (let i = 0; i < 8; i++) this.key[i] = rng.u32();
  }

  /** A keyed hash of the tuple, as an int32 (int32 in and out keeps V8 from
   *  boxing a heap number per call). */
  hash(saddr: number, daddr: number, sport: number, dport: number, c: number): number {
    const k = this.key;
    const o = c * 4;
    let h = k[o]! | 0;
    h = mix(h, saddr ^ k[o + 1]!);
    h = mix(h, daddr);
    h = mix(h, ((sport << 16) | dport) ^ k[o + 2]!);
    h = mix(h, k[o + 3]!);
    return fmix(h ^ 16) | 0;
  }
}
