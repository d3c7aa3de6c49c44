// The transmit side of a NIC: the device's qdiscs (net.core.default_qdisc,
// mq over several TX queues), __qdisc_run with its quota, one descriptor ring
// per TX queue with BQL (netdev_tx_sent_queue / netdev_tx_completed_queue)
// and the driver's ring-full stop, and TX completion raised as an interrupt
// with coalescing (tx-usecs / tx-frames) and cleaned in NAPI with a budget.
// The wire takes frames from the rings round robin (the NIC's TX arbiter).
// The descriptor rings live in the WASM core (assembly/tx-ring.ts): a
// qdisc_run pass posts its batch with one txring_post_burst, a completion
// pass frees its descriptors with one txring_clean, and the wire's take and
// the ring's counts are reads and writes through views (no call).
// A frame's handle leaves the ring when the wire takes it (it travels on to
// the receiver); its descriptor (length, owning socket, truesize) stays
// until completion, which is what BQL and socket memory accounting see.
import type { Core } from "../core/core.js";
import { Dql, dqlOf, nsToJiffies } from "../core/dql.js";
import { attachDefaultQdiscs, type DeviceQdiscs } from "../qdisc/default.js";
import { NO_SKB, type Qdisc, type QdiscEnv } from "../qdisc/qdisc.js";
import type { FqQdisc } from "../qdisc/fq.js";
import type { FqOptions } from "../qdisc/fq-config.js";
import type { PfifoFast } from "../qdisc/pfifo-fast.js";
import type { EventLoop } from "../sim/loop.js";
import { HASH_L4, HASH_SW, SKB_F_OOO_OKAY, SKB_NONE } from "../core/skb-fields.js";
import { createGso, type Gso, type GsoExports } from "../core/gso.js";
import { qdiscPktLen, PKT_LEN_BAD_GSO } from "../qdisc/pkt-len.js";
import { gsoSegmentHeadTruesize } from "./gso-truesize.js";
import { LatencyHist } from "../sim/latency-hist.js";
import { TXR, TXR_CLEAN_MAX, TXR_REC_U32, TXR_STAGE, txRingsOf, type TxRingExports, type TxRings } from "../core/tx-rings.js";
import type { DropSink } from "./nic.js";
import type { WireStartCounters } from "./wire-fifo.js";
import { F64Keys, f64Fields } from "../util/f64-field.js";

/** From the wire on, frame h is the receiver's: no owner, truesize or departure time (the
 *  sender's ownership stays with the descriptor until its completion). assembly/gso.ts
 *  tso_segment releases its segments the same way (test/gso/tso-segment.test.ts). */
export function releaseForWire(core: Core, h: number): number {
  core.skb.sk[h] = SKB_NONE;
  core.skb.truesize[h] = 0;
  core.skbTime.tstamp[h] = 0;
  return h;
}

/** net/core/hotdata.c: dev_tx_weight's default (net.core.dev_weight 64 × dev_weight_tx_bias 1): __qdisc_run's quota. */
export const QDISC_RUN_QUOTA = 64;
/** include/net/sch_generic.h: __QDISC_STATE_MISSED and __QDISC_STATE_DRAINING, the q->state bits a
 *  TCQ_F_NOLOCK qdisc (pfifo_fast) keeps; either one makes nolock_qdisc_is_empty false. */
const QDISC_MISSED = 1;
const QDISC_DRAINING = 2;
/** TX completion NAPI budget (drivers' tx work limit; ixgbe IXGBE_DEFAULT_TX_WORK = 256): the one value that
 *  also sizes txring_clean's owners area (TXR_CLEAN_MAX), so a full poll always fits one clean. */
export const TX_NAPI_BUDGET = TXR_CLEAN_MAX;
/** drivers/net/ethernet/intel/ixgbe: TX_WAKE_THRESHOLD = DESC_NEEDED * 2 (DESC_NEEDED = MAX_SKB_FRAGS + 4 = 21). */
export const TX_WAKE_THRESHOLD = 42;

export interface NicTxConfig {
  /** TX queues (dev->real_num_tx_queues). */
  txQueues: number;
  /** Descriptors per TX ring (ethtool -G tx). */
  txRing: number;
  txqueuelen: number;
  mtu: number;
  /** net.core.default_qdisc. */
  defaultQdisc: string;
  /** dev_tx_weight = net.core.dev_weight × net.core.dev_weight_tx_bias: __qdisc_run's quota (default 64). */
  devTxWeight?: number;
  /** ethtool -C tx-usecs in ns: completion IRQ this long after the first
   *  finished frame; 0 (default) completes each frame as it leaves the wire. */
  txUsecs: number;
  /** ethtool -C tx-frames: with txUsecs > 0, fire once this many frames are done (0 = no frame limit). */
  txFrames: number;
  /** BQL on (default); off = limit_min written to "max" (the usual way to disable it). */
  bql: boolean;
  /** fq options of every TX queue's fq. */
  fq?: FqOptions;
  /** NETIF_F_TSO (ethtool -K tso): the NIC segments GSO skbs (one descriptor); off: software GSO before the driver. */
  tso: boolean;
  /** First of GSO_OUT_SLOTS scratch slots for segmentation output. */
  gsoSlot: number;
  /** /sys/class/net/DEV/queues/tx-N/xps_cpus per TX queue (CPU lists; [] = none). */
  xpsCpus?: readonly (readonly number[])[];
  /** .../tx-N/xps_rxqs per TX queue (RX queue lists). */
  xpsRxqs?: readonly (readonly number[])[];
}

/** What netdev_pick_tx asks about an skb's socket (set by the host). */
export interface XpsEnv {
  /** sk_tx_queue_get (-1 none). */
  txQueue(sk: number): number;
  sk_tx_queue_set(sk: number, q: number): void;
  /** sk_rx_queue_get (-1 none). */
  rxQueue(sk: number): number;
  /** skb->sender_cpu - 1 for skb `h`: the CPU running its transmit (-1 unknown). */
  senderCpu(h: number): number;
}

/** __get_xps_queue_idx's map: key (CPU or RX queue) -> TX queues whose mask holds it, in queue order. */
function invertXps(perTxq: readonly (readonly number[])[] | undefined): Map<number, number[]> | null {
  if (perTxq === undefined || perTxq.every((l) => l.length === 0)) return null;
  const m = new Map<number, number[]>();
  perTxq.forEach((keys, q) => {
    for (const k of keys) {
      let l = m.get(k);
      if (l === undefined) m.set(k, (l = []));
      l.push(q);
    }
  });
  return m;
}

/** Scratch slots a segmentation may fill (64 KB at the smallest MSS, 536 B: 123 segments). */
export const GSO_OUT_SLOTS = 128;

/** Per-core times (ns) each skb handle was queued to a qdisc and posted to a driver ring
 *  (an skb is in one NIC's TX path at a time): [enqueue | post], skbs entries each. */
const txStamps = new WeakMap<Core, Float64Array>();

/** Per-core allocation of struct dql records (one per TX queue in the world). */
const dqlNext = new WeakMap<Core, number>();

export interface TxQueueStats {
  packets: number;
  bytes: number;
  /** Queue stops: BQL (STACK_XOFF) plus ring full (DRV_XOFF). */
  stops: number;
  bqlStops: number;
  ringStops: number;
  wakes: number;
  completions: number;
  completionIrqs: number;
  /** Descriptors posted with netdev_xmit_more set (more of the list follows; mlx5's tx_xmit_more). */
  xmitMore: number;
  /** Tail (doorbell) writes: one per list, plus one per descriptor posted while the queue is stopped. */
  doorbells: number;
  /** NET_TX softirq runs of this queue's qdisc (net_tx_action -> qdisc_run): a spent quota, a requeue,
   *  MISSED at qdisc_run_end, or a wake (netif_tx_wake_queue / netif_schedule_queue). */
  netTx: number;
}

/** A queue's byte total: a double from the start (util/f64-field.ts). */
const QSTATS_F64 = new F64Keys(["bytes"]);

export class NicTx {
  readonly qdiscs: DeviceQdiscs;
  readonly dql: Dql[] = [];
  /** Finished on the wire, awaiting completion. */
  private readonly done: Int32Array;
  /** __QUEUE_STATE_DRV_XOFF (ring full). */
  private readonly drvXoff: Uint8Array;
  /** The completion IRQ timer's wheel id + 1, 0 = not armed. Float64Array: ids
   *  are u32, so id + 1 can reach 2^32, which an Int32Array would wrap to 0. */
  private readonly irqArmed: Float64Array;
  private readonly napiScheduled: Uint8Array;
  /** When the armed completion IRQ fires / the scheduled TX NAPI poll runs (ns). */
  private readonly irqAt: Float64Array;
  /** When the armed completion IRQ timer was armed (ns): its event's insertion time, kept rather than
   *  rebuilt as irqAt - txUsecs (which f64 rounding can move by an ulp). */
  private readonly irqArmT: Float64Array;
  private readonly napiAt: Float64Array;
  /** The TX rings (assembly/tx-ring.ts): queue q's ring id and the u32 index of its record in
   *  `rec` (head, used, unsent, ...: TXR). */
  private readonly tx: TxRingExports;
  private readonly ringId: Int32Array;
  private readonly recAt: Int32Array;
  /** The TX rings' views and their one-descriptor steps (postOne, takeOne, peekOne, cleanOne). */
  private readonly rings: TxRings;
  private readonly rec: Uint32Array;
  /** The core's post stage ((handle, bytes) pairs) and the clean's owners, shared by every NIC:
   *  a pass posts its stage before anything can call out (a drop) and before it returns, except
   *  the bypasses of a poll's TX hold, which leave theirs until txRelease; a NIC staging while
   *  another's descriptors are there has that one post them first (TxRings.stageOwner). */
  private readonly stage: Uint32Array;
  private readonly stagePtr: number;
  private readonly owners: Uint32Array;
  /** Staged posts, and the queue they are for. */
  private staged = 0;
  private stagedQ = 0;
  /** Owners of the descriptors one clean frees (the callbacks run after the ring is consistent). */
  private readonly freeSk: Uint32Array;
  private readonly freeTrue: Uint32Array;
  private readonly qstats: TxQueueStats[] = [];
  /** Per TX queue counters; packets/bytes of a TSO train count each frame as it starts on the wire. */
  get stats(): TxQueueStats[] {
    this.syncWire();
    return this.qstats;
  }
  /** Set by the link: bring the lazily counted frames of the train on the wire up to now. */
  syncWire: () => void = () => {};
  private readonly qLatency: LatencyHist[] = [];
  private readonly qRingLatency: LatencyHist[] = [];
  /** Per TX queue: time from qdisc enqueue to the wire taking the frame (qdisc + driver ring). */
  get latency(): LatencyHist[] {
    this.syncWire();
    return this.qLatency;
  }
  /** Per TX queue: the driver-ring part of it (posted -> the wire takes it), what BQL bounds. */
  get ringLatency(): LatencyHist[] {
    this.syncWire();
    return this.qRingLatency;
  }
  /** Per skb handle: when it was queued to the qdisc and posted to the ring (the wire's run reads them). */
  readonly enqT: Float64Array;
  readonly postT: Float64Array;
  private rr = 0;
  /** Queue of the frame the wire is serializing, and its length. */
  private wireQ = -1;
  private readonly kindIrq: number;
  private readonly kindNapi: number;
  private readonly kindNetTx: number;
  private readonly netTxPending: Uint8Array;
  /** NET_TX events already scheduled whose run a wake's folded run has taken (they fire and do nothing). */
  private readonly netTxTaken: Uint32Array;
  private readonly gso: Gso;
  private readonly gsoSegs: Uint32Array;
  /** Wire packets beyond one per skb held as GSO skbs (qdisc, TSO descriptors not yet on the wire). */
  private extraSegs = 0;
  /** The skb being enqueued (its own drop is not yet held). */
  private enqueueing = -1;
  /** Queue q's skb list on its way to the driver (a bulk dequeue, after validate_xmit_skb_list's
   *  segmentation) and, once the driver stopped, what is left of it on q->gso_skb (dev_requeue_skb):
   *  rqBuf[q][rqHead[q] ..] (rqLen[q] of them). A run dequeues the qdisc only once they are all
   *  posted, so one list is the most a queue holds; rqPkt[q][i] is that skb's qdisc_pkt_len, which
   *  each segment carries (skb_segment copies the qdisc cb). Grown when a bulk needs more (rare). */
  private readonly rqBuf: Uint32Array[] = [];
  private readonly rqPkt: Uint32Array[] = [];
  private readonly rqHead: Int32Array;
  private readonly rqLen: Int32Array;
  /** Each queue's name for the dql's error message (`tx-N: `, built once). */
  private readonly dqlWho: string[] = [];
  /** The dql records' words and each queue's XOFF word in them (Dql.stopped without the getter). */
  private dqlWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private readonly dqlXoffAt: Int32Array;
  /** TSO, per-frame wire: the segments of the descriptor on the wire not yet taken,
   *  wireSegs[wireSegsAt .. wireSegsEnd) (one descriptor's at most: txPop splits the next only
   *  once they are all taken, so a flat buffer refilled from 0 does); and the segments not yet
   *  finished. */
  private readonly wireSegs = new Uint32Array(GSO_OUT_SLOTS);
  private wireSegsAt = 0;
  private wireSegsEnd = 0;
  private wireSegsLeft = 0;
  /** Segments software GSO made, and TSO descriptors the NIC split. */
  readonly gsoCounts = { gsoSkbs: 0, gsoSegments: 0, tsoSkbs: 0, tsoSegments: 0 };
  /** dev->core_stats->tx_dropped as __dev_queue_xmit counts it (SKB_BAD_GSO); not in the report (always 0 there). */
  txDropped = 0;
  /** Set by the NIC: frames wait in a ring (the wire may start). */
  onTxReady: () => void = () => {};
  /** Set by the NIC: completions freed room (qdisc room for senders). */
  onTxRoom: () => void = () => {};
  /** Completion freed a descriptor whose skb socket sk charged `truesize` (sock_wfree). */
  onTxFree: (sk: number, truesize: number) => void = () => {};
  /** Software GSO replaced an skb of socket sk charging `orig` by segments charging `segs` in all
   *  (tcp_gso_segment: sk_wmem_alloc changes by the difference; the original is freed). */
  onTxGso: (sk: number, orig: number, segs: number) => void = () => {};
  /** A completion pass of queue q starts (true) and ends (false, after the qdisc ran): the host runs at
   *  its end what onTxFree queued (the TSQ tasklet of q's IRQ CPU, after NET_TX in the same softirq). */
  onTxBatch: (begin: boolean, q: number) => void = () => {};
  /** Set by the host: queue q's TX completion interrupt fired (its CPU pays the hard IRQ); returns
   *  how long until that CPU's softirq gets to the TX NAPI (ns; its busy time ahead). */
  onTxIrq: ((q: number, insertedAt: number) => number) | null = null;
  /** Set by the host: queue q's completion cleaned `descs` descriptors (its CPU pays the NAPI work). */
  onTxClean: ((q: number, descs: number) => void) | null = null;
  /** Pick the TX queue of skb h (netdev_pick_tx); default skb_tx_hash on skb->hash. */
  pickTx: (h: number) => number;
  /** Set by the host: __skb_get_hash, the flow hash of an skb with neither l4_hash nor sw_hash (stored in
   *  it, sw_hash set); by default the skb's hash as it is. */
  flowHash: (h: number) => number = (h) => this.core.skb.hash[h]!;

  /** config.txQueues, txUsecs, txFrames, gsoSlot, txRing and tso as fields of
   *  this class: the per-frame paths read them without a load through the
   *  config object, whose shape differs between NICs (optional keys). */
  private readonly nTxq: number;
  private readonly txUsecs: number;
  private readonly txFrames: number;
  private readonly gsoSlot: number;
  /** core.raw.tso_segment, and the byte address of scratch[gsoSlot] (checked once, here). */
  private readonly tsoSegment: GsoExports["tso_segment"];
  private readonly gsoAddr: number;
  private readonly txRingSize: number;
  private readonly tsoOn: boolean;

  constructor(
    private readonly core: Core,
    readonly name: string,
    readonly config: NicTxConfig,
    private readonly sink: DropSink,
    private readonly loop: EventLoop,
    env?: QdiscEnv,
  ) {
    const n = config.txQueues;
    this.nTxq = n;
    this.txUsecs = config.txUsecs;
    this.txFrames = config.txFrames;
    this.gsoSlot = config.gsoSlot;
    this.txRingSize = config.txRing;
    this.tsoOn = config.tso;
    const skbSk = core.skb.sk;
    const skbTrue = core.skb.truesize;
    // kfree_skb of an owned skb runs its destructor (tcp_wfree): the socket gets its memory back
    const qdiscSink: DropSink = {
      drop: (h, reason) => {
        this.postStaged();
        const segs = this.gsoSegs[h]!;
        if (segs > 1 && h !== this.enqueueing) this.extraSegs -= segs - 1;
        const sk = skbSk[h]!;
        if (sk !== SKB_NONE) {
          skbSk[h] = SKB_NONE;
          this.onTxFree(sk, skbTrue[h]!);
        }
        sink.drop(h, reason);
      },
    };
    this.qdiscs = attachDefaultQdiscs(core, qdiscSink, {
      name,
      queues: n,
      txqueuelen: Math.max(1, config.txqueuelen),
      mtu: config.mtu,
      defaultQdisc: config.defaultQdisc,
      env,
      fq: config.fq,
      loop,
      // net/sched/sch_api.c: qdisc_watchdog -> __netif_schedule
      onWatchdog: (q) => this.netifSchedule(q),
    });
    this.gso = createGso(core);
    this.tsoSegment = (core.raw as unknown as GsoExports).tso_segment;
    this.gsoAddr = this.gso.outAddr(`${name}: gsoSlot`, this.gsoSlot, GSO_OUT_SLOTS);
    let stamps = txStamps.get(core);
    if (stamps === undefined) txStamps.set(core, (stamps = new Float64Array(2 * core.config.skbs)));
    this.enqT = stamps.subarray(0, core.config.skbs);
    this.postT = stamps.subarray(core.config.skbs);
    this.gsoSegs = core.skb.gsoSegs;
    for (let q = 0; q < n; q++) {
      this.rqBuf.push(new Uint32Array(GSO_OUT_SLOTS));
      this.rqPkt.push(new Uint32Array(GSO_OUT_SLOTS));
    }
    this.rqHead = new Int32Array(n);
    this.rqLen = new Int32Array(n);
    this.dqlXoffAt = new Int32Array(n);
    this.done = new Int32Array(n);
    this.drvXoff = new Uint8Array(n);
    this.irqArmed = new Float64Array(n);
    this.napiScheduled = new Uint8Array(n);
    this.irqAt = new Float64Array(n);
    this.irqArmT = new Float64Array(n);
    this.napiAt = new Float64Array(n);
    this.netTxPending = new Uint8Array(n);
    this.netTxTaken = new Uint32Array(n);
    const txr = txRingsOf(core);
    this.rings = txr;
    this.tx = txr.x;
    this.rec = txr.recs;
    this.stage = txr.stage;
    this.stagePtr = txr.stagePtr;
    this.owners = txr.owners;
    this.ringId = new Int32Array(n);
    this.recAt = new Int32Array(n);
    this.freeSk = new Uint32Array(config.txRing);
    this.freeTrue = new Uint32Array(config.txRing);
    const base = dqlNext.get(core) ?? 0;
    dqlNext.set(core, base + n);
    for (let q = 0; q < n; q++) {
      const d = dqlOf(core, base + q);
      this.dqlWho.push(`${name} tx-${q}: `);
      this.dqlXoffAt[q] = d.xoffAt;
      this.dqlWords = d.words;
      d.init(loop.now);
      if (!config.bql) d.write("limit_min", "max", loop.now);
      this.dql.push(d);
      const id = txr.create(config.txRing);
      this.ringId[q] = id;
      this.recAt[q] = id * TXR_REC_U32;
      this.qLatency.push(new LatencyHist());
      this.qRingLatency.push(new LatencyHist());
      const st = { packets: 0, bytes: 0, stops: 0, bqlStops: 0, ringStops: 0, wakes: 0, completions: 0, completionIrqs: 0, xmitMore: 0, doorbells: 0, netTx: 0 };
      f64Fields(st, QSTATS_F64);
      this.qstats.push(st);
    }
    this.bypassQ = this.qdiscs.perQueue.map((qd) => (qd.kind === "pfifo_fast" ? (qd as PfifoFast) : null));
    // net/sched/sch_generic.c: pfifo_fast_ops.static_flags has TCQ_F_NOLOCK; fq takes the qdisc lock
    this.nolock = Uint8Array.from(this.bypassQ, (b) => (b !== null ? 1 : 0));
    this.qstate = new Uint8Array(n);
    // an int product in the kernel (proc_do_dev_weight): a huge dev_weight × bias wraps, and a quota
    // of 0 or less lets each run make one qdisc_restart before it reschedules
    const w = config.devTxWeight ?? QDISC_RUN_QUOTA;
    if (!Number.isInteger(w) || w < -0x80000000 || w > 0x7fffffff) throw new RangeError(`${name}: devTxWeight (dev_weight × dev_weight_tx_bias, an int) must be an integer in -2147483648..2147483647, got ${w}`);
    this.devTxWeight = w;
    this.xpsCpus = invertXps(config.xpsCpus);
    this.xpsRxqs = invertXps(config.xpsRxqs);
    this.pickTx = n === 1 ? () => 0 : (h) => this.netdevPickTx(h);
    this.kindIrq = loop.register(`${name} tx irq`, (q) => this.txIrq(q, this.irqArmT[q]!));
    this.kindNapi = loop.register(`${name} tx napi`, (q) => this.napiPoll(q));
    // net/core/dev.c: net_tx_action — clear __QDISC_STATE_SCHED, qdisc_run
    this.kindNetTx = loop.register(`${name} net_tx`, (q) => {
      if (this.netTxTaken[q] !== 0) {
        this.netTxTaken[q]!--;
        return;
      }
      this.netTxPending[q] = 0;
      this.qstats[q]!.netTx++;
      this.qdiscRun(q);
    });
  }

  /** TCQ_F_NOLOCK per TX queue's qdisc (pfifo_fast), and its MISSED / DRAINING bits. */
  private readonly nolock: Uint8Array;
  private readonly qstate: Uint8Array;
  /** __qdisc_run's quota (dev_tx_weight). */
  readonly devTxWeight: number;
  /** Descriptors the current qdisc run or bypass posted (the NIC is told once, at its end). */
  private runPosted = 0;
  /** txHold depth, and whether a bypass posted descriptors while held (the wire is told at txRelease). */
  private holds = 0;
  private heldReady = false;

  /** The host's RX softirq runs a NAPI poll: the descriptors its bypassed skbs post stay in the
   *  post stage and go into the ring in bursts (txring_post_burst: when the stage fills, when
   *  another pass of this NIC or another NIC posts, at txRelease), and the wire is told once, at
   *  txRelease. Neutral: nothing reads the ring's unsent part or the wire between (no event runs
   *  inside a poll, the loop's clock stands still, and every other path posts and tells the wire
   *  before it returns), and the wire puts each descriptor on at the time it would have (back to
   *  back from `now`). One TX queue only: with several, the wire's round robin over
   *  the rings would see the poll's descriptors of every queue at once instead of each as it was
   *  posted (another order on the wire). */
  txHold(): void {
    if (this.nTxq === 1) this.holds++;
  }

  txRelease(): void {
    if (this.nTxq !== 1 || --this.holds > 0) return;
    this.postStaged();
    if (this.heldReady) {
      this.heldReady = false;
      this.onTxReady();
    }
  }

  /** Each TX queue's qdisc when it may be bypassed (TCQ_F_CAN_BYPASS: pfifo_fast), else null. */
  private readonly bypassQ: (PfifoFast | null)[];
  private readonly xpsCpus: Map<number, number[]> | null;
  private readonly xpsRxqs: Map<number, number[]> | null;
  /** Set by the host: the sockets' cached queues, RX queue and the sending CPU. */
  xpsEnv: XpsEnv | null = null;
  /** Queue picks by source: XPS (rxqs or cpus), skb_tx_hash, the socket's cached queue. */
  readonly pick = { xps: 0, hash: 0, cached: 0 };

  // net/core/dev.c: netdev_pick_tx — keep the socket's cached queue unless
  // the skb is ooo_okay; else XPS, else skb_tx_hash; cache the new choice
  private netdevPickTx(h: number): number {
    const n = this.nTxq;
    const sk = this.core.skb.sk[h]!;
    const env = this.xpsEnv;
    const own = sk !== SKB_NONE && env !== null;
    let qi = own ? env.txQueue(sk) : -1;
    if (qi < 0 || (this.core.skb.flags[h]! & SKB_F_OOO_OKAY) !== 0 || qi >= n) {
      let ni = this.getXpsQueue(h, own ? sk : -1);
      if (ni >= 0) this.pick.xps++;
      else {
        // skb_tx_hash: reciprocal_scale(skb_get_hash(skb), real_num_tx_queues)
        ni = Math.floor((this.skbGetHash(h) * n) / 4294967296);
        this.pick.hash++;
      }
      if (own && qi !== ni) env.sk_tx_queue_set(sk, ni);
      qi = ni;
    } else this.pick.cached++;
    return qi;
  }

  // include/linux/skbuff.h: skb_get_hash — a hash set by the socket (skb_set_hash_from_sk: l4_hash) or
  // computed before (sw_hash) as it is, else __skb_get_hash's flow hash of the 4-tuple (a sockless skb:
  // a UDP datagram, a RST without a socket)
  private skbGetHash(h: number): number {
    return (this.core.skb.hashFlags[h]! & (HASH_L4 | HASH_SW)) !== 0 ? this.core.skb.hash[h]! : this.flowHash(h);
  }

  // net/core/dev.c: get_xps_queue — xps_rxqs by the socket's RX queue first, then xps_cpus by the sending CPU
  private getXpsQueue(h: number, sk: number): number {
    let q = -1;
    const env = this.xpsEnv;
    if (this.xpsRxqs !== null && sk >= 0 && env !== null) {
      const rxq = env.rxQueue(sk);
      if (rxq >= 0) q = this.xpsIdx(h, this.xpsRxqs, rxq);
    }
    if (q < 0 && this.xpsCpus !== null && env !== null) {
      const cpu = env.senderCpu(h);
      if (cpu >= 0) q = this.xpsIdx(h, this.xpsCpus, cpu);
    }
    return q;
  }

  // net/core/dev.c: __get_xps_queue_idx — one queue, or reciprocal_scale(skb_get_hash(skb), map->len)
  private xpsIdx(h: number, m: Map<number, number[]>, key: number): number {
    const l = m.get(key);
    if (l === undefined) return -1;
    const q = l.length === 1 ? l[0]! : l[Math.floor((this.skbGetHash(h) * l.length) / 4294967296)]!;
    return q < this.nTxq ? q : -1;
  }

  get queues(): number {
    return this.nTxq;
  }

  qdisc(q: number): Qdisc {
    return this.qdiscs.perQueue[q]!;
  }

  /** Whether quietPostable can ever pass (tx-usecs coalescing, one TX queue: fixed at construction). */
  get quietCapable(): boolean {
    return this.txUsecs > 0 && this.nTxq === 1;
  }

  /** Set by a train-mode link whose NIC is quietCapable: its quiet step (LinkDirection.sendQuiet), which puts a frame that
   *  xmit would hand the wire at once, and whose completion would only be counted, straight on. */
  quietWire: { sendQuiet(h: number): boolean } | null = null;

  /** net/core/dev.c: __dev_queue_xmit — pick the TX queue, enqueue on its qdisc, run it. */
  xmit(h: number): boolean {
    // net/core/dev.c: __dev_queue_xmit — qdisc_pkt_len_init's SKB_BAD_GSO: dev_core_stats_tx_dropped_inc,
    // kfree_skb_reason, -EINVAL (no model source builds such an skb: a GSO skb's headers are its own)
    if (this.core.skb.gsoSize[h] !== 0 && qdiscPktLen(this.core, h) === PKT_LEN_BAD_GSO) return this.dropBadGso(h);
    // (the quiet step needs no TX hold: quietPostable's first reads; a poll's held transmits skip the call)
    const w = this.quietWire;
    if (w !== null && this.holds === 0 && w.sendQuiet(h)) return true;
    const q = this.pickTx(h);
    this.core.skb.queue[h] = q;
    const now = this.loop.now;
    this.enqT[h] = now;
    // net/core/dev.c: __dev_xmit_skb — pfifo_fast is TCQ_F_NOLOCK | TCQ_F_CAN_BYPASS: while
    // nolock_qdisc_is_empty (neither MISSED nor DRAINING: a run that found the queue stopped, or
    // requeued, or spent its quota, sets one, and only a dequeue finding the bands empty clears them)
    // the skb goes to sch_direct_xmit at once, counted in bstats, whether or not the queue is
    // stopped. A GSO skb without TSO is segmented there first (validate_xmit_skb_list); what the
    // driver does not take, all of it on a stopped queue, is requeued (dev_requeue_skb). A direct
    // xmit that returns true leaves the bits clear, so no __qdisc_run follows; qdisc_run_end does.
    const bp = this.bypassQ[q]!;
    if (bp !== null && this.qstate[q] === 0) {
      bp.bypass(h);
      this.rqHead[q] = 0;
      this.rqLen[q] = 0;
      if (this.gsoSegs[h]! > 1 && !this.tsoOn) {
        if (!this.softGso(q, h)) return true;
      } else {
        if (this.gsoSegs[h]! > 1) this.extraSegs += this.gsoSegs[h]! - 1;
        this.listAdd(q, h, qdiscPktLen(this.core, h));
      }
      this.runPosted = 0;
      this.directXmit(q);
      this.qdiscRunEnd(q);
      if (this.holds > 0) {
        if (this.runPosted > 0) this.heldReady = true;
        return true;
      }
      this.postStaged();
      if (this.runPosted > 0) this.onTxReady();
      return true;
    }
    this.enqueueing = h;
    const ok = this.qdiscs.perQueue[q]!.enqueue(h, now);
    this.enqueueing = -1;
    // __dev_xmit_skb runs the qdisc whatever dev_qdisc_enqueue returned (qdisc_run / __qdisc_run): a drop
    // still sends what is due (fq: a flow whose time came before its watchdog)
    if (!ok) {
      this.qdiscRun(q);
      return false;
    }
    const segs = this.gsoSegs[h]!;
    if (segs > 1) this.extraSegs += segs - 1;
    this.qdiscRun(q);
    return true;
  }

  /** xmit(hs[i]) for i = 0, 1, ... while each would take the bypass of a poll's TX hold on a one-queue
   *  NIC to a running queue (pfifo_fast, neither MISSED nor DRAINING; a plain skb, no GSO), in one loop:
   *  per skb the same steps as xmit's (queue 0, enqT, bstats, the one-skb list straight to post with no
   *  xmit_more, qdisc_run_end finding MISSED clear, heldReady), so the same state after each. Stops at
   *  the first skb that would take another path (it and the rest are the caller's, through xmit) and
   *  returns how many it sent. The hold means nothing reads the ring, the wire or the loop between. */
  // net/core/dev.c: __dev_queue_xmit -> __dev_xmit_skb (bypass) -> sch_direct_xmit, per skb
  xmitHeldBurst(hs: Int32Array, n: number): number {
    if (this.holds === 0 || this.nTxq !== 1) return 0;
    const bp = this.bypassQ[0]!;
    if (bp === null) return 0;
    const skb = this.core.skb;
    const gsoSize = skb.gsoSize;
    const gsoSegs = this.gsoSegs;
    const now = this.loop.now;
    let i = 0;
    for (; i < n; i++) {
      const h = hs[i]!;
      // xmit's SKB_BAD_GSO check, softGso / TSO, a stopped queue's requeue, a non-empty qdisc: xmit's own path
      if (gsoSize[h] !== 0 || gsoSegs[h]! > 1 || this.qstate[0] !== 0 || this.stopped(0)) break;
      skb.queue[h] = 0;
      this.enqT[h] = now;
      bp.bypass(h);
      // listAdd + directXmit of the one-skb list: rqBuf[0][0] taken at once (rqHead 1, rqLen 0); a
      // plain skb's qdisc_pkt_len is its len
      this.rqBuf[0]![0] = h;
      this.rqPkt[0]![0] = skb.len[h]!;
      this.rqHead[0] = 1;
      this.rqLen[0] = 0;
      this.runPosted = 0;
      this.post(0, h, false);
      this.heldReady = true;
    }
    return i;
  }

  /** xmit's SKB_BAD_GSO drop (its own function: no model source builds such an skb, so it stays out
   *  of xmit's V8 inlining budget); false. */
  private dropBadGso(h: number): boolean {
    this.txDropped++;
    const skb = this.core.skb;
    const sk = skb.sk[h]!;
    if (sk !== SKB_NONE) {
      skb.sk[h] = SKB_NONE;
      this.onTxFree(sk, skb.truesize[h]!);
    }
    this.sink.drop(h, "SKB_BAD_GSO");
    return false;
  }

  /** The frame's end of serialization for postQuietIf (a typed slot: a double argument to a call V8
   *  does not inline is a heap number). */
  readonly quietEnd = new Float64Array(1);

  /** LinkDirection.sendQuiet's NIC half, in one step (one call per frame on the SYN flood's path):
   *  false, having done nothing, unless xmit(h) would now take the bypass on a one-queue NIC
   *  (pfifo_fast, neither MISSED nor DRAINING, no TX hold) and post h as one plain descriptor to a
   *  running queue whose ring keeps room after it and holds nothing else the wire has not taken, with
   *  tx-usecs coalescing and no descriptor on the wire, and the completion of that descriptor, ending
   *  at quietEnd[0], would only be counted (completionQuietUntil: a NAPI poll or the coalescing IRQ
   *  comes after it, and it does not fill tx-frames). Then it does what xmit(h), its post, the wire's
   *  take (txPopTrain) and the quiet completion (frameDone: counted) do to this NIC: the bypass counted,
   *  netdev_tx_sent_queue, the doorbell (no xmit_more), the descriptor posted and taken, the frame
   *  released to the wire, its completion counted; the link puts it on the wire. */
  postQuietIf(h: number): boolean {
    if (this.txUsecs <= 0 || this.nTxq !== 1 || this.holds !== 0 || this.qstate[0] !== 0 || this.staged !== 0 || this.wireQ >= 0) return false;
    const bp = this.bypassQ[0]!;
    if (bp === null || this.gsoSegs[h]! > 1 || this.drvXoff[0] !== 0 || this.dqlWords[this.dqlXoffAt[0]!] !== 0) return false;
    const rec = this.rec;
    const r = this.recAt[0]!;
    if (rec[r + TXR.unsent] !== 0 || rec[r + TXR.used]! + 1 >= this.txRingSize) return false;
    // completionQuietUntil(end) for that one-frame descriptor, before the wire takes it
    const end = this.quietEnd[0]!;
    if (this.napiScheduled[0] !== 0) {
      if (!(this.napiAt[0]! > end)) return false;
    } else {
      if (this.irqArmed[0] === 0) return false;
      const frames = this.txFrames;
      if (frames > 0 && this.done[0]! + 1 >= frames) return false;
      if (!(this.irqAt[0]! > end)) return false;
    }
    // net/core/dev.c: __dev_xmit_skb's bypass -> sch_direct_xmit -> dev_hard_start_xmit -> ndo_start_xmit
    const now = this.loop.now;
    const skb = this.core.skb;
    skb.queue[h] = 0;
    this.enqT[h] = now;
    this.postT[h] = now;
    bp.bypass(h);
    this.rqHead[0] = 0;
    this.rqLen[0] = 0;
    const bytes = skb.len[h]!;
    const rings = this.rings;
    if (rings.stageOwner !== this) {
      rings.stageOwner?.postStaged();
      rings.stageOwner = this;
    }
    const st = this.qstats[0]!;
    // netdev_tx_sent_queue on a running queue (checked above): a stop is counted as the bit goes up
    if (this.dql[0]!.sentUnchecked(bytes, nsToJiffies(now))) st.bqlStops++, st.stops++;
    st.doorbells++;
    const id = this.ringId[0]!;
    rings.postOne(id, h, bytes, skb.sk[h]!, skb.truesize[h]!);
    rings.takeRun(id, 1);
    this.trainEnqT = now;
    this.trainPostT = now;
    this.wireSegsLeft = 0;
    this.release(h);
    this.done[0]!++;
    return true;
  }

  /** netif_xmit_frozen_or_stopped */
  stopped(q: number): boolean {
    return this.drvXoff[q] !== 0 || this.dqlWords[this.dqlXoffAt[q]!] !== 0;
  }

  // include/net/pkt_sched.h: qdisc_run — __qdisc_run, then qdisc_run_end (the model's runs never
  // overlap, so qdisc_run_begin always wins); the NIC hears of the posted descriptors once, at the end
  qdiscRun(q: number): void {
    this.runPosted = 0;
    this.qdiscRunLoop(q, this.loop.now);
    this.qdiscRunEnd(q);
    this.postStaged();
    if (this.runPosted > 0) this.onTxReady();
  }

  // net/sched/sch_generic.c: __qdisc_run — qdisc_restart until it returns false (empty, stopped,
  // requeued); after each one that sent, its packets come off the quota, and once the quota is spent
  // the qdisc is rescheduled even if it just ran empty: TCQ_F_NOLOCK sets MISSED (qdisc_run_end
  // raises NET_TX), the others __netif_schedule
  private qdiscRunLoop(q: number, now: number): void {
    let quota = this.devTxWeight;
    for (;;) {
      const packets = this.qdiscRestart(q, now, quota);
      if (packets === 0) return;
      quota -= packets;
      if (quota <= 0) {
        if (this.nolock[q] !== 0) this.qstate[q]! |= QDISC_MISSED;
        else this.netifSchedule(q);
        return;
      }
    }
  }

  // net/sched/sch_generic.c: qdisc_restart — dequeue_skb, then sch_direct_xmit; returns the packets
  // dequeue_skb counted (each skb 1, a GSO skb too) if sch_direct_xmit returned true, else 0.
  // `budget` is what is left of the run's quota (try_bulk_dequeue_skb's budget).
  private qdiscRestart(q: number, now: number, budget: number): number {
    const rqLen = this.rqLen;
    if (rqLen[q]! > 0) {
      // dequeue_skb: one skb off q->gso_skb (already validated; no bulk), no longer part of the queue
      // (bstats counted it once); left there while the queue is stopped
      if (this.stopped(q)) {
        this.maybeClearMissed(q);
        return 0;
      }
      const i = this.rqHead[q]!;
      this.rqHead[q] = i + 1;
      rqLen[q]!--;
      const rs = this.qdiscs.perQueue[q]!.gsoSkb;
      rs.qlen--;
      rs.backlog -= this.rqPkt[q]![i]!;
      this.post(q, this.rqBuf[q]![i]!, false);
      return 1;
    }
    // dequeue_skb: a TCQ_F_ONETXQUEUE qdisc (every one here: the root of a one-queue device, or an
    // mq child) is not dequeued while its queue is stopped
    if (this.stopped(q)) {
      this.maybeClearMissed(q);
      return 0;
    }
    const h = this.dequeueOne(q, now);
    if (h === NO_SKB) return 0;
    this.rqHead[q] = 0;
    // try_bulk_dequeue_skb (qdisc_may_bulk: TCQ_F_ONETXQUEUE): more skbs while the bytes BQL still
    // allows (qdisc_avail_bulklimit = dql_avail) exceed their skb->len so far, at most `budget` more;
    // validate_xmit_skb_list segments each GSO skb (without TSO) into the same list. dequeue_skb
    // measures the first skb before sch_direct_xmit validates it: validateAdd may consume or drop h.
    const len = this.core.skb.len;
    let bytelimit = this.dql[q]!.avail - len[h]!;
    this.validateAdd(q, h);
    let cnt = 0;
    while (bytelimit > 0) {
      const nh = this.dequeueOne(q, now);
      if (nh === NO_SKB) break;
      bytelimit -= len[nh]!;
      this.validateAdd(q, nh);
      if (++cnt >= budget) break;
    }
    // every skb dropped by validation: sch_direct_xmit gets no list and returns true
    if (rqLen[q] === 0) return 1 + cnt;
    return this.directXmit(q) ? 1 + cnt : 0;
  }

  /** The qdisc's next skb, or NO_SKB. */
  private dequeueOne(q: number, now: number): number {
    const h = this.qdiscs.perQueue[q]!.dequeue(now);
    // pfifo_fast_dequeue: bands found empty with MISSED or DRAINING set clear both (the retry finds
    // them empty again)
    if (h === NO_SKB && this.nolock[q] !== 0) this.qstate[q] = 0;
    return h;
  }

  // net/core/dev.c: validate_xmit_skb — a dequeued skb joins the list for the driver: a GSO skb
  // without TSO as its segments (skb_gso_segment; a failure frees it), else itself
  private validateAdd(q: number, h: number): void {
    const segs = this.gsoSegs[h]!;
    if (segs > 1 && !this.tsoOn) {
      this.extraSegs -= segs - 1;
      this.softGso(q, h);
      return;
    }
    this.listAdd(q, h, qdiscPktLen(this.core, h));
  }

  /** Append skb h (qdisc_pkt_len pktLen) to queue q's list, growing it if a bulk needs more room. */
  private listAdd(q: number, h: number, pktLen: number): void {
    const i = this.rqHead[q]! + this.rqLen[q]!;
    let b = this.rqBuf[q]!;
    if (i === b.length) b = this.growList(q, i + 1);
    b[i] = h;
    this.rqPkt[q]![i] = pktLen;
    this.rqLen[q]!++;
  }

  private growList(q: number, need: number): Uint32Array {
    const cap = Math.max(need, 2 * this.rqBuf[q]!.length);
    const b = new Uint32Array(cap);
    b.set(this.rqBuf[q]!);
    const p = new Uint32Array(cap);
    p.set(this.rqPkt[q]!);
    this.rqBuf[q] = b;
    this.rqPkt[q] = p;
    return b;
  }

  // net/sched/sch_generic.c: qdisc_maybe_clear_missed — the queue was found stopped: MISSED cleared,
  // then set again if the queue is running after all, else DRAINING (only TCQ_F_NOLOCK reads them)
  private maybeClearMissed(q: number): void {
    if (this.nolock[q] === 0) return;
    this.qstate[q] = (this.qstate[q]! & ~QDISC_MISSED) | (this.stopped(q) ? QDISC_DRAINING : QDISC_MISSED);
  }

  // include/net/sch_generic.h: qdisc_run_end — a TCQ_F_NOLOCK qdisc with MISSED set is rescheduled
  private qdiscRunEnd(q: number): void {
    if (this.nolock[q] !== 0 && (this.qstate[q]! & QDISC_MISSED) !== 0) this.netifSchedule(q);
  }

  // net/core/dev.c: validate_xmit_skb -> skb_gso_segment: the segments join queue q's list for
  // directXmit; a failed segmentation drops the skb (false)
  private softGso(q: number, h: number): boolean {
    const t0 = this.enqT[h]!;
    const pktLen = qdiscPktLen(this.core, h);
    const skb = this.core.skb;
    const sk = skb.sk[h]!;
    const ts0 = skb.truesize[h]!;
    const hdrLen = skb.hdrLen[h]!;
    const k = this.gso.segment(h, this.gsoSlot, GSO_OUT_SLOTS);
    if (k === 0) {
      // validate_xmit_skb frees a failed skb_gso_segment with kfree_skb (NOT_SPECIFIED) and counts
      // tx_dropped; the model's failure is its own (no pool / GSO slots), booked as SKB_GSO_SEG
      this.dropAfterQdisc(h, "SKB_GSO_SEG");
      return false;
    }
    this.gsoCounts.gsoSkbs++;
    this.gsoCounts.gsoSegments += k;
    const sc = this.core.scratch;
    let at = this.rqHead[q]! + this.rqLen[q]!;
    let b = this.rqBuf[q]!;
    if (at + k > b.length) b = this.growList(q, at + k);
    const pk = this.rqPkt[q]!;
    // skb_segment: each segment's own truesize (a fresh head + its payload frags); the original is
    // freed here (consume_skb), before any segment reaches the driver
    const head = gsoSegmentHeadTruesize(hdrLen);
    const len = skb.len;
    const ts = skb.truesize;
    let sum = 0;
    for (let i = 0; i < k; i++, at++) {
      const seg = sc[this.gsoSlot + i]!;
      this.enqT[seg] = t0;
      b[at] = seg;
      pk[at] = pktLen;
      const t = head + len[seg]! - hdrLen;
      ts[seg] = t;
      sum += t;
    }
    this.rqLen[q]! += k;
    // net/ipv4/tcp_offload.c: tcp_gso_segment — with tcp_wfree as destructor every segment charges
    // the socket (the last takes the original's), and sk_wmem_alloc grows by sum_truesize - truesize
    if (sk !== SKB_NONE) this.onTxGso(sk, ts0, sum);
    return true;
  }

  // net/sched/sch_generic.c: sch_direct_xmit — the skb list in rqBuf (segments, or one skb) goes to
  // the driver unless the queue is frozen or stopped; dev_hard_start_xmit ends the list early only
  // on a driver stop (netif_tx_queue_stopped: DRV_XOFF, not BQL's STACK_XOFF); dev_requeue_skb
  // puts the rest on q->gso_skb, each skb a requeue and still in qlen/backlog, and reschedules the
  // qdisc: TCQ_F_NOLOCK sets MISSED (qdisc_run_end raises NET_TX), the others __netif_schedule.
  // Returns whether all of it went (sch_direct_xmit's true).
  // (now read here, not passed: a double argument to a call V8 does not inline is a heap number per call)
  private directXmit(q: number): boolean {
    const b = this.rqBuf[q]!;
    if (!this.stopped(q)) {
      // dev_hard_start_xmit -> xmit_one: netdev_xmit_more on every skb of the list but the last
      let more: boolean;
      do {
        const i = this.rqHead[q]!;
        this.rqHead[q] = i + 1;
        more = --this.rqLen[q]! > 0;
        this.post(q, b[i]!, more);
      } while (more && this.drvXoff[q] === 0);
    } else this.maybeClearMissed(q);
    const left = this.rqLen[q]!;
    if (left === 0) return true;
    const rs = this.qdiscs.perQueue[q]!.gsoSkb;
    rs.requeues += left;
    rs.qlen += left;
    const i0 = this.rqHead[q]!;
    const pk = this.rqPkt[q]!;
    for (let i = i0; i < i0 + left; i++) rs.backlog += pk[i]!;
    if (this.nolock[q] !== 0) this.qstate[q]! |= QDISC_MISSED;
    else this.netifSchedule(q);
    return false;
  }

  /** An skb the qdisc gave up but the driver cannot take: freed with its socket memory. */
  private dropAfterQdisc(h: number, reason: string): void {
    this.postStaged();
    const sk = this.core.skb.sk[h]!;
    if (sk !== SKB_NONE) {
      this.core.skb.sk[h] = SKB_NONE;
      this.onTxFree(sk, this.core.skb.truesize[h]!);
    }
    this.sink.drop(h, reason);
  }

  private netifSchedule(q: number): void {
    if (this.netTxPending[q] !== 0) return;
    this.netTxPending[q] = 1;
    this.loop.after(0, this.kindNetTx, q);
  }

  // ndo_start_xmit: one descriptor, netdev_tx_sent_queue, stop when the ring is full; the doorbell
  // (tail write) unless xmit_more and the queue still runs. The descriptor is staged; postStaged
  // writes the stage into the ring in one call before anything reads the ring (a drop, held(),
  // another NIC's stage, the wire's events), so it is as if each was written here. A pass posts it
  // before it returns, except a held bypass, which goes back into TCP with the stage still full
  // (posted at txRelease, or earlier by any of those).
  // (now read here, not passed: see directXmit)
  private post(q: number, h: number, more: boolean): void {
    const now = this.loop.now;
    const size = this.txRingSize;
    this.runPosted++;
    this.postT[h] = now;
    // the driver's bytecount: a TSO skb counts every segment's headers (as qdisc_pkt_len)
    const bytes = this.gsoSegs[h]! > 1 ? qdiscPktLen(this.core, h) : this.core.skb.len[h]!;
    // a pass may post more than a stage holds (a run's GSO skbs count once toward its quota but
    // post every segment): a full stage goes into the ring first, as if each was written here
    if (this.staged !== 0 && (this.stagedQ !== q || this.staged === TXR_STAGE)) this.postStaged();
    // the stage is the core's: another NIC's held descriptors go into their ring first
    const rings = this.rings;
    if (rings.stageOwner !== this) {
      rings.stageOwner?.postStaged();
      rings.stageOwner = this;
    }
    const k = this.staged;
    this.stage[2 * k] = h;
    this.stage[2 * k + 1] = bytes;
    this.staged = k + 1;
    this.stagedQ = q;
    const used = this.rec[this.recAt[q]! + TXR.used]! + k + 1;
    // include/linux/netdevice.h: netdev_tx_sent_queue — STACK_XOFF when dql_avail < 0; a stop is
    // counted when the bit goes up (a list's later posts find it set already)
    const xoff = this.dqlWords[this.dqlXoffAt[q]!] !== 0;
    if (this.dql[q]!.sentUnchecked(bytes, nsToJiffies(now)) && !xoff) this.qstats[q]!.bqlStops++, this.qstats[q]!.stops++;
    if (used >= size) {
      this.drvXoff[q] = 1;
      this.qstats[q]!.ringStops++;
      this.qstats[q]!.stops++;
    }
    // drivers/net/ethernet/intel/ixgbe/ixgbe_main.c: ixgbe_tx_map — writel(tail) if
    // netif_xmit_stopped || !netdev_xmit_more
    const st = this.qstats[q]!;
    if (more) st.xmitMore++;
    if (!more || this.stopped(q)) st.doorbells++;
  }

  /** Write the staged descriptors into their ring: a batch with one txring_post_burst, a single
   *  descriptor (a completion's room for one more) through the views, as the wire's take. */
  postStaged(): void {
    const k = this.staged;
    if (k === 0) return;
    this.staged = 0;
    const q = this.stagedQ;
    if (k > 1) {
      this.tx.txring_post_burst(this.ringId[q]!, this.stagePtr, k);
      return;
    }
    // the ring has room: post stops the queue when it fills
    const h = this.stage[0]!;
    this.rings.postOne(this.ringId[q]!, h, this.stage[1]!, this.core.skb.sk[h]!, this.core.skb.truesize[h]!);
  }

  /** The wire takes the next frame, round robin over the rings (-1 if none). */
  txPop(): number {
    if (this.wireSegsAt < this.wireSegsEnd) return this.toWire(this.wireSegs[this.wireSegsAt++]!);
    for (;;) {
      const h = this.nextDescriptor();
      if (h < 0) return -1;
      this.wireSegsLeft = 1;
      if (this.gsoSegs[h]! <= 1) return this.toWire(h);
      const k = this.tsoSplit(h);
      if (k === 0) continue;
      const sc = this.core.scratch;
      // toWire reads each segment's times (a train keeps its skb's in the wire FIFO instead)
      const t0 = this.enqT[h]!;
      const p0 = this.postT[h]!;
      for (let j = 0; j < k; j++) {
        const seg = sc[this.gsoSlot + j]!;
        this.enqT[seg] = t0;
        this.postT[seg] = p0;
      }
      for (let j = 1; j < k; j++) this.wireSegs[j - 1] = sc[this.gsoSlot + j]!;
      this.wireSegsAt = 0;
      this.wireSegsEnd = k - 1;
      this.wireSegsLeft = k;
      return this.toWire(sc[this.gsoSlot]!);
    }
  }

  /** The wire takes the next descriptor whole, round robin over the rings: its
   *  frames (a TSO skb's segments, else the one skb) go into `out` in wire
   *  order; returns how many (0: none). They are counted on their queue with
   *  wireCounters as each starts; one frameDone() completes the descriptor. */
  txPopTrain(out: Uint32Array): number {
    for (;;) {
      const h = this.nextDescriptor();
      if (h < 0) return 0;
      this.wireSegsLeft = 1;
      this.trainEnqT = this.enqT[h]!;
      this.trainPostT = this.postT[h]!;
      if (this.gsoSegs[h]! <= 1) {
        out[0] = this.release(h);
        return 1;
      }
      // the segments come out released (tso_segment: no owner, truesize or departure time)
      const nseg = this.tsoSplit(h, true);
      if (nseg === 0) continue;
      const sc = this.core.scratch;
      const base = this.gsoSlot;
      for (let j = 0; j < nseg; j++) out[j] = sc[base + j]!;
      return nseg;
    }
  }

  /** When the skb of the descriptor txPopTrain took last was queued to the
   *  qdisc and posted to the ring (its TSO segments share them). */
  trainEnqT = 0;
  trainPostT = 0;

  /** Dequeues the next posted descriptor, round robin over the rings, and
   *  makes its queue the wire's; -1 when every ring is empty. */
  private nextDescriptor(): number {
    const n = this.nTxq;
    for (let k = 0; k < n; k++) {
      const q = (this.rr + k) % n;
      const h = this.rings.takeOne(this.ringId[q]!);
      if (h < 0) continue;
      this.rr = (q + 1) % n;
      this.wireQ = q;
      return h;
    }
    return -1;
  }

  /** The NIC's TSO engine cuts the descriptor's skb into MSS frames (same
   *  header rewrite as GSO) at scratch[gsoSlot ..]; returns how many. 0: the
   *  model's pool ran dry (a real NIC does not fail here), so the descriptor
   *  was dropped and completed empty. */
  private tsoSplit(h: number, wire = false): number {
    this.extraSegs -= this.gsoSegs[h]! - 1;
    // `wire`: the segments go on the wire now (a train), released as `release` would in one call
    const k = wire ? this.tsoSegment(h, this.gsoAddr, GSO_OUT_SLOTS) : this.gso.segment(h, this.gsoSlot, GSO_OUT_SLOTS);
    if (k === 0) {
      this.dropAfterQdisc(h, "SKB_GSO_SEG");
      this.frameDone();
      return 0;
    }
    this.gsoCounts.tsoSkbs++;
    this.gsoCounts.tsoSegments += k;
    return k;
  }

  /** Is any posted descriptor waiting for the wire? */
  hasUnsent(): boolean {
    const n = this.nTxq;
    for (let q = 0; q < n; q++) if (this.rec[this.recAt[q]! + TXR.unsent]! !== 0) return true;
    return false;
  }

  /** One TX queue, and its next posted descriptor goes on the wire as one
   *  frame (no TSO split, which could fail on an empty pool): txPopTrain
   *  gives the same whenever it is called before the wire takes it. */
  nextIsPlainFrame(): boolean {
    if (this.nTxq !== 1) return false;
    const h = this.rings.peekOne(this.ringId[0]!);
    return h >= 0 && this.gsoSegs[h]! <= 1;
  }

  /** The queue of the descriptor the wire took last. */
  get wireQueue(): number {
    return this.wireQ;
  }

  /** Where the wire counts a train's frames as each starts (WireFifo.countStarted): the queue's
   *  packets/bytes (ethtool -S tx_queue_N_packets) and its queueing-delay histograms. */
  get wireCounters(): WireStartCounters {
    return this.wireCountersRef;
  }
  private readonly wireCountersRef: WireStartCounters = { stats: this.qstats, latency: this.qLatency, ringLatency: this.qRingLatency };

  /** From the wire on, the frame is the receiver's; the sender's ownership stays with the descriptor. */
  private release(h: number): number {
    return releaseForWire(this.core, h);
  }

  /** A frame goes on the wire: counted on its queue; from now on it is the receiver's, the
   *  sender's ownership stays with the descriptor. */
  private toWire(h: number): number {
    const st = this.qstats[this.wireQ]!;
    st.packets++;
    const now = this.loop.now;
    this.qLatency[this.wireQ]!.add(now - this.enqT[h]!);
    this.qRingLatency[this.wireQ]!.add(now - this.postT[h]!);
    st.bytes += this.core.skb.len[h]!;
    return releaseForWire(this.core, h);
  }

  /** When the frame whose end frameDone counts started serializing (the link sets it before
   *  txComplete): per-frame mode's tx-done event for it was inserted then, which orders an IRQ
   *  raised from it against a peer frame arriving at the same instant (RxSource.pullFor). Not set
   *  for a TSO descriptor whose split fails (tsoSplit's frameDone, a model-only path: the pool ran
   *  dry): an IRQ raised there sees an earlier frame's start, which the two link modes need not share,
   *  so that path is outside the train = per-frame guarantee (review9a nit 11). */
  readonly frameStart = new Float64Array(1);

  /** The frame the wire took last has left the NIC: once the descriptor's last
   *  frame has, its completion follows (coalesced). */
  frameDone(): void {
    const q = this.wireQ;
    if (q < 0) return;
    if (--this.wireSegsLeft > 0) return;
    this.wireQ = -1;
    this.done[q]!++;
    const usecs = this.txUsecs;
    if (usecs <= 0) {
      this.clean(q, this.done[q]!);
      return;
    }
    if (this.napiScheduled[q] !== 0) return;
    const frames = this.txFrames;
    if (frames > 0 && this.done[q]! >= frames) {
      // per frame, this runs in the frame's tx-done event, inserted as the frame started serializing
      this.txIrq(q, this.frameStart[0]!);
      return;
    }
    if (this.irqArmed[q] === 0) {
      this.irqArmT[q] = this.loop.now;
      this.irqAt[q] = this.loop.now + usecs;
      this.irqArmed[q] = this.loop.after(usecs, this.kindIrq, q) + 1;
    }
  }

  /** Would the completion of the descriptor on the wire, at time t, only be
   *  counted (frameDone: no clean, no IRQ, no timer to arm), with nothing of its
   *  queue's completion path (IRQ timer, TX NAPI poll) due at or before t? Then
   *  nothing reads the count before t, so the link may count it at once and
   *  needs no event at t. */
  completionQuietUntil(t: number): boolean {
    const q = this.wireQ;
    if (q < 0 || this.wireSegsLeft !== 1 || this.txUsecs <= 0) return false;
    if (this.napiScheduled[q] !== 0) return this.napiAt[q]! > t;
    if (this.irqArmed[q] === 0) return false;
    const frames = this.txFrames;
    if (frames > 0 && this.done[q]! + 1 >= frames) return false;
    return this.irqAt[q]! > t;
  }

  /** Before when the frames of a quiet run (peekQuietRun) must end: the IRQ timer's or the TX NAPI poll's time. */
  readonly quietRunBefore = new Float64Array(1);

  /** The wire's run step (src/net/link.ts trainFrom), with no descriptor on the wire: the next
   *  descriptors of the one TX queue that go on the wire as one frame each (nextIsPlainFrame) and whose
   *  completions would each only be counted, as completionQuietUntil finds them one after another (the
   *  count below tx-frames, each frame ending before quietRunBefore[0]): up to `max` handles into
   *  out[0..n), not taken. */
  peekQuietRun(out: Uint32Array, max: number): number {
    if (this.nTxq !== 1 || this.wireQ >= 0 || this.txUsecs <= 0) return 0;
    let lim = max;
    if (this.napiScheduled[0] !== 0) this.quietRunBefore[0] = this.napiAt[0]!;
    else {
      if (this.irqArmed[0] === 0) return 0;
      const frames = this.txFrames;
      if (frames > 0) {
        // done + 1 < frames before each completion
        const c = frames - 1 - this.done[0]!;
        if (c < lim) lim = c;
      }
      this.quietRunBefore[0] = this.irqAt[0]!;
    }
    if (lim <= 0) return 0;
    return this.rings.peekPlain(this.ringId[0]!, out, lim, this.gsoSegs);
  }

  /** The wire took the first k handles peekQuietRun gave, each completed at once (frameDone counting
   *  it, nothing more: the run is quiet), as k txPopTrain + frameDone pairs would. */
  takeQuietRun(out: Uint32Array, k: number): void {
    this.rings.takeRun(this.ringId[0]!, k);
    for (let j = 0; j < k; j++) this.release(out[j]!);
    this.done[0]! += k;
  }

  /** The queue's TX completion interrupt: schedule its NAPI. `insertedAt`: when per-frame mode's event loop
   *  inserted the event it runs in (its coalescing timer's arming, or the frame's tx-done: the frame's start). */
  private txIrq(q: number, insertedAt: number): void {
    const t = this.irqArmed[q]!;
    if (t !== 0) {
      this.loop.cancel(t - 1);
      this.irqArmed[q] = 0;
    }
    if (this.napiScheduled[q] !== 0 || this.done[q]! === 0) return;
    this.qstats[q]!.completionIrqs++;
    // napi_schedule: the poll runs in NET_RX on the IRQ's CPU once what it is busy with is done
    const wait = this.onTxIrq !== null ? this.onTxIrq(q, insertedAt) : 0;
    this.napiScheduled[q] = 1;
    this.napiAt[q] = this.loop.now + wait;
    this.loop.after(wait, this.kindNapi, q);
  }

  /** NAPI poll of the TX queue: clean up to the budget; more left -> poll again. */
  private napiPoll(q: number): void {
    this.napiScheduled[q] = 0;
    this.clean(q, Math.min(TX_NAPI_BUDGET, this.done[q]!));
    if (this.done[q]! > 0) {
      this.napiScheduled[q] = 1;
      this.napiAt[q] = this.loop.now;
      this.loop.after(0, this.kindNapi, q);
    }
  }

  // driver clean_tx_irq: free k descriptors (sock_wfree), netdev_tx_completed_queue, wake
  private clean(q: number, k: number): void {
    if (k <= 0) return;
    const size = this.txRingSize;
    if (k > TXR_CLEAN_MAX) throw new Error(`${this.name} tx-${q}: a clean of ${k} descriptors exceeds ${TXR_CLEAN_MAX}`);
    const r = this.recAt[q]!;
    const rec = this.rec;
    const fs = this.freeSk;
    const ft = this.freeTrue;
    // one descriptor (an IRQ per frame) through the views, more with one call
    const nf = k === 1 ? this.rings.cleanOne(this.ringId[q]!) : this.tx.txring_clean(this.ringId[q]!, k);
    const bytes = rec[r + TXR.cleaned]!;
    // the owners' area is the core's: copy them out before the callbacks (which may clean again)
    const ow = this.owners;
    for (let j = 0; j < nf; j++) {
      fs[j] = ow[j]!;
      ft[j] = ow[TXR_CLEAN_MAX + j]!;
    }
    this.done[q]! -= k;
    const st = this.qstats[q]!;
    st.completions += k;
    if (this.onTxClean !== null) this.onTxClean(q, k);
    // netdev_tx_completed_queue: woken when it cleared STACK_XOFF
    const bqlWoke = this.dql[q]!.txCompletedUnchecked(bytes, nsToJiffies(this.loop.now), this.dqlWho[q]);
    let drvWoke = false;
    if (this.drvXoff[q] !== 0 && size - this.rec[r + TXR.used]! >= Math.min(TX_WAKE_THRESHOLD, size >> 1)) {
      this.drvXoff[q] = 0;
      drvWoke = true;
    }
    if (bqlWoke || drvWoke) st.wakes++;
    this.onTxBatch(true, q);
    // napi_consume_skb -> sock_wfree / tcp_wfree of each freed skb
    for (let j = 0; j < nf; j++) this.onTxFree(fs[j]!, ft[j]!);
    // netif_tx_wake_queue -> __netif_schedule, netdev_tx_completed_queue -> netif_schedule_queue
    // (only if no XOFF is left): NET_TX runs the qdisc, here folded into this pass (it runs after
    // NET_RX's TX NAPI in the same softirq), even an empty one (pfifo_fast clears its DRAINING)
    if (drvWoke || (bqlWoke && !this.stopped(q))) {
      // __netif_schedule: with __QDISC_STATE_SCHED already set nothing more is raised, and the one
      // pending NET_TX is this run (net_tx_action clears SCHED before qdisc_run): its event is void
      if (this.netTxPending[q] !== 0) {
        this.netTxPending[q] = 0;
        this.netTxTaken[q]!++;
      }
      st.netTx++;
      this.qdiscRun(q);
    }
    this.onTxRoom();
    this.onTxBatch(false, q);
  }

  /** Packets in every TX queue's qdisc. */
  qdiscQlen(): number {
    let n = 0;
    for (const qd of this.qdiscs.perQueue) n += qd.qlen;
    return n;
  }

  /** skbs this side holds (qdiscs, requeued segments, the unsent part of the rings, TSO segments not yet on the wire). */
  held(): number {
    this.postStaged();
    let n = this.qdiscQlen() + this.wireSegsEnd - this.wireSegsAt;
    for (let q = 0; q < this.nTxq; q++) n += this.rec[this.recAt[q]! + TXR.unsent]! + this.rqLen[q]!;
    return n;
  }

  /** Wire packets this side holds: a GSO skb counts its segments. */
  heldSegments(): number {
    return this.held() + this.extraSegs;
  }

  /** Descriptors in use on queue q. */
  ringUsed(q: number): number {
    return this.rec[this.recAt[q]! + TXR.used]!;
  }

  /** `tc -s qdisc show dev X`: the root (fq adds its `fq` lines; mq lists its children). */
  qdiscReport(): Record<string, unknown> {
    const now = this.loop.now;
    const root = this.qdiscs.root;
    const out: Record<string, unknown> = { ...root.stats(now), limit: limitOf(this.qdiscs.perQueue[0]!) };
    if (root.kind === "mq") out.children = this.qdiscs.perQueue.map((c, q) => ({ queue: q, ...c.stats(now), limit: limitOf(c) }));
    return out;
  }
}

/** The qdisc's packet limit: pfifo_fast per band (txqueuelen), fq sch->limit. */
function limitOf(c: Qdisc): number {
  return c.kind === "pfifo_fast" ? (c as PfifoFast).txqueuelen : (c as FqQdisc).p.limit;
}
