// The host's IP/TCP/UDP demultiplexing, on the real header bytes of each skb.
// Receive follows ip_rcv -> ip_local_deliver -> tcp_v4_rcv / udp_rcv in
// outline: address check, protocol, then TCP (src/tcp/: tcp_v4_rcv and the
// connection state machines) or a UDP socket lookup by port. IPv4 fragments
// go through ip_defrag first (src/net/ipfrag.ts); a UDP datagram is queued
// on its socket under the sk_rcvbuf rule (src/net/udp-sock.ts). Output
// fragments UDP datagrams larger than the MTU (ip_do_fragment).
import type { Core } from "../core/core.js";
import { SKB_HEADROOM } from "../core/skb-fields.js";
import type { Counters } from "../sim/counters.js";
import type { Nic, DropSink } from "./nic.js";
import type { HostConfig } from "./host.js";
import { TcpHost, type TcpEnv } from "../tcp/tcp-host.js";
import { UdpSock, type UdpSocketConfig } from "./udp-sock.js";
import { IpDefrag, ipFragment, isFragment, setRxTruesize } from "./ipfrag.js";
import { get16 } from "../wire/bytes.js";
import { get32 } from "../tcp/segment.js";
import { LOCAL_SOURCE_DROP, badSource6, martianSource4 } from "./martian.js";

/** What the UDP/IP-fragment parts read from a host's config beyond HostConfig. */
export interface UdpHostConfig {
  /** Bound UDP sockets; a port in udpPorts without an entry here gets the defaults. */
  udpSockets?: readonly UdpSocketConfig[];
}

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

/** ipOutput's answer: sent, dropped by the qdisc (NET_XMIT_DROP), or never queued. */
const XMIT_SENT = 0;
const XMIT_QDISC_DROP = 1;
const XMIT_NOT_QUEUED = -1;

export class Stack {
  readonly tcp: TcpHost;
  /** Bound UDP sockets by port. */
  readonly udpSocks = new Map<number, UdpSock>();
  readonly defrag: IpDefrag;
  private readonly core: Core;
  private readonly env: TcpEnv;
  private readonly mtu: number;
  private readonly fragOut: number[] = [];
  private readonly headers: Uint8Array;
  private readonly scratch: Uint32Array;
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
  private readonly cIp6InHdrErrors: number;
  private readonly cIp6OutRequests: number;
  private readonly cTcpInSegs: number;
  private readonly cUdpInDatagrams: number;
  private readonly cUdpNoPorts: number;
  private readonly cUdpOutDatagrams: number;
  private readonly cUdpSndbufErrors: number;
  private readonly cUdp6SndbufErrors: number;
  private readonly cIpOutDiscards: number;
  private readonly cIp6OutDiscards: number;
  private readonly cUdpRcvbufErrors: number;
  private readonly cUdpInErrors: number;
  private readonly cUdp6InDatagrams: number;
  private readonly cUdp6NoPorts: number;
  private readonly cUdp6OutDatagrams: number;
  private readonly cUdp6RcvbufErrors: number;
  private readonly cUdp6InErrors: number;
  private readonly cIpFragOKs: number;
  private readonly cIpFragCreates: number;
  private readonly cIpFragFails: number;
  private readonly addr: Uint8Array;
  /** An IPv4 host's address as a u32 (listenRun's compare). */
  private readonly addr4: number;

  constructor(
    core: Core,
    config: HostConfig & UdpHostConfig,
    private readonly nstat: Counters,
    private readonly route: (h: number) => Nic | undefined,
    private readonly drops: DropSink,
    private readonly deliver: (h: number) => void,
    env: TcpEnv,
    /** A datagram was queued on a socket whose reader is not blocked in recvmsg (sk_data_ready's wakeup). */
    private readonly udpQueued: (port: number) => void = () => {},
  ) {
    this.headers = core.headers;
    this.scratch = core.scratch;
    this.skbNetwork = core.skb.network;
    this.skbTransport = core.skb.transport;
    this.skbProtocol = core.skb.protocol;
    this.addr = config.addr;
    this.addr4 = config.addr.length === 4 ? get32(config.addr, 0) : 0;
    this.core = core;
    this.env = env;
    this.mtu = config.nic.mtu;
    const c = nstat;
    this.cIpInReceives = c.id("IpInReceives");
    this.cIpInAddrErrors = c.id("IpInAddrErrors");
    this.cIpInDelivers = c.id("IpInDelivers");
    this.cIpInUnknownProtos = c.id("IpInUnknownProtos");
    this.cIpOutRequests = c.id("IpOutRequests");
    this.cIp6InReceives = c.id("Ip6InReceives");
    this.cIp6InDelivers = c.id("Ip6InDelivers");
    this.cIp6InAddrErrors = c.id("Ip6InAddrErrors");
    this.cIp6InHdrErrors = c.id("Ip6InHdrErrors");
    this.cIp6OutRequests = c.id("Ip6OutRequests");
    this.cTcpInSegs = c.id("TcpInSegs");
    this.cUdpInDatagrams = c.id("UdpInDatagrams");
    this.cUdpNoPorts = c.id("UdpNoPorts");
    this.cUdpOutDatagrams = c.id("UdpOutDatagrams");
    this.cUdpSndbufErrors = c.id("UdpSndbufErrors");
    this.cUdp6SndbufErrors = c.id("Udp6SndbufErrors");
    this.cIpOutDiscards = c.id("IpOutDiscards");
    this.cIp6OutDiscards = c.id("Ip6OutDiscards");
    this.cUdpRcvbufErrors = c.id("UdpRcvbufErrors");
    this.cUdpInErrors = c.id("UdpInErrors");
    this.cUdp6InDatagrams = c.id("Udp6InDatagrams");
    this.cUdp6NoPorts = c.id("Udp6NoPorts");
    this.cUdp6OutDatagrams = c.id("Udp6OutDatagrams");
    this.cUdp6RcvbufErrors = c.id("Udp6RcvbufErrors");
    this.cUdp6InErrors = c.id("Udp6InErrors");
    this.cIpFragOKs = c.id("IpFragOKs");
    this.cIpFragCreates = c.id("IpFragCreates");
    this.cIpFragFails = c.id("IpFragFails");
    const sysNum = (name: string, dflt: number): number => {
      const v = config.sysctl[name];
      return typeof v === "number" ? v : dflt;
    };
    // defaults as src/scenario/sysctl.ts (Linux 6.12) for specs built in code
    this.defrag = new IpDefrag(
      core,
      env.loop,
      nstat,
      drops,
      sysNum("net.ipv4.ipfrag_high_thresh", 4 * 1024 * 1024),
      sysNum("net.ipv4.ipfrag_time", 30) * 1e9,
      config.name,
    );
    const rmemDefault = sysNum("net.core.rmem_default", 212992);
    const rmemMax = sysNum("net.core.rmem_max", 212992);
    const v6 = config.addr.length === 16;
    const kindRead = env.loop.register(`${config.name} udp recvmsg`, (i) => this.udpSockList[i]!.readOne((h) => this.defrag.skbsOf(h)));
    const sockEnv = {
      loop: env.loop,
      consume: (h: number) => this.finish(h, null),
      countRead: v6 ? () => nstat.add(this.cUdp6InDatagrams) : () => nstat.add(this.cUdpInDatagrams),
    };
    const configs = new Map<number, UdpSocketConfig>();
    for (const port of config.udpPorts) configs.set(port, { port });
    for (const u of config.udpSockets ?? []) configs.set(u.port, u);
    for (const u of [...configs.values()].sort((a, b) => a.port - b.port)) {
      const sock = new UdpSock(u, rmemDefault, rmemMax, sockEnv, kindRead, this.udpSockList.length);
      this.udpSockList.push(sock);
      this.udpSocks.set(u.port, sock);
    }
    this.tcp = new TcpHost(
      core,
      { name: config.name, addr: config.addr, mtu: config.nic.mtu, sysctl: config.sysctl, listeners: config.listeners },
      nstat,
      env,
      (h) => this.output(h),
      (h, reason) => drops.drop(h, reason),
      deliver,
    );
    this.tcp.sendHeldBurst = (hs, n, v6) => this.outputHeldBurst(hs, n, v6);
  }

  private readonly udpSockList: UdpSock[] = [];

  /** skbs held by UDP receive queues and IP reassembly queues (for the ledger). */
  held(): number {
    let n = this.defrag.heldSkbs;
    for (const u of this.udpSockList) n += u.heldSkbs;
    return n;
  }

  /** Deliver (reason null) or drop a datagram and the fragment skbs it carries. */
  private finish(h: number, reason: string | null): void {
    const chain = this.defrag.takeChain(h);
    if (reason === null) {
      this.deliver(h);
      if (chain !== undefined) for (const fp of chain) this.deliver(fp);
    } else {
      this.drops.drop(h, reason);
      if (chain !== undefined) for (const fp of chain) this.drops.drop(fp, reason);
    }
  }

  listenerList(): Listener[] {
    return [...this.tcp.listeners].sort((a, b) => a.port - b.port);
  }

  listener(port: number): Listener | undefined {
    return this.tcp.listeners.find((l) => l.port === port);
  }

  /** A NAPI poll starts (true) or ends (false): in between, TCP batches its cookie SYN-ACKs
   *  (TcpHost.rxBatch); at the end they leave. */
  rxHold(begin: boolean): void {
    const t = this.tcp;
    t.rxBatch = begin;
    if (!begin && t.cookieBurst.n > 0) t.flushCookies();
  }

  /** A frame handed up by NAPI. */
  receive(h: number): void {
    let base = h * SKB_HEADROOM;
    let net = base + this.skbNetwork[h]!;
    const proto = this.skbProtocol[h];
    const b = this.headers;
    let l4: number;
    let reasm = false;
    if (proto === ETH_P_IP) {
      // net/ipv4/ip_input.c: ip_rcv_core, ip_rcv_finish; to our MAC but not our address, with
      // forwarding off: route.c ip_route_input_slow -> no_route (EHOSTUNREACH) -> ip_error
      this.nstat.add(this.cIpInReceives);
      // route.c: ip_route_input_slow checks the source before it looks the destination up
      const saddr = get32(b, net + 12);
      const martian = martianSource4(saddr);
      if (martian !== null) {
        this.drops.drop(h, martian);
        return;
      }
      if (!this.isOurs(net + 16, 4)) {
        this.nstat.add(this.cIpInAddrErrors);
        this.drops.drop(h, "IP_INADDRERRORS");
        return;
      }
      // route.c: ip_route_input_slow, RTN_LOCAL -> fib_validate_source: our own address as the source
      if (saddr === this.addr4) {
        this.drops.drop(h, LOCAL_SOURCE_DROP);
        return;
      }
      l4 = b[net + 9]!;
      // net/ipv4/ip_input.c: ip_local_deliver — fragments are reassembled first
      if (isFragment(b, net)) {
        setRxTruesize(this.core, h);
        const head = this.defrag.defrag(h);
        if (head < 0) return;
        h = head;
        reasm = true;
        base = h * SKB_HEADROOM;
        net = base + this.skbNetwork[h]!;
      }
      this.nstat.add(this.cIpInDelivers);
    } else if (proto === ETH_P_IPV6) {
      // net/ipv6/ip6_input.c: ipv6_rcv, ip6_rcv_finish; not our address, with forwarding off:
      // ip6_output.c ip6_forward -> error (Ip6InAddrErrors, IP_INADDRERRORS)
      this.nstat.add(this.cIp6InReceives);
      if (badSource6(b, net + 8)) {
        this.nstat.add(this.cIp6InHdrErrors);
        this.drops.drop(h, "IP_INHDR");
        return;
      }
      if (!this.isOurs(net + 24, 16)) {
        this.nstat.add(this.cIp6InAddrErrors);
        this.drops.drop(h, "IP_INADDRERRORS");
        return;
      }
      l4 = b[net + 6]!;
      this.nstat.add(this.cIp6InDelivers);
    } else {
      this.drops.drop(h, "UNHANDLED_PROTO");
      return;
    }
    if (reasm && l4 !== IPPROTO_UDP) {
      // only UDP is fragmented in the model; anything else keeps just its head skb
      const chain = this.defrag.takeChain(h);
      if (chain !== undefined) for (const fp of chain) this.deliver(fp);
    }
    if (l4 === IPPROTO_TCP) {
      // net/ipv4/tcp_ipv4.c: tcp_v4_rcv counts every skb (a GRO aggregate once), even a bad one
      this.nstat.add(this.cTcpInSegs);
      this.tcp.rcv(h);
    } else if (l4 === IPPROTO_UDP) {
      this.udpRcv(h, base + this.skbTransport[h]!, proto === ETH_P_IPV6, reasm);
    } else {
      this.nstat.add(this.cIpInUnknownProtos);
      this.finish(h, "UNHANDLED_PROTO");
    }
  }

  /** How many of the frames at core.scratch[at .. at+n) (a NAPI poll's, in order), from the first,
   *  receive() would drop as not for this host (ip_error / ip6_forward with forwarding off:
   *  IP_INADDRERRORS; a frame with a martian source, dropped before that, ends the run). Reads only:
   *  the caller charges them, then drops them with dropOtherHostRun. */
  otherHostRun(at: number, n: number): number {
    const sc = this.scratch;
    const proto = this.skbProtocol;
    const v6 = this.addr.length === 16;
    const ethP = v6 ? ETH_P_IPV6 : ETH_P_IP;
    const daddr = v6 ? 24 : 16;
    let k = 0;
    for (; k < n; k++) {
      const h = sc[at + k]!;
      // a frame of the other IP version is never ours; receive() counts it under its own MIB
      const net = h * SKB_HEADROOM + this.skbNetwork[h]!;
      if (proto[h] !== ethP || this.isOurs(net + daddr, this.addr.length)) break;
      if (v6 ? badSource6(this.headers, net + 8) : martianSource4(get32(this.headers, net + 12)) !== null) break;
    }
    return k;
  }

  /** receive() for the leading frames at core.scratch[at .. at+n) (a NAPI poll's, in order) that
   *  are IPv4 TCP SYNs to this host, not fragments, for a listener and no socket (a flood's, a burst
   *  of connects'): ip_rcv_core -> ip_local_deliver -> tcp_v4_rcv -> tcp_conn_request for each, in
   *  order (TcpHost.rcvListenSyn), IpInReceives, IpInDelivers and TcpInSegs added once for the run.
   *  Returns how many it took; the first other frame (also one whose source IP drops as a martian,
   *  or our own address) ends the run untouched (receive() takes it).
   *  The listener path reads no CPU clock, so the caller may charge the run's cost after it. */
  listenRun(at: number, n: number): number {
    if (this.addr.length !== 4) return 0;
    const sc = this.scratch;
    const proto = this.skbProtocol;
    const network = this.skbNetwork;
    const transport = this.skbTransport;
    const b = this.headers;
    const me = this.addr4;
    const t = this.tcp;
    let k = 0;
    // the SYNs the listener answers with cookies the common way go in one WASM call each stretch
    // (TcpHost.listenCookieRun); the one that ends a stretch goes the way below, then the call again,
    // until a call takes none
    let tryRun = true;
    for (; k < n; k++) {
      if (tryRun) {
        const c = t.listenCookieRun(at + k, n - k, me);
        if (c > 0) {
          k += c;
          if (k === n) break;
        } else if (c === 0) tryRun = false;
      }
      const h = sc[at + k]!;
      if (proto[h] !== ETH_P_IP) break;
      const base = h * SKB_HEADROOM;
      const net = base + network[h]!;
      if (get32(b, net + 16) !== me || b[net + 9] !== IPPROTO_TCP || isFragment(b, net)) break;
      const saddr = get32(b, net + 12);
      if (saddr === me || martianSource4(saddr) !== null) break;
      if (!t.rcvListenSyn(h, base + transport[h]!, saddr)) break;
    }
    if (k > 0) {
      this.nstat.add(this.cIpInReceives, k);
      this.nstat.add(this.cIpInDelivers, k);
      this.nstat.add(this.cTcpInSegs, k);
    }
    return k;
  }

  /** receive() for the k frames at core.scratch[at ..) that otherHostRun found, in one pass: the
   *  MIB pair counted once for the run (IpInReceives and IpInAddrErrors, or the Ip6 pair), then
   *  each dropped. */
  dropOtherHostRun(at: number, k: number): void {
    const v6 = this.addr.length === 16;
    this.nstat.add(v6 ? this.cIp6InReceives : this.cIpInReceives, k);
    this.nstat.add(v6 ? this.cIp6InAddrErrors : this.cIpInAddrErrors, k);
    const sc = this.scratch;
    for (let j = 0; j < k; j++) this.drops.drop(sc[at + j]!, "IP_INADDRERRORS");
  }

  // net/ipv4/udp.c: __udp4_lib_rcv -> udp_unicast_rcv_skb -> udp_queue_rcv_skb -> __udp_queue_rcv_skb
  // (net/ipv6/udp.c: __udp6_lib_rcv, the same steps with the Udp6 counters)
  private udpRcv(h: number, th: number, v6: boolean, reasm: boolean): void {
    const dport = get16(this.headers, th + 2);
    const sock = this.udpSocks.get(dport);
    if (sock === undefined) {
      this.nstat.add(v6 ? this.cUdp6NoPorts : this.cUdpNoPorts);
      this.finish(h, "NO_SOCKET");
      return;
    }
    // a reassembled datagram already has its truesize (from its fragments')
    const truesize = reasm ? this.core.skb.truesize[h]! : setRxTruesize(this.core, h);
    if (!sock.enqueue(h, truesize, this.defrag.skbsOf(h))) {
      // -ENOMEM: "charged twice"
      this.nstat.add(v6 ? this.cUdp6RcvbufErrors : this.cUdpRcvbufErrors);
      this.nstat.add(v6 ? this.cUdp6InErrors : this.cUdpInErrors);
      this.finish(h, "SOCKET_RCVBUFF");
    } else if (sock.read !== true) {
      // net/core/sock.c: sock_def_readable (sk_data_ready) wakes the reader from the protocol CPU
      this.udpQueued(dport);
    }
  }

  /** A datagram from a UDP or raw socket's sendmsg (the traffic generators);
   *  false if it was dropped. A qdisc drop (NET_XMIT_DROP -> -ENOBUFS) is
   *  counted as the sender's discard, and a UDP datagram counts as sent only
   *  when it went out. */
  // net/ipv4/udp.c: udp_send_skb -> ip_send_skb; net/ipv4/raw.c: raw_send_hdrinc (IPv6: udp_v6_send_skb -> ip6_send_skb)
  sendDatagram(h: number): boolean {
    const v6 = this.skbProtocol[h] === ETH_P_IPV6;
    const udp = this.headers[h * SKB_HEADROOM + this.skbNetwork[h]! + (v6 ? 6 : 9)] === IPPROTO_UDP;
    // An IPv4 raw IP_HDRINCL sender (the SYN flood's, as hping3) leaves by raw_send_hdrinc's NF_HOOK ->
    // dst_output, never through __ip_local_out, so no IpOutRequests; IPv6's rawv6_send_hdrinc counts its own
    if (v6 || udp) this.nstat.add(v6 ? this.cIp6OutRequests : this.cIpOutRequests);
    const rc = this.ipOutput(h);
    if (rc === XMIT_SENT) {
      if (udp) this.nstat.add(v6 ? this.cUdp6OutDatagrams : this.cUdpOutDatagrams);
      return true;
    }
    if (rc === XMIT_QDISC_DROP) {
      this.nstat.add(v6 ? this.cIp6OutDiscards : this.cIpOutDiscards);
      if (udp) this.nstat.add(v6 ? this.cUdp6SndbufErrors : this.cUdpSndbufErrors);
    }
    return false;
  }

  /** The host's one NIC (Host.addNic; null with none or several): Host.route's answer for every skb. */
  soleNic: Nic | null = null;

  /** output(hs[i]) for TCP segments of one family (`v6`), i = 0, 1, ... while each leaves by the host's
   *  one NIC through the bypass of a poll's TX hold (NicTx.xmitHeldBurst): the same counts and steps per
   *  skb (ipOutput fragments only UDP), IpOutRequests added once for them. Returns how many it sent; the
   *  rest are the caller's (output). */
  // net/ipv4/ip_output.c: ip_local_out -> ip_output -> ip_finish_output2 -> dev_queue_xmit, per skb
  outputHeldBurst(hs: Int32Array, n: number, v6: boolean): number {
    const nic = this.soleNic;
    if (nic === null) return 0;
    const k = nic.tx.xmitHeldBurst(hs, n);
    if (k > 0) this.nstat.add(v6 ? this.cIp6OutRequests : this.cIpOutRequests, k);
    return k;
  }

  /** ip_output path for a locally generated packet; false if the qdisc dropped it. */
  output(h: number): boolean {
    const v6 = this.skbProtocol[h] === ETH_P_IPV6;
    this.nstat.add(v6 ? this.cIp6OutRequests : this.cIpOutRequests);
    return this.ipOutput(h) === XMIT_SENT;
  }

  /** output() after __ip_local_out's IpOutRequests: route, fragment, the device queue. XMIT_SENT, or why
   *  not: XMIT_QDISC_DROP (NET_XMIT_DROP) or XMIT_NOT_QUEUED (no route, no skb for a fragment). */
  private ipOutput(h: number): number {
    const net = h * SKB_HEADROOM + this.skbNetwork[h]!;
    const v6 = this.skbProtocol[h] === ETH_P_IPV6;
    const l4 = this.headers[net + (v6 ? 6 : 9)];
    // (TCP counts TcpOutSegs itself: TcpHost.output; UDP its datagrams: sendDatagram)
    const nic = this.route(h);
    if (nic === undefined) {
      this.drops.drop(h, "IP_OUTNOROUTES");
      return XMIT_NOT_QUEUED;
    }
    // net/ipv4/ip_output.c: ip_finish_output_gso/__ip_finish_output — fragment a datagram above the MTU
    if (!v6 && l4 === IPPROTO_UDP && get16(this.headers, net + 2) > this.mtu) return this.fragmentOut(h, nic);
    return nic.xmit(h) ? XMIT_SENT : XMIT_QDISC_DROP;
  }

  // net/ipv4/ip_output.c: ip_fragment -> ip_do_fragment; each fragment goes to the device queue
  private fragmentOut(h: number, nic: Nic): number {
    const out = this.fragOut;
    const n = ipFragment(this.core, h, this.mtu, this.env.alloc, out);
    if (n < 0) {
      this.nstat.add(this.cIpFragFails);
      for (let i = 1; i < out.length; i++) this.drops.drop(out[i]!, "NOMEM");
      this.drops.drop(h, "NOMEM");
      return XMIT_NOT_QUEUED;
    }
    // The first fragment the qdisc drops ends the datagram: the ones not sent
    // yet are freed (ip_do_fragment's fail: what is left of it) and FragFails.
    for (let i = 0; i < n; i++) {
      if (!nic.xmit(out[i]!)) {
        for (let j = i + 1; j < n; j++) this.drops.drop(out[j]!, "NOT_SPECIFIED");
        this.nstat.add(this.cIpFragFails);
        return XMIT_QDISC_DROP;
      }
      this.nstat.add(this.cIpFragCreates);
    }
    this.nstat.add(this.cIpFragOKs);
    return XMIT_SENT;
  }

  private isOurs(off: number, len: number): boolean {
    const a = this.addr;
    if (a.length !== len) return false;
    const b = this.headers;
    for (let i = 0; i < len; i++) if (b[off + i] !== a[i]) return false;
    return true;
  }
}
