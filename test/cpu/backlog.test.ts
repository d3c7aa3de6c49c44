// Per-CPU backlogs, IPIs, flow limit, net_rx_action's budget and the
// softnet_stat columns, on a receiver whose RX rings get frames injected at
// chosen times. Expected numbers are derived by hand from net/core/dev.c
// (enqueue_to_backlog, skb_flow_limit, process_backlog, net_rx_action) and
// kernel/softirq.c (__do_softirq restarts) of Linux 6.12.
import { describe, expect, it } from "vitest";
import { rxWorld } from "./helpers.js";
import type { RpsConfig } from "../../src/cpu/rps.js";
import { FlowHasher, hashSeed } from "../../src/cpu/flow-hash.js";
import { writePacket } from "../../src/wire/skb-headers.js";

const rps = (over: Partial<RpsConfig>): RpsConfig => ({ cpus: [], flowCnt: 0, arfs: false, flowLimitCpus: [], ...over });
const nic = (over: Record<string, unknown> = {}) => ({ queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 2048, txRing: 256, txqueuelen: 1000, ...over });
const NEVER = { ipiLatency: 1e12 }; // the IPI never arrives within the run: no consumer on the target CPU

function closed(report: { ledger: { unaccounted: number }; pool: { balanced: boolean } }) {
  expect(report.ledger.unaccounted).toBe(0);
  expect(report.pool.balanced).toBe(true);
}

describe("enqueue_to_backlog", () => {
  it("accepts while qlen <= netdev_max_backlog: 1001 queued, the rest dropped on the TARGET CPU (prediction 4)", async () => {
    const t = await rxWorld({ cpus: 2, nic: nic(), rps: rps({ cpus: [[1]] }), cost: NEVER }, { durationNs: 2e6 });
    t.inject(1100);
    const { report } = t.finish();
    const b = report.hosts.b!;
    expect(b.softnet[1]).toMatchObject({ processed: 0, dropped: 99, received_rps: 0 });
    expect(b.softnet[0]).toMatchObject({ processed: 0, dropped: 0 });
    expect(t.hb.rx.backlogLen(1)).toBe(1001);
    expect(b.netdev.eth0!.rx_dropped).toBe(99);
    expect(report.ledger.dropped).toEqual({ CPU_BACKLOG: 99 });
    expect(report.ledger.inFlight).toBe(1001);
    // input_queue_tail counts every accepted packet; nothing was dequeued
    expect(t.hb.rx.softnet.queueTail[1]).toBe(1001);
    expect(t.hb.rx.softnet.queueHead[1]).toBe(0);
    closed(report);
  });

  it("net.core.netdev_max_backlog=10: 11 queued", async () => {
    const t = await rxWorld({ cpus: 2, nic: nic(), rps: rps({ cpus: [[1]] }), cost: NEVER, sysctl: { "net.core.netdev_max_backlog": 10 } });
    t.inject(50);
    const { report } = t.finish();
    expect(report.hosts.b!.softnet[1]!.dropped).toBe(39);
    expect(t.hb.rx.backlogLen(1)).toBe(11);
    closed(report);
  });

  it("received_rps counts IPIs, not packets: one per burst to an idle remote backlog (prediction 5)", async () => {
    const t = await rxWorld({ cpus: 2, nic: nic(), rps: rps({ cpus: [[1]] }), cost: {} });
    t.inject(64, { at: 0 });
    t.inject(30, { at: 1e6 });
    t.inject(10, { at: 2e6 });
    const { report } = t.finish();
    const b = report.hosts.b!;
    expect(b.softnet[1]).toMatchObject({ processed: 104, received_rps: 3, dropped: 0 });
    expect(b.softnet[0]).toMatchObject({ processed: 0, received_rps: 0 });
    expect(t.hb.rx.softnet.queueHead[1]).toBe(104);
    closed(report);
  });

  it("RPS choosing the receiving CPU itself still goes through its backlog, with no IPI (prediction 3)", async () => {
    const t = await rxWorld({ cpus: 2, nic: nic(), rps: rps({ cpus: [[0]] }), cost: {} });
    t.inject(100);
    const { report } = t.finish();
    expect(report.hosts.b!.softnet[0]).toMatchObject({ processed: 100, received_rps: 0 });
    expect(t.hb.rx.softnet.queueTail[0]).toBe(100);
    expect(t.hb.rx.softnet.queueHead[0]).toBe(100);
    closed(report);
  });
});

describe("skb_flow_limit (prediction 6)", () => {
  it("one flow: no limit below max_backlog/2 = 500, then 64 more, then every packet of the flow is dropped", async () => {
    const t = await rxWorld({ cpus: 2, nic: nic(), rps: rps({ cpus: [[1]], flowLimitCpus: [0] }), cost: NEVER });
    // precondition: the flow's bucket is not bucket 0 (history starts as zeros)
    const probe = t.core.allocOne(0);
    writePacket(t.core, probe, { ip: { version: 4, src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2) }, l4: { proto: "udp", sport: 32768, dport: 9000 } });
    expect(new FlowHasher(t.core, hashSeed(1, "b")).compute(probe) & 4095).not.toBe(0);
    t.core.freeOne(probe);
    t.inject(700);
    const { report } = t.finish();
    const b = report.hosts.b!;
    // qlen 0..499 pass without looking; qlen 500..563 raise the bucket to 64; the 565th packet makes it 65 > 64
    expect(t.hb.rx.backlogLen(1)).toBe(564);
    expect(b.softnet[0]!.flow_limit_count).toBe(136); // on the enqueuing CPU
    expect(b.softnet[1]!.flow_limit_count).toBe(0);
    expect(b.softnet[1]!.dropped).toBe(136); // on the target CPU
    expect(report.ledger.dropped).toEqual({ CPU_BACKLOG: 136 });
    closed(report);
  });

  it("two interleaved flows each hold 64 of the last 128: never limited, only max_backlog drops", async () => {
    const t = await rxWorld({ cpus: 2, nic: nic(), rps: rps({ cpus: [[1]], flowLimitCpus: [0] }), cost: NEVER });
    t.inject(1100, { flow: (i) => i & 1 });
    const { report } = t.finish();
    expect(report.hosts.b!.softnet[0]!.flow_limit_count).toBe(0);
    expect(report.hosts.b!.softnet[1]!.dropped).toBe(99);
    closed(report);
  });

  it("a CPU outside flow_limit_cpu_bitmap has no table: no flow limit", async () => {
    const t = await rxWorld({ cpus: 2, nic: nic(), rps: rps({ cpus: [[1]], flowLimitCpus: [1] }), cost: NEVER });
    t.inject(700);
    const { report } = t.finish();
    expect(t.hb.rx.backlogLen(1)).toBe(700);
    expect(report.hosts.b!.softnet[1]!.flow_limit_count).toBe(0);
    closed(report);
  });
});

describe("net_rx_action: budget, time_squeeze, __do_softirq restarts, ksoftirqd (prediction 7)", () => {
  it("5 busy NAPIs on one CPU: polls of 64 until budget 300 is spent (5 x 64 = 320) -> time_squeeze +1 per round", async () => {
    const t = await rxWorld({ cpus: 1, nic: nic({ queues: 5 }), cost: {} });
    for (let q = 0; q < 5; q++) t.inject(128, { queue: q });
    const { report } = t.finish();
    // round 1: 5 polls of 64 (squeeze), round 2: 5 polls of 64 (squeeze), round 3: 5 polls of 0, no squeeze
    expect(report.hosts.b!.softnet[0]).toMatchObject({ processed: 640, time_squeeze: 2 });
    closed(report);
  });

  it("one busy NAPI: one poll per net_rx_action (it goes to the repoll list), so no time_squeeze; after 10 restarts ksoftirqd takes over", async () => {
    const t = await rxWorld({ cpus: 1, nic: nic(), cost: {} });
    t.inject(640);
    const { report } = t.finish();
    expect(report.hosts.b!.softnet[0]).toMatchObject({ processed: 640, time_squeeze: 0 });
    // 11 polls: 10 of 64 in the inline __do_softirq (MAX_SOFTIRQ_RESTART), the 11th (0 packets) in ksoftirqd
    const c = t.hb.cost;
    expect(t.hb.rx.sched.ksoftirqdNs[0]).toBe(c.softirq);
    expect(t.hb.rx.sched.softirqNs[0]).toBeCloseTo(11 * c.softirq + 640 * (c.driver + c.gro + c.ip + c.udp), 6);
    closed(report);
  });

  it("netdev_budget=64: one full poll squeezes", async () => {
    const t = await rxWorld({ cpus: 1, nic: nic(), cost: {}, sysctl: { "net.core.netdev_budget": 64 } });
    t.inject(128);
    const { report } = t.finish();
    // polls: 64 (squeeze), 64 (squeeze), 0
    expect(report.hosts.b!.softnet[0]).toMatchObject({ processed: 128, time_squeeze: 2 });
    closed(report);
  });

  it("process_backlog: quota weight_p (64) on a backlog's first poll, then dev_weight; input_queue_head advances by the work done", async () => {
    // net/core/dev.c: the backlog NAPI starts with weight_p's boot value 64 (net_dev_init); __napi_poll passes
    // n->weight read before ->poll, and process_backlog then sets napi->weight = dev_rx_weight (16 here).
    // The IPI arrives 1 ms late, so all 200 packets wait. Polls: 64, then 8 x 16, then 8 < 16 (SCHED cleared).
    // Each full poll is repolled (work == weight) and a lone NAPI is polled once per net_rx_action; the 10
    // polls are kernel/softirq.c handle_softirqs' 10 inline rounds (MAX_SOFTIRQ_RESTART), none left for
    // ksoftirqd. (Quota 16 from the start: 13 polls, 3 of them in ksoftirqd; quota ignored: 4 polls.)
    const t = await rxWorld({ cpus: 2, nic: nic(), rps: rps({ cpus: [[1]] }), cost: { ipiLatency: 1e6 }, sysctl: { "net.core.dev_weight": 16 } }, { durationNs: 5e6 });
    t.inject(200);
    const { report } = t.finish();
    expect(report.hosts.b!.softnet[1]!.processed).toBe(200);
    expect(t.hb.rx.softnet.queueHead[1]).toBe(200);
    expect(t.hb.rx.backlogLen(1)).toBe(0);
    const c = t.hb.cost;
    const perPkt = c.backlogDequeue + c.ip + c.udp;
    expect(t.hb.rx.sched.softirqNs[1]).toBe(10 * c.softirq + 200 * perPkt);
    expect(t.hb.rx.sched.ksoftirqdNs[1]).toBe(0);
    closed(report);
  });

  it("process_backlog: with dev_weight 16 from the second poll on, 300 packets leave 6 polls to ksoftirqd", async () => {
    // polls 64 + 16 x 14 = 288 (rounds 1-10 inline, 64 + 9 x 16 = 208; rounds 11-15 in ksoftirqd: 80),
    // then 12 < 16: 16 polls, 6 of them by ksoftirqd (5 x 16 + 12 = 92 packets)
    const t = await rxWorld({ cpus: 2, nic: nic(), rps: rps({ cpus: [[1]] }), cost: { ipiLatency: 1e6 }, sysctl: { "net.core.dev_weight": 16 } }, { durationNs: 5e6 });
    t.inject(300);
    const { report } = t.finish();
    expect(report.hosts.b!.softnet[1]!.processed).toBe(300);
    const c = t.hb.cost;
    const perPkt = c.backlogDequeue + c.ip + c.udp;
    expect(t.hb.rx.sched.softirqNs[1]).toBe(16 * c.softirq + 300 * perPkt);
    expect(t.hb.rx.sched.ksoftirqdNs[1]).toBe(6 * c.softirq + 92 * perPkt);
    closed(report);
  });
});

describe("softnet_stat accounting and the CPU time split", () => {
  it("processed counts on the protocol CPU; cpu time = irq + softirq by the cost model", async () => {
    const t = await rxWorld({ cpus: 4, nic: nic({ queues: 1 }), rps: rps({ cpus: [[2, 3]] }), cost: {} }, { durationNs: 5e6 });
    t.inject(400, { flow: (i) => i % 16 });
    const { report } = t.finish();
    const b = report.hosts.b!;
    const total = b.softnet.reduce((s, x) => s + x.processed, 0);
    expect(total).toBe(400);
    expect(b.softnet[0]!.processed + b.softnet[1]!.processed).toBe(0);
    expect(b.softnet[2]!.processed).toBeGreaterThan(0);
    expect(b.softnet[3]!.processed).toBeGreaterThan(0);
    // CPU 0 did the driver poll + GRO + enqueue for all 400 packets
    const c = t.hb.cost;
    const cpu0 = t.hb.cpuTime(0);
    const polls = Math.ceil(400 / 64) + (400 % 64 === 0 ? 1 : 0);
    expect(cpu0.irq).toBe(c.irq);
    expect(cpu0.softirq).toBeGreaterThanOrEqual(400 * (c.driver + c.gro + c.backlogEnqueue) + polls * c.softirq);
    for (const x of b.cpu) expect(x.irq + x.softirq + x.app + x.idle).toBeCloseTo(1, 3);
    closed(report);
  });
});
