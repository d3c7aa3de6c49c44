// TX descriptor rings of the WASM core (assembly/tx-ring.ts), seen from TS:
// typed-array views over the ring records, the descriptor table, the post
// stage and the clean owners, built once per core (memory never grows). The
// driver (src/net/nic-tx.ts) reads ring state through them, calls
// core.raw.txring_* directly for the bursts, and does the per-frame steady
// state (one post, the wire's take, one clean) with postOne/takeOne/cleanOne:
// the same step as the WASM burst for one, through the views, without a call.
import type { Core } from "./core.js";
import { TXD, TXD_U32, TXR, TXR_CLEAN_MAX, TXR_REC_U32, TXR_SIZE_MAX, TXR_STAGE } from "./ref/tx-ring.js";

export { TXD, TXD_U32, TXR, TXR_CLEAN_MAX, TXR_REC_U32, TXR_STAGE } from "./ref/tx-ring.js";

export interface TxRingExports {
  txring_create(size: number): number;
  txring_post_burst(id: number, src: number, n: number): number;
  txring_take_burst(id: number, out: number, max: number): number;
  txring_clean(id: number, k: number): number;
  txring_recs_ptr(): number;
  txring_descs_ptr(): number;
  txring_stage_ptr(): number;
  txring_owners_ptr(): number;
  txring_max(): number;
  txring_slots(): number;
  txring_created(): number;
  txring_slots_used(): number;
}

/** A TX ring could not be created; `field` names what to change. */
export class TxRingError extends Error {
  override name = "TxRingError";
  constructor(
    readonly field: "txRing" | "core.dqlQueues" | "core.txRingSlots",
    message: string,
  ) {
    super(message);
  }
}

/** A driver that may leave descriptors in the post stage between its passes (a NAPI poll's TX
 *  hold): another one posting first has it write them into its ring. */
export interface StageUser {
  postStaged(): void;
}

export class TxRings {
  readonly x: TxRingExports;
  /** The driver whose descriptors the stage may hold (null: none since the core began). */
  stageOwner: StageUser | null = null;
  /** Ring records, TXR_REC_U32 words each (fields: TXR). */
  readonly recs: Uint32Array;
  /** Descriptors, TXD_U32 words each (fields: TXD). */
  readonly descs: Uint32Array;
  /** Post stage: (handle, bytes) pairs at stagePtr. */
  readonly stage: Uint32Array;
  readonly stagePtr: number;
  /** Owners of the last clean: sk[0..nf), truesize at TXR_CLEAN_MAX + j. */
  readonly owners: Uint32Array;

  constructor(core: Core) {
    this.x = core.raw as unknown as TxRingExports;
    const buf = core.memory.buffer;
    this.recs = new Uint32Array(buf, this.x.txring_recs_ptr(), this.x.txring_max() * TXR_REC_U32);
    this.descs = new Uint32Array(buf, this.x.txring_descs_ptr(), this.x.txring_slots() * TXD_U32);
    this.stagePtr = this.x.txring_stage_ptr();
    this.stage = new Uint32Array(buf, this.stagePtr, 2 * TXR_STAGE);
    this.owners = new Uint32Array(buf, this.x.txring_owners_ptr(), 2 * TXR_CLEAN_MAX);
  }

  /** txring_post_burst(id, [h, bytes], 1) through the views: false when the ring is full. */
  postOne(id: number, h: number, bytes: number, sk: number, truesize: number): boolean {
    const rec = this.recs;
    const r = id * TXR_REC_U32;
    const size = rec[r + TXR.size]!;
    const used = rec[r + TXR.used]!;
    if (used >= size) return false;
    let i = rec[r + TXR.head]! + used;
    if (i >= size) i -= size;
    const d = (rec[r + TXR.base]! + i) * TXD_U32;
    const desc = this.descs;
    desc[d + TXD.h] = h;
    desc[d + TXD.bytes] = bytes;
    desc[d + TXD.sk] = sk;
    desc[d + TXD.truesize] = truesize;
    rec[r + TXR.used] = used + 1;
    rec[r + TXR.unsent]!++;
    return true;
  }

  /** txring_take_burst(id, out, 1) through the views: the wire takes the oldest posted descriptor; its
   *  handle, or -1 when none waits. */
  takeOne(id: number): number {
    const rec = this.recs;
    const r = id * TXR_REC_U32;
    const unsent = rec[r + TXR.unsent]!;
    if (unsent === 0) return -1;
    rec[r + TXR.unsent] = unsent - 1;
    return this.descs[this.unsentDesc(r, unsent) + TXD.h]!;
  }

  /** The handle takeOne(id) would return, not taken; -1 when none waits. */
  peekOne(id: number): number {
    const r = id * TXR_REC_U32;
    const unsent = this.recs[r + TXR.unsent]!;
    return unsent === 0 ? -1 : this.descs[this.unsentDesc(r, unsent) + TXD.h]!;
  }

  /** The handles of up to `max` oldest posted descriptors the wire has not taken, in ring order, into
   *  out[0..n), stopping before the first whose skb is a GSO one (gsoSegs > 1: the wire splits it);
   *  none taken. Returns n. */
  peekPlain(id: number, out: Uint32Array, max: number, gsoSegs: Uint32Array): number {
    const rec = this.recs;
    const r = id * TXR_REC_U32;
    const unsent = rec[r + TXR.unsent]!;
    const lim = unsent < max ? unsent : max;
    if (lim === 0) return 0;
    // descriptor words wrap from the ring's last slot back to its first
    const first = rec[r + TXR.base]! * TXD_U32;
    const end = first + rec[r + TXR.size]! * TXD_U32;
    const desc = this.descs;
    let d = this.unsentDesc(r, unsent);
    let n = 0;
    for (; n < lim; n++) {
      const h = desc[d + TXD.h]!;
      if (gsoSegs[h]! > 1) break;
      out[n] = h;
      d += TXD_U32;
      if (d === end) d = first;
    }
    return n;
  }

  /** The wire takes the k oldest posted descriptors (as k takeOne calls; k <= unsent). */
  takeRun(id: number, k: number): void {
    this.recs[id * TXR_REC_U32 + TXR.unsent]! -= k;
  }

  /** Word in `descs` of the oldest of the `unsent` posted descriptors of ring record word r (txring_take_burst's
   *  index: head + used − unsent, wrapped). */
  private unsentDesc(r: number, unsent: number): number {
    const rec = this.recs;
    const size = rec[r + TXR.size]!;
    let i = rec[r + TXR.head]! + rec[r + TXR.used]! - unsent;
    if (i >= size) i -= size;
    return (rec[r + TXR.base]! + i) * TXD_U32;
  }

  /** txring_clean(id, 1) through the views: frees the oldest taken descriptor (bytes and count
   *  in the record, its owner in `owners`); returns how many owners (0 or 1). */
  cleanOne(id: number): number {
    const rec = this.recs;
    const r = id * TXR_REC_U32;
    const used = rec[r + TXR.used]!;
    if (used === rec[r + TXR.unsent]!) {
      rec[r + TXR.cleaned] = 0;
      rec[r + TXR.freed] = 0;
      return 0;
    }
    const i = rec[r + TXR.head]!;
    const d = (rec[r + TXR.base]! + i) * TXD_U32;
    const desc = this.descs;
    const sk = desc[d + TXD.sk]!;
    let nf = 0;
    if (sk !== 0xffffffff) {
      this.owners[0] = sk;
      this.owners[TXR_CLEAN_MAX] = desc[d + TXD.truesize]!;
      nf = 1;
    }
    rec[r + TXR.head] = i + 1 === rec[r + TXR.size]! ? 0 : i + 1;
    rec[r + TXR.used] = used - 1;
    rec[r + TXR.cleaned] = desc[d + TXD.bytes]!;
    rec[r + TXR.freed] = 1;
    return nf;
  }

  /** A ring of `size` descriptors (ethtool -G tx); its id. */
  create(size: number): number {
    if (!Number.isInteger(size) || size < 1 || size > TXR_SIZE_MAX) {
      throw new TxRingError("txRing", `txRing: ${String(size)} is not an integer in [1, ${TXR_SIZE_MAX}]`);
    }
    const max = this.x.txring_max();
    if (this.x.txring_created() >= max) {
      throw new TxRingError("core.dqlQueues", `core.dqlQueues exhausted: all ${max} TX rings are in use; raise core.dqlQueues`);
    }
    const left = this.x.txring_slots() - this.x.txring_slots_used();
    if (size > left) {
      throw new TxRingError(
        "core.txRingSlots",
        `core.txRingSlots exhausted: a TX ring of ${size} descriptors needs more than the ${left} of ${this.x.txring_slots()} left; raise core.txRingSlots`,
      );
    }
    const id = this.x.txring_create(size);
    if (id < 0) throw new Error(`skbsim core: txring_create(${size}) refused after the TS checks passed`);
    return id;
  }
}

const byCore = new WeakMap<Core, TxRings>();

/** The core's TX rings (views built on first use). */
export function txRingsOf(core: Core): TxRings {
  let t = byCore.get(core);
  if (t === undefined) byCore.set(core, (t = new TxRings(core)));
  return t;
}
