// The run report as plain data: what `--json` writes and what the text view
// renders. Field names follow Linux's (nstat counters, softnet_stat columns,
// ss columns) so the numbers read like the tools that print them on a host.
import type { World, WorldResult } from "../sim/world.js";
import type { LedgerReport } from "../sim/ledger.js";
import type { TimeSeriesReport } from "../sim/timeseries.js";
import type { TrafficStats } from "../traffic/source.js";
import { formatIPv4, formatIPv6 } from "../wire/addr.js";
import type { ConnectReport } from "../tcp/population.js";

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
  rxQueues: { dev: string; queue: number; packets: number; bytes: number; drops: number }[];
  txQueues: { dev: string; queue: number; packets: number; bytes: number }[];
  /** Root qdisc per device, as `tc -s qdisc show dev DEV`. */
  qdisc: Record<string, { kind: string; limit: number; backlog: number; packets: number; bytes: number; drops: number }>;
  softnet: { cpu: number; processed: number; dropped: number; time_squeeze: number; received_rps: number; flow_limit_count: number }[];
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
  pool: { live: number; balanced: boolean };
  timeseries: TimeSeriesReport;
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
      rxQueues: host.nics.flatMap((nic) => Array.from({ length: nic.queues }, (_, q) => ({ dev: nic.name, queue: q, ...nic.rxQueueStats(q) }))),
      txQueues: host.nics.map((nic) => ({ dev: nic.name, queue: 0, packets: nic.txPackets, bytes: nic.txBytes })),
      qdisc: Object.fromEntries(
        host.nics.map((nic) => [
          nic.name,
          { kind: "pfifo", limit: nic.config.txqueuelen, backlog: nic.qdiscBacklog(), packets: nic.qdiscPackets, bytes: nic.qdiscBytes, drops: nic.qdiscDrops },
        ]),
      ),
      softnet: Array.from({ length: host.config.cpus }, (_, cpu) => ({ cpu, ...host.softnet(cpu) })),
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
    pool: { live: result.poolLive, balanced: result.poolLive === result.ledger.inFlight },
    timeseries: world.series.report(),
  };
}
