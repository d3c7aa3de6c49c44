// Linear-memory planner: every table of the core is reserved here, once, at
// core_init. Memory never grows: it is imported (asconfig importMemory), and
// src/core/loader.ts creates it at the plan's size (core_plan_pages on a
// throw-away instance) before the core's instance exists. So the typed-array
// views that the TypeScript layer builds over `memory.buffer` never detach,
// and neither does any ArrayBuffer: in V8 the first detach of any
// ArrayBuffer in a process (a WebAssembly memory.grow detaches the memory's
// old buffer) invalidates the process-wide ArrayBufferDetaching protector,
// and every optimised typed-array access in all JS code then checks for a
// detached buffer (README, *Benchmarks*).
//
// Init runs in two phases so that no subsystem writes memory it does not own
// yet: plan (each subsystem calls reserve() and keeps the returned offsets),
// then commit (check that the memory covers the plan), then each subsystem
// fills its tables.
//
//   0            __heap_base                                            end
//   +------------+--------------------------------------------------------+
//   | AS static  | reserved regions, 64-byte aligned, in the order that   |
//   | data       | core_init plans them (see index.ts for the full map)   |
//   +------------+--------------------------------------------------------+

const CACHE_LINE: usize = 64;

let planTop: usize = 0;
let committed = false;

export function layout_reset(): void {
  planTop = (__heap_base + CACHE_LINE - 1) & ~(CACHE_LINE - 1);
  committed = false;
}

/** Reserve `bytes` (rounded up to a cache line); returns the region's offset. */
export function reserve(bytes: usize): usize {
  const at = planTop;
  planTop += (bytes + CACHE_LINE - 1) & ~(CACHE_LINE - 1);
  return at;
}

/** 64 KiB pages that back the plan so far. */
export function layout_pages(): i32 {
  return <i32>((planTop + 0xffff) >>> 16);
}

/** Check that the memory backs the whole plan; false (and nothing grown) if
 *  it is smaller: the host created it for another plan. */
export function layout_commit(): bool {
  if (layout_pages() > memory.size()) return false;
  committed = true;
  return true;
}

export function layout_is_committed(): bool {
  return committed;
}

/** Bytes of linear memory in use by the plan (for the report and tests). */
export function layout_bytes(): usize {
  return planTop;
}

/** Zero a region (memory.fill is a single bulk-memory instruction). */
@inline export function zero(ptr: usize, bytes: usize): void {
  memory.fill(ptr, 0, bytes);
}
