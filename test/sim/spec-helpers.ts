// Small WorldSpecs built in code for engine tests.
import type { HostSpec, LinkSpec, TrafficSpec, WorldSpec } from "../../src/sim/world-spec.js";

export function host(name: string, last: number, over: Partial<HostSpec> = {}): HostSpec {
  // every NIC of the host is built from `nic`
  return {
    name,
    addr: Uint8Array.of(10, 0, 0, last),
    cpus: 1,
    nic: { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000 },
    sysctl: {},
    listeners: [],
    udpPorts: [],
    ...over,
  };
}

export function link(a: string, b: string, over: Partial<LinkSpec> = {}): LinkSpec {
  return { a, b, rateBps: 10e9, delayNs: 50_000, loss: 0, reorder: 0, ...over };
}

export function world(hosts: HostSpec[], links: LinkSpec[], traffic: TrafficSpec[], over: Partial<WorldSpec> = {}): WorldSpec {
  return { name: "test", seed: 1, durationNs: 10e6, hosts, links, traffic, timeseriesPoints: 10, ...over };
}
