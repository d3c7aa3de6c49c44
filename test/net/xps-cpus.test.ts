// XPS by CPU (xps_cpus): net/core/dev.c netdev_core_pick_tx gives every transmit a sender CPU
// (skb->sender_cpu = raw_smp_processor_id() + 1 when unset), and get_xps_queue looks it up in xps_cpus
// when xps_rxqs gave nothing: the application's CPU in process context (connect, a write), the RX
// softirq's for what an incoming segment sends. __get_xps_queue_idx takes the one queue of a CPU, or
// reciprocal_scale(skb_get_hash(skb), n) over its n queues.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { buildReport } from "../../src/report/build.js";
import { host, link, world } from "../sim/spec-helpers.js";

async function run(spec: WorldSpec) {
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const report = buildReport(w, w.run());
  return { w, report };
}

const nicA = (over: Record<string, unknown>) => ({ queues: 2, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000, ...over });
const b = host("b", 2, { cpus: 2, nic: nicA({}), listeners: [{ port: 5001, backlog: 128, accept: true }] });

describe("XPS by the sending CPU (xps_cpus)", () => {
  it("process context goes by the application's CPU, the RX softirq by its own; ooo_okay re-picks", async () => {
    // Host a: both RX IRQs on CPU 1, the application (no thread spec, never reads data) on CPU 0;
    // xps_cpus tx-0 = {0}, tx-1 = {1}. A writer of 1e6 B/s (1000 B every ms from its timer) and
    // 3 UDP datagrams (1, 2, 3 ms). By hand:
    //  - the SYN (connect(), process context, CPU 0): tx-0, cached on the socket;
    //  - the handshake ACK (the SYN-ACK's softirq, CPU 1; ooo_okay: nothing below TCP): tx-1, cached;
    //  - 4 writes at 1.04, 2.04, 3.04, 4.04 ms (process context, CPU 0), each with everything acked
    //    (ooo_okay): re-picked, tx-0 (the cached tx-1 if ooo_okay were ignored);
    //  - 3 sockless UDP datagrams from the generator (process context, CPU 0): tx-0.
    // tx-0 8 packets, tx-1 1; every pick by XPS, none by skb_tx_hash (before: the SYN, the writes and
    // the datagrams had no CPU and went by hash).
    const spec = world(
      [host("a", 1, { cpus: 2, nic: nicA({ irqAffinity: [1, 1], xpsCpus: [[0], [1]] }) }), b],
      [link("a", "b", { rateBps: 10e9, delayNs: 20_000 })],
      [
        { kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: Infinity, at: 0, writeRate: 1e6 },
        { kind: "udp", from: "a", to: "b", port: 7000, flows: 1, size: 100, pps: 1000, count: 3, at: 1e6 },
      ],
      { durationNs: 5e6 },
    );
    const { w, report } = await run(spec);
    expect(report.hosts.a!.txQueues.map((q) => q.packets)).toEqual([8, 1]);
    expect(w.host("a").nics[0]!.tx.pick).toEqual({ xps: 9, hash: 0, cached: 0 });
  });

  it("xps_cpus tx-0 = {0, 1}, tx-1 = {}: nothing leaves by tx-1 (review12a probe)", async () => {
    const spec = world(
      [host("a", 1, { cpus: 2, nic: nicA({ xpsCpus: [[0, 1], []] }) }), b],
      [link("a", "b", { rateBps: 10e9, delayNs: 20_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 8, bytes: Infinity, at: 0 }],
      { durationNs: 2e6 },
    );
    const { w, report } = await run(spec);
    const q = report.hosts.a!.txQueues;
    expect(q[0]!.packets).toBeGreaterThan(0);
    expect(q[1]!.packets).toBe(0);
    expect(w.host("a").nics[0]!.tx.pick.hash).toBe(0);
  });

  it("a CPU in two queues' maps: reciprocal_scale(skb_get_hash, 2), the same split as skb_tx_hash over 2 queues", async () => {
    // xps_cpus tx-0 = tx-1 = {0}: __get_xps_queue_idx's map for CPU 0 is [0, 1] and takes
    // reciprocal_scale(hash, 2); skb_tx_hash without XPS takes reciprocal_scale(hash, real_num_tx_queues
    // = 2): the same queue for every datagram. 16 UDP flows from CPU 0 (process context).
    const udp = (xpsCpus?: number[][]) =>
      world(
        [host("a", 1, { cpus: 2, nic: nicA(xpsCpus !== undefined ? { xpsCpus } : {}) }), b],
        [link("a", "b", { rateBps: 10e9, delayNs: 20_000 })],
        [{ kind: "udp", from: "a", to: "b", port: 7000, flows: 16, size: 100, pps: 100_000, count: 160, at: 0 }],
        { durationNs: 3e6 },
      );
    const xps = await run(udp([[0], [0]]));
    const hash = await run(udp());
    const split = (r: typeof xps.report) => r.hosts.a!.txQueues.map((q) => q.packets);
    expect(split(xps.report)).toEqual(split(hash.report));
    // both queues used (a map's first queue only would put all 160 on tx-0)
    expect(Math.min(...split(xps.report))).toBeGreaterThan(0);
    expect(split(xps.report)[0]! + split(xps.report)[1]!).toBe(160);
    expect(xps.w.host("a").nics[0]!.tx.pick).toEqual({ xps: 160, hash: 0, cached: 0 });
    expect(hash.w.host("a").nics[0]!.tx.pick).toEqual({ xps: 0, hash: 160, cached: 0 });
  });
});
