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
