// One local port's established hash (inet_ehash: established, request and
// time-wait socks by peer): open addressing with linear probing over typed
// key arrays, so the per-segment lookup in tcp_v4_rcv hashes two u32s and
// allocates nothing (a Map keyed by rkey * 65536 + rport boxes a double per
// lookup and costs several times as much once it holds entries).
//
//   keys:  rkey[cap] (u32)   rport[cap] (u32; EMPTY = 0xffffffff: no port is)
//   socks: (TcpSock | null)[cap]
//   cap a power of two, at most half full; deletion shifts the probe run back
//   (no tombstones), so a miss stops at the first empty slot.
import type { TcpSock } from "./sock.js";

const EMPTY = 0xffffffff;
const MIN_CAP = 8;

export class SockTable {
  size = 0;
  private cap = MIN_CAP;
  private mask = MIN_CAP - 1;
  private rkeys = new Uint32Array(MIN_CAP);
  private rports = new Uint32Array(MIN_CAP).fill(EMPTY);
  private socks: (TcpSock | null)[] = new Array<TcpSock | null>(MIN_CAP).fill(null);

  private slotOf(rkey: number, rport: number): number {
    // murmur3 fmix over the pair: spoofed sources differ in every bit position
    let h = (rkey ^ Math.imul(rport, 0x9e3779b1)) | 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return h & this.mask;
  }

  get(rkey: number, rport: number): TcpSock | undefined {
    const rk = this.rkeys;
    const rp = this.rports;
    const m = this.mask;
    rkey >>>= 0;
    for (let i = this.slotOf(rkey, rport); ; i = (i + 1) & m) {
      const p = rp[i]!;
      if (p === EMPTY) return undefined;
      if (p === rport && rk[i] === rkey) return this.socks[i]!;
    }
  }

  has(rkey: number, rport: number): boolean {
    return this.get(rkey, rport) !== undefined;
  }

  set(rkey: number, rport: number, sk: TcpSock): void {
    if ((this.size + 1) * 2 > this.cap) this.grow();
    rkey >>>= 0;
    const m = this.mask;
    let i = this.slotOf(rkey, rport);
    for (; ; i = (i + 1) & m) {
      const p = this.rports[i]!;
      if (p === EMPTY) break;
      if (p === rport && this.rkeys[i] === rkey) {
        this.socks[i] = sk;
        return;
      }
    }
    this.rkeys[i] = rkey;
    this.rports[i] = rport;
    this.socks[i] = sk;
    this.size++;
  }

  delete(rkey: number, rport: number): boolean {
    rkey >>>= 0;
    const m = this.mask;
    const rk = this.rkeys;
    const rp = this.rports;
    let i = this.slotOf(rkey, rport);
    for (; ; i = (i + 1) & m) {
      const p = rp[i]!;
      if (p === EMPTY) return false;
      if (p === rport && rk[i] === rkey) break;
    }
    // backward-shift deletion: move later members of the run into the hole
    // when their home slot does not lie cyclically in (hole, j]
    let hole = i;
    for (let j = (i + 1) & m; rp[j] !== EMPTY; j = (j + 1) & m) {
      const home = this.slotOf(rk[j]!, rp[j]!);
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (inRange) continue;
      rk[hole] = rk[j]!;
      rp[hole] = rp[j]!;
      this.socks[hole] = this.socks[j]!;
      hole = j;
    }
    rp[hole] = EMPTY;
    this.socks[hole] = null;
    this.size--;
    return true;
  }

  /** The sockets, in table order (not insertion order). */
  *values(): IterableIterator<TcpSock> {
    for (let i = 0; i < this.cap; i++) if (this.rports[i] !== EMPTY) yield this.socks[i]!;
  }

  private grow(): void {
    const oldK = this.rkeys;
    const oldP = this.rports;
    const oldS = this.socks;
    this.cap *= 2;
    this.mask = this.cap - 1;
    this.rkeys = new Uint32Array(this.cap);
    this.rports = new Uint32Array(this.cap).fill(EMPTY);
    this.socks = new Array<TcpSock | null>(this.cap).fill(null);
    this.size = 0;
    for (let i = 0; i < oldP.length; i++) if (oldP[i] !== EMPTY) this.set(oldK[i]!, oldP[i]!, oldS[i]!);
  }
}
