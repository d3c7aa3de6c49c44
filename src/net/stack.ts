// The host's IP/TCP/UDP demultiplexing, on the real header bytes of each skb.
// Receive follows ip_rcv -> ip_local_deliver -> tcp_v4_rcv / udp_rcv in
// outline: address check, protocol, then TCP (src/tcp/: tcp_v4_rcv and the
// connection state machines) or a UDP socket lookup by port.
import type { Core } from "../core/core.js";
import { SKB_HEADROOM } from "../core/skb-fields.js";
import type { Counters } from "../sim/counters.js";
import type { Nic, DropSink } from "./nic.js";
import type { HostConfig } from "./host.js";
import { TcpHost, type TcpEnv } from "../tcp/tcp-host.js";

export interface Listener {
  readonly port: number;
  /** listen() backlog after the net.core.somaxconn clamp (sk_max_ack_backlog). */
  backlog: number;
  /** sk_ack_backlog: established children waiting for accept(). */
  acceptQueue: number;
  /** Request socks in SYN_RECV (the SYN queue). */
  synQueue: number;
  /** Segments that reached the listener. */
  segments: number;
}

const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

export class Stack {
  readonly tcp: TcpHost;
  private readonly udpPorts: Set<number>;
  private readonly headers: Uint8Array;
  private readonly skbNetwork: Uint32Array;
  private readonly skbTransport: Uint32Array;
  private readonly skbProtocol: Uint32Array;
  // counter ids, registered once
  private readonly cIpInReceives: number;
  private readonly cIpInAddrErrors: number;
  private readonly cIpInDelivers: number;
  private readonly cIpInUnknownProtos: number;
  private readonly cIpOutRequests: number;
  private readonly cIp6InReceives: number;
  private readonly cIp6InDelivers: number;
  private readonly cIp6InAddrErrors: number;
  private readonly cIp6OutRequests: number;
  private readonly cTcpInSegs: number;
  private readonly cTcpOutSegs: number;
  private readonly cUdpInDatagrams: number;
  private readonly cUdpNoPorts: number;
  private readonly cUdpOutDatagrams: number;
  private readonly addr: Uint8Array;

  constructor(
    core: Core,
    config: HostConfig,
    private readonly nstat: Counters,
    private readonly route: (h: number) => Nic | undefined,
    private readonly drops: DropSink,
    private readonly deliver: (h: number) => void,
    env: TcpEnv,
  ) {
    this.headers = core.headers;
    this.skbNetwork = core.skb.network;
    this.skbTransport = core.skb.transport;
    this.skbProtocol = core.skb.protocol;
    this.addr = config.addr;
    this.udpPorts = new Set(config.udpPorts);
    const c = nstat;
    this.cIpInReceives = c.id("IpInReceives");
    this.cIpInAddrErrors = c.id("IpInAddrErrors");
    this.cIpInDelivers = c.id("IpInDelivers");
    this.cIpInUnknownProtos = c.id("IpInUnknownProtos");
    this.cIpOutRequests = c.id("IpOutRequests");
    this.cIp6InReceives = c.id("Ip6InReceives");
    this.cIp6InDelivers = c.id("Ip6InDelivers");
    this.cIp6InAddrErrors = c.id("Ip6InAddrErrors");
    this.cIp6OutRequests = c.id("Ip6OutRequests");
    this.cTcpInSegs = c.id("TcpInSegs");
    this.cTcpOutSegs = c.id("TcpOutSegs");
    this.cUdpInDatagrams = c.id("UdpInDatagrams");
    this.cUdpNoPorts = c.id("UdpNoPorts");
    this.cUdpOutDatagrams = c.id("UdpOutDatagrams");
    this.tcp = new TcpHost(
      core,
      { name: config.name, addr: config.addr, mtu: config.nic.mtu, sysctl: config.sysctl, listeners: config.listeners },
      nstat,
      env,
      (h) => this.output(h),
      (h, reason) => drops.drop(h, reason),
      deliver,
    );
  }

  listenerList(): Listener[] {
    return [...this.tcp.listeners].sort((a, b) => a.port - b.port);
  }

  listener(port: number): Listener | undefined {
    return this.tcp.listeners.find((l) => l.port === port);
  }

  /** A frame handed up by NAPI. */
  receive(h: number): void {
    const base = h * SKB_HEADROOM;
    const net = base + this.skbNetwork[h]!;
    const proto = this.skbProtocol[h];
    const b = this.headers;
    let l4: number;
    if (proto === ETH_P_IP) {
      // net/ipv4/ip_input.c: ip_rcv_core, ip_rcv_finish (not ours: no forwarding)
      this.nstat.add(this.cIpInReceives);
      if (!this.isOurs(net + 16, 4)) {
        this.nstat.add(this.cIpInAddrErrors);
        this.drops.drop(h, "OTHERHOST");
        return;
      }
      l4 = b[net + 9]!;
      this.nstat.add(this.cIpInDelivers);
    } else if (proto === ETH_P_IPV6) {
      // net/ipv6/ip6_input.c: ipv6_rcv
      this.nstat.add(this.cIp6InReceives);
      if (!this.isOurs(net + 24, 16)) {
        this.nstat.add(this.cIp6InAddrErrors);
        this.drops.drop(h, "OTHERHOST");
        return;
      }
      l4 = b[net + 6]!;
      this.nstat.add(this.cIp6InDelivers);
    } else {
      this.drops.drop(h, "UNHANDLED_PROTO");
      return;
    }
    const th = base + this.skbTransport[h]!;
    const dport = (b[th + 2]! << 8) | b[th + 3]!;
    if (l4 === IPPROTO_TCP) {
      this.tcp.rcv(h);
    } else if (l4 === IPPROTO_UDP) {
      // net/ipv4/udp.c: __udp4_lib_rcv
      if (!this.udpPorts.has(dport)) {
        this.nstat.add(this.cUdpNoPorts);
        this.drops.drop(h, "NO_SOCKET");
        return;
      }
      this.nstat.add(this.cUdpInDatagrams);
      this.deliver(h);
    } else {
      this.nstat.add(this.cIpInUnknownProtos);
      this.drops.drop(h, "UNHANDLED_PROTO");
    }
  }

  /** ip_output path for a locally generated packet; false if the qdisc dropped it. */
  output(h: number): boolean {
    const base = h * SKB_HEADROOM;
    const net = base + this.skbNetwork[h]!;
    const v6 = this.skbProtocol[h] === ETH_P_IPV6;
    this.nstat.add(v6 ? this.cIp6OutRequests : this.cIpOutRequests);
    const l4 = this.headers[net + (v6 ? 6 : 9)];
    if (l4 === IPPROTO_TCP) this.nstat.add(this.cTcpOutSegs);
    else if (l4 === IPPROTO_UDP) this.nstat.add(this.cUdpOutDatagrams);
    const nic = this.route(h);
    if (nic === undefined) {
      this.drops.drop(h, "IP_OUTNOROUTES");
      return false;
    }
    return nic.xmit(h);
  }

  private isOurs(off: number, len: number): boolean {
    const a = this.addr;
    if (a.length !== len) return false;
    const b = this.headers;
    for (let i = 0; i < len; i++) if (b[off + i] !== a[i]) return false;
    return true;
  }
}
