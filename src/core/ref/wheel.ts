// Plain-TS reference event queue for assembly/wheel.ts: a binary min-heap on
// (time, seq) with lazy deletion. Same API and the same ordering contract as
// src/core/wheel.ts: expire(now, max) returns what repeatedly popping the
// minimum (time, insertion) entry would, while its time <= now. Test oracle
// and bench baseline; written for clarity first.
import type { WheelStats } from "../wheel.js";

interface RefEntry {
  time: number;
  seq: number;
  kind: number;
  arg: number;
  id: number;
  live: boolean;
}

export class RefWheel {
  readonly outTime: Float64Array;
  readonly outKind: Uint32Array;
  readonly outArg: Uint32Array;
  readonly outId: Uint32Array;
  private heap: RefEntry[] = [];
  private readonly live = new Map<number, RefEntry>();
  private seq = 0;
  private nextId = 0;
  private readonly s = { scheduled: 0, fired: 0, cancelled: 0, full: 0, bad: 0 };

  constructor(
    readonly capacity: number,
    readonly outCapacity = Math.min(capacity, 4096),
  ) {
    this.outTime = new Float64Array(outCapacity);
    this.outKind = new Uint32Array(outCapacity);
    this.outArg = new Uint32Array(outCapacity);
    this.outId = new Uint32Array(outCapacity);
  }

  /** Returns an id (a fresh integer; not the WASM wheel's ids) or -1. */
  schedule(time: number, kind: number, arg: number): number {
    if (!(time >= 0)) {
      this.s.bad++;
      return -1;
    }
    if (this.live.size >= this.capacity) {
      this.s.full++;
      return -1;
    }
    const e: RefEntry = { time, seq: this.seq++, kind: kind >>> 0, arg: arg >>> 0, id: this.nextId++, live: true };
    this.live.set(e.id, e);
    this.push(e);
    this.s.scheduled++;
    return e.id;
  }

  cancel(id: number): boolean {
    const e = this.live.get(id);
    if (!e) return false;
    e.live = false;
    this.live.delete(id);
    this.s.cancelled++;
    return true;
  }

  expire(now: number, max: number = this.outCapacity): number {
    max = Math.min(max, this.outCapacity);
    let k = 0;
    while (k < max) {
      const e = this.top();
      if (!e || !(e.time <= now)) break;
      this.pop();
      e.live = false;
      this.live.delete(e.id);
      this.outTime[k] = e.time;
      this.outKind[k] = e.kind;
      this.outArg[k] = e.arg;
      this.outId[k] = e.id;
      k++;
    }
    this.s.fired += k;
    return k;
  }

  nextTime(): number {
    return this.top()?.time ?? Infinity;
  }

  get pending(): number {
    return this.live.size;
  }

  clear(): void {
    this.s.cancelled += this.live.size;
    this.live.clear();
    this.heap = [];
  }

  stats(): WheelStats {
    return { pending: this.live.size, capacity: this.capacity, ...this.s, cascaded: 0, staged: 0, compactions: 0, zombies: 0 };
  }

  private static before(a: RefEntry, b: RefEntry): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  /** The live minimum, dropping cancelled entries from the top. */
  private top(): RefEntry | undefined {
    while (this.heap.length > 0 && !this.heap[0]!.live) this.pop();
    return this.heap[0];
  }

  private push(e: RefEntry): void {
    const h = this.heap;
    let p = h.length;
    h.push(e);
    while (p > 0) {
      const q = (p - 1) >> 1;
      if (!RefWheel.before(e, h[q]!)) break;
      h[p] = h[q]!;
      p = q;
    }
    h[p] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let p = 0;
    for (;;) {
      let c = 2 * p + 1;
      if (c >= h.length) break;
      if (c + 1 < h.length && RefWheel.before(h[c + 1]!, h[c]!)) c++;
      if (!RefWheel.before(h[c]!, last)) break;
      h[p] = h[c]!;
      p = c;
    }
    h[p] = last;
  }
}
