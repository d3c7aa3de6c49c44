// A latency histogram of fixed size: log2 octaves of nanoseconds, each split
// into 16 linear sub-buckets (HdrHistogram with 4 significant bits), so
// recording is a clz32 and an increment and percentiles are within 1/16 of
// the true value. Values below 16 ns are exact. The report shows the octaves
// ([2^k, 2^(k+1)) ns) and nearest-rank percentiles as the lower bound of the
// sub-bucket holding that rank (exact when the samples sit on bucket bounds).
import { pow2 } from "../util/pow2.js";

/** Sub-buckets per octave (2^SUB_BITS). */
const SUB_BITS = 4;
const SUB = 1 << SUB_BITS;
/** Octaves 2^4 .. 2^52 ns (~52 days) above the 16 exact values. */
const OCTAVES = 49;
const SLOTS = SUB + OCTAVES * SUB;

/** One log2 bucket of the report: samples in [fromNs, toNs). */
export interface LatencyBucket {
  fromNs: number;
  toNs: number;
  count: number;
}

export interface LatencyReport {
  packets: number;
  meanNs: number;
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  maxNs: number;
  buckets: LatencyBucket[];
}

/** Slot of an integer ns value v ≥ 0. */
function slotOf(v: number): number {
  if (v < SUB) return v;
  if (v < 2147483648) {
    // the same slot in int32: v / 2^(e-4) floored is a shift below 2^31
    const e = 31 - Math.clz32(v);
    return SUB + (e - SUB_BITS) * SUB + ((v >>> (e - SUB_BITS)) - SUB);
  }
  if (v >= 2 ** 52) return SLOTS - 1;
  // e = floor(log2 v) ≥ 4; 32-bit clz for values below 2^32, else split
  const e = v < 4294967296 ? 31 - Math.clz32(v) : 63 - Math.clz32(Math.floor(v / 4294967296));
  const sub = Math.floor(v / pow2(e - SUB_BITS)) - SUB;
  return SUB + (e - SUB_BITS) * SUB + sub;
}

/** Smallest value of a slot. */
function slotFloor(s: number): number {
  if (s < SUB) return s;
  const e = Math.floor((s - SUB) / SUB) + SUB_BITS;
  const sub = (s - SUB) % SUB;
  return (SUB + sub) * pow2(e - SUB_BITS);
}

export class LatencyHist {
  private readonly counts = new Float64Array(SLOTS);
  packets = 0;
  sumNs = 0;
  maxNs = 0;

  /** Record one sample (ns; negative counts as 0, fractions are truncated). */
  add(ns: number): void {
    const v = ns > 0 ? Math.floor(ns) : 0;
    this.counts[slotOf(v)]!++;
    this.packets++;
    this.sumNs += v;
    if (v > this.maxNs) this.maxNs = v;
  }

  /** Record ts[i & mask] − base for i in [from, to): what add() of each in
   *  turn records, for times that do not decrease (a wire FIFO's frame starts
   *  against their train's one queueing time). A sample in the sub-bucket of
   *  the one before it (also across calls: trains queue about as long as each
   *  other) costs two compares and one count; the sum adds integers (exact in
   *  f64 in any grouping below 2^53). */
  addSpan(ts: Float64Array, from: number, to: number, mask: number, base: number): void {
    if (to <= from) return;
    const c = this.counts;
    let slot = this.spanSlot;
    let lo = this.spanLo;
    let hi = this.spanHi;
    let sum = 0;
    let max = this.maxNs;
    for (let i = from; i < to; i++) {
      const d = ts[i & mask]! - base;
      const v = d > 0 ? Math.floor(d) : 0;
      sum += v;
      if (v > max) max = v;
      if (v < lo || v >= hi) {
        if (v < SUB) {
          slot = v;
          lo = v;
          hi = v + 1;
        } else if (v < 2147483648) {
          // slotOf's int32 path; the sub-bucket is [lo, lo + 2^sh)
          const sh = 31 - Math.clz32(v) - SUB_BITS;
          const top = v >>> sh;
          slot = SUB + sh * SUB + (top - SUB);
          lo = top << sh;
          hi = lo + (1 << sh);
        } else {
          slot = slotOf(v);
          lo = slotFloor(slot);
          hi = slot + 1 < SLOTS ? slotFloor(slot + 1) : Infinity;
        }
      }
      c[slot]!++;
    }
    this.spanSlot = slot;
    this.spanLo = lo;
    this.spanHi = hi;
    this.packets += to - from;
    this.sumNs += sum;
    this.maxNs = max;
  }

  /** addSpan's last sub-bucket and its bounds [spanLo, spanHi) (none yet: empty). */
  private spanSlot = 0;
  private spanLo = 1;
  private spanHi = 0;

  /** Nearest-rank percentile p (0 < p ≤ 100): the sub-bucket floor of the ceil(p/100 · n)-th sample. */
  percentile(p: number): number {
    if (this.packets === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.packets));
    let seen = 0;
    const c = this.counts;
    for (let s = 0; s < SLOTS; s++) {
      seen += c[s]!;
      if (seen >= rank) return Math.min(slotFloor(s), this.maxNs);
    }
    return this.maxNs;
  }

  /** Counts per octave: [0, 1), [1, 2), [2, 4), … (non-empty ones only). */
  buckets(): LatencyBucket[] {
    const out: LatencyBucket[] = [];
    const c = this.counts;
    const push = (from: number, to: number, n: number): void => {
      if (n > 0) out.push({ fromNs: from, toNs: to, count: n });
    };
    push(0, 1, c[0]!);
    for (let k = 0; k < SUB_BITS; k++) {
      let n = 0;
      for (let v = 2 ** k; v < 2 ** (k + 1); v++) n += c[v]!;
      push(2 ** k, 2 ** (k + 1), n);
    }
    for (let o = 0; o < OCTAVES; o++) {
      let n = 0;
      for (let j = 0; j < SUB; j++) n += c[SUB + o * SUB + j]!;
      push(2 ** (o + SUB_BITS), 2 ** (o + SUB_BITS + 1), n);
    }
    return out;
  }

  report(): LatencyReport {
    return {
      packets: this.packets,
      meanNs: this.packets > 0 ? Math.round(this.sumNs / this.packets) : 0,
      p50Ns: this.percentile(50),
      p90Ns: this.percentile(90),
      p99Ns: this.percentile(99),
      maxNs: this.maxNs,
      buckets: this.buckets(),
    };
  }
}
