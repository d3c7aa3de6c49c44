// mq (net/sched/sch_mq.c): the root of a multi-queue device, one child
// qdisc per TX queue (flagged TCQ_F_ONETXQUEUE); it queues nothing itself.
// Each TX queue's child is run on its own; `tc -s qdisc show dev X` sums
// the children into mq's line (mq_dump).
import type { Qdisc, QdiscStats } from "./qdisc.js";

export class Mq {
  readonly kind = "mq" as const;
  constructor(readonly children: readonly Qdisc[]) {}

  /** The qdisc of TX queue q (netdev_get_tx_queue(dev, q)->qdisc). */
  child(q: number): Qdisc {
    const c = this.children[q];
    if (c === undefined) throw new RangeError(`mq: TX queue ${q} is not in [0, ${this.children.length - 1}]`);
    return c;
  }

  get qlen(): number {
    let n = 0;
    for (const c of this.children) n += c.qlen;
    return n;
  }

  get backlog(): number {
    let n = 0;
    for (const c of this.children) n += c.backlog;
    return n;
  }

  // net/sched/sch_mq.c: mq_dump
  stats(now: number): QdiscStats {
    const s: QdiscStats = { kind: "mq", bytes: 0, packets: 0, drops: 0, overlimits: 0, requeues: 0, backlog: 0, qlen: 0 };
    for (const c of this.children) {
      const x = c.stats(now);
      s.bytes += x.bytes;
      s.packets += x.packets;
      s.drops += x.drops;
      s.overlimits += x.overlimits;
      s.requeues += x.requeues;
      s.backlog += x.backlog;
      s.qlen += x.qlen;
    }
    return s;
  }
}
