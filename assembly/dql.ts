// BQL: dynamic queue limits, one struct dql per TX queue, with the rules of
// Linux 6.12 lib/dynamic_queue_limits.c (dql_completed, dql_check_stall,
// dql_reset, dql_init), include/linux/dynamic_queue_limits.h (dql_queued,
// dql_queue_stall, dql_avail) and include/linux/netdevice.h
// (netdev_tx_sent_queue, __netdev_tx_sent_queue, netdev_tx_completed_queue).
// TS reference (the differential oracle): src/core/ref/dql.ts.
//
// Model decisions:
// - Byte counters are u32 and wrap exactly as the kernel's unsigned ints
//   (POSDIFF / AFTER_EQ compare through a signed difference).
// - Time is jiffies at HZ = 1000 (1 jiffy = 1 ms), passed in by the caller as
//   an integer-valued f64 (jiffies = floor(ns / 1e6), see src/core/dql.ts);
//   kept as u64 inside like a 64-bit kernel's unsigned long jiffies. Every
//   entry point that the kernel runs with `jiffies` takes it as an argument
//   (dql_queued needs it only for the stall history, when stall_thrs != 0).
// - __QUEUE_STATE_STACK_XOFF is the per-dql `xoff` word; stop/wake counts
//   are kept beside it for the report.
//
//   dqlBase (dql_plan reserves Q records, DQL_BYTES each)
//   +----------------------------------------------+ record q
//   | +0   u32 num_queued     (enqueue side)       |
//   | +4   u32 adj_limit                           |
//   | +8   u32 last_obj_cnt                        |
//   | +12  u32 stall_thrs     (u16, jiffies)       |
//   | +16  u64 history_head   (jiffies / 64)       |
//   | +24  u64 history[4]     (one bit per jiffy)  |
//   | +56  u32 xoff           (STACK_XOFF)         |
//   | +60  u32 stops          (XOFF set count)     |
//   +----------------------------------------------+
//   | +64  u32 limit          (completion side)    |
//   | +68  u32 num_completed                       |
//   | +72  u32 prev_ovlimit                        |
//   | +76  u32 prev_num_queued                     |
//   | +80  u32 prev_last_obj_cnt                   |
//   | +84  u32 lowest_slack                        |
//   | +88  u64 slack_start_time                    |
//   | +96  u32 max_limit, +100 u32 min_limit       |
//   | +104 u32 slack_hold_time (jiffies)           |
//   | +108 u32 stall_max      (u16, jiffies)       |
//   | +112 u64 last_reap                           |
//   | +120 u32 stall_cnt, +124 u32 wakes           |
//   +----------------------------------------------+  DQL_BYTES = 128
import { reserve, zero } from "./layout";
import { SKB_LEN, skb_col } from "./skb";

export const DQL_BYTES: usize = 128;
/** include/linux/dynamic_queue_limits.h: DQL_MAX_OBJECT, DQL_MAX_LIMIT */
export const DQL_MAX_OBJECT: u32 = 0xffffffff / 16;
export const DQL_MAX_LIMIT: u32 = 0xffffffff / 2 - DQL_MAX_OBJECT;
/** include/linux/dynamic_queue_limits.h: DQL_HIST_LEN; BITS_PER_LONG = 64 */
const HIST_LEN: u64 = 4;
const BPL: u64 = 64;
/** net/core/dev.c: netdev_init_one_queue -> dql_init(&queue->dql, HZ) */
export const DQL_HZ: u32 = 1000;

export const D_NUM_QUEUED: usize = 0;
export const D_ADJ_LIMIT: usize = 4;
export const D_LAST_OBJ_CNT: usize = 8;
export const D_STALL_THRS: usize = 12;
export const D_HISTORY_HEAD: usize = 16;
export const D_HISTORY: usize = 24;
export const D_XOFF: usize = 56;
export const D_STOPS: usize = 60;
export const D_LIMIT: usize = 64;
export const D_NUM_COMPLETED: usize = 68;
export const D_PREV_OVLIMIT: usize = 72;
export const D_PREV_NUM_QUEUED: usize = 76;
export const D_PREV_LAST_OBJ_CNT: usize = 80;
export const D_LOWEST_SLACK: usize = 84;
export const D_SLACK_START: usize = 88;
export const D_MAX_LIMIT: usize = 96;
export const D_MIN_LIMIT: usize = 100;
export const D_HOLD_TIME: usize = 104;
export const D_STALL_MAX: usize = 108;
export const D_LAST_REAP: usize = 112;
export const D_STALL_CNT: usize = 120;
export const D_WAKES: usize = 124;

let dqlMax: u32 = 0;
let dqlBase: usize = 0;
let colLen: usize = 0;

export function dql_plan(queues: u32): void {
  dqlMax = queues;
  dqlBase = reserve(DQL_BYTES * <usize>queues);
}

export function dql_init(): void {
  zero(dqlBase, DQL_BYTES * <usize>dqlMax);
  colLen = skb_col(SKB_LEN);
  for (let q: u32 = 0; q < dqlMax; q++) dql_setup(q, DQL_HZ, 0);
}

@inline function at(q: u32): usize {
  return dqlBase + DQL_BYTES * <usize>q;
}
@inline function posdiff(a: u32, b: u32): u32 {
  return <i32>(a - b) > 0 ? a - b : 0;
}
@inline function afterEq(a: u32, b: u32): bool {
  return <i32>(a - b) >= 0;
}
@inline function jiffies(now: f64): u64 {
  return <u64>now;
}

export function dql_count(): u32 { return dqlMax; }
export function dql_base_ptr(): usize { return dqlBase; }
export function dql_record_bytes(): u32 { return <u32>DQL_BYTES; }

/** lib/dynamic_queue_limits.c: dql_reset (adj_limit is not reset: kernel quirk) */
export function dql_reset(q: u32, now: f64): void {
  const d = at(q);
  const j = jiffies(now);
  store<u32>(d + D_LIMIT, load<u32>(d + D_MIN_LIMIT));
  store<u32>(d + D_NUM_QUEUED, 0);
  store<u32>(d + D_NUM_COMPLETED, 0);
  store<u32>(d + D_LAST_OBJ_CNT, 0);
  store<u32>(d + D_PREV_NUM_QUEUED, 0);
  store<u32>(d + D_PREV_LAST_OBJ_CNT, 0);
  store<u32>(d + D_PREV_OVLIMIT, 0);
  store<u32>(d + D_LOWEST_SLACK, 0xffffffff);
  store<u64>(d + D_SLACK_START, j);
  store<u64>(d + D_LAST_REAP, j);
  store<u64>(d + D_HISTORY_HEAD, j / BPL);
  zero(d + D_HISTORY, 32);
}

/** lib/dynamic_queue_limits.c: dql_init (hold time in jiffies); also clears
 *  the model's XOFF state and counters, as a fresh netdev_queue. */
export function dql_setup(q: u32, holdTime: u32, now: f64): void {
  const d = at(q);
  zero(d, DQL_BYTES);
  store<u32>(d + D_MAX_LIMIT, DQL_MAX_LIMIT);
  store<u32>(d + D_MIN_LIMIT, 0);
  store<u32>(d + D_HOLD_TIME, holdTime);
  store<u32>(d + D_STALL_THRS, 0);
  dql_reset(q, now);
}

/** include/linux/netdevice.h: netdev_tx_reset_queue (clears STACK_XOFF too) */
export function dql_tx_reset(q: u32, now: f64): void {
  store<u32>(at(q) + D_XOFF, 0);
  dql_reset(q, now);
}

/** include/linux/dynamic_queue_limits.h: dql_queue_stall */
function queueStall(d: usize, j: u64): void {
  const nowHi = j / BPL;
  let head = load<u64>(d + D_HISTORY_HEAD);
  if (nowHi != head) {
    for (let i: u64 = 0; i < HIST_LEN; i++) {
      if (nowHi * BPL == (head + i) * BPL) break;
      store<u64>(d + D_HISTORY + (<usize>((head + i + 1) % HIST_LEN) << 3), 0);
    }
    store<u64>(d + D_HISTORY_HEAD, nowHi);
  }
  const p = d + D_HISTORY + (<usize>(nowHi % HIST_LEN) << 3);
  store<u64>(p, load<u64>(p) | (<u64>1 << (j % BPL)));
}

/** include/linux/dynamic_queue_limits.h: dql_queued. Objects above
 *  DQL_MAX_OBJECT are ignored (the kernel's WARN_ON_ONCE); returns false. */
@inline function queued(d: usize, count: u32, now: f64): bool {
  if (count > DQL_MAX_OBJECT) return false;
  store<u32>(d + D_LAST_OBJ_CNT, count);
  store<u32>(d + D_NUM_QUEUED, load<u32>(d + D_NUM_QUEUED) + count);
  if (load<u32>(d + D_STALL_THRS) != 0) queueStall(d, jiffies(now));
  return true;
}

export function dql_queued(q: u32, count: u32, now: f64): bool {
  return queued(at(q), count, now);
}

/** include/linux/dynamic_queue_limits.h: dql_avail (< 0: over the limit) */
export function dql_avail(q: u32): i32 {
  const d = at(q);
  return <i32>(load<u32>(d + D_ADJ_LIMIT) - load<u32>(d + D_NUM_QUEUED));
}

/** The stop decision of include/linux/netdevice.h: netdev_tx_sent_queue:
 *  over the limit (avail < 0, not == 0) sets STACK_XOFF after the packet. */
@inline function stopCheck(d: usize): bool {
  if (<i32>(load<u32>(d + D_ADJ_LIMIT) - load<u32>(d + D_NUM_QUEUED)) >= 0) return false;
  if (load<u32>(d + D_XOFF) == 0) {
    store<u32>(d + D_XOFF, 1);
    store<u32>(d + D_STOPS, load<u32>(d + D_STOPS) + 1);
  }
  return true;
}

/** include/linux/netdevice.h: netdev_tx_sent_queue — the packet is accepted;
 *  returns true when the queue is stopped afterwards. */
export function dql_sent(q: u32, bytes: u32, now: f64): bool {
  const d = at(q);
  queued(d, bytes, now);
  return stopCheck(d);
}

/** A driver's xmit_more batch (include/linux/netdevice.h:
 *  __netdev_tx_sent_queue): dql_queued for each skb len in handles[0..n),
 *  the stop decision once after the last. Returns true when stopped. */
export function dql_sent_burst(q: u32, handles: usize, n: u32, now: f64): bool {
  const d = at(q);
  for (let i: u32 = 0; i < n; i++) {
    const h = load<u32>(handles + (<usize>i << 2));
    queued(d, load<u32>(colLen + (<usize>h << 2)), now);
  }
  return stopCheck(d);
}

/** lib/dynamic_queue_limits.c: dql_check_stall */
function checkStall(d: usize, stallThrs: u32, j: u64): void {
  if (stallThrs == 0) return;
  const lastReap = load<u64>(d + D_LAST_REAP);
  if (<i64>(j - (lastReap + <u64>stallThrs)) >= 0) {
    const head = load<u64>(d + D_HISTORY_HEAD);
    let start = (head - HIST_LEN + 1) * BPL;
    if (<i64>(start - (lastReap + 1)) < 0) start = lastReap + 1;
    let end = head * BPL + (BPL - 1);
    const half = <u64>(stallThrs / 2);
    if (<i64>(j - (end + half)) < 0) end = j - half;
    let t = start;
    for (; <i64>(t - end) <= 0; t++) {
      const bit = t % (HIST_LEN * BPL);
      if (((load<u64>(d + D_HISTORY + (<usize>(bit / BPL) << 3)) >> (bit % BPL)) & 1) != 0) break;
    }
    if (<i64>(t - end) <= 0) {
      store<u32>(d + D_STALL_CNT, load<u32>(d + D_STALL_CNT) + 1);
      // max_t(unsigned short, ...): both sides cast to u16
      const since = <u32><u16>(j - t);
      if (since > load<u32>(d + D_STALL_MAX)) store<u32>(d + D_STALL_MAX, since);
    }
  }
  store<u64>(d + D_LAST_REAP, j);
}

/** lib/dynamic_queue_limits.c: dql_completed. Returns false, changing
 *  nothing, for count > inflight (the kernel's BUG_ON). */
@inline function completed(d: usize, count: u32, now: f64): bool {
  const numQueued = load<u32>(d + D_NUM_QUEUED);
  const stallThrs = load<u32>(d + D_STALL_THRS);
  const numCompleted = load<u32>(d + D_NUM_COMPLETED);
  if (count > numQueued - numCompleted) return false;
  const done = numCompleted + count;
  let limit = load<u32>(d + D_LIMIT);
  let ovlimit = posdiff(numQueued - numCompleted, limit);
  const inprogress = numQueued - done;
  const prevNumQueued = load<u32>(d + D_PREV_NUM_QUEUED);
  const prevOvlimit = load<u32>(d + D_PREV_OVLIMIT);
  const prevInprogress = prevNumQueued - numCompleted;
  const allPrevCompleted = afterEq(done, prevNumQueued);
  const j = jiffies(now);

  if ((ovlimit != 0 && inprogress == 0) || (prevOvlimit != 0 && allPrevCompleted)) {
    // starved: grow by what was queued and completed last interval + overshoot
    limit += posdiff(done, prevNumQueued) + prevOvlimit;
    store<u64>(d + D_SLACK_START, j);
    store<u32>(d + D_LOWEST_SLACK, 0xffffffff);
  } else if (inprogress != 0 && prevInprogress != 0 && !allPrevCompleted) {
    // busy the whole interval: shrink by the lowest slack seen over hold_time
    let slack = posdiff(limit + prevOvlimit, 2 * (done - numCompleted));
    const slackLastObjs = prevOvlimit != 0 ? posdiff(load<u32>(d + D_PREV_LAST_OBJ_CNT), prevOvlimit) : 0;
    if (slackLastObjs > slack) slack = slackLastObjs;
    if (slack < load<u32>(d + D_LOWEST_SLACK)) store<u32>(d + D_LOWEST_SLACK, slack);
    const until = load<u64>(d + D_SLACK_START) + <u64>load<u32>(d + D_HOLD_TIME);
    if (<i64>(until - j) < 0) {
      limit = posdiff(limit, load<u32>(d + D_LOWEST_SLACK));
      store<u64>(d + D_SLACK_START, j);
      store<u32>(d + D_LOWEST_SLACK, 0xffffffff);
    }
  }
  // clamp(limit, min_limit, max_limit)
  const minL = load<u32>(d + D_MIN_LIMIT);
  const maxL = load<u32>(d + D_MAX_LIMIT);
  if (limit < minL) limit = minL;
  if (limit > maxL) limit = maxL;
  if (limit != load<u32>(d + D_LIMIT)) {
    store<u32>(d + D_LIMIT, limit);
    ovlimit = 0;
  }
  store<u32>(d + D_ADJ_LIMIT, limit + done);
  store<u32>(d + D_PREV_OVLIMIT, ovlimit);
  store<u32>(d + D_PREV_LAST_OBJ_CNT, load<u32>(d + D_LAST_OBJ_CNT));
  store<u32>(d + D_NUM_COMPLETED, done);
  store<u32>(d + D_PREV_NUM_QUEUED, numQueued);
  checkStall(d, stallThrs, j);
  return true;
}

export function dql_completed(q: u32, count: u32, now: f64): bool {
  return completed(at(q), count, now);
}

// dql_tx_completed results
export const DQL_TX_NOOP: i32 = 0; //    bytes == 0 or still over the limit
export const DQL_TX_WOKEN: i32 = 1; //   STACK_XOFF was set and is now cleared
export const DQL_TX_OPEN: i32 = 2; //    under the limit, the queue was not stopped
export const DQL_TX_BAD: i32 = -1; //    count > inflight: refused, nothing changed

/** include/linux/netdevice.h: netdev_tx_completed_queue (pkts unused). */
export function dql_tx_completed(q: u32, bytes: u32, now: f64): i32 {
  if (bytes == 0) return DQL_TX_NOOP;
  const d = at(q);
  if (!completed(d, bytes, now)) return DQL_TX_BAD;
  if (<i32>(load<u32>(d + D_ADJ_LIMIT) - load<u32>(d + D_NUM_QUEUED)) < 0) return DQL_TX_NOOP;
  if (load<u32>(d + D_XOFF) != 0) {
    store<u32>(d + D_XOFF, 0);
    store<u32>(d + D_WAKES, load<u32>(d + D_WAKES) + 1);
    return DQL_TX_WOKEN;
  }
  return DQL_TX_OPEN;
}

/** For the benchmark: `rounds` driver rounds on queue q, each one xmit_more
 *  batch of handles[0..n) (dql_sent_burst) and one completion of what it
 *  sent (dql_tx_completed). Returns the wakes seen (so nothing is elided). */
export function dql_bench_rounds(q: u32, handles: usize, n: u32, rounds: u32, now: f64): u32 {
  const d = at(q);
  let wakes: u32 = 0;
  for (let r: u32 = 0; r < rounds; r++) {
    const before = load<u32>(d + D_NUM_QUEUED);
    dql_sent_burst(q, handles, n, now);
    if (dql_tx_completed(q, load<u32>(d + D_NUM_QUEUED) - before, now) == DQL_TX_WOKEN) wakes++;
  }
  return wakes;
}

// sysfs (net/core/net-sysfs.c: bql_set, bql_set_hold_time, bql_set_stall_*);
// ranges are checked by the TS wrapper.
export function dql_set_limit(q: u32, v: u32): void { store<u32>(at(q) + D_LIMIT, v); }
export function dql_set_limit_min(q: u32, v: u32): void { store<u32>(at(q) + D_MIN_LIMIT, v); }
export function dql_set_limit_max(q: u32, v: u32): void { store<u32>(at(q) + D_MAX_LIMIT, v); }
export function dql_set_hold_time(q: u32, jiffiesV: u32): void { store<u32>(at(q) + D_HOLD_TIME, jiffiesV); }
/** bql_set_stall_thrs: arming the detector restarts last_reap at now. */
export function dql_set_stall_thrs(q: u32, thrs: u32, now: f64): void {
  const d = at(q);
  if (load<u32>(d + D_STALL_THRS) == 0 && thrs != 0) store<u64>(d + D_LAST_REAP, jiffies(now));
  store<u32>(d + D_STALL_THRS, thrs);
}
/** bql_set_stall_max: any write resets it to 0. */
export function dql_reset_stall_max(q: u32): void { store<u32>(at(q) + D_STALL_MAX, 0); }

/** Test hook: shift every byte counter by `base` (mod 2^32) — the same state
 *  as after `base` bytes went through, so wraparound can be reached quickly. */
export function dql_shift_counters(q: u32, base: u32): void {
  const d = at(q);
  store<u32>(d + D_NUM_QUEUED, load<u32>(d + D_NUM_QUEUED) + base);
  store<u32>(d + D_ADJ_LIMIT, load<u32>(d + D_ADJ_LIMIT) + base);
  store<u32>(d + D_NUM_COMPLETED, load<u32>(d + D_NUM_COMPLETED) + base);
  store<u32>(d + D_PREV_NUM_QUEUED, load<u32>(d + D_PREV_NUM_QUEUED) + base);
}
