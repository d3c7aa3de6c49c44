// sch_fq of Linux 6.12 (net/sched/sch_fq.c): per-flow queues (key = owning
// socket, or the skb hash & orphan_mask for orphaned and unconnected
// traffic), three priority bands served by weighted DRR, new-flow/old-flow
// round robin with quantum and initial quantum in each band, earliest
// departure times (skb tstamp) and per-flow pacing (maxrate or the socket's
// pacing rate for skbs without a tstamp), horizon, flow_limit and per-band
// limit, garbage collection of idle flows, and the fast-path queue.
// Throttled flows wait in q->delayed (fq-delayed.ts); the qdisc watchdog is
// one event on the simulator's timing wheel, armed for the earliest
// time_next_packet + timer_slack, as qdisc_watchdog_schedule_range_ns arms an
// hrtimer whose hard expiry that is.
import type { Core } from "../core/core.js";
import { SKB_NONE } from "../core/skb-fields.js";
import type { EventLoop } from "../sim/loop.js";
import { FqDelayed } from "./fq-delayed.js";
import { FLOW_NIL, FLOW_THROTTLED, FQ_INTERNAL, FqFlows } from "./fq-flows.js";
import {
  FQ_BANDS,
  FQ_FASTPATH_MAX,
  FQ_GC_AGE_JIFFIES,
  FQ_GC_MAX,
  NS_PER_JIFFY,
  fqParams,
  type FqOptions,
  type FqParams,
} from "./fq-config.js";
import { bstatsPackets, qdiscCb, qdiscPktLen, type QdiscCb } from "./pkt-len.js";
import {
  DEFAULT_QDISC_ENV,
  GsoSkbStats,
  NO_SKB,
  SK_NONE,
  SockState,
  TC_PRIO_MAX,
  type Qdisc,
  type QdiscDropSink,
  type QdiscEnv,
  type QdiscStats,
} from "./qdisc.js";
import { F64Keys, f64Fields } from "../util/f64-field.js";

/** include/uapi/linux/pkt_sched.h: struct tc_fq_qd_stats (`tc -s qdisc show` fq lines). */
export interface FqXstats {
  gc_flows: number;
  /** obsolete since the 3-band design: always 0 */
  highprio_packets: number;
  /** obsolete: always 0 */
  tcp_retrans: number;
  throttled: number;
  flows_plimit: number;
  pkts_too_long: number;
  allocation_errors: number;
  /** time_next_delayed_flow + timer_slack - now (ns); huge when nothing is throttled */
  time_next_delayed_flow: number;
  flows: number;
  inactive_flows: number;
  throttled_flows: number;
  unthrottle_latency_ns: number;
  ce_mark: number;
  horizon_drops: number;
  horizon_caps: number;
  fastpath_packets: number;
  band_drops: number[];
  band_pkt_count: number[];
}

export interface FqStats extends QdiscStats {
  fq: FqXstats;
}

export interface FqHooks {
  /** The loop whose timing wheel carries the watchdog; without it, read nextEligible(). */
  loop?: EventLoop;
  /** The watchdog fired (qdisc_watchdog -> __netif_schedule): run the qdisc. */
  onWatchdog?: (now: number) => void;
  env?: QdiscEnv;
  /** Name for the loop's event kind. */
  name?: string;
}

const U64_MAX = 18446744073709552000;

/** A byte total (bstats.bytes): a double from the start (util/f64-field.ts). */
const QDISC_F64 = new F64Keys(["bytes"]);

export class FqQdisc implements Qdisc {
  readonly kind = "fq" as const;
  readonly p: FqParams;
  qlen = 0;
  backlog = 0;
  bytes = 0;
  packets = 0;
  drops = 0;
  readonly gsoSkb = new GsoSkbStats();
  readonly flows: FqFlows;
  private readonly delayed: FqDelayed;
  // per band: new_flows, old_flows (first/last), DRR credit and quantum
  private readonly newFirst = new Int32Array(FQ_BANDS).fill(FLOW_NIL);
  private readonly newLast = new Int32Array(FQ_BANDS).fill(FLOW_NIL);
  private readonly oldFirst = new Int32Array(FQ_BANDS).fill(FLOW_NIL);
  private readonly oldLast = new Int32Array(FQ_BANDS).fill(FLOW_NIL);
  private readonly bandCredit = new Int32Array(FQ_BANDS);
  private readonly bandQuantum = new Int32Array(FQ_BANDS);
  private readonly prio2band: Uint8Array;
  private bandNr = 0;
  private timeNextDelayedFlow = Infinity;
  private unthrottleLatency = 0;
  readonly bandPktCount = new Float64Array(FQ_BANDS);
  private nFlows = 0;
  private inactiveFlows = 0;
  private throttledFlows = 0;
  private statThrottled = 0;
  private statGcFlows = 0;
  private readonly statBandDrops = new Float64Array(FQ_BANDS);
  private statCeMark = 0;
  private statHorizonDrops = 0;
  private statHorizonCaps = 0;
  private statFlowsPlimit = 0;
  private statPktsTooLong = 0;
  private statAllocationErrors = 0;
  private statFastpath = 0;
  /** The armed watchdog: soft expiry (ns) and wheel id; Infinity when not armed. */
  private wdExpires = Infinity;
  private wdId = -1;
  private readonly wdKind: number;
  private readonly loop: EventLoop | null;
  private readonly onWatchdog: (now: number) => void;
  private readonly env: QdiscEnv;
  private readonly cb: QdiscCb;
  private readonly next: Uint32Array;
  private readonly tstamp: Float64Array;
  private readonly skbSk: Uint32Array;
  private readonly skbHash: Uint32Array;
  /** skb_get_hash (QdiscEnv.skbGetHash), or the hash column as it is. */
  private readonly skbGetHash: (h: number) => number;

  constructor(
    private readonly core: Core,
    private readonly sink: QdiscDropSink,
    opts: FqOptions = {},
    hooks: FqHooks = {},
  ) {
    f64Fields(this, QDISC_F64);
    const p = (this.p = fqParams(opts));
    this.flows = new FqFlows(Math.min(1024, p.maxFlows + 1), p.maxFlows, p.bucketsLog);
    this.delayed = new FqDelayed(this.flows.capacity);
    this.delayedCapacity = this.flows.capacity;
    for (let b = 0; b < FQ_BANDS; b++) this.bandQuantum[b] = p.weights[b]!;
    this.prio2band = Uint8Array.from(p.priomap);
    this.env = hooks.env ?? DEFAULT_QDISC_ENV;
    this.loop = hooks.loop ?? null;
    this.onWatchdog = hooks.onWatchdog ?? (() => {});
    this.wdKind = this.loop === null ? -1 : this.loop.register(`${hooks.name ?? "fq"} watchdog`, (_a, t) => this.watchdogFire(t));
    this.cb = qdiscCb(core);
    this.next = core.skb.next;
    this.tstamp = core.skbTime.tstamp;
    this.skbSk = core.skb.sk;
    this.skbHash = core.skb.hash;
    const env = this.env;
    this.skbGetHash = env.skbGetHash !== undefined ? (h) => env.skbGetHash!(h) : (h) => this.skbHash[h]!;
  }

  // ---- enqueue -----------------------------------------------------------

  // net/sched/sch_fq.c: fq_enqueue
  enqueue(h: number, now: number): boolean {
    const p = this.p;
    const band = this.prio2band[this.env.priority(h) & TC_PRIO_MAX]!;
    if (this.bandPktCount[band]! >= p.limit) {
      this.statBandDrops[band]!++;
      return this.dropReason(h, "FQ_BAND_LIMIT");
    }
    const cb = this.cb;
    const ts = this.tstamp[h]!;
    if (ts === 0) {
      cb.timeToSend[h] = now;
    } else {
      // fq_packet_beyond_horizon
      if (ts > now + p.horizonNs) {
        if (p.horizonDrop) {
          this.statHorizonDrops++;
          return this.dropReason(h, "FQ_HORIZON_LIMIT");
        }
        this.statHorizonCaps++;
        this.tstamp[h] = now + p.horizonNs;
      }
      cb.timeToSend[h] = this.tstamp[h]!;
    }
    cb.pktLen[h] = qdiscPktLen(this.core, h);

    const F = this.flows;
    const f = this.classify(h, now);
    if (f !== FQ_INTERNAL) {
      if (F.qlen[f]! >= p.flowLimit) {
        this.statFlowsPlimit++;
        return this.dropReason(h, "FQ_FLOW_LIMIT");
      }
      if (F.detached[f] === 1) {
        // added with the band the flow had before this packet (f->band set below)
        this.flowAddTail(f, true);
        if (this.jiffies(now) > F.age[f]! + p.refillDelayJiffies) {
          // max_t(u32, credit, quantum): a negative credit is a huge u32 and stays
          const c = F.credit[f]!;
          if (c >= 0 && c < p.quantum) F.credit[f] = p.quantum;
        }
      }
      F.band[f] = band;
      this.bandPktCount[band]!++;
      cb.band[h] = band;
      if (F.qlen[f] === 0) this.inactiveFlows--;
    }
    F.qlen[f]!++;
    this.flowQueueAdd(f, h);
    this.backlog += cb.pktLen[h]!;
    this.qlen++;
    return true;
  }

  private dropReason(h: number, reason: string): false {
    this.drops++;
    this.sink.drop(h, reason);
    return false;
  }

  private jiffies(now: number): number {
    return Math.floor(now / NS_PER_JIFFY);
  }

  // net/sched/sch_fq.c: fq_classify
  private classify(h: number, now: number): number {
    const p = this.p;
    const env = this.env;
    const sk = this.skbSk[h]!;
    let key: number;
    let own = false;
    const state = sk === SK_NONE ? SockState.LISTENER : env.sockState(sk);
    if (state === SockState.LISTENER) {
      // request socks and listeners: not a flow yet, never rate limited
      key = ((this.skbGetHash(h) & p.orphanMask) >>> 0) * 2 + 1;
      if (sk !== SK_NONE) {
        this.skbSk[h] = SK_NONE;
        env.orphan(h, sk);
      }
    } else if (state === SockState.UNCONNECTED) {
      key = ((this.skbGetHash(h) & p.orphanMask) >>> 0) * 2 + 1;
    } else {
      key = sk * 2;
      own = true;
    }

    if (this.fastpathCheck(h, now)) {
      this.statFastpath++;
      if (own && p.rateEnable) env.setPacingStatusFq(sk);
      return FQ_INTERNAL;
    }

    const F = this.flows;
    const bucket = F.bucketOf(key);
    this.gc(bucket, key, now);
    let f = F.find(bucket, key);
    if (f !== FLOW_NIL) {
      // the socket may have been reallocated: a new sk_hash starts afresh
      if (own) {
        const sh = env.sockHash(sk) >>> 0;
        if (F.socketHash[f] !== sh) {
          F.credit[f] = p.initialQuantum;
          F.socketHash[f] = sh;
          if (p.rateEnable) env.setPacingStatusFq(sk);
          if (F.next[f] === FLOW_THROTTLED) this.flowUnsetThrottled(f);
          F.tnp[f] = 0;
        }
      }
      return f;
    }
    f = F.create(bucket, key);
    if (f === FLOW_NIL) {
      this.statAllocationErrors++;
      return FQ_INTERNAL;
    }
    if (F.capacity > this.delayedCapacity) this.growDelayed();
    F.detached[f] = 1;
    F.age[f] = this.jiffies(now) | 1;
    if (own) {
      F.socketHash[f] = env.sockHash(sk) >>> 0;
      if (p.rateEnable) env.setPacingStatusFq(sk);
    }
    F.credit[f] = p.initialQuantum;
    this.nFlows++;
    this.inactiveFlows++;
    return f;
  }

  private delayedCapacity = 0;
  private growDelayed(): void {
    this.delayed.grow(this.flows.capacity);
    this.delayedCapacity = this.flows.capacity;
  }

  // net/sched/sch_fq.c: fq_fastpath_check
  private fastpathCheck(h: number, now: number): boolean {
    if (this.cb.timeToSend[h]! > now) return false;
    // sch->q.qlen counts the requeued skbs too (dev_requeue_skb)
    if (this.qlen + this.gsoSkb.qlen !== 0) {
      if (this.nFlows !== this.inactiveFlows + this.throttledFlows) return false;
      if (this.flows.qlen[FQ_INTERNAL]! >= FQ_FASTPATH_MAX) return false;
      if (this.timeNextDelayedFlow <= now) return false;
    }
    const sk = this.skbSk[h]!;
    if (sk !== SK_NONE && !this.env.isTcp(sk) && this.env.maxPacingRate(sk) !== Infinity) return false;
    if (this.p.maxrate !== Infinity) return false;
    return true;
  }

  // net/sched/sch_fq.c: fq_gc — detached flows idle over 3 s met on the
  // lookup path, at most FQ_GC_MAX per call (here: the key's bucket chain)
  private gc(bucket: number, key: number, now: number): void {
    const F = this.flows;
    const j = this.jiffies(now);
    let n = 0;
    let f = F.buckets[bucket]!;
    const tofree = this.gcScratch;
    while (f !== FLOW_NIL) {
      if (F.key[f] === key) break;
      if (F.detached[f] === 1 && j > F.age[f]! + FQ_GC_AGE_JIFFIES) {
        tofree[n++] = f;
        if (n === FQ_GC_MAX) break;
      }
      f = F.chain[f]!;
    }
    if (n === 0) return;
    for (let i = 0; i < n; i++) F.free(bucket, tofree[i]!);
    this.nFlows -= n;
    this.inactiveFlows -= n;
    this.statGcFlows += n;
  }
  private readonly gcScratch = new Int32Array(FQ_GC_MAX);

  // net/sched/sch_fq.c: flow_queue_add — in order at the tail, or into the
  // time-sorted list when earlier than the tail
  private flowQueueAdd(f: number, h: number): void {
    const F = this.flows;
    const next = this.next;
    const tts = this.cb.timeToSend;
    const head = F.head[f]!;
    if (head === SKB_NONE || tts[h]! >= tts[F.tail[f]!]!) {
      if (head === SKB_NONE) F.head[f] = h;
      else next[F.tail[f]!] = h;
      F.tail[f] = h;
      F.detached[f] = 0;
      next[h] = SKB_NONE;
      return;
    }
    let prev = SKB_NONE;
    let cur = F.tHead[f]!;
    while (cur !== SKB_NONE && tts[h]! >= tts[cur]!) {
      prev = cur;
      cur = next[cur]!;
    }
    next[h] = cur;
    if (prev === SKB_NONE) F.tHead[f] = h;
    else next[prev] = h;
  }

  // net/sched/sch_fq.c: fq_peek
  private peek(f: number): number {
    const F = this.flows;
    const t = F.tHead[f]!;
    const head = F.head[f]!;
    if (t === SKB_NONE) return head;
    if (head === SKB_NONE) return t;
    return this.cb.timeToSend[t]! < this.cb.timeToSend[head]! ? t : head;
  }

  // net/sched/sch_fq.c: fq_dequeue_skb / fq_erase_head
  private dequeueSkb(f: number, h: number): void {
    const F = this.flows;
    if (h === F.head[f]) F.head[f] = this.next[h]!;
    else F.tHead[f] = this.next[h]!;
    this.next[h] = SKB_NONE;
    this.backlog -= this.cb.pktLen[h]!;
    this.qlen--;
  }

  // ---- flow lists and throttling ----------------------------------------

  // net/sched/sch_fq.c: fq_flow_add_tail
  private flowAddTail(f: number, newFlow: boolean): void {
    const F = this.flows;
    const b = F.band[f]!;
    const first = newFlow ? this.newFirst : this.oldFirst;
    const last = newFlow ? this.newLast : this.oldLast;
    if (first[b] !== FLOW_NIL) F.next[last[b]!] = f;
    else first[b] = f;
    last[b] = f;
    F.next[f] = FLOW_NIL;
  }

  // net/sched/sch_fq.c: fq_flow_unset_throttled
  private flowUnsetThrottled(f: number): void {
    this.delayed.erase(f);
    this.throttledFlows--;
    this.flowAddTail(f, false);
  }

  // net/sched/sch_fq.c: fq_flow_set_throttled
  private flowSetThrottled(f: number): void {
    const t = this.flows.tnp[f]!;
    this.delayed.insert(f, t);
    this.throttledFlows++;
    this.statThrottled++;
    this.flows.next[f] = FLOW_THROTTLED;
    if (this.timeNextDelayedFlow > t) this.timeNextDelayedFlow = t;
  }

  // net/sched/sch_fq.c: fq_check_throttled
  private checkThrottled(now: number): void {
    if (this.timeNextDelayedFlow > now) return;
    // EWMA (1/8) of how late the earliest throttled flow is served
    const sample = now - this.timeNextDelayedFlow;
    this.unthrottleLatency -= Math.floor(this.unthrottleLatency / 8);
    this.unthrottleLatency += Math.floor(sample / 8);
    this.timeNextDelayedFlow = Infinity;
    const F = this.flows;
    for (;;) {
      const f = this.delayed.first();
      if (f < 0) break;
      if (F.tnp[f]! > now) {
        this.timeNextDelayedFlow = F.tnp[f]!;
        break;
      }
      this.flowUnsetThrottled(f);
    }
  }

  // ---- dequeue -----------------------------------------------------------

  /** fq_pband_head_select: 1 = new_flows, 2 = old_flows, 0 = none (or no band credit). */
  private headSelect(b: number): number {
    if (this.bandCredit[b]! <= 0) return 0;
    if (this.newFirst[b] !== FLOW_NIL) return 1;
    return this.oldFirst[b] !== FLOW_NIL ? 2 : 0;
  }

  // net/sched/sch_fq.c: fq_dequeue
  dequeue(now: number): number {
    if (this.qlen === 0) return NO_SKB;
    const F = this.flows;
    const p = this.p;
    let h = this.peek(FQ_INTERNAL);
    if (h !== SKB_NONE) {
      F.qlen[FQ_INTERNAL]!--;
      this.dequeueSkb(FQ_INTERNAL, h);
      return this.out(h);
    }
    this.checkThrottled(now);
    let retry = 0;
    let b = this.bandNr;
    for (;;) {
      const sel = this.headSelect(b);
      if (sel === 0) {
        let found = false;
        while (++retry <= FQ_BANDS) {
          if (++this.bandNr === FQ_BANDS) this.bandNr = 0;
          b = this.bandNr;
          const q = this.bandQuantum[b]!;
          this.bandCredit[b] = Math.min(this.bandCredit[b]! + q, q);
          if (this.bandCredit[b]! > 0) {
            found = true;
            break;
          }
          retry = 0;
        }
        if (found) continue;
        if (this.timeNextDelayedFlow !== Infinity) this.watchdogSchedule(this.timeNextDelayedFlow, p.timerSlackNs);
        return NO_SKB;
      }
      const isNew = sel === 1;
      const first = isNew ? this.newFirst : this.oldFirst;
      const f = first[b]!;
      retry = 0;
      if (F.credit[f]! <= 0) {
        F.credit[f]! += p.quantum;
        first[b] = F.next[f]!;
        this.flowAddTail(f, false);
        continue;
      }
      h = this.peek(f);
      if (h === SKB_NONE) {
        first[b] = F.next[f]!;
        // force a pass through old_flows to prevent starvation
        if (isNew) this.flowAddTail(f, false);
        else {
          F.detached[f] = 1;
          F.age[f] = this.jiffies(now) | 1;
        }
        continue;
      }
      const tnp = Math.max(this.cb.timeToSend[h]!, F.tnp[f]!);
      if (now < tnp) {
        first[b] = F.next[f]!;
        F.tnp[f] = tnp;
        this.flowSetThrottled(f);
        continue;
      }
      if (now - tnp - p.ceThresholdNs > 0) this.statCeMark++;
      if (--F.qlen[f]! === 0) this.inactiveFlows++;
      this.bandPktCount[this.cb.band[h]!]!--;
      this.dequeueSkb(f, h);

      let plen = this.cb.pktLen[h]!;
      F.credit[f]! -= plen;
      this.bandCredit[b]! -= plen;
      if (!p.rateEnable) return this.out(h);
      let rate = p.maxrate;
      // with an EDT tstamp only maxrate adds spacing
      if (this.tstamp[h] === 0) {
        const sk = this.skbSk[h]!;
        if (sk !== SK_NONE) rate = Math.min(this.env.pacingRate(sk), rate);
        if (rate <= p.lowRateThreshold) {
          F.credit[f] = 0;
        } else {
          plen = Math.max(plen, p.quantum);
          if (F.credit[f]! > 0) return this.out(h);
        }
      }
      if (rate !== Infinity) {
        let len = plen * 1e9;
        if (rate !== 0) len = Math.floor(len / rate);
        // the socket rate may change later: at most 1 s per packet
        if (len > 1e9) {
          len = 1e9;
          this.statPktsTooLong++;
        }
        // forgive timer/scheduling lateness, at most half the gap
        const prev = F.tnp[f]!;
        if (prev !== 0) len -= Math.min(Math.floor(len / 2), now - prev);
        F.tnp[f] = now + len;
      }
      return this.out(h);
    }
  }

  private out(h: number): number {
    this.bytes += this.cb.pktLen[h]!;
    this.packets += bstatsPackets(this.core, h);
    return h;
  }

  // ---- watchdog ----------------------------------------------------------

  // net/sched/sch_api.c: qdisc_watchdog_schedule_range_ns — a pending timer
  // whose (soft) expiry lies in [expires, expires + slack] is left alone;
  // else hrtimer_start_range_ns(expires, slack, HRTIMER_MODE_ABS_PINNED): a
  // hard hrtimer, soft expiry `expires`, hard expiry expires + slack. The
  // clock event is programmed for the earliest hard expiry and the interrupt
  // runs every timer whose soft expiry has passed (__hrtimer_run_queues), so
  // a lone watchdog fires at expires + slack; the model has no other hrtimer
  // on that CPU (no tick) to run it sooner — as tcp's compressed-ACK timer.
  private watchdogSchedule(expires: number, slack: number): void {
    if (this.wdExpires !== Infinity) {
      const d = this.wdExpires - expires;
      if (d >= 0 && d <= slack) return;
    }
    if (this.loop !== null) {
      if (this.wdId >= 0) this.loop.cancel(this.wdId);
      this.wdId = this.loop.at(expires + slack, this.wdKind, 0);
    }
    this.wdExpires = expires;
  }

  private watchdogFire(now: number): void {
    this.wdExpires = Infinity;
    this.wdId = -1;
    this.onWatchdog(now);
  }

  /** The armed watchdog's soft expiry (ns), Infinity when none: when a dequeue
   *  that returned nothing will have something (the watchdog itself runs the
   *  qdisc timer_slack later). */
  nextEligible(): number {
    return this.wdExpires;
  }

  // ---- stats and reset ---------------------------------------------------

  stats(now: number): FqStats {
    // fq_dump_stats: time_next_delayed_flow + timer_slack - now in u64; with nothing throttled 6.12's value
    // wraps to 2^64 + timer_slack - 1 - now, which a double cannot hold: shown as U64_MAX
    const tndf = this.timeNextDelayedFlow === Infinity ? U64_MAX : this.timeNextDelayedFlow + this.p.timerSlackNs - now;
    return {
      kind: this.kind,
      bytes: this.bytes,
      packets: this.packets,
      drops: this.drops,
      overlimits: 0,
      requeues: this.gsoSkb.requeues,
      backlog: this.backlog + this.gsoSkb.backlog,
      qlen: this.qlen + this.gsoSkb.qlen,
      fq: {
        gc_flows: this.statGcFlows,
        highprio_packets: 0,
        tcp_retrans: 0,
        throttled: this.statThrottled,
        flows_plimit: this.statFlowsPlimit,
        pkts_too_long: this.statPktsTooLong,
        allocation_errors: this.statAllocationErrors,
        time_next_delayed_flow: tndf,
        flows: this.nFlows,
        inactive_flows: this.inactiveFlows,
        throttled_flows: this.throttledFlows,
        unthrottle_latency_ns: Math.min(this.unthrottleLatency, 0xffffffff),
        ce_mark: this.statCeMark,
        horizon_drops: this.statHorizonDrops,
        horizon_caps: this.statHorizonCaps,
        fastpath_packets: this.statFastpath,
        band_drops: Array.from(this.statBandDrops),
        band_pkt_count: Array.from(this.bandPktCount),
      },
    };
  }

  // net/sched/sch_fq.c: fq_reset — every queued skb goes to the sink, flows are freed. (Used by tests
  // only. 6.12's fq_reset leaves time_next_delayed_flow as it was, stale until fq_check_throttled; this
  // one clears it, so the fast path is open at once.)
  reset(reason = "QDISC_DROP"): void {
    const F = this.flows;
    const purge = (f: number): void => {
      for (const start of [F.tHead[f]!, F.head[f]!]) {
        for (let h = start; h !== SKB_NONE; ) {
          const nx = this.next[h]!;
          this.next[h] = SKB_NONE;
          this.sink.drop(h, reason);
          h = nx;
        }
      }
      F.head[f] = SKB_NONE;
      F.tHead[f] = SKB_NONE;
      F.qlen[f] = 0;
    };
    purge(FQ_INTERNAL);
    for (let b = 0; b < F.buckets.length; b++) {
      while (F.buckets[b] !== FLOW_NIL) {
        const f = F.buckets[b]!;
        purge(f);
        if (F.next[f] === FLOW_THROTTLED) this.delayed.erase(f);
        F.free(b, f);
      }
    }
    for (let b = 0; b < FQ_BANDS; b++) {
      this.newFirst[b] = this.oldFirst[b] = FLOW_NIL;
      this.bandPktCount[b] = 0;
    }
    this.qlen = 0;
    this.backlog = 0;
    this.nFlows = this.inactiveFlows = this.throttledFlows = 0;
    this.timeNextDelayedFlow = Infinity;
  }
}
