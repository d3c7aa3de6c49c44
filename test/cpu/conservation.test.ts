// Whole-path runs with a real sender: every packet the receiver's NIC took is
// processed, dropped at a backlog, or still queued; the ledger closes and the
// skb pool balances; a flood whose per-packet cost exceeds one CPU saturates
// it (time_squeeze on the polling CPU, backlog drops on the target CPU).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import type { HostSpec, WorldSpec } from "../../src/sim/world-spec.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { DEFAULT_COST } from "../../src/cpu/cost.js";

async function run(spec: WorldSpec) {
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const result = w.run();
  return { w, report: buildReport(w, result) };
}

const udp = (pps: number, flows: number) => ({ kind: "udp", from: "a", to: "b", port: 9000, flows, size: 18, pps, count: Infinity, at: 0 }) as const;

function conserve(w: World, report: ReturnType<typeof buildReport>) {
  const b = report.hosts.b!;
  const hb = w.host("b");
  const took = b.rxQueues.reduce((s, q) => s + q.packets, 0);
  const processed = b.softnet.reduce((s, x) => s + x.processed, 0);
  const dropped = b.softnet.reduce((s, x) => s + x.dropped, 0);
  let rings = 0;
  for (const nic of hb.nics) for (let q = 0; q < nic.queues; q++) rings += nic.rxRingDepth(q);
  expect(took).toBe(processed + dropped + hb.held() + rings);
  expect(report.ledger.unaccounted).toBe(0);
  expect(report.pool.balanced).toBe(true);
}

describe("conservation and saturation", () => {
  const nic = { queues: 4, rateBps: 10e9, mtu: 1500, rxRing: 256, txRing: 256, txqueuelen: 1000 };
  it("RSS + RPS + RFS + aRFS with a migrating reader: every packet accounted for", async () => {
    const b: Partial<HostSpec> = {
      cpus: 4,
      nic,
      udpPorts: [9000],
      cost: {},
      sysctl: { "net.core.rps_sock_flow_entries": 4096 },
      rps: { cpus: [[0, 1, 2, 3]], flowCnt: 256, arfs: true, flowLimitCpus: [0, 1] },
      apps: [{ port: 9000, cpus: [1, 3], everyNs: 1e6, connected: true }],
    };
    const { w, report } = await run(world([host("a", 1, { nic }), host("b", 2, b)], [link("a", "b")], [udp(3e6, 32)], { durationNs: 4e6 }));
    conserve(w, report);
    const hb = report.hosts.b!;
    expect(hb.netdev.eth0!.arfs_installed).toBeGreaterThan(0);
    expect(hb.softnet.reduce((s, x) => s + x.received_rps, 0)).toBeGreaterThan(0);
  });

  it("a flood whose per-packet cost exceeds a CPU: time_squeeze on the polling CPU, backlog drops on the target", async () => {
    const b: Partial<HostSpec> = {
      cpus: 2,
      nic: { ...nic, queues: 8, irqAffinity: [0, 0, 0, 0, 0, 0, 0, 0] },
      udpPorts: [9000],
      cost: {},
      rps: { cpus: [[1]], flowCnt: 0, arfs: false, flowLimitCpus: [] },
    };
    // CPU 1 needs dequeue + ip + udp = 320 ns per datagram: 3.1M/s at most; send 6M/s
    const c = DEFAULT_COST;
    expect(1e9 / (c.backlogDequeue + c.ip + c.udp)).toBeLessThan(6e6);
    const { w, report } = await run(world([host("a", 1, { nic }), host("b", 2, b)], [link("a", "b")], [udp(6e6, 64)], { durationNs: 3e6 }));
    conserve(w, report);
    const sn = report.hosts.b!.softnet;
    expect(sn[0]!.time_squeeze).toBeGreaterThan(0);
    expect(sn[0]!.processed).toBe(0);
    expect(sn[1]!.dropped).toBeGreaterThan(0);
    expect(report.ledger.dropped.CPU_BACKLOG).toBe(sn[1]!.dropped);
    expect(report.hosts.b!.cpu[1]!.idle).toBeLessThan(0.05);
  });
});
