// The validated, fully-defaulted scenario the simulator runs. Every optional
// field of the file has been filled, every quantity is a number in its base
// unit (time ns, bit rate bit/s, size bytes, event rate per second) and every
// cross-reference (host names, ports) has been checked. Plain data only:
// JSON.stringify(scenario) is deterministic and round-trips.

import type { BitsPerSecond, Bytes, Nanoseconds, PerSecond } from "./units.js";
import type { Sysctls } from "./sysctl.js";
import type { CostModel } from "../cpu/cost.js";

export type { BitsPerSecond, Bytes, Nanoseconds, PerSecond } from "./units.js";
export type { Sysctls, SysctlName } from "./sysctl.js";

export interface Scenario {
  /** `[a-z0-9-]+`. */
  name: string;
  /** One line; "" when the file has none. */
  description: string;
  /** Seed of the run's RNG, integer 0..2^32-1 (default 1). */
  seed: number;
  /** Simulated time to run, > 0 and ≤ 1 day. */
  duration: Nanoseconds;
  /** In file order; `index` is the position. At least one. */
  hosts: HostSpec[];
  links: LinkSpec[];
  traffic: TrafficSpec[];
}

export interface HostSpec {
  /** Key in `hosts:`; `[a-z][a-z0-9-]*`. */
  name: string;
  /** Position in file order, 0-based. */
  index: number;
  /** IPv4 or IPv6 address as written, or 10.0.0.<index+1> assigned (skipping addresses already taken). */
  addr: string;
  family: 4 | 6;
  /** 1..1024 (default 1). */
  cpus: number;
  nic: NicSpec;
  /** Every known sysctl: the file's values over Linux 6.12 defaults. */
  sysctl: Sysctls;
  /** TCP listeners, file order; listen ports are unique per host. */
  sockets: SocketSpec[];
  rps: RpsSpec;
  /** CPU cost model (defaults: DEFAULT_COST, README.md, "CPUs, NAPI, RPS/RFS"). */
  cost: CostSpec;
  apps: AppSpec[];
  /** UDP sockets (`sockets` entries with `udp:`), file order; ports unique per host. */
  udpSockets: UdpSocketSpec[];
}

/** How the application reads a UDP socket (recvmsg). */
export type ReadPolicy =
  /** Read each datagram as it arrives (file: `readRate: true`, the default). */
  | { kind: "always" }
  /** Never read (file: `readRate: false`): the receive buffer fills. */
  | { kind: "never" }
  /** At most `perSec` datagrams per second (file: `readRate: 100k/s`). */
  | { kind: "rate"; perSec: PerSecond };

export interface UdpSocketSpec {
  /** UDP port bound, 1..65535. */
  udp: number;
  /** SO_RCVBUF passed to setsockopt (the kernel doubles it after capping at net.core.rmem_max); null = not set, sk_rcvbuf = net.core.rmem_default. */
  rcvbuf: Bytes | null;
  readRate: ReadPolicy;
}

export interface NicSpec {
  /** RX/TX queue pairs, 1..1024 (default 1). */
  queues: number;
  /** Line rate (default 10Gbit). */
  rate: BitsPerSecond;
  /** 68..65535 (IPv6 hosts ≥ 1280), default 1500. */
  mtu: Bytes;
  /** Descriptors per RX ring, power of 2 in 8..65536 (default 1024). */
  rxRing: number;
  /** Descriptors per TX ring, power of 2 in 8..65536 (default 1024). */
  txRing: number;
  /** dev->tx_queue_len: qdisc limit in packets, 0..32767 (default 1000, DEFAULT_TX_QUEUE_LEN). */
  txqueuelen: number;
  /** ethtool -C rx-usecs (ns; default 0 = interrupt at once). */
  rxUsecs: Nanoseconds;
  /** ethtool -C rx-frames (with rxUsecs > 0: interrupt once this many frames wait; 0 = no limit). */
  rxFrames: number;
  /** IRQ CPU per RX queue; [] = queue % cpus. Each < cpus; at most `queues` entries. */
  irqAffinity: number[];
  /** The hash the NIC reports: "l4" (default), "l3" or "off". */
  rxhash: "l4" | "l3" | "off";
  /** NETIF_F_GRO (ethtool -K gro on|off): GRO in every NAPI of the NIC (default true). */
  gro: boolean;
  /** /sys/class/net/DEV/gro_flush_timeout (ns; default 0 = off, 0..1 s). */
  groFlushTimeout: Nanoseconds;
  /** /sys/class/net/DEV/napi_defer_hard_irqs (0..2147483647; default 0 = off). */
  napiDeferHardIrqs: number;
  /** ethtool -C tx-usecs (ns; default 0 = each frame completes as it leaves the wire). */
  txUsecs: Nanoseconds;
  /** ethtool -C tx-frames (with txUsecs > 0: completion IRQ once this many frames are done; 0 = no limit). */
  txFrames: number;
  /** NETIF_F_TSO (ethtool -K tso on|off; default true): the NIC segments GSO skbs, else software GSO. */
  tso: boolean;
  /** Byte queue limits on the TX queues (default true). */
  bql: boolean;
  /** fq maxrate in bit/s on every TX queue's fq (0 = none). */
  fqMaxrate: BitsPerSecond;
  /** XPS maps, one list per TX queue: CPUs (xps_cpus) and RX queues (xps_rxqs); [] = off. */
  xps: { cpus: number[][]; rxqs: number[][] };
}

/** RPS / RFS / aRFS / flow limit (all off by default). */
export interface RpsSpec {
  /** rps_cpus per RX queue (index = queue; length = nic.queues), CPU numbers ∩ the host's CPUs. */
  cpus: number[][];
  /** rps_flow_cnt of every RX queue, rounded up to a power of 2 (0 = off). */
  flowCnt: number;
  /** Accelerated RFS (ntuple filters + rx_cpu_rmap). */
  arfs: boolean;
  /** net.core.flow_limit_cpu_bitmap as CPU numbers. */
  flowLimit: number[];
}

/** An application thread reading the socket on `port`. */
export interface AppSpec {
  port: number;
  /** CPUs it runs on in turn (one = pinned). */
  cpus: number[];
  /** Time on each CPU before moving on (0 = never). */
  every: Nanoseconds;
  /** connect()ed UDP socket (records RFS flows); TCP sockets always do. */
  connected: boolean;
}

/** ns per stage, every stage filled: the CPU model's own CostModel (src/cpu/cost.ts). */
export type CostSpec = CostModel;

/** How the application drains the accept queue. */
export type AcceptPolicy =
  /** accept() as soon as a connection is queued (file: `accept: true`, the default). */
  | { kind: "always" }
  /** Never accept() (file: `accept: false`): the accept queue fills. */
  | { kind: "never" }
  /** accept() at most `perSec` connections per second (file: `accept: 100/s`). */
  | { kind: "rate"; perSec: PerSecond };

export interface SocketSpec {
  /** TCP port listened on, 1..65535. */
  listen: number;
  /** listen() backlog, 0..65535 (default 4096 = SOMAXCONN); the kernel clamps it to net.core.somaxconn. */
  backlog: number;
  accept: AcceptPolicy;
  /** Extra time between a connection being queued and accept() returning it (default 0). */
  acceptDelay: Nanoseconds;
  /** SO_RCVBUF set on the listener and inherited by accepted sockets (capped at net.core.rmem_max, doubled, autotuning off); null = tcp_rmem[1] with autotuning. */
  rcvbuf: Bytes | null;
  /** How the application on accepted connections reads (bulk/incast sinks, rr responders). */
  readRate: TcpReadPolicy;
}

/** How the application reads a TCP connection (recvmsg). */
export type TcpReadPolicy =
  /** Read everything as it arrives (file: `readRate: true`, the default). */
  | { kind: "always" }
  /** Never read (file: `readRate: false`): the receive queue fills and the window closes. */
  | { kind: "never" }
  /** At most `bytesPerSec` bytes per second, in 1 ms ticks (file: `readRate: 10MB/s`). */
  | { kind: "rate"; bytesPerSec: PerSecond };

/** Congestion control module (net.ipv4.tcp_congestion_control / TCP_CONGESTION). */
export type CcName = "cubic" | "reno";

/** Options of a TCP data sender (bulk, rr, incast). */
export interface TcpSenderOptions {
  /** Default cubic. */
  cc: CcName;
  /** SO_SNDBUF on the sender (capped at net.core.wmem_max, doubled, growth off); null = tcp_wmem[1] with tcp_sndbuf_expand. */
  sndbuf: Bytes | null;
  /** SO_MAX_PACING_RATE in bit/s (the socket stores bytes/s); null = unlimited. */
  maxPacingRate: BitsPerSecond | null;
  /** TCP_USER_TIMEOUT in ms (icsk_user_timeout); null or 0 = the tcp_retries2 rules. */
  userTimeout: number | null;
}

export interface LinkSpec {
  /** Host names; a ≠ b; at most one link per unordered pair. */
  a: string;
  b: string;
  /** Default 10Gbit. */
  rate: BitsPerSecond;
  /** One-way propagation delay (default 0). */
  delay: Nanoseconds;
  /** Probability 0..1 that a frame is lost (default 0). */
  loss: number;
  /** Probability 0..1 that a frame is reordered (default 0). */
  reorder: number;
  /** How long a reordered frame is held back, > 0 and ≤ 1 s; only with reorder > 0 (unset: two serialization times). */
  reorderDelay?: Nanoseconds;
}

export interface Endpoint {
  host: string;
  /** 1..65535. */
  port: number;
}

interface TrafficBase {
  /** Sending host; differs from to.host and is linked to it. */
  from: string;
  to: Endpoint;
  /** Start time (default 0), before the scenario's duration. */
  at: Nanoseconds;
}

/** Full TCP handshakes (connect()) to a listener. */
export interface ConnectTraffic extends TrafficBase {
  kind: "connect";
  /** Connections, 1..2^31-1 (default 1). */
  count: number;
  /** Connections started per second from `at`; null = all at `at`. */
  rate: PerSecond | null;
}

/** Bare SYNs that never complete the handshake. */
export interface SynFloodTraffic extends TrafficBase {
  kind: "syn-flood";
  /** SYNs, 1..2^31-1 (required). */
  count: number;
  /** SYNs per second from `at`; null = all at `at`. */
  rate: PerSecond | null;
  /** Source addresses: a new random one per SYN (default), one fixed address that is not the sender's, or the sender's own. */
  spoof: "random" | "fixed" | "none";
}

/** Long-lived TCP transfers from `from` to `to` (a sink; no listener needed). */
export interface BulkTraffic extends TrafficBase, TcpSenderOptions {
  kind: "bulk";
  /** Parallel connections, 1..28232 (default 1). */
  flows: number;
  /** Bytes per flow; null = until the scenario ends. */
  bytes: Bytes | null;
  /** Application write rate per flow, bytes/s; null = as fast as the send buffer allows. */
  writeRate: PerSecond | null;
}

/** netperf TCP_RR: each flow writes a request, waits for the whole response, repeats. */
export interface RrTraffic extends TrafficBase, TcpSenderOptions {
  kind: "rr";
  /** Parallel connections, 1..28232 (default 1). */
  flows: number;
  /** Request and response sizes, bytes (default 1 and 1, as netperf -r 1,1). */
  request: Bytes;
  response: Bytes;
  /** Transactions per flow; null = until the scenario ends. */
  count: number | null;
}

/** Several senders start one transfer each to the same receiver at `at`. */
export interface IncastTraffic extends TcpSenderOptions {
  kind: "incast";
  /** Sending hosts, distinct, each linked to to.host (1..1024). */
  from: string[];
  to: Endpoint;
  /** Bytes per sender (required). */
  bytes: Bytes;
  /** Application write rate per sender, bytes/s; null = as fast as the send buffer allows. */
  writeRate: PerSecond | null;
  at: Nanoseconds;
}

/** UDP send rate: packets per second, or bits per second of whole frames (Ethernet header to FCS). */
export type UdpRate = { unit: "pps"; value: PerSecond } | { unit: "bit/s"; value: BitsPerSecond };

/** Constant-rate UDP datagrams (no listener needed). */
export interface UdpTraffic extends TrafficBase {
  kind: "udp";
  /** Distinct 5-tuples (source ports), 1..28232 (default 1). */
  flows: number;
  /** UDP payload bytes per datagram, 0..65507 (default 18: a 64-byte frame over IPv4); above the MTU − 28 an IPv4 sender fragments (IPv6: at most MTU − 48). */
  size: Bytes;
  /** Total over all flows (required). */
  rate: UdpRate;
}

export type TrafficSpec = ConnectTraffic | SynFloodTraffic | BulkTraffic | RrTraffic | IncastTraffic | UdpTraffic;
export type TrafficKind = TrafficSpec["kind"];
