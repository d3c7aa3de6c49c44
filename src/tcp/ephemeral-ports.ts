// Which ephemeral ports (net.ipv4.ip_local_port_range, 32768..60999) are taken
// for a destination, one bit per port, kept for each destination a connect()
// went to, so __inet_hash_connect's search (the first free port from a random
// start, client.ts pickPort) reads 32 ports per step instead of one table
// lookup per port: with the range nearly full a connect() looked at up to
// 28232 ports. The answer is the one the lookups gave.
//
//   bits: Uint32Array(883), bit (port - 32768): 1 = a listener on the port, or a socket on it to this
//         destination (its 4-tuple is taken); the 20 bits past 60999 are set (never free)
import type { PortTable } from "./tcp-host.js";

export const EPHEMERAL_LOW = 32768;
export const EPHEMERAL_HIGH = 60999;
const N = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
const WORDS = (N + 31) >>> 5;

export class EphemeralPorts {
  private readonly taken = new Map<number, Uint32Array>();

  get size(): number {
    return this.taken.size;
  }

  /** A socket on lport to (rkey, rport) was hashed (inet_ehash_insert). */
  take(rkey: number, rport: number, lport: number): void {
    const b = this.taken.get(key(rkey, rport));
    const i = lport - EPHEMERAL_LOW;
    if (b !== undefined && i >= 0 && i < N) b[i >>> 5]! |= 1 << (i & 31);
  }

  /** The socket on lport to (rkey, rport) left the table; the port has no listener. */
  release(rkey: number, rport: number, lport: number): void {
    const b = this.taken.get(key(rkey, rport));
    const i = lport - EPHEMERAL_LOW;
    if (b !== undefined && i >= 0 && i < N) b[i >>> 5]! &= ~(1 << (i & 31));
  }

  /** The first port free for (rkey, rport) from offset `start` (0..28231) on, wrapping: -1 if none. */
  search(ports: ReadonlyMap<number, PortTable>, rkey: number, rport: number, start: number): number {
    const k = key(rkey, rport);
    let b = this.taken.get(k);
    if (b === undefined) {
      b = new Uint32Array(WORDS);
      for (let i = N; i < WORDS * 32; i++) b[i >>> 5]! |= 1 << (i & 31);
      for (const [port, pt] of ports) {
        const i = port - EPHEMERAL_LOW;
        if (i >= 0 && i < N && (pt.listener !== null || pt.conns.has(rkey, rport))) b[i >>> 5]! |= 1 << (i & 31);
      }
      this.taken.set(k, b);
    }
    let i = firstClear(b, start, N);
    if (i < 0) i = firstClear(b, 0, start);
    return i < 0 ? -1 : EPHEMERAL_LOW + i;
  }
}

function key(rkey: number, rport: number): number {
  return (rkey >>> 0) * 65536 + rport;
}

/** The first clear bit in [from, to), or -1. */
function firstClear(b: Uint32Array, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const free = ~b[i >>> 5]! & (-1 << (i & 31));
    if (free !== 0) {
      const j = (i & ~31) + (31 - Math.clz32(free & -free));
      return j < to ? j : -1;
    }
    i = (i & ~31) + 32;
  }
  return -1;
}
