// Plain-TS reference of assembly/ring.ts: the same power-of-two SPSC ring of
// u32 handles with free-running u32 indices and DPDK burst semantics
// (lib/ring/rte_ring.h: rte_ring_enqueue_burst / rte_ring_dequeue_burst).
// It is the oracle of the differential tests and a benchmark baseline, so it
// is written for clarity first and only then for speed.

export const REF_RING_NONE = 0xffffffff;
export const REF_RING_SIZE_MAX = 1 << 24;

export interface RingStats {
  /** Handles accepted. */
  enqueued: number;
  /** Handles handed out. */
  dequeued: number;
  /** Handles refused because the ring was full. */
  full: number;
  /** Enqueue calls that refused at least one handle. */
  fullEvents: number;
  /** Dequeue calls (max > 0) that found the ring empty. */
  empty: number;
  /** Handles discarded (and returned to the caller) by reset(). */
  reset: number;
  /** Highest occupancy seen. */
  hwm: number;
}

export class RefRing {
  readonly size: number;
  readonly mask: number;
  readonly slots: Uint32Array;
  /** Producer index, free running modulo 2^32. */
  head = 0;
  /** Consumer index, free running modulo 2^32. */
  tail = 0;
  private readonly s: RingStats = { enqueued: 0, dequeued: 0, full: 0, fullEvents: 0, empty: 0, reset: 0, hwm: 0 };

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || size > REF_RING_SIZE_MAX || (size & (size - 1)) !== 0) {
      throw new RangeError(`size: ${String(size)} is not a power of two in [2, 2^24]`);
    }
    this.size = size;
    this.mask = size - 1;
    this.slots = new Uint32Array(size);
  }

  get count(): number {
    return (this.head - this.tail) >>> 0;
  }

  get free(): number {
    return this.size - this.count;
  }

  /** Enqueue up to n handles from src[at .. at+n); returns how many fit. */
  enqueueBurst(src: ArrayLike<number>, n: number, at = 0): number {
    const free = this.free;
    let k = n;
    if (k > free) {
      k = free;
      this.s.full += n - k;
      this.s.fullEvents++;
    }
    let head = this.head;
    for (let i = 0; i < k; i++) {
      this.slots[head & this.mask] = src[at + i]!;
      head = (head + 1) >>> 0;
    }
    this.head = head;
    this.s.enqueued += k;
    if (this.count > this.s.hwm) this.s.hwm = this.count;
    return k;
  }

  /** Dequeue up to max handles into dst[at .. at+k), oldest first; returns k. */
  dequeueBurst(dst: { [i: number]: number }, max: number, at = 0): number {
    const k = Math.min(max, this.count);
    if (k === 0) {
      if (max > 0) this.s.empty++;
      return 0;
    }
    let tail = this.tail;
    for (let i = 0; i < k; i++) {
      dst[at + i] = this.slots[tail & this.mask]!;
      tail = (tail + 1) >>> 0;
    }
    this.tail = tail;
    this.s.dequeued += k;
    return k;
  }

  enqueue(h: number): boolean {
    if (this.count >= this.size) {
      this.s.full++;
      this.s.fullEvents++;
      return false;
    }
    this.slots[this.head & this.mask] = h;
    this.head = (this.head + 1) >>> 0;
    this.s.enqueued++;
    if (this.count > this.s.hwm) this.s.hwm = this.count;
    return true;
  }

  dequeue(): number {
    if (this.count === 0) {
      this.s.empty++;
      return REF_RING_NONE;
    }
    const h = this.slots[this.tail & this.mask]!;
    this.tail = (this.tail + 1) >>> 0;
    this.s.dequeued++;
    return h;
  }

  peek(k = 0): number {
    return k >= 0 && k < this.count ? this.slots[(this.tail + k) & this.mask]! : REF_RING_NONE;
  }

  /** head = tail = 0; returns (and counts in `reset`) what the ring held. */
  reset(): number {
    const n = this.count;
    this.head = 0;
    this.tail = 0;
    this.s.reset += n;
    return n;
  }

  /** Test hook mirroring ring_set_indices. */
  setIndices(head: number, tail: number): boolean {
    if (((head - tail) >>> 0) > this.size) return false;
    this.head = head >>> 0;
    this.tail = tail >>> 0;
    return true;
  }

  stats(): RingStats {
    return { ...this.s };
  }
}
