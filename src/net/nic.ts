// A multi-queue NIC: RSS (Toeplitz + RETA in WASM) picks the RX ring of each
// arriving frame; a full RX ring drops it (rx_missed_errors); the first frame
// on an idle queue raises that queue's IRQ. On transmit, frames go through
// the device's qdisc (pfifo, txqueuelen) into the TX descriptor ring, from
// which the link takes them. The NIC knows nothing of CPUs or sockets: it
// raises IRQs and "TX room" through callbacks its host installs.
import type { Core } from "../core/core.js";
import type { RssContext } from "../core/rss.js";
import { createRing, ringRaw, type RingRaw } from "./ring-ops.js";

export interface NicConfig {
  queues: number;
  rateBps: number;
  mtu: number;
  rxRing: number;
  txRing: number;
  /** qdisc limit in packets (dev->tx_queue_len, default 1000). */
  txqueuelen: number;
  /** RX interrupt coalescing (ethtool -C rx-usecs, in ns): the IRQ fires
   *  this long after the first frame reaches an idle queue. Default 0. */
  rxUsecs?: number;
}

/** Where a NIC sends what it cannot keep. */
export interface DropSink {
  drop(h: number, reason: string): void;
}

export interface NicRxQueueStats {
  packets: number;
  bytes: number;
  drops: number;
}

export class Nic {
  readonly rxRings: number[];
  readonly txRing: number;
  readonly qdiscRing: number;
  readonly rxPackets: Float64Array;
  readonly rxBytes: Float64Array;
  readonly rxMissed: Float64Array;
  /** Queue IRQ masked because its NAPI is scheduled (napi_schedule). */
  private readonly irqMasked: Uint8Array;
  txPackets = 0;
  txBytes = 0;
  qdiscDrops = 0;
  qdiscPackets = 0;
  qdiscBytes = 0;
  /** Set by the host: queue q's interrupt fired. */
  onRxIrq: (queue: number) => void = () => {};
  /** Set by the host: the qdisc has room again (senders may resume). */
  onTxRoom: () => void = () => {};
  /** Set by the link: a frame is waiting in the TX ring. */
  onTxReady: () => void = () => {};
  private readonly r: RingRaw;
  private readonly skbLen: Uint32Array;
  private readonly skbQueue: Uint32Array;

  constructor(
    private readonly core: Core,
    readonly name: string,
    readonly config: NicConfig,
    private readonly rss: RssContext,
    private readonly rssSlot: number,
    private readonly drops: DropSink,
  ) {
    this.r = ringRaw(core);
    this.rxRings = [];
    for (let q = 0; q < config.queues; q++) this.rxRings.push(createRing(core, config.rxRing, `${name} rx-${q}`));
    this.txRing = createRing(core, config.txRing, `${name} tx-0`);
    this.qdiscRing = createRing(core, config.txqueuelen, `${name} qdisc`);
    this.rxPackets = new Float64Array(config.queues);
    this.rxBytes = new Float64Array(config.queues);
    this.rxMissed = new Float64Array(config.queues);
    this.irqMasked = new Uint8Array(config.queues);
    this.skbLen = core.skb.len;
    this.skbQueue = core.skb.queue;
  }

  get queues(): number {
    return this.config.queues;
  }

  /** A frame arrives from the wire: RSS picks the queue, the ring takes it. */
  receive(h: number): void {
    this.core.scratch[this.rssSlot] = h;
    this.rss.hashBurst(1, this.rssSlot);
    const q = this.skbQueue[h]! % this.config.queues;
    if (this.r.ring_enqueue(this.rxRings[q]!, h) === 0) {
      this.rxMissed[q]! += 1;
      this.drops.drop(h, "NIC_RX_MISSED");
      return;
    }
    this.rxPackets[q]! += 1;
    this.rxBytes[q]! += this.skbLen[h]!;
    if (this.irqMasked[q] === 0) {
      this.irqMasked[q] = 1;
      this.onRxIrq(q);
    }
  }

  /** Driver poll: move up to `budget` frames of queue q into scratch[slot..]. */
  rxPoll(q: number, slot: number, budget: number): number {
    return this.r.ring_dequeue_burst(this.rxRings[q]!, this.core.scratchAddr(slot), budget);
  }

  /** napi_complete_done: unmask the queue's IRQ; frames that arrived during
   *  the poll raise it again at once. */
  rxIrqEnable(q: number): void {
    this.irqMasked[q] = 0;
    if (this.r.ring_count(this.rxRings[q]!) > 0) {
      this.irqMasked[q] = 1;
      this.onRxIrq(q);
    }
  }

  /** dev_queue_xmit: enqueue on the qdisc (pfifo: drop when limit reached),
   *  then run the qdisc into the driver ring. Returns false if dropped. */
  xmit(h: number): boolean {
    // net/sched/sch_fifo.c: pfifo_enqueue
    if (this.r.ring_count(this.qdiscRing) >= this.config.txqueuelen || this.r.ring_enqueue(this.qdiscRing, h) === 0) {
      this.qdiscDrops++;
      this.drops.drop(h, "QDISC_DROP");
      return false;
    }
    this.qdiscRun();
    return true;
  }

  /** Packets waiting in the qdisc. */
  qdiscBacklog(): number {
    return this.r.ring_count(this.qdiscRing);
  }

  qdiscRoom(): number {
    return this.config.txqueuelen - this.r.ring_count(this.qdiscRing);
  }

  /** net/sched/sch_generic.c: __qdisc_run — dequeue into the TX ring while it has room. */
  qdiscRun(): void {
    const size = this.config.txRing;
    let moved = 0;
    while (this.r.ring_count(this.txRing) < size) {
      // WASM returns u32 RING_NONE, which JS sees as the i32 -1.
      const h = this.r.ring_dequeue(this.qdiscRing);
      if (h < 0) break;
      this.r.ring_enqueue(this.txRing, h);
      this.qdiscPackets++;
      this.qdiscBytes += this.skbLen[h]!;
      moved++;
    }
    if (moved > 0) this.onTxReady();
  }

  /** The link takes the next frame to serialize (-1 if none). */
  txPop(): number {
    const h = this.r.ring_dequeue(this.txRing);
    if (h < 0) return -1;
    this.txPackets++;
    this.txBytes += this.skbLen[h]!;
    return h;
  }

  /** TX completion: the ring slot is free again; refill from the qdisc. */
  txComplete(): void {
    this.qdiscRun();
    if (this.qdiscRoom() > 0) this.onTxRoom();
  }

  /** Frames held by this NIC (RX rings, TX ring, qdisc) for the ledger. */
  held(): number {
    let n = this.r.ring_count(this.txRing) + this.r.ring_count(this.qdiscRing);
    for (const id of this.rxRings) n += this.r.ring_count(id);
    return n;
  }

  rxQueueStats(q: number): NicRxQueueStats {
    return { packets: this.rxPackets[q]!, bytes: this.rxBytes[q]!, drops: this.rxMissed[q]! };
  }

  rxRingDepth(q: number): number {
    return this.r.ring_count(this.rxRings[q]!);
  }
}
