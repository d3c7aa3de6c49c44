// Scenarios whose fields are each in range but that together need more than the model's core (or its RPS
// tables) can hold are refused by validation, naming the scenario field and the bound (review13b #2, #3, #13,
// #14). Before: they validated and failed at run time (exit 1) naming core.* fields, or took gigabytes.
import { describe, expect, it } from "vitest";
import { loadScenarioText } from "../../src/scenario/load.js";
import { ScenarioError } from "../../src/scenario/errors.js";
import { coreConfigForScenario } from "../../src/sim/simulate.js";
import { resolveCoreConfig, CORE_CONFIG_RANGES } from "../../src/core/config.js";
import { MAX_LINKS, MAX_RING_SLOTS, MAX_RX_QUEUES, MAX_RPS_FLOWS, MAX_RPS_SOCK_FLOWS, MAX_TX_RING_SLOTS } from "../../src/scenario/model-bounds.js";

const probe = (client: string, traffic = "{ kind: connect, from: client, to: server:7000, count: 5 }") => `name: probe
duration: 10ms
hosts:
  server:
    sockets: [{ listen: 7000 }]
  client: ${client}
links:
  - { a: client, b: server }
traffic:
  - ${traffic}
`;

function refusal(text: string): ScenarioError {
  try {
    loadScenarioText(text, "probe.yaml");
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("validated");
}

/** Valid, and the core plan is inside every CORE_CONFIG_RANGES field. */
function fits(text: string): void {
  const s = loadScenarioText(text, "probe.yaml");
  expect(() => resolveCoreConfig(coreConfigForScenario(s))).not.toThrow();
}

describe("model bounds", () => {
  it("the bounds are the core's ranges", () => {
    expect(MAX_LINKS * 2).toBe(CORE_CONFIG_RANGES.rssContexts.max);
    expect(MAX_RX_QUEUES).toBe(CORE_CONFIG_RANGES.groContexts.max);
    expect(MAX_RING_SLOTS).toBe(CORE_CONFIG_RANGES.ringSlots.max);
    expect(MAX_TX_RING_SLOTS).toBe(CORE_CONFIG_RANGES.txRingSlots.max);
    expect(MAX_RPS_FLOWS).toBe(2 ** 22);
    expect(MAX_RPS_SOCK_FLOWS).toBe(2 ** 24);
  });

  // client: 1024 queues × 65536 (power of 2) = 2^26 RX slots > 2^25; 1024 × 65536 TX descriptors = 2^26 > 2^24
  it("rings × queues beyond the core's ring memory: nic.rxRing and nic.txRing", () => {
    const e = refusal(probe("{ nic: { queues: 1024, rxRing: 65536, txRing: 65536 } }"));
    expect(e.issues.map((i) => i.path)).toEqual(["hosts.client.nic.rxRing", "hosts.client.nic.txRing"]);
    expect(e.message).toMatch(/rxRing: 65536 is not allowed \(at most 33554432 RX ring and backlog slots in all/);
    expect(e.message).not.toMatch(/core\./);
    // 512 queues × 65536 = 2^25, plus server's 1024 + client's 2048 backlog... > 2^25; 256 queues fit (2^24 + 4096 + 1024)
    // server: 1 queue × (1024 RX + 1024 TX); 256 × 65536 RX = 2^24 fits, 256 × 65536 TX + 1024 = 2^24 + 1024 does not
    fits(probe("{ nic: { queues: 256, rxRing: 65536, txRing: 32768 } }"));
    expect(refusal(probe("{ nic: { queues: 256, rxRing: 65536, txRing: 65536 } }")).path).toBe("hosts.client.nic.txRing");
  });

  // 2·(2097151 + 1) = 2^22 slots per CPU; 8 CPUs: 2^25, plus the RX rings (1024 + 1024) and server's 2048 > 2^25
  it("netdev_max_backlog: the model's bound in the table, and cpus × backlog ring in the plan", () => {
    const e = refusal(probe("{ cpus: 1024, sysctl: { net.core.netdev_max_backlog: 2147483647 } }"));
    expect(e.path).toBe('hosts.client.sysctl["net.core.netdev_max_backlog"]');
    expect(e.allowed).toBe("integer 0..2097151 (the model's bound; Linux takes up to 2147483647)");
    const e8 = refusal(probe("{ cpus: 8, sysctl: { net.core.netdev_max_backlog: 2097151 } }"));
    expect(e8.path).toBe('hosts.client.sysctl["net.core.netdev_max_backlog"]');
    expect(e8.allowed).toMatch(/^at most 33554432 RX ring and backlog slots in all/);
    fits(probe("{ cpus: 7, sysctl: { net.core.netdev_max_backlog: 2097151 } }"));
  });

  it("default_qdisc fq_codel: not modelled, refused by validation", () => {
    const e = refusal(probe("{ sysctl: { net.core.default_qdisc: fq_codel } }"));
    expect(e.path).toBe('hosts.client.sysctl["net.core.default_qdisc"]');
    expect(e.allowed).toBe("one of pfifo_fast, fq (fq_codel is a Linux qdisc but is not modelled)");
  });

  // 16 queues × 2^29 = 2^33 rps_dev_flow entries; 16 × 2^18 = 2^22 is the bound
  it("rps.flowCnt over all RX queues, and rps_sock_flow_entries over all hosts", () => {
    const e = refusal(probe('{ nic: { queues: 16 }, rps: { flowCnt: 536870912, cpus: "0" } }'));
    expect(e.path).toBe("hosts.client.rps.flowCnt");
    expect(e.allowed).toMatch(/^at most 4194304 flow entries in all RX queues' tables together/);
    fits(probe('{ nic: { queues: 16 }, rps: { flowCnt: 262144, cpus: "0" } }'));
    const e2 = refusal(probe('{ nic: { queues: 16 }, rps: { flowCnt: 262145, cpus: "0" } }'));
    expect(e2.path).toBe("hosts.client.rps.flowCnt");
    const s = refusal(probe("{ sysctl: { net.core.rps_sock_flow_entries: 536870912 } }"));
    expect(s.path).toBe('hosts.client.sysctl["net.core.rps_sock_flow_entries"]');
    expect(s.allowed).toMatch(/^at most 16777216 entries on all hosts together/);
    fits(probe("{ sysctl: { net.core.rps_sock_flow_entries: 16777216 } }"));
  });

  // the bounds count what the tables allocate, rounded up to a power of two (store_rps_dev_flow_table_cnt,
  // rps_sock_flow_sysctl: roundup_pow_of_two): 3 queues × (2^20 + 1) asks 3145731 entries but allocates
  // 3 × 2^21 = 6291456 > 2^22; 2^23 + 1 sock entries on client (2^24) plus server's 2^22 = 2^24 + 2^22 > 2^24
  // (validate.ts and the sysctl table round before model-bounds sums: a guard, it passes on b46ada8 too)
  it("rps.flowCnt and rps_sock_flow_entries count what the tables allocate (rounded up to a power of two)", () => {
    const e = refusal(probe('{ nic: { queues: 3 }, rps: { flowCnt: 1048577, cpus: "0" } }'));
    expect(e.path).toBe("hosts.client.rps.flowCnt");
    expect(e.allowed).toMatch(/; 6291456 so far$/);
    fits(probe('{ nic: { queues: 3 }, rps: { flowCnt: 1048576, cpus: "0" } }'));
    const two = (n: number) => `name: probe
duration: 10ms
hosts:
  client: { sysctl: { net.core.rps_sock_flow_entries: ${n} } }
  server: { sysctl: { net.core.rps_sock_flow_entries: 4194304 }, sockets: [{ listen: 7000 }] }
links:
  - { a: client, b: server }
traffic:
  - { kind: connect, from: client, to: server:7000, count: 5 }
`;
    const s = refusal(two(8388609));
    expect(s.path).toBe('hosts.server.sysctl["net.core.rps_sock_flow_entries"]');
    expect(s.allowed).toMatch(/; 20971520 so far$/);
    fits(two(8388608));
  });

  // one RSS context per NIC, two NICs per link: 128 links = 256 contexts
  it("more than 128 links", () => {
    const hosts = (n: number) => Array.from({ length: n }, (_, i) => `  s${i}: {}`).join("\n");
    const links = (n: number) => Array.from({ length: n }, (_, i) => `  - { a: s${i}, b: r }`).join("\n");
    const incast = (n: number) => `name: p
duration: 1ms
hosts:
  r: {}
${hosts(n)}
links:
${links(n)}
traffic:
  - { kind: incast, from: [${Array.from({ length: n }, (_, i) => `s${i}`).join(", ")}], to: r:7000, bytes: 1000 }
`;
    const e = refusal(incast(129));
    expect(e.path).toBe("links");
    expect(e.message).toContain('links: "129 links" is not allowed (at most 128 links (the model\'s bound');
    fits(incast(128));
  });

  // 64 hosts × 64 queues × 2 NICs... the reviewer's 1024 hosts of 64 queues: 4096 RX queues are passed at host 64
  it("RX queues over all NICs (one GRO context each)", () => {
    const text = (n: number) => `name: p
duration: 1ms
hosts:
${Array.from({ length: n }, (_, i) => `  h${i}: { cpus: 64, nic: { queues: 64, rxRing: 8, txRing: 8 } }`).join("\n")}
links:
${Array.from({ length: n / 2 }, (_, i) => `  - { a: h${2 * i}, b: h${2 * i + 1} }`).join("\n")}
`;
    const e = refusal(text(66));
    // 64 hosts × 64 queues = 4096: the 65th host (h64) passes the bound
    expect(e.path).toBe("hosts.h64.nic.queues");
    expect(e.allowed).toMatch(/^at most 4096 RX queues on all NICs together/);
    fits(text(64));
  });

  // connect without a rate: count ≤ 28232 (ephemeral ports 32768..60999); the wheel is sized for them
  it("connect count at once beyond the ephemeral ports", () => {
    const e = refusal(probe("{}", "{ kind: connect, from: client, to: server:7000, count: 28233 }"));
    expect(e.path).toBe("traffic[0].count");
    expect(e.allowed).toBe("at most 28232 connections started at once (ephemeral ports 32768..60999 of client); give a rate to start more");
    fits(probe("{}", "{ kind: connect, from: client, to: server:7000, count: 28233, rate: 1M/s }"));
    const s = loadScenarioText(probe("{}", "{ kind: connect, from: client, to: server:7000, count: 28232 }"), "p.yaml");
    // 8 timer entries per connection on top of the queues' skbs
    expect(resolveCoreConfig(coreConfigForScenario(s)).wheelEntries).toBeGreaterThanOrEqual(8 * 28232);
  });

  // a bound on work (review13b #4): at most 1e8 packets per traffic item; udp 1G/us for 10 us is 1e10 datagrams
  it("packets a traffic item generates in the run: rate × (duration − at), or count", () => {
    const udp = (rate: string, duration: string) =>
      `name: p\nduration: ${duration}\nhosts: { server: {}, client: {} }\nlinks: [{ a: client, b: server }]\ntraffic: [{ kind: udp, from: client, to: server:9000, size: 18, rate: ${rate} }]\n`;
    const e = refusal(udp("1G/us", "10us"));
    expect(e.path).toBe("traffic[0].rate");
    expect(e.message).toContain('traffic[0].rate: "1G/us" is not allowed (at most 100000000 datagrams in the run (rate × (duration − at): 10000000000 here;');
    loadScenarioText(udp("1M/s", "100s"), "p.yaml"); // exactly 1e8
    expect(refusal(udp("1M/s", "100000001us")).path).toBe("traffic[0].rate");
    // 10Gbit of 64-byte frames (18 + 14 + 20 + 8 + 4 bytes): 10^10 / 512 = 19531250 per second
    loadScenarioText(udp("10Gbit", "5s"), "p.yaml");
    expect(refusal(udp("10Gbit", "6s")).allowed).toMatch(/\(rate × \(duration − at\): 117187500 here;/);
    const flood = (extra: string) => probe("{}", `{ kind: syn-flood, from: client, to: server:7000, count: 2147483647${extra} }`);
    const f = refusal(flood(""));
    expect(f.path).toBe("traffic[0].count");
    expect(f.allowed).toMatch(/^at most 100000000 SYNs in the run \(count: 2147483647 here;/);
    expect(refusal(flood(", rate: 1G/us")).path).toBe("traffic[0].count");
    // 10 ms at 1G/s: 1e7 SYNs, fewer than count: the rate bounds it
    loadScenarioText(flood(", rate: 1G/s"), "p.yaml");
  });

  // TCP data traffic: the data segments it can make (fix14 item 6). MSS at MTU 1500 over IPv4 with
  // timestamps: 1500 - 20 - 20 - 12 = 1448; a full frame is 1500 + 38 wire bytes
  it("TCP bulk, incast and rr: at most 1e8 data segments (bytes ÷ MSS, what the link carries, count or round trips)", () => {
    const tcp = (traffic: string, duration: string, link = "") =>
      `name: p\nduration: ${duration}\nhosts: { server: {}, client: {}, c2: {} }\nlinks: [{ a: client, b: server${link} }, { a: c2, b: server${link} }]\ntraffic: [${traffic}]\n`;
    // 10 Gbit for 24 h without bytes: 10^10 × 86400 / (8 × 1538) = 70221066319.9: 70221066320 full frames
    const e = refusal(tcp("{ kind: bulk, from: client, to: server:5001 }", "24h"));
    expect(e.path).toBe("traffic[0].bytes");
    expect(e.message).toContain("traffic[0].bytes is missing (at most");
    expect(e.allowed).toMatch(/^at most 100000000 TCP data segments in the run \(what the link carries in full frames for duration − at: 70221066320 here;/);
    // exactly 1e8 segments of 1448 bytes (the link would carry 1.6e8 in 200 s): accepted; one byte more: refused
    loadScenarioText(tcp("{ kind: bulk, from: client, to: server:5001, bytes: 144800000000 }", "200s"), "p.yaml");
    const b = refusal(tcp("{ kind: bulk, from: client, to: server:5001, bytes: 144800000001 }", "200s"));
    expect(b.allowed).toMatch(/\(flows × bytes ÷ MSS, or what the write or pacing rate allows: 100000001 here;/);
    // a write rate bounds it too: 1 MB/s for 24 h is 86.4 GB, 59668509 segments
    loadScenarioText(tcp("{ kind: bulk, from: client, to: server:5001, writeRate: 1MB/s }", "24h"), "p.yaml");
    // incast: per sender; 2 × ceil(1e11 / 1448) = 2 × 69060774 segments
    const inc = refusal(tcp("{ kind: incast, from: [client, c2], to: server:5001, bytes: 100GB }", "200s"));
    expect(inc.path).toBe("traffic[0].bytes");
    expect(inc.allowed).toMatch(/\(bytes ÷ MSS per sender: 138121548 here;/);
    // rr: count × flows × (1 + 1) segments; 5e7 transactions is the most
    loadScenarioText(tcp("{ kind: rr, from: client, to: server:5001, count: 50000000 }", "1s"), "p.yaml");
    const r = refusal(tcp("{ kind: rr, from: client, to: server:5001, count: 50000001 }", "1s"));
    expect(r.path).toBe("traffic[0].count");
    expect(r.allowed).toMatch(/\(count × flows × \(ceil\(request ÷ MSS\) \+ ceil\(response ÷ MSS\)\): 100000002 here;/);
    // without a count: one transaction per round trip (2 × (1 ms + 67.2 ns)) per flow: 24 h is 43197098 × 2
    loadScenarioText(tcp("{ kind: rr, from: client, to: server:5001 }", "24h", ", delay: 1ms"), "p.yaml");
    const r2 = refusal(tcp("{ kind: rr, from: client, to: server:5001, flows: 2 }", "24h", ", delay: 1ms"));
    expect(r2.message).toMatch(/traffic\[0\]\.count is missing \(at most 100000000 TCP data segments in the run \(one transaction per round trip per flow for duration − at, each ceil\(request ÷ MSS\) \+ ceil\(response ÷ MSS\) segments: 172788392 here;/);
    // over a zero-delay link the round trip is CPU time: no bound without a count
    loadScenarioText(tcp("{ kind: rr, from: client, to: server:5001 }", "24h"), "p.yaml");
  });
});
