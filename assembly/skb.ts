// skb pool: packets are u32 handles, never objects. Metadata lives in
// struct-of-arrays columns (one array per field, indexed by handle) and every
// skb owns SKB_HEADROOM bytes of real header bytes; the payload is a length.
//
//   skb columns (N = pool size; each column N entries, 64-byte aligned, then
//   one spare cache line so that columns do not alias in the caches)
//   +--------------------+  u32 len          skb->len: bytes on the wire/at this layer
//   | u32 x SKB_U32_COLS |  u32 hdr_len      real header bytes present (<= 128)
//   |  one array each    |  u32 mac/network/transport   offsets into the header bytes
//   |                    |  u32 protocol     ethertype (host order)
//   |                    |  u32 hash, hash_flags (L4 | SW)
//   |                    |  u32 queue, cpu, gso_size, gso_segs, gso_type
//   |                    |  u32 flags, truesize, sk, next, mark, live
//   +--------------------+
//   | f64 x SKB_F64_COLS |  f64 tstamp (EDT departure ns), f64 born (created ns)
//   +--------------------+
//   | headers  N x 128 B |  skb h's bytes at headers + h*128
//   +--------------------+
//   | free stack  N x u32|  handles not in use; top = free count
//   +--------------------+
//   | stats    f64 x 8   |  alloc, freed, alloc_fail, bad_free (see SKB_STAT_*)
//   +--------------------+
//   | pending  u32 x 257 |  [0] = count k, [1..k] handles freed by TS (already
//   +--------------------+  marked not live) whose push onto the free stack is
//                           deferred; see skb_free_pending
import { reserve, zero } from "./layout";

export const SKB_HEADROOM: u32 = 128;
export const SKB_NONE: u32 = 0xffffffff;

// u32 column indices (TS mirrors these in src/core/skb-fields.ts)
export const SKB_LEN: u32 = 0;
export const SKB_HDR_LEN: u32 = 1;
export const SKB_MAC: u32 = 2;
export const SKB_NETWORK: u32 = 3;
export const SKB_TRANSPORT: u32 = 4;
export const SKB_PROTOCOL: u32 = 5;
export const SKB_HASH: u32 = 6;
export const SKB_HASH_FLAGS: u32 = 7;
export const SKB_QUEUE: u32 = 8;
export const SKB_CPU: u32 = 9;
export const SKB_GSO_SIZE: u32 = 10;
export const SKB_GSO_SEGS: u32 = 11;
export const SKB_GSO_TYPE: u32 = 12;
export const SKB_FLAGS: u32 = 13;
export const SKB_TRUESIZE: u32 = 14;
export const SKB_SK: u32 = 15;
export const SKB_NEXT: u32 = 16;
export const SKB_MARK: u32 = 17;
export const SKB_LIVE: u32 = 18;
export const SKB_U32_COLS: u32 = 19;

// f64 column indices
export const SKB_TSTAMP: u32 = 0;
export const SKB_BORN: u32 = 1;
export const SKB_F64_COLS: u32 = 2;

// hash_flags bits (skb->l4_hash, skb->sw_hash)
export const HASH_L4: u32 = 1;
export const HASH_SW: u32 = 2;

// stats (f64 so that long runs cannot wrap)
export const SKB_STAT_ALLOC: u32 = 0;
export const SKB_STAT_FREED: u32 = 1;
export const SKB_STAT_ALLOC_FAIL: u32 = 2;
export const SKB_STAT_BAD_FREE: u32 = 3;
const SKB_STATS: u32 = 8;

let poolSize: u32 = 0;
let u32Cols: usize = 0;
let colStride: usize = 0; // bytes between two u32 columns
let f64Cols: usize = 0;
let f64Stride: usize = 0;
let headers: usize = 0;
let freeStack: usize = 0;
let freeTop: u32 = 0;
let stats: usize = 0;
let pending: usize = 0;

/** Handles TS may queue in the pending-free area before it must drain it. */
export const SKB_PENDING_CAP: u32 = 256;

function roundLine(bytes: usize): usize {
  return (bytes + 63) & ~(<usize>63);
}

// A column of a power-of-two pool is a power of two bytes long, so with
// columns back to back every field of one skb would sit in the same L1/L2 set
// and the ~20 fields a packet touches would evict each other (resetting an skb
// cost ~50 ns). One extra cache line per column spreads them over the sets.
function colBytes(bytes: usize): usize {
  return roundLine(bytes) + 64;
}

export function skb_plan(n: u32): void {
  poolSize = n;
  colStride = colBytes(<usize>n << 2);
  f64Stride = colBytes(<usize>n << 3);
  u32Cols = reserve(colStride * SKB_U32_COLS);
  f64Cols = reserve(f64Stride * SKB_F64_COLS);
  headers = reserve(<usize>n * SKB_HEADROOM);
  freeStack = reserve(<usize>n << 2);
  stats = reserve(SKB_STATS << 3);
  pending = reserve((<usize>SKB_PENDING_CAP + 1) << 2);
}

export function skb_init(): void {
  zero(u32Cols, colStride * SKB_U32_COLS);
  zero(f64Cols, f64Stride * SKB_F64_COLS);
  zero(stats, SKB_STATS << 3);
  zero(pending, (<usize>SKB_PENDING_CAP + 1) << 2);
  // Lowest handles come out first: handle h sits at stack[n-1-h].
  for (let i: u32 = 0; i < poolSize; i++) {
    store<u32>(freeStack + (<usize>i << 2), poolSize - 1 - i);
  }
  freeTop = poolSize;
  const next = u32Cols + colStride * SKB_NEXT;
  const sk = u32Cols + colStride * SKB_SK;
  for (let h: u32 = 0; h < poolSize; h++) {
    store<u32>(next + (<usize>h << 2), SKB_NONE);
    store<u32>(sk + (<usize>h << 2), SKB_NONE);
  }
}

@inline export function skb_col(col: u32): usize {
  return u32Cols + colStride * col;
}
@inline export function skb_fcol(col: u32): usize {
  return f64Cols + f64Stride * col;
}
@inline export function skb_get(col: u32, h: u32): u32 {
  return load<u32>(u32Cols + colStride * col + (<usize>h << 2));
}
@inline export function skb_set(col: u32, h: u32, v: u32): void {
  store<u32>(u32Cols + colStride * col + (<usize>h << 2), v);
}
@inline export function skb_hdr(h: u32): usize {
  return headers + <usize>h * SKB_HEADROOM;
}
@inline function statAdd(i: u32, v: f64): void {
  const p = stats + (<usize>i << 3);
  store<f64>(p, load<f64>(p) + v);
}

/** Push the handles TS freed (skb_pending_ptr) onto the free stack, in the
 *  order they were freed. TS clears `live` when it queues a handle, so the
 *  pool's state is exactly that of eager frees once this has run; every
 *  function below that touches the free stack runs it first, which keeps
 *  handle reuse order identical to freeing one call at a time. */
export function skb_free_pending(): u32 {
  const k = load<u32>(pending);
  if (k == 0) return 0;
  const n = k < SKB_PENDING_CAP ? k : SKB_PENDING_CAP;
  for (let i: u32 = 0; i < n; i++) {
    store<u32>(freeStack + (<usize>freeTop << 2), load<u32>(pending + (<usize>(i + 1) << 2)));
    freeTop++;
  }
  store<u32>(pending, 0);
  statAdd(SKB_STAT_FREED, <f64>n);
  return n;
}

@inline function drain(): void {
  if (load<u32>(pending) != 0) skb_free_pending();
}

export function skb_pending_ptr(): usize { return pending; }

/** Reset one skb's metadata to the state of a fresh allocation: every one of
 *  the SKB_U32_COLS + SKB_F64_COLS columns stored once, unrolled and inlined
 *  (a per-allocation call that zeroed all columns in a loop, then overwrote
 *  six, cost ~12 ns per skb in a burst of 1024; this ~5 ns). A new column
 *  must be added here (test/core/skb-reset.test.ts fails otherwise). */
@inline function resetSkb(h: u32): void {
  const st = colStride;
  const p = u32Cols + (<usize>h << 2);
  store<u32>(p + st * SKB_LEN, 0);
  store<u32>(p + st * SKB_HDR_LEN, 0);
  store<u32>(p + st * SKB_MAC, 0xff);
  store<u32>(p + st * SKB_NETWORK, 0xff);
  store<u32>(p + st * SKB_TRANSPORT, 0xff);
  store<u32>(p + st * SKB_PROTOCOL, 0);
  store<u32>(p + st * SKB_HASH, 0);
  store<u32>(p + st * SKB_HASH_FLAGS, 0);
  store<u32>(p + st * SKB_QUEUE, 0);
  store<u32>(p + st * SKB_CPU, 0);
  store<u32>(p + st * SKB_GSO_SIZE, 0);
  store<u32>(p + st * SKB_GSO_SEGS, 0);
  store<u32>(p + st * SKB_GSO_TYPE, 0);
  store<u32>(p + st * SKB_FLAGS, 0);
  store<u32>(p + st * SKB_TRUESIZE, 0);
  store<u32>(p + st * SKB_SK, SKB_NONE);
  store<u32>(p + st * SKB_NEXT, SKB_NONE);
  store<u32>(p + st * SKB_MARK, 0);
  store<u32>(p + st * SKB_LIVE, 1);
  const q = f64Cols + (<usize>h << 3);
  store<f64>(q + f64Stride * SKB_TSTAMP, 0);
  store<f64>(q + f64Stride * SKB_BORN, 0);
}

/** Allocate up to n skbs, writing handles to out[0..k). Returns k; the
 *  shortfall n-k is counted as alloc_fail (pool exhaustion), never a trap. */
export function skb_alloc_burst(out: usize, n: u32, now: f64): u32 {
  drain();
  const k = n < freeTop ? n : freeTop;
  const born = skb_fcol(SKB_BORN);
  for (let i: u32 = 0; i < k; i++) {
    freeTop--;
    const h = load<u32>(freeStack + (<usize>freeTop << 2));
    resetSkb(h);
    store<f64>(born + (<usize>h << 3), now);
    store<u32>(out + (<usize>i << 2), h);
  }
  statAdd(SKB_STAT_ALLOC, <f64>k);
  if (k < n) statAdd(SKB_STAT_ALLOC_FAIL, <f64>(n - k));
  return k;
}

/** A fresh segment of skb_segment: every column of skb src stored once into
 *  h (no resetSkb first), except the GSO fields (0), next (none) and live (1).
 *  Most are what __copy_skb_header copies (tstamp, queue_mapping, the headers
 *  group: protocol, hash, mark...); not sk ("We do not copy old->sk",
 *  net/core/skbuff.c), which tcp_gso_segment gives each segment when the
 *  destructor is tcp_wfree (copy_destructor, net/ipv4/tcp_offload.c), nor len
 *  and truesize, skb_segment's own per segment (the caller overwrites them).
 *  Like resetSkb it names every column: a new one must be added here too
 *  (test/gso/alloc-copy.test.ts fails otherwise). */
@inline function copySkb(h: u32, src: u32): void {
  const st = colStride;
  const p = u32Cols + (<usize>h << 2);
  const s = u32Cols + (<usize>src << 2);
  store<u32>(p + st * SKB_LEN, load<u32>(s + st * SKB_LEN));
  store<u32>(p + st * SKB_HDR_LEN, load<u32>(s + st * SKB_HDR_LEN));
  store<u32>(p + st * SKB_MAC, load<u32>(s + st * SKB_MAC));
  store<u32>(p + st * SKB_NETWORK, load<u32>(s + st * SKB_NETWORK));
  store<u32>(p + st * SKB_TRANSPORT, load<u32>(s + st * SKB_TRANSPORT));
  store<u32>(p + st * SKB_PROTOCOL, load<u32>(s + st * SKB_PROTOCOL));
  store<u32>(p + st * SKB_HASH, load<u32>(s + st * SKB_HASH));
  store<u32>(p + st * SKB_HASH_FLAGS, load<u32>(s + st * SKB_HASH_FLAGS));
  store<u32>(p + st * SKB_QUEUE, load<u32>(s + st * SKB_QUEUE));
  store<u32>(p + st * SKB_CPU, load<u32>(s + st * SKB_CPU));
  store<u32>(p + st * SKB_GSO_SIZE, 0);
  store<u32>(p + st * SKB_GSO_SEGS, 0);
  store<u32>(p + st * SKB_GSO_TYPE, 0);
  store<u32>(p + st * SKB_FLAGS, load<u32>(s + st * SKB_FLAGS));
  store<u32>(p + st * SKB_TRUESIZE, load<u32>(s + st * SKB_TRUESIZE));
  store<u32>(p + st * SKB_SK, load<u32>(s + st * SKB_SK));
  store<u32>(p + st * SKB_NEXT, SKB_NONE);
  store<u32>(p + st * SKB_MARK, load<u32>(s + st * SKB_MARK));
  store<u32>(p + st * SKB_LIVE, 1);
  const q = f64Cols + (<usize>h << 3);
  const r = f64Cols + (<usize>src << 3);
  store<f64>(q + f64Stride * SKB_TSTAMP, load<f64>(r + f64Stride * SKB_TSTAMP));
  store<f64>(q + f64Stride * SKB_BORN, load<f64>(r + f64Stride * SKB_BORN));
}

/** Allocate up to n skbs as copies of live skb src's metadata (copySkb),
 *  handles to out[0..k); counted as skb_alloc_burst counts. For GSO's
 *  segments, which would otherwise be reset and then written again. */
export function skb_alloc_copy_burst(out: usize, n: u32, src: u32): u32 {
  drain();
  const k = n < freeTop ? n : freeTop;
  for (let i: u32 = 0; i < k; i++) {
    freeTop--;
    const h = load<u32>(freeStack + (<usize>freeTop << 2));
    copySkb(h, src);
    store<u32>(out + (<usize>i << 2), h);
  }
  statAdd(SKB_STAT_ALLOC, <f64>k);
  if (k < n) statAdd(SKB_STAT_ALLOC_FAIL, <f64>(n - k));
  return k;
}

/** Free n handles read from in[0..n). A handle that is out of range or not
 *  live is skipped and counted as bad_free, so a caller bug cannot corrupt
 *  the free stack. Returns the number actually freed. */
export function skb_free_burst(inp: usize, n: u32): u32 {
  drain();
  const live = skb_col(SKB_LIVE);
  let freed: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const h = load<u32>(inp + (<usize>i << 2));
    if (h >= poolSize || load<u32>(live + (<usize>h << 2)) == 0) {
      statAdd(SKB_STAT_BAD_FREE, 1);
      continue;
    }
    store<u32>(live + (<usize>h << 2), 0);
    store<u32>(freeStack + (<usize>freeTop << 2), h);
    freeTop++;
    freed++;
  }
  statAdd(SKB_STAT_FREED, <f64>freed);
  return freed;
}

/** Free every skb on a SKB_NEXT-linked list starting at head. */
export function skb_free_list(head: u32): u32 {
  drain();
  const live = skb_col(SKB_LIVE);
  let freed: u32 = 0;
  let h = head;
  while (h != SKB_NONE) {
    if (h >= poolSize || load<u32>(live + (<usize>h << 2)) == 0) {
      statAdd(SKB_STAT_BAD_FREE, 1);
      break;
    }
    const nxt = skb_get(SKB_NEXT, h);
    store<u32>(live + (<usize>h << 2), 0);
    store<u32>(freeStack + (<usize>freeTop << 2), h);
    freeTop++;
    freed++;
    h = nxt;
  }
  statAdd(SKB_STAT_FREED, <f64>freed);
  return freed;
}

export function skb_pool_size(): u32 { return poolSize; }
export function skb_live_count(): u32 { drain(); return poolSize - freeTop; }
export function skb_free_count(): u32 { drain(); return freeTop; }
export function skb_u32_cols_ptr(): usize { return u32Cols; }
export function skb_u32_col_stride(): usize { return colStride; }
export function skb_f64_cols_ptr(): usize { return f64Cols; }
export function skb_f64_col_stride(): usize { return f64Stride; }
export function skb_headers_ptr(): usize { return headers; }
export function skb_stats_ptr(): usize { return stats; }

/** One skb for TS paths that build packets one at a time (a traffic source
 *  firing); returns SKB_NONE when the pool is empty (counted). */
export function skb_alloc_one(now: f64): u32 {
  drain();
  if (freeTop == 0) {
    statAdd(SKB_STAT_ALLOC_FAIL, 1);
    return SKB_NONE;
  }
  freeTop--;
  const h = load<u32>(freeStack + (<usize>freeTop << 2));
  resetSkb(h);
  store<f64>(skb_fcol(SKB_BORN) + (<usize>h << 3), now);
  statAdd(SKB_STAT_ALLOC, 1);
  return h;
}

/** Free one skb; false (and counted as bad_free) if it was not live. */
export function skb_free_one(h: u32): bool {
  drain();
  const live = skb_col(SKB_LIVE);
  if (h >= poolSize || load<u32>(live + (<usize>h << 2)) == 0) {
    statAdd(SKB_STAT_BAD_FREE, 1);
    return false;
  }
  store<u32>(live + (<usize>h << 2), 0);
  store<u32>(freeStack + (<usize>freeTop << 2), h);
  freeTop++;
  statAdd(SKB_STAT_FREED, 1);
  return true;
}
