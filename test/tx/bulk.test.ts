// Bulk dequeue (net/sched/sch_generic.c: dequeue_skb -> try_bulk_dequeue_skb, Linux 6.12) and the
// driver's xmit_more / doorbell (ixgbe_tx_map), on a NicTx without a wire, by hand from the source.
import { describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import { EventLoop } from "../../src/sim/loop.js";
import { NicTx, type NicTxConfig } from "../../src/net/nic-tx.js";
import type { Core } from "../../src/core/core.js";
import { superPacket } from "../gso/build.js";

const MSS = 1448;

function nicTx(core: Core, over: Partial<NicTxConfig>) {
  const loop = new EventLoop(core.wheel);
  const cfg: NicTxConfig = { txQueues: 1, txRing: 256, txqueuelen: 1000, mtu: 1500, defaultQdisc: "pfifo_fast", txUsecs: 0, txFrames: 0, bql: true, tso: true, gsoSlot: 0, ...over };
  const tx = new NicTx(core, "eth0", cfg, { drop: () => {} }, loop);
  return { tx, loop };
}

// a 166 B frame (66 header bytes + 100), and a 45-segment TSO skb: len 65226, qdisc_pkt_len 68130
const frame = (core: Core) => superPacket(core, { payload: 100, mss: MSS });
const tso45 = (core: Core) => superPacket(core, { payload: 45 * MSS, mss: MSS });

/** h0 is posted and stops the queue (BQL limit 0 before any completion); h1 bypasses into the stopped
 *  queue and is requeued (MISSED, DRAINING); the rest are queued behind it. */
function stoppedWith(tx: NicTx, h0: number, h1: number, rest: number[]): void {
  tx.xmit(h0);
  expect(tx.stopped(0)).toBe(true);
  tx.xmit(h1);
  for (const h of rest) tx.xmit(h);
  expect(tx.qdisc(0).stats(0).requeues).toBe(1);
  expect(tx.qdisc(0).qlen).toBe(rest.length);
}

describe("bulk dequeue (try_bulk_dequeue_skb)", () => {
  it("takes skbs while BQL's avail exceeds their skb->len (not the driver's bytecount); BQL's stop does not end the list", async () => {
    const core = await freshCore();
    const { tx } = nicTx(core, {});
    const M = 133166;
    tx.dql[0]!.write("limit_min", M);
    tx.dql[0]!.write("limit_max", M);
    const h0 = frame(core);
    const h1 = frame(core);
    const big = [tso45(core), tso45(core), tso45(core)];
    stoppedWith(tx, h0, h1, big);
    // h0 completes: dql_completed clamps the limit to [M, M], adj_limit = M + 166, queued 166: avail
    // M; STACK_XOFF cleared, the qdisc runs. Restart 1: h1 off gso_skb (alone), avail 133000.
    // Restart 2: big[0]; bytelimit 133000 - 65226 = 67774 > 0: big[1]; 2548 > 0: big[2]; -62678:
    // stop. The driver counts 68130 each: after big[1] avail is -3260 (STACK_XOFF), yet
    // dev_hard_start_xmit sends big[2] (it ends a list only on the driver's DRV_XOFF).
    expect(tx.txPop()).toBe(h0);
    tx.frameDone();
    expect(tx.ringUsed(0)).toBe(4);
    expect(tx.qdisc(0).qlen).toBe(0);
    expect(tx.dql[0]!.avail).toBe(133000 - 3 * 68130);
    const st = tx.stats[0]!;
    // xmit_more on big[0] and big[1]; tail writes: h0, h1 (each a list of one), big[1] (the queue
    // is stopped) and big[2] (the last); BQL stopped the queue twice (h0, big[1]: big[2]'s post finds
    // STACK_XOFF set already)
    expect([st.xmitMore, st.doorbells, st.bqlStops]).toEqual([2, 4, 2]);
  });

  it("stops when bytelimit reaches exactly 0 (while bytelimit > 0): the next skb goes in a restart of its own", async () => {
    const core = await freshCore();
    const { tx } = nicTx(core, {});
    const M = 664;
    tx.dql[0]!.write("limit_min", M);
    tx.dql[0]!.write("limit_max", M);
    const h0 = frame(core);
    const h1 = frame(core);
    const f = [frame(core), frame(core), frame(core), frame(core)];
    stoppedWith(tx, h0, h1, f);
    // h0 completes: avail = (M + 166) - 166 = 664; restart 1 posts h1 off gso_skb: avail 498.
    // Restart 2: f0, bytelimit 498 - 166 = 332 > 0: f1; 166 > 0: f2; 0: stop (a `>= 0` would take f3
    // too). The driver counts 166 each: avail 0, not < 0, so the queue runs on: restart 3 posts f3
    // alone (avail -166: BQL stops the queue).
    expect(tx.txPop()).toBe(h0);
    tx.frameDone();
    expect(tx.ringUsed(0)).toBe(5);
    expect(tx.qdisc(0).qlen).toBe(0);
    expect(tx.dql[0]!.avail).toBe(-166);
    const st = tx.stats[0]!;
    // xmit_more on f0 and f1; tail writes: h0, h1, f2 (the list's last), f3; BQL stops: h0 (limit 0), f3
    expect([st.xmitMore, st.doorbells, st.bqlStops]).toEqual([2, 4, 2]);
  });

  it("a ring-full stop inside a bulk requeues the rest of it (each skb a requeue); they go first, singly, after the wake", async () => {
    const core = await freshCore();
    const { tx, loop } = nicTx(core, { bql: false, txRing: 4 });
    const h = Array.from({ length: 8 }, () => frame(core));
    stoppedWith(tx, h[0]!, h[1]!, h.slice(2));
    // h0 completes: limit_min "max" takes effect, the wake runs the qdisc. Restart 1: h1 (gso_skb).
    // Restart 2: h2 and, BQL allowing everything, h3..h7 (the next dequeue finds the bands empty and
    // clears MISSED/DRAINING). The ring (4) takes h2, h3, h4 (DRV_XOFF): dev_requeue_skb puts h5..h7
    // on gso_skb (3 requeues) and sets MISSED, so NET_TX follows.
    expect(tx.txPop()).toBe(h[0]);
    tx.frameDone();
    expect(tx.ringUsed(0)).toBe(4);
    let st = tx.qdisc(0).stats(0);
    expect([st.requeues, st.qlen, st.backlog]).toEqual([4, 3, 3 * 166]);
    const q = tx.stats[0]!;
    // xmit_more on h2, h3, h4 (h4 had a next); tail writes: h0, h1, h4 (stopped)
    expect([q.xmitMore, q.doorbells]).toEqual([3, 3]);
    loop.run(1);
    expect(q.netTx).toBe(2);
    // two completions free 2 descriptors (min(TX_WAKE_THRESHOLD, ring / 2) = 2): the wake posts h5
    // and h6 off gso_skb, one restart (and one tail write) each, until the ring is full again
    for (const k of [1, 2]) {
      expect(tx.txPop()).toBe(h[k]);
      tx.frameDone();
    }
    expect(tx.ringUsed(0)).toBe(4);
    st = tx.qdisc(0).stats(0);
    expect([st.requeues, st.qlen]).toEqual([4, 1]);
    expect([q.xmitMore, q.doorbells]).toEqual([3, 5]);
    for (let k = 3; k < 7; k++) {
      expect(tx.txPop()).toBe(h[k]);
      tx.frameDone();
    }
    expect(tx.txPop()).toBe(h[7]);
  });

  it("the bypass sends a GSO skb's segments as one list: xmit_more on all but the last, one tail write", async () => {
    const core = await freshCore();
    const { tx } = nicTx(core, { bql: false, tso: false });
    // one frame out and completed first: BQL off (limit_min max) from the first completion on
    const h0 = frame(core);
    tx.xmit(h0);
    expect(tx.txPop()).toBe(h0);
    tx.frameDone();
    tx.xmit(superPacket(core, { payload: 3 * MSS, mss: MSS }));
    expect(tx.ringUsed(0)).toBe(3);
    const q = tx.stats[0]!;
    expect([q.xmitMore, q.doorbells]).toEqual([2, 2]);
  });
});
