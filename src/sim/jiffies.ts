// The jiffies clock and the timer_list wheel's expiry rounding (kernel/time/timer.c). A timer_list armed with
// mod_timer(timer, jiffies + delta) does not run at jiffies + delta: the wheel files it in a bucket of the level
// whose range holds the delta, and a bucket runs at a multiple of its level's granularity (8^level jiffies),
// strictly after the expiry (calc_index adds one granularity so that a timer armed at the end of a tick is never
// early). At HZ=1000 a 1 s timer lands on a multiple of 64 jiffies, 1.001..1.064 s after it was armed; at HZ=250
// on a multiple of 8 jiffies (32 ms). The model's jiffy 0 starts at t = 0 (no INITIAL_JIFFIES).

/** kernel/time/timer.c: LVL_CLK_SHIFT — each level is 8 times coarser than the one below. */
export const LVL_CLK_SHIFT = 3;
/** kernel/time/timer.c: LVL_BITS — 64 buckets per level. */
export const LVL_BITS = 6;
const LVL_SIZE = 2 ** LVL_BITS;

/** The model's HZ (src/tcp/constants.ts: JIFFY is 1 ms). */
export const HZ_MODEL = 1000;

/** The HZ values the model accepts (Kconfig's HZ_100/250/1000; HZ_300 has no whole-ns jiffy). */
export const HZ_CHOICES: readonly number[] = [100, 250, 1000];

export function checkHz(hz: number): void {
  if (!HZ_CHOICES.includes(hz)) throw new Error(`hz: ${hz} is not one of ${HZ_CHOICES.join(", ")}`);
}

/** kernel/time/timer.c: LVL_DEPTH — 9 levels above HZ=100, 8 at 100. */
export const lvlDepth = (hz: number): number => (hz > 100 ? 9 : 8);
/** LVL_SHIFT(n) as a factor: LVL_GRAN(n), jiffies. */
export const lvlGran = (n: number): number => 2 ** (n * LVL_CLK_SHIFT);
/** LVL_START(n): the smallest delta filed at level n (the last delta of level n-1, see calc_index). */
export const lvlStart = (n: number): number => (LVL_SIZE - 1) * lvlGran(n - 1);

/** kernel/time/timer.c: calc_index's bucket_expiry — the expiry cut to the level's granularity plus one
 *  granularity (round up, never early: an exact multiple moves on a whole granule). */
function bucketAt(expires: number, lvl: number): number {
  const g = lvlGran(lvl);
  return (Math.floor(expires / g) + 1) * g;
}

/** kernel/time/timer.c: calc_wheel_index — the jiffy at which a timer with `expires`, enqueued while the base's
 *  clock is `clk`, runs (its bucket_expiry). The level is the first whose LVL_START bound exceeds the delta; an
 *  expiry already past runs at clk; one beyond the wheel's capacity is cut to clk + WHEEL_TIMEOUT_MAX. */
export function timerBucketExpiry(expires: number, clk: number, hz: number): number {
  const depth = lvlDepth(hz);
  const delta = expires - clk;
  if (delta < 0) return clk;
  for (let lvl = 0; lvl < depth - 1; lvl++) if (delta < lvlStart(lvl + 1)) return bucketAt(expires, lvl);
  // WHEEL_TIMEOUT_CUTOFF / WHEEL_TIMEOUT_MAX: obscenely long timeouts expire at the wheel's capacity
  const cutoff = lvlStart(depth);
  const e = delta >= cutoff ? clk + cutoff - lvlGran(depth - 1) : expires;
  return bucketAt(e, depth - 1);
}

/** The jiffy (ns) length at `hz`. */
export const jiffyNs = (hz: number): number => 1e9 / hz;

/** include/linux/jiffies.h: msecs_to_jiffies for an HZ that divides 1000 (_msecs_to_jiffies: rounded up). */
export const msecsToJiffies = (ms: number, hz: number): number => {
  const per = 1000 / hz;
  return Math.floor((ms + per - 1) / per);
};

/** jiffies at time `ns` (the tick at k·jiffy makes jiffies k). */
export const jiffiesAt = (ns: number, hz: number): number => Math.floor(ns / jiffyNs(hz));

/** A kernel time constant given in ns (a multiple of HZ such as TCP_TIMEOUT_INIT = 1·HZ), as jiffies; rounded
 *  up like usecs_to_jiffies when it is not whole. */
export const nsToJiffies = (ns: number, hz: number): number => Math.ceil(ns / jiffyNs(hz) - 1e-9);

/** When a timer_list armed at `nowNs` by mod_timer(timer, jiffies + delta) runs, in ns (its bucket's jiffy
 *  tick). `fromTimer`: armed from a timer callback, where the base's clk is already jiffies + 1 (__run_timers
 *  increments base->clk before expire_timers); elsewhere the enqueue forwards clk to jiffies
 *  (forward_timer_base). mod_timer of a pending timer to the same bucket keeps it there, which is the same
 *  jiffy; mod_timer_pending re-files only a pending timer (the caller checks). */
export function timerListFireNs(nowNs: number, delta: number, hz: number, fromTimer: boolean): number {
  const j = jiffiesAt(nowNs, hz);
  return timerBucketExpiry(j + delta, fromTimer ? j + 1 : j, hz) * jiffyNs(hz);
}

/** mod_timer(timer, expires) with `expires` an absolute jiffy: the ns tick at which the timer runs, for a caller
 *  that keeps icsk_timeout-style expiries in jiffies (the data path's retransmit and delayed-ACK timers).
 *  `fromTimer` as in timerListFireNs. */
export function modTimerFireNs(nowNs: number, expires: number, hz: number, fromTimer: boolean): number {
  const j = jiffiesAt(nowNs, hz);
  return timerBucketExpiry(expires, fromTimer ? j + 1 : j, hz) * jiffyNs(hz);
}
