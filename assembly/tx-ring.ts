// TX descriptor rings: one per TX queue, the driver's ring of ndo_start_xmit
// (e.g. ixgbe's tx_ring: next_to_use / next_to_clean). Unlike the handle FIFOs
// of ring.ts, a TX descriptor outlives its frame on the wire: the wire takes
// the handle (the frame travels on to the receiver) but the descriptor's
// length, owning socket and truesize stay until completion, which is what BQL
// (netdev_tx_completed_queue) and sock_wfree see. So a ring has three parts
// in order from `head`: taken by the wire and awaiting completion, then
// `unsent` posted descriptors the wire has not taken yet, then free slots.
// TS reference (the differential oracle): src/core/ref/tx-ring.ts.
//
// txring_plan reserves everything at core_init (one ring per TX queue, i.e.
// per BQL record, and txRingSlots descriptors shared by all rings);
// txring_create only carves a slot range, so memory never grows at run time.
//
//   ring table: maxTxRings records x TXR_REC_BYTES (32 B)
//   +----------------------------------------------------------------+
//   | u32 [0] head     index in [0, size) of the oldest descriptor   |
//   |                  in use (next_to_clean)                        |
//   | u32 [1] used     descriptors posted, not yet completed         |
//   | u32 [2] unsent   the newest `unsent` of them: not yet on wire  |
//   | u32 [3] size     descriptors (ethtool -G tx), in [1, 2^24]     |
//   | u32 [4] base     index of the ring's first descriptor in the   |
//   |                  descriptor table                              |
//   | u32 [5] cleaned  bytes freed by the last txring_clean          |
//   | u32 [6] freed    descriptors freed by the last txring_clean    |
//   | u32 [7] (spare)                                                |
//   +----------------------------------------------------------------+
//
//   descriptor table: txRingSlots records x TXD_BYTES (16 B), bump-allocated
//   +-------------+-------------+-------------+-------------+
//   | u32 handle  | u32 bytes   | u32 sk      | u32 truesize|  descriptor d
//   +-------------+-------------+-------------+-------------+
//   ring r's descriptor i (i in [0, size)) is d = base + i. bytes is the
//   driver's bytecount (a TSO skb counts every segment's headers): below
//   2^32 for any skb (64 KB + 45 headers).
//
//   stage: TXR_STAGE x (u32 handle, u32 bytes): what one qdisc_run pass
//   posts, handed to txring_post_burst in one call (JS writes it through a
//   view; a pass posts at most dev_tx_weight = 64 skbs).
//
//   owners: 2 x TXR_CLEAN_MAX u32 (sk[], then truesize[]): where a clean
//   writes the sockets to credit, read by JS through a view.
import { reserve, zero } from "./layout";
import { skb_col, SKB_NONE, SKB_SK, SKB_TRUESIZE } from "./skb";

export const TXR_REC_U32: u32 = 8;
export const TXR_REC_BYTES: u32 = TXR_REC_U32 << 2;
export const TXD_U32: u32 = 4;
export const TXD_BYTES: u32 = TXD_U32 << 2;
export const TXR_SIZE_MAX: u32 = 1 << 24;
export const TXR_STAGE: u32 = 64;
/** Most descriptors one txring_clean frees (the TX NAPI budget, 256). */
export const TXR_CLEAN_MAX: u32 = 256;

const O_HEAD: usize = 0;
const O_USED: usize = 4;
const O_UNSENT: usize = 8;
const O_SIZE: usize = 12;
const O_BASE: usize = 16;
const O_CLEANED: usize = 20;
const O_FREED: usize = 24;

const D_H: usize = 0;
const D_BYTES: usize = 4;
const D_SK: usize = 8;
const D_TRUE: usize = 12;

let recs: usize = 0;
let descs: usize = 0;
let stage: usize = 0;
let owners: usize = 0;
let maxRings: u32 = 0;
let slots: u32 = 0;
let ringCount: u32 = 0;
let slotsUsed: u32 = 0;

export function txring_plan(rings: u32, descriptors: u32): void {
  maxRings = rings;
  slots = descriptors;
  recs = reserve(<usize>rings * TXR_REC_BYTES);
  descs = reserve(<usize>descriptors * TXD_BYTES);
  stage = reserve(<usize>TXR_STAGE << 3);
  owners = reserve(<usize>TXR_CLEAN_MAX << 3);
}

export function txring_init(): void {
  zero(recs, <usize>maxRings * TXR_REC_BYTES);
  zero(descs, <usize>slots * TXD_BYTES);
  zero(stage, <usize>TXR_STAGE << 3);
  zero(owners, <usize>TXR_CLEAN_MAX << 3);
  ringCount = 0;
  slotsUsed = 0;
}

@inline function rec(id: u32): usize {
  return recs + <usize>id * TXR_REC_BYTES;
}

/** A ring of `size` descriptors; its id, or -1 when size is outside
 *  [1, 2^24] or the ring table / descriptor table is exhausted (the TS layer
 *  tells which with txring_created / txring_slots_used). */
export function txring_create(size: u32): i32 {
  if (size < 1 || size > TXR_SIZE_MAX) return -1;
  if (ringCount >= maxRings || size > slots - slotsUsed) return -1;
  const id = ringCount;
  const r = rec(id);
  zero(r, TXR_REC_BYTES);
  store<u32>(r, size, O_SIZE);
  store<u32>(r, slotsUsed, O_BASE);
  slotsUsed += size;
  ringCount = id + 1;
  return <i32>id;
}

/** ndo_start_xmit for the n skbs staged at src as (handle, bytes) pairs, in
 *  order: each gets the next free descriptor with its skb's sk and truesize
 *  (the owner sock_wfree credits at completion). Posts min(n, free) and
 *  returns how many; the caller stops its queue when the ring fills. */
export function txring_post_burst(id: u32, src: usize, n: u32): u32 {
  if (id >= ringCount) return 0;
  const r = rec(id);
  const size = load<u32>(r, O_SIZE);
  const used = load<u32>(r, O_USED);
  const k = n < size - used ? n : size - used;
  const base = load<u32>(r, O_BASE);
  const skCol = skb_col(SKB_SK);
  const trueCol = skb_col(SKB_TRUESIZE);
  let i = load<u32>(r, O_HEAD) + used;
  if (i >= size) i -= size;
  for (let j: u32 = 0; j < k; j++) {
    const h = load<u32>(src + (<usize>j << 3));
    const d = descs + (<usize>(base + i) << 4);
    store<u32>(d, h, D_H);
    store<u32>(d, load<u32>(src + (<usize>j << 3), 4), D_BYTES);
    store<u32>(d, load<u32>(skCol + (<usize>h << 2)), D_SK);
    store<u32>(d, load<u32>(trueCol + (<usize>h << 2)), D_TRUE);
    i = i + 1 == size ? 0 : i + 1;
  }
  store<u32>(r, used + k, O_USED);
  store<u32>(r, load<u32>(r, O_UNSENT) + k, O_UNSENT);
  return k;
}

/** The wire takes up to max posted descriptors' handles, oldest first, into
 *  out[0..k); their descriptors stay in use until completion. Returns k. */
export function txring_take_burst(id: u32, out: usize, max: u32): u32 {
  if (id >= ringCount) return 0;
  const r = rec(id);
  const unsent = load<u32>(r, O_UNSENT);
  const k = max < unsent ? max : unsent;
  const size = load<u32>(r, O_SIZE);
  const base = load<u32>(r, O_BASE);
  let i = load<u32>(r, O_HEAD) + load<u32>(r, O_USED) - unsent;
  if (i >= size) i -= size;
  for (let j: u32 = 0; j < k; j++) {
    store<u32>(out + (<usize>j << 2), load<u32>(descs + (<usize>(base + i) << 4), D_H));
    i = i + 1 == size ? 0 : i + 1;
  }
  store<u32>(r, unsent - k, O_UNSENT);
  return k;
}

/** The driver's clean_tx_irq over up to k descriptors the wire is done with
 *  (never one it has not taken, at most TXR_CLEAN_MAX): frees them oldest
 *  first, leaves their bytes' sum and count in the record's `cleaned` and
 *  `freed` words (for netdev_tx_completed_queue) and writes the owners to
 *  credit (sk != none) to the owners area, sk[] then truesize[]. Returns how
 *  many owners. */
export function txring_clean(id: u32, k: u32): u32 {
  if (id >= ringCount) return 0;
  const r = rec(id);
  const used = load<u32>(r, O_USED);
  const taken = used - load<u32>(r, O_UNSENT);
  let m = k < taken ? k : taken;
  if (m > TXR_CLEAN_MAX) m = TXR_CLEAN_MAX;
  const outSk = owners;
  const outTrue = owners + (<usize>TXR_CLEAN_MAX << 2);
  const size = load<u32>(r, O_SIZE);
  const base = load<u32>(r, O_BASE);
  let i = load<u32>(r, O_HEAD);
  let bytes: u32 = 0;
  let nf: u32 = 0;
  for (let j: u32 = 0; j < m; j++) {
    const d = descs + (<usize>(base + i) << 4);
    bytes += load<u32>(d, D_BYTES);
    const sk = load<u32>(d, D_SK);
    if (sk != SKB_NONE) {
      store<u32>(outSk + (<usize>nf << 2), sk);
      store<u32>(outTrue + (<usize>nf << 2), load<u32>(d, D_TRUE));
      nf++;
    }
    i = i + 1 == size ? 0 : i + 1;
  }
  store<u32>(r, i, O_HEAD);
  store<u32>(r, used - m, O_USED);
  store<u32>(r, bytes, O_CLEANED);
  store<u32>(r, m, O_FREED);
  return nf;
}

export function txring_recs_ptr(): usize { return recs; }
export function txring_descs_ptr(): usize { return descs; }
export function txring_stage_ptr(): usize { return stage; }
export function txring_owners_ptr(): usize { return owners; }
export function txring_max(): u32 { return maxRings; }
export function txring_slots(): u32 { return slots; }
export function txring_created(): u32 { return ringCount; }
export function txring_slots_used(): u32 { return slotsUsed; }
