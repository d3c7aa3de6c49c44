import { DEFAULT_COST } from "../../src/cpu/cost.js";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ScenarioError } from "../../src/scenario/errors.js";
import { loadScenarioText, MAX_NESTING, nestingEstimate } from "../../src/scenario/load.js";
import { defaultSysctls } from "../../src/scenario/sysctl.js";
import type { Scenario } from "../../src/scenario/types.js";
import { validateScenario } from "../../src/scenario/validate.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";

function errorOf(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

// The example from the task description, verbatim (every field of the format).
const EXAMPLE = `
name: accept-queue-overflow        # [a-z0-9-]+
description: "one line"            # optional
seed: 1                            # integer 0..2^32-1, default 1
duration: 2s                       # required, > 0, ≤ 1 day
hosts:
  server:
    cpus: 4                        # 1..1024, default 1
    nic: { queues: 4, rate: 10Gbit, mtu: 1500, rxRing: 1024, txRing: 1024 }
    addr: 10.0.0.2
    sysctl: { net.core.somaxconn: 4096, net.ipv4.tcp_syncookies: 1, net.ipv4.tcp_max_syn_backlog: 2048 }
    sockets:
      - { listen: 7000, backlog: 8, accept: false }
  client: {}
links:
  - { a: client, b: server, rate: 10Gbit, delay: 50us, loss: 0.0, reorder: 0.0 }
traffic:
  - { kind: connect, from: client, to: server:7000, count: 20, at: 0s }
  - { kind: syn-flood, from: client, to: server:7000, count: 200, rate: 1000/s, spoof: random }
  - { kind: bulk, from: client, to: server:5001, flows: 8, bytes: 100MB }
  - { kind: udp, from: client, to: server:9000, flows: 4, size: 64, rate: 14M/s }
`;

/** A valid two-host scenario to break one field at a time. */
function base(): Record<string, any> {
  return {
    name: "t",
    duration: "2s",
    hosts: {
      server: { cpus: 2, sockets: [{ listen: 80, backlog: 16 }] },
      client: {},
    },
    links: [{ a: "client", b: "server", rate: "10Gbit", delay: "50us" }],
    traffic: [{ kind: "connect", from: "client", to: "server:80", count: 3 }],
  };
}

const load = (doc: unknown) => loadScenarioText(stringify(doc), "t.yaml");

describe("a valid scenario", () => {
  it("the task's example loads with every value in base units", () => {
    const s = loadScenarioText(EXAMPLE, "example.yaml");
    expect(s.name).toBe("accept-queue-overflow");
    expect(s.description).toBe("one line");
    expect(s.seed).toBe(1);
    expect(s.duration).toBe(2e9);
    const [server, client] = s.hosts;
    expect(server).toMatchObject({ name: "server", index: 0, addr: "10.0.0.2", family: 4, cpus: 4 });
    expect(server!.nic).toEqual({ queues: 4, rate: 1e10, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000, rxUsecs: 0, rxFrames: 0, irqAffinity: [], rxhash: "l4", gro: true, groFlushTimeout: 0, napiDeferHardIrqs: 0, txUsecs: 0, txFrames: 0, tso: true, bql: true, fqMaxrate: 0, xps: { cpus: [], rxqs: [] } });
    expect(server!.sockets).toEqual([{ listen: 7000, backlog: 8, accept: { kind: "never" }, acceptDelay: 0, rcvbuf: null, readRate: { kind: "always" } }]);
    expect(server!.sysctl["net.ipv4.tcp_max_syn_backlog"]).toBe(2048);
    // client: index 1 would get 10.0.0.2, which the server owns, so the next one
    expect(client).toMatchObject({ name: "client", index: 1, addr: "10.0.0.3", family: 4, cpus: 1 });
    expect(s.links).toEqual([{ a: "client", b: "server", rate: 1e10, delay: 50_000, loss: 0, reorder: 0 }]);
    expect(s.traffic).toEqual([
      { kind: "connect", from: "client", to: { host: "server", port: 7000 }, count: 20, rate: null, at: 0 },
      { kind: "syn-flood", from: "client", to: { host: "server", port: 7000 }, count: 200, rate: 1000, spoof: "random", at: 0 },
      { kind: "bulk", from: "client", to: { host: "server", port: 5001 }, flows: 8, bytes: 100_000_000, cc: "cubic", writeRate: null, sndbuf: null, maxPacingRate: null, userTimeout: null, at: 0 },
      { kind: "udp", from: "client", to: { host: "server", port: 9000 }, flows: 4, size: 64, rate: { unit: "pps", value: 14e6 }, at: 0 },
    ]);
  });

  it("fills every default of a minimal file", () => {
    const s = loadScenarioText("name: m\nduration: 1ms\nhosts:\n  a:\n", "m.yaml");
    const expected: Scenario = {
      name: "m",
      description: "",
      seed: 1,
      duration: 1_000_000,
      hosts: [
        {
          name: "a",
          index: 0,
          addr: "10.0.0.1",
          family: 4,
          cpus: 1,
          nic: { queues: 1, rate: 10_000_000_000, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000, rxUsecs: 0, rxFrames: 0, irqAffinity: [], rxhash: "l4", gro: true, groFlushTimeout: 0, napiDeferHardIrqs: 0, txUsecs: 0, txFrames: 0, tso: true, bql: true, fqMaxrate: 0, xps: { cpus: [], rxqs: [] } },
          sysctl: defaultSysctls(),
          sockets: [],
          udpSockets: [],
          rps: { cpus: [[]], flowCnt: 0, arfs: false, flowLimit: [] },
          cost: { ...DEFAULT_COST },
          apps: [],
        },
      ],
      links: [],
      traffic: [],
    };
    expect(s).toEqual(expected);
  });

  it("fills socket, link and traffic defaults", () => {
    const doc = base();
    doc.hosts.server.sockets = [{ listen: 80 }, { listen: 81, accept: "100/s", acceptDelay: "1ms" }, { listen: 82, accept: true }];
    doc.links = [{ a: "client", b: "server" }];
    doc.traffic = [
      { kind: "connect", from: "client", to: "server:80" },
      { kind: "syn-flood", from: "client", to: "server:81", count: 5 },
      { kind: "bulk", from: "client", to: "server:5001" },
      { kind: "udp", from: "client", to: "server:9", rate: "1Gbit" },
    ];
    const s = load(doc);
    expect(s.hosts[0]!.sockets).toEqual([
      { listen: 80, backlog: 4096, accept: { kind: "always" }, acceptDelay: 0, rcvbuf: null, readRate: { kind: "always" } },
      { listen: 81, backlog: 4096, accept: { kind: "rate", perSec: 100 }, acceptDelay: 1_000_000, rcvbuf: null, readRate: { kind: "always" } },
      { listen: 82, backlog: 4096, accept: { kind: "always" }, acceptDelay: 0, rcvbuf: null, readRate: { kind: "always" } },
    ]);
    expect(s.links).toEqual([{ a: "client", b: "server", rate: 1e10, delay: 0, loss: 0, reorder: 0 }]);
    expect(s.traffic).toEqual([
      { kind: "connect", from: "client", to: { host: "server", port: 80 }, count: 1, rate: null, at: 0 },
      { kind: "syn-flood", from: "client", to: { host: "server", port: 81 }, count: 5, rate: null, spoof: "random", at: 0 },
      { kind: "bulk", from: "client", to: { host: "server", port: 5001 }, flows: 1, bytes: null, cc: "cubic", writeRate: null, sndbuf: null, maxPacingRate: null, userTimeout: null, at: 0 },
      { kind: "udp", from: "client", to: { host: "server", port: 9 }, flows: 1, size: 18, rate: { unit: "bit/s", value: 1e9 }, at: 0 },
    ]);
  });

  it("merges sysctls over the defaults and keeps Linux names", () => {
    const doc = base();
    doc.hosts.server.sysctl = { "net.ipv4.tcp_syncookies": 0, "net.ipv4.tcp_rmem": "4096 87380 6291456", "net.core.default_qdisc": "fq" };
    const s = load(doc);
    const sys = s.hosts[0]!.sysctl;
    expect(sys["net.ipv4.tcp_syncookies"]).toBe(0);
    expect(sys["net.ipv4.tcp_rmem"]).toEqual([4096, 87380, 6291456]);
    expect(sys["net.core.default_qdisc"]).toBe("fq");
    expect(sys["net.core.somaxconn"]).toBe(4096);
    expect(s.hosts[1]!.sysctl).toEqual(defaultSysctls());
  });

  it("assigns 10.0.0.<n> in host order, skipping taken addresses, and accepts IPv6", () => {
    const s = load({
      name: "a",
      duration: "1s",
      hosts: { h1: {}, h2: { addr: "10.0.0.1" }, h3: {}, h4: { addr: "fd00::4" } },
    });
    expect(s.hosts.map((h) => [h.addr, h.family])).toEqual([
      ["10.0.0.2", 4], // 10.0.0.1 belongs to h2
      ["10.0.0.1", 4],
      ["10.0.0.3", 4],
      ["fd00::4", 6],
    ]);
  });

  it("accepts JSON and gives the same Scenario as YAML", () => {
    const doc = base();
    expect(loadScenarioText(JSON.stringify(doc, null, 2), "t.json")).toEqual(load(doc));
  });

  it("accepts a YAML flow mapping that is not JSON", () => {
    expect(loadScenarioText("{ name: x, duration: 2s, hosts: { a: {} } }", "f.yaml").hosts[0]!.name).toBe("a");
  });

  it("is plain data: JSON round-trips and a second load is equal", () => {
    const s = loadScenarioText(EXAMPLE, "e");
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(loadScenarioText(EXAMPLE, "e")).toEqual(s);
  });

  it("stores YAML's -0 as 0, so the Scenario round-trips through JSON", () => {
    const s = loadScenarioText(
      "name: z\nduration: 2s\nseed: -0\nhosts:\n  a: { sockets: [ { listen: 1, backlog: -0 } ], sysctl: { net.core.somaxconn: -0, net.ipv4.tcp_rmem: [4096, 4096, 4096] } }\n  b: {}\nlinks: [ { a: a, b: b, loss: -0, reorder: -0 } ]\n",
      "z.yaml",
    );
    const zeros = [s.seed, s.hosts[0]!.sockets[0]!.backlog, s.hosts[0]!.sysctl["net.core.somaxconn"], s.links[0]!.loss, s.links[0]!.reorder];
    for (const z of zeros) expect(Object.is(z, 0)).toBe(true);
    expect(() => loadScenarioText("name: z\nduration: 2s\nhosts: { a: { sysctl: { net.ipv4.tcp_wmem: [-0, 1, 1] } } }", "z")).toThrow(ScenarioError); // min 1
  });

  it("accepts validateScenario on a JS object", () => {
    expect(validateScenario(base()).hosts.length).toBe(2);
  });
});

describe("bad files: each error names path, value and what is allowed", () => {
  const cases: [string, (d: Record<string, any>) => unknown, string, unknown, string | RegExp][] = [
    ["unknown top-level key", (d) => (d.nmae = "x"), "nmae", "x", "unknown key; allowed keys: name, description, seed, duration, hosts, links, traffic"],
    ["unknown nic key", (d) => (d.hosts.server.nic = { speed: "10Gbit" }), "hosts.server.nic.speed", "10Gbit", "unknown key; allowed keys: queues, rate, mtu, rxRing, txRing, txqueuelen, rxUsecs, rxFrames, irqAffinity, rxhash, gro, groFlushTimeout, napiDeferHardIrqs, txUsecs, txFrames, tso, bql, fqMaxrate, xps"],
    ["gro_flush_timeout over the model's 1 s", (d) => (d.hosts.server.nic = { groFlushTimeout: "2s" }), "hosts.server.nic.groFlushTimeout", "2s", /≤ 1s/],
    // tc's get_rate: bits / 8 must fit fq's u32 TCA_FQ_FLOW_MAX_RATE (34359738367 bit -> 4294967295 B/s)
    ["fq maxrate above fq's u32 of bytes/s", (d) => (d.hosts.server.nic = { fqMaxrate: "40Gbit" }), "hosts.server.nic.fqMaxrate", "40Gbit", /≤ 34359738367bit; or 0 for none/],
    ["fq maxrate one bit past the u32", (d) => (d.hosts.server.nic = { fqMaxrate: "34359738368bit" }), "hosts.server.nic.fqMaxrate", "34359738368bit", /≤ 34359738367bit/],
    // net/sched/sch_generic.c: pfifo_fast_init `if (!qlen) return -EINVAL` -> attach_default_qdiscs falls back to noqueue
    ["txqueuelen 0 (noqueue in 6.12)", (d) => (d.hosts.server.nic = { txqueuelen: 0 }), "hosts.server.nic.txqueuelen", 0, /^integer 1\.\.32767; 0 would be noqueue/],
    ["napi_defer_hard_irqs above S32_MAX", (d) => (d.hosts.server.nic = { napiDeferHardIrqs: 2 ** 31 }), "hosts.server.nic.napiDeferHardIrqs", 2 ** 31, "integer 0..2147483647"],
    ["unknown socket key", (d) => (d.hosts.server.sockets[0].port = 80), "hosts.server.sockets[0].port", 80, /^unknown key; allowed keys: listen, backlog, accept, acceptDelay, rcvbuf, readRate$/],
    ["unknown traffic key", (d) => (d.traffic[0].sport = 1), "traffic[0].sport", 1, /^unknown key; allowed keys: kind, from, to, count, rate, at$/],
    ["negative backlog", (d) => (d.hosts.server.sockets[0].backlog = -1), "hosts.server.sockets[0].backlog", -1, "integer 0..65535"],
    ["backlog not an integer", (d) => (d.hosts.server.sockets[0].backlog = "8"), "hosts.server.sockets[0].backlog", "8", "integer 0..65535"],
    ["unknown host in link", (d) => (d.links[0].b = "srv"), "links[0].b", "srv", "one of the hosts: server, client"],
    ["negative duration", (d) => (d.duration = "-2s"), "duration", "-2s", /^duration: a number and a unit .*; > 0ns, ≤ 24h$/],
    ["zero duration", (d) => (d.duration = "0s"), "duration", "0s", /> 0ns/],
    ["duration over a day", (d) => (d.duration = "25h"), "duration", "25h", /≤ 24h/],
    ["bare-number duration", (d) => (d.duration = 2), "duration", 2, /ns, us, ms, s, min or h/],
    ["missing duration", (d) => delete d.duration, "duration", undefined, /ns, us, ms, s, min or h/],
    ["missing name", (d) => delete d.name, "name", undefined, "name: 1..64 characters a-z, 0-9, -"],
    ["bad name", (d) => (d.name = "Bad_Name"), "name", "Bad_Name", "name: 1..64 characters a-z, 0-9, -"],
    ["bad sysctl name", (d) => (d.hosts.server.sysctl = { "net.core.somaxcon": 5 }), 'hosts.server.sysctl["net.core.somaxcon"]', 5, "unknown sysctl; did you mean net.core.somaxconn?"],
    ["bad sysctl value", (d) => (d.hosts.server.sysctl = { "net.ipv4.tcp_syncookies": 3 }), 'hosts.server.sysctl["net.ipv4.tcp_syncookies"]', 3, "integer 0..2"],
    [
      "ipfrag low above high",
      (d) => (d.hosts.server.sysctl = { "net.ipv4.ipfrag_low_thresh": 5_000_000 }),
      'hosts.server.sysctl["net.ipv4.ipfrag_low_thresh"]',
      5_000_000,
      /ipfrag_low_thresh ≤ ipfrag_high_thresh/,
    ],
    [
      "tcp_reordering above tcp_max_reordering",
      (d) => (d.hosts.server.sysctl = { "net.ipv4.tcp_reordering": 301 }),
      'hosts.server.sysctl["net.ipv4.tcp_reordering"]',
      301,
      /tcp_reordering ≤ tcp_max_reordering/,
    ],
    [
      "tcp_reordering above a lowered tcp_max_reordering",
      (d) => (d.hosts.server.sysctl = { "net.ipv4.tcp_reordering": 10, "net.ipv4.tcp_max_reordering": 9 }),
      'hosts.server.sysctl["net.ipv4.tcp_reordering"]',
      10,
      /tcp_reordering ≤ tcp_max_reordering/,
    ],
    ["port out of range", (d) => (d.traffic[0].to = "server:70000"), "traffic[0].to", "server:70000", /^host:port .* port 1\.\.65535/],
    ["port zero", (d) => (d.traffic[0].to = "server:0"), "traffic[0].to", "server:0", /port 1\.\.65535/],
    ["listen port out of range", (d) => (d.hosts.server.sockets[0].listen = 65536), "hosts.server.sockets[0].listen", 65536, "integer 1..65535"],
    ["connect to a port without listener", (d) => (d.traffic[0].to = "server:81"), "traffic[0].to", "server:81", "a port with a listener on server (listening: 80)"],
    [
      "syn-flood to a port without listener",
      (d) => (d.traffic[0] = { kind: "syn-flood", from: "client", to: "client:80", count: 1 }),
      "traffic[0].to",
      "client:80",
      /a host other than the sender client/,
    ],
    ["unknown traffic host", (d) => (d.traffic[0].to = "db:80"), "traffic[0].to", "db:80", "one of the hosts: server, client"],
    ["unknown traffic sender", (d) => (d.traffic[0].from = "db"), "traffic[0].from", "db", "one of the hosts: server, client"],
    ["traffic kind", (d) => (d.traffic[0].kind = "conect"), "traffic[0].kind", "conect", "kind: one of connect, syn-flood, bulk, rr, incast, udp"],
    ["duplicate link", (d) => d.links.push({ a: "server", b: "client" }), "links[1]", { a: "server", b: "client" }, "at most one link between server and client (already links[0])"],
    ["self link", (d) => (d.links[0].b = "client"), "links[0].b", "client", /a host other than client/],
    ["no hosts", (d) => ((d.hosts = {}), (d.links = []), (d.traffic = [])), "hosts", {}, /at least one host/],
    ["hosts not a mapping", (d) => (d.hosts = ["server"]), "hosts", ["server"], /a mapping of host name to host/],
    ["bad host name", (d) => (d.hosts.Server = {}), "hosts.Server", "Server", /host name: a letter a-z/],
    ["loss above 1", (d) => (d.links[0].loss = 1.5), "links[0].loss", 1.5, "probability: a number 0..1"],
    ["ring not a power of 2", (d) => (d.hosts.server.nic = { rxRing: 1000 }), "hosts.server.nic.rxRing", 1000, "integer 8..65536, a power of 2"],
    ["seed too big", (d) => (d.seed = 2 ** 32), "seed", 2 ** 32, "integer 0..4294967295"],
    ["txqueuelen above S16_MAX", (d) => (d.hosts.server.nic = { txqueuelen: 32768 }), "hosts.server.nic.txqueuelen", 32768, /^integer 1\.\.32767; 0 would be noqueue/],
    ["cpus zero", (d) => (d.hosts.server.cpus = 0), "hosts.server.cpus", 0, "integer 1..1024"],
    ["mtu in bits", (d) => (d.hosts.server.nic = { mtu: "1500b" }), "hosts.server.nic.mtu", "1500b", /KiB \(1024\)/],
    ["bad address", (d) => (d.hosts.server.addr = "10.0.0.256"), "hosts.server.addr", "10.0.0.256", /IPv4 or IPv6 unicast address/],
    ["multicast address", (d) => (d.hosts.server.addr = "224.0.0.1"), "hosts.server.addr", "224.0.0.1", /unicast/],
    // review13b #18: 6.12 drops these on a non-loopback device (ip_route_input_slow martians, ip6_rcv_core)
    ["loopback address", (d) => (d.hosts.server.addr = "127.0.0.1"), "hosts.server.addr", "127.0.0.1", /; not 127\.0\.0\.0\/8 or ::1 \(6\.12 drops them as martians/],
    ["loopback 127/8", (d) => (d.hosts.server.addr = "127.9.9.9"), "hosts.server.addr", "127.9.9.9", /not 127\.0\.0\.0\/8 or ::1/],
    // ipv4_is_zeronet is addr == 0 (since 5.3): only 0.0.0.0 of 0/8 is not unicast (0.1.2.3: test/net/martian-source)
    ["unspecified address", (d) => (d.hosts.server.addr = "0.0.0.0"), "hosts.server.addr", "0.0.0.0", /^IPv4 or IPv6 unicast address/],
    ["IPv6 loopback", (d) => ((d.hosts.server.addr = "::1"), (d.hosts.client.addr = "fd00::2")), "hosts.server.addr", "::1", /not 127\.0\.0\.0\/8 or ::1/],
    ["IPv6 loopback spelled out", (d) => ((d.hosts.server.addr = "0:0:0:0:0:0:0:1"), (d.hosts.client.addr = "fd00::2")), "hosts.server.addr", "0:0:0:0:0:0:0:1", /or ::1/],
    ["cost as a huge bare number", (d) => (d.hosts.server.cost = { irq: 1e300 }), "hosts.server.cost.irq", 1e300, "a number of ns 0..1000000000 (at most 1 s), or a duration like 300ns or 1.5us"],
    ["cost as a negative number", (d) => (d.hosts.server.cost = { tcp: -1 }), "hosts.server.cost.tcp", -1, /^a number of ns 0\.\.1000000000/],
    ["duplicate address", (d) => ((d.hosts.server.addr = "10.0.0.9"), (d.hosts.client.addr = "10.0.0.9")), "hosts.client.addr", "10.0.0.9", "an address not already used by server"],
    ["duplicate listener", (d) => d.hosts.server.sockets.push({ listen: 80 }), "hosts.server.sockets[1].listen", 80, /sockets\[0\] \(EADDRINUSE\)/],
    ["accept junk", (d) => (d.hosts.server.sockets[0].accept = "yes"), "hosts.server.sockets[0].accept", "yes", /^true \(accept at once\), false \(never accept\) or an event rate/],
    ["start after the end", (d) => (d.traffic[0].at = "2s"), "traffic[0].at", "2s", "a start time before the end of the run (duration 2s)"],
    ["no link to the target", (d) => (d.links = []), "traffic[0].to", "server:80", /a host linked to client \(it has no links\)/],
    [
      "udp payload above the MTU on IPv6",
      (d) => ((d.hosts.client.addr = "fd00::1"), (d.hosts.server.addr = "fd00::2"), (d.traffic[0] = { kind: "udp", from: "client", to: "server:9", size: 1453, rate: "1/s" })),
      "traffic[0].size",
      1453,
      "payload 0..1452 bytes (client MTU 1500 minus IPv6 and UDP headers; IPv6 fragmentation is not modelled)",
    ],
    ["udp socket readRate junk", (d) => d.hosts.server.sockets.push({ udp: 9, readRate: "fast" }), "hosts.server.sockets[1].readRate", "fast", /^true \(read each datagram at once\), false \(never read\) or a rate/],
    ["duplicate udp socket", (d) => d.hosts.server.sockets.push({ udp: 9 }, { udp: 9 }), "hosts.server.sockets[2].udp", 9, /sockets\[1\] \(EADDRINUSE\)/],
    ["udp rate missing", (d) => (d.traffic[0] = { kind: "udp", from: "client", to: "server:9" }), "traffic[0].rate", undefined, /packets per second like 14M\/s, or a bit rate/],
    ["syn-flood count missing", (d) => (d.traffic[0] = { kind: "syn-flood", from: "client", to: "server:80" }), "traffic[0].count", undefined, "integer 1..2147483647"],
    ["spoof junk", (d) => (d.traffic[0] = { kind: "syn-flood", from: "client", to: "server:80", count: 1, spoof: "yes" }), "traffic[0].spoof", "yes", "one of random, fixed, none"],
    ["two-line description", (d) => (d.description = "a\nb"), "description", "a\nb", /one line/],
    ["__proto__ key", (d) => (d.hosts = JSON.parse('{"__proto__": {}, "a": {}}')), "hosts.__proto__", {}, "a key other than __proto__"],
    // TCP data traffic (bulk, rr, incast) and the listener's socket options
    ["cc junk", (d) => (d.traffic[0] = { kind: "bulk", from: "client", to: "server:5001", cc: "bbr" }), "traffic[0].cc", "bbr", "one of cubic (Linux's default), reno"],
    ["writeRate bare number", (d) => (d.traffic[0] = { kind: "bulk", from: "client", to: "server:5001", writeRate: 100 }), "traffic[0].writeRate", 100, /^byte rate: a size per time unit like 10MB\/s/],
    ["writeRate zero", (d) => (d.traffic[0] = { kind: "bulk", from: "client", to: "server:5001", writeRate: "0MB/s" }), "traffic[0].writeRate", "0MB/s", /; > 0 B\/s$/],
    ["writeRate in lowercase bytes", (d) => (d.traffic[0] = { kind: "bulk", from: "client", to: "server:5001", writeRate: "10mb/s" }), "traffic[0].writeRate", "10mb/s", /^byte rate/],
    ["sndbuf negative", (d) => (d.traffic[0] = { kind: "bulk", from: "client", to: "server:5001", sndbuf: -1 }), "traffic[0].sndbuf", -1, /^size: .*; ≥ 0, ≤ 2147483647$/],
    ["sndbuf above INT_MAX", (d) => (d.traffic[0] = { kind: "rr", from: "client", to: "server:5001", sndbuf: "2GiB" }), "traffic[0].sndbuf", "2GiB", /≤ 2147483647$/],
    ["rr request zero", (d) => (d.traffic[0] = { kind: "rr", from: "client", to: "server:5001", request: 0 }), "traffic[0].request", 0, /^size: .*; ≥ 1, ≤ 2147483647$/],
    ["rr count zero", (d) => (d.traffic[0] = { kind: "rr", from: "client", to: "server:5001", count: 0 }), "traffic[0].count", 0, "integer 1..2147483647"],
    [
      "rr has no writeRate",
      (d) => (d.traffic[0] = { kind: "rr", from: "client", to: "server:5001", writeRate: "1MB/s" }),
      "traffic[0].writeRate",
      "1MB/s",
      "unknown key; allowed keys: kind, from, to, flows, request, response, count, cc, sndbuf, maxPacingRate, userTimeout, at",
    ],
    [
      "rr and bulk on one port",
      (d) => (d.traffic = [{ kind: "bulk", from: "client", to: "server:5001" }, { kind: "rr", from: "client", to: "server:5001" }]),
      "traffic[1].to",
      "server:5001",
      "a port not also used by traffic[0] (a bulk/incast sink listens on server:5001; a listener runs one application)",
    ],
    [
      "two rr sizes on one port",
      (d) => (d.traffic = [{ kind: "rr", from: "client", to: "server:5001", request: 100 }, { kind: "rr", from: "client", to: "server:5001", request: 200 }]),
      "traffic[1].to",
      "server:5001",
      "a port not also used by traffic[0] with other sizes (its responder answers 100-byte requests with 1 bytes)",
    ],
    ["incast from one name", (d) => (d.traffic[0] = { kind: "incast", from: "client", to: "server:5001", bytes: "1MB" }), "traffic[0].from", "client", /^a list of sender host names, e\.g\. \[s1, s2, s3\] .*; 1\.\.1024 senders$/],
    ["incast from nobody", (d) => (d.traffic[0] = { kind: "incast", from: [], to: "server:5001", bytes: "1MB" }), "traffic[0].from", [], /1\.\.1024 senders$/],
    ["incast bytes missing", (d) => (d.traffic[0] = { kind: "incast", from: ["client"], to: "server:5001" }), "traffic[0].bytes", undefined, /^size: .*; ≥ 1$/],
    ["incast unknown sender", (d) => (d.traffic[0] = { kind: "incast", from: ["client", "db"], to: "server:5001", bytes: 1000 }), "traffic[0].from[1]", "db", "one of the hosts: server, client"],
    [
      "incast sender not linked to the receiver",
      (d) => ((d.hosts.s2 = {}), (d.traffic[0] = { kind: "incast", from: ["client", "s2"], to: "server:5001", bytes: 1000 })),
      "traffic[0].from[1]",
      "s2",
      "a host linked to s2 (it has no links); add a link { a: s2, b: server }",
    ],
    ["incast sender twice", (d) => (d.traffic[0] = { kind: "incast", from: ["client", "client"], to: "server:5001", bytes: 1000 }), "traffic[0].from[1]", "client", "a sender not already listed at from[0] (each sender once)"],
    ["incast receiver as a sender", (d) => (d.traffic[0] = { kind: "incast", from: ["client", "server"], to: "server:5001", bytes: 1000 }), "traffic[0].from[1]", "server", /^a host other than the receiver server/],
    ["incast start after the end", (d) => (d.traffic[0] = { kind: "incast", from: ["client"], to: "server:5001", bytes: 1000, at: "3s" }), "traffic[0].at", "3s", "a start time before the end of the run (duration 2s)"],
    ["tcp readRate junk", (d) => (d.hosts.server.sockets[0].readRate = "fast"), "hosts.server.sockets[0].readRate", "fast", /^true \(read everything at once\), false \(never read: the window closes\) or a byte rate like 10MB\/s; byte rate/],
    ["tcp readRate as an event rate", (d) => (d.hosts.server.sockets[0].readRate = "100/s"), "hosts.server.sockets[0].readRate", "100/s", /or a byte rate/],
    ["tcp rcvbuf negative", (d) => (d.hosts.server.sockets[0].rcvbuf = -5), "hosts.server.sockets[0].rcvbuf", -5, /^size: .*; ≥ 0, ≤ 2147483647$/],
  ];

  it.each(cases)("%s", (_label, mutate, path, value, allowed) => {
    const doc = base();
    mutate(doc);
    for (const text of [stringify(doc), JSON.stringify(doc)]) {
      const e = errorOf(() => loadScenarioText(text, "bad.yaml"));
      expect(e.path).toBe(path);
      expect(e.value).toEqual(value);
      if (typeof allowed === "string") expect(e.allowed).toBe(allowed);
      else expect(e.allowed).toMatch(allowed);
      expect(e.source).toBe("bad.yaml");
      expect(e.message.startsWith(`bad.yaml: ${path}`)).toBe(true);
    }
  });

  it("formats the message as `path: value is not allowed (allowed)`", () => {
    const doc = base();
    doc.hosts.server.sockets[0].backlog = -1;
    const e = errorOf(() => validateScenario(doc));
    expect(e.message).toBe("hosts.server.sockets[0].backlog: -1 is not allowed (integer 0..65535)");
  });

  it("reports a missing field as missing", () => {
    const doc = base();
    delete doc.duration;
    expect(errorOf(() => validateScenario(doc)).message).toMatch(/^duration is missing \(duration: /);
  });

  it("reports every problem of a pass, first one first", () => {
    const doc = base();
    doc.hosts.server.cpus = 0;
    doc.links[0].loss = -1;
    doc.traffic[0].kind = "nope";
    const e = errorOf(() => validateScenario(doc, "x.yaml"));
    expect(e.issues.map((i) => i.path)).toEqual(["hosts.server.cpus", "links[0].loss", "traffic[0].kind"]);
    expect(e.message.split("\n")).toHaveLength(3);
    expect(e.message.split("\n")[1]).toBe("  also: links[0].loss: -1 is not allowed (probability: a number 0..1)");
  });

  it("lists each unknown key of one object", () => {
    const doc = base();
    doc.hosts.client = { cpu: 1, nics: {} };
    const e = errorOf(() => validateScenario(doc));
    expect(e.issues.map((i) => i.path)).toEqual(["hosts.client.cpu", "hosts.client.nics"]);
  });
});

describe("bad text", () => {
  it.each([
    ["duplicate keys", "name: x\nname: y\n", /valid YAML at line 2, column 1: Map keys must be unique/],
    ["bad indentation", "name: x\n  duration: 2s\n hosts: {}\n", /valid YAML at line \d/],
    ["unterminated flow", "{ name: x, duration: 2s", /valid YAML/],
    ["tabs", "name: x\n\tduration: 2s\n", /valid YAML/],
  ])("%s", (_l, text, allowed) => {
    const e = errorOf(() => loadScenarioText(text, "s.yaml"));
    expect(e.path).toBe("");
    expect(e.allowed).toMatch(allowed);
    expect(e.message).toMatch(/^s\.yaml: \(document\): /);
  });

  it.each([
    ["a list", "[1, 2]"],
    ["a scalar", "hello"],
    ["nothing", ""],
    ["only a comment", "# nothing\n"],
    ["null", "null"],
  ])("a document that is %s is refused", (_l, text) => {
    const e = errorOf(() => loadScenarioText(text, "s.yaml"));
    expect(e.path).toBe("");
    expect(e.allowed).toMatch(/^a mapping with keys name, description, seed, duration, hosts, links, traffic$/);
  });

  it("refuses nesting deeper than MAX_NESTING before parsing", () => {
    for (const text of ["[".repeat(5000), "- ".repeat(5000) + "x", '{"a":'.repeat(5000), Array.from({ length: 200 }, (_, i) => " ".repeat(i) + "a:").join("\n")]) {
      const e = errorOf(() => loadScenarioText(text, "deep.yaml"));
      expect(e.allowed).toMatch(/nested at most 128 levels/);
    }
  });

  // review13b #12: brackets in comments and quoted strings do not count toward MAX_NESTING; they count toward
  // the hard bound MAX_NESTING_RAW (2 x 128), which the parser's stack needs whatever the text holds
  it("brackets in comments and quoted strings count only toward the hard bound", () => {
    const text = (extra: string) => `${EXAMPLE}${extra}\n`;
    expect(loadScenarioText(text(`# ${"[".repeat(130)}`), "c.yaml").name).toBe("accept-queue-overflow");
    expect(loadScenarioText(EXAMPLE.replace('description: "one line"', `description: "${"[".repeat(200)}"`), "c.yaml").description).toBe("[".repeat(200));
    expect(loadScenarioText(EXAMPLE.replace('description: "one line"', `description: '${"{".repeat(190)} it''s'`), "c.yaml").description).toBe(`${"{".repeat(190)} it's`);
    const e = errorOf(() => loadScenarioText(text(`# ${"[".repeat(300)}`), "c.yaml"));
    expect(e.allowed).toMatch(/nested at most 128 levels, and at most 256 counting the brackets and indicators inside comments and quoted strings \(line 22\)/);
    // structure still counts: 129 real levels, and a quote inside a plain scalar hides nothing
    expect(errorOf(() => loadScenarioText(`a: ${"[".repeat(129)}${"]".repeat(129)}`, "d.yaml")).allowed).toMatch(/nested at most 128 levels \(line 1/);
    expect(nestingEstimate(`a: it's [[[`, true).depth).toBe(4);
    expect(nestingEstimate(`a: "x # [[" # [[[\nb: [[`, true).depth).toBe(3);
  });

  it("nestingEstimate bounds the real depth from above", () => {
    expect(nestingEstimate("a: 1").depth).toBe(1);
    expect(nestingEstimate("a:\n  b:\n    - [1, [2]]").depth).toBe(4 + 1 + 2);
    expect(nestingEstimate('{"a": {"b": [1]}}').depth).toBe(3 + 2);
    expect(MAX_NESTING).toBeGreaterThan(nestingEstimate(EXAMPLE).depth);
  });

  it("YAML aliases cannot build a cycle or a bomb", () => {
    const cyclic = "name: x\nduration: 2s\nhosts: { s: &a [ *a ] }";
    expect(errorOf(() => loadScenarioText(cyclic, "c.yaml")).path).toBe("hosts.s");
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", ..."bcdefghij".split("").map((c, i) => `${c}: &${c} [${Array(9).fill(`*${"abcdefghij"[i]}`).join(", ")}]`)].join("\n");
    expect(errorOf(() => loadScenarioText(bomb, "bomb.yaml")).path).toBe("");
  });
});

describe("YAML keys", () => {
  it("refuses a mapping used as a key", () => {
    const e = errorOf(() => loadScenarioText("name: x\nduration: 2s\nhosts:\n  ? { a: 1 }\n  : {}\n", "k.yaml"));
    expect(e.path).toBe("");
    expect(e.allowed).toBe("a YAML scenario whose keys are plain names, not mappings or lists (line 4)");
  });
});

describe("TCP data traffic: bulk, rr, incast and the receiver's socket options", () => {
  const doc = () => {
    const d = base();
    d.hosts.server.sockets = [{ listen: 5001, rcvbuf: "256KiB", readRate: "10MB/s" }, { listen: 5002, readRate: false }];
    d.hosts.s1 = {};
    d.hosts.s2 = {};
    d.links.push({ a: "s1", b: "server" }, { a: "s2", b: "server" });
    d.traffic = [
      { kind: "bulk", from: "client", to: "server:5001", cc: "reno", writeRate: "80Mbit", sndbuf: "64KiB" },
      { kind: "rr", from: "client", to: "server:6000" },
      { kind: "rr", from: "client", to: "server:6001", flows: 2, request: "1KB", response: 200, count: 1000, sndbuf: 4096 },
      { kind: "incast", from: ["s1", "s2"], to: "server:5002", bytes: "1MiB", writeRate: "1.5MB/ms", at: "1ms" },
    ];
    return d;
  };

  it("parses every field into base units with the defaults filled", () => {
    const s = load(doc());
    expect(s.hosts[0]!.sockets).toEqual([
      { listen: 5001, backlog: 4096, accept: { kind: "always" }, acceptDelay: 0, rcvbuf: 262144, readRate: { kind: "rate", bytesPerSec: 10_000_000 } },
      { listen: 5002, backlog: 4096, accept: { kind: "always" }, acceptDelay: 0, rcvbuf: null, readRate: { kind: "never" } },
    ]);
    const server = { host: "server", port: 0 };
    expect(s.traffic).toEqual([
      // 80 Mbit/s of writes = 10 MB/s; 64 KiB = 65536
      { kind: "bulk", from: "client", to: { ...server, port: 5001 }, flows: 1, bytes: null, cc: "reno", writeRate: 10_000_000, sndbuf: 65536, maxPacingRate: null, userTimeout: null, at: 0 },
      // netperf's -r 1,1 defaults
      { kind: "rr", from: "client", to: { ...server, port: 6000 }, flows: 1, request: 1, response: 1, count: null, cc: "cubic", sndbuf: null, maxPacingRate: null, userTimeout: null, at: 0 },
      { kind: "rr", from: "client", to: { ...server, port: 6001 }, flows: 2, request: 1000, response: 200, count: 1000, cc: "cubic", sndbuf: 4096, maxPacingRate: null, userTimeout: null, at: 0 },
      // 1.5 MB per ms = 1.5e9 B/s
      { kind: "incast", from: ["s1", "s2"], to: { ...server, port: 5002 }, bytes: 1_048_576, cc: "cubic", writeRate: 1.5e9, sndbuf: null, maxPacingRate: null, userTimeout: null, at: 1_000_000 },
    ]);
  });

  it("maps to the engine: listener applications with SO_RCVBUF and read rate, sender options, incast senders", () => {
    const w = worldSpecFromScenario(load(doc()));
    const server = w.hosts.find((h) => h.name === "server")!;
    const apps = Object.fromEntries(server.listeners.map((l) => [l.port, (l as { app?: unknown }).app]));
    expect(apps).toEqual({
      80: undefined,
      5001: { kind: "sink", rcvbuf: 262144, readRate: 10_000_000 },
      // readRate: false = a reader that never reads (rate 0)
      5002: { kind: "sink", readRate: 0 },
      6000: { kind: "rr", request: 1, response: 1 },
      6001: { kind: "rr", request: 1000, response: 200 },
    });
    // undeclared data ports listen with backlog net.core.somaxconn
    expect(server.listeners.find((l) => l.port === 6000)!.backlog).toBe(4096);
    expect(w.traffic).toEqual([
      { kind: "bulk", from: "client", to: "server", port: 5001, flows: 1, bytes: Infinity, cc: "reno", writeRate: 10_000_000, sndbuf: 65536, at: 0 },
      { kind: "rr", from: "client", to: "server", port: 6000, flows: 1, request: 1, response: 1, cc: "cubic", at: 0 },
      { kind: "rr", from: "client", to: "server", port: 6001, flows: 2, request: 1000, response: 200, cc: "cubic", sndbuf: 4096, count: 1000, at: 0 },
      { kind: "incast", from: "s1", senders: ["s1", "s2"], to: "server", port: 5002, bytes: 1_048_576, cc: "cubic", writeRate: 1.5e9, at: 1_000_000 },
    ]);
  });

  it("byte rates: sizes per time unit are exact, tc bit rates are divided by 8", () => {
    const rate = (v: string) => {
      const d = base();
      d.traffic = [{ kind: "bulk", from: "client", to: "server:5001", writeRate: v }];
      return (load(d).traffic[0] as { writeRate: number }).writeRate;
    };
    expect(rate("10MB/s")).toBe(10_000_000);
    expect(rate("64KiB/ms")).toBe(65_536_000);
    expect(rate("1500B/us")).toBe(1_500_000_000);
    expect(rate("10Gbit")).toBe(1_250_000_000);
    // tc's "bps" is already bytes per second
    expect(rate("1mbps")).toBe(1_000_000);
    expect(rate("1B/min")).toBeCloseTo(1 / 60, 12);
  });

  it("nic.fqMaxrate: fq's maxrate in whole bytes/s, floored as tc's get_rate; ~0U B/s is unlimited", () => {
    const maxrate = (v: string) => {
      const d = base();
      d.hosts.client.nic = { fqMaxrate: v };
      return worldSpecFromScenario(load(d)).hosts.find((h) => h.name === "client")!.nic.fqMaxrate;
    };
    // 1000000001 / 8 = 125000000.125: tc truncates (fq-config refused the fraction before)
    expect(maxrate("1000000001bit")).toBe(125_000_000);
    expect(maxrate("1Gbit")).toBe(125_000_000);
    // 7 bit/s is 0 bytes/s for tc: fq_change stores rate 0 (one packet a second, the 1 s cap)
    expect(maxrate("7bit")).toBe(0);
    // 34359738359 bit/s = 4294967294 B/s, the largest cap; 34359738360..34359738367 are ~0U: fq_change's unlimited
    expect(maxrate("34359738359bit")).toBe(4_294_967_294);
    expect(maxrate("34359738360bit")).toBeUndefined();
    expect(maxrate("34359738367bit")).toBeUndefined();
    expect(maxrate("0")).toBeUndefined();
  });
});
