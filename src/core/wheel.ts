// The timing wheel over the WASM core (assembly/wheel.ts): the simulator's one
// event queue. Entries are (time ns, kind, arg); expire() writes due entries,
// in (time, insertion) order, into arrays that live in WASM memory and are
// read here through views built once. Hot calls go straight to the raw
// exports; nothing on them allocates or throws.
import type { Core } from "./core.js";

/** What schedule() returns when the wheel is full or the time is bad. */
export const WHEEL_FAIL = -1;
/** Levels of 256 slots over granules (assembly/wheel.ts: WHEEL_LEVELS). */
export const WHEEL_LEVELS = 6;
/** log2 of a level-0 slot's width in ns, sorted when drained
 *  (assembly/wheel.ts: WHEEL_GRANULE_BITS). */
export const WHEEL_GRANULE_BITS = 12;
/** Times whose tick differs from the wheel's cursor above this bit wait in the
 *  overflow list (2^60 ns, ~36 years); still exact, only slower to reach. */
export const WHEEL_RANGE_NS = 2 ** 60;

interface WheelExports {
  wheel_schedule(time: number, kind: number, arg: number): number;
  wheel_schedule_burst(times: number, kinds: number, args: number, ids: number, n: number): number;
  wheel_cancel(id: number): number;
  wheel_expire(now: number, max: number): number;
  wheel_expire_next(limit: number, max: number): number;
  wheel_next_time(): number;
  wheel_pending(): number;
  wheel_capacity(): number;
  wheel_io_capacity(): number;
  wheel_index_bits(): number;
  wheel_cursor(): number;
  wheel_zombies(): number;
  wheel_audit(): number;
  wheel_stage_tune(min: number, limit: number): number;
  wheel_clear(): void;
  wheel_out_time_ptr(): number;
  wheel_out_kind_ptr(): number;
  wheel_out_arg_ptr(): number;
  wheel_out_id_ptr(): number;
  wheel_in_time_ptr(): number;
  wheel_in_kind_ptr(): number;
  wheel_in_arg_ptr(): number;
  wheel_in_id_ptr(): number;
  wheel_stats_ptr(): number;
  wheel_stats_sync(): void;
}

export interface WheelStats {
  /** Entries pending now (= scheduled - fired - cancelled). */
  pending: number;
  capacity: number;
  scheduled: number;
  fired: number;
  cancelled: number;
  /** schedule() refused: the wheel held `capacity` entries. */
  full: number;
  /** schedule() refused: time was NaN or negative. */
  bad: number;
  /** Entries moved down a level by a cascade (at most 5 per entry). */
  cascaded: number;
  /** Of those, cells a level-1 slot's cascade counting-sorted into the
   *  staging area (the rest went cell by cell to level-0 lists). */
  staged: number;
  /** Sweeps: every cancelled entry dropped at once, because no index was
   *  free (cancelled entries keep theirs until the wheel next meets them). */
  compactions: number;
  /** Cancelled entries still holding an index (diagnostics). */
  zombies: number;
}

/** What each of wheel_audit's failures means, by the name of its code's export (assembly/wheel.ts:
 *  WHEEL_AUDIT_*; the codes are read from the module, WHEEL_AUDIT_OK is the pass). */
export const AUDIT_FAILURES: Readonly<Record<string, string>> = {
  WHEEL_AUDIT_BAD_INDEX: "a cell's index is out of range",
  WHEEL_AUDIT_SHARED: "two cells hold one index",
  WHEEL_AUDIT_STALE: "a live index's cell has an id other than the one it was given (a stale cell taken for live)",
  WHEEL_AUDIT_PENDING: "the live cells or live bits differ from the pending count",
  WHEEL_AUDIT_ZOMBIES: "the zombie cells or zombie bits differ from the zombies count",
  WHEEL_AUDIT_FREED_HELD: "an index is both free and held (by a cell or twice on the free stack)",
  WHEEL_AUDIT_SPILLED: "the free indices (live bit clear) differ from their count",
  WHEEL_AUDIT_STACK: "a free-stack id is not its index's next id",
  WHEEL_AUDIT_LOST: "held and free indices do not add up to the wheel's indices",
  WHEEL_AUDIT_STAGED: "a staged cell lies outside its run's granule, or that granule's level-0 slot is not marked busy",
};

/** wheel_audit's result as text: null for WHEEL_AUDIT_OK, else the failure
 *  whose WHEEL_AUDIT_* export has that code (or the bare code if none has). */
export function auditMessage(raw: object, code: number): string | null {
  const codes = raw as Record<string, WebAssembly.Global | undefined>;
  if (code === codes.WHEEL_AUDIT_OK!.value) return null;
  const name = Object.keys(AUDIT_FAILURES).find((k) => codes[k]?.value === code);
  return name !== undefined ? AUDIT_FAILURES[name]! : `code ${code}`;
}

export class Wheel {
  /** Entries the wheel holds at once (core config wheelEntries). */
  readonly capacity: number;
  /** Size of the out and in arrays: most entries one expire() returns. */
  readonly outCapacity: number;
  /** expire() output, valid for [0, count) until the next expire(). */
  readonly outTime: Float64Array;
  readonly outKind: Uint32Array;
  readonly outArg: Uint32Array;
  readonly outId: Uint32Array;
  /** scheduleBurst() input (and the ids it assigns, WHEEL_NONE on failure). */
  readonly inTime: Float64Array;
  readonly inKind: Uint32Array;
  readonly inArg: Uint32Array;
  readonly inId: Uint32Array;
  /** id = (generation << indexBits) | entry index; the generation is bumped
   *  each time the entry is released. */
  readonly indexBits: number;
  private readonly x: WheelExports;
  private readonly counters: Float64Array;
  private readonly inPtrs: readonly [number, number, number, number];

  constructor(readonly core: Core) {
    const x = core.raw as unknown as WheelExports;
    this.x = x;
    const buf = core.memory.buffer;
    this.capacity = x.wheel_capacity() >>> 0;
    const c = (this.outCapacity = x.wheel_io_capacity() >>> 0);
    this.indexBits = x.wheel_index_bits();
    this.outTime = new Float64Array(buf, x.wheel_out_time_ptr(), c);
    this.outKind = new Uint32Array(buf, x.wheel_out_kind_ptr(), c);
    this.outArg = new Uint32Array(buf, x.wheel_out_arg_ptr(), c);
    this.outId = new Uint32Array(buf, x.wheel_out_id_ptr(), c);
    this.inPtrs = [x.wheel_in_time_ptr(), x.wheel_in_kind_ptr(), x.wheel_in_arg_ptr(), x.wheel_in_id_ptr()];
    this.inTime = new Float64Array(buf, this.inPtrs[0], c);
    this.inKind = new Uint32Array(buf, this.inPtrs[1], c);
    this.inArg = new Uint32Array(buf, this.inPtrs[2], c);
    this.inId = new Uint32Array(buf, this.inPtrs[3], c);
    this.counters = new Float64Array(buf, x.wheel_stats_ptr(), 8);
  }

  /** Schedule (time ns, kind, arg); returns the entry's id (a u32 other than
   *  0xffffffff) or -1 when full or when time is NaN/negative (counted in
   *  stats()). Times before the last expire's `now` fire at the next expire. */
  schedule(time: number, kind: number, arg: number): number {
    const r = this.x.wheel_schedule(time, kind, arg);
    return r === -1 ? -1 : r >>> 0;
  }

  /** Schedule inTime/inKind/inArg[0, n) in one call; ids go to inId[0, n)
   *  (0xffffffff for a refused entry). Returns how many were scheduled. */
  scheduleBurst(n: number): number {
    if (!(n >= 0 && n <= this.outCapacity && Number.isInteger(n))) {
      throw new RangeError(`scheduleBurst: n=${n} is not an integer in [0, ${this.outCapacity}] (wheel outCapacity)`);
    }
    const p = this.inPtrs;
    return this.x.wheel_schedule_burst(p[0], p[1], p[2], p[3], n);
  }

  /** Cancel a pending entry; false if it already fired, was cancelled, or
   *  the id is stale (its entry has been reused) or was never issued. */
  cancel(id: number): boolean {
    return this.x.wheel_cancel(id) !== 0;
  }

  /** Move up to `max` entries with time <= now, earliest (time, insertion)
   *  first, into outTime/outKind/outArg/outId[0, count); returns count.
   *  Entries beyond `max` stay due for the next call. The entries are
   *  released, so handlers may schedule while reading the output. */
  expire(now: number, max: number = this.outCapacity): number {
    return this.x.wheel_expire(now, max);
  }

  /** Expire up to `max` entries at the earliest pending time, if that time
   *  is <= limit; 0 when nothing is due by then. One WASM call per step. */
  expireNext(limit: number, max: number = this.outCapacity): number {
    return this.x.wheel_expire_next(limit, max);
  }

  /** Earliest pending time (ns), +Infinity when nothing is pending.
   *  Amortised O(1): it drains that time's tick into the due list, which
   *  expire would do anyway. */
  nextTime(): number {
    return this.x.wheel_next_time();
  }

  get pending(): number {
    return this.x.wheel_pending();
  }

  /** Drop every pending entry (counted as cancelled; their ids go stale) and
   *  rewind the wheel to time 0. */
  clear(): void {
    this.x.wheel_clear();
  }

  /** Check the wheel's bookkeeping against its cells (O(entries), for
   *  tests): every index held by one cell or free, the counts agreeing.
   *  Throws naming the first broken invariant. */
  audit(): void {
    const r = this.x.wheel_audit();
    const what = auditMessage(this.core.raw, r);
    if (what === null) return;
    throw new Error(`timing wheel audit: ${what} (${this.pending} pending, ${this.x.wheel_zombies() >>> 0} zombies)`);
  }

  /** For tests: stage (counting-sort into one contiguous array) level-1
   *  slots of at least `min` cells, at most `limit` of them each (the rest
   *  cascades cell by cell; 0: never stage), so that a small wheel takes
   *  every path. Defaults: 32 and min(indices, 65536). Returns the limit in
   *  force (clamped to the staging area). */
  tuneStaging(min: number, limit: number): number {
    return this.x.wheel_stage_tune(min, limit) >>> 0;
  }

  stats(): WheelStats {
    this.x.wheel_stats_sync();
    const c = this.counters;
    return {
      pending: this.x.wheel_pending(),
      capacity: this.capacity,
      scheduled: c[0]!,
      fired: c[1]!,
      cancelled: c[2]!,
      full: c[3]!,
      bad: c[4]!,
      cascaded: c[5]!,
      staged: c[7]!,
      compactions: c[6]!,
      zombies: this.x.wheel_zombies(),
    };
  }
}
