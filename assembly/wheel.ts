// Timing wheel: the simulator's one event queue (and fq's EDT store).
// A hashed hierarchical wheel (Varghese & Lauck, SOSP 1987; Carousel,
// SIGCOMM 2017) whose level-0 slots are granules of 2^12 ns that are sorted
// when drained, so the order stays exact (time, then insertion) to the
// fraction of a ns while an entry makes few moves on its way down.
//
// Ticks, granules and levels (tick = floor(time ns), clamped to 2^62;
// granule = tick >> 12; `cur` = the first granule not yet drained):
//
//   6 levels of 256 slots (8-bit digits) over granules: level L slot s holds
//   granules whose bits above 8(L+1) equal cur's and whose digit L is s. The
//   levels cover 2^48 granules = 2^60 ns (~36 years); other granules wait in
//   one overflow list.
//
//   tick:  | above 60 | d5 | d4 | d3 | d2 | d1 | d0 | 12 bits in the granule |
//   highest bit of (granule ^ cur) in digit L -> level L, slot dL
//   granule < cur -> already drained: the due array or the late heap
//
// An entry is a 20-byte cell (time, arg, id, kind) that moves, whole, with
// every cascade; nothing else records where it is. Cells carry no insertion
// seq: every list is kept in seq order and every sort is stable (below).
// (Version 1 had 1 ns level-0 slots kept in time order: ~230 ns per timer
// with 1M random timers. Version 2 had 32-byte cells with the seq and kind,
// chained through a header cell in each block. Version 3 had 16-byte cells
// and a per-index record of kind and position, for cancel: every cascade and
// drain stored each moved cell's new position at a random place in 8 MB, and
// expire read the kind from there: 2-3 cache misses per timer. Version 4
// cascaded a level-1 slot cell by cell into linked level-0 blocks and
// counting-sorted each granule from them at its drain; version 5 stages it,
// below: each cell is written and read once fewer, and takes one block
// fewer. Sessions 11-15 kept the tick's low 32 bits in a 24-byte cell;
// session 16 dropped them: a sixth fewer bytes through memory per cell for
// one f64 -> integer conversion per cascade, staging and drain key. The 16
// bytes of (time, arg, kind byte << 24 | index) were measured too: the id
// then comes from idTab, a random load per fire, and hold ran 2.3x slower.)
//
// Cancel is lazy. An index's bit in the `live` bitmap (M bits, below: 192
// KB at 1M entries) says it is held: by a pending entry or by a zombie;
// clear, it is free (on the free stack, or waiting for refill: there is no
// separate free bitmap). Cancel checks the id against idTab (the id each
// index was last given) and sets the index's bit in the `zomb` bitmap. The
// cell stays where it is, a *zombie*, until whoever meets it next (a
// cascade, a drain, the due array's head, the late heap's top, a sweep)
// drops it and only then frees its index (both bits cleared). So an index
// is never reused while a cell of it exists (no ABA), and a stale id is
// refused by idTab. A timer's life touches its cell's writes (sequential in
// each block), idTab and its live bit once at schedule (in index order),
// and its live bit once more when it fires (a random word: the one store
// per fire that misses). While no zombie exists (zombies == 0, as in a run
// without cancels) nothing reads the zombie bits: cascades, drains, the due
// head, the heap top and expiry's bulk paths take every cell they meet as
// live. (Session 14: a fire used to clear its live bit and set its bit in
// a free bitmap, two random words, and the due head and heap top tested
// the live bit once per call, a miss behind which the call waited:
// fill+drain 1.08x, hold 1.2-1.3x without them; see README, Timing wheel.)
//
// Capacity. Zombies hold indices, so there are M = N + ceil(N/2) indices for
// N entries (N = the capacity: schedule reports `full` only when N entries
// are live). When no index is free a *sweep* drops every zombie: lists are
// rewritten without them, due cells and undrained staged cells tombstoned in
// place (id = WHEEL_NONE: the loop's batch keeps its due positions, the
// staged runs their bounds), the late heap filtered and re-heapified. Then
// live < N, so zombies > M - N >= N/2, and the sweep's O(M + lists) work
// (the staging area holds at most min(M, 64K) cells) is paid by at least N/2
// cancels: amortised O(1).
// Every list cell holds a distinct unfreed index, so lists hold at most M
// cells; the block pool (ceil(M/64) + 2 x lists + 16) covers that with a
// partial block per list plus a cascade's transient one per target list,
// so it never runs dry.
//
// Containers:
//   slot lists   chains of 1536-byte blocks of 64 cells (the chain is in
//                nextTab, so a cascade can touch blocks ahead), appended in
//                insertion (seq) order. A cascade empties a slot into lower
//                slots that are empty when it runs (lower levels are drained
//                before the cursor enters a slot), stably, so every slot,
//                level 0 included, stays in seq order.
//   overflow     one list for granules whose bits above 48 differ from cur's.
//   staging      when the cursor enters a level-1 slot of at least 32 cells
//                (STAGE_MIN), up to 64K of them (STAGE_MAX; the rest go to
//                the level-0 lists, as below) are not cascaded cell by cell
//                into 256 level-0 lists but counting-sorted, stably, on
//                (granule digit, ns >> shift) (2^8..2^14 keys, the power of
//                two above the cell count: a key or more per cell up to 16K
//                cells, fewer beyond, down to 1 per 4 cells at 64K; the
//                counters stay in cache) into one contiguous array: each
//                granule's cells become one run, in key order and, within a
//                key, in seq order. Pass 1 reads the slot's cold blocks and
//                counts; pass 2 re-reads them from cache and scatters. No
//                level-0 block is taken for them, and a drain finds them
//                nearly sorted. Schedules made later into the staged granules
//                go to the level-0 lists (newer than every staged cell).
//                Runs are drained in digit order, all before the cursor
//                leaves the slot's range, so one staging area serves.
//   due          an array of cells sorted on (time, seq), consumed from the
//                head. A granule is drained only when due and the late heap
//                are empty: its staged run first, then its list. A run with
//                nothing listed after it and not crowded (<= 4 cells per key)
//                is sorted in place by insertion and *is* due: dueBase points
//                into the staging area (a late append, or the next staging,
//                first copies the unread part to the due array at the same
//                indices). Such a drain by an expire whose now lies granules
//                ahead joins the next granules' runs to the window while they
//                have no list, are not crowded and end before now's granule
//                (one in-place sort, one drain's setup: joinBelow).
//                Else the cells are copied into the due array: up
//                to 8 (or a run followed by up to 8 listed cells) by
//                insertion as they are copied, more by a stable counting sort
//                on the tick's low bits (buckets ~ 2n) and an insertion pass
//                on time that orders fractional ns (O(n) when they are rare).
//                A schedule into a drained granule is appended when the heap
//                is empty, its time >= the tail's and the array has room,
//                else goes to the late heap. So every due entry is older than
//                every heap entry, and a due entry wins a tie with the heap.
//   late heap    binary heap on (time, seq) of 32-byte entries (a cell, then
//                the seq): drained-granule times behind the due tail.
//                O(log n). expire merges due and heap; both hold only
//                granules < cur, so they come before every slot.
//
// Order guarantee: expire(now, max) returns exactly what repeatedly popping
// the minimum (time, seq) of all pending entries would, while time <= now.
// Draining is lazy: expire drains the next granule only when due and heap
// are empty and the granule begins at or before now.
//
// With 1M timers the cells (24 MB) are far from the core, and WASM has no
// prefetch: loads whose values only feed a sink start the misses of blocks
// a cascade will walk and of free blocks about to be filled, a group of 4
// blocks at a time so that the misses overlap instead of following one
// another.
//
// Ids: id = (generation << indexBits) | index, indexBits = ceil(log2(M))
// (wheel_index_bits()); the generation, 30 - indexBits bits, is bumped at
// every release. Ids stay below 2^30 so that V8 keeps them as small
// integers (Smis: 32-bit in Node, 31-bit with pointer compression as in
// Chrome): an id past that is a heap number, and the first one stored in an
// object field that held Smis (a timer id in a socket, the event loop's
// stagedLast) changes the field's representation and the object's hidden
// class, deoptimising every function optimised for the old one (a storm
// ~80 ms into a 10 Gbit bulk run).
// Freed indices (live bit clear) come back in index order from a cursor
// that goes round, through a stack of up to 4096 (WHEEL_FREE_STACK_MAX) of
// their next ids (the event loop reads it to know the ids its staged
// schedules will get), so idTab and the live bits are written in index
// order, streaming. A stale id is refused unless its index has been reused
// a multiple of 2^generationBits times since (2^11 with the default 2^18
// entries). 0xffffffff (WHEEL_NONE) is never an id.
//
// Memory (N = entries, M = N + ceil(N/2) indices, B = ceil(M/64) + 2 x lists
// + 16 blocks, C = min(N, 4096)); about 117 bytes per entry (48 of them the
// late heap's, touched only as far as it grows) plus 5 MB, plus the
// staging area (20 bytes per index up to 1.25 MB, touched as far as a slot
// fills it):
//   +---------------------------------------------------------------------+
//   | u32 idTab[M]  the id index i was last given (written at schedule)   |
//   | u64 live[M/64]     index held (pending or zombie); clear = free     |
//   | u32 free[S]   stack of the next ids of free indices, S = min(M, 4096) |
//   | u64 zomb[M/64]     index's entry cancelled, its cell not met yet    |
//   +---------------------------------------------------------------------+
//   | list headers (6 x 256 slots, overflow) x 16 B                       |
//   |   +0 u32 head block  +4 tail block  +8 tail fill (next cell, 0..64) |
//   |   +12 unused (a drain counts the chain in nextTab)                  |
//   | u64 bitmap[6 x 4]   slot has blocks (ctz finds the next one)         |
//   | u32 count[16384]    counting-sort buckets of a staging or a drain   |
//   | u16 key[M]          bucket of each cell being staged or drained     |
//   +---------------------------------------------------------------------+
//   | blocks B x 1280 B = 64 cells x 20 B                                 |
//   |   cell: +0 f64 time  +8 u32 arg  +12 u32 id  +16 u32 kind          |
//   |   (no tick: floor(time) is converted again where a key needs it)  |
//   |   Cell position p is at blocks + 20p (block p >> 6, cell p & 63).   |
//   | u32 nextTab[B]      next block of the chain, WHEEL_NONE at the tail  |
//   | u32 blockStack[B]   free blocks, [0, freeBlocks)                    |
//   | due: M cells x 20 B, live part [dueHead, dueTail); id WHEEL_NONE:   |
//   |      a tombstone (its index already freed)                          |
//   | heap: M x 32 B   +0 cell (time, arg, id, kind)  +20 pad  +24 u64 seq |
//   | staged: S cells x 20 B, S = min(M, 65536); undrained [stFrom,       |
//   |         stTotal); the run drained last may be due (dueBase)         |
//   | u32 stRuns[257]  digit d's run is [stRuns[d], stRuns[d + 1])         |
//   +---------------------------------------------------------------------+
//   | out: f64 time[C], u32 kind[C], arg[C], id[C]   expire writes here    |
//   | in:  f64 time[C], u32 kind[C], arg[C], id[C]   schedule_burst reads  |
//   | stats f64 x 8: scheduled fired cancelled full bad cascaded sweeps   |
//   |                staged                                               |
//   | u32 batchPos[C]     due index of each entry of the loop's batch      |
//   | 32 B staging (a heap entry being moved) | u32 freeTop, u32 pending  |
//   +---------------------------------------------------------------------+
import { reserve, zero } from "./layout";

export const WHEEL_NONE: u32 = 0xffffffff;
export const WHEEL_SLOT_BITS: u32 = 8;
export const WHEEL_LEVELS: u32 = 6;
/** log2 of a level-0 slot's width in ns. */
export const WHEEL_GRANULE_BITS: u32 = 12;
export const WHEEL_IO_MAX: u32 = 4096;
/** The kind of a staged schedule that the event loop dispatched itself (it
 *  was the next event): filing it uses its id up as a schedule and a fire
 *  would (wheel_schedule_burst), and places nothing. */
export const WHEEL_KIND_CONSUMED: u32 = 0xfffffffe;
/** Free ids kept on the stack (the rest wait in a bitmap, lowest first). */
export const WHEEL_FREE_STACK_MAX: u32 = 4096;

export const WHEEL_STAT_SCHEDULED: u32 = 0;
export const WHEEL_STAT_FIRED: u32 = 1;
export const WHEEL_STAT_CANCELLED: u32 = 2;
export const WHEEL_STAT_FULL: u32 = 3;
export const WHEEL_STAT_BAD: u32 = 4;
/** Cells moved down a level by a cascade (each entry at most 5 times). */
export const WHEEL_STAT_CASCADED: u32 = 5;
/** Sweeps: every cancelled entry dropped when no index was free. */
export const WHEEL_STAT_COMPACTIONS: u32 = 6;
/** Cells cascaded into the staging area (counted in cascaded too). */
export const WHEEL_STAT_STAGED: u32 = 7;
const WHEEL_STATS: u32 = 8;

const SLOTS: u32 = 1 << WHEEL_SLOT_BITS;
const SLOT_MASK: u64 = <u64>(SLOTS - 1);
const WORDS: u32 = SLOTS >> 6; // bitmap words per level
const NSLOTS: u32 = WHEEL_LEVELS * SLOTS;
const L_OVF: u32 = NSLOTS;
const NLISTS: u32 = NSLOTS + 1;
const RANGE_BITS: u64 = <u64>(WHEEL_LEVELS * WHEEL_SLOT_BITS); // in granules
const G_BITS: u64 = <u64>WHEEL_GRANULE_BITS;
const G_MASK: u64 = (<u64>1 << G_BITS) - 1;
const SLOT_BITS64: u64 = <u64>WHEEL_SLOT_BITS; // granule bits of a level-0 digit
const MAX_TICK: u64 = 1 << 62;
/** A drain of at most this many cells is sorted by insertion alone. */
const SMALL_SORT: u32 = 8;

// Staging (see the header): a level-1 slot's cells, counting-sorted by
// (granule, ns >> shift) into one contiguous array when the slot comes due.
/** Most cells staged per slot (the rest of a bigger slot goes to level-0 lists). */
const STAGE_MAX: u32 = 1 << 16;
/** Slots with fewer cells cascade cell by cell (the 256+ counters cost more). */
const STAGE_MIN: u32 = 32;
/** Most key bits of a staging (2^14 counters, 64 KB): 8 of granule, the rest in it. */
const STAGE_BITS_MAX: u32 = 14;
/** A level-1 slot spans 2^20 ns: its ticks' low 20 bits are the staging key's source. */
const STAGE_SPAN_BITS: u32 = WHEEL_GRANULE_BITS + WHEEL_SLOT_BITS;
const STAGE_TICK_MASK: u64 = (<u64>1 << <u64>STAGE_SPAN_BITS) - 1;
/** A staged run averaging more cells than this per key is sorted by counting at drain.
 *  Staging has a key or more per cell up to 16K cells, so only runs far
 *  above the mean are crowded; at the 64K limit (2^14 keys, 4 cells per
 *  key) the mean run (256 cells) sits at the threshold, and about half the
 *  runs of a uniform slot are crowded. */
const STAGE_HEAVY: u32 = 4;
const COUNTS: u32 = 1 << STAGE_BITS_MAX; // >= 2^WHEEL_GRANULE_BITS, the drain's own

const CELL_BITS: u32 = 6;
const CELLS: u32 = 1 << CELL_BITS; // per block (the chain is in nextTab)
const CELL_SIZE: u32 = 20;
// 1280 B, 20 cache lines. 64 cells rather than 32: fill+drain 1.09x (a
// cascade's chain streams better); the partial blocks cost 2 MB more.
const BLOCK_SIZE: u32 = CELLS * CELL_SIZE;
// Cell fields (bytes); time is at +0. A late-heap entry begins like a cell.
const C_ARG: u32 = 8;
const C_ID: u32 = 12;
const C_KIND: u32 = 16;
// No tick field (sessions 11-15 stored the tick's low 32 bits at +20, so
// that cascades, stagings and drains need not convert the time again):
// 20-byte cells move a sixth fewer bytes through memory, which pays for the
// conversions (README, Timing wheel, Session 16).
const H_SEQ: u32 = 24; // late-heap entry: u64 insertion seq (after 4 bytes of pad)
const HEAP_ENTRY: u32 = 32;

let cap: u32 = 0; // N: most live entries
let idxCap: u32 = 0; // M: indices (live + zombies)
let ioCap: u32 = 0;
let nBlocks: u32 = 0;
let idxBits: u32 = 0;
let idxMask: u32 = 0;
let genMask: u32 = 0;

let idTab: usize = 0; // u32 per index: the id it was last given
let liveBits: usize = 0; // u64 words: bit i set = index i is held (a pending entry or a zombie)
let nextTab: usize = 0; // u32 per block: the next block of its chain
let freeStack: usize = 0;
let zombBits: usize = 0; // u64 words: bit i set = index i's entry was cancelled, its cell not met yet
let stackCap: u32 = 0; // the free stack holds at most this many ids
let spilled: u32 = 0; // free indices not on the stack (live bit clear)
let spillCur: u32 = 0; // live-bit word where refill goes on
let lists: usize = 0;
let bitmaps: usize = 0;
let counts: usize = 0;
let blockStack: usize = 0; // u32 free block indices, [0, freeBlocks)
let keys: usize = 0; // u16 per cell of the slot being drained: its bucket
let blocks: usize = 0;
let due: usize = 0;
// Where due's cells are: `due`, or a drained staged run (a window into the
// staging area, sorted in place) until a late schedule appends or the
// staging area is refilled (then the window's live part is copied to due at
// the same indices: a loop batch's positions stay valid).
let dueBase: usize = 0;
let heap: usize = 0;
let outTime: usize = 0;
let outKind: usize = 0;
let outArg: usize = 0;
let outId: usize = 0;
let inTime: usize = 0;
let inKind: usize = 0;
let inArg: usize = 0;
let inId: usize = 0;
let stats: usize = 0;
let batchPos: usize = 0; // u32 due index of each entry of the loop's batch
let stage: usize = 0; // a heap entry being moved
let stCells: usize = 0; // staged cells, runs [stRuns[d], stRuns[d + 1]) by digit d
let stRuns: usize = 0; // u32[SLOTS + 1]
let stCap: u32 = 0; // staged cells reserved
let stLimit: u32 = 0; // most cells staged per slot (<= stCap; tests lower it)
let stMin: u32 = STAGE_MIN; // fewest cells a slot needs to be staged (tests lower it)
let stFrom: u32 = 0; // staged cells not yet drained: [stFrom, stTotal)
let stTotal: u32 = 0;
let stBits: u32 = 8; // key bits of the current staging
// u32: free indices' next ids are freeStack[0, freeTop). In memory so that
// the event loop can read which ids its staged schedules will get.
let freeTopP: usize = 0;

let cur: u64 = 0; // in granules
// Schedules accepted since wheel_init: the late heap's insertion order and
// stats' scheduled.
let seqNext: u64 = 0;
// Live entries; every write goes through setPending, which publishes it at
// freeTopP + 4 for the event loop (it sizes its staging without a call).
let pending: u32 = 0;
let zombies: u32 = 0; // cancelled entries whose cells have not been met yet
let heapN: u32 = 0;
let dueHead: u32 = 0;
let dueTail: u32 = 0;
let dueLast: f64 = -Infinity; // time of the cell at dueTail - 1
let freeBlocks: u32 = 0;
let ovfMin: u64 = 0; // lower bound of the overflow list's granules

/** The loop's batch just handed out: a lower bound on the times of the
 *  pending entries outside it (published at freeTopP + 8), so that the loop
 *  can tell that nothing else is due by a time without a call (EventLoop.
 *  idleAfter). Due is sorted, so its first unbatched cell (dead or alive)
 *  bounds the rest of due; the late heap's top bounds the heap; every other
 *  entry is in an undrained granule (>= cur). */
@inline function publishBound(dueNext: u32): void {
  // (due and the heap hold drained granules only: below cur's start)
  let b = dueNext < dueTail ? load<f64>(dueAt(dueNext)) : <f64>(cur << G_BITS);
  if (heapN > 0) {
    const t = load<f64>(heapAt(0));
    if (t < b) b = t;
  }
  store<f64>(freeTopP, b, 8);
}

@inline function setPending(v: u32): void {
  pending = v;
  store<u32>(freeTopP, v, 4);
}

export function wheel_plan(entries: u32): void {
  cap = entries;
  idxCap = entries + ((entries + 1) >> 1);
  ioCap = entries < WHEEL_IO_MAX ? entries : WHEEL_IO_MAX;
  idxBits = 1;
  while (idxBits < 31 && (<u64>1 << idxBits) < <u64>idxCap) idxBits++;
  idxMask = (<u32>1 << idxBits) - 1;
  // ids below 2^30 (V8 Smis); with the most entries (2^24) 5 generation bits
  genMask = 0x3fffffff >>> idxBits;
  nBlocks = (idxCap + CELLS - 1) / CELLS + 2 * NLISTS + 16;
  idTab = reserve(<usize>idxCap << 2);
  liveBits = reserve(<usize>((idxCap + 63) >> 6) << 3);
  stackCap = idxCap < WHEEL_FREE_STACK_MAX ? idxCap : WHEEL_FREE_STACK_MAX;
  freeStack = reserve(<usize>stackCap << 2);
  zombBits = reserve(<usize>((idxCap + 63) >> 6) << 3);
  lists = reserve(<usize>NLISTS << 4);
  bitmaps = reserve(<usize>(WHEEL_LEVELS * WORDS) << 3);
  counts = reserve(<usize>COUNTS << 2);
  keys = reserve(<usize>idxCap << 1);
  blocks = reserve(<usize>nBlocks * BLOCK_SIZE);
  nextTab = reserve(<usize>nBlocks << 2);
  blockStack = reserve(<usize>nBlocks << 2);
  due = reserve(<usize>idxCap * CELL_SIZE);
  heap = reserve(<usize>idxCap * HEAP_ENTRY);
  stCap = idxCap < STAGE_MAX ? idxCap : STAGE_MAX;
  stLimit = stCap;
  stMin = STAGE_MIN;
  stCells = reserve(<usize>stCap * CELL_SIZE);
  stRuns = reserve(<usize>(SLOTS + 1) << 2);
  const c = <usize>ioCap;
  outTime = reserve(c << 3);
  outKind = reserve(c << 2);
  outArg = reserve(c << 2);
  outId = reserve(c << 2);
  inTime = reserve(c << 3);
  inKind = reserve(c << 2);
  inArg = reserve(c << 2);
  inId = reserve(c << 2);
  stats = reserve(<usize>WHEEL_STATS << 3);
  batchPos = reserve(c << 2);
  stage = reserve(HEAP_ENTRY);
  freeTopP = reserve(16);
}

export function wheel_init(): void {
  zero(stats, <usize>WHEEL_STATS << 3);
  zero(liveBits, <usize>((idxCap + 63) >> 6) << 3);
  zero(zombBits, <usize>((idxCap + 63) >> 6) << 3);
  // Bits past the last index are held for good: refill never finds them.
  if ((idxCap & 63) != 0) {
    store<u64>(liveBits + (<usize>(idxCap >> 6) << 3), <u64>0xffffffffffffffff << <u64>(idxCap & 63));
  }
  // Every index free, its next id of generation 0 (the last one "given" was
  // of the generation before); index 0 is handed out first.
  for (let k: u32 = 0; k < idxCap; k++) {
    store<u32>(idTab + (<usize>k << 2), (genMask << idxBits) | k);
  }
  spilled = idxCap;
  spillCur = 0;
  store<u32>(freeTopP, 0);
  refill();
  seqNext = 0;
  resetState();
}

/** Drop every pending entry (counted as cancelled; their ids go stale) and
 *  rewind the wheel to time 0. */
export function wheel_clear(): void {
  for (let l: u32 = 0; l < NLISTS; l++) {
    const p = lh(l);
    let b = load<u32>(p);
    const tail = load<u32>(p, 4);
    const fill = load<u32>(p, 8);
    while (b != WHEEL_NONE) {
      const end = b == tail ? fill : CELLS;
      for (let c: u32 = 0; c < end; c++) forget(load<u32>(cellAt((b << CELL_BITS) | c), C_ID));
      b = nextBlock(b);
    }
  }
  for (let i = dueHead; i < dueTail; i++) {
    const id = load<u32>(dueAt(i), C_ID);
    if (id != WHEEL_NONE) forget(id);
  }
  for (let i: u32 = 0; i < heapN; i++) forget(load<u32>(heapAt(i), C_ID));
  for (let i = stFrom; i < stTotal; i++) {
    const id = load<u32>(stAt(i), C_ID);
    if (id != WHEEL_NONE) forget(id);
  }
  statAdd(WHEEL_STAT_CANCELLED, <f64>pending);
  resetState();
}

/** wheel_clear: free a cell's index, live or zombie. */
@inline function forget(id: u32): void {
  zombClear(id & idxMask);
  release(id);
}

function resetState(): void {
  for (let l: u32 = 0; l < NLISTS; l++) listReset(l);
  zero(bitmaps, <usize>(WHEEL_LEVELS * WORDS) << 3);
  // Block 0 on top: handed out first.
  for (let b: u32 = 0; b < nBlocks; b++) store<u32>(blockStack + (<usize>b << 2), nBlocks - 1 - b);
  freeBlocks = nBlocks;
  cur = 0;
  setPending(0);
  zombies = 0;
  heapN = 0;
  dueHead = 0;
  dueTail = 0;
  dueBase = due;
  dueLast = -Infinity;
  ovfMin = 0;
  stFrom = 0;
  stTotal = 0;
  batchKind = BATCH_NONE;
}

// ---- field access ----------------------------------------------------------

@inline function cellAt(p: u32): usize { return blocks + <usize>p * CELL_SIZE; }
@inline function dueAt(i: u32): usize { return dueBase + <usize>i * CELL_SIZE; }
@inline function stAt(i: u32): usize { return stCells + <usize>i * CELL_SIZE; }
@inline function stRun(d: u32): u32 { return load<u32>(stRuns + (<usize>d << 2)); }
@inline function heapAt(i: u32): usize { return heap + (<usize>i << 5); }
@inline function nextBlock(b: u32): u32 { return load<u32>(nextTab + (<usize>b << 2)); }
@inline function setNextBlock(b: u32, n: u32): void { store<u32>(nextTab + (<usize>b << 2), n); }

/** Index i is held: by a pending entry, or by a zombie (isZombie). */
@inline function isLive(i: u32): bool {
  return (load<u64>(liveBits + (<usize>(i >> 6) << 3)) & (<u64>1 << <u64>(i & 63))) != 0;
}
/** Index i's entry was cancelled and its cell is not met yet. Only a cell's
 *  own index is asked (a held one). */
@inline function isZombie(i: u32): bool {
  return (load<u64>(zombBits + (<usize>(i >> 6) << 3)) & (<u64>1 << <u64>(i & 63))) != 0;
}
@inline function zombSet(i: u32): void {
  const w = zombBits + (<usize>(i >> 6) << 3);
  store<u64>(w, load<u64>(w) | (<u64>1 << <u64>(i & 63)));
}
@inline function zombClear(i: u32): void {
  const w = zombBits + (<usize>(i >> 6) << 3);
  store<u64>(w, load<u64>(w) & ~(<u64>1 << <u64>(i & 63)));
}
@inline function liveSet(i: u32): void {
  const w = liveBits + (<usize>(i >> 6) << 3);
  store<u64>(w, load<u64>(w) | (<u64>1 << <u64>(i & 63)));
}
@inline function liveClear(i: u32): void {
  const w = liveBits + (<usize>(i >> 6) << 3);
  store<u64>(w, load<u64>(w) & ~(<u64>1 << <u64>(i & 63)));
}

@inline function copyCell(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
  store<u32>(dst, load<u32>(src, 16), 16);
}
@inline function copyHeapEntry(dst: usize, src: usize): void {
  copyCell(dst, src);
  store<u64>(dst, load<u64>(src, H_SEQ), H_SEQ);
}

@inline function lh(l: u32): usize { return lists + (<usize>l << 4); }
@inline function lHead(l: u32): u32 { return load<u32>(lh(l)); }

@inline function statAdd(s: u32, v: f64): void {
  const p = stats + (<usize>s << 3);
  store<f64>(p, load<f64>(p) + v);
}

@inline function tickOf(time: f64): u64 {
  return time >= <f64>MAX_TICK ? MAX_TICK : <u64>time;
}

/** (time, seq) order of two late-heap entries: a before b. */
@inline function before(a: usize, b: usize): bool {
  const ta = load<f64>(a);
  const tb = load<f64>(b);
  return ta < tb || (ta == tb && load<u64>(a, H_SEQ) < load<u64>(b, H_SEQ));
}

// ---- ids -------------------------------------------------------------------

/** The id after `id` for its index (next generation). */
@inline function nextId(id: u32): u32 {
  return ((((id >>> idxBits) + 1) & genMask) << idxBits) | (id & idxMask);
}

/** Free the index of id (fired, or a zombie met): its live bit clears. */
@inline function release(id: u32): void {
  liveClear(id & idxMask);
  spilled++;
}

/** A zombie's cell was met and dropped: its index is free at last. */
@inline function dropZombie(id: u32): void {
  zombies--;
  zombClear(id & idxMask);
  release(id);
}

// Freed indices (live bit clear) come back in index order, from a cursor
// that goes round, a stack of up to WHEEL_FREE_STACK_MAX at a time.
// So schedules write idTab (and the live bits) in index order, streaming:
// handing out the index that just fired (last in, first out) made each
// schedule's idTab store a cache miss in a steady state (hold: 2x slower).

/** The stack is empty: move up to stackCap free ids onto it, in index order
 *  from the cursor (wrapping), the first on top. */
function refill(): void {
  const words = (idxCap + 63) >> 6;
  const want = spilled < stackCap ? spilled : stackCap;
  // The stack pops from its top: the m-th id found goes to want - 1 - m.
  let p = freeStack + (<usize>want << 2);
  let left = want;
  let w = spillCur;
  // One round of the bitmap finds every spilled index; a second means the
  // count lies (an index freed twice): trap rather than spin forever.
  let round: u32 = 0;
  while (left > 0) {
    if (++round > words + 1) unreachable();
    // Free = live bit clear. Nothing is marked here: the stack is empty
    // whenever refill runs, so every id it handed out before has been
    // scheduled (its bit set) and a word left half-used is scanned again.
    let bits = ~load<u64>(liveBits + (<usize>w << 3));
    while (bits != 0 && left > 0) {
      const i = (w << 6) + <u32>ctz<u64>(bits);
      bits &= bits - 1;
      p -= 4;
      store<u32>(p, nextId(load<u32>(idTab + (<usize>i << 2))));
      left--;
    }
    if (bits == 0 && ++w == words) w = 0;
  }
  spillCur = w;
  spilled -= want;
  store<u32>(freeTopP, want);
}

// ---- blocks and lists ------------------------------------------------------

// Free blocks are a stack of indices, not a chain through the blocks: taking
// one must not wait on a load from a block that has long left the cache.
function allocBlock(): u32 {
  // Unreachable by the pool's sizing (see the header); a trap beats corruption.
  if (freeBlocks == 0) unreachable();
  freeBlocks--;
  const b = load<u32>(blockStack + (<usize>freeBlocks << 2));
  setNextBlock(b, WHEEL_NONE);
  // The next blocks handed out are probably cold (freed long ago): bring them
  // in before the stores that fill them stall, a group of 4 (the ones after
  // the next 4) at a time so that their misses overlap.
  if (freeBlocks >= 2 * TOUCH_GROUP) {
    if ((freeBlocks & (TOUCH_GROUP - 1)) == 0) {
      for (let j: u32 = 1; j <= TOUCH_GROUP; j++) {
        touchBlock(load<u32>(blockStack + (<usize>(freeBlocks - TOUCH_GROUP - j) << 2)));
      }
    }
  } else if (freeBlocks > 0) {
    touchBlock(load<u32>(blockStack + (<usize>(freeBlocks - 1) << 2)));
  }
  return b;
}

// WASM has no prefetch: loads whose value only feeds this sink start the
// misses early (nothing waits on them).
let touchSink: u32 = 0;
/** Blocks touched together (a power of two). */
const TOUCH_GROUP: u32 = 4;
/** Start loading block b's 20 cache lines. */
@inline function touchBlock(b: u32): void {
  const a = blocks + <usize>b * BLOCK_SIZE;
  let x: u32 = 0;
  for (let o: usize = 0; o < <usize>BLOCK_SIZE; o += 256) {
    x ^= load<u32>(a + o) ^ load<u32>(a + o, 64) ^ load<u32>(a + o, 128) ^ load<u32>(a + o, 192);
  }
  touchSink ^= x;
}

@inline function releaseBlock(b: u32): void {
  store<u32>(blockStack + (<usize>freeBlocks << 2), b);
  freeBlocks++;
}

function listReset(l: u32): void {
  const p = lh(l);
  store<u32>(p, WHEEL_NONE);
  store<u32>(p, WHEEL_NONE, 4);
  store<u32>(p, CELLS, 8);
}

@inline function bitSet(l: u32): void {
  const w = bitmaps + (<usize>(l >> 6) << 3);
  store<u64>(w, load<u64>(w) | (<u64>1 << <u64>(l & 63)));
}
@inline function bitClear(l: u32): void {
  const w = bitmaps + (<usize>(l >> 6) << 3);
  store<u64>(w, load<u64>(w) & ~(<u64>1 << <u64>(l & 63)));
}

/** Give list l, whose tail block is full, room for one more cell. */
function growList(l: u32): void {
  const p = lh(l);
  const b = allocBlock();
  const tb = load<u32>(p, 4);
  if (tb == WHEEL_NONE) {
    store<u32>(p, b);
    if (l < NSLOTS) bitSet(l);
  } else {
    setNextBlock(tb, b);
  }
  store<u32>(p, b, 4);
  store<u32>(p, 0, 8);
}

/** The address of a new cell at list l's tail. */
@inline function appendAt(l: u32): usize {
  const p = lh(l);
  if (load<u32>(p, 8) == CELLS) growList(l);
  const f = load<u32>(p, 8);
  store<u32>(p, f + 1, 8);
  return cellAt((load<u32>(p, 4) << CELL_BITS) | f);
}

/** No free index is left while fewer than N entries are live: drop every
 *  zombie (see the header for why this is amortised O(1)). Lists are
 *  rewritten without them, due cells are tombstoned in place (a loop batch
 *  holds due positions), so are the staged cells not yet drained (the runs'
 *  bounds stay: stRun), the late heap is filtered and re-heapified. A
 *  level-0 slot whose list empties keeps its busy bit while its staged run
 *  is undrained. */
function sweep(): void {
  statAdd(WHEEL_STAT_COMPACTIONS, 1);
  for (let l: u32 = 0; l < NLISTS; l++) {
    const p = lh(l);
    const head = load<u32>(p);
    if (head == WHEEL_NONE) continue;
    const tail = load<u32>(p, 4);
    const fill = load<u32>(p, 8);
    let wb = head;
    let wc: u32 = 0;
    let rb = head;
    let live: u32 = 0;
    while (rb != WHEEL_NONE) {
      const end = rb == tail ? fill : CELLS;
      for (let rc: u32 = 0; rc < end; rc++) {
        const src = cellAt((rb << CELL_BITS) | rc);
        const id = load<u32>(src, C_ID);
        if (isZombie(id & idxMask)) {
          dropZombie(id);
          continue;
        }
        if (wc == CELLS) {
          wb = nextBlock(wb);
          wc = 0;
        }
        const pos = (wb << CELL_BITS) | wc;
        if (pos != ((rb << CELL_BITS) | rc)) copyCell(cellAt(pos), src);
        wc++;
        live++;
      }
      rb = nextBlock(rb);
    }
    let b = live == 0 ? head : nextBlock(wb);
    while (b != WHEEL_NONE) {
      const nb = nextBlock(b);
      releaseBlock(b);
      b = nb;
    }
    if (live == 0) {
      listReset(l);
      // A level-0 slot stays busy while its staged run is not drained.
      if (l < NSLOTS && !(l < SLOTS && stagedRun(l))) bitClear(l);
      continue;
    }
    setNextBlock(wb, WHEEL_NONE);
    store<u32>(p, wb, 4);
    store<u32>(p, wc, 8);
  }
  for (let i = dueHead; i < dueTail; i++) {
    const a = dueAt(i);
    const id = load<u32>(a, C_ID);
    if (id != WHEEL_NONE && isZombie(id & idxMask)) {
      dropZombie(id);
      store<u32>(a, WHEEL_NONE, C_ID);
    }
  }
  // Staged cells: tombstoned in place too (the runs' bounds stay).
  for (let i = stFrom; i < stTotal; i++) {
    const a = stAt(i);
    const id = load<u32>(a, C_ID);
    if (id != WHEEL_NONE && isZombie(id & idxMask)) {
      dropZombie(id);
      store<u32>(a, WHEEL_NONE, C_ID);
    }
  }
  let n: u32 = 0;
  for (let i: u32 = 0; i < heapN; i++) {
    const a = heapAt(i);
    const id = load<u32>(a, C_ID);
    if (isZombie(id & idxMask)) {
      dropZombie(id);
      continue;
    }
    if (n != i) copyHeapEntry(heapAt(n), a);
    n++;
  }
  heapN = n;
  // Floyd's heapify: O(n).
  for (let i = <i32>(n >> 1) - 1; i >= 0; i--) {
    copyHeapEntry(stage, heapAt(<u32>i));
    siftDown(<u32>i, stage);
  }
  // Every zombie was in a list, in due, in a staged run or in the heap.
  if (zombies != 0) unreachable();
}

// ---- late heap (binary, on (time, seq)) -------------------------------------
// Entries are 32 bytes in the heap array itself (a cell's 20 bytes, 4 of pad,
// then the u64 seq: due cells need none, see placeLate).

/** Put the entry at src (not in the heap) into hole i, moving parents down. */
function siftUp(i: u32, src: usize): void {
  while (i > 0) {
    const q = (i - 1) >> 1;
    const pq = heapAt(q);
    if (!before(src, pq)) break;
    copyHeapEntry(heapAt(i), pq);
    i = q;
  }
  copyHeapEntry(heapAt(i), src);
}

/** Put the entry at src (not in the heap) into hole i, moving smaller
 *  children up. */
function siftDown(i: u32, src: usize): void {
  const n = heapN;
  while (true) {
    let c = (i << 1) + 1;
    if (c >= n) break;
    let ca = heapAt(c);
    if (c + 1 < n) {
      const cb = heapAt(c + 1);
      if (before(cb, ca)) {
        c++;
        ca = cb;
      }
    }
    if (!before(ca, src)) break;
    copyHeapEntry(heapAt(i), ca);
    i = c;
  }
  copyHeapEntry(heapAt(i), src);
}

/** File (time, arg, id, kind, seq) in the heap. */
function heapPush(time: f64, arg: u32, id: u32, kind: u32, seq: u64): void {
  const s = stage;
  store<f64>(s, time);
  store<u32>(s, arg, C_ARG);
  store<u32>(s, id, C_ID);
  store<u32>(s, kind, C_KIND);
  store<u64>(s, seq, H_SEQ);
  heapN++;
  siftUp(heapN - 1, s);
}

/** Remove the heap's top (the caller has read it). */
function heapPop(): void {
  heapN--;
  if (heapN == 0) return;
  const s = stage;
  copyHeapEntry(s, heapAt(heapN));
  siftDown(0, s);
}

/** The heap's top with zombies dropped, or 0 when it is empty. */
@inline function heapFront(): usize {
  while (heapN > 0) {
    const h = heapAt(0);
    const id = load<u32>(h, C_ID);
    if (zombies == 0 || !isZombie(id & idxMask)) return h;
    dropZombie(id);
    heapPop();
  }
  return 0;
}

// ---- placement, cascades, draining -----------------------------------------

/** The list that files granule g >= cur: a level's slot, or the overflow. */
@inline function listFor(g: u64): u32 {
  const x = g ^ cur;
  if (x <= SLOT_MASK) return <u32>(g & SLOT_MASK);
  const level = <u32>(63 - clz<u64>(x)) / WHEEL_SLOT_BITS;
  if (level >= WHEEL_LEVELS) {
    if (lHead(L_OVF) == WHEEL_NONE || g < ovfMin) ovfMin = g;
    return L_OVF;
  }
  return level * SLOTS + <u32>((g >> <u64>(level * WHEEL_SLOT_BITS)) & SLOT_MASK);
}

/** File a new entry whose granule has been drained: behind everything in the
 *  slots, so at the due tail if the heap is empty and it is not before the
 *  tail, else in the heap. Due cells carry no seq: appending only while the
 *  heap is empty keeps every due entry older than every heap entry (a drain
 *  too waits for an empty heap), so a due entry wins a tie with the heap. */
function placeLate(time: f64, arg: u32, id: u32, kind: u32, seq: u64): void {
  if (heapN == 0 && time >= dueLast && dueTail < idxCap) {
    if (dueBase != due) dueOwn();
    const d = dueAt(dueTail++);
    store<f64>(d, time);
    store<u32>(d, arg, C_ARG);
    store<u32>(d, id, C_ID);
    store<u32>(d, kind, C_KIND);
    dueLast = time;
  } else {
    heapPush(time, arg, id, kind, seq);
  }
}

/** Re-file every cell of list l, a slot whose range has just begun (or the
 *  overflow list, whose entries not yet in range go back to it); zombies
 *  are dropped. */
function cascade(l: u32): void {
  const p = lh(l);
  let b = load<u32>(p);
  const tail = load<u32>(p, 4);
  const fill = load<u32>(p, 8);
  listReset(l);
  if (l < NSLOTS) bitClear(l);
  const toLevel0 = l >= SLOTS && l < 2 * SLOTS;
  if (toLevel0 && stLimit > 0) {
    // The chain's length from the side table (its blocks stay untouched).
    let cells = fill;
    for (let x = b; x != tail; x = nextBlock(x)) cells += CELLS;
    if (cells >= stMin) {
      stageSlot(b, tail, fill, cells);
      return;
    }
  }
  let n: u32 = 0;
  let front = b; // first block not yet touched
  let ahead: u32 = 0; // blocks touched and not yet re-filed
  // No zombie anywhere (the common case): no cell needs its live bit.
  const clean = zombies == 0;
  while (b != WHEEL_NONE) {
    const end = b == tail ? fill : CELLS;
    const nb = nextBlock(b);
    // The chain was written long ago and its blocks are scattered: keep the
    // next 4 to 8 loading, touched 4 at a time so that their misses overlap.
    if (ahead <= TOUCH_GROUP) {
      for (let j: u32 = 0; j < TOUCH_GROUP && front != WHEEL_NONE; j++) {
        touchBlock(front);
        front = nextBlock(front);
        ahead++;
      }
    }
    ahead--;
    for (let c: u32 = 0; c < end; c++) {
      const src = cellAt((b << CELL_BITS) | c);
      if (!clean) {
        const id = load<u32>(src, C_ID);
        if (isZombie(id & idxMask)) {
          dropZombie(id);
          continue;
        }
      }
      // A level-1 slot's granules differ from cur only in digit 0 (the
      // common cascade: straight to a level-0 slot, digit 0 from the tick's
      // low bits).
      let l0: u32;
      if (toLevel0) {
        l0 = (<u32>tickOf(load<f64>(src)) >> WHEEL_GRANULE_BITS) & <u32>SLOT_MASK;
      } else {
        const g = tickOf(load<f64>(src)) >> G_BITS;
        // The slot's range begins at cur: nothing in it is late.
        if (g < cur) unreachable();
        l0 = listFor(g);
      }
      copyCell(appendAt(l0), src);
      n++;
    }
    releaseBlock(b);
    b = nb;
  }
  if (n > 0) statAdd(WHEEL_STAT_CASCADED, <f64>n);
}

/** due is a window into the staging area: copy its part not yet consumed
 *  to the due array, at the same indices. */
function dueOwn(): void {
  const from = dueAt(dueHead);
  dueBase = due;
  memory.copy(dueAt(dueHead), from, <usize>(dueTail - dueHead) * CELL_SIZE);
}

/** Cascade a level-1 slot (head, tail, fill; `cells` in its chain, zombies
 *  included) that has just come due into the staging area: a stable
 *  counting sort of up to stLimit live cells on (granule digit, ns >> shift)
 *  (2^stBits keys, 8 bits of them the digit), so that each level-0 granule's
 *  cells end up as one contiguous run, nearly in time order and in seq order
 *  within a key. Pass 1 reads each cell's time (the blocks are cold: touched
 *  ahead as in cascade) and counts; pass 2 re-reads them from cache and
 *  scatters. A slot bigger than stLimit sends the rest to the level-0 lists
 *  as cascade does: they are newer than every staged cell, and a drain takes
 *  the run before the list. No level-0 block is taken for a staged cell. */
function stageSlot(head: u32, tail: u32, fill: u32, cells: u32): void {
  // Every staged cell lies in the level-1 range the cursor has just left.
  if (stFrom != stTotal) unreachable();
  // The last run drained may still be due's window.
  if (dueBase != due) dueOwn();
  const take = cells < stLimit ? cells : stLimit;
  let bits: u32 = 32 - <u32>clz<u32>(take);
  if (bits < WHEEL_SLOT_BITS) bits = WHEEL_SLOT_BITS;
  if (bits > STAGE_BITS_MAX) bits = STAGE_BITS_MAX;
  stBits = bits;
  const shift = <u64>(STAGE_SPAN_BITS - bits);
  const nk = <u32>1 << bits;
  for (let k: u32 = 0; k < nk; k += 2) store<u64>(counts + (<usize>k << 2), 0);
  const clean = zombies == 0;
  let m: u32 = 0; // live cells counted (keys[0, m))
  let b = head;
  let front = b;
  let ahead: u32 = 0;
  while (b != WHEEL_NONE && m < take) {
    const end = b == tail ? fill : CELLS;
    if (ahead <= TOUCH_GROUP) {
      for (let j: u32 = 0; j < TOUCH_GROUP && front != WHEEL_NONE; j++) {
        touchBlock(front);
        front = nextBlock(front);
        ahead++;
      }
    }
    ahead--;
    for (let c: u32 = 0; c < end && m < take; c++) {
      const src = cellAt((b << CELL_BITS) | c);
      if (!clean) {
        const id = load<u32>(src, C_ID);
        if (isZombie(id & idxMask)) {
          // Freed now; pass 2 skips it by the tombstone.
          dropZombie(id);
          store<u32>(src, WHEEL_NONE, C_ID);
          continue;
        }
      }
      const k = (<u32>tickOf(load<f64>(src)) & <u32>STAGE_TICK_MASK) >> <u32>shift;
      store<u16>(keys + (<usize>m << 1), <u16>k);
      m++;
      const q = counts + (<usize>k << 2);
      store<u32>(q, load<u32>(q) + 1);
    }
    b = nextBlock(b);
  }
  // Prefix sums; a digit's run starts at its first key's. Level-0 slots
  // are empty (drained before the cursor left them): a run sets its bit.
  const per = bits - WHEEL_SLOT_BITS;
  let at: u32 = 0;
  let k: u32 = 0;
  for (let d: u32 = 0; d < SLOTS; d++) {
    const from = at;
    store<u32>(stRuns + (<usize>d << 2), from);
    const k1 = (d + 1) << per;
    for (; k < k1; k++) {
      const q = counts + (<usize>k << 2);
      const c = load<u32>(q);
      store<u32>(q, at);
      at += c;
    }
    if (at != from) bitSet(d);
  }
  store<u32>(stRuns + (<usize>SLOTS << 2), at);
  stFrom = 0;
  stTotal = at;
  let j: u32 = 0;
  let rest: u32 = 0;
  b = head;
  while (b != WHEEL_NONE) {
    const end = b == tail ? fill : CELLS;
    const nb = nextBlock(b);
    for (let c: u32 = 0; c < end; c++) {
      const src = cellAt((b << CELL_BITS) | c);
      if (j < m) {
        if (!clean && load<u32>(src, C_ID) == WHEEL_NONE) continue;
        const q = counts + (<usize>load<u16>(keys + (<usize>j << 1)) << 2);
        j++;
        const i = load<u32>(q);
        store<u32>(q, i + 1);
        copyCell(stAt(i), src);
      } else {
        // Beyond stLimit: the level-0 lists, as cascade files them.
        if (!clean) {
          const id = load<u32>(src, C_ID);
          if (id == WHEEL_NONE) continue;
          if (isZombie(id & idxMask)) {
            dropZombie(id);
            continue;
          }
        }
        copyCell(appendAt((<u32>tickOf(load<f64>(src)) >> WHEEL_GRANULE_BITS) & <u32>SLOT_MASK), src);
        rest++;
      }
    }
    releaseBlock(b);
    b = nb;
  }
  if (m + rest > 0) statAdd(WHEEL_STAT_CASCADED, <f64>(m + rest));
  if (m > 0) statAdd(WHEEL_STAT_STAGED, <f64>m);
}

/** Digit d's staged run is not drained and holds cells (tombstones maybe). */
@inline function stagedRun(d: u32): bool {
  if (stFrom >= stTotal) return false;
  const a = stRun(d);
  return a >= stFrom && stRun(d + 1) > a;
}

/** Move the cursor forward. Callers guarantee that nothing pending lies in
 *  granules [old cur, nw) outside due and the heap, so only the slot whose
 *  range begins at nw's highest changed digit can hold entries to re-file. */
function setCur(nw: u64): void {
  const x = cur ^ nw;
  cur = nw;
  if (x <= SLOT_MASK) return;
  const level = <u32>(63 - clz<u64>(x)) / WHEEL_SLOT_BITS;
  const l = level >= WHEEL_LEVELS
    ? L_OVF
    : level * SLOTS + <u32>((nw >> <u64>(level * WHEEL_SLOT_BITS)) & SLOT_MASK);
  if (lHead(l) != WHEEL_NONE) cascade(l);
}

/** Insert the cell at src into due[0, n) by time, after equal times (the
 *  cells come in seq order); skips tombstones and drops zombies. Returns
 *  the new count. */
@inline function insertDue(src: usize, n: u32, clean: bool): u32 {
  const id = load<u32>(src, C_ID);
  if (id == WHEEL_NONE) return n;
  if (!clean && isZombie(id & idxMask)) {
    dropZombie(id);
    return n;
  }
  const t = load<f64>(src);
  let j = n;
  while (j > 0 && load<f64>(dueAt(j - 1)) > t) {
    copyCell(dueAt(j), dueAt(j - 1));
    j--;
  }
  copyCell(dueAt(j), src);
  return n + 1;
}

// The counting sort of a big drain. Its helpers are inlined into loops over
// a staged run and over a chain's blocks; the count of cells so far (m) is
// passed and returned so that it stays a local (a module global is a load
// and a store per cell in V8's code).

/** Pass 1: count the cell at src in its bucket (dropping a zombie: tombstoned
 *  so that pass 2 skips it); m cells counted so far (keys[0, m)). Returns
 *  the new m. The key is the cell's ns into the granule >> shift, from its
 *  tick's low bits; clamped ticks (>= 2^62: +Infinity too) share one granule
 *  and one key, ordered by time by the insertion pass. */
@inline function drainCount(src: usize, clean: bool, shift: u32, m: u32): u32 {
  const id = load<u32>(src, C_ID);
  if (id == WHEEL_NONE) return m;
  if (!clean && isZombie(id & idxMask)) {
    dropZombie(id);
    store<u32>(src, WHEEL_NONE, C_ID);
    return m;
  }
  const k = (<u32>tickOf(load<f64>(src)) & <u32>G_MASK) >> shift;
  store<u16>(keys + (<usize>m << 1), <u16>k);
  const q = counts + (<usize>k << 2);
  store<u32>(q, load<u32>(q) + 1);
  return m + 1;
}

/** Pass 2: copy the cell at src to its place in due (m: cells scattered so
 *  far). Returns the new m. */
@inline function drainScatter(src: usize, m: u32): u32 {
  if (load<u32>(src, C_ID) == WHEEL_NONE) return m;
  const k = <u32>load<u16>(keys + (<usize>m << 1));
  const q = counts + (<usize>k << 2);
  const i = load<u32>(q);
  store<u32>(q, i + 1);
  copyCell(dueAt(i), src);
  return m + 1;
}

/** Stable insertion sort of due[0, n) on time: O(n) plus the inversions
 *  (few: the cells come nearly in time order). */
function sortDue(n: u32): void {
  // The heap's staging cell holds the cell being moved.
  const s = stage;
  for (let i: u32 = 1; i < n; i++) {
    const t = load<f64>(dueAt(i));
    if (!(t < load<f64>(dueAt(i - 1)))) continue;
    copyCell(s, dueAt(i));
    let j = i;
    do {
      copyCell(dueAt(j), dueAt(j - 1));
      j--;
    } while (j > 0 && t < load<f64>(dueAt(j - 1)));
    copyCell(dueAt(j), s);
  }
}

/** wheel_expire's granule (exclusive bound) for drainSlot's joined runs; 0
 *  everywhere else (the loop's steps and next_time drain one granule). */
let joinBelow: u64 = 0;

/** Make level-0 slot l's granule due (due is empty): its staged run (the
 *  oldest cells: staged when the slot's level-1 slot came due, in key order)
 *  first, then its list (filed since, in seq order). A run with nothing
 *  listed after it and not crowded (<= STAGE_HEAVY cells per key) is sorted
 *  in place and becomes due itself (dueBase points into the staging area):
 *  nothing is copied and its zombies and tombstones stay, for dueFront and
 *  the batch release to skip. Otherwise the cells are copied into the due
 *  array, zombies dropped: a run that is not crowded with at most SMALL_SORT
 *  listed cells after it, or at most SMALL_SORT cells in all, by insertion
 *  as they are copied (the run is nearly in time order already); else by a
 *  stable counting sort on the tick's low bits (about 2n buckets), then a
 *  stable insertion pass on time for what the buckets leave unordered
 *  (fractional ns, and ticks sharing a bucket). Every step is stable and run
 *  and list are each in seq order, the run's before the list's, so equal
 *  times stay in seq order without comparing seqs. Returns how many
 *  following granules it joined to an in-place run (joinBelow: the caller
 *  moves the cursor past them). */
function drainSlot(l: u32): u32 {
  const p = lh(l);
  const head = load<u32>(p);
  const tail = load<u32>(p, 4);
  const fill = load<u32>(p, 8);
  // Listed cells, zombies included (an upper bound on live ones): the side
  // table gives the chain's length without touching its blocks.
  let nL: u32 = 0;
  if (head != WHEEL_NONE) {
    nL = fill;
    for (let b = head; b != tail; b = nextBlock(b)) nL += CELLS;
  }
  listReset(l);
  bitClear(l);
  let rs: u32 = 0;
  let re: u32 = 0;
  const staged = stFrom < stTotal;
  if (staged) {
    // Staged runs are drained in digit order, all before the cursor leaves
    // the staged level-1 range.
    rs = stRun(l);
    re = stRun(l + 1);
    stFrom = re;
  }
  const nR = re - rs;
  let live: u32 = 0;
  const clean = zombies == 0;
  const heavy = STAGE_HEAVY << (stBits - WHEEL_SLOT_BITS);
  const crowded = nR > heavy;
  let joined: u32 = 0;
  if (nL == 0 && !crowded) {
    // The run, sorted in place, is due (a window into the staging area):
    // nothing copied. Its tombstones and zombies stay, as due's may.
    dueBase = stAt(rs);
    let end = re;
    if (staged && joinBelow != 0) {
      // An expire whose now lies granules ahead (fill+drain: 64 per call)
      // takes the next granules' runs too while they have no list, are not
      // crowded and end before now's granule: the runs are consecutive in
      // the staging area and their granules in time order, so one in-place
      // sort of the joined window orders them all, and each granule's drain
      // setup is paid once. Every joined granule ends before now, so no
      // schedule filed before this expire returns is placed differently
      // from a granule-by-granule drain, except behind a max-cut call.
      const hi = cur & ~SLOT_MASK;
      for (let d = l + 1; d < SLOTS && (hi | <u64>d) < joinBelow && lHead(d) == WHEEL_NONE; d++) {
        const b = stRun(d + 1);
        if (b - end > heavy) break;
        if (b != end) bitClear(d);
        end = b;
        joined++;
      }
      stFrom = end;
    }
    live = end - rs;
    sortDue(live);
  } else if (nR + nL <= SMALL_SORT || (!crowded && nL <= SMALL_SORT)) {
    for (let i = rs; i < re; i++) live = insertDue(stAt(i), live, clean);
    for (let b = head; b != WHEEL_NONE; b = nextBlock(b)) {
      const end = b == tail ? fill : CELLS;
      for (let c: u32 = 0; c < end; c++) live = insertDue(cellAt((b << CELL_BITS) | c), live, clean);
    }
  } else {
    const n = nR + nL;
    let bits: u32 = 32 - <u32>clz<u32>(n);
    if (bits > WHEEL_GRANULE_BITS) bits = WHEEL_GRANULE_BITS;
    // Key = ns into the granule >> shift.
    const shift = WHEEL_GRANULE_BITS - bits;
    const nb = <u32>1 << bits;
    // A loop: memory.fill (zero) is a call out of the compiled WASM, per granule.
    for (let k: u32 = 0; k < nb; k += 2) store<u64>(counts + (<usize>k << 2), 0);
    let m: u32 = 0;
    for (let i = rs; i < re; i++) m = drainCount(stAt(i), clean, shift, m);
    for (let b = head; b != WHEEL_NONE; b = nextBlock(b)) {
      const end = b == tail ? fill : CELLS;
      for (let c: u32 = 0; c < end; c++) m = drainCount(cellAt((b << CELL_BITS) | c), clean, shift, m);
    }
    for (let k: u32 = 0; k < nb; k++) {
      const q = counts + (<usize>k << 2);
      const c = load<u32>(q);
      store<u32>(q, live);
      live += c;
    }
    m = 0;
    for (let i = rs; i < re; i++) m = drainScatter(stAt(i), m);
    for (let b = head; b != WHEEL_NONE; b = nextBlock(b)) {
      const end = b == tail ? fill : CELLS;
      for (let c: u32 = 0; c < end; c++) m = drainScatter(cellAt((b << CELL_BITS) | c), m);
    }
    sortDue(live);
  }
  let b = head;
  while (b != WHEEL_NONE) {
    const nx = nextBlock(b);
    releaseBlock(b);
    b = nx;
  }
  dueHead = 0;
  dueTail = live;
  dueLast = live > 0 ? load<f64>(dueAt(live - 1)) : -Infinity;
  return joined;
}

/** The live cell at the head of due (tombstones skipped, zombies dropped),
 *  or 0. */
@inline function dueFront(): usize {
  while (dueHead < dueTail) {
    const a = dueAt(dueHead);
    const id = load<u32>(a, C_ID);
    if (id != WHEEL_NONE) {
      if (zombies == 0 || !isZombie(id & idxMask)) return a;
      dropZombie(id);
    }
    dueHead++;
  }
  return 0;
}

/** due is used up: reuse it from the start. */
@inline function dueEmpty(): bool {
  if (dueFront() != 0) return false;
  dueHead = 0;
  dueTail = 0;
  dueBase = due;
  dueLast = -Infinity;
  return true;
}

// Result of findNext: the earliest list with blocks.
const FOUND_NONE: u32 = 0;
const FOUND_TICK: u32 = 1; // level-0 slot fSlot holds granule fPos
const FOUND_SLOT: u32 = 2; // list fSlot (level >= 1, or overflow) begins at granule fPos
const NO_LIMIT: u64 = 0xffffffffffffffff;
let fSlot: u32 = 0;
let fPos: u64 = 0;

/** First set bit >= from in level lv's bitmap, or SLOTS. */
function firstBit(lv: u32, from: u32): u32 {
  if (from >= SLOTS) return SLOTS;
  const base = bitmaps + (<usize>(lv * WORDS) << 3);
  let w = from >> 6;
  let m = load<u64>(base + (<usize>w << 3)) & (<u64>0xffffffffffffffff << <u64>(from & 63));
  while (m == 0) {
    w++;
    if (w >= WORDS) return SLOTS;
    m = load<u64>(base + (<usize>w << 3));
  }
  return (w << 6) + <u32>ctz<u64>(m);
}

function findNext(): u32 {
  const s0 = firstBit(0, <u32>(cur & SLOT_MASK));
  if (s0 < SLOTS) {
    fSlot = s0;
    fPos = (cur & ~SLOT_MASK) | <u64>s0;
    return FOUND_TICK;
  }
  for (let lv: u32 = 1; lv < WHEEL_LEVELS; lv++) {
    const sh = <u64>(lv * WHEEL_SLOT_BITS);
    const s = firstBit(lv, <u32>((cur >> sh) & SLOT_MASK) + 1);
    if (s < SLOTS) {
      fSlot = lv * SLOTS + s;
      fPos = ((cur >> (sh + WHEEL_SLOT_BITS)) << (sh + WHEEL_SLOT_BITS)) | (<u64>s << sh);
      return FOUND_SLOT;
    }
  }
  if (lHead(L_OVF) != WHEEL_NONE) {
    fSlot = L_OVF;
    // ovfMin is a lower bound (cancels leave it); the cascade recomputes it.
    fPos = (ovfMin >> RANGE_BITS) << RANGE_BITS;
    if (fPos <= cur) fPos = ((cur >> RANGE_BITS) + 1) << RANGE_BITS; // defensive
    return FOUND_SLOT;
  }
  return FOUND_NONE;
}

/** due and the heap are empty: drain the earliest granule <= limit (cascading
 *  on the way) into due. False when no granule <= limit holds entries (then
 *  cur moves up to limit, which files later schedules closer to level 0). */
function drainNext(limit: u64): bool {
  while (true) {
    const f = findNext();
    if (f == FOUND_NONE || fPos > limit) {
      if (limit > cur && limit != NO_LIMIT) setCur(limit);
      return false;
    }
    if (f == FOUND_TICK) {
      setCur(fPos + 1 + <u64>drainSlot(fSlot));
      if (dueTail > 0) return true;
    } else {
      setCur(fPos);
    }
  }
}

let frontHeap = false; // front() returned the heap top

/** The earliest pending entry's cell (due head or heap top), draining a
 *  granule <= limit if both are empty; 0 if none. */
@inline function front(limit: u64): usize {
  while (true) {
    const a = dueFront();
    const h = heapFront();
    // A tie goes to due (its entries are older: placeLate).
    if (h != 0 && (a == 0 || load<f64>(h) < load<f64>(a))) {
      frontHeap = true;
      return h;
    }
    frontHeap = false;
    if (a != 0) return a;
    dueEmpty();
    if (pending == 0 || !drainNext(limit)) return 0;
  }
}

// ---- API ---------------------------------------------------------------

/** Schedule (time ns, kind, arg). Returns the entry's id, or WHEEL_NONE when
 *  the wheel is full (counted: full) or time is NaN or negative (bad).
 *  +Infinity is accepted (fires only at expire(+Infinity)). */
export function wheel_schedule(time: f64, kind: u32, arg: u32): u32 {
  // The common case without a call: an id on the stack, room, a granule not
  // drained yet and room in its list's tail block. Everything else (and the
  // errors) takes scheduleSlow, which does the same steps with the calls.
  // (A WebAssembly call in V8's code saves no register: with calls on its
  // rare paths, this function spilled its arguments at entry and reloaded
  // them around the cell's stores. Without: fill+drain 1.02-1.04x per call
  // from JS, 1.06-1.08x in WASM.)
  let top = load<u32>(freeTopP);
  if (time >= 0 && top != 0 && pending < cap) {
    const tick = tickOf(time);
    const g = tick >> G_BITS;
    if (g >= cur) {
      const l = listFor(g);
      const p = lh(l);
      const f = load<u32>(p, 8);
      if (f < CELLS) {
        top--;
        store<u32>(freeTopP, top);
        const id = load<u32>(freeStack + (<usize>top << 2));
        const i = id & idxMask;
        store<u32>(idTab + (<usize>i << 2), id);
        liveSet(i);
        seqNext++;
        store<u32>(p, f + 1, 8);
        const s = cellAt((load<u32>(p, 4) << CELL_BITS) | f);
        store<f64>(s, time);
        store<u32>(s, arg, C_ARG);
        store<u32>(s, id, C_ID);
        store<u32>(s, kind, C_KIND);
        setPending(pending + 1);
        return id;
      }
    }
  }
  return scheduleSlow(time, kind, arg);
}

/** wheel_schedule with every case: errors, refill or sweep, a new block, a
 *  drained granule (placeLate). */
function scheduleSlow(time: f64, kind: u32, arg: u32): u32 {
  if (!(time >= 0)) {
    statAdd(WHEEL_STAT_BAD, 1);
    return WHEEL_NONE;
  }
  if (pending >= cap) {
    statAdd(WHEEL_STAT_FULL, 1);
    return WHEEL_NONE;
  }
  let top = load<u32>(freeTopP);
  if (top == 0) {
    // live < N: if no index is spilled either, zombies hold > N/2 of them.
    if (spilled == 0) sweep();
    top = load<u32>(freeTopP);
    if (top == 0) {
      refill();
      top = load<u32>(freeTopP);
    }
  }
  store<u32>(freeTopP, top - 1);
  const id = load<u32>(freeStack + (<usize>(top - 1) << 2));
  const i = id & idxMask;
  store<u32>(idTab + (<usize>i << 2), id);
  liveSet(i);
  const tick = tickOf(time);
  const g = tick >> G_BITS;
  const seq = seqNext++;
  if (g >= cur) {
    // Written in place at its list's tail.
    const s = appendAt(listFor(g));
    store<f64>(s, time);
    store<u32>(s, arg, C_ARG);
    store<u32>(s, id, C_ID);
    store<u32>(s, kind, C_KIND);
  } else {
    placeLate(time, arg, id, kind, seq);
  }
  setPending(pending + 1);
  // stats' scheduled is seqNext (wheel_stats_sync).
  return id;
}

/** Schedule n entries from (times, kinds, args); ids (if non-zero) receives
 *  each id or WHEEL_NONE. Returns how many were scheduled. */
export function wheel_schedule_burst(times: usize, kinds: usize, args: usize, ids: usize, n: u32): u32 {
  let top = load<u32>(freeTopP);
  if (n <= top && n <= cap - pending) {
    // Room and ids for all: wheel_schedule's steps with its checks hoisted
    // and the free-stack top, the seq and the pending count in locals.
    let seq = seqNext;
    let ok: u32 = 0;
    for (let k: u32 = 0; k < n; k++) {
      const time = load<f64>(times + (<usize>k << 3));
      if (!(time >= 0)) {
        statAdd(WHEEL_STAT_BAD, 1);
        if (ids != 0) store<u32>(ids + (<usize>k << 2), WHEEL_NONE);
        continue;
      }
      top--;
      const id = load<u32>(freeStack + (<usize>top << 2));
      const i = id & idxMask;
      store<u32>(idTab + (<usize>i << 2), id);
      const kind = load<u32>(kinds + (<usize>k << 2));
      if (kind == WHEEL_KIND_CONSUMED) {
        // scheduled and fired: the index is free again (release), not live
        spilled++;
        statAdd(WHEEL_STAT_FIRED, 1);
        seq++;
        if (ids != 0) store<u32>(ids + (<usize>k << 2), id);
        continue;
      }
      liveSet(i);
      const arg = load<u32>(args + (<usize>k << 2));
      const tick = tickOf(time);
      const g = tick >> G_BITS;
      if (g >= cur) {
        const s = appendAt(listFor(g));
        store<f64>(s, time);
        store<u32>(s, arg, C_ARG);
        store<u32>(s, id, C_ID);
        store<u32>(s, kind, C_KIND);
      } else {
        placeLate(time, arg, id, kind, seq);
      }
      seq++;
      if (ids != 0) store<u32>(ids + (<usize>k << 2), id);
      ok++;
    }
    store<u32>(freeTopP, top);
    seqNext = seq;
    setPending(pending + ok);
    return ok;
  }
  let ok: u32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    if (load<u32>(kinds + (<usize>k << 2)) == WHEEL_KIND_CONSUMED) {
      // (the loop stages no more than the free stack holds: never empty here)
      const t = load<u32>(freeTopP);
      if (t == 0) unreachable();
      store<u32>(freeTopP, t - 1);
      const id = load<u32>(freeStack + (<usize>(t - 1) << 2));
      store<u32>(idTab + (<usize>(id & idxMask) << 2), id);
      spilled++;
      statAdd(WHEEL_STAT_FIRED, 1);
      seqNext++;
      if (ids != 0) store<u32>(ids + (<usize>k << 2), id);
      continue;
    }
    const id = wheel_schedule(
      load<f64>(times + (<usize>k << 3)),
      load<u32>(kinds + (<usize>k << 2)),
      load<u32>(args + (<usize>k << 2)),
    );
    if (id != WHEEL_NONE) ok++;
    if (ids != 0) store<u32>(ids + (<usize>k << 2), id);
  }
  return ok;
}

/** Cancel a pending entry: O(1), wherever it is (its cell becomes a zombie,
 *  dropped when next met). False if id is not pending: fired, cancelled,
 *  never issued, or stale. */
export function wheel_cancel(id: u32): bool {
  const i = id & idxMask;
  if (i >= idxCap || !isLive(i) || isZombie(i) || load<u32>(idTab + (<usize>i << 2)) != id) return false;
  zombSet(i);
  setPending(pending - 1);
  zombies++;
  statAdd(WHEEL_STAT_CANCELLED, 1);
  return true;
}

/** Write up to max entries with time <= now, in (time, seq) order, to the
 *  out arrays and release them. Returns the count; the rest stay pending. */
export function wheel_expire(now: f64, max: u32): u32 {
  if (!(now >= 0) || pending == 0) return 0;
  const gn = tickOf(now) >> G_BITS;
  if (max > ioCap) max = ioCap;
  let k: u32 = 0;
  while (k < max) {
    if (heapN == 0 && dueHead < dueTail) {
      // The common case: a run of the due array, no heap to merge.
      let h = dueHead;
      const end = dueTail;
      const k0 = k;
      const clean = zombies == 0;
      while (k < max && h < end) {
        const a = dueAt(h);
        const id = load<u32>(a, C_ID);
        if (id == WHEEL_NONE) {
          h++;
          continue;
        }
        const i = id & idxMask;
        if (!clean && isZombie(i)) {
          dropZombie(id);
          h++;
          continue;
        }
        const t = load<f64>(a);
        if (t > now) break;
        store<f64>(outTime + (<usize>k << 3), t);
        store<u32>(outKind + (<usize>k << 2), load<u32>(a, C_KIND));
        store<u32>(outArg + (<usize>k << 2), load<u32>(a, C_ARG));
        store<u32>(outId + (<usize>k << 2), id);
        release(id);
        h++;
        k++;
      }
      dueHead = h;
      setPending(pending - (k - k0));
      // Stopped by time or max (not by the end of due): done.
      if (h < end) break;
      continue;
    }
    joinBelow = gn;
    const a = front(gn);
    joinBelow = 0;
    if (a == 0) break;
    const t = load<f64>(a);
    if (t > now) break;
    const id = load<u32>(a, C_ID);
    store<f64>(outTime + (<usize>k << 3), t);
    store<u32>(outKind + (<usize>k << 2), load<u32>(a, C_KIND));
    store<u32>(outArg + (<usize>k << 2), load<u32>(a, C_ARG));
    store<u32>(outId + (<usize>k << 2), id);
    if (frontHeap) heapPop();
    else dueHead++;
    release(id);
    setPending(pending - 1);
    k++;
  }
  if (k > 0) statAdd(WHEEL_STAT_FIRED, <f64>k);
  return k;
}

/** Earliest pending time, +Infinity when empty. Amortised O(1): it drains the
 *  earliest granule into the due array (work expire would do anyway). */
export function wheel_next_time(): f64 {
  if (pending == 0) return Infinity;
  const a = front(NO_LIMIT);
  return a == 0 ? Infinity : load<f64>(a);
}

export function wheel_pending(): u32 { return pending; }
export function wheel_capacity(): u32 { return cap; }
export function wheel_io_capacity(): u32 { return ioCap; }
/** Bits of an id that are the entry's index; the rest is its generation. */
export function wheel_index_bits(): u32 { return idxBits; }
/** TESTS ONLY: stage level-1 slots of at least `min` cells, at most `limit`
 *  of them each (clamped to the staging area; 0: never stage), so that small
 *  wheels take every path. Returns the limit in force. */
export function wheel_stage_tune(min: u32, limit: u32): u32 {
  stMin = min;
  stLimit = limit < stCap ? limit : stCap;
  return stLimit;
}
/** Cancelled entries whose cells still hold their indices (diagnostics). */
export function wheel_zombies(): u32 { return zombies; }
/** First tick of the first granule not yet drained (diagnostics; f64 is
 *  exact below 2^53). */
export function wheel_cursor(): f64 { return <f64>(cur << G_BITS); }
export function wheel_out_time_ptr(): usize { return outTime; }
export function wheel_out_kind_ptr(): usize { return outKind; }
export function wheel_out_arg_ptr(): usize { return outArg; }
export function wheel_out_id_ptr(): usize { return outId; }
export function wheel_in_time_ptr(): usize { return inTime; }
export function wheel_in_kind_ptr(): usize { return inKind; }
export function wheel_in_arg_ptr(): usize { return inArg; }
export function wheel_in_id_ptr(): usize { return inId; }
export function wheel_stats_ptr(): usize { return stats; }
/** Bring the stats block up to date (scheduled is counted in seqNext, not
 *  stored per schedule); read it after this. */
export function wheel_stats_sync(): void {
  store<f64>(stats + (<usize>WHEEL_STAT_SCHEDULED << 3), <f64>seqNext);
}
/** The free-id stack and its u32 top: the next schedule gets
 *  free[top - 1], the one after free[top - 2], ... until a release. */
export function wheel_free_stack_ptr(): usize { return freeStack; }
export function wheel_free_top_ptr(): usize { return freeTopP; }
/** u32 pending (wheel_pending), kept up to date by every change. */
export function wheel_pending_ptr(): usize { return freeTopP + 4; }
/** Where wheel_loop_step publishes a lower bound (f64) on the times of the
 *  pending entries outside the batch it returned (publishBound). */
export function wheel_next_bound_ptr(): usize { return freeTopP + 8; }
/** Most ids the free stack holds (min(indices, WHEEL_FREE_STACK_MAX)). */
export function wheel_free_stack_capacity(): u32 { return stackCap; }

// ---- audit (tests only) -----------------------------------------------------

// exported: Wheel.audit (src/core/wheel.ts) reads the codes by name for its message
export const WHEEL_AUDIT_OK: u32 = 0;
export const WHEEL_AUDIT_BAD_INDEX: u32 = 1; // a cell's index >= M
export const WHEEL_AUDIT_SHARED: u32 = 2; // two cells hold one index
export const WHEEL_AUDIT_STALE: u32 = 3; // a live index's cell has an id other than idTab's
export const WHEEL_AUDIT_PENDING: u32 = 4; // live cells != pending, or live bits != pending
export const WHEEL_AUDIT_ZOMBIES: u32 = 5; // zombie cells or bits != the zombies count
export const WHEEL_AUDIT_FREED_HELD: u32 = 6; // an index both free and held by a cell
export const WHEEL_AUDIT_SPILLED: u32 = 7; // clear live bits != spilled + the free stack
export const WHEEL_AUDIT_STACK: u32 = 8; // a free-stack id not its index's next id
export const WHEEL_AUDIT_LOST: u32 = 9; // held + free indices != M
export const WHEEL_AUDIT_STAGED: u32 = 10; // a staged cell out of its run's granule, or its slot not busy

let auditLive: u32 = 0;
let auditZombies: u32 = 0;

/** Mark the index of a cell's id as held (keys[] as the marks). */
function auditCell(id: u32): u32 {
  const i = id & idxMask;
  if (i >= idxCap) return WHEEL_AUDIT_BAD_INDEX;
  const m = keys + (<usize>i << 1);
  if (load<u16>(m) != 0) return WHEEL_AUDIT_SHARED;
  store<u16>(m, 1);
  // A cell's index is held (its live bit set) until the cell is met.
  if (!isLive(i)) return WHEEL_AUDIT_FREED_HELD;
  if (isZombie(i)) {
    auditZombies++;
  } else {
    if (load<u32>(idTab + (<usize>i << 2)) != id) return WHEEL_AUDIT_STALE;
    auditLive++;
  }
  return WHEEL_AUDIT_OK;
}

/** Check the wheel's bookkeeping against its cells, O(M + lists): every
 *  index is held by exactly one cell (live or zombie) or free (on the stack
 *  or waiting for refill: its live bit clear), and the counts agree. Returns WHEEL_AUDIT_OK or
 *  the first broken invariant. For tests: a wheel that frees an index twice
 *  otherwise shows only later, and far from the cause. Uses keys[] (a
 *  drain's scratch) for marks. */
export function wheel_audit(): u32 {
  zero(keys, <usize>idxCap << 1);
  auditLive = 0;
  auditZombies = 0;
  let r: u32 = WHEEL_AUDIT_OK;
  for (let l: u32 = 0; l < NLISTS && r == WHEEL_AUDIT_OK; l++) {
    const p = lh(l);
    const tail = load<u32>(p, 4);
    const fill = load<u32>(p, 8);
    for (let b = load<u32>(p); b != WHEEL_NONE && r == WHEEL_AUDIT_OK; b = nextBlock(b)) {
      const end = b == tail ? fill : CELLS;
      for (let c: u32 = 0; c < end && r == WHEEL_AUDIT_OK; c++) {
        r = auditCell(load<u32>(cellAt((b << CELL_BITS) | c), C_ID));
      }
    }
  }
  for (let i = dueHead; i < dueTail && r == WHEEL_AUDIT_OK; i++) {
    const id = load<u32>(dueAt(i), C_ID);
    if (id != WHEEL_NONE) r = auditCell(id);
  }
  for (let i: u32 = 0; i < heapN && r == WHEEL_AUDIT_OK; i++) r = auditCell(load<u32>(heapAt(i), C_ID));
  if (stFrom < stTotal) {
    // Undrained runs: each cell in its digit's granule, the digit's level-0
    // bit set (else the drain would never come), digits at or after cur's.
    for (let d: u32 = 0; d < SLOTS && r == WHEEL_AUDIT_OK; d++) {
      const a = stRun(d);
      const e = stRun(d + 1);
      for (let i = a > stFrom ? a : stFrom; i < e && r == WHEEL_AUDIT_OK; i++) {
        const c = stAt(i);
        const id = load<u32>(c, C_ID);
        if (id == WHEEL_NONE) continue;
        const g = tickOf(load<f64>(c)) >> G_BITS;
        if (<u32>(g & SLOT_MASK) != d || (g >> SLOT_BITS64) != (cur >> SLOT_BITS64) || g < cur) return WHEEL_AUDIT_STAGED;
        if ((load<u64>(bitmaps + (<usize>(d >> 6) << 3)) & (<u64>1 << <u64>(d & 63))) == 0) return WHEEL_AUDIT_STAGED;
        r = auditCell(id);
      }
    }
  }
  if (r != WHEEL_AUDIT_OK) return r;
  if (auditLive != pending) return WHEEL_AUDIT_PENDING;
  if (auditZombies != zombies) return WHEEL_AUDIT_ZOMBIES;
  const words = (idxCap + 63) >> 6;
  let liveN: u32 = 0; // held, not zombies
  let heldN: u32 = 0; // live bits set: live entries and zombies
  let freeN: u32 = 0; // on the stack or spilled
  for (let w: u32 = 0; w < words; w++) {
    // Bits past the last index are set for good (wheel_init).
    const pad: u64 = w == words - 1 && (idxCap & 63) != 0 ? <u64>0xffffffffffffffff << <u64>(idxCap & 63) : 0;
    const held = load<u64>(liveBits + (<usize>w << 3));
    const zomb = load<u64>(zombBits + (<usize>w << 3));
    if ((held & pad) != pad || (zomb & (~held | pad)) != 0) return WHEEL_AUDIT_ZOMBIES;
    heldN += <u32>popcnt<u64>(held & ~pad);
    liveN += <u32>popcnt<u64>(held & ~zomb & ~pad);
    let bits = ~held;
    freeN += <u32>popcnt<u64>(bits);
    while (bits != 0) {
      const i = (w << 6) + <u32>ctz<u64>(bits);
      bits &= bits - 1;
      if (load<u16>(keys + (<usize>i << 1)) != 0) return WHEEL_AUDIT_FREED_HELD;
    }
  }
  if (liveN != pending) return WHEEL_AUDIT_PENDING;
  if (heldN - liveN != zombies) return WHEEL_AUDIT_ZOMBIES;
  const top = load<u32>(freeTopP);
  if (freeN != spilled + top) return WHEEL_AUDIT_SPILLED;
  for (let k: u32 = 0; k < top; k++) {
    const id = load<u32>(freeStack + (<usize>k << 2));
    const i = id & idxMask;
    if (i >= idxCap) return WHEEL_AUDIT_BAD_INDEX;
    if (isLive(i)) return WHEEL_AUDIT_FREED_HELD;
    const m = keys + (<usize>i << 1);
    if (load<u16>(m) != 0) return WHEEL_AUDIT_FREED_HELD;
    store<u16>(m, 1); // held by the stack: a second copy of it is caught above
    if (id != nextId(load<u32>(idTab + (<usize>i << 2)))) return WHEEL_AUDIT_STACK;
  }
  if (auditLive + auditZombies + freeN != idxCap) return WHEEL_AUDIT_LOST;
  return WHEEL_AUDIT_OK;
}

// ---- bench entry points (not for the simulator) ----------------------------

let benchRng: u32 = 1;
@inline function benchRand(): f64 {
  let x = benchRng;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  benchRng = x;
  return <f64>x * (1.0 / 4294967296.0);
}

/** BENCH ENTRY POINT: schedule n timers at base + U[0, range) ns (whole ns),
 *  then expire them over `steps` equal steps of now. Returns the number
 *  fired. The per-call path's work without the JS->WASM boundary. */
export function wheel_bench_fill_drain(n: u32, base: f64, range: f64, steps: u32, seed: u32): u32 {
  benchRng = seed | 1;
  for (let k: u32 = 0; k < n; k++) {
    wheel_schedule(base + Math.floor(benchRand() * range), 1, k);
  }
  let fired: u32 = 0;
  const dt = range / <f64>steps;
  for (let s: u32 = 1; s <= steps; s++) {
    const now = s == steps ? base + range : base + Math.floor(dt * <f64>s);
    let got: u32;
    do {
      got = wheel_expire(now, ioCap);
      fired += got;
    } while (got == ioCap);
  }
  return fired;
}

/** BENCH ENTRY POINT: the hold model (a DES in steady state). Until `fires`
 *  entries have fired: now = next pending time, expire what is due, and
 *  reschedule each at now + U[0, range) ns. Returns the number fired. */
export function wheel_bench_hold(fires: u32, range: f64, seed: u32): u32 {
  benchRng = seed | 1;
  let fired: u32 = 0;
  while (fired < fires) {
    const now = wheel_next_time();
    if (now == Infinity) break;
    const got = wheel_expire(now, ioCap);
    for (let k: u32 = 0; k < got; k++) {
      wheel_schedule(now + Math.floor(benchRand() * range), 1, load<u32>(outArg + (<usize>k << 2)));
    }
    fired += got;
  }
  return fired;
}

/** One call per step for Wheel.expireNext users: expire up to `max` entries at the
 *  earliest pending time if that time is <= limit (0 when none is), so a
 *  step costs one JS->WASM crossing instead of next_time + expire. */
export function wheel_expire_next(limit: f64, max: u32): u32 {
  const t = wheel_next_time();
  if (!(t <= limit)) return 0;
  return wheel_expire(t, max);
}

// ---- the event loop's batches (peek now, release when dispatched) ----------
//
// wheel_loop_step hands the loop a batch of due entries that may span many
// times (one WASM call for many events), but leaves them pending: a handler
// may schedule something earlier than the batch's rest, and then the loop
// stops, and the rest comes out again, in its place, from the next step. The
// loop says how many it has dispatched (`done`, counted from the batch's
// start) and those are released then. A batch is a run of live due cells
// (batchPos[k] = due index of entry k) before any earlier late-heap entry;
// nothing is drained into due while one is outstanding (due is not empty).
// When the late heap's top comes first, the batch begins with an old-style
// expire of the earliest time (released at once; all one time, so nothing a
// handler schedules can come before its rest), and due's run up to the
// heap's next top follows, pending as above: a late schedule costs the loop
// one step, not one for itself and one for the run after it.

const BATCH_NONE: u32 = 0;
const BATCH_PEEK: u32 = 1; // entries pending until released by done
const BATCH_FIRED: u32 = 2; // entries released by the step itself
let batchKind: u32 = BATCH_NONE;
let batchDone: u32 = 0;

/** Release the current batch's entries [batchDone, done) (they were
 *  dispatched); entries cancelled since the peek are zombies, dropped. */
function batchRelease(done: u32): void {
  if (batchKind != BATCH_PEEK || done <= batchDone) return;
  const last = load<u32>(batchPos + (<usize>(done - 1) << 2));
  let k: u32 = 0;
  const clean = zombies == 0;
  for (let i = dueHead; i <= last; i++) {
    const id = load<u32>(dueAt(i), C_ID);
    if (id == WHEEL_NONE) continue;
    const x = id & idxMask;
    if (clean || !isZombie(x)) {
      release(id);
      k++;
    } else {
      dropZombie(id);
    }
  }
  dueHead = last + 1;
  setPending(pending - k);
  if (k > 0) statAdd(WHEEL_STAT_FIRED, <f64>k);
  batchDone = done;
}

/** The loop's sync point: file in[0, n) (ids to inId, as
 *  wheel_schedule_burst; they come first so that they get the ids the loop
 *  read off the free stack), then release the batch's first `done` entries. */
export function wheel_loop_sync(n: u32, done: u32): void {
  if (n > 0) wheel_schedule_burst(inTime, inKind, inArg, inId, n);
  batchRelease(done);
}

/** The loop's one call per batch: wheel_loop_sync(n, done), then the next
 *  batch: up to max entries in (time, seq) order with time <= limit, to the
 *  out arrays. Returns its size (0: nothing due by limit). */
export function wheel_loop_step(n: u32, done: u32, limit: f64, max: u32): u32 {
  wheel_loop_sync(n, done);
  batchKind = BATCH_NONE;
  if (pending == 0 || !(limit >= 0)) return 0;
  if (max > ioCap) max = ioCap;
  const a = front(tickOf(limit) >> G_BITS);
  if (a == 0) return 0;
  const t0 = load<f64>(a);
  if (t0 > limit) return 0;
  // Entries [0, fired) of the batch are released by the step itself.
  let fired: u32 = 0;
  if (frontHeap) {
    fired = wheel_expire(t0, max);
    batchKind = BATCH_FIRED;
    // Not drained here: the rest of the granule is in due.
    if (fired == max || dueFront() == 0) {
      publishBound(dueHead);
      return fired;
    }
  }
  // dueHead is on a live cell.
  const h = heapFront();
  let k = fired;
  const clean = zombies == 0;
  let i = dueHead;
  for (; i < dueTail && k < max; i++) {
    const c = dueAt(i);
    const id = load<u32>(c, C_ID);
    // Tombstones and zombies are left for the release (or dueFront).
    if (id == WHEEL_NONE || (!clean && isZombie(id & idxMask))) continue;
    const t = load<f64>(c);
    if (t > limit || (h != 0 && load<f64>(h) < t)) break;
    store<f64>(outTime + (<usize>k << 3), t);
    store<u32>(outKind + (<usize>k << 2), load<u32>(c, C_KIND));
    store<u32>(outArg + (<usize>k << 2), load<u32>(c, C_ARG));
    store<u32>(outId + (<usize>k << 2), id);
    store<u32>(batchPos + (<usize>k << 2), i);
    k++;
  }
  batchKind = BATCH_PEEK;
  batchDone = fired;
  publishBound(i);
  return k;
}
