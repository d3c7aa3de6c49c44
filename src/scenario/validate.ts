// From a parsed document (any JS value) to a checked Scenario: the zod schema
// checks each field alone; this file fills the defaults that depend on other
// fields (addresses, sysctls) and checks what spans fields: names that must
// refer to hosts, listeners that traffic needs, duplicate links, start times
// within the run. All problems found are reported together.

import { ScenarioError, joinPath, type ScenarioIssue } from "./errors.js";
import { scenarioSchema, toIssues, valueAt, type ParsedHost, type ParsedScenario } from "./schema.js";
import { freeBufferPages, tcpMaxOrphansDefault, tcpMemDefault } from "../tcp/mem.js";
import { defaultSysctls, describeSysctl, SYSCTLS, type Sysctls } from "./sysctl.js";
import type { HostSpec, LinkSpec, Scenario, TrafficSpec } from "./types.js";
import { showNs } from "./units.js";
import { DEFAULT_COST } from "../cpu/cost.js";
import { checkModelBounds } from "./model-bounds.js";

const MAX_HOSTS = 1024;
/** IP + UDP header bytes in front of a datagram's payload, per family. */
const IP_UDP_HEADERS = { 4: 20 + 8, 6: 40 + 8 } as const;
/** include/uapi/linux/ipv6.h: IPV6_MIN_MTU */
const IPV6_MIN_MTU = 1280;

/**
 * Check a parsed document (from YAML, JSON or built in code) and return the
 * fully-defaulted Scenario. Throws ScenarioError with every problem found.
 */
export function validateScenario(doc: unknown, source?: string): Scenario {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new ScenarioError("", doc, "a mapping with keys name, description, seed, duration, hosts, links, traffic", { source });
  }
  const proto = findProtoKey(doc);
  if (proto) throw new ScenarioError(joinPath(proto), valueAt(doc, proto), "a key other than __proto__", { source });
  const result = scenarioSchema.safeParse(doc);
  if (!result.success) throw ScenarioError.of(toIssues(doc, result.error.issues), source);
  const issues: ScenarioIssue[] = [];
  const scenario = build(doc, result.data, issues);
  // what the fields ask of the model together (core memory plan, tables): only on an otherwise valid scenario
  if (!issues.length) {
    checkModelBounds(scenario, (path, allowed, value) => {
      const asWritten = valueAt(doc, path); // a scalar as the file wrote it ("1G/us"), else the bound's own figure
      issues.push({ path: joinPath(path), value: asWritten !== undefined && typeof asWritten !== "object" ? asWritten : value, allowed });
    });
  }
  if (issues.length) throw ScenarioError.of(issues, source);
  return scenario;
}

/**
 * Path of the first `__proto__` own key, if any. zod skips such keys when it
 * copies records, so they would vanish without an error; refuse them here.
 * Iterative (the document may be deeply nested) and cycle-safe.
 */
function findProtoKey(doc: unknown): PropertyKey[] | undefined {
  interface Node {
    value: unknown;
    key: PropertyKey;
    parent: Node | undefined;
  }
  const pathOf = (n: Node): PropertyKey[] => {
    const out: PropertyKey[] = [];
    for (let c: Node | undefined = n; c?.parent; c = c.parent) out.push(c.key);
    return out.reverse();
  };
  const stack: Node[] = [{ value: doc, key: "", parent: undefined }];
  const seen = new Set<object>(); // YAML aliases can share or even cycle
  while (stack.length) {
    const node = stack.pop()!;
    const value = node.value;
    if (value === null || typeof value !== "object" || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], key: i, parent: node });
      continue;
    }
    for (const key of Object.keys(value)) {
      const child: Node = { value: (value as Record<string, unknown>)[key], key, parent: node };
      if (key === "__proto__") return pathOf(child);
      stack.push(child);
    }
  }
  return undefined;
}

function build(doc: unknown, p: ParsedScenario, issues: ScenarioIssue[]): Scenario {
  const report = (path: PropertyKey[], allowed: string, value: unknown = valueAt(doc, path)) =>
    issues.push({ path: joinPath(path), value, allowed });

  const hostNames = Object.keys(p.hosts);
  if (hostNames.length === 0) report(["hosts"], "at least one host, e.g. { server: {}, client: {} }");
  if (hostNames.length > MAX_HOSTS) report(["hosts"], `at most ${MAX_HOSTS} hosts`, `${hostNames.length} hosts`);
  const hostList = hostNames.map((name, index) => buildHost(name, index, p.hosts[name]!, report));
  assignAddresses(hostList, report);
  const hosts = new Map(hostList.map((h) => [h.name, h]));

  const hostNameList = hostNames.join(", ");
  const knownHost = (name: string, path: PropertyKey[]) => {
    if (hosts.has(name)) return true;
    report(path, `one of the hosts: ${hostNameList}`);
    return false;
  };

  const links: LinkSpec[] = [];
  const linked = new Map<string, number>();
  const pairKey = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  p.links.forEach((l, i) => {
    const okA = knownHost(l.a, ["links", i, "a"]);
    const okB = knownHost(l.b, ["links", i, "b"]);
    if (okA && okB) {
      if (l.a === l.b) report(["links", i, "b"], `a host other than ${l.a} (a link joins two hosts)`);
      else {
        const key = pairKey(l.a, l.b);
        const prev = linked.get(key);
        if (prev !== undefined) report(["links", i], `at most one link between ${l.a} and ${l.b} (already links[${prev}])`, { a: l.a, b: l.b });
        else linked.set(key, i);
      }
    }
    // a hold time for frames that are never held would be silently dead: refuse it
    if (l.reorderDelay !== null && l.reorder <= 0) report(["links", i, "reorderDelay"], "only with reorder > 0 (the probability a frame is held back); set reorder or remove reorderDelay");
    links.push({ a: l.a, b: l.b, rate: l.rate, delay: l.delay, loss: l.loss, reorder: l.reorder, ...(l.reorderDelay !== null ? { reorderDelay: l.reorderDelay } : {}) });
  });

  const traffic: TrafficSpec[] = [];
  /** The server application each data port runs: a sink (bulk, incast) or one rr responder; first user by index. */
  const serverApps = new Map<string, { i: number; kind: "sink" | "rr"; request: number; response: number }>();
  p.traffic.forEach((t, i) => {
    const path = (key: string): PropertyKey[] => ["traffic", i, key];
    const dst = knownHost(t.to.host, path("to")) ? hosts.get(t.to.host)! : undefined;
    /** Checks that src can reach dst; reported at `at` (the `to` key, or an incast sender's entry). */
    const reach = (src: HostSpec, dst: HostSpec, at: PropertyKey[], toPath: PropertyKey[]) => {
      if (src === dst) report(at, `a host other than the receiver ${dst.name} (loopback is not modelled)`);
      else if (!linked.has(pairKey(src.name, dst.name))) {
        const peers = [...new Set(links.filter((l) => l.a === src.name || l.b === src.name).map((l) => (l.a === src.name ? l.b : l.a)))];
        report(toPath, `a host linked to ${src.name} (${peers.length ? `linked: ${peers.join(", ")}` : "it has no links"}); add a link { a: ${src.name}, b: ${dst.name} }`);
      } else if (src.family !== dst.family) report(toPath, `a host of the same address family as ${src.name} (IPv${src.family})`);
    };
    if (t.kind === "bulk" || t.kind === "rr" || t.kind === "incast") {
      // One listener runs one application: a sink (bulk, incast) or an rr responder of one request/response size.
      const key = `${t.to.host}:${t.to.port}`;
      const app = t.kind === "rr" ? { i, kind: "rr" as const, request: t.request, response: t.response } : { i, kind: "sink" as const, request: 0, response: 0 };
      const prev = serverApps.get(key);
      if (prev === undefined) serverApps.set(key, app);
      else if (prev.kind !== app.kind) report(path("to"), `a port not also used by traffic[${prev.i}] (${prev.kind === "rr" ? "an rr responder" : "a bulk/incast sink"} listens on ${key}; a listener runs one application)`);
      else if (app.kind === "rr" && (prev.request !== app.request || prev.response !== app.response)) {
        report(path("to"), `a port not also used by traffic[${prev.i}] with other sizes (its responder answers ${prev.request}-byte requests with ${prev.response} bytes)`);
      }
    }
    if (t.kind === "incast") {
      const seenSender = new Map<string, number>();
      t.from.forEach((name, j) => {
        const at: PropertyKey[] = ["traffic", i, "from", j];
        const prev = seenSender.get(name);
        if (prev !== undefined) return report(at, `a sender not already listed at from[${prev}] (each sender once)`);
        seenSender.set(name, j);
        const src = knownHost(name, at) ? hosts.get(name)! : undefined;
        if (src && dst) reach(src, dst, at, at);
      });
      if (t.at >= p.duration) report(path("at"), `a start time before the end of the run (duration ${showNs(p.duration)})`);
      traffic.push({ ...t, from: [...t.from], to: { ...t.to } });
      return;
    }
    const src = knownHost(t.from, path("from")) ? hosts.get(t.from)! : undefined;
    if (src && dst) {
      if (src === dst) report(path("to"), `a host other than the sender ${src.name} (loopback is not modelled)`);
      else reach(src, dst, path("to"), path("to"));
      if ((t.kind === "connect" || t.kind === "syn-flood") && !dst.sockets.some((s) => s.listen === t.to.port)) {
        const ports = [...new Set(dst.sockets.map((s) => s.listen))];
        report(path("to"), `a port with a listener on ${dst.name} (${ports.length ? `listening: ${ports.join(", ")}` : "no sockets"})`);
      }
      if (t.kind === "udp" && src.family === 6) {
        // IPv4 senders fragment (ip_do_fragment); IPv6 fragmentation is not modelled.
        const max = src.nic.mtu - IP_UDP_HEADERS[src.family];
        if (t.size > max) report(path("size"), `payload 0..${max} bytes (${src.name} MTU ${src.nic.mtu} minus IPv6 and UDP headers; IPv6 fragmentation is not modelled)`);
      }
    }
    if (t.at >= p.duration) report(path("at"), `a start time before the end of the run (duration ${showNs(p.duration)})`);
    traffic.push({ ...t, to: { ...t.to } });
  });

  return {
    name: p.name,
    description: p.description,
    seed: p.seed,
    duration: p.duration,
    hosts: hostList,
    links,
    traffic,
  };
}

type Report = (path: PropertyKey[], allowed: string, value?: unknown) => void;

function buildHost(name: string, index: number, h: ParsedHost, report: Report): HostSpec {
  const sysctl: Sysctls = { ...defaultSysctls(), ...h.sysctl };
  // net/ipv4/tcp.c: tcp_init — the memory-scaled defaults follow the host's memory unless the file sets them
  const pages = freeBufferPages(h.memory);
  if (h.sysctl["net.ipv4.tcp_mem"] === undefined) sysctl["net.ipv4.tcp_mem"] = tcpMemDefault(pages);
  if (h.sysctl["net.ipv4.tcp_max_orphans"] === undefined) sysctl["net.ipv4.tcp_max_orphans"] = tcpMaxOrphansDefault(pages);
  const share = pages * 32; // nr_free_buffer_pages << (PAGE_SHIFT - 7): 1/128 of memory per socket
  if (h.sysctl["net.ipv4.tcp_rmem"] === undefined) sysctl["net.ipv4.tcp_rmem"] = [4096, 131072, Math.max(131072, Math.min(6 * 2 ** 20, share))];
  if (h.sysctl["net.ipv4.tcp_wmem"] === undefined) sysctl["net.ipv4.tcp_wmem"] = [4096, 16384, Math.max(65536, Math.min(4 * 2 ** 20, share))];
  const sysPath = (key: string): PropertyKey[] => ["hosts", name, "sysctl", key];
  // net/ipv4/ip_fragment.c: ip4_frags_ns_ctl_register — low_thresh's extra2 is high_thresh, high's extra1 is low
  if (sysctl["net.ipv4.ipfrag_low_thresh"] > sysctl["net.ipv4.ipfrag_high_thresh"]) {
    const key = h.sysctl["net.ipv4.ipfrag_low_thresh"] !== undefined ? "net.ipv4.ipfrag_low_thresh" : "net.ipv4.ipfrag_high_thresh";
    report(sysPath(key), `${describeSysctl(SYSCTLS[key])} with ipfrag_low_thresh ≤ ipfrag_high_thresh`);
  }
  // net/ipv4/sysctl_net_ipv4.c: a write of tcp_reordering is bounded by tcp_max_reordering (its extra2,
  // proc_dointvec_minmax); tcp_max_reordering's own write has no upper check, so lowering it alone is accepted
  if (h.sysctl["net.ipv4.tcp_reordering"] !== undefined && sysctl["net.ipv4.tcp_reordering"] > sysctl["net.ipv4.tcp_max_reordering"]) {
    report(sysPath("net.ipv4.tcp_reordering"), `${describeSysctl(SYSCTLS["net.ipv4.tcp_reordering"])} with tcp_reordering ≤ tcp_max_reordering`);
  }
  const seen = new Map<number, number>();
  const seenUdp = new Map<number, number>();
  const tcpSockets: HostSpec["sockets"] = [];
  const udpSockets: HostSpec["udpSockets"] = [];
  h.sockets.forEach((s, i) => {
    if ("udp" in s) {
      const prev = seenUdp.get(s.udp);
      if (prev !== undefined) report(["hosts", name, "sockets", i, "udp"], `a port not already bound by sockets[${prev}] (EADDRINUSE)`);
      else seenUdp.set(s.udp, i);
      udpSockets.push({ udp: s.udp, rcvbuf: s.rcvbuf, readRate: { ...s.readRate } });
      return;
    }
    const prev = seen.get(s.listen);
    if (prev !== undefined) report(["hosts", name, "sockets", i, "listen"], `a port not already listened on by sockets[${prev}] (EADDRINUSE)`);
    else seen.set(s.listen, i);
    tcpSockets.push({ ...s, accept: { ...s.accept } });
  });
  const cpuOk = (c: number) => c < h.cpus;
  const hostPath = (...k: PropertyKey[]): PropertyKey[] => ["hosts", name, ...k];
  h.nic.irqAffinity.forEach((c, i) => {
    if (!cpuOk(c)) report(hostPath("nic", "irqAffinity", i), `a CPU 0..${h.cpus - 1} (the host has ${h.cpus})`, c);
  });
  if (h.nic.irqAffinity.length > h.nic.queues) report(hostPath("nic", "irqAffinity"), `at most one CPU per RX queue (${h.nic.queues})`);
  // net/core/net-sysfs.c: netdev_rx_queue_set_rps_mask — the mask is ANDed with the online CPUs
  const online = (m: number[]) => m.filter(cpuOk);
  let rpsCpus: number[][];
  if ("perQueue" in h.rps.cpus) {
    if (h.rps.cpus.perQueue.length !== h.nic.queues) report(hostPath("rps", "cpus"), `one mask per RX queue (${h.nic.queues}), or a single mask for all`);
    rpsCpus = h.rps.cpus.perQueue.map(online);
  } else {
    const all = online(h.rps.cpus.all);
    rpsCpus = Array.from({ length: h.nic.queues }, () => [...all]);
  }
  let flowCnt = 0;
  if (h.rps.flowCnt > 0) for (flowCnt = 1; flowCnt < h.rps.flowCnt; flowCnt *= 2);
  const apps = h.apps.map((a, i) => {
    const cpus = a.cpu !== null ? [a.cpu, ...a.cpus] : a.cpus;
    if (cpus.length === 0) report(hostPath("apps", i), "cpu: N (pinned) or cpus: [..] (with every: to migrate)", a);
    cpus.forEach((c) => {
      if (!cpuOk(c)) report(hostPath("apps", i, a.cpu === c ? "cpu" : "cpus"), `a CPU 0..${h.cpus - 1} (the host has ${h.cpus})`, c);
    });
    return { port: a.port, cpus, every: a.every, connected: a.connected };
  });
  const family = h.addr?.family ?? 4;
  if (family === 6 && h.nic.mtu < IPV6_MIN_MTU) report(["hosts", name, "nic", "mtu"], `≥ ${IPV6_MIN_MTU} on an IPv6 host (IPV6_MIN_MTU)`);
  return {
    name,
    index,
    addr: h.addr?.addr ?? "",
    family,
    cpus: h.cpus,
    nic: { ...h.nic, irqAffinity: [...h.nic.irqAffinity] },
    rps: { cpus: rpsCpus, flowCnt, arfs: h.rps.arfs, flowLimit: h.rps.flowLimit.filter(cpuOk) },
    cost: { ...DEFAULT_COST, ...stripUndefined(h.cost) },
    apps,
    sysctl,
    sockets: tcpSockets,
    udpSockets,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Hosts without `addr` get 10.0.0.<index+1> (10.x.y.z past 255), skipping addresses already taken. */
function assignAddresses(hosts: HostSpec[], report: Report): void {
  const taken = new Map<string, string>();
  for (const h of hosts) {
    if (h.addr === "") continue;
    const key = h.family === 6 ? h.addr.toLowerCase() : h.addr;
    const owner = taken.get(key);
    if (owner !== undefined) report(["hosts", h.name, "addr"], `an address not already used by ${owner}`);
    else taken.set(key, h.name);
  }
  let n = 0;
  for (const h of hosts) {
    if (h.addr !== "") continue;
    n = Math.max(n, h.index + 1);
    let addr: string;
    do {
      addr = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      n++;
    } while (taken.has(addr));
    h.addr = addr;
    taken.set(addr, h.name);
  }
}
