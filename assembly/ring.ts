// Descriptor rings: power-of-two FIFOs of u32 skb handles, single producer /
// single consumer, with DPDK's burst semantics (lib/ring/rte_ring.h:
// rte_ring_enqueue_burst / rte_ring_dequeue_burst). They model NIC RX/TX
// descriptor rings and the per-CPU backlog. The simulator is single threaded,
// so head and tail are plain loads and stores: no CAS, no barriers.
//
// Both regions are reserved by ring_plan at core_init; ring_create only
// carves a slot range out of the arena, so memory never grows at run time.
//
//   descriptor table: maxRings records x RING_DESC_BYTES (128 B, 2 cache lines)
//   +---------------------------------------------------------------+
//   | u32 [0] head      producer index, free running (wraps at 2^32)|
//   | u32 [1] tail      consumer index, free running                |
//   | u32 [2] mask      size - 1                                    |
//   | u32 [3] size      power of two in [2, 2^24]                   |
//   | u32 [4] base      byte address of the ring's first slot       |
//   | u32 [5] slot      index of that slot within the arena         |
//   | u32 [6] hwm       highest occupancy seen (count <= 2^24)      |
//   | u32 [7] (spare)                                               |
//   +---------------------------------------------------------------+ byte 32
//   | f64 enqueued      handles accepted                            |
//   | f64 dequeued      handles handed out                          |
//   | f64 full          handles refused because the ring was full   |
//   | f64 full_events   enqueue calls that refused >= 1 handle      |
//   | f64 empty         dequeue calls (max > 0) that found it empty |
//   | f64 reset         handles discarded (and returned) by reset   |
//   | f64 x 6 (spare)                                               |
//   +---------------------------------------------------------------+ byte 128
//   Counters are f64, as the skb pool's stats: a 100 Mpps ring would wrap
//   a u32 in 43 s, f64 counts exactly to 2^53. Invariant per ring:
//   enqueued = dequeued + reset + (head - tail).
//
//   slot arena: ringSlots x u32, bump-allocated by ring_create, never freed
//   +-----------------+--------------------------+----------------+-------+
//   | ring 0 (size 0) | ring 1 (size 1)          | ring 2 ...     | free  |
//   +-----------------+--------------------------+----------------+-------+
//   A ring's handle for index i sits at base + (i & mask) * 4.
import { reserve, zero } from "./layout";

/** Returned by ring_dequeue / ring_peek when there is nothing to return. */
export const RING_NONE: u32 = 0xffffffff;
export const RING_SIZE_MAX: u32 = 1 << 24;

// Descriptor record: stride and field indices in u32 words (the f64 counters
// are in f64 words: record index * RING_DESC_U32/2 + RING_F64_*).
export const RING_DESC_U32: u32 = 32;
export const RING_DESC_BYTES: u32 = RING_DESC_U32 << 2;
export const RING_HEAD: u32 = 0;
export const RING_TAIL: u32 = 1;
export const RING_MASK: u32 = 2;
export const RING_SIZE: u32 = 3;
export const RING_BASE: u32 = 4;
export const RING_SLOT: u32 = 5;
export const RING_HWM: u32 = 6;
export const RING_F64_ENQUEUED: u32 = 4;
export const RING_F64_DEQUEUED: u32 = 5;
export const RING_F64_FULL: u32 = 6;
export const RING_F64_FULL_EVENTS: u32 = 7;
export const RING_F64_EMPTY: u32 = 8;
export const RING_F64_RESET: u32 = 9;

// Byte offsets, for load/store immediates.
const O_HEAD: usize = 0;
const O_TAIL: usize = 4;
const O_MASK: usize = 8;
const O_SIZE: usize = 12;
const O_BASE: usize = 16;
const O_SLOT: usize = 20;
const O_HWM: usize = 24;
const O_ENQ: usize = 32;
const O_DEQ: usize = 40;
const O_FULL: usize = 48;
const O_FULL_EV: usize = 56;
const O_EMPTY: usize = 64;
const O_RESET: usize = 72;

// Up to this many handles a scalar loop beats memory.copy's fixed cost in V8
// (measured on Node 20: loop ahead at bursts of 2-8, memory.copy from 16).
const COPY_LOOP_MAX: u32 = 8;

let desc: usize = 0;
let arena: usize = 0;
let maxRings: u32 = 0;
let arenaSlots: u32 = 0;
let ringCount: u32 = 0;
let slotsUsed: u32 = 0;

export function ring_plan(rings: u32, slots: u32): void {
  maxRings = rings;
  arenaSlots = slots;
  desc = reserve(<usize>rings * RING_DESC_BYTES);
  arena = reserve(<usize>slots << 2);
}

export function ring_init(): void {
  zero(desc, <usize>maxRings * RING_DESC_BYTES);
  zero(arena, <usize>arenaSlots << 2);
  ringCount = 0;
  slotsUsed = 0;
}

@inline function rec(id: u32): usize {
  return desc + <usize>id * RING_DESC_BYTES;
}

@inline function copyU32(dst: usize, src: usize, n: u32): void {
  if (n <= COPY_LOOP_MAX) {
    for (let i: usize = 0; i < <usize>n; i++) {
      store<u32>(dst + (i << 2), load<u32>(src + (i << 2)));
    }
  } else {
    memory.copy(dst, src, <usize>n << 2);
  }
}

/** Carve a ring of `size` slots from the arena. Returns its id, or -1 when
 *  size is not a power of two in [2, 2^24] or when the descriptor table
 *  (maxRings) or the arena (ringSlots) is exhausted. The TS layer tells the
 *  three apart with ring_created / ring_slots_used. */
export function ring_create(size: u32): i32 {
  if (size < 2 || size > RING_SIZE_MAX || (size & (size - 1)) != 0) return -1;
  if (ringCount >= maxRings) return -1;
  if (size > arenaSlots - slotsUsed) return -1;
  const id = ringCount;
  const d = rec(id);
  zero(d, RING_DESC_BYTES);
  store<u32>(d, size - 1, O_MASK);
  store<u32>(d, size, O_SIZE);
  store<u32>(d, <u32>(arena + (<usize>slotsUsed << 2)), O_BASE);
  store<u32>(d, slotsUsed, O_SLOT);
  slotsUsed += size;
  ringCount = id + 1;
  return <i32>id;
}

/** Enqueue up to n handles read from src[0..n). Returns how many fit (k);
 *  the other n-k are not taken and are counted as `full`, with one
 *  `full_event` per refusing call — the caller still owns them (the driver
 *  drops and counts, as with rte_ring_enqueue_burst). */
export function ring_enqueue_burst(id: u32, src: usize, n: u32): u32 {
  if (id >= ringCount) return 0;
  const d = rec(id);
  const head = load<u32>(d, O_HEAD);
  const size = load<u32>(d, O_SIZE);
  const used = head - load<u32>(d, O_TAIL);
  const free = size - used;
  let k = n;
  if (k > free) {
    k = free;
    store<f64>(d, load<f64>(d, O_FULL) + <f64>(n - k), O_FULL);
    store<f64>(d, load<f64>(d, O_FULL_EV) + 1, O_FULL_EV);
  }
  if (k == 0) return 0;
  const base = <usize>load<u32>(d, O_BASE);
  const idx = head & (size - 1);
  const room = size - idx; // slots before the arena wraps back to base
  if (k <= room) {
    copyU32(base + (<usize>idx << 2), src, k);
  } else {
    copyU32(base + (<usize>idx << 2), src, room);
    copyU32(base, src + (<usize>room << 2), k - room);
  }
  store<u32>(d, head + k, O_HEAD);
  store<f64>(d, load<f64>(d, O_ENQ) + <f64>k, O_ENQ);
  const occ = used + k;
  if (occ > load<u32>(d, O_HWM)) store<u32>(d, occ, O_HWM);
  return k;
}

/** Dequeue up to max handles into out[0..k), oldest first; returns k. A call
 *  with max > 0 that finds the ring empty counts one `empty`. */
export function ring_dequeue_burst(id: u32, out: usize, max: u32): u32 {
  if (id >= ringCount) return 0;
  const d = rec(id);
  const tail = load<u32>(d, O_TAIL);
  const used = load<u32>(d, O_HEAD) - tail;
  const k = max < used ? max : used;
  if (k == 0) {
    if (max != 0) store<f64>(d, load<f64>(d, O_EMPTY) + 1, O_EMPTY);
    return 0;
  }
  const size = load<u32>(d, O_SIZE);
  const base = <usize>load<u32>(d, O_BASE);
  const idx = tail & (size - 1);
  const room = size - idx;
  if (k <= room) {
    copyU32(out, base + (<usize>idx << 2), k);
  } else {
    copyU32(out, base + (<usize>idx << 2), room);
    copyU32(out + (<usize>room << 2), base, k - room);
  }
  store<u32>(d, tail + k, O_TAIL);
  store<f64>(d, load<f64>(d, O_DEQ) + <f64>k, O_DEQ);
  return k;
}

/** Single-handle enqueue for WASM-internal producers (NIC, backlog). */
export function ring_enqueue(id: u32, h: u32): bool {
  if (id >= ringCount) return false;
  const d = rec(id);
  const head = load<u32>(d, O_HEAD);
  const used = head - load<u32>(d, O_TAIL);
  if (used >= load<u32>(d, O_SIZE)) {
    store<f64>(d, load<f64>(d, O_FULL) + 1, O_FULL);
    store<f64>(d, load<f64>(d, O_FULL_EV) + 1, O_FULL_EV);
    return false;
  }
  store<u32>(<usize>load<u32>(d, O_BASE) + (<usize>(head & load<u32>(d, O_MASK)) << 2), h);
  store<u32>(d, head + 1, O_HEAD);
  store<f64>(d, load<f64>(d, O_ENQ) + 1, O_ENQ);
  if (used + 1 > load<u32>(d, O_HWM)) store<u32>(d, used + 1, O_HWM);
  return true;
}

/** Single-handle dequeue; RING_NONE (0xffffffff) when empty. */
export function ring_dequeue(id: u32): u32 {
  if (id >= ringCount) return RING_NONE;
  const d = rec(id);
  const tail = load<u32>(d, O_TAIL);
  if (load<u32>(d, O_HEAD) == tail) {
    store<f64>(d, load<f64>(d, O_EMPTY) + 1, O_EMPTY);
    return RING_NONE;
  }
  const h = load<u32>(<usize>load<u32>(d, O_BASE) + (<usize>(tail & load<u32>(d, O_MASK)) << 2));
  store<u32>(d, tail + 1, O_TAIL);
  store<f64>(d, load<f64>(d, O_DEQ) + 1, O_DEQ);
  return h;
}

/** The handle `k` places behind the consumer (0 = next out), without
 *  dequeuing it; RING_NONE when k >= count. */
export function ring_peek(id: u32, k: u32): u32 {
  if (id >= ringCount) return RING_NONE;
  const d = rec(id);
  const tail = load<u32>(d, O_TAIL);
  if (k >= load<u32>(d, O_HEAD) - tail) return RING_NONE;
  return load<u32>(<usize>load<u32>(d, O_BASE) + (<usize>((tail + k) & load<u32>(d, O_MASK)) << 2));
}

/** Handles in the ring (0 for an invalid id). */
export function ring_count(id: u32): u32 {
  if (id >= ringCount) return 0;
  const d = rec(id);
  return load<u32>(d, O_HEAD) - load<u32>(d, O_TAIL);
}

/** Free slots (0 for an invalid id). */
export function ring_free_count(id: u32): u32 {
  if (id >= ringCount) return 0;
  const d = rec(id);
  return load<u32>(d, O_SIZE) - (load<u32>(d, O_HEAD) - load<u32>(d, O_TAIL));
}

/** Empty the ring (head = tail = 0, as rte_ring_reset). Returns how many
 *  handles it held; they are counted in `reset` and stay owned by the caller,
 *  who must account for them (drain with dequeue first to get the handles).
 *  The other counters and hwm are cumulative and survive. */
export function ring_reset(id: u32): u32 {
  if (id >= ringCount) return 0;
  const d = rec(id);
  const n = load<u32>(d, O_HEAD) - load<u32>(d, O_TAIL);
  store<u32>(d, 0, O_HEAD);
  store<u32>(d, 0, O_TAIL);
  store<f64>(d, load<f64>(d, O_RESET) + <f64>n, O_RESET);
  return n;
}

/** TEST ONLY: move both free-running indices (e.g. to just below 2^32 to
 *  exercise wraparound) keeping the occupancy head - tail <= size. Slot
 *  contents are left as they are. Returns false (and changes nothing) for an
 *  invalid id or an occupancy above size. */
export function ring_set_indices(id: u32, head: u32, tail: u32): bool {
  if (id >= ringCount) return false;
  const d = rec(id);
  if (head - tail > load<u32>(d, O_SIZE)) return false;
  store<u32>(d, head, O_HEAD);
  store<u32>(d, tail, O_TAIL);
  return true;
}

/** BENCH ENTRY POINT (bench/ring.bench.js), not for the simulator: `iters`
 *  rounds of enqueue_burst(id, buf, n) then dequeue_burst(id, buf, n) in one
 *  JS->WASM call, to measure the ring without the call boundary. Returns the
 *  handles dequeued in total. */
export function ring_bench_cycle(id: u32, buf: usize, n: u32, iters: u32): f64 {
  let total: f64 = 0;
  for (let i: u32 = 0; i < iters; i++) {
    ring_enqueue_burst(id, buf, n);
    total += <f64>ring_dequeue_burst(id, buf, n);
  }
  return total;
}

export function ring_desc_ptr(): usize { return desc; }
/** Bytes between two descriptor records (RING_DESC_BYTES). */
export function ring_desc_stride(): u32 { return RING_DESC_BYTES; }
export function ring_arena_ptr(): usize { return arena; }
export function ring_max(): u32 { return maxRings; }
export function ring_arena_slots(): u32 { return arenaSlots; }
export function ring_created(): u32 { return ringCount; }
export function ring_slots_used(): u32 { return slotsUsed; }
