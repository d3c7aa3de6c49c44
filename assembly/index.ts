// skbsim WASM core: the one module that owns linear memory.
//
// core_init reserves every table once, in this order (offsets grow down the
// page; each region 64-byte aligned):
//
//   +---------------------------+ __heap_base (after AS static data)
//   | skb pool                  | skb.ts: u32 columns, f64 columns,
//   |                           | N x 128 B headers, free stack, stats
//   +---------------------------+
//   | scratch (io)              | u32 x ioSlots: burst in/out arrays that
//   |                           | TS fills/reads through one Uint32Array
//   +---------------------------+
//   | rings                     | ring.ts: descriptor table (maxRings) +
//   |                           | one slot arena of ringSlots u32 handles
//   +---------------------------+
//   | RSS contexts              | toeplitz.ts: per context key, 36x256 u32
//   |                           | lookup table, RETA of retaMax u32
//   +---------------------------+
//   | timing wheel              | wheel.ts: id table, live bitmap, slot
//   |                           | lists of cells, bitmaps, due array, late
//   |                           | heap, expire output arrays
//   +---------------------------+
//   | GRO contexts              | gro.ts: per NAPI instance, the held
//   |                           | aggregates (8 buckets x MAX_GRO_SKBS)
//   +---------------------------+
//   | BQL                       | dql.ts: one struct dql per TX queue
//   |                           | (dqlQueues x 128 B)
//   +---------------------------+
//   | TX descriptor rings       | tx-ring.ts: one 32 B record per TX
//   |                           | queue (dqlQueues), txRingSlots x 16 B
//   |                           | descriptors, post stage, clean owners
//   +---------------------------+
//   | GSO stats                 | gso.ts: f64 x 16
//   +---------------------------+
//   | TCP header templates      | stamp.ts: 64 x 128 B template bytes,
//   |                           | 64 x 8 u32 per-template offsets and sums
//   +---------------------------+
//   | SipHash keys + message    | siphash.ts: 128 x 64 B key slots (a
//   |                           | host's 4 cookie keys), 64 B message
//   +---------------------------+
//   | cookie SYN-ACK burst      | cookie.ts: 128 rows x 12 u32 (a NAPI
//   |                           | poll's cookie SYN-ACKs)
//   +---------------------------+ layout_bytes(); memory.size() covers it
//
// No export here allocates managed objects; memory never grows (it is
// imported, created by src/core/loader.ts at core_plan_pages' size).
import { layout_reset, layout_commit, layout_pages, reserve, zero } from "./layout";
import { skb_plan, skb_init } from "./skb";
import { ring_plan, ring_init } from "./ring";
import { rss_plan, rss_init } from "./toeplitz";
import { wheel_plan, wheel_init } from "./wheel";
import { gro_plan, gro_init } from "./gro";
import { dql_plan, dql_init } from "./dql";
import { txring_plan, txring_init } from "./tx-ring";
import { gso_plan, gso_init } from "./gso";
import { stamp_plan, stamp_init } from "./stamp";
import { siphash_plan, siphash_init } from "./siphash";
import { cookie_plan, cookie_init } from "./cookie";

export * from "./layout";
export * from "./skb";
export * from "./ring";
export * from "./toeplitz";
export * from "./wheel";
export * from "./gro";
export * from "./dql";
export * from "./tx-ring";
export * from "./gso";
export * from "./stamp";
export * from "./siphash";
export * from "./cookie";
export * from "./napi-gro";
export * from "./listen";

let scratch: usize = 0;
let scratchSlots: u32 = 0;
let initialised = false;

export const CORE_OK: i32 = 0;
export const CORE_ERR_AGAIN: i32 = -1;
export const CORE_ERR_MEMORY: i32 = -2;

/** Plan every region (reserve() calls only, nothing written). */
function core_plan(
  skbCount: u32,
  ioSlots: u32,
  maxRings: u32,
  ringSlots: u32,
  rssContexts: u32,
  retaMax: u32,
  wheelEntries: u32,
  groContexts: u32,
  dqlQueues: u32,
  txRingSlots: u32,
): void {
  layout_reset();
  skb_plan(skbCount);
  scratchSlots = ioSlots;
  scratch = reserve(<usize>ioSlots << 2);
  ring_plan(maxRings, ringSlots);
  rss_plan(rssContexts, retaMax);
  wheel_plan(wheelEntries);
  gro_plan(groContexts);
  dql_plan(dqlQueues);
  txring_plan(dqlQueues, txRingSlots);
  gso_plan();
  stamp_plan();
  siphash_plan();
  cookie_plan();
}

/** 64 KiB pages the plan for these arguments needs. The memory is imported
 *  (asconfig importMemory): src/core/loader.ts calls this on a throw-away
 *  instance, then creates the core's memory at this size, so core_init never
 *  grows it (a grow detaches the memory's old ArrayBuffer). Writes nothing
 *  but the planner's globals; core_init stays callable. */
export function core_plan_pages(
  skbCount: u32,
  ioSlots: u32,
  maxRings: u32,
  ringSlots: u32,
  rssContexts: u32,
  retaMax: u32,
  wheelEntries: u32,
  groContexts: u32,
  dqlQueues: u32,
  txRingSlots: u32,
): i32 {
  core_plan(skbCount, ioSlots, maxRings, ringSlots, rssContexts, retaMax, wheelEntries, groContexts, dqlQueues, txRingSlots);
  return layout_pages();
}

/** Reserve and initialise every table. Ranges are validated by the TS layer
 *  (src/core/config.ts) before this is called; a second call is refused, and
 *  so is a memory smaller than the plan (it is never grown). */
export function core_init(
  skbCount: u32,
  ioSlots: u32,
  maxRings: u32,
  ringSlots: u32,
  rssContexts: u32,
  retaMax: u32,
  wheelEntries: u32,
  groContexts: u32,
  dqlQueues: u32,
  txRingSlots: u32,
): i32 {
  if (initialised) return CORE_ERR_AGAIN;
  core_plan(skbCount, ioSlots, maxRings, ringSlots, rssContexts, retaMax, wheelEntries, groContexts, dqlQueues, txRingSlots);
  if (!layout_commit()) return CORE_ERR_MEMORY;
  skb_init();
  zero(scratch, <usize>ioSlots << 2);
  ring_init();
  rss_init();
  wheel_init();
  gro_init();
  dql_init();
  txring_init();
  gso_init();
  stamp_init();
  siphash_init();
  cookie_init();
  initialised = true;
  return CORE_OK;
}

export function core_scratch_ptr(): usize { return scratch; }
export function core_scratch_slots(): u32 { return scratchSlots; }
export function core_memory_pages(): i32 { return memory.size(); }
