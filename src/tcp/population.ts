// A client population (one `connect` traffic entry): how many connect()s were
// attempted, completed and failed, and how long each took to reach
// ESTABLISHED (the connect() latency an application sees).

export interface ConnectReport {
  from: string;
  to: string;
  attempted: number;
  connected: number;
  failed: number;
  /** Still in SYN_SENT at the end of the run. */
  pending: number;
  /** Connect time percentiles in microseconds (nearest rank), null if none connected. */
  p50Us: number | null;
  p90Us: number | null;
  p99Us: number | null;
}

export class ConnectPopulation {
  attempted = 0;
  connected = 0;
  failed = 0;
  /** connect() could not even start (no ephemeral port free, no skb). */
  private times = new Float64Array(64);

  constructor(
    readonly from: string,
    readonly to: string,
  ) {}

  onConnected(ns: number): void {
    if (this.connected === this.times.length) {
      const t = new Float64Array(this.times.length * 2);
      t.set(this.times);
      this.times = t;
    }
    this.times[this.connected++] = ns;
  }

  onFailed(): void {
    this.failed++;
  }

  report(): ConnectReport {
    const n = this.connected;
    const sorted = this.times.slice(0, n).sort();
    const pct = (p: number): number | null => (n === 0 ? null : Math.round(sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)]! / 1e3 * 1000) / 1000);
    return {
      from: this.from,
      to: this.to,
      attempted: this.attempted,
      connected: n,
      failed: this.failed,
      pending: this.attempted - n - this.failed,
      p50Us: pct(50),
      p90Us: pct(90),
      p99Us: pct(99),
    };
  }
}
