// A validated Scenario (src/scenario/) becomes the engine's WorldSpec: parsed
// addresses, NIC and link numbers, and the sockets the traffic implies (a
// bulk, rr, incast or UDP destination is a socket the scenario need not declare).
import type { Scenario, TrafficSpec as ScenarioTraffic } from "../scenario/types.js";
import { toIpBytes } from "../wire/addr.js";
import type { ListenerConfig } from "../net/host.js";
import type { TcpListenerConfig } from "../tcp/tcp-host.js";
import type { ServerApp } from "../tcp/apps.js";
import type { HostSpec, TrafficSpec, WorldSpec } from "./world-spec.js";

/** Ethernet + IPv4/IPv6 + UDP headers + FCS around a datagram's payload. */
export const UDP_OVERHEAD = { 4: 14 + 20 + 8 + 4, 6: 14 + 40 + 8 + 4 } as const;

export function worldSpecFromScenario(s: Scenario): WorldSpec {
  const byName = new Map(s.hosts.map((h) => [h.name, h]));
  const listeners = new Map<string, ListenerConfig[]>();
  const udpPorts = new Map<string, Set<number>>();
  for (const h of s.hosts) {
    listeners.set(
      h.name,
      h.sockets.map((k) => ({
        port: k.listen,
        backlog: k.backlog,
        accept: k.accept.kind === "always" ? true : k.accept.kind === "never" ? false : k.accept.perSec,
        acceptDelay: k.acceptDelay,
      })),
    );
    udpPorts.set(h.name, new Set());
  }
  for (const t of s.traffic) {
    if (t.kind === "bulk" || t.kind === "incast" || t.kind === "rr") {
      // The destination runs a sink reader or an rr responder (src/tcp/apps.ts), declared or not;
      // a declared listener's SO_RCVBUF and read rate apply to its accepted connections.
      const dst = byName.get(t.to.host)!;
      const decl = dst.sockets.find((k) => k.listen === t.to.port);
      const app: ServerApp = {
        ...(t.kind === "rr" ? { kind: "rr", request: t.request, response: t.response } : { kind: "sink" }),
        ...(decl?.rcvbuf != null ? { rcvbuf: decl.rcvbuf } : {}),
        ...(decl && decl.readRate.kind !== "always" ? { readRate: decl.readRate.kind === "never" ? 0 : decl.readRate.bytesPerSec } : {}),
      };
      const ls = listeners.get(t.to.host)!;
      const at = ls.findIndex((l) => l.port === t.to.port);
      if (at < 0) ls.push({ port: t.to.port, backlog: Number(dst.sysctl["net.core.somaxconn"]), accept: true, app } as TcpListenerConfig);
      else ls[at] = { ...ls[at]!, app } as TcpListenerConfig;
    } else if (t.kind === "udp") {
      udpPorts.get(t.to.host)!.add(t.to.port);
    }
  }
  const hosts: HostSpec[] = s.hosts.map((h) => {
    const addr = toIpBytes(h.addr, h.family);
    if (addr === null) throw new Error(`hosts.${h.name}.addr: ${h.addr} is not an IPv${h.family} address`);
    return {
      name: h.name,
      addr,
      cpus: h.cpus,
      nic: {
        queues: h.nic.queues,
        rateBps: h.nic.rate,
        mtu: h.nic.mtu,
        rxRing: h.nic.rxRing,
        txRing: h.nic.txRing,
        txqueuelen: h.nic.txqueuelen,
        rxUsecs: h.nic.rxUsecs,
        rxFrames: h.nic.rxFrames,
        ...(h.nic.irqAffinity.length > 0 ? { irqAffinity: h.nic.irqAffinity } : {}),
        rxhash: h.nic.rxhash,
        gro: h.nic.gro,
        groFlushTimeout: h.nic.groFlushTimeout,
        napiDeferHardIrqs: h.nic.napiDeferHardIrqs,
        txUsecs: h.nic.txUsecs,
        txFrames: h.nic.txFrames,
        bql: h.nic.bql,
        tso: h.nic.tso,
        ...fqMaxrateBytes(h.nic.fqMaxrate),
        ...(h.nic.xps.cpus.length > 0 ? { xpsCpus: h.nic.xps.cpus } : {}),
        ...(h.nic.xps.rxqs.length > 0 ? { xpsRxqs: h.nic.xps.rxqs } : {}),
      },
      cost: { ...h.cost },
      rps: { cpus: h.rps.cpus, flowCnt: h.rps.flowCnt, arfs: h.rps.arfs, flowLimitCpus: h.rps.flowLimit },
      apps: h.apps.map((a) => ({ port: a.port, cpus: a.cpus, everyNs: a.every, connected: a.connected })),
      sysctl: h.sysctl as Record<string, number | string | readonly number[]>,
      listeners: listeners.get(h.name)!.sort((a, b) => a.port - b.port),
      udpPorts: [...udpPorts.get(h.name)!].sort((a, b) => a - b),
      udpSockets: h.udpSockets.map((u) => ({
        port: u.udp,
        ...(u.rcvbuf !== null ? { rcvbuf: u.rcvbuf } : {}),
        readRate: u.readRate.kind === "always" ? true : u.readRate.kind === "never" ? false : u.readRate.perSec,
      })),
    };
  });
  return {
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    seed: s.seed,
    durationNs: s.duration,
    hosts,
    links: s.links.map((l) => ({ a: l.a, b: l.b, rateBps: l.rate, delayNs: l.delay, loss: l.loss, reorder: l.reorder,
      ...(l.reorderDelay !== undefined ? { reorderDelayNs: l.reorderDelay } : {}) })),
    traffic: s.traffic.map((t) => trafficSpec(t, byName.get(t.kind === "incast" ? t.from[0]! : t.from)!.family)),
  };
}

/** cc and SO_SNDBUF of a TCP data sender. */
/**
 * nic.fqMaxrate (bit/s, 0 = none) -> fq's maxrate in whole bytes/s, floored as tc's get_rate does;
 * 4294967295 B/s is ~0U, which fq_change (net/sched/sch_fq.c) takes as unlimited.
 */
function fqMaxrateBytes(bits: number): { fqMaxrate?: number } {
  const bytes = Math.floor(bits / 8);
  return bits > 0 && bytes < 0xffffffff ? { fqMaxrate: bytes } : {};
}

function senderOptions(t: { cc: "cubic" | "reno"; sndbuf: number | null; maxPacingRate: number | null; userTimeout: number | null }): {
  cc: "cubic" | "reno";
  sndbuf?: number;
  maxPacingRate?: number;
  userTimeoutMs?: number;
} {
  return {
    cc: t.cc,
    ...(t.sndbuf !== null ? { sndbuf: t.sndbuf } : {}),
    ...(t.maxPacingRate !== null ? { maxPacingRate: t.maxPacingRate / 8 } : {}),
    ...(t.userTimeout !== null ? { userTimeoutMs: t.userTimeout } : {}),
  };
}

function trafficSpec(t: ScenarioTraffic, family: 4 | 6): TrafficSpec {
  if (t.kind === "incast") {
    return {
      kind: "incast",
      from: t.from[0]!,
      senders: [...t.from],
      to: t.to.host,
      port: t.to.port,
      bytes: t.bytes,
      at: t.at,
      ...senderOptions(t),
      ...(t.writeRate !== null ? { writeRate: t.writeRate } : {}),
    };
  }
  const base = { from: t.from, to: t.to.host, port: t.to.port, at: t.at };
  switch (t.kind) {
    case "connect":
      return { ...base, kind: "connect", count: t.count, rate: t.rate ?? 0, spoof: "none" };
    case "syn-flood":
      return { ...base, kind: "syn-flood", count: t.count, rate: t.rate ?? 0, spoof: t.spoof };
    case "bulk":
      return { ...base, kind: "bulk", flows: t.flows, bytes: t.bytes ?? Infinity, ...senderOptions(t), ...(t.writeRate !== null ? { writeRate: t.writeRate } : {}) };
    case "rr":
      return { ...base, kind: "rr", flows: t.flows, request: t.request, response: t.response, ...senderOptions(t), ...(t.count !== null ? { count: t.count } : {}) };
    case "udp": {
      // The scenario's UDP size is the payload; a bit rate counts whole frames.
      const payload = t.size;
      const frameBits = (payload + UDP_OVERHEAD[family]) * 8;
      const pps = t.rate.unit === "pps" ? t.rate.value : t.rate.value / frameBits;
      return { ...base, kind: "udp", flows: t.flows, size: payload, pps, count: Infinity };
    }
  }
}
