// From a parsed document (any JS value) to a checked Scenario: the zod schema
// checks each field alone; this file fills the defaults that depend on other
// fields (addresses, sysctls) and checks what spans fields: names that must
// refer to hosts, listeners that traffic needs, duplicate links, start times
// within the run. All problems found are reported together.

import { ScenarioError, joinPath, type ScenarioIssue } from "./errors.js";
import { scenarioSchema, toIssues, valueAt, type ParsedHost, type ParsedScenario } from "./schema.js";
import { defaultSysctls, describeSysctl, SYSCTLS, type Sysctls } from "./sysctl.js";
import type { HostSpec, LinkSpec, Scenario, TrafficSpec } from "./types.js";
import { showNs } from "./units.js";

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
    links.push({ a: l.a, b: l.b, rate: l.rate, delay: l.delay, loss: l.loss, reorder: l.reorder });
  });

  const traffic: TrafficSpec[] = [];
  p.traffic.forEach((t, i) => {
    const path = (key: string): PropertyKey[] => ["traffic", i, key];
    const src = knownHost(t.from, path("from")) ? hosts.get(t.from)! : undefined;
    const dst = knownHost(t.to.host, path("to")) ? hosts.get(t.to.host)! : undefined;
    if (src && dst) {
      if (src === dst) report(path("to"), `a host other than the sender ${src.name} (loopback is not modelled)`);
      else if (!linked.has(pairKey(src.name, dst.name))) {
        const peers = [...new Set(links.filter((l) => l.a === src.name || l.b === src.name).map((l) => (l.a === src.name ? l.b : l.a)))];
        report(path("to"), `a host linked to ${src.name} (${peers.length ? `linked: ${peers.join(", ")}` : "it has no links"}); add a link { a: ${src.name}, b: ${dst.name} }`);
      } else if (src.family !== dst.family) report(path("to"), `a host of the same address family as ${src.name} (IPv${src.family})`);
      if ((t.kind === "connect" || t.kind === "syn-flood") && !dst.sockets.some((s) => s.listen === t.to.port)) {
        const ports = [...new Set(dst.sockets.map((s) => s.listen))];
        report(path("to"), `a port with a listener on ${dst.name} (${ports.length ? `listening: ${ports.join(", ")}` : "no sockets"})`);
      }
      if (t.kind === "udp") {
        // Payloads that need IP fragmentation are not modelled yet.
        const max = src.nic.mtu - IP_UDP_HEADERS[src.family];
        if (t.size > max) report(path("size"), `payload 0..${max} bytes (${src.name} MTU ${src.nic.mtu} minus IPv${src.family} and UDP headers; IP fragmentation is not modelled yet)`);
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
  const sysPath = (key: string): PropertyKey[] => ["hosts", name, "sysctl", key];
  // net/ipv4/ip_fragment.c: ip4_frags_ns_ctl_register — low_thresh's extra2 is high_thresh, high's extra1 is low
  if (sysctl["net.ipv4.ipfrag_low_thresh"] > sysctl["net.ipv4.ipfrag_high_thresh"]) {
    const key = h.sysctl["net.ipv4.ipfrag_low_thresh"] !== undefined ? "net.ipv4.ipfrag_low_thresh" : "net.ipv4.ipfrag_high_thresh";
    report(sysPath(key), `${describeSysctl(SYSCTLS[key])} with ipfrag_low_thresh ≤ ipfrag_high_thresh`);
  }
  const seen = new Map<number, number>();
  h.sockets.forEach((s, i) => {
    const prev = seen.get(s.listen);
    if (prev !== undefined) report(["hosts", name, "sockets", i, "listen"], `a port not already listened on by sockets[${prev}] (EADDRINUSE)`);
    else seen.set(s.listen, i);
  });
  const family = h.addr?.family ?? 4;
  if (family === 6 && h.nic.mtu < IPV6_MIN_MTU) report(["hosts", name, "nic", "mtu"], `≥ ${IPV6_MIN_MTU} on an IPv6 host (IPV6_MIN_MTU)`);
  return {
    name,
    index,
    addr: h.addr?.addr ?? "",
    family,
    cpus: h.cpus,
    nic: { ...h.nic },
    sysctl,
    sockets: h.sockets.map((s) => ({ ...s, accept: { ...s.accept } })),
  };
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
