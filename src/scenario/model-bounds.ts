// What the model can hold, checked on a whole scenario before any memory is
// planned: every field is within its own range (schema.ts), but together the
// NICs, rings and tables of all hosts size one WASM core whose fields have
// fixed maxima (src/core/config.ts CORE_CONFIG_RANGES), and a few JS tables
// grow with a sysctl. Each refusal names the scenario field that crosses the
// bound and says the model's figure, never a core.* field (the plan that uses
// the same figures is coreConfigFor in src/sim/world.ts).

import { CORE_CONFIG_RANGES } from "../core/config.js";
import { UDP_OVERHEAD } from "../sim/from-scenario.js";
import type { Scenario } from "./types.js";

type Report = (path: PropertyKey[], allowed: string, value?: unknown) => void;

/** One RSS context per NIC, two NICs per link: CORE_CONFIG_RANGES.rssContexts.max / 2. */
export const MAX_LINKS = CORE_CONFIG_RANGES.rssContexts.max / 2;
/** One GRO context per RX queue of every NIC: CORE_CONFIG_RANGES.groContexts.max. */
export const MAX_RX_QUEUES = CORE_CONFIG_RANGES.groContexts.max;
/** RX rings (one per RX queue) plus per-CPU backlog rings: CORE_CONFIG_RANGES.maxRings.max. */
export const MAX_RINGS = CORE_CONFIG_RANGES.maxRings.max;
/** Slots of all RX rings (each rounded up to a power of two) and backlog rings: CORE_CONFIG_RANGES.ringSlots.max. */
export const MAX_RING_SLOTS = CORE_CONFIG_RANGES.ringSlots.max;
/** Descriptors of all TX rings: CORE_CONFIG_RANGES.txRingSlots.max. */
export const MAX_TX_RING_SLOTS = CORE_CONFIG_RANGES.txRingSlots.max;
/** rps_dev_flow entries of all RX queues' flow tables (8 bytes each: 32 MiB). */
export const MAX_RPS_FLOWS = 1 << 22;
/** rps_sock_flow_table entries of all hosts (4 bytes each: 64 MiB). */
export const MAX_RPS_SOCK_FLOWS = 1 << 24;
/** net.ipv4.ip_local_port_range 32768..60999: connect() calls one host can have open to one destination. */
export const EPHEMERAL_PORTS = 60999 - 32768 + 1;

/** Packets (datagrams, SYNs, connect() calls) one traffic item may generate in a run: at about 1 µs of wall
 *  time per packet event, 10^8 is minutes of simulation. */
export const MAX_GENERATED = 1e8;

/** The field's value as the Scenario holds it (for the message). */
function valueOf(t: object, key: string): unknown {
  const v = (t as Record<string, unknown>)[key];
  return v !== null && typeof v === "object" && "value" in v ? (v as { value: unknown }).value : v;
}

/** softnet backlog ring slots for netdev_max_backlog (src/cpu/softnet.ts backlogRingSlots). */
function backlogSlots(maxBacklog: number): number {
  let s = 2;
  while (s < 2 * (maxBacklog + 1)) s *= 2;
  return s;
}

function pow2(n: number): number {
  let s = 2;
  while (s < n) s *= 2;
  return s;
}

/** Ethernet header 14 + FCS 4 + preamble 8 + inter-frame gap 12: a frame's wire bytes beyond its MTU's worth. */
const WIRE_OVERHEAD = 38;
/** The smallest frame on the wire: 64 bytes + preamble and gap. */
const MIN_WIRE_FRAME = 84;

/** TCP data traffic: the segments its data can make in the run, at most (bulk: flows × bytes, or what the
 *  write rate, the pacing rate and the link carry in full frames; incast: the same per sender; rr: count ×
 *  flows, or one transaction per round trip (2 × delay plus two smallest frames' serialization) per flow,
 *  each ceil(request / MSS) + ceil(response / MSS) segments; without a count over a zero-delay link the
 *  round trip is CPU time, which the file does not bound, so neither does this). The ACKs and retransmissions come on top:
 *  a bound, not an estimate. */
function checkTcpWork(
  t: Scenario["traffic"][number] & { kind: "bulk" | "rr" | "incast" },
  i: number,
  duration: number,
  family: Map<string, 4 | 6>,
  mtu: Map<string, number>,
  linkOf: (a: string, b: string) => Scenario["links"][number] | undefined,
  report: Report,
): void {
  const left = (duration - t.at) / 1e9;
  const senders = t.kind === "incast" ? t.from : [t.from];
  const flows = t.kind === "incast" ? 1 : t.flows;
  let segs = 0;
  let capped = false;
  for (const from of senders) {
    const link = linkOf(from, t.to.host);
    const m = mtu.get(from) ?? 1500;
    // tcp_mss_to_mtu: MTU − IP − TCP headers (− 12 of timestamps: the most segments)
    const mss = Math.max(1, m - (family.get(from) === 6 ? 40 : 20) - 20 - 12);
    const rate = link?.rate ?? Infinity;
    if (t.kind === "rr") {
      const perTxn = Math.ceil(t.request / mss) + Math.ceil(t.response / mss);
      // over a zero-delay link the round trip is CPU time the file does not bound: no bound without a count
      const delay = link?.delay ?? 0;
      const rtt = 2 * (delay / 1e9 + (MIN_WIRE_FRAME * 8) / rate);
      const byCount = t.count === null ? Infinity : t.count * flows;
      const byRtt = delay > 0 ? Math.ceil(left / rtt) * flows : Infinity;
      segs += Math.min(byCount, byRtt) * perTxn;
      capped ||= byRtt < byCount;
      continue;
    }
    let bytes = t.bytes === null ? Infinity : t.bytes * flows;
    if (t.writeRate !== null) bytes = Math.min(bytes, t.writeRate * left * flows);
    if (t.maxPacingRate !== null) bytes = Math.min(bytes, (t.maxPacingRate / 8) * left * flows);
    const bySize = Math.ceil(bytes / mss);
    const byWire = Math.ceil((rate * left) / (8 * (m + WIRE_OVERHEAD)));
    segs += Math.min(bySize, byWire);
    capped ||= byWire < bySize;
  }
  // Infinity: an rr without a count over a zero-delay link (not bounded by the file)
  if (segs > MAX_GENERATED && Number.isFinite(segs)) {
    const key = t.kind === "rr" ? "count" : "bytes";
    const how =
      t.kind === "rr"
        ? capped
          ? "one transaction per round trip per flow for duration − at, each ceil(request ÷ MSS) + ceil(response ÷ MSS) segments"
          : "count × flows × (ceil(request ÷ MSS) + ceil(response ÷ MSS))"
        : capped
          ? "what the link carries in full frames for duration − at"
          : t.kind === "incast"
            ? "bytes ÷ MSS per sender"
            : "flows × bytes ÷ MSS, or what the write or pacing rate allows";
    report(["traffic", i, key], `at most ${MAX_GENERATED} TCP data segments in the run (${how}: ${segs} here; the model's bound on work, about 1 µs of wall time per packet event: give ${t.kind === "rr" ? "a count" : "fewer bytes"} or a shorter duration)`, valueOf(t, key) ?? undefined);
  }
}

/** Append an issue for each bound the scenario crosses (the host where a running total first passes it). */
export function checkModelBounds(s: Scenario, report: Report): void {
  if (s.links.length > MAX_LINKS) {
    report(["links"], `at most ${MAX_LINKS} links (the model's bound: each link end is a NIC with its own RSS context, 256 in all)`, `${s.links.length} links`);
  }
  const nicsOf = new Map<string, number>();
  for (const l of s.links) {
    nicsOf.set(l.a, (nicsOf.get(l.a) ?? 0) + 1);
    nicsOf.set(l.b, (nicsOf.get(l.b) ?? 0) + 1);
  }
  let rxQueues = 0;
  let rings = 0;
  let ringSlots = 0;
  let txSlots = 0;
  let rpsFlows = 0;
  let sockFlows = 0;
  const once = new Set<string>();
  const over = (what: string, path: PropertyKey[], allowed: string, value: unknown): void => {
    if (once.has(what)) return;
    once.add(what);
    report(path, allowed, value);
  };
  for (const h of s.hosts) {
    const k = nicsOf.get(h.name) ?? 0;
    const nic = h.nic;
    const backlog = h.sysctl["net.core.netdev_max_backlog"];
    rxQueues += k * nic.queues;
    if (rxQueues > MAX_RX_QUEUES) {
      over("rxq", ["hosts", h.name, "nic", "queues"], `at most ${MAX_RX_QUEUES} RX queues on all NICs together (the model's bound: one GRO context each); ${h.name} has ${k} NIC${k === 1 ? "" : "s"}, ${rxQueues} queues so far`, nic.queues);
    }
    rings += k * nic.queues + h.cpus;
    if (rings > MAX_RINGS) {
      over("rings", ["hosts", h.name, "cpus"], `at most ${MAX_RINGS} rings in all (the model's bound: one per RX queue and one backlog per CPU of every host); ${rings} so far`, h.cpus);
    }
    const rx = k * nic.queues * pow2(nic.rxRing);
    const bl = h.cpus * backlogSlots(backlog);
    ringSlots += rx + bl;
    if (ringSlots > MAX_RING_SLOTS) {
      const why = `at most ${MAX_RING_SLOTS} RX ring and backlog slots in all (the model's bound, 128 MiB: queues × rxRing per NIC plus cpus × 2·(netdev_max_backlog + 1) rounded up to a power of two); ${ringSlots} so far, ${h.name}: ${rx} + ${bl}`;
      if (rx >= bl) over("slots", ["hosts", h.name, "nic", "rxRing"], why, nic.rxRing);
      else over("slots", ["hosts", h.name, "sysctl", "net.core.netdev_max_backlog"], why, backlog);
    }
    txSlots += k * nic.queues * nic.txRing;
    if (txSlots > MAX_TX_RING_SLOTS) {
      over("tx", ["hosts", h.name, "nic", "txRing"], `at most ${MAX_TX_RING_SLOTS} TX descriptors in all (the model's bound: queues × txRing per NIC); ${txSlots} so far`, nic.txRing);
    }
    // flowCnt and rps_sock_flow_entries arrive rounded up to a power of two, as the tables are allocated
    // (validate.ts: store_rps_dev_flow_table_cnt; sysctl.ts roundPow2: rps_sock_flow_sysctl)
    rpsFlows += k * nic.queues * h.rps.flowCnt;
    if (rpsFlows > MAX_RPS_FLOWS) {
      over("rps", ["hosts", h.name, "rps", "flowCnt"], `at most ${MAX_RPS_FLOWS} flow entries in all RX queues' tables together (the model's bound: queues × flowCnt rounded up to a power of two, per NIC; Linux takes up to 2^29 per queue); ${rpsFlows} so far`, h.rps.flowCnt);
    }
    sockFlows += h.sysctl["net.core.rps_sock_flow_entries"];
    if (sockFlows > MAX_RPS_SOCK_FLOWS) {
      over("rfs", ["hosts", h.name, "sysctl", "net.core.rps_sock_flow_entries"], `at most ${MAX_RPS_SOCK_FLOWS} entries on all hosts together (the model's bound; Linux takes up to 2^29); ${sockFlows} so far`, h.sysctl["net.core.rps_sock_flow_entries"]);
    }
    if (h.sysctl["net.core.default_qdisc"] === "fq_codel") {
      report(["hosts", h.name, "sysctl", "net.core.default_qdisc"], "one of pfifo_fast, fq (fq_codel is a Linux qdisc but is not modelled)", "fq_codel");
    }
  }
  const hostFamily = new Map(s.hosts.map((h) => [h.name, h.family]));
  const hostMtu = new Map(s.hosts.map((h) => [h.name, h.nic.mtu]));
  const linkOf = (a: string, b: string) => s.links.find((l) => (l.a === a && l.b === b) || (l.a === b && l.b === a));
  s.traffic.forEach((t, i) => {
    if (t.kind === "bulk" || t.kind === "rr" || t.kind === "incast") {
      checkTcpWork(t, i, s.duration, hostFamily, hostMtu, linkOf, report);
      return;
    }
    // a bound on work: the packets (or connect()/SYN calls) a generator makes in the run
    const left = (s.duration - t.at) / 1e9;
    let made = 0;
    let path: PropertyKey[] = ["traffic", i, "rate"];
    let how = "rate × (duration − at)";
    if (t.kind === "udp") {
      const frameBits = (t.size + UDP_OVERHEAD[hostFamily.get(t.from) ?? 4]) * 8;
      made = (t.rate.unit === "pps" ? t.rate.value : t.rate.value / frameBits) * left;
    } else if (t.kind === "connect" || t.kind === "syn-flood") {
      made = t.rate === null ? t.count : Math.min(t.count, t.rate * left);
      if (t.rate === null || t.count < t.rate * left) {
        path = ["traffic", i, "count"];
        how = "count";
      }
    }
    if (made > MAX_GENERATED) {
      report(path, `at most ${MAX_GENERATED} ${t.kind === "udp" ? "datagrams" : t.kind === "connect" ? "connections" : "SYNs"} in the run (${how}: ${Math.ceil(made)} here; the model's bound on work, about 1 µs of wall time per packet event)`, valueOf(t, path[2] as string));
    }
    if (t.kind === "connect" && t.rate === null && t.count > EPHEMERAL_PORTS) {
      report(["traffic", i, "count"], `at most ${EPHEMERAL_PORTS} connections started at once (ephemeral ports 32768..60999 of ${t.from}); give a rate to start more`, t.count);
    }
  });
}
