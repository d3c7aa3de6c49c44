// TCP on the transmit path: TSQ (sk_wmem_alloc, tcp_small_queue_check) and fq pacing (EDT, SO_MAX_PACING_RATE).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { buildReport } from "../../src/report/build.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { TCP_SKB_OVERHEAD } from "../../src/tcp/buffers.js";
import { TcpConn } from "../../src/tcp/conn.js";

async function run(spec: WorldSpec) {
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const result = w.run();
  return { w, report: buildReport(w, result) };
}

const nic = (over: Record<string, unknown> = {}) => ({ queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000, ...over });
const receiver = host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] });

describe("TX path: TSQ and pacing", () => {
  it("TSQ: sk_wmem_alloc stays within tcp_limit_output_bytes (+ one skb) and returns to 0 when all is completed", async () => {
    // 1 Gbit link, 64 KB tcp_limit_output_bytes: the unpaced socket throttles once 65536 B of truesize sit below TCP.
    const limit = 65536;
    const spec = world(
      [host("a", 1, { nic: nic({ rateBps: 1e9 }), sysctl: { "net.ipv4.tcp_limit_output_bytes": limit } }), receiver],
      [link("a", "b", { rateBps: 1e9, delayNs: 50_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: 2_000_000, at: 0 }],
      { durationNs: 100e6 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    let maxWmem = 0;
    const c = () => [...w.flows.values()][0]?.sender ?? null;
    // sample sk_wmem_alloc every 10 us
    const kind = w.loop.register("sample", () => {
      const s = c();
      if (s !== null) maxWmem = Math.max(maxWmem, s.wmemAlloc);
      if (w.loop.now + 10_000 < 100e6) w.loop.after(10_000, kind, 0);
    });
    w.loop.after(10_000, kind, 0);
    const result = w.run();
    const s = c()!;
    // the check runs before each send: an skb goes while sk_wmem_alloc <= limit, so at most limit + one skb's
    // truesize (a GSO skb holds at most floor((65536 - 128) / 1448) = 45 segments: 45 x 1448 + overhead), or
    // whatever is charged when the retransmit queue holds at most one skb (tcp_rtx_queue_empty_or_single_skb):
    // at 1 Gbit a 45-segment skb is 0.52 ms on the wire and its segments are ACKed (100 us RTT) before its TX
    // completion, so one ACKed skb can still be charged when the next full one goes: 2 x (45 x 1448 + overhead)
    const skb = 45 * 1448 + TCP_SKB_OVERHEAD;
    expect(maxWmem).toBeGreaterThan(limit / 2);
    expect(maxWmem).toBeLessThanOrEqual(Math.max(limit, skb) + skb);
    expect(s.tsqThrottles).toBeGreaterThan(0);
    // 2 MB delivered, everything completed: nothing charged any more
    expect(s.sndUna).toBe(2_000_000);
    expect(s.wmemAlloc).toBe(0);
    const report = buildReport(w, result);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });

  it("SO_MAX_PACING_RATE with fq: EDT departures hold the flow's payload rate to the cap", async () => {
    // maxPacingRate 100 Mbit/s = 12.5e6 B/s: once data_segs_out reaches 10, each skb's tcp_wstamp_ns
    // advances by payload/12.5e6 s (tcp_update_skb_after_send), and fq holds it until then. By 200 ms
    // the sender has at most 12.5e6 x 0.2 B acknowledged, plus the < 10 unpaced segments (14480 B), plus
    // the last skb, stamped before T but covering time after it (a GSO skb: at most 45 x 1448 B).
    const T = 200e6;
    const spec = world(
      [host("a", 1, { nic: nic({ rateBps: 10e9 }), sysctl: { "net.core.default_qdisc": "fq" } }), receiver],
      [link("a", "b", { rateBps: 10e9, delayNs: 50_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: Infinity, at: 0, maxPacingRate: 12.5e6 }],
      { durationNs: T },
    );
    const { w, report } = await run(spec);
    const s = [...w.flows.values()][0]!.sender!;
    expect(s.pacingFq).toBe(true);
    expect(s.sndUna).toBeLessThanOrEqual(12.5e6 * (T / 1e9) + 14480 + 45 * 1448);
    expect(s.sndUna).toBeGreaterThan(0.9 * 12.5e6 * (T / 1e9));
    expect(report.hosts.a!.qdisc.eth0!.fq!.throttled as number).toBeGreaterThan(0);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });

  it("fq end to end: 4 bulk flows through one fq share a 1 Gbit link evenly", async () => {
    const spec = world(
      [host("a", 1, { nic: nic({ rateBps: 1e9 }), sysctl: { "net.core.default_qdisc": "fq" } }), receiver],
      [link("a", "b", { rateBps: 1e9, delayNs: 25_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 4, bytes: Infinity, at: 0 }],
      { durationNs: 50e6 },
    );
    const { report } = await run(spec);
    const g = report.flows.map((f) => f.goodputBps);
    expect(g).toHaveLength(4);
    // per-socket DRR with equal quanta: each flow within 5% of the mean
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    for (const x of g) expect(Math.abs(x - mean) / mean).toBeLessThan(0.05);
    expect(report.hosts.a!.qdisc.eth0!.fq!.flows as number).toBeGreaterThanOrEqual(4);
    expect(report.ledger.unaccounted).toBe(0);
  });
});

describe("TX path: XPS", () => {
  it("xps_rxqs maps each socket's RX queue to the same TX queue; the cached sk_tx_queue_mapping serves the rest", async () => {
    // 4 RX/TX queue pairs, xps_rxqs tx-i = {rx-i}: once a flow's ACKs arrive on rx-i (RSS), get_xps_queue
    // returns tx-i whenever the socket may move (ooo_okay: nothing of it below TCP); otherwise netdev_pick_tx
    // keeps the cached queue, so every data skb of a flow after its first ACK leaves on tx-(its RX queue).
    const spec = world(
      [
        host("a", 1, { cpus: 4, nic: { queues: 4, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000, xpsRxqs: [[0], [1], [2], [3]] } }),
        host("b", 2, { cpus: 4, nic: { queues: 4, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000 }, listeners: [{ port: 5001, backlog: 128, accept: true }] }),
      ],
      [link("a", "b", { rateBps: 10e9, delayNs: 20_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 8, bytes: Infinity, at: 0 }],
      { durationNs: 5e6 },
    );
    const { w, report } = await run(spec);
    const a = w.host("a");
    const nic = a.nics[0]!;
    for (const f of w.flows.values()) {
      const sk = a.stack.tcp.sockAt(f.sender!.slot)!;
      expect(sk.rxQueue).toBeGreaterThanOrEqual(0);
      expect(sk.txQueue).toBe(sk.rxQueue);
    }
    expect(nic.tx.pick.xps).toBeGreaterThan(0);
    expect(nic.tx.pick.cached).toBeGreaterThan(nic.tx.pick.xps);
    const used = report.hosts.a!.txQueues.filter((q) => q.packets > 0).length;
    expect(used).toBeGreaterThan(1);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });

  it("without XPS the queue is skb_tx_hash of the socket's sk_txhash, cached per socket", async () => {
    const spec = world(
      [host("a", 1, { cpus: 2, nic: { queues: 4, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000 } }), receiver],
      [link("a", "b", { rateBps: 10e9, delayNs: 20_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 8, bytes: Infinity, at: 0 }],
      { durationNs: 2e6 },
    );
    const { w } = await run(spec);
    const a = w.host("a");
    for (const f of w.flows.values()) {
      const sk = a.stack.tcp.sockAt(f.sender!.slot)!;
      // reciprocal_scale(sk_txhash, 4)
      expect(sk.txQueue).toBe(Math.floor((sk.txhash * 4) / 4294967296));
    }
    expect(a.nics[0]!.tx.pick.xps).toBe(0);
  });
});

describe("TX path: completions of a closed socket", () => {
  it("a TX completion after close credits the closed socket (sk_free waits for sk_wmem_alloc), never the slot's next owner", async () => {
    // tx-usecs 3 ms: at 1 ms the sender's skbs sit in the ring awaiting completion (sk_wmem_alloc > 0).
    // The socket is destroyed then; a socket opened right after must not take its slot, or the late
    // completions (tcp_wfree on skb->sk) would credit the new socket's sk_wmem_alloc.
    const spec = world(
      [host("a", 1, { nic: nic({ rateBps: 1e9, txUsecs: 3e6 }) }), receiver],
      [link("a", "b", { rateBps: 1e9, delayNs: 20_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: Infinity, at: 0 }],
      { durationNs: 10e6 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const tcp = w.host("a").stack.tcp;
    let oldSlot = -1;
    let wmemAtClose = 0;
    let fresh: ReturnType<typeof tcp.newSock> | null = null;
    let afterSlot = -1;
    const kClose = w.loop.register("close", () => {
      const c = [...w.flows.values()][0]!.sender!;
      oldSlot = c.slot;
      wmemAtClose = c.wmemAlloc;
      tcp.destroy(tcp.sockAt(oldSlot)!);
      fresh = tcp.newSock();
      const nc = new TcpConn(c.cc);
      nc.wmemAlloc = 5000;
      fresh.conn = nc;
    });
    const kAfter = w.loop.register("after", () => {
      afterSlot = tcp.newSock().slot;
    });
    w.loop.at(1e6, kClose, 0);
    // the first data, two 5-segment skbs (tcp_cwnd_test: half the cwnd of 10), waits in the qdisc behind BQL's
    // first stop (limit 0) and leaves one skb per tx-usecs completion: freed at 6.0 and 9.06 ms
    w.loop.at(9.5e6, kAfter, 0);
    const result = w.run();
    expect(wmemAtClose).toBeGreaterThan(0);
    expect(fresh!.slot).not.toBe(oldSlot);
    // the completions went to the dead socket; the new one keeps what it charged
    expect(fresh!.conn!.wmemAlloc).toBe(5000);
    // once the last skb of the closed socket was freed, its slot was released for reuse
    expect(afterSlot).toBe(oldSlot);
    const report = buildReport(w, result);
    expect(report.ledger.unaccounted).toBe(0);
  });
});

describe("TX path: TCP internal pacing (SK_PACING_NEEDED, no fq)", () => {
  const paced = (maxPacingRate?: number, T = 200e6) =>
    world(
      [host("a", 1, { nic: nic({ rateBps: 10e9 }) }), receiver],
      [link("a", "b", { rateBps: 10e9, delayNs: 50_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: Infinity, at: 0, ...(maxPacingRate !== undefined ? { maxPacingRate } : {}) }],
      { durationNs: T },
    );

  it("SO_MAX_PACING_RATE through pfifo_fast: the pacing hrtimer spaces skbs by len / rate (tcp_pacing_check)", async () => {
    // 12.5e6 B/s. Once data_segs_out >= 10, each data skb moves tcp_wstamp_ns on by floor(len x 1e9 / rate)
    // (tcp_update_skb_after_send); tcp_pacing_check holds the next one until then and the timer fires
    // exactly at wstamp, so the lateness credit is 0 and consecutive data skbs leave exactly len_ns apart.
    const rate = 12.5e6;
    const T = 200e6;
    const core = await createCore(coreConfigFor(paced(rate, T)));
    const w = new World(core, paced(rate, T));
    const tcp = w.host("a").stack.tcp;
    const out = tcp.output;
    const sent: { at: number; payload: number; segsOut: number }[] = [];
    let conn: TcpConn | null = null;
    (tcp as unknown as { output: (h: number) => boolean }).output = (h) => {
      conn ??= [...w.flows.values()][0]?.sender ?? null;
      // IPv4 total length - 20 - TCP data offset
      const net = h * 128 + core.skb.network[h]!;
      const b = core.headers;
      const payload = ((b[net + 2]! << 8) | b[net + 3]!) - 20 - (b[net + 20 + 12]! >> 4) * 4;
      if (payload > 0) sent.push({ at: w.loop.now, payload, segsOut: conn?.dataSegsOut ?? 0 });
      return out(h);
    };
    const result = w.run();
    const c = [...w.flows.values()][0]!.sender!;
    expect(c.pacingNeeded).toBe(true);
    expect(c.pacingFq).toBe(false);
    expect(c.paceTimerFires).toBeGreaterThan(10);
    let checked = 0;
    for (let i = 1; i < sent.length; i++) {
      // both skbs after the first 10 segments (segsOut is counted before the skb goes out)
      if (sent[i - 1]!.segsOut - Math.ceil(sent[i - 1]!.payload / c.mss) < 10) continue;
      // (the event times are doubles: the difference of two fractional-ns stamps is exact only to ~1e-9 of them)
      expect(Math.abs(sent[i]!.at - sent[i - 1]!.at - Math.floor((sent[i - 1]!.payload * 1e9) / rate))).toBeLessThan(1e-3);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
    // the payload rate: at most rate x T, plus the < 10 unpaced segments and the last skb
    expect(c.sndUna).toBeLessThanOrEqual(rate * (T / 1e9) + 14480 + 45 * 1448);
    expect(c.sndUna).toBeGreaterThan(0.9 * rate * (T / 1e9));
    const report = buildReport(w, result);
    expect(report.hosts.a!.qdisc.eth0!.kind).toBe("pfifo_fast");
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });

  it("without SO_MAX_PACING_RATE (SK_PACING_NONE) nothing holds the flow: no pacing timer, far above that rate", async () => {
    const { w } = await run(paced(undefined, 20e6));
    const c = [...w.flows.values()][0]!.sender!;
    expect(c.pacingNeeded).toBe(false);
    expect(c.paceTimerFires).toBe(0);
    expect(c.sndUna).toBeGreaterThan(10 * 12.5e6 * 0.02);
  });
});

describe("TX path: TSO autosizing sysctls", () => {
  // tcp_tso_autosize with SO_MAX_PACING_RATE 1e6 B/s: bytes = 1e6 >> 10 = 976; with tcp_tso_rtt_log 0 the
  // bonus 65536 >> (min_rtt_us >> 0) vanishes (min_rtt >= 100 us >= 32); segs = max(976 / 1448 = 0,
  // tcp_min_tso_segs): the largest GSO skb has exactly tcp_min_tso_segs segments.
  const maxSegsWith = async (sysctl: Record<string, number>) => {
    const spec = world(
      [host("a", 1, { nic: nic({ rateBps: 10e9 }), sysctl: { "net.ipv4.tcp_tso_rtt_log": 0, ...sysctl } }), receiver],
      [link("a", "b", { rateBps: 10e9, delayNs: 50_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: Infinity, at: 0, maxPacingRate: 1e6 }],
      { durationNs: 100e6 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const tcp = w.host("a").stack.tcp;
    const out = tcp.output;
    let max = 0;
    (tcp as unknown as { output: (h: number) => boolean }).output = (h) => {
      max = Math.max(max, core.skb.gsoSegs[h]!);
      return out(h);
    };
    w.run();
    return max;
  };

  it("net.ipv4.tcp_min_tso_segs sets the floor of tcp_tso_autosize", async () => {
    expect(await maxSegsWith({})).toBe(2);
    expect(await maxSegsWith({ "net.ipv4.tcp_min_tso_segs": 4 })).toBe(4);
    // the first 10 segments leave unpaced (tcp_update_skb_after_send paces from data_segs_out 10) in skbs of the
    // cwnd quota, 5 + 5: the flight fills cwnd 10, so tcp_cwnd_validate latches cwnd-limited and that window's
    // ACKs grow cwnd to 20 (slow start). Paced skbs of 8 then leave with 8 out of 20 (not cwnd-limited, and
    // 20 >= 2 x max_packets_out 8: no growth); the half-cwnd cap, 10, does not bind 8
    expect(await maxSegsWith({ "net.ipv4.tcp_min_tso_segs": 8 })).toBe(8);
  });

  it("net.ipv4.tcp_tso_rtt_log 9 (default) adds 65536 >> (min_rtt >> 9): at min_rtt < 512 us 45 segments, so only cwnd bounds the skbs", async () => {
    // the cwnd quota (tcp_cwnd_test: min(cwnd >> 1, cwnd - in flight); cwnd 20 here, as in the test above: the
    // unpaced first window fills cwnd 10 and its ACKs double it) keeps them at 10, above 2
    expect(await maxSegsWith({ "net.ipv4.tcp_tso_rtt_log": 9 })).toBe(10);
  });

  it("TSQ wake-ups run at the end of the TX completion pass: no tasklet event, nothing left queued, the sender keeps the wire busy", async () => {
    // 10 Gbit, no TSO, 256-descriptor ring: the unpaced bulk socket sits at tcp_limit_output_bytes and is
    // throttled again after nearly every completion; each completion pass's end runs tcp_tasklet_func
    const spec = world(
      [host("a", 1, { nic: nic({ tso: false, txRing: 256 }) }), receiver],
      [link("a", "b", { rateBps: 10e9, delayNs: 50_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: Infinity, at: 0 }],
      { durationNs: 40e6 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const tcp = w.hosts.get("a")!.stack.tcp;
    // count the tasklet event's dispatches (the fallback for frees outside a completion pass)
    const handlers = (w.loop as unknown as { handlers: ((arg: number, time: number) => void)[] }).handlers;
    const tsq = handlers[tcp.kTsq]!;
    let tsqEvents = 0;
    handlers[tcp.kTsq] = (a, t) => {
      tsqEvents++;
      tsq(a, t);
    };
    for (const g of w.traffic) g.start();
    w.loop.run(30e6);
    const s = [...w.flows.values()][0]!.sender!;
    const throttles0 = s.tsqThrottles;
    const una0 = s.sndUna;
    w.loop.run(40e6);
    expect(s.tsqThrottles - throttles0).toBeGreaterThan(1000);
    expect(tsqEvents).toBe(0);
    // between events the list is empty: every socket queued by a pass was handled at its end
    expect(s.tsqQueued).toBe(false);
    // 10 ms at the 10 Gbit payload rate (1448 of 1538 wire bytes per frame) is 11.77 MB; at least 95 % of it
    expect(s.sndUna - una0).toBeGreaterThan(0.95 * (10e9 / 8) * 0.01 * (1448 / 1538));
  });
});
