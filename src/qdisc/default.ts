// net.core.default_qdisc and attach_default_qdiscs (net/sched/sch_generic.c):
// a single-queue device gets the default qdisc as its root; a multi-queue
// device gets mq with one default qdisc per TX queue.
import type { Core } from "../core/core.js";
import type { EventLoop } from "../sim/loop.js";
import { FqQdisc } from "./fq.js";
import type { FqOptions } from "./fq-config.js";
import { Mq } from "./mq.js";
import { PfifoFast } from "./pfifo-fast.js";
import { QdiscConfigError, QdiscNotModelledError, type Qdisc, type QdiscDropSink, type QdiscEnv } from "./qdisc.js";

export const MODELLED_QDISCS = ["pfifo_fast", "fq"] as const;
export type DefaultQdiscName = (typeof MODELLED_QDISCS)[number];

/** Qdiscs Linux accepts for net.core.default_qdisc that this model lacks. */
const KNOWN_NOT_MODELLED = ["fq_codel", "pfifo", "bfifo", "codel", "sfq", "cake", "fq_pie", "pie", "noqueue", "red", "choke", "tbf", "hhf"];

/** Check a net.core.default_qdisc value. */
export function parseDefaultQdisc(name: string): DefaultQdiscName {
  if ((MODELLED_QDISCS as readonly string[]).includes(name)) return name as DefaultQdiscName;
  if (KNOWN_NOT_MODELLED.includes(name)) {
    throw new QdiscNotModelledError(
      `net.core.default_qdisc=${name}: ${name} is a Linux qdisc but is not modelled; use one of ${MODELLED_QDISCS.join(", ")}`,
    );
  }
  throw new QdiscConfigError(`net.core.default_qdisc=${JSON.stringify(name)} is not a qdisc; allowed: ${MODELLED_QDISCS.join(", ")}`);
}

export interface DeviceQdiscSpec {
  name: string;
  /** TX queues (dev->real_num_tx_queues). */
  queues: number;
  txqueuelen: number;
  mtu: number;
  hardHeaderLen?: number;
  /** net.core.default_qdisc (default pfifo_fast). */
  defaultQdisc?: string;
  fq?: FqOptions;
  env?: QdiscEnv;
  loop?: EventLoop;
  /** fq watchdog of TX queue q fired: run that queue's qdisc. */
  onWatchdog?: (queue: number, now: number) => void;
}

export interface DeviceQdiscs {
  /** What `tc qdisc show dev X` lists first: mq, or the single queue's qdisc. */
  root: Qdisc | Mq;
  /** The qdisc of each TX queue. */
  perQueue: readonly Qdisc[];
}

// net/sched/sch_generic.c: attach_default_qdiscs
export function attachDefaultQdiscs(core: Core, sink: QdiscDropSink, d: DeviceQdiscSpec): DeviceQdiscs {
  if (!Number.isInteger(d.queues) || d.queues < 1 || d.queues > 4096) {
    throw new QdiscConfigError(`${d.name}: queues=${d.queues} must be an integer in [1, 4096]`);
  }
  const kind = parseDefaultQdisc(d.defaultQdisc ?? "pfifo_fast");
  const perQueue: Qdisc[] = [];
  for (let q = 0; q < d.queues; q++) {
    if (kind === "pfifo_fast") {
      perQueue.push(new PfifoFast(core, sink, { txqueuelen: d.txqueuelen, env: d.env }));
    } else {
      const onWatchdog = d.onWatchdog;
      perQueue.push(
        new FqQdisc(core, sink, { mtu: d.mtu, hardHeaderLen: d.hardHeaderLen, ...d.fq }, {
          loop: d.loop,
          env: d.env,
          name: `${d.name} tx-${q} fq`,
          onWatchdog: onWatchdog === undefined ? undefined : (now) => onWatchdog(q, now),
        }),
      );
    }
  }
  return { root: d.queues === 1 ? perQueue[0]! : new Mq(perQueue), perQueue };
}
