// The NIC transmit path: qdisc -> driver TX ring with BQL -> wire -> completion.
import { describe, expect, it, vi } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { buildReport } from "../../src/report/build.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { COST_KEYS } from "../../src/cpu/cost.js";
import { PfifoFast } from "../../src/qdisc/pfifo-fast.js";

async function run(spec: WorldSpec) {
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const result = w.run();
  return { w, report: buildReport(w, result) };
}

const udp = (over: Record<string, unknown> = {}) =>
  ({ kind: "udp", from: "a", to: "b", port: 9000, flows: 1, size: 100, pps: 2e6, count: Infinity, at: 0, ...over }) as const;

describe("TX path: qdisc, driver ring, BQL", () => {
  it("BQL trace through the driver: limits after three completions as lib/dynamic_queue_limits.c computes them", async () => {
    // 142 B frames (L), 1328 ns each at 1 Gbit/s; the flood (one every 500 ns) keeps the qdisc non-empty.
    // limit 0: post #1 -> avail -L, STACK_XOFF.
    // done #1: ovlimit L, inprogress 0 -> starved: limit = 0 + (L - 0) + 0 = L; adj = 2L; wake; post #2 (avail 0), #3 (avail -L, stop).
    // done #2: ovlimit = (3L - L) - L = L, inprogress L, prev_inprogress 0, prev_ovlimit 0 -> limit stays L; adj 3L; wake; post #4 (stop).
    // done #3: prev_ovlimit L and all previous completed -> starved: limit = L + 0 + L = 2L; adj 5L; wake; post #5, #6 (stop).
    // So at 3 x 1328 ns: limit 2L = 284, inflight 6L - 3L = 426, 4 stops, 3 wakes.
    const L = 142;
    const spec = world([host("a", 1), host("b", 2, { udpPorts: [9000] })], [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })], [udp()], { durationNs: 3 * 1328 });
    const { report } = await run(spec);
    const q = report.hosts.a!.txQueues[0]!;
    expect(q.bql.limit).toBe(2 * L);
    expect(q.bql.inflight).toBe(3 * L);
    expect(q.bqlStops).toBe(4);
    expect(q.wakes).toBe(3);
    expect(q.completions).toBe(3);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });

  it("BQL off: the driver ring fills to the ring-full stop instead, the qdisc stays empty", async () => {
    const spec = world(
      [host("a", 1, { nic: { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 64, txqueuelen: 1000, bql: false } }), host("b", 2, { udpPorts: [9000] })],
      [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })],
      [udp()],
      { durationNs: 200_000 },
    );
    const { report } = await run(spec);
    const q = report.hosts.a!.txQueues[0]!;
    // limit_min "max" takes effect at the first completion (dql_completed clamps limit to it), so the
    // very first post still finds limit 0 and stops once, as on Linux
    expect(q.bqlStops).toBe(1);
    expect(q.ringStops).toBeGreaterThan(0);
    // the ring stops full at 64 descriptors and wakes once TX_WAKE_THRESHOLD (42, capped at half the
    // ring: 32) are free, so between 32 and 64 frames of 142 B are always in flight
    expect(q.bql.inflight).toBeGreaterThanOrEqual(32 * 142);
    expect(q.bql.inflight).toBeLessThanOrEqual(64 * 142);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });

  it("tx-usecs coalescing: one completion interrupt per window, completions still add up", async () => {
    const spec = world(
      [host("a", 1, { nic: { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000, txUsecs: 50_000 } }), host("b", 2, { udpPorts: [9000] })],
      [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })],
      [udp({ pps: 10_000, count: 20 })],
      { durationNs: 3e6 },
    );
    const { report } = await run(spec);
    const q = report.hosts.a!.txQueues[0]!;
    // 20 frames 100 us apart; a 50 us window opened by each finished frame closes before the next: 20 IRQs
    expect(q.completionIrqs).toBe(20);
    expect(q.completions).toBe(20);
    expect(q.bql.inflight).toBe(0);
    expect(report.ledger.delivered).toBe(20);
  });

  it("fq maxrate paces a flow: initial quantum, then quantum bytes per quantum/maxrate", async () => {
    // 1472 B payload -> 1514 B frames (12304 ns each at 1 Gbit/s). fq (fq_dequeue): credit starts at
    // initial_quantum 10 x 1514 = 15140, so 10 frames go unpaced; the 10th leaves credit 0 and sets
    // time_next_packet = now + quantum/maxrate = 3028 / 12.5e6 s = 242240 ns. After that each refill of
    // one quantum (3028 B) lets two frames go, the pairs 242240 ns apart. The 10th frame is dequeued
    // between t10 = 0 and 9 x 12304 ns (the driver takes it as the ring drains), so by T = 10 ms
    // pairs = floor((T - t10 - 242240) / 242240) + 1 is 41 (t10 = 0) or 40 (t10 = 110736): 90..92 frames.
    const T = 10e6;
    const spec = world(
      [host("a", 1, { nic: { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000, fqMaxrate: 12.5e6 }, sysctl: { "net.core.default_qdisc": "fq" } }), host("b", 2, { udpPorts: [9000] })],
      [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })],
      [udp({ size: 1472, pps: 50_000 })],
      { durationNs: T },
    );
    const { report } = await run(spec);
    const ab = report.links.find((l) => l.a === "a")!;
    expect(ab.packets).toBeGreaterThanOrEqual(90);
    expect(ab.packets).toBeLessThanOrEqual(92);
    expect(ab.bytes).toBe(ab.packets * 1514);
    const qd = report.hosts.a!.qdisc.eth0!;
    expect(qd.kind).toBe("fq");
    expect(qd.drops).toBeGreaterThan(0); // flow_limit 100 with 50k pps offered
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });

  it("a multi-queue NIC gets mq with one pfifo_fast per TX queue", async () => {
    const spec = world(
      [host("a", 1, { nic: { queues: 4, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 500 } }), host("b", 2, { udpPorts: [9000] })],
      [link("a", "b")],
      [udp({ pps: 1e5, count: 10 })],
      { durationNs: 1e6 },
    );
    const { report } = await run(spec);
    const qd = report.hosts.a!.qdisc.eth0!;
    expect(qd.kind).toBe("mq");
    expect(qd.children!.map((c) => [c.kind, c.limit])).toEqual(Array.from({ length: 4 }, () => ["pfifo_fast", 500]));
    expect(report.hosts.a!.txQueues).toHaveLength(4);
    expect(report.hosts.a!.txQueues.reduce((s, q) => s + q.packets, 0)).toBe(10);
  });
});

describe("TX path: pfifo_fast bypass (TCQ_F_CAN_BYPASS)", () => {
  it("an skb meeting an empty qdisc on a running queue is never enqueued, yet counted in the qdisc's bstats", async () => {
    // 20 datagrams 100 us apart on a 1 Gbit wire (1328 ns each): each finds the qdisc empty and the queue awake
    const enq = vi.spyOn(PfifoFast.prototype, "enqueue");
    try {
      const spec = world([host("a", 1), host("b", 2, { udpPorts: [9000] })], [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })], [udp({ pps: 10_000, count: 20 })], { durationNs: 3e6 });
      const { report } = await run(spec);
      expect(enq).not.toHaveBeenCalled();
      const qd = report.hosts.a!.qdisc.eth0!;
      expect([qd.packets, qd.bytes, qd.qlen, qd.backlog]).toEqual([20, 20 * 142, 0, 0]);
      expect(report.hosts.a!.txQueues[0]!.packets).toBe(20);
    } finally {
      enq.mockRestore();
    }
  });

  it("a stopped queue takes the bypass once and requeues; DRAINING then queues the rest: by hand from the BQL trace above", async () => {
    // datagram i at 500 i ns. Frame 0 goes straight to the driver (MISSED and DRAINING clear) and its
    // post stops the queue (limit 0); sch_direct_xmit returned true, so no bit is set. Frame 1 (500)
    // still bypasses: bstats, then sch_direct_xmit finds the queue stopped (qdisc_maybe_clear_missed:
    // DRAINING) and dev_requeue_skb puts it on q->gso_skb and sets MISSED, so qdisc_run_end raises
    // NET_TX: that run finds gso_skb and the queue stopped (MISSED cleared, DRAINING kept). Frames 2..7
    // (1000..3500) meet DRAINING (nolock_qdisc_is_empty false): enqueued, 6 times. Done #1 (1328)
    // wakes (BQL) and NET_TX posts frame 1 (gso_skb) and frame 2 (stop); done #2 (2656) posts frame 3;
    // done #3 (3984) posts frames 4 and 5. bstats: bypassed 0, 1 + dequeued 2..5 = 6; requeues 1;
    // frames 6 and 7 wait. NET_TX runs: the requeue's, and one per wake = 4.
    const enq = vi.spyOn(PfifoFast.prototype, "enqueue");
    try {
      const spec = world([host("a", 1), host("b", 2, { udpPorts: [9000] })], [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })], [udp()], { durationNs: 3 * 1328 });
      const { report } = await run(spec);
      expect(enq).toHaveBeenCalledTimes(6);
      const qd = report.hosts.a!.qdisc.eth0!;
      expect([qd.packets, qd.bytes, qd.requeues, qd.qlen, qd.backlog]).toEqual([6, 6 * 142, 1, 2, 2 * 142]);
      expect(report.hosts.a!.txQueues[0]!.netTx).toBe(4);
      expect(report.ledger.unaccounted).toBe(0);
    } finally {
      enq.mockRestore();
    }
  });
});

describe("TX path: pfifo_fast bypass of GSO skbs (software GSO, tso off)", () => {
  it("a GSO skb meeting an empty qdisc is segmented without being queued; bstats count its segments", async () => {
    // one bulk flow, tso off: TCP sends GSO skbs; the qdisc sees each as one skb of gso_segs packets
    const spec = world(
      [host("a", 1, { nic: { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000, tso: false } }), host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] })],
      [link("a", "b", { rateBps: 10e9, delayNs: 50_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: 3_000_000, at: 0 }],
      { durationNs: 20e6 },
    );
    const core = await createCore(coreConfigFor(spec));
    let gsoBypassed = 0;
    const real = PfifoFast.prototype.bypass;
    const bp = vi.spyOn(PfifoFast.prototype, "bypass").mockImplementation(function (this: PfifoFast, h: number) {
      if (core.skb.gsoSegs[h]! > 1) gsoBypassed++;
      real.call(this, h);
    });
    try {
      const w = new World(core, spec);
      const report = buildReport(w, w.run());
      expect(gsoBypassed).toBeGreaterThan(0);
      const qd = report.hosts.a!.qdisc.eth0!;
      // everything sent: the qdisc counted every data and control segment the wire carried
      expect([qd.qlen, qd.backlog]).toEqual([0, 0]);
      expect(qd.packets).toBe(report.hosts.a!.txQueues[0]!.packets);
      expect(report.ledger.unaccounted).toBe(0);
    } finally {
      bp.mockRestore();
    }
  });
});

describe("TX path: queueing delay histogram", () => {
  it("qdisc + ring wait per frame, derived by hand for a flood faster than the wire", async () => {
    // 142 B frames take 1328 ns on 1 Gbit ((142 + 24) x 8 ns); datagram i is queued at i x 1000 ns
    // (1e6 pps). The wire never idles, so frame i leaves at i x 1328 ns: delay 328 i ns. The run ends
    // at 99 x 1328 ns: frames 0..99 are on the wire.
    // nearest rank over 100 samples: p50 = frame 49 (16072 ns) -> sub-bucket [15872, 16384) -> 15872;
    // p90 = frame 89 (29192) -> [28672, 29696) -> 28672; p99 = frame 98 (32144) -> 31744; max 99 x 328.
    const spec = world([host("a", 1), host("b", 2, { udpPorts: [9000] })], [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })], [udp({ pps: 1e6 })], { durationNs: 99 * 1328 });
    const { report } = await run(spec);
    const lat = report.hosts.a!.txQueues[0]!.latency;
    expect(lat.packets).toBe(100);
    expect(lat.p50Ns).toBe(15872);
    expect(lat.p90Ns).toBe(28672);
    expect(lat.p99Ns).toBe(31744);
    expect(lat.maxNs).toBe(99 * 328);
    expect(lat.meanNs).toBe(Math.round(328 * 49.5));
    // octaves: 0 (frame 0), 328, 656..984, 1312..1968, 2296..3936, 4264..7872, 8200..16072, 16400..32472
    expect(lat.buckets.map((b) => [b.fromNs, b.count])).toEqual([
      [0, 1],
      [256, 1],
      [512, 2],
      [1024, 3],
      [2048, 6],
      [4096, 12],
      [8192, 25],
      [16384, 50],
    ]);
  });

  it("the driver-ring part, by hand from the BQL trace above", async () => {
    // 2e6 pps: datagram i queued at 500 i ns; BQL (trace above) posts frame 0 at 0, frames 1 and 2 at
    // 1328 (done #1), frame 3 at 2656 (done #2); the wire takes frame i at 1328 i. Ring waits 0, 0, 1328,
    // 1328; totals 0, 828, 1656, 2484. p50 is rank 2: ring 0, total 828 -> floor of [800, 832) = 800.
    const spec = world([host("a", 1), host("b", 2, { udpPorts: [9000] })], [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })], [udp()], { durationNs: 3 * 1328 });
    const { report } = await run(spec);
    const q = report.hosts.a!.txQueues[0]!;
    expect(q.ringLatency.packets).toBe(4);
    expect(q.ringLatency.meanNs).toBe(664);
    expect(q.ringLatency.p50Ns).toBe(0);
    // 1328 in [1024, 2048), step 64: 1280
    expect(q.ringLatency.p99Ns).toBe(1280);
    expect(q.ringLatency.maxNs).toBe(1328);
    expect(q.latency.meanNs).toBe(1242);
    expect(q.latency.p50Ns).toBe(800);
    expect(q.latency.maxNs).toBe(2484);
  });
});

describe("TX path: CPU cost of TX completion", () => {
  const only = (over: Record<string, number>) => ({ ...Object.fromEntries(COST_KEYS.map((k) => [k, 0])), ...over });

  it("each completed descriptor costs txClean on the TX queue's IRQ CPU (per-frame completion: no IRQ)", async () => {
    // 3 CPUs, 2 queues, irqAffinity [2, 1]: queue q's completions run on CPU 2 - q. Each CPU's softirq time
    // is its queue's completions x 70 ns; nothing is received on a, so nothing else is charged.
    const spec = world(
      [
        host("a", 1, { cpus: 3, cost: only({ txClean: 70, irq: 500 }), nic: { queues: 2, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000, irqAffinity: [2, 1] } }),
        host("b", 2, { udpPorts: [9000] }),
      ],
      [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })],
      [udp({ flows: 8, pps: 5e5 })],
      { durationNs: 200_000 },
    );
    const { report } = await run(spec);
    const h = report.hosts.a!;
    const [q0, q1] = h.txQueues;
    expect(q0!.completions + q1!.completions).toBeGreaterThan(50);
    expect(q0!.completionIrqs + q1!.completionIrqs).toBe(0);
    expect(h.cpu[2]!.softirqNs).toBe(q0!.completions * 70);
    expect(h.cpu[1]!.softirqNs).toBe(q1!.completions * 70);
    expect(h.cpu[0]!.softirqNs).toBe(0);
    expect(h.cpu.every((c) => c.irqNs === 0)).toBe(true);
  });

  it("with tx-usecs the completion interrupt costs irq on that CPU as well", async () => {
    const spec = world(
      [host("a", 1, { cost: only({ txClean: 70, irq: 500 }), nic: { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000, txUsecs: 20_000 } }), host("b", 2, { udpPorts: [9000] })],
      [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })],
      [udp({ pps: 5e5 })],
      { durationNs: 200_000 },
    );
    const { report } = await run(spec);
    const h = report.hosts.a!;
    const q = h.txQueues[0]!;
    expect(q.completionIrqs).toBeGreaterThan(2);
    expect(h.cpu[0]!.irqNs).toBe(q.completionIrqs * 500);
    expect(h.cpu[0]!.softirqNs).toBe(q.completions * 70);
  });

  it("the TX NAPI runs once the CPU is done with the completion IRQ: BQL sees the completion irq ns later", async () => {
    // one 142 B datagram at 0: on the wire until 1328 ns; tx-usecs 20 us -> IRQ at 21328; the hard IRQ
    // (500 ns) runs first, so the NAPI cleans at 21828: BQL inflight is still 142 at 21600, 0 at 21900.
    const spec = world(
      [host("a", 1, { cost: only({ txClean: 70, irq: 500 }), nic: { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000, txUsecs: 20_000 } }), host("b", 2, { udpPorts: [9000] })],
      [link("a", "b", { rateBps: 1e9, delayNs: 10_000 })],
      [udp({ count: 1 })],
      { durationNs: 100_000 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const d = w.host("a").nics[0]!.tx.dql[0]!;
    const seen: number[] = [];
    const k = w.loop.register("sample", () => seen.push(d.sysfs().inflight));
    for (const at of [1000, 21_300, 21_600, 21_900]) w.loop.at(at, k, 0);
    const result = w.run();
    expect(seen).toEqual([142, 142, 142, 0]);
    const h = buildReport(w, result).hosts.a!;
    expect(h.cpu[0]!.irqNs).toBe(500);
    expect(h.cpu[0]!.softirqNs).toBe(70);
  });
});
