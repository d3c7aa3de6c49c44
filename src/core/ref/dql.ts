// Plain-TS reference of assembly/dql.ts (the differential oracle): one struct
// dql as a JS object, written for clarity from Linux 6.12
// lib/dynamic_queue_limits.c, include/linux/dynamic_queue_limits.h and
// include/linux/netdevice.h (netdev_tx_sent_queue, netdev_tx_completed_queue).
// Byte counters are u32 (`>>> 0` after every add); jiffies are plain integers.
import { DQL_HZ, DQL_MAX_LIMIT, DQL_MAX_OBJECT, type DqlState, type DqlTxResult } from "../dql.js";

const HIST_LEN = 4;
const BPL = 64;
const UINT_MAX = 0xffffffff;

const u32 = (x: number): number => x >>> 0;
/** lib/dynamic_queue_limits.c: POSDIFF */
const posdiff = (a: number, b: number): number => ((a - b) | 0) > 0 ? u32(a - b) : 0;
/** lib/dynamic_queue_limits.c: AFTER_EQ */
const afterEq = (a: number, b: number): boolean => ((a - b) | 0) >= 0;

export class RefDql {
  numQueued = 0;
  adjLimit = 0;
  lastObjCnt = 0;
  stallThrs = 0;
  historyHead = 0;
  /** history bit of jiffy t at t % 256 (4 words of 64 bits) */
  history = new Uint8Array(HIST_LEN * BPL);
  xoff = false;
  stops = 0;
  wakes = 0;
  limit = 0;
  numCompleted = 0;
  prevOvlimit = 0;
  prevNumQueued = 0;
  prevLastObjCnt = 0;
  lowestSlack = UINT_MAX;
  slackStartTime = 0;
  maxLimit = DQL_MAX_LIMIT;
  minLimit = 0;
  slackHoldTime = DQL_HZ;
  stallMax = 0;
  lastReap = 0;
  stallCnt = 0;

  constructor(holdTime = DQL_HZ, now = 0) {
    this.slackHoldTime = holdTime;
    this.reset(now);
  }

  /** dql_reset (adj_limit kept: kernel quirk) */
  reset(now: number): void {
    this.limit = this.minLimit;
    this.numQueued = 0;
    this.numCompleted = 0;
    this.lastObjCnt = 0;
    this.prevNumQueued = 0;
    this.prevLastObjCnt = 0;
    this.prevOvlimit = 0;
    this.lowestSlack = UINT_MAX;
    this.slackStartTime = now;
    this.lastReap = now;
    this.historyHead = Math.floor(now / BPL);
    this.history.fill(0);
  }

  /** netdev_tx_reset_queue */
  txReset(now: number): void {
    this.xoff = false;
    this.reset(now);
  }

  private clearWord(w: number): void {
    this.history.fill(0, (w % HIST_LEN) * BPL, (w % HIST_LEN) * BPL + BPL);
  }

  /** dql_queue_stall */
  private queueStall(now: number): void {
    const nowHi = Math.floor(now / BPL);
    if (nowHi !== this.historyHead) {
      for (let i = 0; i < HIST_LEN; i++) {
        if (nowHi === this.historyHead + i) break;
        this.clearWord(this.historyHead + i + 1);
      }
      this.historyHead = nowHi;
    }
    this.history[now % (HIST_LEN * BPL)] = 1;
  }

  /** dql_queued */
  queued(count: number, now: number): boolean {
    if (count > DQL_MAX_OBJECT) return false;
    this.lastObjCnt = count;
    this.numQueued = u32(this.numQueued + count);
    if (this.stallThrs !== 0) this.queueStall(now);
    return true;
  }

  /** dql_avail */
  avail(): number {
    return (this.adjLimit - this.numQueued) | 0;
  }

  private stopCheck(): boolean {
    if (this.avail() >= 0) return false;
    if (!this.xoff) {
      this.xoff = true;
      this.stops++;
    }
    return true;
  }

  /** netdev_tx_sent_queue */
  sent(bytes: number, now: number): boolean {
    this.queued(bytes, now);
    return this.stopCheck();
  }

  /** __netdev_tx_sent_queue with xmit_more on all but the last */
  sentBurst(lens: ArrayLike<number>, now: number): boolean {
    for (let i = 0; i < lens.length; i++) this.queued(lens[i]!, now);
    return this.stopCheck();
  }

  /** dql_check_stall */
  private checkStall(stallThrs: number, now: number): void {
    if (stallThrs === 0) return;
    if (now >= this.lastReap + stallThrs) {
      const head = this.historyHead;
      let start = (head - HIST_LEN + 1) * BPL;
      if (start < this.lastReap + 1) start = this.lastReap + 1;
      let end = head * BPL + (BPL - 1);
      const half = Math.floor(stallThrs / 2);
      if (now < end + half) end = now - half;
      let t = start;
      for (; t <= end; t++) if (this.history[(((t % 256) + 256) % 256)] !== 0) break;
      if (t <= end) {
        this.stallCnt = u32(this.stallCnt + 1);
        this.stallMax = Math.max(this.stallMax, (now - t) & 0xffff);
      }
    }
    this.lastReap = now;
  }

  /** dql_completed; false (nothing changed) for count > inflight */
  completed(count: number, now: number): boolean {
    const numQueued = this.numQueued;
    const stallThrs = this.stallThrs;
    if (count > u32(numQueued - this.numCompleted)) return false;
    const completed = u32(this.numCompleted + count);
    let limit = this.limit;
    let ovlimit = posdiff(u32(numQueued - this.numCompleted), limit);
    const inprogress = u32(numQueued - completed);
    const prevInprogress = u32(this.prevNumQueued - this.numCompleted);
    const allPrevCompleted = afterEq(completed, this.prevNumQueued);

    if ((ovlimit && !inprogress) || (this.prevOvlimit && allPrevCompleted)) {
      limit = u32(limit + posdiff(completed, this.prevNumQueued) + this.prevOvlimit);
      this.slackStartTime = now;
      this.lowestSlack = UINT_MAX;
    } else if (inprogress && prevInprogress && !allPrevCompleted) {
      let slack = posdiff(u32(limit + this.prevOvlimit), u32(2 * u32(completed - this.numCompleted)));
      const slackLastObjs = this.prevOvlimit ? posdiff(this.prevLastObjCnt, this.prevOvlimit) : 0;
      slack = Math.max(slack, slackLastObjs);
      if (slack < this.lowestSlack) this.lowestSlack = slack;
      if (now > this.slackStartTime + this.slackHoldTime) {
        limit = posdiff(limit, this.lowestSlack);
        this.slackStartTime = now;
        this.lowestSlack = UINT_MAX;
      }
    }
    limit = Math.min(Math.max(limit, this.minLimit), this.maxLimit);
    if (limit !== this.limit) {
      this.limit = limit;
      ovlimit = 0;
    }
    this.adjLimit = u32(limit + completed);
    this.prevOvlimit = ovlimit;
    this.prevLastObjCnt = this.lastObjCnt;
    this.numCompleted = completed;
    this.prevNumQueued = numQueued;
    this.checkStall(stallThrs, now);
    return true;
  }

  /** netdev_tx_completed_queue */
  txCompleted(bytes: number, now: number): DqlTxResult {
    if (bytes === 0) return "noop";
    if (!this.completed(bytes, now)) return "bad";
    if (this.avail() < 0) return "noop";
    if (this.xoff) {
      this.xoff = false;
      this.wakes++;
      return "woken";
    }
    return "open";
  }

  setStallThrs(thrs: number, now: number): void {
    if (this.stallThrs === 0 && thrs !== 0) this.lastReap = now;
    this.stallThrs = thrs;
  }

  shiftCounters(base: number): void {
    this.numQueued = u32(this.numQueued + base);
    this.adjLimit = u32(this.adjLimit + base);
    this.numCompleted = u32(this.numCompleted + base);
    this.prevNumQueued = u32(this.prevNumQueued + base);
  }

  state(): DqlState {
    return {
      numQueued: this.numQueued,
      adjLimit: this.adjLimit,
      lastObjCnt: this.lastObjCnt,
      stallThrs: this.stallThrs,
      historyHead: this.historyHead,
      xoff: this.xoff,
      stops: this.stops,
      wakes: this.wakes,
      limit: this.limit,
      numCompleted: this.numCompleted,
      prevOvlimit: this.prevOvlimit,
      prevNumQueued: this.prevNumQueued,
      prevLastObjCnt: this.prevLastObjCnt,
      lowestSlack: this.lowestSlack,
      slackStartTime: this.slackStartTime,
      maxLimit: this.maxLimit,
      minLimit: this.minLimit,
      slackHoldTime: this.slackHoldTime,
      stallMax: this.stallMax,
      lastReap: this.lastReap,
      stallCnt: this.stallCnt,
    };
  }
}
