// TCP data traffic over real connections: `bulk` (N flows, each connect()
// then write `bytes` — or forever — through the socket's write queue),
// `rr` (netperf TCP_RR: N connections, one request/response outstanding on
// each) and `incast` (several senders start a bulk transfer to one receiver
// at the same instant). The receiving end is the listener's application
// (src/tcp/apps.ts: a sink reader, or the rr responder).
import type { Host } from "../net/host.js";
import type { TrafficContext, TrafficStats } from "./source.js";
import { ConnectPopulation } from "../tcp/population.js";
import { tcpConnect } from "../tcp/client.js";
import { connInit, type CcName } from "../tcp/data-init.js";
import { bulkStart, rrClientStart, type RrStats } from "../tcp/apps.js";
import type { FlowRecord } from "../tcp/flows.js";
import type { TcpConn } from "../tcp/conn.js";

export interface TcpFlowGenConfig {
  kind: "bulk" | "rr" | "incast";
  flows: number;
  /** bulk/incast: bytes per flow (Infinity = until the run ends). */
  bytes: number;
  /** bulk: the writer's rate in bytes/s (Infinity = as fast as the buffer allows). */
  writeRate: number;
  /** rr: request and response sizes. */
  request: number;
  response: number;
  at: number;
  dport: number;
  cc?: CcName;
  /** SO_SNDBUF on the sender. */
  sndbuf?: number;
  /** SO_MAX_PACING_RATE on the sender, bytes/s. */
  maxPacingRate?: number;
  /** TCP_USER_TIMEOUT, ms. */
  userTimeoutMs?: number;
  /** rr: transactions per flow (default: until the run ends). */
  count?: number;
}

export class TcpFlowGenerator {
  readonly stats: TrafficStats;
  readonly population: ConnectPopulation;
  readonly flows: FlowRecord[] = [];
  private readonly kind: number;
  private readonly daddr: Uint8Array;
  private readonly dest: string;

  constructor(
    private readonly ctx: TrafficContext,
    private readonly from: Host,
    to: Host,
    private readonly config: TcpFlowGenConfig,
  ) {
    this.dest = `${to.name}:${config.dport}`;
    this.stats = { kind: config.kind, from: from.name, to: this.dest, packets: 0, bytes: 0, allocFailures: 0 };
    this.population = new ConnectPopulation(from.name, this.dest);
    this.daddr = Uint8Array.from(to.config.addr);
    this.kind = ctx.loop.register(`${config.kind} ${from.name}->${this.dest}`, () => this.fire());
  }

  start(): void {
    if (this.config.flows > 0) this.ctx.loop.at(this.config.at, this.kind, 0);
  }

  /** Bytes the receivers have ACKed, summed over this entry's flows. */
  refreshStats(): void {
    let bytes = 0;
    let segs = 0;
    for (const f of this.flows) {
      const c: TcpConn | null = f.sender;
      if (c === null) continue;
      bytes += c.sndUna;
      segs += c.rtx.count + Math.ceil(c.sndUna / c.mss) + c.retransTotal;
    }
    this.stats.bytes = bytes;
    this.stats.packets = segs;
  }

  private fire(): void {
    const cfg = this.config;
    const tcp = this.from.stack.tcp;
    for (let i = 0; i < cfg.flows; i++) {
      const rec: FlowRecord = { kind: cfg.kind, from: this.from.name, to: this.dest, dport: cfg.dport, sport: 0, sender: null, receiver: null };
      let rr: RrStats | undefined;
      if (cfg.kind === "rr") {
        rr = { transactions: 0, latencySum: 0, latencies: [] };
        rec.rr = rr;
      }
      this.flows.push(rec);
      tcpConnect(tcp, this.population, this.daddr, cfg.dport, Infinity, (t, sk, peerWindow, synRtt) => {
        const c = connInit(t, sk, { ...(cfg.cc !== undefined ? { cc: cfg.cc } : {}), ...(cfg.sndbuf !== undefined ? { sndbuf: cfg.sndbuf } : {}), ...(cfg.maxPacingRate !== undefined ? { maxPacingRate: cfg.maxPacingRate } : {}), ...(cfg.userTimeoutMs !== undefined ? { userTimeoutMs: cfg.userTimeoutMs } : {}) }, peerWindow, synRtt);
        t.flowSender(sk, c, rec);
        if (rr !== undefined) rrClientStart(t, sk, c, cfg.request, cfg.response, rr, cfg.count ?? Infinity);
        else bulkStart(t, sk, c, cfg.bytes, cfg.writeRate);
      });
    }
  }
}
