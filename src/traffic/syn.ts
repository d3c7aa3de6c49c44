// Generators of SYN segments: `connect` (clients opening connections) and
// `syn-flood` (spoofed or fixed sources). Until the TCP state machines land,
// a connect is its SYN; the headers are the ones Linux sends (MSS, SACK_PERM,
// timestamps, window scale 7, window 64240) so captures show real SYNs.
import type { Host } from "../net/host.js";
import { writePacket, type PacketSpec } from "../wire/skb-headers.js";
import { TCPHDR_SYN } from "../wire/tcp.js";
import type { TrafficContext, TrafficStats } from "./source.js";
import { EPHEMERAL_HIGH, EPHEMERAL_LOW } from "./source.js";

export interface SynGenConfig {
  kind: "connect" | "syn-flood";
  count: number;
  /** Start time (ns). */
  at: number;
  /** SYNs per second; 0 = all at `at`. */
  rate: number;
  /** Source addresses: the sender's own, random spoofed, or one fixed spoofed address. */
  spoof: "none" | "random" | "fixed";
  dport: number;
}

export class SynGenerator {
  readonly stats: TrafficStats;
  private sent = 0;
  private readonly kind: number;
  private readonly spec: PacketSpec;
  private readonly src: Uint8Array;
  private readonly mss: number;

  constructor(
    private readonly ctx: TrafficContext,
    private readonly from: Host,
    to: Host,
    private readonly config: SynGenConfig,
  ) {
    this.stats = { kind: config.kind, from: from.name, to: `${to.name}:${config.dport}`, packets: 0, bytes: 0, allocFailures: 0 };
    const v6 = from.config.addr.length === 16;
    this.src = Uint8Array.from(from.config.addr);
    if (config.spoof === "fixed") this.randomizeSource();
    // tcp_advertise_mss: MTU minus IP and TCP headers
    this.mss = from.config.nic.mtu - (v6 ? 60 : 40);
    this.spec = {
      ip: { version: v6 ? 6 : 4, src: this.src, dst: to.config.addr, df: true },
      l4: {
        proto: "tcp",
        sport: EPHEMERAL_LOW,
        dport: config.dport,
        seq: 0,
        flags: TCPHDR_SYN,
        window: 64240,
        options: { mss: this.mss, sackPerm: true, ts: { val: 0, ecr: 0 }, wscale: 7 },
      },
      payloadLen: 0,
    };
    this.kind = ctx.loop.register(`${config.kind} ${from.name}->${to.name}:${config.dport}`, () => this.fire());
  }

  start(): void {
    if (this.config.count > 0) this.ctx.loop.at(this.config.at, this.kind, 0);
  }

  private fire(): void {
    const { ctx, config } = this;
    const burst = config.rate > 0 ? 1 : config.count - this.sent;
    for (let i = 0; i < burst; i++) this.sendOne();
    if (this.sent < config.count) ctx.loop.after(1e9 / config.rate, this.kind, 0);
  }

  private sendOne(): void {
    const { ctx, spec } = this;
    this.sent++;
    const h = ctx.alloc();
    if (h < 0) {
      this.stats.allocFailures++;
      return;
    }
    if (this.config.spoof === "random") this.randomizeSource();
    const l4 = spec.l4 as { sport: number; seq: number; options: { ts: { val: number } } };
    l4.sport = ctx.rng.int(EPHEMERAL_LOW, EPHEMERAL_HIGH);
    l4.seq = ctx.rng.u32();
    l4.options.ts.val = Math.floor(ctx.loop.now / 1e6) >>> 0;
    writePacket(ctx.core, h, spec);
    this.stats.packets++;
    this.stats.bytes += ctx.core.skb.len[h]!;
    ctx.send(this.from, h);
  }

  private randomizeSource(): void {
    const { rng } = this.ctx;
    for (let i = 0; i < this.src.length; i += 4) {
      const r = rng.u32();
      this.src[i] = r >>> 24;
      this.src[i + 1] = (r >>> 16) & 0xff;
      this.src[i + 2] = (r >>> 8) & 0xff;
      this.src[i + 3] = r & 0xff;
    }
  }
}
