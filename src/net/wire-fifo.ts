// The frames one link direction has put on the wire and not yet delivered,
// in wire order, each with its TX queue, start and end of serialization,
// arrival time, and when its skb was queued to the qdisc and posted to the
// driver ring (for the queueing-delay histograms; a TSO segment has its skb's,
// kept here in order rather than in per-handle arrays, so a train writes only
// this FIFO's sequential columns). Three cursors walk it: `started` and `ended` (frames whose
// start / end of serialization has been counted) and the head (next to
// arrive). Frames arrive in order and end before they arrive, so
// head <= ended <= started <= tail.
//
//   index:  head ........ ended ........ started ........ tail
//           |  ended, not  |  started, not |  not started  |
//           |  arrived     |  ended        |               |
//
// Circular typed arrays; capacity doubles when full (rare: the wire's
// bandwidth-delay product in frames), so the per-frame path allocates nothing.
// A train goes in, and each cursor moves, in one call that walks the columns
// (pushTrain, countStarted, countEnded, takeArrived): times stay unboxed f64
// locals instead of crossing a call per frame (V8 boxes a double argument or
// result of a call it does not inline: a heap number per frame).
import type { LatencyHist } from "../sim/latency-hist.js";
import { serializationNs } from "./wire-time.js";

/** What counts a frame as it starts on the wire, per TX queue (NicTx's
 *  ethtool -S tx_queue_N_packets/bytes and its queueing-delay histograms). */
export interface WireStartCounters {
  readonly stats: readonly { packets: number; bytes: number }[];
  readonly latency: readonly LatencyHist[];
  readonly ringLatency: readonly LatencyHist[];
}

/** WireFifo.times slots: a train's or run's start (in) and its last frame's end (out), the frames'
 *  enqueue and post times (pushTrain), the instant a run's frames must end before (pushRun). */
export const T_START = 0;
export const T_ENQ = 1;
export const T_POST = 2;
export const T_BEFORE = 3;
/** pushOne's serialization time of its frame (in). */
export const T_SER = 4;

export class WireFifo {
  /** pushTrain's and pushRun's times (T_*): a double passed to or returned from a call V8 does not
   *  inline is a heap number, one per train on the per-SYN path; from typed slots none is made. The
   *  end a push leaves in T_START is where the next train on the wire starts. */
  readonly times = new Float64Array(5);
  private cap = 1024;
  private mask = this.cap - 1;
  private h = new Uint32Array(this.cap);
  private q = new Uint16Array(this.cap);
  /** The frame's len as it went on the wire (read once, at pushTrain: the
   *  counters then read this sequential column, not the skb pool's). */
  private len = new Uint32Array(this.cap);
  /** 1: the frame follows the one before it in the same TSO train (same flow). */
  private cont = new Uint8Array(this.cap);
  private tStart = new Float64Array(this.cap);
  private tEnd = new Float64Array(this.cap);
  private tArr = new Float64Array(this.cap);
  private tEnq = new Float64Array(this.cap);
  private tPost = new Float64Array(this.cap);
  private head = 0;
  private ended = 0;
  private started = 0;
  private tail = 0;

  /** `rateBps`: the direction's line rate (the serialization times). */
  constructor(private readonly rateBps: number) {}

  get length(): number {
    return this.tail - this.head;
  }

  /** A train of k frames (handles buf[0..k)) of TX queue q goes on the wire
   *  from times[T_START], back to back: start_i+1 = end_i = start_i + serialization_i,
   *  arrival_i = end_i + delay (the same f64 sums as one event per frame),
   *  each queued at times[T_ENQ] and posted at times[T_POST]. Frames after
   *  the first continue the train. One call per train, so the times stay
   *  unboxed; the last frame's end goes to times[T_START]. */
  pushTrain(buf: Uint32Array, k: number, q: number, len: Uint32Array, delay: number): void {
    while (this.tail - this.head + k > this.cap) this.grow();
    const m = this.mask;
    const tm = this.times;
    const t0 = tm[T_START]!;
    const enq = tm[T_ENQ]!;
    const post = tm[T_POST]!;
    const rateBps = this.rateBps;
    let t = t0;
    let last = t0;
    let tail = this.tail;
    // a TSO train's frames but the last share a length: its serialization time once
    let lastLen = -1;
    let ser = 0;
    for (let j = 0; j < k; j++) {
      const h = buf[j]!;
      const l = len[h]!;
      if (l !== lastLen) {
        lastLen = l;
        ser = serializationNs(l, rateBps);
      }
      const end = t + ser;
      const i = tail & m;
      this.h[i] = h;
      this.q[i] = q;
      this.len[i] = l;
      this.cont[i] = j > 0 ? 1 : 0;
      this.tStart[i] = t;
      this.tEnd[i] = end;
      this.tArr[i] = end + delay;
      this.tEnq[i] = enq;
      this.tPost[i] = post;
      tail++;
      last = t;
      t = end;
    }
    this.tail = tail;
    this.trainLastStart[0] = last;
    tm[T_START] = t;
  }

  /** pushTrain(buf = [h], 1, 0, len, delay) with that frame's serialization time given in
   *  times[T_SER] (serializationNs of its len at this FIFO's rate: the same end, start + ser). */
  pushOne(h: number, len: Uint32Array, delay: number): void {
    if (this.tail - this.head + 1 > this.cap) this.grow();
    const tm = this.times;
    const t = tm[T_START]!;
    const end = t + tm[T_SER]!;
    const i = this.tail & this.mask;
    this.h[i] = h;
    this.q[i] = 0;
    this.len[i] = len[h]!;
    this.cont[i] = 0;
    this.tStart[i] = t;
    this.tEnd[i] = end;
    this.tArr[i] = end + delay;
    this.tEnq[i] = tm[T_ENQ]!;
    this.tPost[i] = tm[T_POST]!;
    this.tail++;
    this.trainLastStart[0] = t;
    tm[T_START] = end;
  }

  /** The start of serialization of the last frame pushTrain placed (a typed slot, as times). */
  readonly trainLastStart = new Float64Array(1);

  /** A run of k frames (handles buf[0..k)) of TX queue q, each its own descriptor, back to back from
   *  times[T_START] as k one-frame pushTrain calls would place them, as long as each ends before
   *  times[T_BEFORE]; enq and post give each handle's queueing times. Returns how many went on (their
   *  last end in times[T_START]). */
  pushRun(buf: Uint32Array, k: number, q: number, len: Uint32Array, delay: number, enq: Float64Array, post: Float64Array): number {
    while (this.tail - this.head + k > this.cap) this.grow();
    const m = this.mask;
    const tm = this.times;
    const before = tm[T_BEFORE]!;
    const rateBps = this.rateBps;
    let t = tm[T_START]!;
    let tail = this.tail;
    let lastLen = -1;
    let ser = 0;
    let j = 0;
    for (; j < k; j++) {
      const h = buf[j]!;
      const l = len[h]!;
      if (l !== lastLen) {
        lastLen = l;
        ser = serializationNs(l, rateBps);
      }
      const end = t + ser;
      if (!(before > end)) break;
      const i = tail & m;
      this.h[i] = h;
      this.q[i] = q;
      this.len[i] = l;
      this.cont[i] = 0;
      this.tStart[i] = t;
      this.tEnd[i] = end;
      this.tArr[i] = end + delay;
      this.tEnq[i] = enq[h]!;
      this.tPost[i] = post[h]!;
      tail++;
      t = end;
    }
    this.tail = tail;
    tm[T_START] = t;
    return j;
  }

  headArrival(): number {
    return this.tArr[this.head & this.mask]!;
  }

  /** Arrival time of the k-th frame from the head (k < length). */
  arrivalAt(k: number): number {
    return this.tArr[(this.head + k) & this.mask]!;
  }

  /** How many frames from the head per-frame mode would have delivered before an event of instant `now`
   *  inserted at `insertedAt`: those arriving before now, then those arriving at now whose arrival was
   *  inserted (at their end of serialization) before it. Ends and arrivals rise together, so a prefix.
   *  An end equal to insertedAt counts as after: per frame both events are then inserted at the same
   *  instant and their order is that of the events inserting them, which this does not know; the cases
   *  of test/net/wire-train-txframes that pass never meet that tie (counted when written). */
  arrivedFor(now: number, insertedAt: number): number {
    const tail = this.tail;
    const m = this.mask;
    const ta = this.tArr;
    const te = this.tEnd;
    let hd = this.head;
    for (; hd < tail; hd++) {
      const i = hd & m;
      const a = ta[i]!;
      if (a > now || (a === now && !(te[i]! < insertedAt))) break;
    }
    return hd - this.head;
  }

  /** Take up to max frames that have arrived by now off the head, in order:
   *  their handles to out[0..n), whether each continues its train to cont[0..n). */
  takeArrived(now: number, out: Uint32Array, cont: Uint8Array, max: number): number {
    let hd = this.head;
    const tail = this.tail;
    const m = this.mask;
    const ta = this.tArr;
    let n = 0;
    for (; n < max && hd < tail; hd++) {
      const i = hd & m;
      if (ta[i]! > now) break;
      if (hd >= this.ended) throw new RangeError("wire-fifo: a frame arrives before its end of serialization was counted");
      cont[n] = this.cont[i]!;
      out[n++] = this.h[i]!;
    }
    this.head = hd;
    // keep the cursors small (bitwise indexing needs them below 2^31)
    if (hd >= this.cap) {
      this.head -= this.cap;
      this.ended -= this.cap;
      this.started -= this.cap;
      this.tail -= this.cap;
    }
    return n;
  }

  /** Count the frames whose serialization has started by now, in wire order,
   *  on their queue's counters (one call per look: the times stay unboxed).
   *  A run of frames of one queue adds its packets and bytes once (integer
   *  sums, exact in f64 in any grouping). */
  countStarted(now: number, c: WireStartCounters): void {
    const tail = this.tail;
    let s = this.started;
    if (s === tail) return;
    const m = this.mask;
    const ts = this.tStart;
    const fq = this.q;
    const fl = this.len;
    const st = c.stats;
    const lat = c.latency;
    const ring = c.ringLatency;
    let q = fq[s & m]!;
    let pk = 0;
    let by = 0;
    for (; s < tail; s++) {
      const i = s & m;
      const t = ts[i]!;
      if (t > now) break;
      const qi = fq[i]!;
      if (qi !== q) {
        const qs = st[q]!;
        qs.packets += pk;
        qs.bytes += by;
        q = qi;
        pk = 0;
        by = 0;
      }
      pk++;
      by += fl[i]!;
      lat[q]!.add(t - this.tEnq[i]!);
      ring[q]!.add(t - this.tPost[i]!);
    }
    if (pk > 0) {
      const qs = st[q]!;
      qs.packets += pk;
      qs.bytes += by;
    }
    this.started = s;
  }

  /** Bytes (len) of the frames the last countEnded counted. */
  endedBytes = 0;

  /** Mark the frames whose serialization has ended by now (they have
   *  started); returns how many, their bytes in endedBytes. */
  countEnded(now: number): number {
    const started = this.started;
    let e = this.ended;
    const e0 = e;
    let bytes = 0;
    const m = this.mask;
    const te = this.tEnd;
    const fl = this.len;
    for (; e < started; e++) {
      const i = e & m;
      if (te[i]! > now) break;
      bytes += fl[i]!;
    }
    this.ended = e;
    this.endedBytes = bytes;
    return e - e0;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const h = new Uint32Array(cap);
    const q = new Uint16Array(cap);
    const l = new Uint32Array(cap);
    const c = new Uint8Array(cap);
    const s = new Float64Array(cap);
    const e = new Float64Array(cap);
    const a = new Float64Array(cap);
    const en = new Float64Array(cap);
    const po = new Float64Array(cap);
    for (let k = this.head; k < this.tail; k++) {
      const i = k & this.mask;
      const j = k & (cap - 1);
      h[j] = this.h[i]!;
      q[j] = this.q[i]!;
      l[j] = this.len[i]!;
      c[j] = this.cont[i]!;
      s[j] = this.tStart[i]!;
      e[j] = this.tEnd[i]!;
      a[j] = this.tArr[i]!;
      en[j] = this.tEnq[i]!;
      po[j] = this.tPost[i]!;
    }
    this.cap = cap;
    this.mask = cap - 1;
    this.h = h;
    this.q = q;
    this.len = l;
    this.cont = c;
    this.tStart = s;
    this.tEnd = e;
    this.tArr = a;
    this.tEnq = en;
    this.tPost = po;
  }
}
