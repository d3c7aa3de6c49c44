// Requeues on the TX path (q->gso_skb): sch_direct_xmit / dev_requeue_skb / dequeue_skb / __qdisc_run
// of Linux 6.12, checked against numbers derived by hand on a NicTx without a wire (nothing completes).
import { describe, expect, it, vi } from "vitest";
import { freshCore } from "../helpers.js";
import { EventLoop } from "../../src/sim/loop.js";
import { NicTx, type NicTxConfig } from "../../src/net/nic-tx.js";
import type { Core } from "../../src/core/core.js";
import { superPacket } from "../gso/build.js";

// Ethernet 14 + IPv4 20 + TCP 20 + timestamps 12 = 66 header bytes; MSS 1448 -> 1514 B frames.
const HDR = 66;
const MSS = 1448;

function nicTx(core: Core, over: Partial<NicTxConfig>) {
  const loop = new EventLoop(core.wheel);
  const dropped: string[] = [];
  const cfg: NicTxConfig = { txQueues: 1, txRing: 10, txqueuelen: 1000, mtu: 1500, defaultQdisc: "pfifo_fast", txUsecs: 0, txFrames: 0, bql: false, tso: false, gsoSlot: 0, ...over };
  const tx = new NicTx(core, "eth0", cfg, { drop: (_h, r) => dropped.push(r) }, loop);
  return { tx, loop, dropped };
}

describe("requeue (q->gso_skb)", () => {
  it("a 45-segment GSO skb meeting a ring with room for 10: 10 posted, 35 requeued and still in qlen/backlog", async () => {
    const core = await freshCore();
    const { tx, dropped } = nicTx(core, { txRing: 10 });
    // skb len 66 + 45 x 1448 = 65226; qdisc_pkt_len adds 44 more headers: 68130. Each segment keeps
    // the GSO skb's qdisc cb (skb_segment copies cb), so each requeued one adds 68130 to the backlog.
    const pktLen = HDR + 45 * MSS + 44 * HDR;
    expect(tx.xmit(superPacket(core, { payload: 45 * MSS, mss: MSS }))).toBe(true);
    const st = tx.qdisc(0).stats(0);
    // bypass: bstats counts the skb's 45 segments once; dev_hard_start_xmit fills the ring (DRV_XOFF
    // after the 10th; BQL's STACK_XOFF after the 1st, limit 0 until a completion, does not end the
    // list) and dev_requeue_skb puts back the other 35, one requeue each
    expect([st.packets, st.bytes]).toEqual([45, pktLen]);
    expect([st.requeues, st.qlen, st.backlog]).toEqual([35, 35, 35 * pktLen]);
    expect(tx.ringUsed(0)).toBe(10);
    expect(tx.held()).toBe(45);
    expect(tx.stopped(0)).toBe(true);
    // the next skb finds something requeued: no bypass, it is queued in its band
    expect(tx.xmit(superPacket(core, { payload: 2 * MSS, mss: MSS }))).toBe(true);
    const st2 = tx.qdisc(0).stats(0);
    expect([st2.packets, st2.requeues, st2.qlen, st2.backlog]).toEqual([45, 35, 36, 35 * pktLen + 2 * (HDR + MSS)]);
    expect(tx.held()).toBe(46);
    expect(dropped).toEqual([]);
  });

  it("a stopped queue meeting a bypassing skb: bstats, then every segment requeued (TSO off) or the skb itself (TSO on)", async () => {
    for (const tso of [false, true]) {
      const core = await freshCore();
      const { tx } = nicTx(core, { txRing: 1, tso });
      // a one-frame skb fills the one-descriptor ring: DRV_XOFF
      expect(tx.xmit(superPacket(core, { payload: 100, mss: MSS }))).toBe(true);
      expect(tx.stopped(0)).toBe(true);
      // the qdisc is empty and nothing is requeued: __dev_xmit_skb still bypasses; sch_direct_xmit
      // finds the queue stopped (after validate_xmit_skb_list segmented it when TSO is off)
      const pktLen = HDR + 3 * MSS + 2 * HDR;
      expect(tx.xmit(superPacket(core, { payload: 3 * MSS, mss: MSS }))).toBe(true);
      const st = tx.qdisc(0).stats(0);
      const rq = tso ? 1 : 3;
      expect([st.packets, st.bytes]).toEqual([1 + 3, HDR + 100 + pktLen]);
      expect([st.requeues, st.qlen, st.backlog]).toEqual([rq, rq, rq * pktLen]);
      expect(tx.ringUsed(0)).toBe(1);
      expect(tx.held()).toBe(1 + rq);
      expect(tx.heldSegments()).toBe(1 + 3);
    }
  });

  it("__qdisc_run's quota of 64 counts a freshly segmented GSO skb once, not per segment", async () => {
    const core = await freshCore();
    const { tx, loop } = nicTx(core, { txRing: 256, defaultQdisc: "fq" });
    // bql off (limit_min max) takes effect at the first completion: one frame out and completed first
    const first = superPacket(core, { payload: 100, mss: MSS });
    core.skbTime.tstamp[first] = 0;
    expect(tx.xmit(first)).toBe(true);
    expect(tx.txPop()).toBeGreaterThanOrEqual(0);
    tx.frameDone();
    expect([tx.stopped(0), tx.ringUsed(0)]).toEqual([false, 0]);
    // 70 two-segment skbs of one flow with a departure time of 1 ms: fq holds them all, its watchdog
    // runs the qdisc at 1 ms with all 70 eligible. dequeue_skb counts 1 per dequeued skb: the first,
    // and try_bulk_dequeue_skb's up to budget (the quota, 64) more while BQL allows (off: it does),
    // so one qdisc_restart posts 65 skbs = 130 segments; the quota goes below 0, the run reschedules
    // (__netif_schedule), and NET_TX posts the last 5.
    const usedAfterRun: number[] = [];
    const real = tx.qdiscRun.bind(tx);
    const spy = vi.spyOn(tx, "qdiscRun").mockImplementation((q: number) => {
      real(q);
      usedAfterRun.push(tx.ringUsed(q));
    });
    for (let i = 0; i < 70; i++) {
      const h = superPacket(core, { payload: 2 * MSS, mss: MSS, seq: 1 + i * 2 * MSS });
      core.skbTime.tstamp[h] = 1e6;
      expect(tx.xmit(h)).toBe(true);
    }
    expect(usedAfterRun).toEqual(Array.from({ length: 70 }, () => 0));
    loop.run(2e6);
    expect(usedAfterRun.slice(70)).toEqual([130, 140]);
    expect(tx.qdisc(0).stats(loop.now).requeues).toBe(0);
    spy.mockRestore();
  });
});
