// Plain-TS reference of assembly/tx-ring.ts: TX descriptor rings with the same
// record and descriptor layout (u32 words), kept in JS arrays. It is the
// oracle of the differential test, so it is written for clarity.
//
// A ring holds, from `head` on: descriptors the wire has taken, awaiting
// completion; then `unsent` posted descriptors not yet on the wire; then free.

/** u32 words per ring record: head, used, unsent, size, base, cleaned, freed, spare. */
export const TXR_REC_U32 = 8;
/** u32 words per descriptor: handle, bytes, sk, truesize. */
export const TXD_U32 = 4;
export const TXR = Object.freeze({ head: 0, used: 1, unsent: 2, size: 3, base: 4, cleaned: 5, freed: 6 });
export const TXD = Object.freeze({ h: 0, bytes: 1, sk: 2, truesize: 3 });
export const TXR_SIZE_MAX = 1 << 24;
/** (handle, bytes) pairs one post burst takes. */
export const TXR_STAGE = 64;
/** Most descriptors one clean frees. */
export const TXR_CLEAN_MAX = 256;
const SK_NONE = 0xffffffff;

export class RefTxRings {
  readonly recs: Uint32Array;
  readonly descs: Uint32Array;
  /** Sockets to credit from the last clean (sk[], then truesize[] at TXR_CLEAN_MAX). */
  readonly owners = new Uint32Array(2 * TXR_CLEAN_MAX);
  created = 0;
  slotsUsed = 0;

  constructor(
    readonly maxRings: number,
    readonly slots: number,
    /** skb->sk and skb->truesize by handle (the core's skb columns). */
    private readonly skbSk: ArrayLike<number>,
    private readonly skbTrue: ArrayLike<number>,
  ) {
    this.recs = new Uint32Array(maxRings * TXR_REC_U32);
    this.descs = new Uint32Array(slots * TXD_U32);
  }

  /** Ring id, or -1 (bad size, table or descriptors exhausted). */
  create(size: number): number {
    if (size < 1 || size > TXR_SIZE_MAX || this.created >= this.maxRings || size > this.slots - this.slotsUsed) return -1;
    const id = this.created++;
    const r = id * TXR_REC_U32;
    this.recs.fill(0, r, r + TXR_REC_U32);
    this.recs[r + TXR.size] = size;
    this.recs[r + TXR.base] = this.slotsUsed;
    this.slotsUsed += size;
    return id;
  }

  /** Post the n (handle, bytes) pairs of stage in order, as many as fit; returns how many. */
  postBurst(id: number, stage: ArrayLike<number>, n: number): number {
    if (id >= this.created) return 0;
    const r = id * TXR_REC_U32;
    const size = this.recs[r + TXR.size]!;
    const used = this.recs[r + TXR.used]!;
    const k = Math.min(n, size - used);
    for (let j = 0; j < k; j++) {
      const i = (this.recs[r + TXR.head]! + used + j) % size;
      const d = (this.recs[r + TXR.base]! + i) * TXD_U32;
      const h = stage[2 * j]!;
      this.descs[d + TXD.h] = h;
      this.descs[d + TXD.bytes] = stage[2 * j + 1]!;
      this.descs[d + TXD.sk] = this.skbSk[h]!;
      this.descs[d + TXD.truesize] = this.skbTrue[h]!;
    }
    this.recs[r + TXR.used] = used + k;
    this.recs[r + TXR.unsent] = this.recs[r + TXR.unsent]! + k;
    return k;
  }

  /** The up to max unsent handles the wire would take next, oldest first; none taken. */
  peekBurst(id: number, max: number): number[] {
    if (id >= this.created) return [];
    const r = id * TXR_REC_U32;
    const unsent = this.recs[r + TXR.unsent]!;
    const k = Math.min(max, unsent);
    const size = this.recs[r + TXR.size]!;
    const first = this.recs[r + TXR.head]! + this.recs[r + TXR.used]! - unsent;
    const out: number[] = [];
    for (let j = 0; j < k; j++) out.push(this.descs[(this.recs[r + TXR.base]! + ((first + j) % size)) * TXD_U32 + TXD.h]!);
    return out;
  }

  /** The wire takes up to max unsent handles, oldest first; returns them. */
  takeBurst(id: number, max: number): number[] {
    const out = this.peekBurst(id, max);
    if (out.length > 0) this.recs[id * TXR_REC_U32 + TXR.unsent] -= out.length;
    return out;
  }

  /** Free up to k taken descriptors (at most TXR_CLEAN_MAX); owners to credit go to `owners`; returns how many. */
  clean(id: number, k: number): number {
    if (id >= this.created) return 0;
    const r = id * TXR_REC_U32;
    const used = this.recs[r + TXR.used]!;
    const m = Math.min(k, used - this.recs[r + TXR.unsent]!, TXR_CLEAN_MAX);
    const size = this.recs[r + TXR.size]!;
    let i = this.recs[r + TXR.head]!;
    let bytes = 0;
    let nf = 0;
    for (let j = 0; j < m; j++) {
      const d = (this.recs[r + TXR.base]! + i) * TXD_U32;
      bytes = (bytes + this.descs[d + TXD.bytes]!) >>> 0;
      if (this.descs[d + TXD.sk] !== SK_NONE) {
        this.owners[nf] = this.descs[d + TXD.sk]!;
        this.owners[TXR_CLEAN_MAX + nf] = this.descs[d + TXD.truesize]!;
        nf++;
      }
      i = (i + 1) % size;
    }
    this.recs[r + TXR.head] = i;
    this.recs[r + TXR.used] = used - m;
    this.recs[r + TXR.cleaned] = bytes;
    this.recs[r + TXR.freed] = m;
    return nf;
  }
}
