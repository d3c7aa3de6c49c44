// The run report as plain data: what `--json` writes and what the text view
// renders. Field names follow Linux's (nstat counters, softnet_stat columns,
// ss columns) so the numbers read like the tools that print them on a host.
import type { World, WorldResult } from "../sim/world.js";
import type { LedgerReport } from "../sim/ledger.js";
import type { TimeSeriesReport } from "../sim/timeseries.js";
import type { TrafficStats } from "../traffic/source.js";
import { formatIPv4, formatIPv6 } from "../wire/addr.js";
import type { ConnectReport } from "../tcp/population.js";
import { flowReports, type FlowReport } from "./flows.js";
import type { TxQueueStats } from "../net/nic-tx.js";
import type { SoftnetStat } from "../net/host.js";
import type { LatencyReport } from "../sim/latency-hist.js";

/** A TX queue's counters (the driver's, nic-tx.ts) with its BQL state and latency. */
export interface TxQueueReport extends TxQueueStats {
  dev: string;
  queue: number;
  bql: { limit: number; inflight: number; limit_min: number; limit_max: number };
  /** Per wire frame: time from the qdisc enqueue (__dev_queue_xmit) to the wire taking it from the
   *  driver ring (qdisc + ring wait); a GSO/TSO skb's frames each count, stamped with the skb's enqueue. */
  latency: LatencyReport;
  /** The driver-ring part of `latency` (posted by ndo_start_xmit -> the wire takes it): what BQL bounds. */
  ringLatency: LatencyReport;
}

export interface QdiscReport {
  kind: string;
  limit: number;
  /** bytes */
  backlog: number;
  /** packets */
  qlen: number;
  packets: number;
  bytes: number;
  drops: number;
  overlimits: number;
  requeues: number;
  fq?: Record<string, unknown>;
  children?: (Omit<QdiscReport, "children"> & { queue: number })[];
}

export interface ListenerReport {
  port: number;
  backlog: number;
  acceptQueue: number;
  synQueue: number;
}

export interface HostReport {
  addr: string;
  cpus: number;
  nstat: Record<string, number>;
  listeners: ListenerReport[];
  tcpStates: Record<string, number>;
  /** The TCP line of /proc/net/sockstat: sockets in use, orphans, time-wait, allocated, tcp_mem pages. */
  sockstat: { inuse: number; orphan: number; tw: number; alloc: number; mem: number };
  /** Per RX queue as `ethtool -S` (rx_queue_N_packets/bytes, drops = rx_missed) and the CPU its IRQ runs on. */
  /** irqs: the queue's hard IRQs; napiWatchdog: its gro_flush_timeout timer re-polls. */
  rxQueues: { dev: string; queue: number; packets: number; bytes: number; drops: number; irqs: number; napiWatchdog: number; irqCpu: number }[];
  /** Per device: `ip -s link` rx_dropped (stack drops such as full backlogs) and aRFS ntuple filters. */
  netdev: Record<string, { rx_dropped: number; rx_missed: number; arfs_filters: number; arfs_installed: number; arfs_expired: number }>;
  /** Per CPU: time split over the run (fractions of the simulated time, and ns). */
  cpu: { cpu: number; irq: number; softirq: number; ksoftirqd: number; app: number; idle: number; irqNs: number; softirqNs: number; appNs: number }[];
  /** Per TX queue (ethtool -S tx_queue_N_*): frames and bytes the wire took, queue stops
   *  (BQL + ring full) and wakes, TX completions and their interrupts, and BQL's sysfs limit and inflight. */
  txQueues: TxQueueReport[];
  /** Per device: TCP GSO skbs split by the NIC (tso on) or by software GSO before the driver (tso off),
   *  and how netdev_pick_tx chose TX queues (XPS, skb_tx_hash, the socket's cached queue). */
  txOffload: Record<string, { tso: boolean; tsoSkbs: number; tsoSegments: number; gsoSkbs: number; gsoSegments: number; pickXps: number; pickHash: number; pickCached: number }>;
  /** Root qdisc per device, as `tc -s qdisc show dev DEV`: backlog in bytes, qlen in packets,
   *  limit in packets; fq adds `fq` (tc_fq_qd_stats), mq its `children`. */
  qdisc: Record<string, QdiscReport>;
  softnet: ({ cpu: number } & SoftnetStat)[];
  /** Bound UDP sockets at the end, as `ss -uamn`: rmemAlloc is ss's Recv-Q (sk_rmem_alloc), rcvbuf its rb, drops its d. */
  udpSockets: UdpSocketReport[];
  /** IPv4 reassembly at the end: incomplete datagrams, their fragment skbs, and frag_mem_limit (bytes). */
  ipfrag: { queues: number; fragments: number; mem: number };
  /** GRO over every NAPI of the host: skbs into napi_gro_receive, skbs passed up
   *  (aggregates and packets alone); packetsIn / packetsOut is the aggregation ratio.
   *  `devices` splits it per NIC, with whether NETIF_F_GRO is on. */
  gro: { packetsIn: number; packetsOut: number; devices: Record<string, { enabled: boolean; packetsIn: number; packetsOut: number }> };
}

export interface UdpSocketReport {
  port: number;
  /** sk_rcvbuf (bytes). */
  rcvbuf: number;
  /** sk_rmem_alloc (bytes). */
  rmemAlloc: number;
  /** Datagrams waiting to be read. */
  queued: number;
  /** Datagrams the application read (recvmsg). */
  reads: number;
  /** sk_drops: datagrams refused for want of receive buffer. */
  drops: number;
}

export interface Report {
  scenario: string;
  description?: string;
  seed: number;
  durationNs: number;
  simTimeNs: number;
  stoppedBy: string;
  events: number;
  hosts: Record<string, HostReport>;
  links: { a: string; b: string; packets: number; bytes: number }[];
  traffic: TrafficStats[];
  /** Per `connect` traffic entry: the client population's outcome and connect() latency. */
  connects: ConnectReport[];
  /** Kernel log lines (e.g. "Possible SYN flooding on port …"), prefixed by host. */
  warnings: string[];
  ledger: LedgerReport;
  /** skbs live in the pool and held by queues (GRO aggregates are one skb each). */
  pool: { live: number; inFlight: number; balanced: boolean };
  timeseries: TimeSeriesReport;
  /** TCP data connections (bulk, rr, incast): per-flow results and the ss -ti view. */
  flows: FlowReport[];
}

const frac = (x: number): number => Math.round(x * 1e4) / 1e4;

/** Time charged to a CPU can run past the end of the run (work started
 *  before it); the split is clipped to the simulated time. */
function cpuSplit(cpu: number, t: { irq: number; softirq: number; ksoftirqd: number; app: number }, elapsed: number) {
  const busy = t.irq + t.softirq + t.app;
  const scale = elapsed > 0 && busy > elapsed ? elapsed / busy : 1;
  const e = elapsed > 0 ? elapsed : 1;
  const irq = (t.irq * scale) / e;
  const softirq = (t.softirq * scale) / e;
  const app = (t.app * scale) / e;
  return {
    cpu,
    irq: frac(irq),
    softirq: frac(softirq),
    ksoftirqd: frac((t.ksoftirqd * scale) / e),
    app: frac(app),
    idle: frac(Math.max(0, 1 - irq - softirq - app)),
    irqNs: Math.round(t.irq),
    softirqNs: Math.round(t.softirq),
    appNs: Math.round(t.app),
  };
}

export function buildReport(world: World, result: WorldResult): Report {
  const hosts: Record<string, HostReport> = {};
  for (const host of world.hosts.values()) {
    const listeners = host.listeners().map((l) => ({ port: l.port, backlog: l.backlog, acceptQueue: l.acceptQueue, synQueue: l.synQueue }));
    const tcpStates = host.stack.tcp.states();
    const addr = host.config.addr;
    hosts[host.name] = {
      addr: addr.length === 4 ? formatIPv4(addr) : formatIPv6(addr),
      cpus: host.config.cpus,
      nstat: host.nstat.nonZero(),
      listeners,
      tcpStates,
      sockstat: host.stack.tcp.sockstat(),
      rxQueues: host.nics.flatMap((nic, n) => Array.from({ length: nic.queues }, (_, q) => ({ dev: nic.name, queue: q, ...nic.rxQueueStats(q), napiWatchdog: host.napiWatchdogFires(n, q), irqCpu: host.irqCpu(q, n) }))),
      netdev: Object.fromEntries(
        host.nics.map((nic) => [
          nic.name,
          { rx_dropped: nic.rxDropped, rx_missed: nic.rxMissed.reduce((a, b) => a + b, 0), arfs_filters: nic.arfsFilters, arfs_installed: nic.arfsInstalled, arfs_expired: nic.arfsExpired },
        ]),
      ),
      cpu: Array.from({ length: host.config.cpus }, (_, cpu) => cpuSplit(cpu, host.cpuTime(cpu), result.run.now)),
      txQueues: host.nics.flatMap((nic) =>
        nic.tx.stats.map((st, q) => {
          const b = nic.tx.dql[q]!.sysfs();
          return { dev: nic.name, queue: q, ...st, bql: { limit: b.limit, inflight: b.inflight, limit_min: b.limit_min, limit_max: b.limit_max }, latency: nic.tx.latency[q]!.report(), ringLatency: nic.tx.ringLatency[q]!.report() };
        }),
      ),
      qdisc: Object.fromEntries(host.nics.map((nic) => [nic.name, nic.tx.qdiscReport() as unknown as QdiscReport])),
      txOffload: Object.fromEntries(
        host.nics.map((nic) => [nic.name, { tso: nic.tx.config.tso, ...nic.tx.gsoCounts, pickXps: nic.tx.pick.xps, pickHash: nic.tx.pick.hash, pickCached: nic.tx.pick.cached }]),
      ),
      softnet: Array.from({ length: host.config.cpus }, (_, cpu) => ({ cpu, ...host.softnet(cpu) })),
      udpSockets: [...host.stack.udpSocks.values()].map((u) => ({ port: u.port, rcvbuf: u.rcvbuf, rmemAlloc: u.rmemAlloc, queued: u.queued, reads: u.reads, drops: u.drops })),
      ipfrag: host.stack.defrag.stats(),
      gro: {
        ...host.groCounts(),
        devices: Object.fromEntries(host.nics.map((nic, n) => [nic.name, { enabled: nic.config.gro ?? true, ...host.groCounts(n) }])),
      },
    };
  }
  const links = world.linkDirections().map((d) => ({ a: d.fromName, b: d.toName, packets: d.packets, bytes: d.bytes }));
  return {
    scenario: world.spec.name,
    ...(world.spec.description !== undefined ? { description: world.spec.description } : {}),
    seed: world.spec.seed,
    durationNs: world.spec.durationNs,
    simTimeNs: result.run.now,
    stoppedBy: result.run.stoppedBy,
    events: result.run.events,
    hosts,
    links,
    traffic: world.traffic.map((t) => ({ ...t.stats })),
    connects: world.connects.map((c) => c.population.report()),
    warnings: [...world.warnings],
    ledger: result.ledger,
    pool: { live: result.poolLive, inFlight: result.skbsInFlight, balanced: result.poolLive === result.skbsInFlight },
    timeseries: world.series.report(),
    flows: flowReports(world),
  };
}
