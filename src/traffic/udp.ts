// `udp`: open-loop datagrams at a fixed packet rate, round-robin over N
// flows (distinct source ports, so RSS spreads them). A datagram larger than
// the sender's MTU leaves without DF and is fragmented by the sender's
// ip_output (src/net/ipfrag.ts); it carries an IP ID from a per-sender
// counter (net/ipv4/route.c: __ip_select_ident), as fragments need one.
import type { Host } from "../net/host.js";
import { HeaderTemplate, setIpId } from "../wire/skb-headers.js";
import type { TrafficContext, TrafficStats } from "./source.js";
import { EPHEMERAL_LOW } from "./source.js";

export interface UdpGenConfig {
  flows: number;
  /** UDP payload bytes. */
  size: number;
  /** Datagrams per second over all flows. */
  pps: number;
  at: number;
  /** Datagrams to send in all; Infinity = until the run ends. */
  count: number;
  dport: number;
}

export class UdpGenerator {
  readonly stats: TrafficStats;
  /** One header template per flow (source port), stamped per datagram. */
  private readonly templates: HeaderTemplate[] = [];
  private readonly kind: number;
  private next = 0;
  private sent = 0;
  private readonly fragmented: boolean;
  private ipId = 0;

  constructor(
    private readonly ctx: TrafficContext,
    private readonly from: Host,
    to: Host,
    private readonly config: UdpGenConfig,
  ) {
    this.stats = { kind: "udp", from: from.name, to: `${to.name}:${config.dport}`, packets: 0, bytes: 0, allocFailures: 0 };
    const v6 = from.config.addr.length === 16;
    // net/ipv4/ip_output.c: __ip_make_skb — IP_PMTUDISC_WANT sets DF only on a datagram that fits the MTU
    this.fragmented = !v6 && config.size + 28 > from.config.nic.mtu;
    if (v6 && config.size + 48 > from.config.nic.mtu) {
      throw new RangeError(`udp ${from.name}->${to.name}: size ${config.size} exceeds the IPv6 MTU payload ${from.config.nic.mtu - 48} (IPv6 fragmentation is not modelled)`);
    }
    for (let f = 0; f < config.flows; f++) {
      this.templates.push(
        new HeaderTemplate({
          ip: { version: v6 ? 6 : 4, src: from.config.addr, dst: to.config.addr, df: !this.fragmented, id: 0 },
          l4: { proto: "udp", sport: EPHEMERAL_LOW + f, dport: config.dport },
          payloadLen: config.size,
        }),
      );
    }
    this.kind = ctx.loop.register(`udp ${from.name}->${to.name}:${config.dport}`, () => this.fire());
  }

  start(): void {
    if (this.templates.length > 0 && this.config.count > 0) this.ctx.loop.at(this.config.at, this.kind, 0);
  }

  private fire(): void {
    const { ctx } = this;
    const h = ctx.alloc();
    this.sent++;
    if (h < 0) {
      this.stats.allocFailures++;
    } else {
      this.templates[this.next]!.stamp(ctx.core, h);
      this.next = (this.next + 1) % this.templates.length;
      if (this.fragmented) {
        setIpId(ctx.core, h, this.ipId);
        this.ipId = (this.ipId + 1) & 0xffff;
      }
      this.stats.packets++;
      this.stats.bytes += this.config.size;
      ctx.send(this.from, h);
    }
    if (this.sent < this.config.count) ctx.loop.after(1e9 / this.config.pps, this.kind, 0);
  }
}
