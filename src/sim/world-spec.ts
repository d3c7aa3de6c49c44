// The engine's own description of what to build and run: a scenario after
// validation, with every unit converted (ns, bit/s, bytes) and every default
// applied. src/scenario/ produces it from YAML/JSON; tests build it directly.
import type { NicConfig } from "../net/nic.js";
import type { ListenerConfig } from "../net/host.js";

export interface HostSpec {
  name: string;
  addr: Uint8Array;
  cpus: number;
  nic: NicConfig;
  sysctl: Readonly<Record<string, number | string | readonly number[]>>;
  listeners: readonly ListenerConfig[];
  udpPorts: readonly number[];
}

export interface LinkSpec {
  a: string;
  b: string;
  rateBps: number;
  delayNs: number;
  loss: number;
  reorder: number;
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
  | { kind: "bulk"; from: string; to: string; port: number; flows: number; bytes: number; at: number }
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
