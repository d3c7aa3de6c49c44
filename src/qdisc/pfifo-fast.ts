// pfifo_fast (net/sched/sch_generic.c): three FIFO bands chosen by
// skb->priority through sch_default_prio2band; band 0 is always served
// first. Each band is its own ring of txqueuelen entries (skb_array_init in
// pfifo_fast_init), so the limit is per band; a ptr_ring frees consumed slots
// in batches (ringHead / ringUnfreed below). The FIFOs are lists linked
// through the skb `next` column: no allocation per packet.
import type { Core } from "../core/core.js";
import { SKB_NONE } from "../core/skb-fields.js";
import { bstatsPackets, qdiscCb, qdiscPktLen, type QdiscCb } from "./pkt-len.js";
import {
  DEFAULT_QDISC_ENV,
  GsoSkbStats,
  NO_SKB,
  QdiscConfigError,
  SCH_DEFAULT_PRIO2BAND,
  TC_PRIO_MAX,
  type Qdisc,
  type QdiscDropSink,
  type QdiscEnv,
  type QdiscStats,
} from "./qdisc.js";
import { F64Keys, f64Fields } from "../util/f64-field.js";

export const PFIFO_FAST_BANDS = 3;
/** include/linux/ptr_ring.h: __ptr_ring_set_size — batch = SMP_CACHE_BYTES * 2 / sizeof(void *) (64-byte
 *  lines, 8-byte pointers on x86_64), 1 when that is more than half the ring. */
export function ptrRingBatch(size: number): number {
  const b = (64 * 2) / 8;
  return b > Math.floor(size / 2) ? 1 : b;
}

export interface PfifoFastOptions {
  /** dev->tx_queue_len (ip link set txqueuelen), default 1000; each band holds this many. */
  txqueuelen?: number;
  env?: QdiscEnv;
}

/** A byte total (bstats.bytes): a double from the start (util/f64-field.ts). */
const QDISC_F64 = new F64Keys(["bytes"]);

export class PfifoFast implements Qdisc {
  readonly kind = "pfifo_fast" as const;
  readonly txqueuelen: number;
  qlen = 0;
  backlog = 0;
  bytes = 0;
  packets = 0;
  drops = 0;
  readonly gsoSkb = new GsoSkbStats();
  private readonly bandHead = new Uint32Array(PFIFO_FAST_BANDS).fill(SKB_NONE);
  private readonly bandTail = new Uint32Array(PFIFO_FAST_BANDS).fill(SKB_NONE);
  readonly bandQlen = new Uint32Array(PFIFO_FAST_BANDS);
  /** Each band's ptr_ring: consumer_head, and consumer_head - consumer_tail (slots consumed but not yet
   *  zeroed, which the producer cannot reuse). */
  private readonly ringHead = new Uint32Array(PFIFO_FAST_BANDS);
  readonly ringUnfreed = new Uint32Array(PFIFO_FAST_BANDS);
  private readonly batch: number;
  private readonly next: Uint32Array;
  private readonly cb: QdiscCb;
  private readonly env: QdiscEnv;

  constructor(
    private readonly core: Core,
    private readonly sink: QdiscDropSink,
    opts: PfifoFastOptions = {},
  ) {
    f64Fields(this, QDISC_F64);
    const n = opts.txqueuelen ?? 1000;
    // net/sched/sch_generic.c: pfifo_fast_init refuses a zero-length ring
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) {
      throw new QdiscConfigError(`pfifo_fast: txqueuelen=${n} must be an integer in [1, 4294967295]`);
    }
    this.txqueuelen = n;
    this.batch = ptrRingBatch(n);
    this.next = core.skb.next;
    this.cb = qdiscCb(core);
    this.env = opts.env ?? DEFAULT_QDISC_ENV;
  }

  // net/sched/sch_generic.c: pfifo_fast_enqueue
  enqueue(h: number, _now: number): boolean {
    const band = SCH_DEFAULT_PRIO2BAND[this.env.priority(h) & TC_PRIO_MAX]!;
    // include/linux/ptr_ring.h: __ptr_ring_produce fails (-ENOSPC) while r->queue[r->producer] is set: the
    // set slots run from consumer_tail to the producer, the queued skbs and those consumed but not zeroed
    if (this.bandQlen[band]! + this.ringUnfreed[band]! >= this.txqueuelen) {
      this.drops++;
      this.sink.drop(h, "QDISC_DROP");
      return false;
    }
    const len = qdiscPktLen(this.core, h);
    this.cb.pktLen[h] = len;
    this.next[h] = SKB_NONE;
    const tail = this.bandTail[band]!;
    if (tail === SKB_NONE) this.bandHead[band] = h;
    else this.next[tail] = h;
    this.bandTail[band] = h;
    this.bandQlen[band]!++;
    this.qlen++;
    this.backlog += len;
    return true;
  }

  // net/sched/sch_generic.c: pfifo_fast_dequeue — lowest band first
  dequeue(_now: number): number {
    for (let band = 0; band < PFIFO_FAST_BANDS; band++) {
      const h = this.bandHead[band]!;
      if (h === SKB_NONE) continue;
      const nx = this.next[h]!;
      this.bandHead[band] = nx;
      if (nx === SKB_NONE) this.bandTail[band] = SKB_NONE;
      this.next[h] = SKB_NONE;
      this.bandQlen[band]!--;
      this.qlen--;
      // include/linux/ptr_ring.h: __ptr_ring_discard_one — slots are zeroed once `batch` are consumed, or at
      // the ring's end (where consumer_head wraps to 0)
      const head = this.ringHead[band]! + 1;
      const unfreed = this.ringUnfreed[band]! + 1;
      this.ringUnfreed[band] = unfreed >= this.batch || head >= this.txqueuelen ? 0 : unfreed;
      this.ringHead[band] = head >= this.txqueuelen ? 0 : head;
      const len = this.cb.pktLen[h]!;
      this.backlog -= len;
      this.bytes += len;
      this.packets += bstatsPackets(this.core, h);
      return h;
    }
    return NO_SKB;
  }

  // net/core/dev.c: __dev_xmit_skb — TCQ_F_CAN_BYPASS: an skb that goes straight to the driver
  // (sch_direct_xmit) is counted in the qdisc's bstats (qdisc_bstats_cpu_update) but never queued
  bypass(h: number): void {
    this.bytes += qdiscPktLen(this.core, h);
    this.packets += bstatsPackets(this.core, h);
  }

  nextEligible(): number {
    return Infinity;
  }

  stats(_now: number): QdiscStats {
    return {
      kind: this.kind,
      bytes: this.bytes,
      packets: this.packets,
      drops: this.drops,
      overlimits: 0,
      requeues: this.gsoSkb.requeues,
      backlog: this.backlog + this.gsoSkb.backlog,
      qlen: this.qlen + this.gsoSkb.qlen,
    };
  }

  // net/sched/sch_generic.c: pfifo_fast_reset
  reset(reason = "QDISC_DROP"): void {
    for (;;) {
      const h = this.dequeue(0);
      if (h === NO_SKB) break;
      this.bytes -= this.cb.pktLen[h]!;
      this.packets -= bstatsPackets(this.core, h);
      this.sink.drop(h, reason);
    }
  }
}
