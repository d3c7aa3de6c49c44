// Descriptor rings of the WASM core (assembly/ring.ts), seen from TS. One Ring
// object per ring, made once at setup; bursts go through core.scratch and one
// raw WASM call each. head/tail/count are read straight from the descriptor
// table through a Uint32Array view built once (memory never grows).
import type { Core } from "./core.js";
import type { RingStats } from "./ref/ring.js";

export type { RingStats } from "./ref/ring.js";

export const RING_NONE = 0xffffffff;
export const RING_SIZE_MIN = 2;
export const RING_SIZE_MAX = 1 << 24;

/** Mirrors of assembly/ring.ts's descriptor layout (checked by a test). */
export const RingDesc = Object.freeze({
  /** u32 words per descriptor record. */
  U32: 32,
  head: 0,
  tail: 1,
  mask: 2,
  size: 3,
  base: 4,
  slot: 5,
  hwm: 6,
  /** f64 word indices within a record (record i starts at f64 word i * 16). */
  f64Enqueued: 4,
  f64Dequeued: 5,
  f64Full: 6,
  f64FullEvents: 7,
  f64Empty: 8,
  f64Reset: 9,
});

interface RingExports {
  ring_create(size: number): number;
  ring_enqueue_burst(id: number, ptr: number, n: number): number;
  ring_dequeue_burst(id: number, ptr: number, max: number): number;
  ring_enqueue(id: number, h: number): number;
  ring_dequeue(id: number): number;
  ring_peek(id: number, k: number): number;
  ring_reset(id: number): number;
  ring_set_indices(id: number, head: number, tail: number): number;
  ring_desc_ptr(): number;
  ring_desc_stride(): number;
  ring_arena_ptr(): number;
  ring_max(): number;
  ring_arena_slots(): number;
  ring_created(): number;
  ring_slots_used(): number;
}

/** A ring could not be created; `field` names what to change. */
export class RingError extends Error {
  override name = "RingError";
  constructor(
    readonly field: "size" | "core.maxRings" | "core.ringSlots",
    message: string,
  ) {
    super(message);
  }
}

export class Ring {
  /** Ring id in the WASM core (what WASM-side users such as the NIC take). */
  readonly id: number;
  readonly size: number;
  private readonly x: RingExports;
  private readonly desc: Uint32Array;
  private readonly f64: Float64Array;
  private readonly scratchPtr: number;
  private readonly scratchLen: number;
  private readonly at: number; // u32 index of this record in desc
  private readonly at64: number; // f64 index of this record

  /** @internal made by Rings.create */
  constructor(rings: Rings, id: number, x: RingExports, desc: Uint32Array, f64: Float64Array) {
    this.id = id;
    this.x = x;
    this.desc = desc;
    this.f64 = f64;
    this.at = id * RingDesc.U32;
    this.at64 = id * (RingDesc.U32 >> 1);
    this.size = desc[this.at + RingDesc.size]!;
    this.scratchPtr = rings.core.scratchPtr;
    this.scratchLen = rings.core.scratch.length;
  }

  /** Producer index (free running, wraps at 2^32). */
  get head(): number {
    return this.desc[this.at + RingDesc.head]!;
  }
  /** Consumer index (free running, wraps at 2^32). */
  get tail(): number {
    return this.desc[this.at + RingDesc.tail]!;
  }
  /** Handles in the ring. */
  get count(): number {
    return (this.desc[this.at + RingDesc.head]! - this.desc[this.at + RingDesc.tail]!) >>> 0;
  }
  /** Free slots. */
  get free(): number {
    return this.size - this.count;
  }

  /** Enqueue the n handles in core.scratch[at .. at+n); returns how many fit
   *  (the rest are refused, counted as `full`, and still owned by the caller). */
  enqueueBurst(n: number, at = 0): number {
    this.check("n", n, at);
    return this.x.ring_enqueue_burst(this.id, this.scratchPtr + at * 4, n);
  }

  /** Dequeue up to max handles into core.scratch[at ..); returns how many. */
  dequeueBurst(max: number, at = 0): number {
    this.check("max", max, at);
    return this.x.ring_dequeue_burst(this.id, this.scratchPtr + at * 4, max);
  }

  /** Single handle (setup and tests; hot paths use bursts). */
  enqueue(h: number): boolean {
    return this.x.ring_enqueue(this.id, h >>> 0) !== 0;
  }
  /** Single handle, RING_NONE when empty. */
  dequeue(): number {
    return this.x.ring_dequeue(this.id) >>> 0;
  }
  /** The handle k places from the consumer end (0 = next out), or RING_NONE. */
  peek(k = 0): number {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`k: ${String(k)} is not a non-negative integer`);
    return k >= this.size ? RING_NONE : this.x.ring_peek(this.id, k) >>> 0;
  }
  /** Empty the ring (head = tail = 0); returns how many handles it held, which
   *  are counted in stats().reset and remain the caller's to account for. */
  reset(): number {
    return this.x.ring_reset(this.id) >>> 0;
  }
  /** TEST ONLY: place both indices (e.g. near 2^32); false if head - tail > size. */
  setIndices(head: number, tail: number): boolean {
    return this.x.ring_set_indices(this.id, head >>> 0, tail >>> 0) !== 0;
  }

  stats(): RingStats {
    const f = this.f64;
    const b = this.at64;
    return {
      enqueued: f[b + RingDesc.f64Enqueued]!,
      dequeued: f[b + RingDesc.f64Dequeued]!,
      full: f[b + RingDesc.f64Full]!,
      fullEvents: f[b + RingDesc.f64FullEvents]!,
      empty: f[b + RingDesc.f64Empty]!,
      reset: f[b + RingDesc.f64Reset]!,
      hwm: this.desc[this.at + RingDesc.hwm]!,
    };
  }

  private check(name: string, n: number, at: number): void {
    if ((n >>> 0) !== n || (at >>> 0) !== at || at + n > this.scratchLen) {
      if ((at >>> 0) !== at || at >= this.scratchLen) {
        throw new RangeError(`at: ${String(at)} is not a scratch slot in [0, ${this.scratchLen}) (core.ioSlots)`);
      }
      throw new RangeError(`${name}: ${String(n)} is not an integer in [0, ${this.scratchLen - at}] (scratch slots after at=${at}, core.ioSlots)`);
    }
  }
}

export class Rings {
  /** The whole descriptor table as u32 words (record i at i * RingDesc.U32). */
  readonly desc: Uint32Array;
  /** The same table as f64 words (counters). */
  readonly descF64: Float64Array;
  private readonly x: RingExports;
  private readonly list: Ring[] = [];
  /** All of WASM memory as u32 words (a ring's slots sit at its base byte address / 4). */
  private readonly mem32: Uint32Array;

  constructor(readonly core: Core) {
    this.x = core.raw as unknown as RingExports;
    const max = this.x.ring_max();
    const stride = this.x.ring_desc_stride();
    if (stride !== RingDesc.U32 * 4) {
      throw new Error(`skbsim core: ring descriptor stride ${stride} B does not match src/core/rings.ts (${RingDesc.U32 * 4} B); rebuild`);
    }
    this.desc = new Uint32Array(core.memory.buffer, this.x.ring_desc_ptr(), max * RingDesc.U32);
    this.descF64 = new Float64Array(core.memory.buffer, this.x.ring_desc_ptr(), max * (RingDesc.U32 >> 1));
    this.mem32 = new Uint32Array(core.memory.buffer);
  }

  /** ring_enqueue(id, h) through the views, for a per-frame producer (a NIC's RX ring when frames
   *  arrive one per IRQ): the same step and counters as assembly/ring.ts, without a call. `id` must
   *  be a ring of this core (the caller's own, made at setup). False when the ring is full. */
  enqueueOne(id: number, h: number): boolean {
    const d = this.desc;
    const f = this.descF64;
    const r = id * RingDesc.U32;
    const r64 = id * (RingDesc.U32 >> 1);
    const head = d[r + RingDesc.head]!;
    const used = (head - d[r + RingDesc.tail]!) >>> 0;
    if (used >= d[r + RingDesc.size]!) {
      f[r64 + RingDesc.f64Full]! += 1;
      f[r64 + RingDesc.f64FullEvents]! += 1;
      return false;
    }
    this.mem32[(d[r + RingDesc.base]! >>> 2) + ((head & d[r + RingDesc.mask]!) >>> 0)] = h;
    d[r + RingDesc.head] = head + 1;
    f[r64 + RingDesc.f64Enqueued]! += 1;
    if (used + 1 > d[r + RingDesc.hwm]!) d[r + RingDesc.hwm] = used + 1;
    return true;
  }

  /** Create a ring of `size` slots (power of two in [2, 2^24]) from the slot
   *  arena. Rings live as long as the core. */
  create(size: number): Ring {
    if (!Number.isInteger(size) || size < RING_SIZE_MIN || size > RING_SIZE_MAX || (size & (size - 1)) !== 0) {
      throw new RingError("size", `size: ${String(size)} must be a power of two in [2, 2^24]`);
    }
    const max = this.x.ring_max();
    if (this.x.ring_created() >= max) {
      throw new RingError("core.maxRings", `core.maxRings exhausted: all ${max} rings are in use; raise core.maxRings`);
    }
    const left = this.x.ring_arena_slots() - this.x.ring_slots_used();
    if (size > left) {
      throw new RingError(
        "core.ringSlots",
        `core.ringSlots exhausted: a ring of ${size} slots needs more than the ${left} of ${this.x.ring_arena_slots()} left; raise core.ringSlots`,
      );
    }
    const id = this.x.ring_create(size);
    if (id < 0) throw new Error(`skbsim core: ring_create(${size}) refused after the TS checks passed`);
    const ring = new Ring(this, id, this.x, this.desc, this.descF64);
    this.list.push(ring);
    return ring;
  }

  /** Ring by id (undefined if not created). */
  get(id: number): Ring | undefined {
    return this.list[id];
  }

  /** Rings created so far. */
  get created(): number {
    return this.list.length;
  }

  /** Arena slots handed out / total (core.ringSlots). */
  get slotsUsed(): number {
    return this.x.ring_slots_used();
  }
  get slotsTotal(): number {
    return this.x.ring_arena_slots();
  }
}
