// A host: CPUs, one NIC per link (eth0, eth1, … in link order), an nstat
// counter set, and a socket table. Receive: a NIC queue's IRQ runs on the CPU
// its affinity names and schedules that queue's NAPI; the CPU's NET_RX
// softirq polls it (src/cpu/: net_rx_action, RPS/RFS, per-CPU backlogs, the
// cost model), and the stack takes each frame on the CPU that processes it.
// Transmit: the stack counts the packet, picks the NIC by a host route to the
// destination (or the default route, eth0) and queues it on that NIC's qdisc.
import type { Core } from "../core/core.js";
import { SKB_HEADROOM, SKB_NONE } from "../core/skb-fields.js";
import type { EventLoop } from "../sim/loop.js";
import { Counters } from "../sim/counters.js";
import type { Nic, DropSink, NicConfig } from "./nic.js";
import { SockState, type QdiscEnv } from "../qdisc/qdisc.js";
import { Stack, type Listener } from "./stack.js";
import type { TcpEnv } from "../tcp/tcp-host.js";
import { NetRx, NAPI_POLL_WEIGHT, NAPI_SCRATCH_SLOTS, type AppThread } from "../cpu/net-rx.js";
import { createGro, type Gro, type GroStats } from "../core/gro.js";
import { resolveCost, ZERO_COST, type CostModel } from "../cpu/cost.js";
import { NO_RPS, type RpsConfig } from "../cpu/rps.js";
import { hashSeed } from "../cpu/flow-hash.js";
import { TCP_CLOSE } from "../tcp/constants.js";

export { NAPI_POLL_WEIGHT, NAPI_SCRATCH_SLOTS };

/** GRO counters of a device (or a host): skbs into napi_gro_receive and
 *  skbs passed up the stack; their ratio is the aggregation. */
export interface GroCounts {
  packetsIn: number;
  packetsOut: number;
}

export interface ListenerConfig {
  port: number;
  backlog: number;
  /** accept() behaviour of the application: true, false, or a rate (per s). */
  accept: boolean | number;
  /** Time between a child being queued and accept() returning it (ns, default 0). */
  acceptDelay?: number;
}

export interface HostConfig {
  name: string;
  addr: Uint8Array;
  cpus: number;
  /** Every NIC of the host is built from this. */
  nic: NicConfig;
  sysctl: Readonly<Record<string, number | string | readonly number[]>>;
  listeners: readonly ListenerConfig[];
  udpPorts: readonly number[];
  /** Per-stage CPU costs (ns); unset stages take DEFAULT_COST; no `cost` at all = ZERO_COST (ideal CPUs). */
  cost?: Partial<CostModel>;
  /** rps_cpus / rps_flow_cnt / aRFS / flow_limit_cpu_bitmap (default: all off). */
  rps?: RpsConfig;
  /** Application threads reading the sockets, by local port. */
  apps?: readonly AppThread[];
  /** Seed of the software flow hash (default: from the host name). */
  hashSeed?: number;
}

/** Per-CPU time split over a run (ns). */
export interface CpuTime {
  irq: number;
  softirq: number;
  /** Part of softirq run by ksoftirqd. */
  ksoftirqd: number;
  app: number;
}

/** A CPU's line of /proc/net/softnet_stat: the 15 columns 6.12's net/core/net-procfs.c: softnet_seq_show
 *  prints, in its order. col4-col9 are printed as 0 (4; 5-8 "was fastroute"; 9 "was cpu_collision"); the
 *  queue lengths are the backlog's at the report's time. */
export interface SoftnetStat {
  processed: number;
  dropped: number;
  time_squeeze: number;
  col4: 0;
  col5: 0;
  col6: 0;
  col7: 0;
  col8: 0;
  col9: 0;
  received_rps: number;
  flow_limit_count: number;
  /** input_qlen + process_qlen */
  backlog_len: number;
  /** the CPU's number (seq->index: every CPU is online) */
  index: number;
  input_qlen: number;
  process_qlen: number;
}

export class Host {
  readonly nstat = new Counters();
  readonly stack: Stack;
  readonly rx: NetRx;
  readonly cost: CostModel;
  readonly nics: Nic[] = [];
  /** GRO contexts of each NIC (one per RX queue / NAPI), by NIC index. */
  readonly gro: Gro[] = [];
  /** NAPI id of each NIC's queue 0. */
  private readonly napi0: number[] = [];
  /** Host routes: peer address -> the NIC whose link reaches it (IPv4 keyed
   *  by the address as a u32 so the per-packet lookup allocates nothing). */
  private readonly routes4 = new Map<number, Nic>();
  private readonly routes6 = new Map<string, Nic>();

  constructor(
    private readonly core: Core,
    readonly config: HostConfig,
    private readonly loop: EventLoop,
    drops: DropSink,
    deliver: (h: number) => void,
    pollSlot: number,
    env: TcpEnv,
  ) {
    this.cost = config.cost === undefined ? { ...ZERO_COST } : resolveCost(config.cost);
    const sys = config.sysctl;
    const num = (k: string, d: number): number => (typeof sys[k] === "number" ? (sys[k] as number) : d);
    const onDeliver = (h: number): void => {
      this.rx.onDeliver(h);
      deliver(h);
    };
    this.stack = new Stack(core, config, this.nstat, (h) => this.route(h), drops, onDeliver, env, (port) => this.rx.onUdpQueued(port));
    this.stack.tcp.setAppCost(this.cost.app, this.cost.copyPerByte);
    for (const a of config.apps ?? []) {
      for (const c of a.cpus) if (!(c >= 0 && c < config.cpus)) throw new RangeError(`hosts.${config.name}.apps: CPU ${c} for port ${a.port} is not one of the host's CPUs 0..${config.cpus - 1}`);
    }
    this.rx = new NetRx(
      core,
      loop,
      config.name,
      config.cpus,
      this.cost,
      {
        netdevBudget: num("net.core.netdev_budget", 300),
        netdevBudgetUsecs: num("net.core.netdev_budget_usecs", 2000),
        devRxWeight: num("net.core.dev_weight", 64) * num("net.core.dev_weight_rx_bias", 1),
        maxBacklog: num("net.core.netdev_max_backlog", 1000),
        sockFlowEntries: num("net.core.rps_sock_flow_entries", 0),
        flowLimitTableLen: num("net.core.flow_limit_table_len", 4096),
        groNormalBatch: num("net.core.gro_normal_batch", 8),
      },
      config.rps ?? NO_RPS,
      config.hashSeed ?? hashSeed(0, config.name),
      pollSlot,
      (h) => this.stack.receive(h),
      (h, reason) => drops.drop(h, reason),
      config.apps ?? [],
    );
    // frames of one NAPI poll reach TCP at the CPU time the poll has reached (socket-lock timing)
    this.stack.tcp.softirqClock = () => this.rx.softirqNow();
    // a poll's frames for other hosts (replies to a flood's spoofed sources) dropped by IP in one pass
    this.rx.stackOtherHostRun = (at, n) => this.stack.otherHostRun(at, n);
    this.rx.stackDropRun = (at, k) => this.stack.dropOtherHostRun(at, k);
    // a poll's SYNs for a listener through IP and TCP in one pass
    this.rx.stackListenRun = (at, n) => this.stack.listenRun(at, n);
    // tcp_mem's per-CPU reserves: the RX softirq's CPU, or the application thread's
    this.stack.tcp.rxCpu = () => this.rx.curCpu;
    this.stack.tcp.appCpu = (port) => this.rx.appCpu(port);
    if (this.rx.rps.sockTable !== null) this.stack.tcp.recordFlow = (hash, cpu) => this.rx.rps.recordFlow(hash, cpu);
    // a NAPI poll's transmits reach TCP's cookie burst, the rings and the wire in bursts
    this.rx.txHold = (begin) => {
      const nics = this.nics;
      this.stack.rxHold(begin);
      for (let i = 0; i < nics.length; i++) {
        if (begin) nics[i]!.tx.txHold();
        else nics[i]!.tx.txRelease();
      }
    };
    void loop;
  }

  get name(): string {
    return this.config.name;
  }

  /** Attach the NIC of a link whose far end has address peer. */
  addNic(nic: Nic, peer: Uint8Array): void {
    const index = this.nics.length;
    this.nics.push(nic);
    this.stack.soleNic = this.nics.length === 1 ? nic : null;
    const aff = nic.config.irqAffinity;
    if (aff !== undefined) {
      for (const c of aff) if (!(c >= 0 && c < this.config.cpus)) throw new RangeError(`hosts.${this.name}.nic.irqAffinity: CPU ${c} is not one of the host's CPUs 0..${this.config.cpus - 1}`);
    }
    // one GRO context per NAPI instance (netif_napi_add); ethtool -K gro on|off
    const gro = createGro(this.core, { contexts: nic.queues });
    for (const ctx of gro.contexts) ctx.setEnabled(nic.config.gro ?? true);
    this.gro.push(gro);
    const napi0 = this.rx.addNic(nic, nic.queues, (q) => this.irqCpu(q, index), gro.contexts, {
      groFlushTimeout: nic.config.groFlushTimeout ?? 0,
      deferHardIrqs: nic.config.napiDeferHardIrqs ?? 0,
    });
    this.napi0.push(napi0);
    nic.onRxIrq = (q) => this.rx.deviceIrq(napi0 + q, this.irqCpu(q, index));
    nic.mayExpireFlow = (q, flowId, filterId) => this.rx.rps.mayExpireFlow(index, q, flowId, filterId);
    this.rx.rps.steer = (n, h, rxq, flowId) => this.nics[n]!.rxFlowSteer(h, rxq, flowId);
    // TX completion runs on the queue's IRQ CPU (combined channels: the RX queue's affinity);
    // free stages install no hook, so ideal CPUs see no extra events
    const txIrqCost = this.cost.irq;
    const txCleanCost = this.cost.txClean;
    const sched = this.rx.sched;
    if (txIrqCost > 0 || txCleanCost > 0) {
      nic.tx.onTxIrq = (q, insertedAt) => {
        nic.rxSync(insertedAt);
        const cpu = this.irqCpu(q, index);
        if (txIrqCost > 0) sched.hardirq(cpu, txIrqCost, noop);
        return sched.ahead(cpu, this.loop.now);
      };
    }
    if (txCleanCost > 0) nic.tx.onTxClean = (q, k) => sched.softirqWork(this.irqCpu(q, index), k * txCleanCost);
    // skb->sk of transmitted skbs is a TCP socket slot (UDP skbs carry none)
    nic.tx.onTxFree = (sk, truesize) => this.stack.tcp.txFree(sk, truesize);
    nic.tx.onTxGso = (sk, orig, segs) => this.stack.tcp.txGso(sk, orig, segs);
    // the completion runs in the TX NAPI of the queue's IRQ CPU: tcp_wfree queues on that CPU's TSQ tasklet
    nic.tx.onTxBatch = (begin, q) => (begin ? this.stack.tcp.tsqHold(this.irqCpu(q, index)) : this.stack.tcp.tsqRelease());
    const xpsCheck = (what: string, lists: readonly (readonly number[])[] | undefined, max: number, unit: string): void => {
      if (lists === undefined) return;
      if (lists.length > nic.queues) throw new RangeError(`hosts.${this.name}.nic.xps.${what}: ${lists.length} entries, but the NIC has ${nic.queues} TX queues`);
      for (const l of lists) for (const x of l) if (!(Number.isInteger(x) && x >= 0 && x < max)) throw new RangeError(`hosts.${this.name}.nic.xps.${what}: ${x} is not one of the host's ${unit} 0..${max - 1}`);
    };
    xpsCheck("cpus", nic.config.xpsCpus, this.config.cpus, "CPUs");
    xpsCheck("rxqs", nic.config.xpsRxqs, nic.queues, "RX queues");
    const tcp = this.stack.tcp;
    // include/linux/skbuff.h: skb_get_hash -> __skb_get_hash for netdev_pick_tx: the host's flow hash (the
    // one RPS uses on receive: one hashrnd per boot)
    nic.tx.flowHash = (h) => this.rx.hasher.compute(h);
    nic.tx.xpsEnv = {
      txQueue: (sk) => tcp.sockAt(sk)?.txQueue ?? -1,
      sk_tx_queue_set: (sk, q) => {
        const s = tcp.sockAt(sk);
        if (s !== null) s.txQueue = q;
      },
      rxQueue: (sk) => tcp.sockAt(sk)?.rxQueue ?? -1,
      // net/core/dev.c: netdev_core_pick_tx — skb->sender_cpu = raw_smp_processor_id() + 1: every transmit
      // has one. A socket's skb: TcpHost.sendCpu (TSQ tasklet, RX softirq, else its application's CPU); a
      // sockless one: the RX softirq's (a SYN-ACK, a RST), else the sending application's (its source port's)
      senderCpu: (h) => {
        const core = this.core;
        const sk = core.skb.sk[h]!;
        if (sk !== SKB_NONE) return tcp.sendCpu(sk);
        if (this.rx.curCpu >= 0) return this.rx.curCpu;
        const t = core.skb.transport[h]!;
        const off = h * SKB_HEADROOM + t;
        return this.rx.appCpu(t === 0xff ? 0 : (core.headers[off]! << 8) | core.headers[off + 1]!);
      },
    };
    if (peer.length === 4) this.routes4.set(key4(peer, 0), nic);
    else this.routes6.set(key6(peer, 0), nic);
  }

  /** What the qdiscs of this host's NICs see of skb->sk: TCP sockets by slot (src/qdisc/qdisc.ts: QdiscEnv). */
  qdiscEnv(): QdiscEnv {
    const tcp = this.stack.tcp;
    return {
      priority: () => 0,
      // net/sched/sch_fq.c: fq_classify — a socket in TCP_CLOSE is keyed by hash, as are a time-wait sock's
      // and a request's skbs (sent by the control socket, TCP_CLOSE; the model sends them sockless)
      sockState: (sk) => {
        const s = tcp.sockAt(sk);
        return s !== null && s.state !== TCP_CLOSE && !s.tw ? SockState.FULL : SockState.UNCONNECTED;
      },
      isTcp: () => true,
      sockHash: (sk) => tcp.sockHash(sk),
      // sk_pacing_rate is ~0UL until TCP sets one
      pacingRate: (sk) => {
        const r = tcp.connOf(sk)?.pacingRate ?? 0;
        return r > 0 ? r : Infinity;
      },
      maxPacingRate: (sk) => tcp.connOf(sk)?.maxPacingRate ?? Infinity,
      setPacingStatusFq: (sk) => {
        const s = tcp.sockAt(sk);
        if (s === null) return;
        s.pacingFq = true;
        if (s.conn !== null) s.conn.pacingFq = true;
      },
      orphan: () => {},
      // include/linux/skbuff.h: skb_get_hash — the host's flow hash (__skb_get_hash) for a hashless skb
      skbGetHash: (h) => this.rx.hasher.get(h),
    };
  }

  /** The NIC a packet to `dst` leaves by: a host route, else eth0. */
  nicFor(dst: Uint8Array): Nic {
    const nic = dst.length === 4 ? this.routes4.get(key4(dst, 0)) : this.routes6.get(key6(dst, 0));
    return nic ?? this.nics[0];
  }

  // net/ipv4/route.c: ip_route_output_key — host routes, then the default route
  private route(h: number): Nic | undefined {
    if (this.nics.length <= 1) return this.nics[0];
    const b = this.core.headers;
    const net = h * 128 + this.core.skb.network[h]!;
    const nic = this.core.skb.protocol[h] === 0x86dd ? this.routes6.get(key6(b, net + 24)) : this.routes4.get(key4(b, net + 16));
    return nic ?? this.nics[0];
  }

  /** The CPU that queue q's IRQ is affine to: nic.irqAffinity, else q % cpus. */
  irqCpu(q: number, nicIndex = 0): number {
    const aff = (this.nics[nicIndex] ?? this.nics[0])?.config.irqAffinity;
    const c = aff?.[q];
    return c ?? q % this.config.cpus;
  }

  listeners(): Listener[] {
    return this.stack.listenerList();
  }

  // net/core/net-procfs.c: softnet_seq_show
  softnet(cpu: number): SoftnetStat {
    const sd = this.rx.softnet;
    // softnet_process_queue_len / softnet_input_pkt_queue_len: the ring holds process_queue first
    const backlog = this.rx.backlogLen(cpu);
    const processQlen = sd.processLen[cpu]!;
    return {
      processed: sd.processed[cpu]!,
      dropped: sd.dropped[cpu]!,
      time_squeeze: sd.timeSqueeze[cpu]!,
      col4: 0,
      col5: 0,
      col6: 0,
      col7: 0,
      col8: 0,
      col9: 0,
      received_rps: sd.receivedRps[cpu]!,
      flow_limit_count: sd.flowLimitCount(cpu),
      backlog_len: backlog,
      index: cpu,
      input_qlen: backlog - processQlen,
      process_qlen: processQlen,
    };
  }

  cpuTime(cpu: number): CpuTime {
    const s = this.rx.sched;
    s.observe(cpu);
    return { irq: s.irqNs[cpu]!, softirq: s.softirqNs[cpu]!, ksoftirqd: s.ksoftirqdNs[cpu]!, app: s.appNs[cpu]! };
  }

  /** Times the gro_flush_timeout watchdog of NIC n's queue q fired. */
  napiWatchdogFires(n: number, q: number): number {
    return this.rx.watchdogFires(this.napi0[n]! + q);
  }

  /** Packets held in the per-CPU backlogs. */
  held(): number {
    return this.rx.held();
  }

  /** Wire packets held in the per-CPU backlogs and by GRO (aggregates count gso_segs). */
  heldSegments(): number {
    return this.rx.heldSegments();
  }

  /** skbs held in the per-CPU backlogs and by GRO. */
  heldSkbs(): number {
    return this.rx.held() + this.rx.groHeldSkbs();
  }

  /** GRO counters of NIC n (summed over its queues), or of every NIC. */
  groCounts(n?: number): GroCounts {
    const out = { packetsIn: 0, packetsOut: 0 };
    for (const [i, g] of this.gro.entries()) {
      if (n !== undefined && i !== n) continue;
      for (const ctx of g.contexts) {
        const s: GroStats = ctx.stats();
        out.packetsIn += s.packetsIn;
        out.packetsOut += s.aggregatesOut;
      }
    }
    return out;
  }
}

const noop = (): void => {};

function key4(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

function key6(b: Uint8Array, off: number): string {
  let k = "";
  for (let i = 0; i < 16; i++) k += String.fromCharCode(b[off + i]!);
  return k;
}
