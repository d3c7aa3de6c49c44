// __qdisc_run's quota and the qdisc's rescheduling (net/sched/sch_generic.c, include/net/sch_generic.h,
// net/core/dev.c of Linux 6.12), checked on a NicTx without a wire against sequences derived by hand.
import { describe, expect, it, vi } from "vitest";
import { freshCore } from "../helpers.js";
import { EventLoop } from "../../src/sim/loop.js";
import { NicTx, type NicTxConfig } from "../../src/net/nic-tx.js";
import type { Core } from "../../src/core/core.js";
import { PfifoFast } from "../../src/qdisc/pfifo-fast.js";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { superPacket } from "../gso/build.js";

const MSS = 1448;

function nicTx(core: Core, over: Partial<NicTxConfig>) {
  const loop = new EventLoop(core.wheel);
  const cfg: NicTxConfig = { txQueues: 1, txRing: 256, txqueuelen: 1000, mtu: 1500, defaultQdisc: "pfifo_fast", txUsecs: 0, txFrames: 0, bql: false, tso: true, gsoSlot: 0, ...over };
  const tx = new NicTx(core, "eth0", cfg, { drop: () => {} }, loop);
  return { tx, loop };
}

const frame = (core: Core) => superPacket(core, { payload: 100, mss: MSS });

describe("__qdisc_run: the quota (dev_tx_weight)", () => {
  it("fq: a run that spends the quota reschedules (__netif_schedule) even when it has just emptied the qdisc", async () => {
    const core = await freshCore();
    const { tx, loop } = nicTx(core, { defaultQdisc: "fq", devTxWeight: 4 });
    // bql off (limit_min max) takes effect at the first completion: one frame out and completed first
    const first = frame(core);
    core.skbTime.tstamp[first] = 0;
    expect(tx.xmit(first)).toBe(true);
    expect(tx.txPop()).toBe(first);
    tx.frameDone();
    expect(tx.stopped(0)).toBe(false);
    // that completion cleared STACK_XOFF: netif_schedule_queue, one NET_TX run
    expect(tx.stats[0]!.netTx).toBe(1);
    const runs = vi.spyOn(tx, "qdiscRun");
    // 4 skbs with a departure time of 1 ms: fq holds them, its watchdog runs the qdisc at 1 ms. Each
    // qdisc_restart sends one (quota 4 -> 0), so __qdisc_run reschedules although fq is now empty:
    // NET_TX runs once more and finds nothing.
    for (let i = 0; i < 4; i++) {
      const h = frame(core);
      core.skbTime.tstamp[h] = 1e6;
      expect(tx.xmit(h)).toBe(true);
    }
    expect(runs).toHaveBeenCalledTimes(4);
    loop.run(2e6);
    expect(tx.ringUsed(0)).toBe(4);
    // the 4 enqueues' runs, the watchdog's NET_TX, the rescheduled NET_TX
    expect(runs).toHaveBeenCalledTimes(6);
    expect(tx.stats[0]!.netTx).toBe(3);
  });

  it("fq pacing: each watchdog expiry raises NET_TX (qdisc_watchdog -> __netif_schedule), counted in netTx", async () => {
    const core = await freshCore();
    const { tx, loop } = nicTx(core, { defaultQdisc: "fq" });
    const first = frame(core);
    core.skbTime.tstamp[first] = 0;
    expect(tx.xmit(first)).toBe(true);
    expect(tx.txPop()).toBe(first);
    tx.frameDone();
    expect(tx.stats[0]!.netTx).toBe(1);
    // three skbs departing at 1, 2 and 3 ms (EDT): fq throttles each in turn, its watchdog fires at
    // each departure time + timer_slack (10 us: the hrtimer's hard expiry) and the NET_TX it raises sends
    // the one skb that is due
    for (let i = 1; i <= 3; i++) {
      const h = frame(core);
      core.skbTime.tstamp[h] = i * 1e6;
      expect(tx.xmit(h)).toBe(true);
    }
    expect(tx.ringUsed(0)).toBe(0);
    const sent: number[] = [];
    for (let i = 1; i <= 3; i++) {
      loop.run(i * 1e6 + 10_000 + 1);
      sent.push(tx.ringUsed(0), tx.stats[0]!.netTx);
    }
    expect(sent).toEqual([1, 2, 2, 3, 3, 4]);
  });

  it("pfifo_fast (TCQ_F_NOLOCK): a spent quota sets MISSED, which keeps the next skb off the bypass until NET_TX's dequeue finds the bands empty", async () => {
    const core = await freshCore();
    const { tx, loop } = nicTx(core, { devTxWeight: 3 });
    const enq = vi.spyOn(PfifoFast.prototype, "enqueue");
    try {
      const h = Array.from({ length: 6 }, () => frame(core));
      // h0: bypass, posted; its post stops the queue (BQL limit 0 until the first completion).
      // sch_direct_xmit returned true: no bit set.
      tx.xmit(h[0]!);
      expect(tx.stopped(0)).toBe(true);
      // h1: bypass, sch_direct_xmit finds the queue stopped (DRAINING), dev_requeue_skb (MISSED):
      // qdisc_run_end raises NET_TX. h2, h3 meet DRAINING: enqueued.
      tx.xmit(h[1]!);
      tx.xmit(h[2]!);
      tx.xmit(h[3]!);
      expect(enq).toHaveBeenCalledTimes(2);
      expect(tx.qdisc(0).stats(0).requeues).toBe(1);
      // h0 completes: BQL wakes the queue and the qdisc runs: h1 (gso_skb), h2, h3 — quota 3 spent as
      // the qdisc runs empty: MISSED
      expect(tx.txPop()).toBe(h[0]);
      tx.frameDone();
      expect(tx.ringUsed(0)).toBe(3);
      expect(tx.qdisc(0).qlen).toBe(0);
      // h4 meets MISSED: enqueued (and sent by its own run, whose dequeue then finds the bands empty
      // and clears MISSED and DRAINING)
      tx.xmit(h[4]!);
      expect(enq).toHaveBeenCalledTimes(3);
      // NET_TX (raised at the requeue; the quota's __netif_schedule found SCHED still set) finds nothing
      loop.run(1);
      expect(tx.stats[0]!.netTx).toBe(2);
      // h5: bits clear again, bypass
      tx.xmit(h[5]!);
      expect(enq).toHaveBeenCalledTimes(3);
      expect(tx.ringUsed(0)).toBe(5);
    } finally {
      enq.mockRestore();
    }
  });

  it("dev_tx_weight is net.core.dev_weight × dev_weight_tx_bias, an int product", async () => {
    for (const [w, bias, quota] of [
      [64, 1, 64],
      [16, 3, 48],
      // 2^30 × 4 wraps to 0 (proc_do_dev_weight multiplies two ints)
      [2 ** 30, 4, 0],
    ] as const) {
      const spec = world([host("a", 1, { sysctl: { "net.core.dev_weight": w, "net.core.dev_weight_tx_bias": bias } }), host("b", 2)], [link("a", "b")], [], { durationNs: 1000 });
      const core = await createCore(coreConfigFor(spec));
      const wd = new World(core, spec);
      expect(wd.hosts.get("a")!.nics[0]!.tx.devTxWeight).toBe(quota);
    }
  });
});

/** fq over a 2-slot TX ring, sent one 3-segment GSO skb: the ring takes 2
 *  (DRV_XOFF), the third segment is requeued. */
async function fqThreeSegmentsIntoTwoSlots() {
  const core = await freshCore();
  const { tx, loop } = nicTx(core, { defaultQdisc: "fq", txRing: 2, tso: false });
  const h = superPacket(core, { payload: 3 * MSS, mss: MSS });
  core.skbTime.tstamp[h] = 0;
  tx.xmit(h);
  return { tx, loop };
}

describe("dev_requeue_skb reschedules the qdisc", () => {
  it("fq (qdisc lock): __netif_schedule at once; NET_TX finds the queue still stopped", async () => {
    const { tx, loop } = await fqThreeSegmentsIntoTwoSlots();
    // 3 segments, the ring takes 2 (DRV_XOFF), the third is requeued
    expect(tx.ringUsed(0)).toBe(2);
    expect(tx.qdisc(0).stats(0).requeues).toBe(1);
    expect(tx.stats[0]!.netTx).toBe(0);
    loop.run(1);
    expect(tx.stats[0]!.netTx).toBe(1);
    expect(tx.qdisc(0).stats(0).qlen).toBe(1);
  });
});

describe("a wake while NET_TX is pending (__QDISC_STATE_SCHED set)", () => {
  it("raises nothing more: the wake's run is the pending NET_TX run, counted once", async () => {
    const { tx, loop } = await fqThreeSegmentsIntoTwoSlots();
    // the third segment is requeued: dev_requeue_skb -> __netif_schedule sets SCHED, NET_TX pending
    expect(tx.ringUsed(0)).toBe(2);
    expect(tx.qdisc(0).stats(0).qlen).toBe(1);
    const runs = vi.spyOn(tx, "qdiscRun");
    // before NET_TX runs, a completion frees a descriptor: DRV_XOFF cleared, netif_tx_wake_queue ->
    // __netif_schedule finds SCHED set. One NET_TX run sends the requeued segment.
    expect(tx.txPop()).toBeGreaterThanOrEqual(0);
    tx.frameDone();
    expect(tx.ringUsed(0)).toBe(2);
    expect(tx.qdisc(0).stats(0).qlen).toBe(0);
    loop.run(1);
    expect(runs).toHaveBeenCalledTimes(1);
    expect(tx.stats[0]!.netTx).toBe(1);
  });
});

describe("__dev_xmit_skb: a failed enqueue still runs the qdisc", () => {
  it("fq: flow B's 101st skb is dropped at 1.005 ms (FQ_FLOW_LIMIT); that run sends flow A's skb due at 1 ms", async () => {
    // net/core/dev.c: __dev_xmit_skb — `rc = dev_qdisc_enqueue(...); if (qdisc_run_begin(q)) __qdisc_run(q)`
    // (and qdisc_run(q) on the TCQ_F_NOLOCK path) whatever rc is. fq's watchdog would send A only at
    // time_next_delayed_flow + timer_slack = 1.010 ms (review12a finding 5's probe).
    const core = await freshCore();
    const loop = new EventLoop(core.wheel);
    const cfg: NicTxConfig = { txQueues: 1, txRing: 256, txqueuelen: 1000, mtu: 1500, defaultQdisc: "fq", txUsecs: 0, txFrames: 0, bql: false, tso: true, gsoSlot: 0 };
    const drops: string[] = [];
    const tx = new NicTx(core, "eth0", cfg, { drop: (h, r) => (drops.push(r), core.freeOne(h)) }, loop);
    const pkt = (sk: number, ts: number) => {
      const h = superPacket(core, { payload: 100, mss: MSS });
      core.skb.sk[h] = sk;
      core.skbTime.tstamp[h] = ts;
      return h;
    };
    // BQL off (limit_min max) takes effect at the first completion
    const first = pkt(1, 0);
    tx.xmit(first);
    expect(tx.txPop()).toBe(first);
    tx.frameDone();
    tx.xmit(pkt(1, 1e6)); // flow A: due at 1 ms
    for (let i = 0; i < 100; i++) tx.xmit(pkt(2, 5e6)); // flow B: 100 skbs due at 5 ms (flow_plimit 100)
    expect(tx.ringUsed(0)).toBe(0);
    loop.run(1.005e6); // before the watchdog's 1.010 ms
    expect(tx.xmit(pkt(2, 5e6))).toBe(false);
    expect(drops).toEqual(["FQ_FLOW_LIMIT"]);
    expect(tx.ringUsed(0)).toBe(1);
  });
});

describe("driver ring: a full ring stops the queue, TX_WAKE_THRESHOLD free descriptors wake it", () => {
  it("128-descriptor ring, BQL off: stopped after 128 posts, still stopped with 41 free, woken at 42", async () => {
    // drivers/net/ethernet/intel/ixgbe/ixgbe_main.c: ixgbe_clean_tx_irq wakes the queue
    // (__netif_txq_completed_wake) once TX_WAKE_THRESHOLD = DESC_NEEDED * 2 = 42 descriptors are unused;
    // on a 128-entry ring 42 < 128 / 2, so the threshold itself rules (the model stops at a full ring)
    const core = await freshCore();
    const { tx } = nicTx(core, { txRing: 128 });
    const pkt = () => superPacket(core, { payload: 100, mss: MSS });
    // BQL off (limit_min max) takes effect at the first completion
    tx.xmit(pkt());
    tx.txPop();
    tx.frameDone();
    for (let i = 0; i < 130; i++) tx.xmit(pkt());
    expect(tx.ringUsed(0)).toBe(128);
    expect(tx.stopped(0)).toBe(true);
    const wakes0 = tx.stats[0]!.wakes;
    for (let i = 0; i < 41; i++) {
      tx.txPop();
      tx.frameDone();
    }
    expect(tx.ringUsed(0)).toBe(128 - 41);
    expect(tx.stopped(0)).toBe(true);
    tx.txPop();
    tx.frameDone();
    // woken with 42 free; the wake's qdisc run posts the 2 skbs left in the qdisc
    expect(tx.stopped(0)).toBe(false);
    expect(tx.stats[0]!.wakes).toBe(wakes0 + 1);
    expect(tx.ringUsed(0)).toBe(128 - 42 + 2);
  });
});
