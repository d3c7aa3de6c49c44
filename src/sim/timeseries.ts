// Evenly spaced samples over the run: link throughput per direction, qdisc
// backlog and RX ring occupancy per host. Sampling is an event like any
// other, so it is deterministic and costs nothing between samples.
import type { World } from "./world.js";

export interface TimeSeriesReport {
  intervalNs: number;
  t: number[];
  series: Record<string, number[]>;
}

export class TimeSeries {
  private readonly t: number[] = [];
  private readonly series = new Map<string, number[]>();
  private readonly intervalNs: number;
  private readonly kind: number;
  private lastBytes: number[] = [];
  private readonly lastCpu = new Map<string, Float64Array>();

  constructor(
    private readonly world: World,
    points: number,
  ) {
    this.intervalNs = Math.max(1, world.spec.durationNs / Math.max(1, points));
    this.kind = world.loop.register("timeseries sample", () => this.sample(true));
  }

  start(): void {
    this.lastBytes = this.world.linkDirections().map((d) => d.bytes);
    this.world.loop.at(this.intervalNs, this.kind, 0);
  }

  /** Close the last partial interval so that totals match the run. */
  finish(): void {
    const last = this.t.length === 0 ? 0 : this.t[this.t.length - 1]!;
    if (this.world.loop.now > last) this.sample(false);
  }

  private push(name: string, v: number): void {
    let s = this.series.get(name);
    if (s === undefined) {
      s = [];
      this.series.set(name, s);
    }
    s.push(v);
  }

  private sample(reschedule: boolean): void {
    const w = this.world;
    const now = w.loop.now;
    const prevT = this.t.length === 0 ? 0 : this.t[this.t.length - 1]!;
    const dt = now - prevT;
    this.t.push(now);
    w.linkDirections().forEach((d, i) => {
      const bytes = d.bytes - this.lastBytes[i]!;
      this.lastBytes[i] = d.bytes;
      this.push(`link ${d.fromName}->${d.toName} bit/s`, dt > 0 ? Math.round((bytes * 8 * 1e9) / dt) : 0);
    });
    for (const host of w.hosts.values()) {
      // per CPU: busy share of the interval (irq + softirq + app) and backlog depth
      let prev = this.lastCpu.get(host.name);
      if (prev === undefined) {
        prev = new Float64Array(host.config.cpus * 2);
        this.lastCpu.set(host.name, prev);
      }
      for (let c = 0; c < host.config.cpus; c++) {
        const t = host.cpuTime(c);
        const soft = t.softirq + t.irq;
        const busy = soft + t.app;
        const ahead = host.rx.sched.ahead(c, now);
        const dSoft = soft - prev[2 * c]!;
        const dBusy = busy - ahead - prev[2 * c + 1]!;
        prev[2 * c] = soft;
        prev[2 * c + 1] = busy - ahead;
        this.push(`${host.name} cpu${c} softirq+irq %`, dt > 0 ? Math.round((Math.min(dSoft, dt) * 1000) / dt) / 10 : 0);
        this.push(`${host.name} cpu${c} busy %`, dt > 0 ? Math.round((Math.max(0, Math.min(dBusy, dt)) * 1000) / dt) / 10 : 0);
        this.push(`${host.name} cpu${c} backlog`, host.rx.backlogLen(c));
      }
      for (const nic of host.nics) {
        this.push(`${host.name} ${nic.name} qdisc backlog`, nic.qdiscBacklog());
        for (let q = 0; q < nic.tx.queues; q++) this.push(`${host.name} ${nic.name} tx-${q} bql limit`, nic.tx.dql[q]!.limit);
        let rx = 0;
        for (let q = 0; q < nic.queues; q++) rx += nic.rxRingDepth(q);
        this.push(`${host.name} ${nic.name} rx ring depth`, rx);
      }
    }
    // per TCP flow: sk_sndbuf and cwnd of the sender, sk_rcvbuf of the receiver
    for (const f of w.flows.values()) {
      if (f.sender === null) continue;
      const name = `flow ${f.from}:${f.sport}->${f.to}`;
      this.push(`${name} cwnd`, f.sender.cwnd);
      this.push(`${name} sk_sndbuf`, f.sender.sndbuf);
      this.push(`${name} sk_rcvbuf`, f.receiver?.rcvbuf ?? 0);
    }
    if (reschedule && now + this.intervalNs <= w.spec.durationNs) w.loop.after(this.intervalNs, this.kind, 0);
  }

  report(): TimeSeriesReport {
    const series: Record<string, number[]> = {};
    for (const k of [...this.series.keys()].sort()) series[k] = this.series.get(k)!;
    return { intervalNs: this.intervalNs, t: this.t, series };
  }
}
