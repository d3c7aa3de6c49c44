// sch_fq parameters: the defaults of fq_init and the checks of fq_change
// (net/sched/sch_fq.c). Times are ns, rates bytes/s (Infinity = ~0, unlimited).
import { QdiscConfigError, SCH_DEFAULT_PRIO2BAND } from "./qdisc.js";

export const FQ_BANDS = 3;
/** net/sched/sch_fq.c: FQ_MIN_WEIGHT */
export const FQ_MIN_WEIGHT = 16384;
/** net/sched/sch_fq.c: FQ_GC_MAX, FQ_GC_AGE (3*HZ) */
export const FQ_GC_MAX = 8;
export const FQ_GC_AGE_JIFFIES = 3000;
/** The model's HZ (spec examples assume 1000): jiffies = floor(now / 1 ms). */
export const HZ = 1000;
export const NS_PER_JIFFY = 1e9 / HZ;
/** fq_fastpath_check: the internal queue takes at most this many. */
export const FQ_FASTPATH_MAX = 8;

export interface FqOptions {
  /** psched_mtu = dev->mtu + dev->hard_header_len (1500 + 14 on Ethernet). */
  mtu?: number;
  hardHeaderLen?: number;
  /** sch->limit: packets per band (default 10000). */
  limit?: number;
  /** flow_plimit: packets per flow (default 100). */
  flowLimit?: number;
  /** Bytes; default 2 * psched_mtu, clamped to [256, 1 MiB] as fq_change does. */
  quantum?: number;
  /** Bytes; default min(10 * psched_mtu, 1 MiB); at most 1 MiB. */
  initialQuantum?: number;
  /** flow_max_rate (maxrate) in bytes/s; default Infinity (~0UL). */
  maxrate?: number;
  /** low_rate_threshold in bytes/s (default 68750 = 550 kbit/s). */
  lowRateThreshold?: number;
  /** flow_refill_delay in ms, kept in jiffies (default 40). */
  refillDelayMs?: number;
  /** fq_trees_log, 1..18 (default 10: 1024 buckets). */
  bucketsLog?: number;
  /** orphan_mask (default 1023). */
  orphanMask?: number;
  /** ce_threshold in ns (default ~0U us = off in practice). The model has no ECN: a late packet counts
   *  ce_mark but is not marked (6.12 fq_dequeue: INET_ECN_set_ce, then stat_ce_mark++). */
  ceThresholdNs?: number;
  /** timer_slack in ns (default 10000). */
  timerSlackNs?: number;
  /** horizon in ns (default 10 s). */
  horizonNs?: number;
  /** horizon_drop (default true): drop beyond the horizon; false caps tstamp at now + horizon. */
  horizonDrop?: boolean;
  /** rate_enable (default true): pacing on. */
  rateEnable?: boolean;
  /** priomap: 16 bands in 0..2 (default sch_default_prio2band). */
  priomap?: readonly number[];
  /** Band weights (quantum of each band's DRR), each >= 16384 (default 589824/196608/65536). */
  weights?: readonly number[];
  /** Flow structures this qdisc may hold (kmem_cache_zalloc beyond it fails: allocation_errors). */
  maxFlows?: number;
}

export interface FqParams {
  psched_mtu: number;
  limit: number;
  flowLimit: number;
  quantum: number;
  initialQuantum: number;
  maxrate: number;
  lowRateThreshold: number;
  refillDelayJiffies: number;
  bucketsLog: number;
  orphanMask: number;
  ceThresholdNs: number;
  timerSlackNs: number;
  horizonNs: number;
  horizonDrop: boolean;
  rateEnable: boolean;
  priomap: readonly number[];
  weights: readonly number[];
  maxFlows: number;
}

function uint(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new QdiscConfigError(`fq: ${name}=${v} must be an integer in [${min}, ${max}]`);
  }
  return v;
}

function rate(name: string, v: number): number {
  if (v === Infinity) return v;
  return uint(name, v, 0, 0xfffffffe);
}

// net/sched/sch_fq.c: fq_init, fq_change
export function fqParams(o: FqOptions = {}): FqParams {
  const mtu = uint("mtu", o.mtu ?? 1500, 1, 1 << 20);
  const hh = uint("hardHeaderLen", o.hardHeaderLen ?? 14, 0, 256);
  const pm = Math.min(Math.max(mtu + hh, 1), 1 << 20);
  const q = o.quantum === undefined ? 2 * pm : uint("quantum", o.quantum, 0, 0xffffffff);
  const priomap = o.priomap ?? SCH_DEFAULT_PRIO2BAND;
  if (priomap.length !== 16) throw new QdiscConfigError(`fq: priomap has ${priomap.length} entries; it needs 16 (TC_PRIO_MAX + 1)`);
  priomap.forEach((b, i) => uint(`priomap[${i}]`, b, 0, FQ_BANDS - 1));
  const weights = o.weights ?? [9 << 16, 3 << 16, 1 << 16];
  if (weights.length !== FQ_BANDS) throw new QdiscConfigError(`fq: weights has ${weights.length} entries; it needs ${FQ_BANDS}`);
  weights.forEach((w, i) => uint(`weights[${i}]`, w, FQ_MIN_WEIGHT, 0x7fffffff));
  const refillMs = o.refillDelayMs ?? 40;
  if (!(refillMs >= 0 && refillMs <= 0xffffffff / 1000)) throw new QdiscConfigError(`fq: refillDelayMs=${refillMs} must be in [0, 4294967]`);
  return {
    psched_mtu: pm,
    limit: uint("limit", o.limit ?? 10000, 0, 0xffffffff),
    flowLimit: uint("flowLimit", o.flowLimit ?? 100, 0, 0xffffffff),
    quantum: Math.min(Math.max(q, 256), 1 << 20),
    initialQuantum: uint("initialQuantum", o.initialQuantum ?? Math.min(10 * pm, 1 << 20), 0, 1 << 20),
    maxrate: rate("maxrate", o.maxrate ?? Infinity),
    lowRateThreshold: uint("lowRateThreshold", o.lowRateThreshold ?? 550000 / 8, 0, 0xffffffff),
    // usecs_to_jiffies rounds up
    refillDelayJiffies: Math.ceil((refillMs * 1000) / (1e6 / HZ)),
    bucketsLog: uint("bucketsLog", o.bucketsLog ?? 10, 1, 18),
    orphanMask: uint("orphanMask", o.orphanMask ?? 1023, 0, 0xffffffff),
    ceThresholdNs: o.ceThresholdNs ?? 1000 * 0xffffffff,
    timerSlackNs: uint("timerSlackNs", o.timerSlackNs ?? 10000, 0, 0xffffffff),
    horizonNs: o.horizonNs ?? 10e9,
    horizonDrop: o.horizonDrop ?? true,
    rateEnable: o.rateEnable ?? true,
    priomap: Object.freeze([...priomap]),
    weights: Object.freeze([...weights]),
    maxFlows: uint("maxFlows", o.maxFlows ?? 1 << 16, 1, 1 << 24),
  };
}
