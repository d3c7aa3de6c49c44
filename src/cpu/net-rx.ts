// The receive side of one host's CPUs: NAPI instances (one per NIC RX queue,
// one backlog NAPI per CPU), net_rx_action in steps on the CpuSched,
// netif_receive_skb with RPS/RFS, enqueue_to_backlog, process_backlog, RPS
// IPIs, and the application's share of each delivered packet (recvmsg on the
// app thread's CPU, which also records the flow for RFS).
import type { Core } from "../core/core.js";
import { SKB_HEADROOM } from "../core/skb-fields.js";
import type { EventLoop } from "../sim/loop.js";
import type { CostModel } from "./cost.js";
import { CpuSched, jiffies, JIFFY_NS, type NetRxHandler } from "./sched.js";
import { Softnet, skbFlowLimit } from "./softnet.js";
import { RpsState, type RpsConfig } from "./rps.js";
import { FlowHasher } from "./flow-hash.js";
import { NapiList } from "./napi-list.js";
import { ringRaw, type RingRaw } from "../net/ring-ops.js";
import type { GroContext } from "../core/gro.js";

/** include/linux/netdevice.h: NAPI_POLL_WEIGHT */
export const NAPI_POLL_WEIGHT = 64;
/** net/core/dev.c: weight_p's boot value, the backlog NAPIs' initial weight. */
const WEIGHT_P_BOOT = 64;
/** Scratch slots one host's RX path keeps: the poll burst (64), then GRO's
 *  out list (receiveBurst needs 2 × the burst; a flush needs at most 64). */
export const NAPI_SCRATCH_SLOTS = 3 * NAPI_POLL_WEIGHT;
/** net/core/hotdata.c: gro_normal_batch default. */
export const GRO_NORMAL_BATCH = 8;

/** Software IRQ coalescing of a device (sysfs, per netdev in 6.12). */
export interface NapiDeferConfig {
  /** /sys/class/net/DEV/gro_flush_timeout (ns; 0 = off). */
  groFlushTimeout: number;
  /** /sys/class/net/DEV/napi_defer_hard_irqs (0 = off). */
  deferHardIrqs: number;
}

export const NO_NAPI_DEFER: Readonly<NapiDeferConfig> = Object.freeze({ groFlushTimeout: 0, deferHardIrqs: 0 });

/** What the RX path needs of a NIC. */
export interface RxNic {
  rxPoll(q: number, slot: number, budget: number): number;
  /** The WASM ring of RX queue q, with every frame that has arrived by now
   *  on it, for a poll that takes frames off in WASM (then rxTaken). */
  rxRing(q: number): number;
  /** A poll took k frames off queue q's ring (rxRing). */
  rxTaken(q: number, k: number): void;
  rxIrqEnable(q: number): void;
  /** dev->core_stats rx_dropped (backlog drops of packets from this device). */
  rxDropped: number;
}

export interface RxSysctls {
  netdevBudget: number;
  netdevBudgetUsecs: number;
  /** dev_rx_weight = dev_weight * dev_weight_rx_bias: the backlog NAPI quota. */
  devRxWeight: number;
  maxBacklog: number;
  /** net.core.gro_normal_batch: segments gathered in napi->rx_list before
   *  they go up (default 8). */
  groNormalBatch?: number;
  sockFlowEntries: number;
  flowLimitTableLen: number;
}

/** An application thread reading the socket bound to `port`. */
export interface AppThread {
  port: number;
  /** CPUs the thread runs on, in turn; one entry = pinned. */
  cpus: readonly number[];
  /** Time on each CPU before moving to the next (0 = never moves). */
  everyNs: number;
  /** A connected socket (TCP_ESTABLISHED state): recvmsg records the flow for RFS.
   *  TCP sockets always are; UDP only when connect()ed. */
  connected: boolean;
}

export function appCpuAt(app: AppThread, now: number): number {
  if (app.cpus.length === 1 || app.everyNs <= 0) return app.cpus[0]!;
  return app.cpus[Math.floor(now / app.everyNs) % app.cpus.length]!;
}

/** assembly/napi-gro.ts (-1: GRO_ERR as an i32). */
type NapiGroPoll = (ring: number, handles: number, budget: number, ctx: number, out: number, outMax: number, stepStart: number, cost: number, perFrame: number, flushAll: number) => number;

const DEV = 0;
const BACKLOG = 1;

export class NetRx implements NetRxHandler {
  readonly sched: CpuSched;
  readonly softnet: Softnet;
  readonly rps: RpsState;
  readonly hasher: FlowHasher;
  roundOver = false;
  /** CPU doing protocol processing right now (-1 outside the RX path). */
  curCpu = -1;
  private readonly nics: RxNic[] = [];
  private readonly napiKind: number[] = [];
  private readonly napiNic: number[] = [];
  private readonly napiQueue: number[] = [];
  private readonly napiSched: number[] = [];
  /** Per CPU: the backlog NAPI's n->weight. weight_p (64) from boot (net/core/dev.c: net_dev_init);
   *  process_backlog sets it to dev_rx_weight, so a dev_weight sysctl counts from the second poll. */
  private readonly backlogWeight: Int32Array;
  /** Per NAPI: gro_flush_timeout, napi_defer_hard_irqs of its device, and
   *  n->defer_hard_irqs_count; the watchdog hrtimer (event id + 1, 0 = not
   *  armed) and how often it fired. */
  private readonly napiFlushTimeout: number[] = [];
  private readonly napiDeferIrqs: number[] = [];
  private readonly napiDeferCount: number[] = [];
  private readonly napiTimer: number[] = [];
  private readonly napiTimerCpu: number[] = [];
  private readonly napiTimerFires: number[] = [];
  private readonly kindWatchdog: number;
  private readonly pollList: NapiList[] = [];
  private readonly local: NapiList[] = [];
  private readonly repoll: NapiList[] = [];
  private readonly inRx: Uint8Array;
  private readonly budget: Int32Array;
  private readonly timeLimit: Float64Array;
  private readonly appByPort = new Map<number, AppThread>();
  private readonly lastCpuByPort = new Uint16Array(65536);
  private readonly r: RingRaw;
  private readonly scratch: Uint32Array;
  private readonly slotAddr: number;
  private readonly hdr: Uint8Array;
  private readonly skbNetwork: Uint32Array;
  private readonly skbTransport: Uint32Array;
  private readonly skbProtocol: Uint32Array;
  private readonly skbLen: Uint32Array;
  private readonly skbHash: Uint32Array;
  private readonly skbGsoSegs: Uint32Array;
  private readonly kindIpi: number;
  /** GRO context of each NAPI (null: a backlog NAPI). */
  private readonly napiGro: (GroContext | null)[] = [];
  /** First scratch slot of GRO's out list (napi->rx_list), and its byte address. */
  private readonly groOut: number;
  private readonly groOutAddr: number;
  private readonly name: string;
  private readonly napiGroPoll: NapiGroPoll;
  private readonly groBatch: number;
  /** Wire packets beyond one per skb inside the per-CPU backlogs (GRO
   *  aggregates steered by RPS), so the ledger can count them. */
  private backlogExtraSegs = 0;
  /** gro_normal_list calls (netif_receive_skb_list batches), for tests. */
  groNormalLists = 0;
  private cost = 0;
  private stepStart = 0;

  constructor(
    private readonly core: Core,
    private readonly loop: EventLoop,
    name: string,
    readonly cpus: number,
    readonly costs: CostModel,
    readonly sys: RxSysctls,
    rpsConfig: RpsConfig,
    hashSeed: number,
    private readonly slot: number,
    /** ip_rcv and up: the host's Stack.receive. */
    private readonly stackReceive: (h: number) => void,
    private readonly drop: (h: number, reason: string) => void,
    apps: readonly AppThread[],
  ) {
    this.sched = new CpuSched(cpus, loop, name);
    this.sched.handler = this;
    this.softnet = new Softnet(core, cpus, sys.maxBacklog, rpsConfig.flowLimitCpus, sys.flowLimitTableLen);
    this.hasher = new FlowHasher(core, hashSeed);
    this.rps = new RpsState(cpus, rpsConfig, sys.sockFlowEntries, this.hasher, this.softnet.queueHead);
    this.inRx = new Uint8Array(cpus);
    this.budget = new Int32Array(cpus);
    this.timeLimit = new Float64Array(cpus);
    this.backlogWeight = new Int32Array(cpus).fill(WEIGHT_P_BOOT);
    for (let c = 0; c < cpus; c++) {
      // backlog NAPI of CPU c has id c
      this.napiGro.push(null);
      this.napiKind.push(BACKLOG);
      this.napiNic.push(-1);
      this.napiQueue.push(c);
      this.napiSched.push(0);
      this.pushNapiDefer(NO_NAPI_DEFER);
      this.pollList.push(new NapiList());
      this.local.push(new NapiList());
      this.repoll.push(new NapiList());
    }
    for (const a of apps) this.appByPort.set(a.port, a);
    this.r = ringRaw(core);
    this.scratch = core.scratch;
    this.slotAddr = core.scratchAddr(slot);
    this.hdr = core.headers;
    this.skbNetwork = core.skb.network;
    this.skbTransport = core.skb.transport;
    this.skbProtocol = core.skb.protocol;
    this.skbLen = core.skb.len;
    this.skbHash = core.skb.hash;
    this.skbGsoSegs = core.skb.gsoSegs;
    this.groOut = slot + NAPI_POLL_WEIGHT;
    this.groOutAddr = core.scratchAddr(this.groOut);
    this.name = name;
    this.napiGroPoll = (core.raw as unknown as { napi_gro_poll: NapiGroPoll }).napi_gro_poll;
    if (this.groOut + 2 * NAPI_POLL_WEIGHT > core.scratch.length) {
      throw new RangeError(`${name}: the RX path needs scratch slots [${slot}, ${slot + NAPI_SCRATCH_SLOTS}), the core has ${core.scratch.length} (raise core.ioSlots)`);
    }
    this.groBatch = sys.groNormalBatch ?? GRO_NORMAL_BATCH;
    this.kindIpi = loop.register(`${name} rps ipi`, (cpu) => this.ipiArrive(cpu));
    this.kindWatchdog = loop.register(`${name} napi watchdog`, (napi) => this.napiWatchdog(napi));
  }

  private pushNapiDefer(d: NapiDeferConfig): void {
    this.napiFlushTimeout.push(d.groFlushTimeout);
    this.napiDeferIrqs.push(d.deferHardIrqs);
    this.napiDeferCount.push(0);
    this.napiTimer.push(0);
    this.napiTimerCpu.push(0);
    this.napiTimerFires.push(0);
  }

  /** Register a NIC; returns the NAPI id of its queue 0 (queue q is +q).
   *  gro[q] is queue q's NAPI GRO context (none: frames go up one by one). */
  addNic(nic: RxNic, queues: number, irqCpu: (q: number) => number, gro: readonly GroContext[] = [], defer: NapiDeferConfig = NO_NAPI_DEFER): number {
    const index = this.nics.length;
    this.nics.push(nic);
    const first = this.napiKind.length;
    for (let q = 0; q < queues; q++) {
      this.napiGro.push(gro[q] ?? null);
      this.napiKind.push(DEV);
      this.napiNic.push(index);
      this.napiQueue.push(q);
      this.napiSched.push(0);
      this.pushNapiDefer(defer);
    }
    this.rps.addNic(queues, irqCpu);
    return first;
  }

  /** The NIC queue's IRQ fired on cpu: hard IRQ, then napi_schedule. */
  deviceIrq(napi: number, cpu: number): void {
    this.sched.hardirq(cpu, this.costs.irq, this.napiScheduleFn, napi, cpu);
  }

  // net/core/dev.c: napi_schedule -> ____napi_schedule
  private napiSchedule(napi: number, cpu: number): void {
    if (this.napiSched[napi] === 1) return;
    this.napiSched[napi] = 1;
    this.pollList[cpu]!.push(napi);
    if (this.inRx[cpu] === 0) this.sched.raiseSoftirq(cpu);
  }

  // ---- net_rx_action ---------------------------------------------------

  netRxBegin(cpu: number, now: number): number {
    this.budget[cpu] = this.sys.netdevBudget;
    // usecs_to_jiffies rounds up
    this.timeLimit[cpu] = jiffies(now) + Math.ceil(this.sys.netdevBudgetUsecs / 1000);
    this.inRx[cpu] = 1;
    this.takePollList(cpu);
    return this.costs.softirq;
  }

  /** list_splice_init(&sd->poll_list, &list): the poll list becomes the
   *  round's local list; the local list, emptied, becomes the new poll list. */
  private takePollList(cpu: number): NapiList {
    const taken = this.pollList[cpu]!;
    const old = this.local[cpu]!;
    old.clear();
    this.pollList[cpu] = old;
    this.local[cpu] = taken;
    return taken;
  }

  /** Inside a softirq step: the CPU's clock (the step's start plus the work charged so far). */
  softirqNow(): number {
    return this.stepStart + this.cost;
  }

  // net/core/dev.c: net_rx_action, one napi_poll per call
  netRxStep(cpu: number, now: number): number {
    this.cost = 0;
    this.stepStart = now;
    let list = this.local[cpu]!;
    for (;;) {
      if (list.length === 0) {
        if (this.repoll[cpu]!.length === 0) {
          this.inRx[cpu] = 0;
          if (this.pollList[cpu]!.length > 0) {
            // poll_list refilled meanwhile: goto start
            this.inRx[cpu] = 1;
            list = this.takePollList(cpu);
            continue;
          }
          if (this.softnet.ipiList[cpu]!.length === 0) {
            this.roundOver = true;
            return this.cost;
          }
        }
        break;
      }
      const n = list.shift();
      const work = this.napiPoll(n, cpu);
      this.budget[cpu] -= work;
      if (this.budget[cpu]! <= 0 || jiffies(now + this.cost) >= this.timeLimit[cpu]!) {
        this.softnet.timeSqueeze[cpu]! += 1;
        break;
      }
      if (list.length > 0) return this.cost;
    }
    // leftovers, then NAPIs scheduled meanwhile, then the repoll list
    // (the three lists are recycled in place rather than reallocated)
    const pl = this.pollList[cpu]!;
    const rp = this.repoll[cpu]!;
    list.spliceTail(pl);
    list.spliceTail(rp);
    const next = list;
    this.local[cpu] = pl;
    this.pollList[cpu] = next;
    if (next.length > 0) this.sched.pending[cpu] = 1;
    else this.inRx[cpu] = 0;
    this.sendIpis(cpu);
    this.roundOver = true;
    return this.cost;
  }

  /** Set by the host: a NAPI poll's frames start (true) and have finished (false) going up the
   *  stack; what they transmit meanwhile reaches the NICs' rings and wires in bursts (NicTx.txHold). */
  txHold: (begin: boolean) => void = () => {};

  // net/core/dev.c: napi_poll -> __napi_poll
  private napiPoll(n: number, cpu: number): number {
    // __napi_poll reads n->weight before calling ->poll
    const weight = this.napiKind[n] === BACKLOG ? this.backlogWeight[cpu]! : NAPI_POLL_WEIGHT;
    // the poll's frames go up the stack under the host's TX hold; driverPoll releases it before
    // napi_complete_done (the SYN-ACKs and ACKs leave before the IRQ is re-enabled, as they would)
    this.txHold(true);
    let work: number;
    if (this.napiKind[n] === BACKLOG) {
      work = this.processBacklog(cpu, weight);
      this.txHold(false);
    } else work = this.driverPoll(n, cpu);
    if (work >= weight) this.repoll[cpu]!.push(n);
    return work;
  }

  /** The driver's poll: up to 64 frames from the RX ring, each through
   *  napi_gro_receive; fewer than 64 ⇒ napi_complete_done, 64 ⇒ __napi_poll
   *  flushes only GRO packets older than the current jiffy and the NAPI stays
   *  scheduled. */
  private driverPoll(n: number, cpu: number): number {
    const nicIndex = this.napiNic[n]!;
    const q = this.napiQueue[n]!;
    const nic = this.nics[nicIndex]!;
    const ctx = this.napiGro[n]!;
    if (ctx !== null && this.napiFlushTimeout[n] === 0) return this.driverPollGro(n, cpu, nic, nicIndex, q, ctx);
    const k = nic.rxPoll(q, this.slot, NAPI_POLL_WEIGHT);
    const c = this.costs;
    const scratch = this.scratch;
    const complete = k < NAPI_POLL_WEIGHT;
    let timeout = 0;
    let rearm = true;
    if (ctx === null) {
      this.cost += k * c.driver;
      for (let i = 0; i < k; i++) this.netifReceive(scratch[this.slot + i]!, cpu, nicIndex, q);
      if (complete) ({ timeout, rearm } = this.completeDone(n, k, false));
    } else {
      // dev_gro_receive: netif_elide_gro (GRO off) returns GRO_NORMAL before any flow work
      this.cost += k * (ctx.isEnabled ? c.driver + c.gro : c.driver);
      const now = this.stepStart + this.cost;
      // napi_gro_receive over the burst; completed aggregates and packets that
      // go up alone come out in order (gro_normal_one appends them to rx_list)
      const m = ctx.receiveBurst(k, this.slot, this.groOut, now);
      let rxCount = this.groNormal(m, 0, cpu, nicIndex, q);
      if (complete) ({ timeout, rearm } = this.completeDone(n, k, ctx.heldCount > 0));
      // napi_complete_done: napi_gro_flush(n, !!timeout); a full poll
      // (__napi_poll): napi_gro_flush(n, HZ >= 1000). flush_old keeps the
      // packets GRO took in this jiffy.
      const olderThan = complete && timeout === 0 ? Infinity : jiffies(this.stepStart + this.cost) * JIFFY_NS;
      if (ctx.heldCount > 0) {
        const f = ctx.flush(this.groOut, olderThan);
        rxCount = this.groNormal(f, rxCount, cpu, nicIndex, q);
      }
      // gro_normal_list: what is left in rx_list goes up at the end of the poll
      if (rxCount > 0) this.groNormalLists++;
    }
    this.txHold(false);
    if (complete) {
      // napi_complete_done clears SCHED and (re)starts the watchdog; the
      // driver unmasks the queue's IRQ only when it returned true
      this.napiSched[n] = 0;
      if (timeout > 0) this.armWatchdog(n, cpu, this.stepStart + this.cost + timeout);
      if (rearm) nic.rxIrqEnable(q);
    }
    return k;
  }

  /** driverPoll of a NAPI with GRO and gro_flush_timeout 0, the ring pop,
   *  GRO and (fewer than 64 frames) the flush in one WASM call
   *  (assembly/napi-gro.ts: the three calls driverPoll makes, in its order).
   *  napi_complete_done's timeout is then 0 whatever GRO holds, so the flush
   *  is napi_gro_flush(n, false) and takes every held aggregate; it runs
   *  before the receives' skbs go up the stack rather than after, which
   *  nothing between can see (the stack does not touch GRO's held skbs). */
  private driverPollGro(n: number, cpu: number, nic: RxNic, nicIndex: number, q: number, ctx: GroContext): number {
    const c = this.costs;
    const perFrame = ctx.isEnabled ? c.driver + c.gro : c.driver;
    const r = this.napiGroPoll(nic.rxRing(q), this.slotAddr, NAPI_POLL_WEIGHT, ctx.id, this.groOutAddr, 2 * NAPI_POLL_WEIGHT, this.stepStart, this.cost, perFrame, 1);
    if (r === -1) throw new RangeError(`${this.name}: napi_gro_poll refused GRO context ${ctx.id}`);
    const k = r & 0xffff;
    nic.rxTaken(q, k);
    // dev_gro_receive: netif_elide_gro (GRO off) returns GRO_NORMAL before any flow work
    this.cost += k * perFrame;
    const rxCount = this.groNormal(r >>> 16, 0, cpu, nicIndex, q);
    if (k === NAPI_POLL_WEIGHT) {
      // a full poll (__napi_poll): napi_gro_flush(n, HZ >= 1000) keeps this jiffy's packets
      const f = ctx.heldCount > 0 ? ctx.flush(this.groOut, jiffies(this.stepStart + this.cost) * JIFFY_NS) : 0;
      if (this.groNormal(f, rxCount, cpu, nicIndex, q) > 0) this.groNormalLists++;
      this.txHold(false);
      return k;
    }
    this.completeDone(n, k, false);
    // gro_normal_list: what is left in rx_list goes up at the end of the poll
    if (rxCount > 0) this.groNormalLists++;
    this.txHold(false);
    this.napiSched[n] = 0;
    nic.rxIrqEnable(q);
    return k;
  }

  // net/core/dev.c: napi_complete_done — the timeout and return value
  // (gro_bitmask: GRO holds packets after the poll's receives)
  private completeDone(n: number, workDone: number, groHeld: boolean): { timeout: number; rearm: boolean } {
    let timeout = 0;
    let rearm = true;
    if (workDone > 0) {
      if (groHeld) timeout = this.napiFlushTimeout[n]!;
      this.napiDeferCount[n] = this.napiDeferIrqs[n]!;
    }
    if (this.napiDeferCount[n]! > 0) {
      this.napiDeferCount[n]! -= 1;
      timeout = this.napiFlushTimeout[n]!;
      if (timeout > 0) rearm = false;
    }
    this.completeOut.timeout = timeout;
    this.completeOut.rearm = rearm;
    return this.completeOut;
  }

  private readonly completeOut = { timeout: 0, rearm: true };

  // hrtimer_start(&n->timer, timeout, HRTIMER_MODE_REL_PINNED): restarts an
  // armed timer; pinned to the CPU that ran napi_complete_done
  private armWatchdog(n: number, cpu: number, at: number): void {
    const id = this.napiTimer[n]!;
    if (id !== 0) this.loop.cancel(id - 1);
    this.napiTimerCpu[n] = cpu;
    this.napiTimer[n] = this.loop.at(at, this.kindWatchdog, n) + 1;
  }

  // net/core/dev.c: napi_watchdog — a timer interrupt (cost.irq) that
  // schedules the NAPI unless it is already scheduled; the IRQ stays masked
  private napiWatchdog(n: number): void {
    this.napiTimer[n] = 0;
    this.napiTimerFires[n]! += 1;
    const cpu = this.napiTimerCpu[n]!;
    this.sched.hardirq(cpu, this.costs.irq, this.napiScheduleFn, n, cpu);
  }

  /** Times NAPI n's gro_flush_timeout watchdog fired. */
  watchdogFires(n: number): number {
    return this.napiTimerFires[n]!;
  }

  // net/core/gro.c: gro_normal_one — rx_list takes skbs, rx_count their
  // segments; at gro_normal_batch the list goes to netif_receive_skb_list.
  // The stack runs synchronously, so the list keeps its order either way;
  // the batches only show in groNormalLists. 6.12 adds a completed aggregate's NAPI_GRO_CB(skb)->count
  // (napi_gro_complete; = its gso_segs) and 1 for a packet that goes up alone (napi_skb_finish's
  // GRO_NORMAL, whatever its gso_segs); adding gso_segs (at least 1) for every skb is the same for
  // everything the model's NICs deliver (no GSO skb comes from a driver).
  private groNormal(m: number, rxCount: number, cpu: number, nicIndex: number, q: number): number {
    const scratch = this.scratch;
    const segs = this.skbGsoSegs;
    // without RPS every frame goes up on this CPU: IP drops the leading ones for another host (a
    // flood's replies to spoofed sources) in one pass, each charged as receiveLocal would; their
    // headers and segments are read before the drop frees them
    const dropped = m > 0 && this.stackOtherHostRun !== null && !this.rps.needed ? this.stackOtherHostRun(this.groOut, m) : 0;
    if (dropped > 0) this.chargeDropped(dropped, cpu);
    const listenRun = m > 0 && !this.rps.needed ? this.stackListenRun : null;
    for (let i = 0; i < m; i++) {
      const h = scratch[this.groOut + i]!;
      // a run of SYNs for a listener goes up in one pass (Stack.listenRun), charged after it; a frame
      // whose byte 13 past its transport header (TCP's flags) has not SYN alone set (among SYN, ACK,
      // RST, FIN) cannot start one, and is not offered (the stack decides for the others)
      if (listenRun !== null && i >= dropped && (this.hdr[h * SKB_HEADROOM + this.skbTransport[h]! + 13]! & 0x17) === 0x02) {
        const prev = this.curCpu;
        this.curCpu = cpu;
        const k = listenRun(this.groOut + i, m - i);
        this.curCpu = prev;
        if (k > 0) {
          rxCount = this.chargeListenRun(k, rxCount, cpu);
          i += k - 1;
          continue;
        }
      }
      const s = segs[h]!;
      rxCount += s > 1 ? s : 1;
      if (rxCount >= this.groBatch) {
        this.groNormalLists++;
        rxCount = 0;
      }
      if (i >= dropped) this.netifReceive(h, cpu, nicIndex, q);
      else if (i === dropped - 1) this.stackDropRun!(this.groOut, dropped);
    }
    return rxCount;
  }

  /** Set by the host: how many of the n frames at scratch[at ..), from the first, IP drops as not
   *  for this host (see Stack.otherHostRun); reads only. They read nothing of the CPU's clock, so
   *  their cost may be charged together (chargeDropped) before stackDropRun drops them. */
  stackOtherHostRun: ((at: number, n: number) => number) | null = null;
  /** Set by the host with stackOtherHostRun: IP's drop of the k frames it found (receive()'s
   *  counters and drop for each, in one pass). */
  stackDropRun: ((at: number, k: number) => void) | null = null;

  /** Set by the host: IP and TCP take the leading frames of the n at scratch[at ..) that are SYNs for
   *  a listener, in one pass (Stack.listenRun); returns how many. It reads none of the CPU's clock. */
  stackListenRun: ((at: number, n: number) => number) | null = null;

  /** groNormal's and receiveLocal's accounting for k SYNs listenRun took, in order: each one
   *  skb (TCP never aggregates a SYN: tcp_gro_receive flushes it) in rx_list, processed, and the
   *  IP + TCP cost (stackCost's sum, added per frame as receiveLocal adds it). Their skbs are not
   *  read: the SYN-ACKs' allocations may have taken their handles. Returns rx_count. */
  private chargeListenRun(k: number, rxCount: number, cpu: number): number {
    this.softnet.processed[cpu]! += k;
    const c = this.costs;
    for (let j = 0; j < k; j++) {
      this.cost += c.ip + c.tcp;
      if (++rxCount >= this.groBatch) {
        this.groNormalLists++;
        rxCount = 0;
      }
    }
    return rxCount;
  }

  /** receiveLocal's accounting for the first k frames of the GRO output (__netif_receive_skb's
   *  processed count, the IP and L4 cost by protocol), which IP dropped. */
  private chargeDropped(k: number, cpu: number): void {
    this.softnet.processed[cpu]! += k;
    const scratch = this.scratch;
    // per frame, the same f64 sums as receiveLocal's
    for (let i = 0; i < k; i++) this.cost += this.stackCost(scratch[this.groOut + i]!);
  }

  /** The IP and L4 cost of taking h up the stack, by its protocol (ip + tcp or udp, else ip). */
  private stackCost(h: number): number {
    const c = this.costs;
    const net = h * SKB_HEADROOM + this.skbNetwork[h]!;
    const p = this.skbProtocol[h];
    const l4 = p === 0x0800 ? this.hdr[net + 9] : p === 0x86dd ? this.hdr[net + 6] : 0;
    return l4 === 6 ? c.ip + c.tcp : l4 === 17 ? c.ip + c.udp : c.ip;
  }

  // net/core/dev.c: netif_receive_skb_internal (RPS), else __netif_receive_skb
  netifReceive(h: number, cpu: number, nicIndex: number, q: number): void {
    const rps = this.rps;
    if (rps.needed) {
      const target = rps.getRpsCpu(nicIndex, q, h);
      if (target >= 0) {
        this.enqueueToBacklog(h, target, cpu, nicIndex);
        return;
      }
    }
    this.receiveLocal(h, cpu);
  }

  // net/core/dev.c: enqueue_to_backlog
  private enqueueToBacklog(h: number, target: number, cpu: number, nicIndex: number): void {
    const sd = this.softnet;
    this.cost += this.costs.backlogEnqueue;
    const ring = sd.ring[target]!;
    const qlen = this.r.ring_count(ring) - sd.processLen[target]!;
    const max = this.sys.maxBacklog;
    if (qlen <= max && !skbFlowLimit(sd.flowLimit[cpu]!, this.hasher.get(h), qlen, max)) {
      if (qlen === 0 && this.napiSched[target] === 0) {
        this.napiSched[target] = 1;
        this.napiScheduleRps(target, cpu);
      }
      this.r.ring_enqueue(ring, h);
      const segs = this.skbGsoSegs[h]!;
      if (segs > 1) this.backlogExtraSegs += segs - 1;
      const tail = (sd.queueTail[target] = (sd.queueTail[target]! + 1) >>> 0);
      const t = this.rps.rflowTable;
      if (t !== null) t.lastQtail[this.rps.rflowIndex] = tail;
      return;
    }
    sd.dropped[target]! += 1;
    this.nics[nicIndex]!.rxDropped++;
    this.drop(h, "CPU_BACKLOG");
  }

  // net/core/dev.c: napi_schedule_rps
  private napiScheduleRps(target: number, cpu: number): void {
    if (target !== cpu) {
      this.softnet.ipiList[cpu]!.push(target);
      if (this.inRx[cpu] === 0) this.sched.raiseSoftirq(cpu);
      return;
    }
    this.pollList[cpu]!.push(target);
    if (this.inRx[cpu] === 0) this.sched.raiseSoftirq(cpu);
  }

  // net/core/dev.c: net_rps_send_ipi — napi_schedule_rps pushes each target at the head of
  // rps_ipi_list and the list is walked from its head: the newest target is kicked first
  private sendIpis(cpu: number): void {
    const list = this.softnet.ipiList[cpu]!;
    if (list.length === 0) return;
    for (let i = list.length - 1; i >= 0; i--) {
      const target = list[i]!;
      this.cost += this.costs.ipi;
      this.loop.at(this.stepStart + this.cost + this.costs.ipiLatency, this.kindIpi, target);
    }
    list.length = 0;
  }

  private readonly napiScheduleFn = (napi: number, cpu: number): void => this.napiSchedule(napi, cpu);
  private readonly ipiHandlerFn = (cpu: number): void => {
    this.pollList[cpu]!.push(cpu);
    if (this.inRx[cpu] === 0) this.sched.raiseSoftirq(cpu);
    this.softnet.receivedRps[cpu]! += 1;
  };

  // net/core/dev.c: rps_trigger_softirq (IPI handler)
  private ipiArrive(cpu: number): void {
    this.sched.hardirq(cpu, this.costs.irq, this.ipiHandlerFn, cpu);
  }

  // net/core/dev.c: process_backlog
  private processBacklog(cpu: number, quota: number): number {
    const sd = this.softnet;
    if (sd.ipiList[cpu]!.length > 0) this.sendIpis(cpu);
    this.backlogWeight[cpu] = this.sys.devRxWeight;
    const ring = sd.ring[cpu]!;
    const r = this.r;
    let work = 0;
    for (;;) {
      while (sd.processLen[cpu]! > 0) {
        let chunk = Math.min(sd.processLen[cpu]!, quota - work);
        if (chunk > NAPI_POLL_WEIGHT) chunk = NAPI_POLL_WEIGHT;
        const k = r.ring_dequeue_burst(ring, this.slotAddr, chunk);
        sd.processLen[cpu] = sd.processLen[cpu]! - k;
        this.cost += k * this.costs.backlogDequeue;
        for (let i = 0; i < k; i++) {
          const h = this.scratch[this.slot + i]!;
          const segs = this.skbGsoSegs[h]!;
          if (segs > 1) this.backlogExtraSegs -= segs - 1;
          this.receiveLocal(h, cpu);
        }
        work += k;
        if (work >= quota) {
          sd.queueHead[cpu] = (sd.queueHead[cpu]! + work) >>> 0;
          return work;
        }
      }
      const qlen = r.ring_count(ring);
      if (qlen === 0) {
        this.napiSched[cpu] = 0;
        break;
      }
      sd.processLen[cpu] = qlen;
    }
    if (work > 0) sd.queueHead[cpu] = (sd.queueHead[cpu]! + work) >>> 0;
    return work;
  }

  // net/core/dev.c: __netif_receive_skb (processed++ on the protocol CPU)
  private receiveLocal(h: number, cpu: number): void {
    this.softnet.processed[cpu]! += 1;
    this.cost += this.stackCost(h);
    const prev = this.curCpu;
    this.curCpu = cpu;
    this.stackReceive(h);
    this.curCpu = prev;
  }

  /** The stack hands a packet to a socket: the app thread's recvmsg costs
   *  CPU time on its CPU, and records the flow for RFS (sock_rps_record_flow). */
  onDeliver(h: number): void {
    // outside the RX path (a socket read by the app's own timer) the protocol CPU is unknown:
    // that reader runs where onUdpQueued last saw its datagrams processed
    const cpu = this.curCpu;
    const tOff = this.skbTransport[h]!;
    if (tOff === 0xff) return;
    const base = h * SKB_HEADROOM;
    const t = base + tOff;
    const net = base + this.skbNetwork[h]!;
    const p = this.skbProtocol[h];
    const l4 = p === 0x0800 ? this.hdr[net + 9] : p === 0x86dd ? this.hdr[net + 6] : 0;
    const dport = (this.hdr[t + 2]! << 8) | this.hdr[t + 3]!;
    const l4hdr = l4 === 6 ? (this.hdr[t + 12]! >> 4) * 4 : 8;
    const payload = this.skbLen[h]! - tOff - l4hdr;
    if (l4 === 6 && payload <= 0) return; // handshake and pure ACKs never reach recvmsg
    this.chargeRecv(h, cpu, l4, dport, payload);
  }

  /** onDeliver's recvmsg charge and RFS record for a packet with data (its own function: the check
   *  above, which every SYN and pure ACK stops at, stays small enough for V8 to inline). */
  private chargeRecv(h: number, cpu: number, l4: number, dport: number, payload: number): void {
    const app = this.appByPort.get(dport);
    if (cpu >= 0) this.lastCpuByPort[dport] = cpu;
    // appCpu(dport), sharing this lookup of `app`: a reader with no thread spec runs where its
    // packets were processed (wake-affine; lastCpuByPort was just set to cpu when known)
    const appCpu = app !== undefined ? appCpuAt(app, this.loop.now) : this.lastCpuByPort[dport]!;
    const c = this.costs;
    this.sched.addApp(appCpu, c.app + Math.max(0, payload) * c.copyPerByte + (cpu >= 0 && appCpu !== cpu ? c.remote : 0));
    if (l4 === 6 || (app !== undefined && app.connected)) this.rps.recordFlow(this.skbHash[h]!, appCpu);
  }

  /** A datagram was queued for local `port`'s reader (not blocked in recvmsg): its wakeup
   *  (net/core/sock.c: sock_def_readable) comes from the protocol CPU, so a reader with no thread
   *  spec will run there (wake-affine), and its later recvmsg (a read timer, outside the RX path)
   *  is charged there by onDeliver. */
  onUdpQueued(port: number): void {
    if (this.curCpu >= 0) this.lastCpuByPort[port] = this.curCpu;
  }

  /** The CPU the application thread reading local `port` runs on now: its AppThread's, else where its
   *  data was last processed (onDeliver's wake-affine placement), else CPU 0. */
  appCpu(port: number): number {
    const app = this.appByPort.get(port);
    return app !== undefined ? appCpuAt(app, this.loop.now) : this.lastCpuByPort[port]!;
  }

  /** Packets in the per-CPU backlogs (for the ledger). */
  held(): number {
    let n = 0;
    for (let c = 0; c < this.cpus; c++) n += this.r.ring_count(this.softnet.ring[c]!);
    return n;
  }

  /** Wire packets in the per-CPU backlogs and held by GRO (for the ledger:
   *  an aggregate carries gso_segs packets). */
  heldSegments(): number {
    let n = this.held() + this.backlogExtraSegs;
    for (const g of this.napiGro) if (g !== null && g.heldCount > 0) n += g.stats().heldSegments;
    return n;
  }

  /** skbs held by GRO (aggregates; for the pool balance). */
  groHeldSkbs(): number {
    let n = 0;
    for (const g of this.napiGro) if (g !== null) n += g.heldCount;
    return n;
  }

  /** softnet_stat column 12: input_pkt_queue + process_queue. */
  backlogLen(cpu: number): number {
    return this.r.ring_count(this.softnet.ring[cpu]!);
  }

  /** Is NAPI n scheduled (for tests). */
  napiScheduled(n: number): boolean {
    return this.napiSched[n] === 1;
  }
}
