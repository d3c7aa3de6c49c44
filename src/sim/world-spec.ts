// The engine's own description of what to build and run: a scenario after
// validation, with every unit converted (ns, bit/s, bytes) and every default
// applied. src/scenario/ produces it from YAML/JSON; tests build it directly.
import type { NicConfig } from "../net/nic.js";
import type { ListenerConfig } from "../net/host.js";
import type { CostModel } from "../cpu/cost.js";
import type { RpsConfig } from "../cpu/rps.js";
import type { AppThread } from "../cpu/net-rx.js";
import type { UdpSocketConfig } from "../net/udp-sock.js";

export interface HostSpec {
  name: string;
  addr: Uint8Array;
  cpus: number;
  nic: NicConfig;
  sysctl: Readonly<Record<string, number | string | readonly number[]>>;
  listeners: readonly ListenerConfig[];
  udpPorts: readonly number[];
  /** UDP sockets with their SO_RCVBUF and read rate (ports in udpPorts without one get the defaults). */
  udpSockets?: readonly UdpSocketConfig[];
  /** Per-stage CPU costs in ns (unset: ZERO_COST, ideal CPUs; scenario files fill DEFAULT_COST). */
  cost?: Partial<CostModel>;
  /** RPS/RFS/aRFS/flow limit (unset: off). */
  rps?: RpsConfig;
  /** Application threads by local port (unset: each socket's reader runs where its packets were processed). */
  apps?: readonly AppThread[];
}

export interface LinkSpec {
  a: string;
  b: string;
  rateBps: number;
  delayNs: number;
  loss: number;
  reorder: number;
  /** Hold time of a reordered frame (unset: two serialization times of that frame). */
  reorderDelayNs?: number;
}

export type TrafficSpec =
  | {
      kind: "connect" | "syn-flood";
      from: string;
      to: string;
      port: number;
      count: number;
      at: number;
      rate: number;
      /** syn-flood only: source addresses. */
      spoof: "none" | "random" | "fixed";
      /** connect only: close each connection this long after ESTABLISHED (default never). */
      holdNs?: number;
      /** syn-flood only: SYNs without options (hping3 -S). */
      bare?: boolean;
    }
  | {
      kind: "bulk";
      from: string;
      to: string;
      port: number;
      flows: number;
      bytes: number;
      at: number;
      /** Congestion control of the senders (default net.ipv4.tcp_congestion_control: cubic). */
      cc?: "cubic" | "reno";
      /** Writer rate, bytes/s (default: as fast as the send buffer allows). */
      writeRate?: number;
      /** SO_SNDBUF of the senders. */
      sndbuf?: number;
      /** SO_MAX_PACING_RATE of the senders, bytes/s. */
      maxPacingRate?: number;
      /** TCP_USER_TIMEOUT of the senders, ms. */
      userTimeoutMs?: number;
    }
  | {
      kind: "rr";
      from: string;
      to: string;
      port: number;
      flows: number;
      request: number;
      response: number;
      at: number;
      cc?: "cubic" | "reno";
      /** SO_SNDBUF of the clients. */
      sndbuf?: number;
      /** SO_MAX_PACING_RATE of the senders, bytes/s. */
      maxPacingRate?: number;
      /** TCP_USER_TIMEOUT of the senders, ms. */
      userTimeoutMs?: number;
      /** Transactions per flow (default: until the run ends). */
      count?: number;
    }
  | {
      kind: "incast";
      /** First sender (senders[0]). */
      from: string;
      /** Every sender, the first included. */
      senders: readonly string[];
      to: string;
      port: number;
      bytes: number;
      at: number;
      cc?: "cubic" | "reno";
      /** Writer rate per sender, bytes/s (default: as fast as the send buffer allows). */
      writeRate?: number;
      /** SO_SNDBUF of the senders. */
      sndbuf?: number;
      /** SO_MAX_PACING_RATE of the senders, bytes/s. */
      maxPacingRate?: number;
      /** TCP_USER_TIMEOUT of the senders, ms. */
      userTimeoutMs?: number;
    }
  | { kind: "udp"; from: string; to: string; port: number; flows: number; size: number; pps: number; count: number; at: number };

export interface WorldSpec {
  name: string;
  description?: string;
  seed: number;
  durationNs: number;
  hosts: readonly HostSpec[];
  links: readonly LinkSpec[];
  traffic: readonly TrafficSpec[];
  /** Points in each time series (sampled evenly over the duration). */
  timeseriesPoints?: number;
}
