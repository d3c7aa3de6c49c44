// BQL (byte queue limits) over the WASM kernel assembly/dql.ts: one struct
// dql per TX queue, core.config.dqlQueues of them reserved at core_init.
//
// Time: the kernel runs BQL in jiffies. The WASM entry points take jiffies at
// HZ = 1000 as an integer-valued f64 (hot paths: `nsToJiffies(ns)` once per
// event, then core.raw.dql_* directly); the methods here take ns and convert.
// The sysfs view (limit, limit_min, limit_max, hold_time, inflight,
// stall_thrs, stall_max, stall_cnt) is read from a Uint32Array over the dql
// records, so reading it costs no call into WASM.
import type { Core } from "./core.js";
import { checkInt } from "./config.js";

/** include/linux/dynamic_queue_limits.h */
export const DQL_MAX_OBJECT = 268435455;
export const DQL_MAX_LIMIT = 1879048192;
/** HZ of the model: 1 jiffy = 1 ms. */
export const DQL_HZ = 1000;
const NS_PER_JIFFY = 1e6;
const REC_U32 = 32; // 128-byte records

// u32 word indices of assembly/dql.ts's record (byte offset / 4)
const W = {
  numQueued: 0,
  adjLimit: 1,
  lastObjCnt: 2,
  stallThrs: 3,
  historyHead: 4, // u64
  xoff: 14,
  stops: 15,
  limit: 16,
  numCompleted: 17,
  prevOvlimit: 18,
  prevNumQueued: 19,
  prevLastObjCnt: 20,
  lowestSlack: 21,
  slackStart: 22, // u64
  maxLimit: 24,
  minLimit: 25,
  holdTime: 26,
  stallMax: 27,
  lastReap: 28, // u64
  stallCnt: 30,
  wakes: 31,
} as const;

export type DqlTxResult = "noop" | "woken" | "open" | "bad";
const TX_RESULT: Record<number, DqlTxResult> = { 0: "noop", 1: "woken", 2: "open", [-1]: "bad" };

/** Every field of struct dql plus the model's XOFF state and counters. */
export interface DqlState {
  numQueued: number;
  adjLimit: number;
  lastObjCnt: number;
  stallThrs: number;
  historyHead: number;
  xoff: boolean;
  stops: number;
  wakes: number;
  limit: number;
  numCompleted: number;
  prevOvlimit: number;
  prevNumQueued: number;
  prevLastObjCnt: number;
  lowestSlack: number;
  slackStartTime: number;
  maxLimit: number;
  minLimit: number;
  slackHoldTime: number;
  stallMax: number;
  lastReap: number;
  stallCnt: number;
}

/** /sys/class/net/DEV/queues/tx-N/byte_queue_limits/ (hold_time and
 *  stall_thrs in ms, stall_max in jiffies, as the kernel shows them). */
export interface BqlSysfs {
  limit: number;
  limit_min: number;
  limit_max: number;
  hold_time: number;
  inflight: number;
  stall_thrs: number;
  stall_max: number;
  stall_cnt: number;
}

export class DqlError extends Error {
  override name = "DqlError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

interface DqlExports {
  dql_count(): number;
  dql_base_ptr(): number;
  dql_setup(q: number, hold: number, now: number): void;
  dql_reset(q: number, now: number): void;
  dql_tx_reset(q: number, now: number): void;
  dql_queued(q: number, count: number, now: number): number;
  dql_avail(q: number): number;
  dql_sent(q: number, bytes: number, now: number): number;
  dql_sent_burst(q: number, handles: number, n: number, now: number): number;
  dql_completed(q: number, count: number, now: number): number;
  dql_tx_completed(q: number, bytes: number, now: number): number;
  dql_set_limit(q: number, v: number): void;
  dql_set_limit_min(q: number, v: number): void;
  dql_set_limit_max(q: number, v: number): void;
  dql_set_hold_time(q: number, v: number): void;
  dql_set_stall_thrs(q: number, v: number, now: number): void;
  dql_reset_stall_max(q: number): void;
  dql_shift_counters(q: number, base: number): void;
}

/** Jiffies at HZ = 1000 of a time in ns (floor; the kernel's jiffies tick). */
export function nsToJiffies(ns: number): number {
  return Math.floor(ns / NS_PER_JIFFY);
}

function checkTime(ns: number): number {
  if (typeof ns !== "number" || !(ns >= 0) || !Number.isFinite(ns)) throw new DqlError("now", `now: a time in ns >= 0, got ${String(ns)}`);
  return nsToJiffies(ns);
}

/** One TX queue's struct dql. */
export class Dql {
  private readonly x: DqlExports;
  private readonly v: Uint32Array;
  private readonly o: number;

  constructor(
    readonly core: Core,
    readonly q: number,
  ) {
    this.x = core.raw as unknown as DqlExports;
    checkInt("dql.queue", q, 0, this.x.dql_count() - 1);
    this.v = new Uint32Array(core.memory.buffer, this.x.dql_base_ptr(), this.x.dql_count() * REC_U32);
    this.o = q * REC_U32;
    this.words = this.v;
    this.xoffAt = this.o + W.xoff;
  }

  /** The dql records as u32 words, and the index of this queue's XOFF word in them: a hot path
   *  reads `words[xoffAt] !== 0` (= stopped) without a call. */
  readonly words: Uint32Array;
  readonly xoffAt: number;

  private w(i: number): number {
    return this.v[this.o + i]!;
  }
  private w64(i: number): number {
    return this.v[this.o + i]! + this.v[this.o + i + 1]! * 4294967296;
  }

  /** dql_init(dql, hold_time jiffies) at time now (ns); clears XOFF and counters. */
  init(nowNs = 0, holdTimeMs = DQL_HZ): void {
    checkInt("bql.hold_time", holdTimeMs, 0, 0xffffffff);
    this.x.dql_setup(this.q, holdTimeMs, checkTime(nowNs));
  }

  /** netdev_tx_reset_queue */
  reset(nowNs: number): void {
    this.x.dql_tx_reset(this.q, checkTime(nowNs));
  }

  /** dql_queued alone (no stop decision). */
  queued(bytes: number, nowNs = 0): void {
    checkInt("bytes", bytes, 0, DQL_MAX_OBJECT);
    this.x.dql_queued(this.q, bytes, checkTime(nowNs));
  }

  /** netdev_tx_sent_queue: the packet is accepted; true when the queue is
   *  stopped (STACK_XOFF) afterwards — only when strictly over the limit. */
  sent(bytes: number, nowNs = 0): boolean {
    checkInt("bytes", bytes, 0, DQL_MAX_OBJECT);
    return this.x.dql_sent(this.q, bytes, checkTime(nowNs)) !== 0;
  }

  /** sent() for a driver's per-packet path: no argument checks (bytes an
   *  integer in [0, DQL_MAX_OBJECT], `jiffies` from nsToJiffies). */
  sentUnchecked(bytes: number, jiffies: number): boolean {
    const v = this.v;
    const o = this.o;
    // dql_queued records the stall history only with stall_thrs set: that one in WASM
    if (v[o + W.stallThrs] !== 0) return this.x.dql_sent(this.q, bytes, jiffies) !== 0;
    // assembly/dql.ts dql_sent through the record's words, without a call per packet:
    // include/linux/dynamic_queue_limits.h: dql_queued (u32 num_queued wraps), then
    // include/linux/netdevice.h: netdev_tx_sent_queue — STACK_XOFF once strictly over the limit
    const nq = (v[o + W.numQueued]! + bytes) >>> 0;
    v[o + W.lastObjCnt] = bytes;
    v[o + W.numQueued] = nq;
    if (((v[o + W.adjLimit]! - nq) | 0) >= 0) return false;
    if (v[o + W.xoff] === 0) {
      v[o + W.xoff] = 1;
      v[o + W.stops] = v[o + W.stops]! + 1;
    }
    return true;
  }

  /** An xmit_more batch of the n skbs in core.scratch[at .. at+n) (their
   *  len column): queued each, stop decision after the last. */
  sentBurst(n: number, at = 0, nowNs = 0): boolean {
    const slots = this.core.scratch.length;
    if (!Number.isInteger(n) || n < 0 || !Number.isInteger(at) || at < 0 || at + n > slots) {
      throw new RangeError(`burst of ${n} at scratch slot ${at} exceeds the ${slots} scratch slots (core.ioSlots)`);
    }
    return this.x.dql_sent_burst(this.q, this.core.scratchAddr(at), n, checkTime(nowNs)) !== 0;
  }

  /** dql_completed alone; DqlError when bytes exceed inflight (the kernel's BUG_ON). */
  completed(bytes: number, nowNs = 0): void {
    checkInt("bytes", bytes, 0, 0xffffffff);
    if (!this.x.dql_completed(this.q, bytes, checkTime(nowNs))) throw this.overCompleted(bytes);
  }

  /** netdev_tx_completed_queue: "woken" when STACK_XOFF was cleared. */
  txCompleted(bytes: number, nowNs = 0): DqlTxResult {
    checkInt("bytes", bytes, 0, 0xffffffff);
    const r = TX_RESULT[this.x.dql_tx_completed(this.q, bytes, checkTime(nowNs))]!;
    if (r === "bad") throw this.overCompleted(bytes);
    return r;
  }

  /** txCompleted() for a driver's per-packet path: no argument checks (as
   *  sentUnchecked); true when STACK_XOFF was cleared ("woken"). Completing
   *  more than is in flight still throws; `who` names the queue in the message. */
  txCompletedUnchecked(bytes: number, jiffies: number, who = ""): boolean {
    const r = this.x.dql_tx_completed(this.q, bytes, jiffies);
    if (r < 0) throw this.overCompleted(bytes, who);
    return r === 1;
  }

  // lib/dynamic_queue_limits.c: dql_completed's BUG_ON(count > num_queued - num_completed)
  private overCompleted(bytes: number, who = ""): DqlError {
    return new DqlError("bytes", `${who}bytes: ${bytes} completed but only ${this.inflight} in flight`);
  }

  /** dql_avail: bytes that may still be queued (< 0: over the limit). */
  get avail(): number {
    return (this.w(W.adjLimit) - this.w(W.numQueued)) | 0;
  }
  get inflight(): number {
    return (this.w(W.numQueued) - this.w(W.numCompleted)) >>> 0;
  }
  get limit(): number {
    return this.w(W.limit);
  }
  get stopped(): boolean {
    return this.w(W.xoff) !== 0;
  }
  get stops(): number {
    return this.w(W.stops);
  }
  get wakes(): number {
    return this.w(W.wakes);
  }

  sysfs(): BqlSysfs {
    return {
      limit: this.w(W.limit),
      limit_min: this.w(W.minLimit),
      limit_max: this.w(W.maxLimit),
      hold_time: this.w(W.holdTime), // jiffies_to_msecs at HZ = 1000
      inflight: this.inflight,
      stall_thrs: this.w(W.stallThrs),
      stall_max: this.w(W.stallMax),
      stall_cnt: this.w(W.stallCnt),
    };
  }

  /** Write a sysfs file (net/core/net-sysfs.c): limit/limit_min/limit_max take
   *  0..DQL_MAX_LIMIT or "max" (else EINVAL); hold_time ms; stall_thrs ms, 0 or
   *  4..128 (else ERANGE); stall_max: any write resets it to 0. */
  write(file: "limit" | "limit_min" | "limit_max" | "hold_time" | "stall_thrs" | "stall_max", value: number | "max", nowNs = 0): void {
    switch (file) {
      case "limit":
      case "limit_min":
      case "limit_max": {
        const v = value === "max" ? DQL_MAX_LIMIT : checkInt(`bql.${file}`, value, 0, DQL_MAX_LIMIT);
        if (file === "limit") this.x.dql_set_limit(this.q, v);
        else if (file === "limit_min") this.x.dql_set_limit_min(this.q, v);
        else this.x.dql_set_limit_max(this.q, v);
        return;
      }
      case "hold_time":
        this.x.dql_set_hold_time(this.q, checkInt("bql.hold_time", value, 0, 0xffffffff));
        return;
      case "stall_thrs": {
        const v = checkInt("bql.stall_thrs", value, 0, 128);
        if (v !== 0 && v < 4) throw new DqlError("bql.stall_thrs", `bql.stall_thrs: ${v} is not 0 or in [4, 128] ms (ERANGE)`);
        this.x.dql_set_stall_thrs(this.q, v, checkTime(nowNs));
        return;
      }
      case "stall_max":
        this.x.dql_reset_stall_max(this.q);
        return;
      default:
        throw new DqlError("file", `file: ${String(file)} is not a BQL sysfs file (limit, limit_min, limit_max, hold_time, stall_thrs, stall_max)`);
    }
  }

  /** Test hook: the same state after 2^32-wrapping byte counters by base. */
  shiftCounters(base: number): void {
    checkInt("base", base, 0, 0xffffffff);
    this.x.dql_shift_counters(this.q, base);
  }

  /** Every field, for tests and the differential oracle. */
  state(): DqlState {
    return {
      numQueued: this.w(W.numQueued),
      adjLimit: this.w(W.adjLimit),
      lastObjCnt: this.w(W.lastObjCnt),
      stallThrs: this.w(W.stallThrs),
      historyHead: this.w64(W.historyHead),
      xoff: this.stopped,
      stops: this.stops,
      wakes: this.wakes,
      limit: this.w(W.limit),
      numCompleted: this.w(W.numCompleted),
      prevOvlimit: this.w(W.prevOvlimit),
      prevNumQueued: this.w(W.prevNumQueued),
      prevLastObjCnt: this.w(W.prevLastObjCnt),
      lowestSlack: this.w(W.lowestSlack),
      slackStartTime: this.w64(W.slackStart),
      maxLimit: this.w(W.maxLimit),
      minLimit: this.w(W.minLimit),
      slackHoldTime: this.w(W.holdTime),
      stallMax: this.w(W.stallMax),
      lastReap: this.w64(W.lastReap),
      stallCnt: this.w(W.stallCnt),
    };
  }
}

/** The dql of TX queue q (0 .. core.config.dqlQueues-1). */
export function dqlOf(core: Core, q: number): Dql {
  return new Dql(core, q);
}
