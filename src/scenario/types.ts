// The validated, fully-defaulted scenario the simulator runs. Every optional
// field of the file has been filled, every quantity is a number in its base
// unit (time ns, bit rate bit/s, size bytes, event rate per second) and every
// cross-reference (host names, ports) has been checked. Plain data only:
// JSON.stringify(scenario) is deterministic and round-trips.

import type { BitsPerSecond, Bytes, Nanoseconds, PerSecond } from "./units.js";
import type { Sysctls } from "./sysctl.js";

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
}

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
export interface BulkTraffic extends TrafficBase {
  kind: "bulk";
  /** Parallel connections, 1..28232 (default 1). */
  flows: number;
  /** Bytes per flow; null = until the scenario ends. */
  bytes: Bytes | null;
}

/** UDP send rate: packets per second, or bits per second of whole frames (Ethernet header to FCS). */
export type UdpRate = { unit: "pps"; value: PerSecond } | { unit: "bit/s"; value: BitsPerSecond };

/** Constant-rate UDP datagrams (no listener needed). */
export interface UdpTraffic extends TrafficBase {
  kind: "udp";
  /** Distinct 5-tuples (source ports), 1..28232 (default 1). */
  flows: number;
  /** UDP payload bytes per datagram, 0..sender MTU − IP − UDP headers (default 18: a 64-byte frame over IPv4). */
  size: Bytes;
  /** Total over all flows (required). */
  rate: UdpRate;
}

export type TrafficSpec = ConnectTraffic | SynFloodTraffic | BulkTraffic | UdpTraffic;
export type TrafficKind = TrafficSpec["kind"];
