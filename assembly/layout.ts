// Linear-memory planner: every table of the core is reserved here, once, at
// core_init. Nothing grows afterwards, so the typed-array views that the
// TypeScript layer builds over `memory.buffer` never detach.
//
// Init runs in two phases so that no subsystem writes memory it does not own
// yet: plan (each subsystem calls reserve() and keeps the returned offsets),
// then commit (one memory.grow to cover the plan), then each subsystem fills
// its tables.
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

/** Grow memory once so that the whole plan is backed. Returns false if the
 *  host refused the growth (the plan is too large for the engine). */
export function layout_commit(): bool {
  const needPages = <i32>((planTop + 0xffff) >>> 16);
  const havePages = memory.size();
  if (needPages > havePages) {
    if (memory.grow(needPages - havePages) < 0) return false;
  }
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
