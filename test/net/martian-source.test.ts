// A SYN whose source address is martian dies in IP routing before TCP sees it
// (net/ipv4/route.c: ip_route_input_slow, the source checks before the route
// lookup; fib_validate_source for our own address; IPv6: ip6_rcv_core). The
// classification below is from the 6.12 source and was measured on 6.18.44 in
// two namespaces over veth (hping3 -a SRC -S, the server's TcpInSegs and perf's
// skb:kfree_skb reason per source):
//   224.1.2.3, 239.255.255.255, 255.255.255.255 -> IP_INVALID_SOURCE (multicast, lbcast)
//   0.0.0.0                                    -> IP_INVALID_SOURCE (zeronet; sent from a raw socket
//                                                  it leaves with the sender's address: 6.12 source only)
//   127.0.0.1, 127.5.5.5                       -> IP_LOCALNET
//   the server's own address                   -> IP_LOCAL_SOURCE
//   0.1.2.3, 240.1.2.3, 254.0.0.1, 255.255.255.254, 169.254.1.1, 10.201.0.255 -> reach TCP
// Only IpInReceives counts a martian (no MIB counter of its own).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { TCPHDR_SYN } from "../../src/wire/tcp.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { loadScenarioText } from "../../src/scenario/load.js";
import { runScenario } from "../../src/run-scenario.js";

const V4: Array<[string, string | null]> = [
  ["224.1.2.3", "IP_INVALID_SOURCE"],
  ["239.255.255.255", "IP_INVALID_SOURCE"],
  ["255.255.255.255", "IP_INVALID_SOURCE"],
  ["0.0.0.0", "IP_INVALID_SOURCE"],
  ["127.0.0.1", "IP_LOCALNET"],
  ["127.5.5.5", "IP_LOCALNET"],
  ["10.0.0.2", "IP_LOCAL_SOURCE"], // the server
  ["0.1.2.3", null],
  ["240.1.2.3", null],
  ["254.0.0.1", null],
  ["255.255.255.254", null],
  ["169.254.1.1", null],
  ["223.255.255.255", null],
  ["10.0.0.255", null],
];

const parse4 = (a: string) => Uint8Array.from(a.split(".").map(Number));

function spec(v6: boolean): WorldSpec {
  const addr = (last: number) => (v6 ? Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last) : Uint8Array.of(10, 0, 0, last));
  return world(
    [
      host("server", 2, { addr: addr(2), sysctl: { "net.ipv4.tcp_syncookies": 2 }, listeners: [{ port: 80, backlog: 128, accept: false }] }),
      host("client", 1, { addr: addr(1) }),
    ],
    [link("client", "server")],
    [],
    { durationNs: 5e6 },
  );
}

/** One bare SYN to server:80 from each source, all sent at once by the client (one NAPI poll at the
 *  server: the poll's SYN run breaks at each martian), or 100 us apart (one poll each: receive()). */
async function send(sources: Uint8Array[], v6: boolean, gapNs: number, listenRun = true) {
  const s = spec(v6);
  const core = await createCore(coreConfigFor(s));
  const w = new World(core, s);
  const server = w.host("server");
  if (!listenRun) server.rx.stackListenRun = null;
  let i = 0;
  const kind = w.loop.register("test: spoofed SYN", () => {
    const h = core.allocOne(w.loop.now);
    w.ledger.create(1);
    const seg = new SegOut();
    seg.v6 = v6;
    seg.src = sources[i]!;
    seg.dst = Uint8Array.from(server.config.addr);
    seg.sport = 40000 + i;
    seg.dport = 80;
    seg.seq = 1000 * i;
    seg.flags = TCPHDR_SYN;
    seg.window = 512;
    writeSegment(core, h, seg);
    w.host("client").stack.sendDatagram(h);
    i++;
  });
  sources.forEach((_, j) => w.loop.at(1e6 + j * gapNs, kind, 0));
  const report = buildReport(w, w.run());
  return { report, nstat: (k: string) => server.nstat.get(k) };
}

describe("martian sources are dropped in IP before TCP", () => {
  for (const gapNs of [0, 100_000]) {
    it(`IPv4, ${gapNs === 0 ? "one poll" : "a poll each"}: 6.12's order of checks, 6.18's reason names`, async () => {
      const { report, nstat } = await send(V4.map(([a]) => parse4(a)), false, gapNs);
      const reach = V4.filter(([, r]) => r === null).length;
      const want: Record<string, number> = {};
      for (const [, r] of V4) if (r !== null) want[r] = (want[r] ?? 0) + 1;
      expect(nstat("IpInReceives")).toBe(V4.length);
      expect(nstat("IpInDelivers")).toBe(reach);
      expect(nstat("TcpInSegs")).toBe(reach);
      expect(nstat("IpInAddrErrors")).toBe(0);
      // tcp_syncookies=2: every SYN that reaches TCP gets a cookie SYN-ACK
      expect(nstat("TcpExtSyncookiesSent")).toBe(reach);
      const d = report.ledger.dropped as Record<string, number>;
      for (const [r, n] of Object.entries(want)) expect(d[r], r).toBe(n);
      expect(report.ledger.unaccounted).toBe(0);
    });
  }

  it("the poll's SYN run (Stack.listenRun) gives the report receive() gives", async () => {
    const src = V4.map(([a]) => parse4(a));
    const on = await send(src, false, 0, true);
    const off = await send(src, false, 0, false);
    expect(JSON.stringify(on.report)).toBe(JSON.stringify(off.report));
  });

  it("IPv6: a multicast or loopback source is Ip6InHdrErrors (ip6_rcv_core), IP_INHDR", async () => {
    const mc = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    const lo = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    const ok = Uint8Array.of(0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7);
    const { report, nstat } = await send([mc, lo, ok], true, 100_000);
    expect(nstat("Ip6InReceives")).toBe(3);
    expect(nstat("Ip6InHdrErrors")).toBe(2);
    expect(nstat("TcpInSegs")).toBe(1);
    expect((report.ledger.dropped as Record<string, number>)["IP_INHDR"]).toBe(2);
  });

  it("a random-spoofed flood: what reaches TCP is what the sources allow", async () => {
    // hping3 --rand-source draws four random bytes per SYN; so does the model. Classify each
    // source on the wire independently of the model (224/4, 255.255.255.255, 0.0.0.0, 127/8).
    const s = world(
      [host("server", 2, { sysctl: { "net.ipv4.tcp_syncookies": 2 }, listeners: [{ port: 80, backlog: 128, accept: false }] }), host("client", 1)],
      [link("client", "server")],
      [{ kind: "syn-flood", from: "client", to: "server", port: 80, count: 3000, at: 0, rate: 1e6, spoof: "random" }],
      { durationNs: 10e6 },
    );
    const core = await createCore(coreConfigFor(s));
    let syns = 0;
    let martians = 0;
    const tap = (h: number) => {
      const b = core.headers;
      const ip = h * SKB_HEADROOM + core.skb.network[h]!;
      if (b[ip + 16] !== 10 || b[ip + 19] !== 2 || b[ip + 33] !== TCPHDR_SYN) return;
      syns++;
      const a = b[ip + 12]!;
      const all = (v: number) => b[ip + 12] === v && b[ip + 13] === v && b[ip + 14] === v && b[ip + 15] === v;
      if ((a >= 224 && a < 240) || a === 127 || all(255) || all(0)) martians++;
    };
    const w = new World(core, s, tap);
    w.run();
    const n = w.host("server").nstat;
    expect(syns).toBe(3000);
    // about 1/16 + 1/256 of them
    expect(martians).toBeGreaterThan(120);
    expect(n.get("TcpInSegs")).toBe(syns - martians);
    expect(n.get("TcpExtSyncookiesSent")).toBe(syns - martians);
  });

  it("0.x.y.z other than 0.0.0.0 is a unicast address: hosts at 0.1.2.3 and 0.1.2.4 connect (as on 6.18.44 over veth)", async () => {
    const r = await runScenario(
      loadScenarioText(
        `name: zeronet
duration: 20ms
hosts:
  server: { addr: 0.1.2.3, sockets: [{ listen: 80 }] }
  client: { addr: 0.1.2.4 }
links:
  - { a: client, b: server }
traffic:
  - { kind: connect, from: client, to: server:80, count: 5 }
`,
        "zeronet.yaml",
      ),
    );
    expect(r.connects[0]!.connected).toBe(5);
    expect(r.ledger.dropped).toEqual({});
  });
});
