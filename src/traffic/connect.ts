// `connect`: a population of client sockets, each a real connect() on the
// sending host's TCP (SYN, retries, ESTABLISHED on the SYN-ACK, final ACK).
// `count` connections all at `at`, or one every 1/rate seconds from `at`.
import type { Host } from "../net/host.js";
import type { TrafficContext, TrafficStats } from "./source.js";
import { ConnectPopulation } from "../tcp/population.js";
import { tcpConnect } from "../tcp/client.js";

export interface ConnectGenConfig {
  count: number;
  /** Start time (ns). */
  at: number;
  /** connect() calls per second; 0 = all at `at`. */
  rate: number;
  dport: number;
  /** Close each connection this long after it is established (default: keep it open). */
  holdNs?: number;
}

export class ConnectGenerator {
  readonly stats: TrafficStats;
  readonly population: ConnectPopulation;
  private started = 0;
  private readonly kind: number;
  private readonly daddr: Uint8Array;

  constructor(
    private readonly ctx: TrafficContext,
    private readonly from: Host,
    to: Host,
    private readonly config: ConnectGenConfig,
  ) {
    const dest = `${to.name}:${config.dport}`;
    this.stats = { kind: "connect", from: from.name, to: dest, packets: 0, bytes: 0, allocFailures: 0 };
    this.population = new ConnectPopulation(from.name, dest);
    this.daddr = Uint8Array.from(to.config.addr);
    this.kind = ctx.loop.register(`connect ${from.name}->${dest}`, () => this.fire());
  }

  start(): void {
    if (this.config.count > 0) this.ctx.loop.at(this.config.at, this.kind, 0);
  }

  private fire(): void {
    const { config } = this;
    const burst = config.rate > 0 ? 1 : config.count - this.started;
    for (let i = 0; i < burst; i++) {
      this.started++;
      this.stats.packets++;
      tcpConnect(this.from.stack.tcp, this.population, this.daddr, config.dport, config.holdNs ?? Infinity);
    }
    if (this.started < config.count) this.ctx.loop.after(1e9 / config.rate, this.kind, 0);
  }
}
