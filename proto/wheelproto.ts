// STANDALONE PROTOTYPE (not in the build; session 17, perf-wheel17): the
// cheapest exact wheel I could design, to measure the floor of fill+drain and
// hold against assembly/wheel.ts. Same contract: exact (time, insertion)
// order, fractional ns, O(1) cancel by id (lazy: zombie bit), arg + kind +
// id per entry, schedules at any time (late ones to due / a late heap).
// Compile alone: npx asc proto/wheelproto.ts -O3 --noAssert --runtime stub -o /tmp/pw17/proto.wasm
// (from the repo root: asconfig.json makes the memory imported). Then node proto/proto-ab.mjs check|time.
//
// Structure: a level-1 RING of 256 coarse buckets of 2^CB ns over the window
// [c, c + 256) (c = first undrained bucket; not digit-aligned, so a timer
// < 2^(CB+8) ns ahead is always filed at level 1 whatever the base); level 2
// a ring of 256 slots of 2^(CB+8) ns, cascaded into the level-1 buckets'
// OLD chains when c reaches the slot's first bucket (every level-2 entry of a
// bucket is older than every entry filed there directly, so old chain then
// new chain is insertion order). A schedule is a bare append to its bucket's
// tail (one subtraction, two compares, one shift). A drained bucket is
// counting-sorted whole into `due` (~1-2 keys per cell, then an insertion
// pass). Schedules into drained buckets: due's tail or the late heap.
// Not built (the benches never reach them): overflow beyond level 2, sweeps.

const CB: u32 = 20;
const RB: u32 = 8;
const R: u32 = 1 << RB;
const RMASK: u32 = R - 1;
const WIN: f64 = <f64>(<u64>1 << <u64>(CB + RB));
const BW: f64 = <f64>(<u64>1 << <u64>CB);
const CELL: u32 = 20;
const CELL_BITS: u32 = 6;
const CELLS: u32 = 1 << CELL_BITS;
const BLOCK: u32 = CELLS * CELL;
const NONE: u32 = 0xffffffff;
const C_ARG: u32 = 8;
const C_ID: u32 = 12;
const C_KIND: u32 = 16;
const H_SEQ: u32 = 24;
const IO: u32 = 4096;
const STACK: u32 = 4096;
const COUNTS: u32 = 1 << 14;
const SMALL: u32 = 8;

let top_: usize = 0;
function reserve(bytes: usize): usize {
  const at = top_;
  top_ += (bytes + 63) & ~(<usize>63);
  return at;
}

let cap: u32 = 0;
let idxCap: u32 = 0;
let idxBits: u32 = 0;
let idxMask: u32 = 0;
let genMask: u32 = 0;
let nBlocks: u32 = 0;
let idTab: usize = 0;
let liveBits: usize = 0;
let zombBits: usize = 0;
let freeStack: usize = 0;
let freeTop: u32 = 0;
let spilled: u32 = 0;
let spillCur: u32 = 0;
let hdr1: usize = 0; // R x 16: +0 ptr (next cell address) +4 end (tail block end) +8 head block +12 tail block
let old1: usize = 0; // R x 16: the same, for cells cascaded from level 2
let hdr2: usize = 0; // R x 16: level 2
let bm1: usize = 0; // 4 u64: level-1 bucket has cells (new or old)
let bm2: usize = 0;
let blocks: usize = 0;
let nextTab: usize = 0;
let blockStack: usize = 0;
let freeBlocks: u32 = 0;
let counts: usize = 0;
let keys: usize = 0;
let due: usize = 0;
let heap: usize = 0;
let stage: usize = 0;
export let outTime: usize = 0;
export let outKind: usize = 0;
export let outArg: usize = 0;
export let outId: usize = 0;

let c: u32 = 0; // first undrained level-1 bucket (coarse index, mod 2^32)
let winStart: f64 = 0; // c << CB in ns
let pending: u32 = 0;
let zombies: u32 = 0;
let seqNext: u64 = 0;
let heapN: u32 = 0;
let dueHead: u32 = 0;
let dueTail: u32 = 0;
let dueLast: f64 = -Infinity;
export let fired: f64 = 0;
export let cascaded: f64 = 0;

export function p_init(entries: u32): void {
  top_ = (__heap_base + 63) & ~(<usize>63);
  cap = entries;
  idxCap = entries + ((entries + 1) >> 1);
  idxBits = 1;
  while ((<u32>1 << idxBits) < idxCap) idxBits++;
  idxMask = (<u32>1 << idxBits) - 1;
  genMask = 0x3fffffff >>> idxBits;
  nBlocks = (idxCap + CELLS - 1) / CELLS + 3 * 2 * R + 16;
  idTab = reserve(<usize>idxCap << 2);
  liveBits = reserve(<usize>((idxCap + 63) >> 6) << 3);
  zombBits = reserve(<usize>((idxCap + 63) >> 6) << 3);
  freeStack = reserve(<usize>STACK << 2);
  hdr1 = reserve(<usize>R << 4);
  old1 = reserve(<usize>R << 4);
  hdr2 = reserve(<usize>R << 4);
  bm1 = reserve(<usize>R >> 3);
  bm2 = reserve(<usize>R >> 3);
  counts = reserve(<usize>COUNTS << 2);
  keys = reserve(<usize>idxCap << 1);
  blocks = reserve(<usize>nBlocks * BLOCK);
  nextTab = reserve(<usize>nBlocks << 2);
  blockStack = reserve(<usize>nBlocks << 2);
  due = reserve(<usize>idxCap * CELL);
  heap = reserve(<usize>idxCap << 5);
  stage = reserve(64);
  outTime = reserve(<usize>IO << 3);
  outKind = reserve(<usize>IO << 2);
  outArg = reserve(<usize>IO << 2);
  outId = reserve(<usize>IO << 2);
  const pages = <i32>((top_ + 0xffff) >> 16) - memory.size();
  if (pages > 0 && memory.grow(pages) < 0) unreachable();
  memory.fill(liveBits, 0, <usize>((idxCap + 63) >> 6) << 3);
  memory.fill(zombBits, 0, <usize>((idxCap + 63) >> 6) << 3);
  if ((idxCap & 63) != 0) store<u64>(liveBits + (<usize>(idxCap >> 6) << 3), <u64>0xffffffffffffffff << <u64>(idxCap & 63));
  for (let k: u32 = 0; k < idxCap; k++) store<u32>(idTab + (<usize>k << 2), (genMask << idxBits) | k);
  spilled = idxCap;
  spillCur = 0;
  freeTop = 0;
  refill();
  for (let l: u32 = 0; l < R; l++) {
    listReset(hdr1 + (<usize>l << 4));
    listReset(old1 + (<usize>l << 4));
    listReset(hdr2 + (<usize>l << 4));
  }
  memory.fill(bm1, 0, <usize>R >> 3);
  memory.fill(bm2, 0, <usize>R >> 3);
  for (let b: u32 = 0; b < nBlocks; b++) store<u32>(blockStack + (<usize>b << 2), nBlocks - 1 - b);
  freeBlocks = nBlocks;
  c = 0;
  winStart = 0;
  pending = 0;
  heapN = 0;
  dueHead = 0;
  dueTail = 0;
  dueLast = -Infinity;
}

@inline function listReset(h: usize): void {
  store<u32>(h, 0);
  store<u32>(h, 0, 4);
  store<u32>(h, NONE, 8);
  store<u32>(h, NONE, 12);
}
@inline function bitSet(bm: usize, k: u32): void {
  const w = bm + (<usize>(k >> 6) << 3);
  store<u64>(w, load<u64>(w) | (<u64>1 << <u64>(k & 63)));
}
@inline function bitClear(bm: usize, k: u32): void {
  const w = bm + (<usize>(k >> 6) << 3);
  store<u64>(w, load<u64>(w) & ~(<u64>1 << <u64>(k & 63)));
}
/** First set bit in [from, R) of bitmap bm, or R. */
function firstBit(bm: usize, from: u32): u32 {
  if (from >= R) return R;
  let w = from >> 6;
  let m = load<u64>(bm + (<usize>w << 3)) & (<u64>0xffffffffffffffff << <u64>(from & 63));
  while (m == 0) {
    if (++w >= (R >> 6)) return R;
    m = load<u64>(bm + (<usize>w << 3));
  }
  return (w << 6) + <u32>ctz<u64>(m);
}
@inline function liveSet(i: u32): void {
  const w = liveBits + (<usize>(i >> 6) << 3);
  store<u64>(w, load<u64>(w) | (<u64>1 << <u64>(i & 63)));
}
@inline function liveClear(i: u32): void {
  const w = liveBits + (<usize>(i >> 6) << 3);
  store<u64>(w, load<u64>(w) & ~(<u64>1 << <u64>(i & 63)));
}
@inline function isLive(i: u32): bool {
  return (load<u64>(liveBits + (<usize>(i >> 6) << 3)) & (<u64>1 << <u64>(i & 63))) != 0;
}
@inline function isZombie(i: u32): bool {
  return (load<u64>(zombBits + (<usize>(i >> 6) << 3)) & (<u64>1 << <u64>(i & 63))) != 0;
}
@inline function dropZombie(id: u32): void {
  zombies--;
  const i = id & idxMask;
  const w = zombBits + (<usize>(i >> 6) << 3);
  store<u64>(w, load<u64>(w) & ~(<u64>1 << <u64>(i & 63)));
  liveClear(i);
  spilled++;
}
@inline function nextId(id: u32): u32 {
  return ((((id >>> idxBits) + 1) & genMask) << idxBits) | (id & idxMask);
}
@inline function copyCell(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
  store<u32>(dst, load<u32>(src, 16), 16);
}
@inline function nextBlock(b: u32): u32 { return load<u32>(nextTab + (<usize>b << 2)); }
@inline function blockAt(b: u32): usize { return blocks + <usize>b * BLOCK; }

/** Free ids onto the stack, in index order from a cursor. */
function refill(): void {
  const words = (idxCap + 63) >> 6;
  let want = spilled < STACK ? spilled : STACK;
  let p = freeStack + (<usize>want << 2);
  let left = want;
  let w = spillCur;
  let round: u32 = 0;
  while (left > 0) {
    if (++round > words + 1) unreachable();
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
  freeTop = want;
}

let touchSink: u32 = 0;
@inline function touchBlock(b: u32): void {
  const a = blockAt(b);
  let x: u32 = 0;
  for (let o: usize = 0; o < <usize>BLOCK; o += 256) {
    x ^= load<u32>(a + o) ^ load<u32>(a + o, 64) ^ load<u32>(a + o, 128) ^ load<u32>(a + o, 192);
  }
  touchSink ^= x;
}
function allocBlock(): u32 {
  if (freeBlocks == 0) unreachable();
  freeBlocks--;
  const b = load<u32>(blockStack + (<usize>freeBlocks << 2));
  store<u32>(nextTab + (<usize>b << 2), NONE);
  if (freeBlocks >= 8) {
    if ((freeBlocks & 3) == 0) {
      for (let j: u32 = 1; j <= 4; j++) touchBlock(load<u32>(blockStack + (<usize>(freeBlocks - 4 - j) << 2)));
    }
  } else if (freeBlocks > 0) {
    touchBlock(load<u32>(blockStack + (<usize>(freeBlocks - 1) << 2)));
  }
  return b;
}
@inline function releaseBlock(b: u32): void {
  store<u32>(blockStack + (<usize>freeBlocks << 2), b);
  freeBlocks++;
}
/** A new cell's address at list h's tail (taking a block if the tail is full). */
function appendAt(h: usize): usize {
  let p = load<u32>(h);
  if (p == load<u32>(h, 4)) {
    const b = allocBlock();
    const tb = load<u32>(h, 12);
    if (tb == NONE) store<u32>(h, b, 8);
    else store<u32>(nextTab + (<usize>tb << 2), b);
    store<u32>(h, b, 12);
    p = <u32>blockAt(b);
    store<u32>(h, p + BLOCK, 4);
  }
  store<u32>(h, p + CELL);
  return <usize>p;
}

// ---- late heap (as assembly/wheel.ts) ----
@inline function heapAt(i: u32): usize { return heap + (<usize>i << 5); }
@inline function before(a: usize, b: usize): bool {
  const ta = load<f64>(a);
  const tb = load<f64>(b);
  return ta < tb || (ta == tb && load<u64>(a, H_SEQ) < load<u64>(b, H_SEQ));
}
@inline function copyHeapEntry(dst: usize, src: usize): void {
  copyCell(dst, src);
  store<u64>(dst, load<u64>(src, H_SEQ), H_SEQ);
}
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
function siftDown(i: u32, src: usize): void {
  const n = heapN;
  while (true) {
    let ch = (i << 1) + 1;
    if (ch >= n) break;
    let ca = heapAt(ch);
    if (ch + 1 < n) {
      const cb = heapAt(ch + 1);
      if (before(cb, ca)) {
        ch++;
        ca = cb;
      }
    }
    if (!before(ca, src)) break;
    copyHeapEntry(heapAt(i), ca);
    i = ch;
  }
  copyHeapEntry(heapAt(i), src);
}
function heapPop(): void {
  heapN--;
  if (heapN == 0) return;
  copyHeapEntry(stage, heapAt(heapN));
  siftDown(0, stage);
}

// ---- schedule ----

export function p_schedule(time: f64, kind: u32, arg: u32): u32 {
  const top = freeTop;
  const d = time - winStart;
  if (d >= 0 && d < WIN && top != 0 && pending < cap) {
    const h = hdr1 + (<usize>((c + (<u32>d >> CB)) & RMASK) << 4);
    const p = load<u32>(h);
    if (p != load<u32>(h, 4)) {
      store<u32>(h, p + CELL);
      const t1 = top - 1;
      freeTop = t1;
      const id = load<u32>(freeStack + (<usize>t1 << 2));
      const i = id & idxMask;
      store<u32>(idTab + (<usize>i << 2), id);
      liveSet(i);
      store<f64>(p, time);
      store<u32>(p, arg, C_ARG);
      store<u32>(p, id, C_ID);
      store<u32>(p, kind, C_KIND);
      pending++;
      return id;
    }
  }
  return scheduleSlow(time, kind, arg);
}

let badCount: u32 = 0;
let fullCount: u32 = 0;
function scheduleSlow(time: f64, kind: u32, arg: u32): u32 {
  if (!(time >= 0)) {
    badCount++;
    return NONE;
  }
  if (pending >= cap) {
    fullCount++;
    return NONE;
  }
  if (freeTop == 0) {
    if (spilled == 0) unreachable(); // sweep: not built in the prototype
    refill();
  }
  const t1 = freeTop - 1;
  freeTop = t1;
  const id = load<u32>(freeStack + (<usize>t1 << 2));
  const i = id & idxMask;
  store<u32>(idTab + (<usize>i << 2), id);
  liveSet(i);
  pending++;
  const seq = seqNext++;
  const d = time - winStart;
  if (d < 0) {
    placeLate(time, arg, id, kind, seq);
    return id;
  }
  let h: usize;
  if (d < WIN) {
    const k = (c + (<u32>d >> CB)) & RMASK;
    h = hdr1 + (<usize>k << 4);
    if (load<u32>(h, 12) == NONE) bitSet(bm1, k);
  } else {
    // level 2: slot of (coarse >> RB); must be within 256 slots
    const q = <u64>(time * (1.0 / BW)); // coarse index (floor: time >= 0)
    const j = q >> <u64>RB;
    if (j - (<u64>c >> <u64>RB) >= <u64>R) unreachable(); // overflow: not built
    const k = <u32>j & RMASK;
    h = hdr2 + (<usize>k << 4);
    if (load<u32>(h, 12) == NONE) bitSet(bm2, k);
  }
  const s = appendAt(h);
  store<f64>(s, time);
  store<u32>(s, arg, C_ARG);
  store<u32>(s, id, C_ID);
  store<u32>(s, kind, C_KIND);
  return id;
}

function placeLate(time: f64, arg: u32, id: u32, kind: u32, seq: u64): void {
  if (heapN == 0 && time >= dueLast && dueTail < idxCap) {
    const a = due + <usize>dueTail * CELL;
    dueTail++;
    store<f64>(a, time);
    store<u32>(a, arg, C_ARG);
    store<u32>(a, id, C_ID);
    store<u32>(a, kind, C_KIND);
    dueLast = time;
  } else {
    const s = stage;
    store<f64>(s, time);
    store<u32>(s, arg, C_ARG);
    store<u32>(s, id, C_ID);
    store<u32>(s, kind, C_KIND);
    store<u64>(s, seq, H_SEQ);
    heapN++;
    siftUp(heapN - 1, s);
  }
}

export function p_cancel(id: u32): bool {
  const i = id & idxMask;
  if (i >= idxCap || !isLive(i) || isZombie(i) || load<u32>(idTab + (<usize>i << 2)) != id) return false;
  const w = zombBits + (<usize>(i >> 6) << 3);
  store<u64>(w, load<u64>(w) | (<u64>1 << <u64>(i & 63)));
  pending--;
  zombies++;
  return true;
}

// ---- cascade, drain ----

/** Level-2 slot j (ring position), whose first bucket is c, into the level-1
 *  buckets' old chains (c is aligned to R). */
function cascade2(k: u32): void {
  const h = hdr2 + (<usize>k << 4);
  let b = load<u32>(h, 8);
  const tail = load<u32>(h, 12);
  const endTail = load<u32>(h);
  listReset(h);
  bitClear(bm2, k);
  const clean = zombies == 0;
  let n: u32 = 0;
  while (b != NONE) {
    const a0 = blockAt(b);
    const end = b == tail ? <usize>endTail : a0 + BLOCK;
    const nb = nextBlock(b);
    for (let a = a0; a < end; a += CELL) {
      if (!clean) {
        const id = load<u32>(a, C_ID);
        if (isZombie(id & idxMask)) {
          dropZombie(id);
          continue;
        }
      }
      const q = <u32>(load<f64>(a) - winStart) >> CB; // < R: the slot is the window
      const o = old1 + (<usize>q << 4);
      if (load<u32>(o, 12) == NONE) bitSet(bm1, q);
      copyCell(appendAt(o), a);
      n++;
    }
    releaseBlock(b);
    b = nb;
  }
  cascaded += <f64>n;
}

/** Cells in a chain (head, tail, tail's next-cell address), from nextTab. */
@inline function chainCells(head: u32, tail: u32, p: u32): u32 {
  if (head == NONE) return 0;
  let n = (p - <u32>blockAt(tail)) / CELL;
  for (let b = head; b != tail; b = nextBlock(b)) n += CELLS;
  return n;
}

/** Pass 1 over one chain: keys and counts; returns m. */
@inline function countChain(head: u32, tail: u32, p: u32, base: f64, shift: u32, m: u32, clean: bool): u32 {
  let b = head;
  let front = b;
  let ahead: u32 = 0;
  while (b != NONE) {
    if (ahead <= 4) {
      for (let j: u32 = 0; j < 4 && front != NONE; j++) {
        touchBlock(front);
        front = nextBlock(front);
        ahead++;
      }
    }
    ahead--;
    const a0 = blockAt(b);
    const end = b == tail ? <usize>p : a0 + BLOCK;
    for (let a = a0; a < end; a += CELL) {
      if (!clean) {
        const id = load<u32>(a, C_ID);
        if (isZombie(id & idxMask)) {
          dropZombie(id);
          store<u32>(a, NONE, C_ID);
          continue;
        }
      }
      const k = <u32>(load<f64>(a) - base) >> shift;
      store<u16>(keys + (<usize>m << 1), <u16>k);
      m++;
      const q = counts + (<usize>k << 2);
      store<u32>(q, load<u32>(q) + 1);
    }
    b = nextBlock(b);
  }
  return m;
}

@inline function scatterChain(head: u32, tail: u32, p: u32, m: u32, clean: bool): u32 {
  let b = head;
  while (b != NONE) {
    const a0 = blockAt(b);
    const end = b == tail ? <usize>p : a0 + BLOCK;
    const nb = nextBlock(b);
    for (let a = a0; a < end; a += CELL) {
      if (!clean && load<u32>(a, C_ID) == NONE) continue;
      const q = counts + (<usize>load<u16>(keys + (<usize>m << 1)) << 2);
      m++;
      const i = load<u32>(q);
      store<u32>(q, i + 1);
      copyCell(due + <usize>i * CELL, a);
    }
    releaseBlock(b);
    b = nb;
  }
  return m;
}

function sortDue(n: u32): void {
  const s = stage;
  for (let i: u32 = 1; i < n; i++) {
    const ai = due + <usize>i * CELL;
    const t = load<f64>(ai);
    if (!(t < load<f64>(ai - CELL))) continue;
    copyCell(s, ai);
    let j = i;
    do {
      const aj = due + <usize>j * CELL;
      copyCell(aj, aj - CELL);
      j--;
    } while (j > 0 && t < load<f64>(due + <usize>(j - 1) * CELL));
    copyCell(due + <usize>j * CELL, s);
  }
}

/** Bucket ring position k (coarse c) into due (empty): old chain, then new
 *  chain, counting-sorted on the ns into the bucket, then an insertion pass. */
function drainBucket(k: u32): void {
  const o = old1 + (<usize>k << 4);
  const h = hdr1 + (<usize>k << 4);
  const oh = load<u32>(o, 8), ot = load<u32>(o, 12), op = load<u32>(o);
  const nh = load<u32>(h, 8), nt = load<u32>(h, 12), np = load<u32>(h);
  listReset(o);
  listReset(h);
  bitClear(bm1, k);
  const n = chainCells(oh, ot, op) + chainCells(nh, nt, np);
  let bits: u32 = 32 - <u32>clz<u32>(n);
  if (bits < 4) bits = 4;
  if (bits > 14) bits = 14;
  const shift = CB - bits;
  const nk = <u32>1 << bits;
  for (let q: u32 = 0; q < nk; q += 2) store<u64>(counts + (<usize>q << 2), 0);
  const clean = zombies == 0;
  const base = winStart - BW; // c is already the next bucket
  let m = countChain(oh, ot, op, base, shift, 0, clean);
  m = countChain(nh, nt, np, base, shift, m, clean);
  let at: u32 = 0;
  for (let q: u32 = 0; q < nk; q++) {
    const a = counts + (<usize>q << 2);
    const x = load<u32>(a);
    store<u32>(a, at);
    at += x;
  }
  m = scatterChain(oh, ot, op, 0, clean);
  m = scatterChain(nh, nt, np, m, clean);
  sortDue(m);
  dueHead = 0;
  dueTail = m;
  dueLast = m > 0 ? load<f64>(due + <usize>(m - 1) * CELL) : -Infinity;
}

@inline function setC(nc: u32): void {
  c = nc;
  winStart = <f64>nc * BW;
}

/** due and the heap are empty: drain the first bucket that holds cells and
 *  begins at or before limit (ns); false if none (c stays). */
function advance(limit: f64): bool {
  while (true) {
    const pos = c & RMASK;
    if (pos == 0) {
      // c is the first bucket of a level-2 slot: bring it down first.
      const k2 = (c >> RB) & RMASK;
      const w = bm2 + (<usize>(k2 >> 6) << 3);
      if ((load<u64>(w) & (<u64>1 << <u64>(k2 & 63))) != 0) cascade2(k2);
    }
    const f = firstBit(bm1, pos);
    if (f < R) {
      const q = (c & ~RMASK) + f;
      if (<f64>q * BW > limit) return false;
      setC(q + 1);
      drainBucket(f);
      if (dueTail > 0) return true;
      continue;
    }
    // nothing before the next level-2 boundary at level 1: cross it
    const nb = (c | RMASK) + 1;
    if (<f64>nb * BW > limit) return false;
    if (pending == 0) return false;
    // skip empty level-2 slots while level 1 is wholly empty
    if (firstBit(bm1, 0) == R) {
      let j = (nb >> RB);
      while (true) {
        const k2 = j & RMASK;
        const w = bm2 + (<usize>(k2 >> 6) << 3);
        if ((load<u64>(w) & (<u64>1 << <u64>(k2 & 63))) != 0) break;
        if (firstBit(bm2, 0) == R) return false; // only late entries left (none: due/heap empty)
        j++;
      }
      const to = j << RB;
      if (<f64>to * BW > limit) return false;
      setC(to);
    } else {
      setC(nb);
    }
  }
}

@inline function dueFront(): usize {
  while (dueHead < dueTail) {
    const a = due + <usize>dueHead * CELL;
    const id = load<u32>(a, C_ID);
    if (id != NONE) {
      if (zombies == 0 || !isZombie(id & idxMask)) return a;
      dropZombie(id);
    }
    dueHead++;
  }
  return 0;
}
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

export function p_expire(now: f64, max: u32): u32 {
  if (!(now >= 0) || pending == 0) return 0;
  if (max > IO) max = IO;
  let k: u32 = 0;
  while (k < max) {
    if (heapN == 0 && dueHead < dueTail) {
      // due's run while no heap entry is to be merged. (Running it up to the
      // heap's top instead, one compare more, read fill+drain 1.42x -> 1.14x
      // against the base: V8's register allocation of this function.)
      const lim = now;
      let hh = dueHead;
      const end = dueTail;
      const k0 = k;
      const clean = zombies == 0;
      while (k < max && hh < end) {
        const a = due + <usize>hh * CELL;
        const id = load<u32>(a, C_ID);
        if (id == NONE) {
          hh++;
          continue;
        }
        const i = id & idxMask;
        if (!clean && isZombie(i)) {
          dropZombie(id);
          hh++;
          continue;
        }
        const t = load<f64>(a);
        if (t > lim) break;
        store<f64>(outTime + (<usize>k << 3), t);
        store<u32>(outKind + (<usize>k << 2), load<u32>(a, C_KIND));
        store<u32>(outArg + (<usize>k << 2), load<u32>(a, C_ARG));
        store<u32>(outId + (<usize>k << 2), id);
        liveClear(i);
        hh++;
        k++;
      }
      dueHead = hh;
      spilled += k - k0;
      pending -= k - k0;
      if (hh < end) break;
      continue;
    }
    const a = dueFront();
    const hp = heapFront();
    let e: usize;
    let fromHeap = false;
    if (hp != 0 && (a == 0 || load<f64>(hp) < load<f64>(a))) {
      e = hp;
      fromHeap = true;
    } else if (a != 0) {
      e = a;
    } else {
      dueHead = 0;
      dueTail = 0;
      dueLast = -Infinity;
      if (pending == 0 || !advance(now)) break;
      continue;
    }
    const t = load<f64>(e);
    if (t > now) break;
    const id = load<u32>(e, C_ID);
    store<f64>(outTime + (<usize>k << 3), t);
    store<u32>(outKind + (<usize>k << 2), load<u32>(e, C_KIND));
    store<u32>(outArg + (<usize>k << 2), load<u32>(e, C_ARG));
    store<u32>(outId + (<usize>k << 2), id);
    if (fromHeap) heapPop();
    else dueHead++;
    liveClear(id & idxMask);
    spilled++;
    pending--;
    k++;
  }
  fired += <f64>k;
  return k;
}

export function p_next_time(): f64 {
  while (pending > 0) {
    const a = dueFront();
    const hp = heapFront();
    if (hp != 0 && (a == 0 || load<f64>(hp) < load<f64>(a))) return load<f64>(hp);
    if (a != 0) return load<f64>(a);
    dueHead = 0;
    dueTail = 0;
    dueLast = -Infinity;
    if (!advance(Infinity)) break;
  }
  return Infinity;
}

export function p_pending(): u32 { return pending; }

// ---- benches (as wheel_bench_*) ----
let benchRng: u32 = 1;
@inline function benchRand(): f64 {
  let x = benchRng;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  benchRng = x;
  return <f64>x * (1.0 / 4294967296.0);
}
export function p_bench_fill_drain(n: u32, base: f64, range: f64, steps: u32, seed: u32): u32 {
  benchRng = seed | 1;
  for (let k: u32 = 0; k < n; k++) p_schedule(base + Math.floor(benchRand() * range), 1, k);
  let got_: u32 = 0;
  const dt = range / <f64>steps;
  for (let s: u32 = 1; s <= steps; s++) {
    const now = s == steps ? base + range : base + Math.floor(dt * <f64>s);
    let got: u32;
    do {
      got = p_expire(now, IO);
      got_ += got;
    } while (got == IO);
  }
  return got_;
}
export function p_bench_hold(fires: u32, range: f64, seed: u32): u32 {
  benchRng = seed | 1;
  let n: u32 = 0;
  while (n < fires) {
    const now = p_next_time();
    if (now == Infinity) break;
    const got = p_expire(now, IO);
    for (let k: u32 = 0; k < got; k++) p_schedule(now + Math.floor(benchRand() * range), 1, load<u32>(outArg + (<usize>k << 2)));
    n += got;
  }
  return n;
}
