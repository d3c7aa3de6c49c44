// A multi-queue NIC: RSS (Toeplitz + RETA in WASM) picks the RX ring of each
// arriving frame, unless an ntuple filter installed by accelerated RFS
// (ndo_rx_flow_steer) matches it; a full RX ring drops it (rx_missed_errors);
// a frame on a queue whose IRQ is unmasked raises that queue's IRQ after the
// interrupt coalescing delay (rx-usecs) or at once when rx-frames are waiting. On transmit
// (nic-tx.ts), frames go through the device's qdiscs (net.core.default_qdisc;
// mq over several TX queues) into per-queue TX descriptor rings with BQL,
// from which the link takes them. The NIC knows nothing of CPUs or sockets: it
// raises IRQs and "TX room" through callbacks its host installs.
import type { Core } from "../core/core.js";
import type { RssContext } from "../core/rss.js";
import type { Rings } from "../core/rings.js";
import { createRing, ringRaw, type RingRaw } from "./ring-ops.js";
import type { EventLoop } from "../sim/loop.js";
import { HASH_L4, SKB_HEADROOM } from "../core/skb-fields.js";
import { NicTx } from "./nic-tx.js";
import type { QdiscEnv } from "../qdisc/qdisc.js";

export interface NicConfig {
  queues: number;
  rateBps: number;
  mtu: number;
  rxRing: number;
  txRing: number;
  /** qdisc limit in packets (dev->tx_queue_len, default 1000). */
  txqueuelen: number;
  /** RX interrupt coalescing (ethtool -C rx-usecs, in ns): the IRQ fires
   *  this long after the first frame reaches an idle queue. Default 0 (at once). */
  rxUsecs?: number;
  /** ethtool -C rx-frames: with rxUsecs > 0, the IRQ fires as soon as this
   *  many frames wait on the queue (0 = no frame limit). */
  rxFrames?: number;
  /** CPU of each RX queue's IRQ (/proc/irq/N/smp_affinity_list); default q % cpus. */
  irqAffinity?: readonly number[];
  /** Hash the NIC reports in the skb (ethtool -K rxhash / -N rx-flow-hash):
   *  "l4" (ports, default), "l3" (addresses only) or "off" (none). */
  rxhash?: "l4" | "l3" | "off";
  /** NETIF_F_GRO (ethtool -K gro): merge TCP segments in each NAPI (default true, as Linux). */
  gro?: boolean;
  /** /sys/class/net/DEV/gro_flush_timeout in ns (default 0): napi_complete_done
   *  keeps this jiffy's GRO packets and a timer re-polls after this long. */
  groFlushTimeout?: number;
  /** /sys/class/net/DEV/napi_defer_hard_irqs (default 0): with groFlushTimeout,
   *  this many empty polls in a row before the IRQ is re-armed. */
  napiDeferHardIrqs?: number;
  /** net.core.default_qdisc of the host (default pfifo_fast). */
  defaultQdisc?: string;
  /** dev_tx_weight of the host: net.core.dev_weight × dev_weight_tx_bias (default 64). */
  devTxWeight?: number;
  /** ethtool -C tx-usecs in ns (default 0: each frame completes as it leaves the wire). */
  txUsecs?: number;
  /** ethtool -C tx-frames (default 0: no frame limit). */
  txFrames?: number;
  /** Byte queue limits on the TX queues (default true). */
  bql?: boolean;
  /** fq maxrate in bytes/s (tc qdisc fq maxrate); default none. */
  fqMaxrate?: number;
  /** NETIF_F_TSO (ethtool -K tso; default true): the NIC segments GSO skbs; off: software GSO. */
  tso?: boolean;
  /** XPS: per TX queue, the CPUs (xps_cpus) and RX queues (xps_rxqs) that pick it. */
  xpsCpus?: readonly (readonly number[])[];
  xpsRxqs?: readonly (readonly number[])[];
}

/** Frames one receiveBurst call hashes and sorts at a time. The staging region
 *  the NIC is given (NIC_STAGE_SLOTS scratch slots) holds the sorted frames,
 *  then the frames a link hands over in one go (handOver, receiveHandedOver). */
export const NIC_RX_BURST = 64;
export const NIC_STAGE_SLOTS = 2 * NIC_RX_BURST;

/** ntuple filters one NIC holds for accelerated RFS (ethtool -n). */
export const ARFS_MAX_FILTERS = 1024;
/** How often the driver asks rps_may_expire_flow about its filters (driver-specific; assumed). */
export const ARFS_EXPIRE_NS = 10e6;

/** Where a NIC sends what it cannot keep. */
export interface DropSink {
  drop(h: number, reason: string): void;
}

/** Frames on their way to a NIC that it takes lazily (a link in train mode,
 *  src/net/link.ts): they enter the rings when the NIC next looks at them. */
export interface RxSource {
  /** Every frame that has arrived by now lands on the rings, in arrival order, in batches
   *  (Nic.handOver -> receiveHandedOver). */
  pull(): void;
  /** The NIC may now react sooner (rxSilentArrivals): wake it at that arrival. */
  wake(): void;
  /** Before an event of this instant that per-frame mode's event loop inserted at `insertedAt`: the frames
   *  whose arrival it would have run first (before now, or at now with an earlier-inserted arrival event). */
  pullFor(insertedAt: number): void;
}

export interface NicRxQueueStats {
  packets: number;
  bytes: number;
  drops: number;
  /** Interrupts the queue raised (its line in /proc/interrupts). */
  irqs: number;
}

export class Nic {
  readonly rxRings: number[];
  /** The transmit side: qdiscs, TX rings, BQL, completion. */
  readonly tx: NicTx;
  readonly rxPackets: Float64Array;
  readonly rxBytes: Float64Array;
  private readonly missed: Float64Array;
  /** rx_missed_errors per queue. */
  get rxMissed(): Float64Array {
    this.pull();
    return this.missed;
  }
  private rxSource: RxSource | null = null;
  readonly rxIrqs: Float64Array;
  /** dev->core_stats->rx_dropped: dropped by the stack (backlog), `ip -s link`. */
  rxDropped = 0;
  /** Queue IRQ masked because its NAPI is scheduled (napi_schedule). */
  private readonly irqMasked: Uint8Array;
  /** Coalescing timer armed per queue (event id + 1; 0 = none). Float64:
   *  wheel ids are u32 (an Int32Array turns ids of 2^31 and up negative). */
  private readonly coalesceTimer: Float64Array;
  private readonly kindCoalesce: number;
  private readonly kindExpire: number;
  /** aRFS filters: match key (the frame's L4 Toeplitz hash) -> queue, id, flow id. */
  private readonly filters = new Map<number, { queue: number; id: number; flowId: number }>();
  private readonly filterKey = new Map<number, number>();
  private nextFilterId = 0;
  private expireArmed = false;
  arfsInstalled = 0;
  arfsExpired = 0;
  /** Set by the host: may filter (queue, flowId, id) go? (rps_may_expire_flow) */
  mayExpireFlow: (queue: number, flowId: number, filterId: number) => boolean = () => true;
  /** Set by the host: queue q's interrupt fired. */
  onRxIrq: (queue: number) => void = () => {};
  /** Set by the host: the qdisc has room again (senders may resume). */
  set onTxRoom(f: () => void) {
    this.tx.onTxRoom = f;
  }
  /** Set by the link: a frame is waiting in a TX ring. */
  set onTxReady(f: () => void) {
    this.tx.onTxReady = f;
  }
  private readonly r: RingRaw;
  /** JS mirrors of the rings' counts (only this class moves frames through
   *  them), so the per-frame path skips ring_count calls and empty dequeues. */
  private readonly rxLen: Int32Array;
  private readonly skbLen: Uint32Array;
  private readonly skbQueue: Uint32Array;

  constructor(
    private readonly core: Core,
    readonly name: string,
    readonly config: NicConfig,
    private readonly rss: RssContext,
    /** First of NIC_STAGE_SLOTS scratch slots (shared by the NICs of a world:
     *  a receive never re-enters another NIC's receive). */
    private readonly rssSlot: number,
    private readonly drops: DropSink,
    private readonly loop: EventLoop | null = null,
    qdiscEnv?: QdiscEnv,
    /** First of GSO_OUT_SLOTS scratch slots for segmentation (nic-tx.ts). */
    gsoSlot = 0,
  ) {
    this.r = ringRaw(core);
    this.rings = core.rings;
    this.rxRings = [];
    for (let q = 0; q < config.queues; q++) this.rxRings.push(createRing(core, config.rxRing, `${name} rx-${q}`));
    if (loop === null) throw new RangeError(`${name}: a NIC needs the event loop`);
    this.tx = new NicTx(
      core,
      name,
      {
        txQueues: config.queues,
        txRing: config.txRing,
        txqueuelen: config.txqueuelen,
        mtu: config.mtu,
        defaultQdisc: config.defaultQdisc ?? "pfifo_fast",
        ...(config.devTxWeight !== undefined ? { devTxWeight: config.devTxWeight } : {}),
        txUsecs: config.txUsecs ?? 0,
        txFrames: config.txFrames ?? 0,
        bql: config.bql ?? true,
        tso: config.tso ?? true,
        gsoSlot,
        ...(config.fqMaxrate !== undefined ? { fq: { maxrate: config.fqMaxrate } } : {}),
        ...(config.xpsCpus !== undefined ? { xpsCpus: config.xpsCpus } : {}),
        ...(config.xpsRxqs !== undefined ? { xpsRxqs: config.xpsRxqs } : {}),
      },
      drops,
      loop,
      qdiscEnv,
    );
    this.rxPackets = new Float64Array(config.queues);
    this.rxBytes = new Float64Array(config.queues);
    this.missed = new Float64Array(config.queues);
    this.rxIrqs = new Float64Array(config.queues);
    this.irqMasked = new Uint8Array(config.queues);
    this.coalesceTimer = new Float64Array(config.queues);
    this.rxLen = new Int32Array(config.queues);
    this.qCount = new Int32Array(config.queues + 1);
    this.qOrder = new Int32Array(config.queues);
    this.skbLen = core.skb.len;
    this.skbQueue = core.skb.queue;
    this.nq = config.queues;
    this.rxUsecs = config.rxUsecs ?? 0;
    this.rxFrames = config.rxFrames ?? 0;
    this.skbHash = core.skb.hash;
    this.skbHashFlags = core.skb.hashFlags;
    this.skbNetwork = core.skb.network;
    this.skbTransport = core.skb.transport;
    this.skbProtocol = core.skb.protocol;
    this.hdr = core.headers;
    this.rssBurst = (core.raw as unknown as { rss_burst: (ctx: number, handlesPtr: number, n: number) => number }).rss_burst;
    this.rssId = rss.id;
    this.rssAddr = core.scratchAddr(rssSlot);
    this.handOverView = core.scratch.subarray(rssSlot + NIC_RX_BURST, rssSlot + 2 * NIC_RX_BURST);
    this.rxhash = config.rxhash ?? "l4";
    if (this.rxhash === "l3") rss.setL4(false);
    this.kindCoalesce = loop === null ? -1 : loop.register(`${name} rx coalesce`, (q) => this.coalesceFire(q));
    this.kindExpire = loop === null ? -1 : loop.register(`${name} arfs expire`, () => this.expireFilters());
  }

  private readonly skbHash: Uint32Array;
  private readonly skbHashFlags: Uint32Array;
  /** The core's rings: rxEnqueue's one-frame enqueue through their views. */
  private readonly rings: Rings;
  private readonly skbNetwork: Uint32Array;
  private readonly skbTransport: Uint32Array;
  private readonly skbProtocol: Uint32Array;
  private readonly hdr: Uint8Array;
  /** config.queues, rxUsecs and rxFrames (0 when unset) as fields of this
   *  class: the per-arrival paths read them without a load through the config
   *  object, whose shape differs between NICs (optional keys). */
  private readonly nq: number;
  private readonly rxUsecs: number;
  private readonly rxFrames: number;
  private readonly rssBurst: (ctx: number, handlesPtr: number, n: number) => number;
  private readonly handOverView: Uint32Array;
  private readonly rssId: number;
  private readonly rssAddr: number;
  private readonly rxhash: "l4" | "l3" | "off";
  /** receiveBurst's per-queue counts (then offsets) and the queues in order
   *  of their first frame. */
  private readonly qCount: Int32Array;
  private readonly qOrder: Int32Array;

  get queues(): number {
    return this.config.queues;
  }

  /** Where a link puts up to NIC_RX_BURST frames that have arrived by now,
   *  in arrival order, for receiveHandedOver. */
  get handOver(): Uint32Array {
    return this.handOverView;
  }

  /** Per handOver slot: 1 when the frame follows the one before it on the
   *  wire in the same TSO train (same addresses and ports, so the same RSS
   *  hash: the NIC's Toeplitz runs once per train rather than per frame). */
  readonly handOverCont = new Uint8Array(NIC_RX_BURST);
  /** RSS hash and flags of the last frame a link handed over, and the RSS
   *  generation they were computed under (-1: none, or another frame came in
   *  since by another path, so the next frame's predecessor is not that one). */
  private lastHash = 0;
  private lastHashFlags = 0;
  private lastRssGen = -1;

  /** receiveOne's RSS input cache: the bytes assembly/toeplitz.ts rss_burst reads of an IPv4 frame
   *  (ethertype, the IP protocol and fragment bits, source and destination, the transport header's
   *  first word: the ports, read even when masked off) of the last frame it hashed alone, with its
   *  hash and flags and the RSS generation (key and L4 choice) they were computed under (-1: none).
   *  A frame whose bytes are the same gets the same hash without the call: frames of one flow arrive
   *  one per IRQ when nothing coalesces them (a bulk flow without TSO). IPv6 and frames whose
   *  offsets the WASM clamps always take the call. */
  private keyGen = -1;
  private keyHash = 0;
  private keyHashFlags = 0;
  private keyFrag = 0;
  private keySrc = 0;
  private keyDst = 0;
  private keyPorts = 0;

  /** Does h's RSS input equal the cached one (updating the cache to h's input when it does not)? */
  private sameRssInput(h: number, gen: number): boolean {
    const net = this.skbNetwork[h]!;
    const th = this.skbTransport[h]!;
    // rss_burst's IPv4 branch, with net and th inside the headroom as it requires
    if (this.skbProtocol[h] !== 0x0800 || net > SKB_HEADROOM - 20 || th > SKB_HEADROOM - 4) {
      this.keyGen = -1;
      return false;
    }
    const b = this.hdr;
    const ip = h * SKB_HEADROOM + net;
    const t = h * SKB_HEADROOM + th;
    // protocol byte and frag_off (ip_is_fragment's bits: byte 6 & 0x3f, byte 7)
    const frag = (b[ip + 9]! << 16) | ((b[ip + 6]! & 0x3f) << 8) | b[ip + 7]!;
    const src = (b[ip + 12]! << 24) | (b[ip + 13]! << 16) | (b[ip + 14]! << 8) | b[ip + 15]!;
    const dst = (b[ip + 16]! << 24) | (b[ip + 17]! << 16) | (b[ip + 18]! << 8) | b[ip + 19]!;
    const ports = (b[t]! << 24) | (b[t + 1]! << 16) | (b[t + 2]! << 8) | b[t + 3]!;
    if (this.keyGen === gen && this.keyFrag === frag && this.keySrc === src && this.keyDst === dst && this.keyPorts === ports) return true;
    this.keyGen = gen;
    this.keyFrag = frag;
    this.keySrc = src;
    this.keyDst = dst;
    this.keyPorts = ports;
    return false;
  }

  /** The first n frames of handOver arrive: as n receive() calls (see receiveBurst). */
  receiveHandedOver(n: number): void {
    if (n === 1) this.receiveOne(this.handOverView[0]!, this.handOverCont[0]!);
    else this.receiveChunk(this.rssSlot + NIC_RX_BURST, n, this.handOverCont);
  }

  /** A frame arrives from the wire: RSS picks the queue, the ring takes it. */
  receive(h: number): void {
    this.receiveOne(h, 0);
    this.lastRssGen = -1;
  }

  // the NIC's RSS (Toeplitz of addresses and ports, then the RETA): a frame
  // that continues a train takes its predecessor's hash, which is what the
  // Toeplitz of the same fields gives
  private receiveOne(h: number, cont: number): void {
    const gen = this.rss.generation;
    if (cont !== 0 && this.lastRssGen === gen) {
      const hash = this.lastHash;
      this.skbHash[h] = hash;
      this.skbHashFlags[h] = this.lastHashFlags;
      const reta = this.rss.reta;
      this.skbQueue[h] = reta[hash & (reta.length - 1)]!;
    } else if (this.sameRssInput(h, gen)) {
      // the Toeplitz of the same input bytes under the same key: the frame before's hash
      const hash = this.keyHash;
      this.skbHash[h] = hash;
      this.skbHashFlags[h] = this.keyHashFlags;
      const reta = this.rss.reta;
      this.skbQueue[h] = reta[hash & (reta.length - 1)]!;
      this.lastHash = hash;
      this.lastHashFlags = this.keyHashFlags;
      this.lastRssGen = gen;
    } else {
      // RssContext.hashBurst(1) without the argument checks: one frame per arrival
      this.core.scratch[this.rssSlot] = h;
      this.rssBurst(this.rssId, this.rssAddr, 1);
      this.lastHash = this.skbHash[h]!;
      this.lastHashFlags = this.skbHashFlags[h]!;
      this.lastRssGen = gen;
      this.keyHash = this.lastHash;
      this.keyHashFlags = this.lastHashFlags;
    }
    let q = this.skbQueue[h]! % this.nq;
    if (this.filters.size > 0) {
      const f = this.filters.get(this.skbHash[h]!);
      if (f !== undefined) this.skbQueue[h] = q = f.queue;
    }
    if (this.rxhash === "off") {
      this.skbHash[h] = 0;
      this.skbHashFlags[h] = 0;
    }
    this.rxEnqueue(h, q);
  }

  /**
   * Frames arriving at the same instant, handles in scratch[slot .. slot+n):
   * one RSS call hashes them all, a stable sort by queue stages them in the
   * NIC's scratch slots, and each queue's frames enter its ring in one burst
   * (what does not fit is rx_missed, in arrival order). IRQs are raised after
   * all frames are on their rings, in the order of each queue's first frame:
   * the hard IRQ only schedules NAPI, so this is what frame-by-frame
   * receive() calls do, with one WASM call per queue instead of two per frame.
   */
  receiveBurst(slot: number, n: number): void {
    const scratch = this.core.scratch;
    if (!(Number.isInteger(slot) && Number.isInteger(n) && slot >= 0 && n >= 0 && slot + n <= scratch.length)) {
      throw new RangeError(`${this.name}.receiveBurst: ${n} frames at scratch slot ${slot} exceed the ${scratch.length} scratch slots`);
    }
    for (let at = 0; at < n; at += NIC_RX_BURST) this.receiveChunk(slot + at, Math.min(NIC_RX_BURST, n - at), null);
    this.lastRssGen = -1;
  }

  /** RSS of the n frames at scratch[slot ..): one rss_burst call; with `cont`
   *  (frames a link hands over, in wire order) only for the frames that do
   *  not continue a train, the others take their predecessor's hash. */
  private rssChunk(slot: number, n: number, cont: Uint8Array | null): void {
    const gen = this.rss.generation;
    if (cont === null) {
      this.rssBurst(this.rssId, this.core.scratchAddr(slot), n);
      return;
    }
    const scratch = this.core.scratch;
    const valid = this.lastRssGen === gen;
    // the frames to hash, gathered in the staging slots (free until the sort)
    const stage = this.rssSlot;
    let m = 0;
    for (let i = 0; i < n; i++) if (cont[i] === 0 || (i === 0 && !valid)) scratch[stage + m++] = scratch[slot + i]!;
    if (m > 0) this.rssBurst(this.rssId, this.core.scratchAddr(stage), m);
    const hashA = this.skbHash;
    const flagsA = this.skbHashFlags;
    const queue = this.skbQueue;
    const reta = this.rss.reta;
    const mask = reta.length - 1;
    let hash = this.lastHash;
    let flags = this.lastHashFlags;
    for (let i = 0; i < n; i++) {
      const h = scratch[slot + i]!;
      if (cont[i] === 0 || (i === 0 && !valid)) {
        hash = hashA[h]!;
        flags = flagsA[h]!;
      } else {
        hashA[h] = hash;
        flagsA[h] = flags;
        queue[h] = reta[hash & mask]!;
      }
    }
    this.lastHash = hash;
    this.lastHashFlags = flags;
    this.lastRssGen = gen;
  }

  private receiveChunk(slot: number, n: number, cont: Uint8Array | null): void {
    const scratch = this.core.scratch;
    const queues = this.nq;
    this.rssChunk(slot, n, cont);
    const count = this.qCount;
    const order = this.qOrder;
    const queue = this.skbQueue;
    const filtered = this.filters.size > 0;
    const off = this.rxhash === "off";
    count.fill(0);
    let touched = 0;
    for (let i = 0; i < n; i++) {
      const h = scratch[slot + i]!;
      let q = queue[h]! % queues;
      if (filtered) {
        const f = this.filters.get(this.skbHash[h]!);
        if (f !== undefined) q = f.queue;
      }
      if (off) {
        this.skbHash[h] = 0;
        this.skbHashFlags[h] = 0;
      }
      queue[h] = q;
      if (count[q + 1]++ === 0) order[touched++] = q;
    }
    if (touched === 1) {
      // one queue: its run is the frames in arrival order, no staging copy
      if (!this.landRun(order[0]!, slot, n)) order[0] = -1;
    } else {
      // counting sort: count[q] becomes queue q's first staging slot
      for (let q = 0; q < queues; q++) count[q + 1]! += count[q]!;
      const stage = this.rssSlot;
      for (let i = 0; i < n; i++) {
        const h = scratch[slot + i]!;
        scratch[stage + count[queue[h]!]!++] = h;
      }
      // count[q] is now the end of queue q's run (the start of q + 1's)
      for (let j = 0; j < touched; j++) {
        const q = order[j]!;
        const start = q === 0 ? 0 : count[q - 1]!;
        if (!this.landRun(q, stage + start, count[q]! - start)) order[j] = -1;
      }
    }
    for (let j = 0; j < touched; j++) {
      const q = order[j]!;
      if (q >= 0 && this.irqMasked[q] === 0) this.coalesce(q);
    }
  }

  /** Queue q's n frames at scratch[at ..) enter its ring in one burst; what
   *  does not fit is rx_missed. False when none landed (then no IRQ, as
   *  receive() on a full ring). */
  private landRun(q: number, at: number, n: number): boolean {
    const scratch = this.core.scratch;
    const k = this.r.ring_enqueue_burst(this.rxRings[q]!, this.core.scratchAddr(at), n);
    let bytes = 0;
    for (let i = at; i < at + k; i++) bytes += this.skbLen[scratch[i]!]!;
    this.rxLen[q]! += k;
    this.rxPackets[q]! += k;
    this.rxBytes[q]! += bytes;
    for (let i = at + k; i < at + n; i++) {
      this.missed[q]! += 1;
      this.drops.drop(scratch[i]!, "NIC_RX_MISSED");
    }
    return k > 0;
  }

  /** The frame lands on RX queue q (after RSS or a filter). */
  rxEnqueue(h: number, q: number): void {
    this.skbQueue[h] = q;
    if (!this.rings.enqueueOne(this.rxRings[q]!, h)) {
      this.missed[q]! += 1;
      this.drops.drop(h, "NIC_RX_MISSED");
      return;
    }
    this.rxLen[q]! += 1;
    this.rxPackets[q]! += 1;
    this.rxBytes[q]! += this.skbLen[h]!;
    if (this.irqMasked[q] === 0) this.coalesce(q);
  }

  /** A link hands its arriving frames over lazily (see RxSource). Rule for
   *  this class: whatever reads or changes RX state pulls first, and whatever
   *  unmasks a queue or stops its coalescing timer calls rxSource.wake() after. */
  attachRxSource(src: RxSource): void {
    this.rxSource = src;
  }

  private pull(): void {
    if (this.rxSource !== null) this.rxSource.pull();
  }

  /** How many frames may arrive from now on (those the link has not handed
   *  over yet included) and only land on their rings: -1 for any number (every
   *  queue masked, or coalescing on a timer alone). With rx-frames, an
   *  unmasked queue whose timer runs reacts at the arrival that brings it to
   *  rx-frames; the link does not know which queue a frame will hash to, so
   *  the bound is the least room left over the unmasked queues. */
  rxSilentArrivals(): number {
    const usecs = this.rxUsecs;
    const frames = this.rxFrames;
    let silent = -1;
    for (let q = 0; q < this.nq; q++) {
      if (this.irqMasked[q] !== 0) continue;
      if (usecs <= 0 || this.coalesceTimer[q] === 0) return 0;
      if (frames <= 0) continue;
      const room = frames - this.rxLen[q]! - 1;
      if (room <= 0) return 0;
      if (silent < 0 || room < silent) silent = room;
    }
    return silent;
  }

  /** Frames wait on queue q with its IRQ unmasked: fire now, or arm the
   *  rx-usecs timer (rx-frames fires early). */
  private coalesce(q: number): void {
    const usecs = this.rxUsecs;
    if (usecs <= 0 || this.loop === null) {
      this.raiseIrq(q);
      return;
    }
    const frames = this.rxFrames;
    if (frames > 0 && this.rxLen[q]! >= frames) {
      this.raiseIrq(q);
      return;
    }
    if (this.coalesceTimer[q] === 0) this.coalesceTimer[q] = this.loop.after(usecs, this.kindCoalesce, q) + 1;
  }

  private coalesceFire(q: number): void {
    this.pull();
    this.coalesceTimer[q] = 0;
    if (this.irqMasked[q] === 0 && this.rxLen[q]! > 0) this.raiseIrq(q);
    this.rxSource?.wake();
  }

  private raiseIrq(q: number): void {
    const t = this.coalesceTimer[q]!;
    if (t !== 0) {
      this.loop!.cancel(t - 1);
      this.coalesceTimer[q] = 0;
    }
    this.irqMasked[q] = 1;
    this.rxIrqs[q]! += 1;
    this.onRxIrq(q);
  }

  /** ndo_rx_flow_steer: steer the flow of skb h to queue rxq; returns the
   *  filter id, or -1 when the table is full or filters are not supported. */
  rxFlowSteer(h: number, rxq: number, flowId: number): number {
    // frames that arrived before the filter changes were steered without it
    this.pull();
    // the filter matches on the L4 hash the NIC computes; without it the model has no key
    if (this.loop === null || this.rxhash !== "l4" || (this.skbHashFlags[h]! & HASH_L4) === 0) return -1;
    const key = this.skbHash[h]!;
    const old = this.filters.get(key);
    if (old !== undefined) {
      old.queue = rxq;
      old.flowId = flowId;
      return old.id;
    }
    if (this.filters.size >= ARFS_MAX_FILTERS) return -1;
    const id = this.nextFilterId;
    this.nextFilterId = (this.nextFilterId + 1) % 0xffff;
    this.filters.set(key, { queue: rxq, id, flowId });
    this.filterKey.set(id, key);
    this.arfsInstalled++;
    if (!this.expireArmed) {
      this.expireArmed = true;
      this.loop.after(ARFS_EXPIRE_NS, this.kindExpire, 0);
    }
    return id;
  }

  /** The driver's periodic scan: drop filters rps_may_expire_flow lets go. */
  private expireFilters(): void {
    this.pull();
    for (const [key, f] of this.filters) {
      if (this.mayExpireFlow(f.queue, f.flowId, f.id)) {
        this.filters.delete(key);
        this.filterKey.delete(f.id);
        this.arfsExpired++;
      }
    }
    this.expireArmed = this.filters.size > 0;
    if (this.expireArmed) this.loop!.after(ARFS_EXPIRE_NS, this.kindExpire, 0);
  }

  /** ntuple filters installed now. */
  get arfsFilters(): number {
    return this.filters.size;
  }

  /** Frames that have arrived land (and raise their IRQs) before a TX completion IRQ inserted at
   *  `insertedAt` uses the CPU they interrupt, as per-frame mode orders the two (RxSource.pullFor). */
  rxSync(insertedAt: number): void {
    if (this.rxSource !== null) this.rxSource.pullFor(insertedAt);
  }

  /** Driver poll: move up to `budget` frames of queue q into scratch[slot..]. */
  rxPoll(q: number, slot: number, budget: number): number {
    this.pull();
    const k = this.r.ring_dequeue_burst(this.rxRings[q]!, this.core.scratchAddr(slot), budget);
    this.rxLen[q]! -= k;
    return k;
  }

  /** The WASM ring of RX queue q, every frame that has arrived by now on it
   *  (a poll that dequeues in WASM, then rxTaken). */
  rxRing(q: number): number {
    this.pull();
    return this.rxRings[q]!;
  }

  /** A poll took k frames off queue q's ring (rxRing). */
  rxTaken(q: number, k: number): void {
    this.rxLen[q]! -= k;
  }

  /** napi_complete_done: unmask the queue's IRQ; frames that arrived during
   *  the poll raise it again at once with rxUsecs 0, else arm a fresh rx-usecs
   *  timer from now (CQE-based moderation: the period starts at the first
   *  frame after the arm; mlx5's default EQE mode would time it from the last
   *  interrupt and fire at once after a poll longer than rx-usecs). */
  rxIrqEnable(q: number): void {
    this.pull();
    this.irqMasked[q] = 0;
    if (this.rxLen[q]! > 0) this.coalesce(q);
    this.rxSource?.wake();
  }

  /** dev_queue_xmit (nic-tx.ts). Returns false if the qdisc dropped it. */
  xmit(h: number): boolean {
    return this.tx.xmit(h);
  }

  /** Packets waiting in the qdiscs. */
  qdiscBacklog(): number {
    return this.tx.qdiscQlen();
  }

  /** The link takes the next frame to serialize (-1 if none). */
  txPop(): number {
    return this.tx.txPop();
  }

  /** The frame being serialized has left: TX completion (nic-tx.ts). */
  txComplete(): void {
    this.tx.frameDone();
  }

  /** Wire packets held by this NIC (a GSO skb counts its segments) for the ledger. */
  heldSegments(): number {
    this.pull();
    let n = this.tx.heldSegments();
    for (const id of this.rxRings) n += this.r.ring_count(id);
    return n;
  }

  /** skbs held by this NIC (RX rings, qdiscs, unsent TX descriptors) for the ledger. */
  held(): number {
    this.pull();
    let n = this.tx.held();
    for (const id of this.rxRings) n += this.r.ring_count(id);
    return n;
  }

  rxQueueStats(q: number): NicRxQueueStats {
    this.pull();
    return { packets: this.rxPackets[q]!, bytes: this.rxBytes[q]!, drops: this.missed[q]!, irqs: this.rxIrqs[q]! };
  }

  rxRingDepth(q: number): number {
    this.pull();
    return this.rxLen[q]!;
  }
}
