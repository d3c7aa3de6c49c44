// Builds hosts, NICs, links and traffic from a WorldSpec on one WASM core and
// runs them on the event loop. Owns the packet ledger: every skb it hands out
// comes back through deliver() or drop(), or is still held by a queue.
import type { Core } from "../core/core.js";
import type { RssContext } from "../core/rss.js";
import { EventLoop, type RunResult } from "./loop.js";
import { Ledger, type LedgerReport } from "./ledger.js";
import { Rng } from "./rng.js";
import { ScratchRegions } from "./scratch.js";
import { Nic, NIC_STAGE_SLOTS, type DropSink } from "../net/nic.js";
import { GSO_OUT_SLOTS } from "../net/nic-tx.js";
import { Host, NAPI_SCRATCH_SLOTS } from "../net/host.js";
import { Link, LinkDirection, type WireTap } from "../net/link.js";
import type { TrafficContext, TrafficStats } from "../traffic/source.js";
import { SynGenerator } from "../traffic/syn.js";
import { ConnectGenerator } from "../traffic/connect.js";
import type { TcpEnv } from "../tcp/tcp-host.js";
import { TcpFlowGenerator } from "../traffic/bulk.js";
import type { FlowRecord } from "../tcp/flows.js";
import type { TcpListenerConfig } from "../tcp/tcp-host.js";
import type { ListenerConfig } from "../net/host.js";
import { UdpGenerator } from "../traffic/udp.js";
import { TimeSeries } from "./timeseries.js";
import type { WorldSpec } from "./world-spec.js";
import type { CoreConfig } from "../core/config.js";
import { backlogRingSlots } from "../cpu/softnet.js";
import { hashSeed } from "../cpu/flow-hash.js";
import { udpHeldBound } from "../net/udp-held.js";
import { EPHEMERAL_PORTS } from "../scenario/model-bounds.js";

/** Timing-wheel entries one connection may hold at once (both ends). */
const SOCK_TIMERS = 8;

/** Core memory plan large enough for everything the spec can hold at once. */
export function coreConfigFor(spec: WorldSpec): Partial<CoreConfig> {
  let queued = 0;
  let ringSlots = 0;
  let rings = 0;
  let txRingSlots = 0;
  const pow2 = (n: number): number => {
    let s = 2;
    while (s < n) s *= 2;
    return s;
  };
  // One NIC per link end, each with its RX rings, TX ring and qdisc.
  const nicsOf = (name: string): number => spec.links.filter((l) => l.a === name || l.b === name).length;
  let nics = 0;
  let rxQueues = 0;
  let txQueues = 0;
  for (const h of spec.hosts) {
    const k = nicsOf(h.name);
    nics += k;
    rxQueues += k * h.nic.queues;
    // TX: one descriptor ring (assembly/tx-ring.ts, txRing descriptors) and one qdisc per TX
    // queue; the qdisc's one-band limit (pfifo_fast txqueuelen, fq sch->limit 10000) bounds what
    // default-priority traffic can hold
    const qdiscMax = String(h.sysctl["net.core.default_qdisc"] ?? "pfifo_fast") === "fq" ? 10000 : Math.max(1, h.nic.txqueuelen);
    queued += k * (h.nic.queues * h.nic.rxRing + h.nic.queues * (h.nic.txRing + qdiscMax));
    ringSlots += k * h.nic.queues * pow2(h.nic.rxRing);
    rings += k * h.nic.queues;
    txQueues += k * h.nic.queues;
    txRingSlots += k * h.nic.queues * h.nic.txRing;
    // per-CPU backlogs (input_pkt_queue + process_queue)
    const maxBacklog = Number(h.sysctl["net.core.netdev_max_backlog"] ?? 1000);
    queued += h.cpus * 2 * (maxBacklog + 1);
    ringSlots += h.cpus * backlogRingSlots(maxBacklog);
    rings += h.cpus;
  }
  // Frames on a wire at once: bandwidth-delay product in minimum-size frames (a reorderDelay may hold every frame
  // that much longer; the default hold, two serialization times, is the + 2).
  for (const l of spec.links) queued += 2 * Math.ceil((l.rateBps * (l.delayNs + (l.reorderDelayNs ?? 0))) / 1e9 / (84 * 8) + 2);
  // UDP receive queues and IP reassembly hold skbs too (src/net/udp-sock.ts, ipfrag.ts).
  queued += udpHeldBound(spec);
  const skbs = Math.min(1 << 21, queued + 4096);
  // TCP sockets a traffic item can hold at once, each end with its pending timers: a connect without a rate
  // opens count at once, bounded by the 28232 ephemeral ports of one source (inet_hash_connect), as are the
  // flows of bulk/rr; an incast opens one per sender. SYN-SENT/request/TIME-WAIT timers and the data model's
  // (retransmit, delayed ACK, pacing, reader/writer): SOCK_TIMERS per connection, both ends.
  let socks = 0;
  for (const t of spec.traffic) {
    if (t.kind === "connect") socks += Math.min(t.count, EPHEMERAL_PORTS);
    else if (t.kind === "bulk" || t.kind === "rr") socks += t.flows;
    else if (t.kind === "incast") socks += t.senders.length;
  }
  return {
    skbs,
    // ring slots, rings, GRO contexts and TX descriptors are not clamped: validation (src/scenario/model-bounds.ts)
    // refuses a scenario that needs more than the core holds, so a plan past a range is a bug, named at core creation
    ringSlots,
    maxRings: Math.max(16, rings),
    rssContexts: Math.max(1, nics),
    wheelEntries: Math.min(1 << 24, skbs + 4096 + 64 * spec.traffic.length + SOCK_TIMERS * socks),
    // the NICs' RX staging slots, GSO's, then each host's NAPI burst and GRO out list
    ioSlots: Math.max(4096, NIC_STAGE_SLOTS + GSO_OUT_SLOTS + spec.hosts.length * NAPI_SCRATCH_SLOTS),
    // one GRO context per NAPI instance (RX queue)
    groContexts: Math.max(1, rxQueues),
    // one struct dql per TX queue
    dqlQueues: Math.min(65536, Math.max(256, txQueues)),
    // the TX queues' descriptor rings
    txRingSlots,
  };
}

/** Listeners that bulk/incast/rr traffic targets run a sink reader unless
 *  they name an application (src/tcp/apps.ts); others keep no data model. */
function withSinkApps(host: string, listeners: readonly ListenerConfig[], spec: WorldSpec): ListenerConfig[] {
  const targeted = new Set(spec.traffic.filter((t) => (t.kind === "bulk" || t.kind === "incast" || t.kind === "rr") && t.to === host).map((t) => t.port));
  return listeners.map((l) => (targeted.has(l.port) && (l as TcpListenerConfig).app === undefined ? ({ ...l, app: { kind: "sink" } } as TcpListenerConfig) : l));
}

export interface WorldResult {
  run: RunResult;
  ledger: LedgerReport;
  /** Live skbs in the pool at the end; equals skbsInFlight when balanced. */
  poolLive: number;
  /** skbs held by queues at the end (ledger.inFlight counts wire packets:
   *  a GRO aggregate is one skb carrying gso_segs of them). */
  skbsInFlight: number;
}

export class World implements DropSink {
  readonly loop: EventLoop;
  readonly ledger = new Ledger();
  readonly rng: Rng;
  readonly hosts = new Map<string, Host>();
  readonly links: Link[] = [];
  readonly traffic: { stats: TrafficStats; start(): void }[] = [];
  readonly series: TimeSeries;
  /** Client populations of the `connect` traffic entries, in spec order. */
  readonly connects: ConnectGenerator[] = [];
  /** TCP data traffic entries (bulk, rr, incast senders), in spec order. */
  readonly tcpFlows: TcpFlowGenerator[] = [];
  /** Data connections by flowKey (src/tcp/flows.ts). */
  readonly flows = new Map<string, FlowRecord>();
  /** Kernel log lines (dmesg), prefixed by the host name. */
  readonly warnings: string[] = [];
  private readonly directions: LinkDirection[] = [];
  private result: WorldResult | null = null;

  constructor(
    readonly core: Core,
    readonly spec: WorldSpec,
    tap: WireTap | null = null,
  ) {
    this.loop = new EventLoop(core.wheel);
    this.rng = new Rng(spec.seed);
    const linkRng = this.rng.fork();
    const trafficRng = this.rng.fork();
    const tcpRng = this.rng.fork();
    const scratch = new ScratchRegions(core);
    const rssSlot = scratch.take(NIC_STAGE_SLOTS, "NIC RX staging");
    const gsoSlot = scratch.take(GSO_OUT_SLOTS, "GSO");
    const alloc = (): number => {
      const h = core.allocOne(this.loop.now);
      if (h >= 0) this.ledger.create();
      return h;
    };
    for (const hs of spec.hosts) {
      const env: TcpEnv = {
        loop: this.loop,
        rng: tcpRng,
        alloc,
        created: (n) => this.ledger.create(n),
        delivered: (n) => this.ledger.deliver(n),
        gso: true,
        warn: (msg) => void this.warnings.push(`${hs.name}: ${msg}`),
        flows: this.flows,
      };
      const host = new Host(core, { ...hs, listeners: withSinkApps(hs.name, hs.listeners, spec), hashSeed: hashSeed(spec.seed, hs.name) }, this.loop, this, (h) => this.deliver(h), scratch.take(NAPI_SCRATCH_SLOTS, `${hs.name} NAPI`), env);
      this.hosts.set(hs.name, host);
    }
    const newNic = (host: Host, peer: Host): Nic => {
      const rss: RssContext = core.rss.create({ queues: host.config.nic.queues, retaSize: 128 });
      const defaultQdisc = String(host.config.sysctl["net.core.default_qdisc"] ?? "pfifo_fast");
      // net/core/sysctl_net_core.c: proc_do_dev_weight — dev_tx_weight = dev_weight × dev_weight_tx_bias (int)
      const sys = host.config.sysctl;
      const devTxWeight = Math.imul(Number(sys["net.core.dev_weight"] ?? 64), Number(sys["net.core.dev_weight_tx_bias"] ?? 1));
      const nic = new Nic(core, `eth${host.nics.length}`, { ...host.config.nic, defaultQdisc, devTxWeight }, rss, rssSlot, this, this.loop, host.qdiscEnv(), gsoSlot);
      host.addNic(nic, peer.config.addr);
      return nic;
    };
    for (const ls of spec.links) {
      const a = this.host(ls.a);
      const b = this.host(ls.b);
      const aNic = newNic(a, b);
      const bNic = newNic(b, a);
      const cfg = { rateBps: ls.rateBps, delayNs: ls.delayNs, loss: ls.loss, reorder: ls.reorder, reorderDelayNs: ls.reorderDelayNs };
      const ab = new LinkDirection(aNic, bNic, a.name, b.name, cfg, this.loop, linkRng, core.skb.len, this, tap);
      const ba = new LinkDirection(bNic, aNic, b.name, a.name, cfg, this.loop, linkRng, core.skb.len, this, tap);
      this.links.push(new Link(a.name, b.name, ab, ba));
      this.directions.push(ab, ba);
    }
    const ctx: TrafficContext = {
      core,
      loop: this.loop,
      rng: trafficRng,
      alloc,
      send: (host, h) => host.stack.sendDatagram(h),
      // the NIC sendDatagram's ipOutput routes to (Host.route's rule: Host.nicFor), its link's quiet step
      quietLane: (host, dst) => {
        const tx = host.nics.length > 0 ? host.nicFor(dst).tx : null;
        return tx !== null ? tx.quietWire : null;
      },
    };
    for (const t of spec.traffic) {
      const from = this.host(t.from);
      const to = this.host(t.to);
      if (t.kind === "connect") {
        const g = new ConnectGenerator(ctx, from, to, { count: t.count, at: t.at, rate: t.rate, dport: t.port, ...(t.holdNs !== undefined ? { holdNs: t.holdNs } : {}) });
        this.connects.push(g);
        this.traffic.push(g);
      } else if (t.kind === "syn-flood") {
        this.traffic.push(new SynGenerator(ctx, from, to, { count: t.count, at: t.at, rate: t.rate, spoof: t.spoof, dport: t.port, bare: t.bare ?? false }));
      } else if (t.kind === "bulk" || t.kind === "rr") {
        const g = new TcpFlowGenerator(ctx, from, to, {
          kind: t.kind,
          flows: t.flows,
          bytes: t.kind === "bulk" ? t.bytes : 0,
          writeRate: t.kind === "bulk" ? (t.writeRate ?? Infinity) : Infinity,
          request: t.kind === "rr" ? t.request : 0,
          response: t.kind === "rr" ? t.response : 0,
          at: t.at,
          dport: t.port,
          ...(t.cc !== undefined ? { cc: t.cc } : {}),
          ...(t.sndbuf !== undefined ? { sndbuf: t.sndbuf } : {}),
          ...(t.maxPacingRate !== undefined ? { maxPacingRate: t.maxPacingRate } : {}),
          ...(t.userTimeoutMs !== undefined ? { userTimeoutMs: t.userTimeoutMs } : {}),
          ...(t.kind === "rr" && t.count !== undefined ? { count: t.count } : {}),
        });
        this.tcpFlows.push(g);
        this.traffic.push(g);
      } else if (t.kind === "incast") {
        for (const name of t.senders) {
          const g = new TcpFlowGenerator(ctx, this.host(name), to, {
            kind: "incast",
            flows: 1,
            bytes: t.bytes,
            writeRate: t.writeRate ?? Infinity,
            request: 0,
            response: 0,
            at: t.at,
            dport: t.port,
            ...(t.cc !== undefined ? { cc: t.cc } : {}),
            ...(t.sndbuf !== undefined ? { sndbuf: t.sndbuf } : {}),
            ...(t.maxPacingRate !== undefined ? { maxPacingRate: t.maxPacingRate } : {}),
            ...(t.userTimeoutMs !== undefined ? { userTimeoutMs: t.userTimeoutMs } : {}),
          });
          this.tcpFlows.push(g);
          this.traffic.push(g);
        }
      } else if (t.kind === "udp") {
        this.traffic.push(new UdpGenerator(ctx, from, to, { flows: t.flows, size: t.size, pps: t.pps, count: t.count, at: t.at, dport: t.port }));
      }
    }
    this.series = new TimeSeries(this, spec.timeseriesPoints ?? 100);
  }

  host(name: string): Host {
    const h = this.hosts.get(name);
    if (h === undefined) throw new Error(`no host named ${name}`);
    return h;
  }

  // The ledger counts wire packets. GRO frees the skbs it merges
  // (GRO_MERGED_FREE) without a count; the aggregate carries them as
  // gso_segs and settles them all when it is delivered or dropped.
  drop(h: number, reason: string): void {
    const segs = this.core.skb.gsoSegs[h]!;
    this.ledger.drop(reason, segs > 1 ? segs : 1);
    this.core.freeLater(h);
  }

  deliver(h: number): void {
    const segs = this.core.skb.gsoSegs[h]!;
    this.ledger.deliver(segs > 1 ? segs : 1);
    // one WASM call per 256 frees instead of one each (same reuse order)
    this.core.freeLater(h);
  }

  /** Wire packets held anywhere in the model (rings, qdiscs, wires,
   *  backlogs, GRO). */
  inFlight(): number {
    let n = 0;
    for (const host of this.hosts.values()) {
      for (const nic of host.nics) n += nic.heldSegments();
      n += host.stack.held();
      n += host.stack.tcp.backlogHeld().segs; // socket backlogs
      n += host.heldSegments(); // per-CPU backlogs and GRO
    }
    for (const d of this.directions) n += d.held();
    return n;
  }

  /** skbs held anywhere in the model (what the pool should have live). */
  skbsInFlight(): number {
    let n = 0;
    for (const host of this.hosts.values()) {
      for (const nic of host.nics) n += nic.held();
      n += host.stack.held();
      n += host.stack.tcp.backlogHeld().skbs;
      n += host.heldSkbs();
    }
    for (const d of this.directions) n += d.held();
    return n;
  }

  private settleCpusIdle(): boolean {
    let added = false;
    for (const host of this.hosts.values()) if (host.rx.sched.settleIdle()) added = true;
    return added;
  }

  linkDirections(): readonly LinkDirection[] {
    return this.directions;
  }

  run(onProgress?: (now: number) => void): WorldResult {
    if (this.result !== null) return this.result;
    for (const t of this.traffic) t.start();
    this.series.start();
    let run = this.loop.run(this.spec.durationNs, onProgress);
    // CPUs end softirq sessions lazily (src/cpu/sched.ts): their last steps run before the run is over
    while (run.stoppedBy === "idle" && this.settleCpusIdle()) run = this.loop.run(this.spec.durationNs, onProgress);
    this.series.finish();
    this.result = { run, ledger: this.ledger.report(this.inFlight()), poolLive: this.core.poolStats().live, skbsInFlight: this.skbsInFlight() };
    return this.result;
  }
}
