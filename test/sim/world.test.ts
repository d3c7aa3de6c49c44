import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { buildReport } from "../../src/report/build.js";
import { serializationNs, wireBytes } from "../../src/net/wire-time.js";
import { rssHash, DEFAULT_RSS_KEY } from "../../src/core/rss.js";
import { host, link, world } from "./spec-helpers.js";

async function run(spec: WorldSpec) {
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const result = w.run();
  return { w, result, report: buildReport(w, result) };
}

const udp = (over: Record<string, unknown> = {}) =>
  ({ kind: "udp", from: "a", to: "b", port: 9000, flows: 1, size: 100, pps: 1000, count: 1, at: 0, ...over }) as const;

describe("world: links, NICs, stack", () => {
  it("a datagram arrives after serialization + propagation, not before", async () => {
    // 100 B payload: 14 + 20 + 8 + 100 = 142 B frame, 166 B on the wire.
    const frame = 142;
    const arrival = serializationNs(frame, 1e9) + 20_000;
    expect(wireBytes(frame)).toBe(166);
    expect(arrival).toBe(1328 + 20_000);
    const base = world([host("a", 1), host("b", 2, { udpPorts: [9000] })], [link("a", "b", { rateBps: 1e9, delayNs: 20_000 })], [udp()]);
    const before = await run({ ...base, durationNs: arrival - 1 });
    expect(before.report.ledger).toMatchObject({ created: 1, delivered: 0, inFlight: 1, unaccounted: 0 });
    const after = await run({ ...base, durationNs: arrival });
    expect(after.report.ledger).toMatchObject({ created: 1, delivered: 1, inFlight: 0, unaccounted: 0 });
    expect(after.report.hosts.b!.nstat).toMatchObject({ IpInReceives: 1, IpInDelivers: 1, UdpInDatagrams: 1 });
    expect(after.report.hosts.a!.nstat).toMatchObject({ IpOutRequests: 1, UdpOutDatagrams: 1 });
  });

  it("a bulk flow (real TCP: handshake, slow start, ACK clocking) fills the link after slow start", async () => {
    // 1500 MTU -> 1514 B frames, 1538 B on the wire: 12304 ns each at 1 Gbit/s.
    const spec = world(
      [host("a", 1), host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] })],
      [link("a", "b", { rateBps: 1e9, delayNs: 0 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 2, bytes: Infinity, at: 0 }],
      { durationNs: 10e6 },
    );
    const { report } = await run(spec);
    const ab = report.links.find((l) => l.a === "a")!;
    // at most duration / serialization time plus the two handshakes (SYN, ACK each); slow start costs a few RTTs
    expect(ab.packets).toBeLessThanOrEqual(Math.floor(10e6 / 12304) + 4);
    expect(ab.packets).toBeGreaterThan(0.9 * Math.floor(10e6 / 12304));
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
    expect(report.ledger.dropped).toEqual({});
  });

  it("a UDP flood above the link rate overflows the qdisc (QDISC_DROP) and the ledger closes", async () => {
    // 1 Gbit/s carries 1e9 / (166*8) = 753012 frames/s; send 2M/s for 5 ms.
    const spec = world(
      [host("a", 1), host("b", 2, { udpPorts: [9000] })],
      [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })],
      [udp({ pps: 2e6, count: Infinity })],
      { durationNs: 5e6 },
    );
    const { report } = await run(spec);
    const l = report.ledger;
    expect(l.dropped.QDISC_DROP).toBeGreaterThan(0);
    expect(l.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
    const sent = report.links.find((x) => x.a === "a")!.packets;
    expect(sent).toBe(Math.floor(5e6 / 1328));
    expect(report.hosts.a!.qdisc.eth0!.drops).toBe(l.dropped.QDISC_DROP);
    expect(l.created).toBe(l.delivered + l.dropped.QDISC_DROP! + l.inFlight);
  });

  it("segments to a port nobody listens on are dropped as NO_SOCKET", async () => {
    const spec = world([host("a", 1), host("b", 2)], [link("a", "b")], [udp({ count: 5, pps: 1e5 })]);
    const { report } = await run(spec);
    expect(report.ledger.dropped).toEqual({ NO_SOCKET: 5 });
    expect(report.hosts.b!.nstat.UdpNoPorts).toBe(5);
  });

  it("a lossy link drops the expected share, reproducibly per seed", async () => {
    const spec = world(
      [host("a", 1), host("b", 2, { udpPorts: [9000] })],
      [link("a", "b", { loss: 0.25 })],
      [udp({ count: 4000, pps: 1e6 })],
      { durationNs: 20e6 },
    );
    const r1 = (await run(spec)).report;
    const r2 = (await run(spec)).report;
    const r3 = (await run({ ...spec, seed: 2 })).report;
    const lost = r1.ledger.dropped.LINK_LOSS!;
    expect(lost).toBeGreaterThan(850);
    expect(lost).toBeLessThan(1150);
    expect(JSON.stringify(r2)).toBe(JSON.stringify(r1));
    expect(r3.ledger.dropped.LINK_LOSS).not.toBe(lost);
    expect(r1.ledger.unaccounted).toBe(0);
  });

  it("RSS spreads flows over RX queues exactly as the Toeplitz hash and RETA predict", async () => {
    const flows = 16;
    const spec = world(
      [host("a", 1), host("b", 2, { cpus: 4, udpPorts: [9000], nic: { queues: 4, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000 } })],
      [link("a", "b")],
      [udp({ flows, count: flows, pps: 1e6 })],
    );
    const { report } = await run(spec);
    const expected = [0, 0, 0, 0];
    for (let f = 0; f < flows; f++) {
      const input = Uint8Array.of(10, 0, 0, 1, 10, 0, 0, 2, (32768 + f) >> 8, (32768 + f) & 0xff, 9000 >> 8, 9000 & 0xff);
      const hash = rssHash(DEFAULT_RSS_KEY, input);
      expected[(hash & 127) % 4]! += 1;
    }
    expect(report.hosts.b!.rxQueues.map((q) => q.packets)).toEqual(expected);
    expect(report.hosts.b!.softnet.map((s) => s.processed)).toEqual(expected);
  });

  it("a full RX ring drops as NIC_RX_MISSED while the IRQ is held back by rx-usecs", async () => {
    // 50 frames arrive within ~1 us at 100 Gbit/s; the receiver's IRQ fires
    // 50 us after the first, so its 8-slot ring keeps 8 and misses 42.
    const nic = { queues: 1, rateBps: 100e9, mtu: 1500, rxRing: 8, txRing: 1024, txqueuelen: 1000, rxUsecs: 50_000 };
    const spec = world(
      [host("a", 1, { nic: { ...nic, rxRing: 1024 } }), host("b", 2, { udpPorts: [9000], nic })],
      [link("a", "b", { rateBps: 100e9, delayNs: 0 })],
      [udp({ count: 50, pps: 1e12 })],
    );
    const { report } = await run(spec);
    expect(report.ledger).toMatchObject({ created: 50, delivered: 8, dropped: { NIC_RX_MISSED: 42 }, inFlight: 0, unaccounted: 0 });
    expect(report.hosts.b!.rxQueues[0]).toMatchObject({ packets: 8, drops: 42 });
  });
});
