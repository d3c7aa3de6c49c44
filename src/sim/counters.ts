// nstat-style counters for one host: Linux MIB names (IpInReceives,
// TcpExtListenOverflows, UdpNoPorts …). Names are registered once and turned
// into indices, so the per-packet increment is a typed-array add.

export class Counters {
  private readonly values: Float64Array;
  private readonly index = new Map<string, number>();
  private readonly names: string[] = [];

  constructor(capacity = 256) {
    this.values = new Float64Array(capacity);
  }

  /** Index of a counter (registering it on first use). */
  id(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      if (i >= this.values.length) throw new Error(`too many counters (${this.values.length}); registering ${name}`);
      this.index.set(name, i);
      this.names.push(name);
    }
    return i;
  }

  add(id: number, n = 1): void {
    this.values[id]! += n;
  }

  get(name: string): number {
    const i = this.index.get(name);
    return i === undefined ? 0 : this.values[i]!;
  }

  /** Non-zero counters, sorted by name, as nstat prints them. */
  nonZero(): Record<string, number> {
    const out: Record<string, number> = {};
    const order = this.names.map((n, i) => [n, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [n, i] of order) if (this.values[i] !== 0) out[n] = this.values[i]!;
    return out;
  }
}
