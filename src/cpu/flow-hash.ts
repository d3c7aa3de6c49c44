// skb_get_hash: the flow hash RPS, RFS and the flow limit use. A NIC hash
// over the ports (l4_hash) is used as is; an L3-only NIC hash or none is
// replaced by a software hash of the flow keys made direction-symmetric
// (__flow_hash_consistentify). Linux uses siphash with a per-boot random key;
// the model uses a seeded murmur3-style mix, so values differ from a real
// host but have the same properties (symmetric, per-seed, never 0).
// Not modelled: 6.12 dissects with FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL
// (net/core/flow_dissector.c: __skb_get_hash), so an IPv6 packet with a
// non-zero flow label hashes addresses + label without ports (the two
// directions' labels usually differ, so such a flow is not symmetric). The
// model's stack sends flow label 0; only injected or pcap'd IPv6 frames with
// a label would differ.
import { HASH_L4, HASH_SW, SKB_HEADROOM } from "../core/skb-fields.js";
import type { Core } from "../core/core.js";
import { murmurFinal, murmurMix } from "../util/murmur.js";

/** include/linux/kernel.h: reciprocal_scale — index from the hash's high bits. */
export function reciprocalScale(hash: number, n: number): number {
  // (u64)hash * n >> 32, exact in f64 for n < 2^21
  return Math.floor(((hash >>> 0) * n) / 4294967296);
}

const mix = murmurMix;
const fmix = murmurFinal;

export class FlowHasher {
  private readonly hdr: Uint8Array;
  private readonly hash: Uint32Array;
  private readonly flags: Uint32Array;
  private readonly network: Uint32Array;
  private readonly transport: Uint32Array;
  private readonly protocol: Uint32Array;

  constructor(
    core: Core,
    private readonly seed: number,
  ) {
    this.hdr = core.headers;
    this.hash = core.skb.hash;
    this.flags = core.skb.hashFlags;
    this.network = core.skb.network;
    this.transport = core.skb.transport;
    this.protocol = core.skb.protocol;
  }

  // include/linux/skbuff.h: skb_get_hash
  get(h: number): number {
    if ((this.flags[h]! & (HASH_L4 | HASH_SW)) !== 0) return this.hash[h]!;
    return this.compute(h);
  }

  // net/core/flow_dissector.c: __skb_get_hash -> __flow_hash_from_keys
  compute(h: number): number {
    const b = this.hdr;
    const base = h * SKB_HEADROOM;
    const netOff = this.network[h]!;
    if (netOff === 0xff) return this.set(h, 0, false);
    const net = base + netOff;
    let hv = this.seed | 0;
    let l4: number;
    let fragment = false;
    if (this.protocol[h] === 0x0800) {
      const a = word(b, net + 12);
      const d = word(b, net + 16);
      // __flow_hash_consistentify: lower address first
      if (d < a) {
        hv = mix(hv, d);
        hv = mix(hv, a);
      } else {
        hv = mix(hv, a);
        hv = mix(hv, d);
      }
      l4 = b[net + 9]!;
      fragment = ((b[net + 6]! & 0x3f) | b[net + 7]!) !== 0;
    } else if (this.protocol[h] === 0x86dd) {
      let swap = false;
      for (let i = 0; i < 16; i++) {
        const x = b[net + 8 + i]!;
        const y = b[net + 24 + i]!;
        if (x !== y) {
          swap = y < x;
          break;
        }
      }
      const first = swap ? net + 24 : net + 8;
      const second = swap ? net + 8 : net + 24;
      for (let i = 0; i < 16; i += 4) hv = mix(hv, word(b, first + i));
      for (let i = 0; i < 16; i += 4) hv = mix(hv, word(b, second + i));
      l4 = b[net + 6]!;
    } else {
      return this.set(h, 0, false);
    }
    let ports = false;
    const tOff = this.transport[h]!;
    if ((l4 === 6 || l4 === 17) && !fragment && tOff !== 0xff) {
      const t = base + tOff;
      const sp = (b[t]! << 8) | b[t + 1]!;
      const dp = (b[t + 2]! << 8) | b[t + 3]!;
      hv = mix(hv, dp < sp ? (dp << 16) | sp : (sp << 16) | dp);
      ports = true;
    }
    hv = mix(hv, l4);
    let out = fmix(hv);
    if (out === 0) out = 1;
    return this.set(h, out, ports);
  }

  private set(h: number, v: number, l4: boolean): number {
    this.hash[h] = v;
    this.flags[h] = v === 0 ? 0 : HASH_SW | (l4 ? HASH_L4 : 0);
    return v;
  }
}

function word(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** A per-host seed for the software hash, from the run seed and the host name. */
export function hashSeed(seed: number, name: string): number {
  let h = seed | 0;
  for (let i = 0; i < name.length; i++) h = mix(h, name.charCodeAt(i));
  return fmix(h);
}
