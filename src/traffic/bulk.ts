// `bulk`: N flows that keep the sender's qdisc full of MSS-sized segments
// (open loop: no ACK clocking until the TCP data-transfer model replaces
// this). A flow sends while the qdisc has room and sleeps until the NIC says
// there is room again, as a writer blocked on a full socket would.
import type { Host } from "../net/host.js";
import type { Nic } from "../net/nic.js";
import { writePacket, type PacketSpec } from "../wire/skb-headers.js";
import { TCPHDR_ACK, TCPHDR_PSH } from "../wire/tcp.js";
import type { TrafficContext, TrafficStats } from "./source.js";
import { EPHEMERAL_LOW } from "./source.js";
import { SKB_MARK_PREESTABLISHED } from "../tcp/tcp-host.js";

export interface BulkGenConfig {
  flows: number;
  /** Bytes per flow; Infinity = until the run ends. */
  bytes: number;
  at: number;
  dport: number;
}

interface Flow {
  spec: PacketSpec;
  seq: number;
  left: number;
}

export class BulkGenerator {
  readonly stats: TrafficStats;
  private readonly flows: Flow[] = [];
  private readonly mss: number;
  private readonly kindStart: number;
  private waiting = false;
  private next = 0;
  private readonly nic: Nic;

  constructor(
    private readonly ctx: TrafficContext,
    private readonly from: Host,
    to: Host,
    private readonly config: BulkGenConfig,
  ) {
    this.stats = { kind: "bulk", from: from.name, to: `${to.name}:${config.dport}`, packets: 0, bytes: 0, allocFailures: 0 };
    const v6 = from.config.addr.length === 16;
    this.nic = from.nicFor(to.config.addr);
    this.mss = from.config.nic.mtu - (v6 ? 60 : 40);
    for (let f = 0; f < config.flows; f++) {
      this.flows.push({
        spec: {
          ip: { version: v6 ? 6 : 4, src: from.config.addr, dst: to.config.addr, df: true },
          l4: { proto: "tcp", sport: EPHEMERAL_LOW + f, dport: config.dport, seq: ctx.rng.u32(), ack: 1, flags: TCPHDR_ACK, window: 502 },
          payloadLen: this.mss,
        },
        seq: 0,
        left: config.bytes,
      });
    }
    this.kindStart = ctx.loop.register(`bulk ${from.name}->${to.name}:${config.dport}`, () => this.pump());
  }

  start(): void {
    if (this.flows.length > 0) this.ctx.loop.at(this.config.at, this.kindStart, 0);
  }

  /** Send round-robin across flows while the qdisc has room. */
  private pump(): void {
    this.waiting = false;
    const { ctx, from } = this;
    let idle = 0;
    while (this.nic.qdiscRoom() > 0 && idle < this.flows.length) {
      const flow = this.flows[this.next]!;
      this.next = (this.next + 1) % this.flows.length;
      if (flow.left <= 0) {
        idle++;
        continue;
      }
      idle = 0;
      const h = ctx.alloc();
      if (h < 0) {
        this.stats.allocFailures++;
        break;
      }
      const payload = flow.left < this.mss ? flow.left : this.mss;
      const l4 = flow.spec.l4 as { seq: number; flags: number };
      const seq0 = l4.seq;
      l4.flags = payload < this.mss || flow.left === payload ? TCPHDR_ACK | TCPHDR_PSH : TCPHDR_ACK;
      flow.spec.payloadLen = payload;
      writePacket(ctx.core, h, flow.spec);
      // the flow's handshake is not modelled: the receiver takes it as established
      ctx.core.skb.mark[h] = SKB_MARK_PREESTABLISHED;
      l4.seq = (seq0 + payload) >>> 0;
      flow.left -= payload;
      this.stats.packets++;
      this.stats.bytes += payload;
      ctx.send(from, h);
    }
    if (idle < this.flows.length && !this.waiting) {
      this.waiting = true;
      from.waitTxRoom(() => this.pump());
    }
  }
}
