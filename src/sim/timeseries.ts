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
      for (const nic of host.nics) {
        this.push(`${host.name} ${nic.name} qdisc backlog`, nic.qdiscBacklog());
        let rx = 0;
        for (let q = 0; q < nic.queues; q++) rx += nic.rxRingDepth(q);
        this.push(`${host.name} ${nic.name} rx ring depth`, rx);
      }
    }
    if (reschedule && now + this.intervalNs <= w.spec.durationNs) w.loop.after(this.intervalNs, this.kind, 0);
  }

  report(): TimeSeriesReport {
    const series: Record<string, number[]> = {};
    for (const k of [...this.series.keys()].sort()) series[k] = this.series.get(k)!;
    return { intervalNs: this.intervalNs, t: this.t, series };
  }
}
