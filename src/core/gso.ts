// Software GSO over the WASM kernel assembly/gso.ts: TCP super-packets
// (gso_size = MSS, real headers, virtual payload) split into MSS segments in
// freshly allocated skbs, as skb_gso_segment does in validate_xmit_skb when the
// device cannot do TSO; and tcp_tso_autosize/tcp_tso_segs, the sizing of those
// super-packets. Hot paths call core.raw.gso_segment / gso_segment_burst with
// handle arrays in core.scratch.
import type { Core } from "./core.js";
import { checkInt } from "./config.js";

// include/linux/skbuff.h: SKB_GSO_* (same values as src/core/gro.ts)
export const SKB_GSO_TCPV4 = 1 << 0;
export const SKB_GSO_TCP_ECN = 1 << 2;
export const SKB_GSO_TCP_FIXEDID = 1 << 3;
export const SKB_GSO_TCPV6 = 1 << 4;

/** Indices of the f64 counters (assembly/gso.ts GSO_ST_*). */
export const GSO_ST = { in: 0, segmented: 1, segsOut: 2, asIs: 3, pass: 4, noMem: 5, bad: 6, noRoom: 7, dropped: 8 } as const;

export interface GsoStats {
  /** GSO skbs handed to segmentation. */
  in: number;
  /** of which split into segments */
  segmented: number;
  /** skbs out (segments, plus single-MSS skbs sent as they are) */
  segsOut: number;
  /** payload <= gso_size: sent whole, checksums completed */
  asIs: number;
  /** non-GSO skbs passed through a burst */
  pass: number;
  /** failures: the skb pool could not supply the segments */
  noMem: number;
  /** failures: not TCP over IPv4/IPv6, bad header lengths, gso_type or FIXEDID without DF */
  bad: number;
  /** failures: more segments than output slots */
  noRoom: number;
  /** burst inputs dropped after a failure (validate_xmit_skb frees them) */
  dropped: number;
}

export interface TsoAutosizeArgs {
  /** sk_pacing_rate, bytes per second */
  pacingRate: number;
  /** tcp_min_rtt, µs */
  minRttUs: number;
  /** mss_now, bytes */
  mss: number;
  /** sk_gso_max_size, bytes */
  gsoMaxSize: number;
  /** tcp_min_tso_segs (default 2) or the congestion control's min_tso_segs */
  minSegs?: number;
  /** sk_pacing_shift (default 10) */
  pacingShift?: number;
  /** net.ipv4.tcp_tso_rtt_log (default 9) */
  rttLog?: number;
  /** sk_gso_max_segs, for tcp_tso_segs (default 65535) */
  gsoMaxSegs?: number;
}

export class GsoError extends Error {
  override name = "GsoError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** assembly/gso.ts's exports; a hot path (src/net/nic-tx.ts) calls them on core.raw directly. */
export interface GsoExports {
  gso_segment(h: number, out: number, outMax: number): number;
  /** gso_segment with the segments released for the wire (src/net/nic-tx.ts releaseForWire). */
  tso_segment(h: number, out: number, outMax: number): number;
  gso_segment_burst(inp: number, n: number, out: number, outMax: number): number;
  gso_burst_consumed(): number;
  gso_stats_ptr(): number;
  gso_stats_len(): number;
  tcp_tso_autosize(rate: number, minRttUs: number, mss: number, gsoMaxSize: number, minSegs: number, shift: number, rttLog: number): number;
  tcp_tso_segs(rate: number, minRttUs: number, mss: number, gsoMaxSize: number, minSegs: number, shift: number, rttLog: number, maxSegs: number): number;
}

export class Gso {
  private readonly x: GsoExports;
  private readonly counters: Float64Array;

  constructor(readonly core: Core) {
    this.x = core.raw as unknown as GsoExports;
    this.counters = new Float64Array(core.memory.buffer, this.x.gso_stats_ptr(), this.x.gso_stats_len());
  }

  private checkSlots(field: string, at: number, n: number): void {
    const slots = this.core.scratch.length;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${field}: ${n} slots is not an integer in [0, ${slots}] (the scratch slots, core.ioSlots)`);
    if (n > slots) throw new RangeError(`${field}: needs ${n} scratch slots, the core has ${slots} (core.ioSlots)`);
    if (!Number.isInteger(at) || at < 0) {
      throw new RangeError(`${field}: ${at} is not an integer in [0, ${slots - n}] (${n} of the ${slots} scratch slots, core.ioSlots)`);
    }
    if (at + n > slots) throw new RangeError(`${field}: [${at}, ${at + n}) exceeds the ${slots} scratch slots (core.ioSlots)`);
  }

  /** Segment GSO skb h; the skbs to send go to core.scratch[outAt ..) (at
   *  most outMax). Returns their count: n (h freed), 1 (h itself: payload
   *  fits one MSS), or 0 when it failed (h untouched; see stats()). */
  segment(h: number, outAt = 0, outMax = this.core.scratch.length - outAt): number {
    checkInt("h", h, 0, this.core.config.skbs - 1);
    this.checkSlots("out", outAt, outMax);
    return this.x.gso_segment(h, this.core.scratchAddr(outAt), outMax);
  }

  /** The NIC's TSO engine: segment(), and the skbs come out released for the
   *  wire (no owner, truesize or departure time; src/net/nic-tx.ts
   *  releaseForWire). Same return as segment(). */
  tsoSegment(h: number, outAt = 0, outMax = this.core.scratch.length - outAt): number {
    checkInt("h", h, 0, this.core.config.skbs - 1);
    this.checkSlots("out", outAt, outMax);
    return this.x.tso_segment(h, this.core.scratchAddr(outAt), outMax);
  }

  /** The byte address of core.scratch[at .. at+n), checked here once for a
   *  caller that then calls core.raw.gso_segment / tso_segment itself. */
  outAddr(field: string, at: number, n: number): number {
    this.checkSlots(field, at, n);
    return this.core.scratchAddr(at);
  }

  /** validate_xmit_skb on the n skbs in core.scratch[at .. at+n): non-GSO
   *  skbs pass, GSO skbs are segmented, failures are dropped (freed,
   *  counted). Output in core.scratch[outAt .. outAt+outMax), which must not
   *  overlap the input. Returns { out, consumed }: skbs written, inputs used
   *  (fewer than n when the output filled up). */
  segmentBurst(n: number, at: number, outAt: number, outMax: number): { out: number; consumed: number } {
    this.checkSlots("in", at, n);
    this.checkSlots("out", outAt, outMax);
    if (n > 0 && outMax > 0 && outAt < at + n && at < outAt + outMax) {
      throw new RangeError(`out slots [${outAt}, ${outAt + outMax}) overlap the input [${at}, ${at + n})`);
    }
    const out = this.x.gso_segment_burst(this.core.scratchAddr(at), n, this.core.scratchAddr(outAt), outMax);
    return { out, consumed: this.x.gso_burst_consumed() };
  }

  stats(): GsoStats {
    const c = this.counters;
    const r = {} as GsoStats;
    for (const [k, i] of Object.entries(GSO_ST) as [keyof GsoStats, number][]) r[k] = c[i]!;
    return r;
  }

  /** net/ipv4/tcp_output.c: tcp_tso_autosize (segments per TSO skb). */
  tsoAutosize(a: TsoAutosizeArgs): number {
    const v = resolveTso(a);
    return this.x.tcp_tso_autosize(v.pacingRate, v.minRttUs, v.mss, v.gsoMaxSize, v.minSegs, v.pacingShift, v.rttLog) >>> 0;
  }

  /** net/ipv4/tcp_output.c: tcp_tso_segs = min(autosize, sk_gso_max_segs). */
  tsoSegs(a: TsoAutosizeArgs): number {
    const v = resolveTso(a);
    return this.x.tcp_tso_segs(v.pacingRate, v.minRttUs, v.mss, v.gsoMaxSize, v.minSegs, v.pacingShift, v.rttLog, v.gsoMaxSegs) >>> 0;
  }
}

/** Defaults and ranges of the tcp_tso_autosize inputs (GsoError naming the field). */
export function resolveTso(a: TsoAutosizeArgs): Required<TsoAutosizeArgs> {
  if (!a || typeof a !== "object") throw new GsoError("args", "args: an object { pacingRate, minRttUs, mss, gsoMaxSize, ... }");
  if (typeof a.pacingRate !== "number" || !Number.isInteger(a.pacingRate) || a.pacingRate < 0 || a.pacingRate > Number.MAX_SAFE_INTEGER) {
    throw new GsoError("pacingRate", `pacingRate: ${String(a.pacingRate)} is not an integer in [0, 2^53) bytes/s`);
  }
  return {
    pacingRate: a.pacingRate,
    minRttUs: checkInt("minRttUs", a.minRttUs, 0, 0xffffffff),
    mss: checkInt("mss", a.mss, 1, 0xffff),
    gsoMaxSize: checkInt("gsoMaxSize", a.gsoMaxSize, 0, 0xffffffff),
    minSegs: checkInt("minSegs", a.minSegs ?? 2, 0, 0xffff),
    pacingShift: checkInt("pacingShift", a.pacingShift ?? 10, 0, 63),
    rttLog: checkInt("rttLog", a.rttLog ?? 9, 0, 31),
    gsoMaxSegs: checkInt("gsoMaxSegs", a.gsoMaxSegs ?? 65535, 0, 0xffff),
  };
}

export function createGso(core: Core): Gso {
  return new Gso(core);
}
