// tcp_prune_queue's collapse step (net/ipv4/tcp_input.c, 6.12): first
// tcp_collapse_ofo_queue (each range of touching skbs is collapsed unless it is
// one skb of under SKB_WITH_OVERHEAD(PAGE_SIZE) = 3776 bytes; such tiny ranges
// are skipped, and once their truesize sums above sk_rcvbuf/8 the walk stops),
// then tcp_collapse of the receive queue from copied_seq. tcp_collapse copies
// from the first skb that is bloated (tcp_win_from_space(truesize) > len) or
// holds bytes before start into alloc_skb(min(3776, left)) skbs:
//   3776 bytes: SKB_HEAD_ALIGN = 3776 + 320 = 4096, kmalloc-4k, truesize 4096 + 256 = 4352, tailroom 0
//   568 bytes:  576 + 320 = 896 -> kmalloc-1k, truesize 1280, tailroom 1024 - 320 - 568 = 136
//   2152 bytes: 2176 + 320 = 2496 -> kmalloc-4k, truesize 4352, tailroom 4096 - 320 - 2152 = 1624
// and frees each old skb (TCPRcvCollapsed; __kfree_skb, a consume: the
// packet ledger is not touched).
// The receiver learnt scaling_ratio = 1448·256/2304 = 160 from full frames, so
// win_from_space(x) = x·160/256. Frames are 1514 bytes (1448 + 66 of headers).
// "Page" frames are a driver's whole 4 KiB page per frame: truesize 4352,
// tailroom 4352 − 256 − 320 − NET_SKB_PAD 64 − 1514 = 2198. Three touching
// page frames in the out-of-order queue: the second is copied into the first's
// tailroom (750 left), the third's head stolen (+4352 − 256): one skb of 4344
// bytes, truesize 8448, bloated (8448·160/256 = 5280 > 4344).
import { describe, expect, it } from "vitest";
import { stalledReceiver } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { appRecv } from "../../src/tcp/data-out.js";
import { HEAD_LOCKED } from "../../src/tcp/skb-coalesce.js";
import { collapseEffects, tcpCollapse } from "../../src/tcp/collapse.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../../src/wire/tcp.js";

const M = 1448;
const PAGE_FRAME = 4352;

async function receiver() {
  const r = await stalledReceiver();
  const { t, sk, c } = r;
  expect(c.rmemAlloc).toBe(0);
  expect(c.scalingRatio).toBe(160);
  const nxt = c.rcvNxt;
  const nstat = r.nstat;
  const n0 = new Map(["TcpExtPruneCalled", "TcpExtTCPRcvCollapsed", "TcpExtOfoPruned", "TcpExtRcvPruned"].map((k) => [k, nstat.get(k) ?? 0]));
  const counts = () => [...n0].map(([k, v]) => (nstat.get(k) ?? 0) - v);
  /** A segment at `off` past the first rcv_nxt; `truesize` as the driver set it (0: the default 2304). */
  const rcv = (off: number, len: number, truesize = 0): void => {
    const h = clientSegment(r.w, sk, off - (c.rcvNxt - nxt), len, TCPHDR_ACK, sk.tsRecent);
    t.core.skb.truesize[h] = truesize;
    tcpRcvState(t, sk, h);
  };
  const ledger = () => r.w.ledger.report(r.w.inFlight());
  return { ...r, nxt, rcv, counts, ledger };
}

describe("tcp_collapse_ofo_queue", () => {
  it("a bloated range of 4344 bytes is collapsed into 3776 + 568; within sk_rcvbuf then, nothing is pruned", async () => {
    const { c, nxt, rcv, counts, ledger } = await receiver();
    for (let i = 10; i < 13; i++) rcv(i * M, M, PAGE_FRAME);
    rcv(20 * M, M, PAGE_FRAME); // a tiny range after it (its 4352 > 12000/8 ends the walk, with nothing left to do)
    expect(c.ofo.map((r) => r.truesize)).toEqual([8448, PAGE_FRAME]);
    c.rcvbufLocked = true;
    c.rcvbuf = 12000; // rmem 12800 above it
    const dropped0 = ledger().dropped;
    rcv(0, M); // in order: tcp_try_rmem_schedule -> tcp_prune_queue
    // PruneCalled, TCPRcvCollapsed (B's one skb), OfoPruned, RcvPruned
    expect(counts()).toEqual([1, 1, 0, 0]);
    const b = c.ofo[0]!;
    expect(b.skbs.map((v, k) => (k % 5 < 2 ? v - nxt : v))).toEqual([10 * M, 10 * M + 3776, 4352, HEAD_LOCKED, 0, 10 * M + 3776, 13 * M, 1280, HEAD_LOCKED, 136]);
    expect([b.start - nxt, b.end - nxt, b.truesize]).toEqual([10 * M, 13 * M, 5632]);
    // 4352 + 5632 + the in-order frame's 2304
    expect(c.rmemAlloc).toBe(4352 + 5632 + 2304);
    expect(ledger().dropped).toEqual(dropped0);
  });

  it("a tiny range first whose truesize is above sk_rcvbuf/8 stops the walk: the bloated range is pruned instead", async () => {
    const { c, nxt, rcv, counts } = await receiver();
    rcv(2 * M, M, PAGE_FRAME); // tiny: 4352 > 12000/8 = 1500
    for (let i = 10; i < 13; i++) rcv(i * M, M, PAGE_FRAME);
    c.rcvbufLocked = true;
    c.rcvbuf = 12000;
    rcv(0, M);
    // tcp_prune_ofo_queue drops the 8448 skb (goal 1500 met), then 4352 is within sk_rcvbuf
    expect(counts()).toEqual([1, 0, 1, 0]);
    expect(c.ofo.map((r) => [r.start - nxt, r.end - nxt, r.truesize])).toEqual([[2 * M, 3 * M, PAGE_FRAME]]);
    expect(c.rmemAlloc).toBe(PAGE_FRAME + 2304);
  });

  it("two page frames coalesced are one skb of 2896 < 3776 bytes: tiny, left bloated; collapsing the next range is not enough, so the prune follows", async () => {
    const { c, nxt, rcv, counts } = await receiver();
    // 18 in-order frames: one skb of 2304 + 17 × 2048 = 37120 (not bloated: 23200 < 26064)
    for (let i = 0; i < 18; i++) rcv(i * M, M);
    for (let i = 20; i < 22; i++) rcv(i * M, M, PAGE_FRAME);
    for (let i = 30; i < 33; i++) rcv(i * M, M, PAGE_FRAME);
    expect(c.ofo.map((r) => r.truesize)).toEqual([PAGE_FRAME, 8448]);
    expect(c.rmemAlloc).toBe(37120 + PAGE_FRAME + 8448);
    c.rcvbufLocked = true;
    c.rcvbuf = 40000; // sum_tiny 4352 ≤ 5000 goes on to the second range
    rcv(18 * M, M); // in order, below every out-of-order skb
    // collapse: 49920 − 8448 + 5632 = 47104, still above; tcp_prune_ofo_queue from the highest seq: 1280 and
    // 4352 (goal 5000 met, 41472 still above), then the tiny range's 4352: 37120, the queue empty
    expect(counts()).toEqual([1, 1, 1, 0]);
    expect(c.ofo.length).toBe(0);
    // the in-order frame: the tail has 17 frags, so it is queued on its own
    expect([c.rq.length, c.rmemAlloc, c.rcvNxt - nxt]).toEqual([2, 37120 + 2304, 19 * M]);
  });
});

describe("tcp_collapse_ofo_queue: a range ending in a FIN", () => {
  it("its end_seq counts the FIN: the last copy is alloc_skb(385), kmalloc-1k (truesize 1280), not the small head (960)", async () => {
    const { t, sk, c, w, nxt, rcv, counts } = await receiver();
    // 20 page frames from 10000: one skb of 19100 bytes (the 2nd copied into the 1st's tailroom, 18 heads
    // stolen: nr_frags 17, MAX_SKB_FRAGS), bloated (74000-ish truesize); the FIN segment after it cannot
    // join it, so it is an skb of its own
    for (let i = 0; i < 19; i++) rcv(10000 + i * 1000, 1000, PAGE_FRAME);
    rcv(29000, 100, PAGE_FRAME);
    tcpRcvState(t, sk, clientSegment(w, sk, 29100 - (c.rcvNxt - nxt), 164, TCPHDR_ACK | TCPHDR_FIN, sk.tsRecent));
    const r = c.ofo[0]!;
    expect([r.skbs.length / 5, r.start - nxt, r.end - nxt, c.finRcvSeq - nxt]).toEqual([2, 10000, 29264, 29264]);
    c.rcvbufLocked = true;
    c.rcvbuf = 60000;
    rcv(0, M); // in order: tcp_try_rmem_schedule -> tcp_prune_queue
    // copies from 10000 to end_seq 29265: 5 × 3776 = 18880, then min(3776, 29265 - 28880 = 385): 385 + 63 →
    // 448 + 320 = 768 > 704 (the small-head cache), kmalloc-1k: truesize 1024 + 256 = 1280, 220 bytes in it
    expect(counts().slice(0, 2)).toEqual([1, 1]);
    const ts = [];
    for (let k = 2; k < r.skbs.length; k += 5) ts.push(r.skbs[k]!);
    expect(ts.slice(0, 6)).toEqual([4352, 4352, 4352, 4352, 4352, 1280]);
    expect(r.skbs[5 * 5 + 1]! - r.skbs[5 * 5]!).toBe(220);
  });
});

describe("tcp_collapse of the receive queue", () => {
  it("a partly read head is collapsed with everything after it, from copied_seq: 13480 bytes in 3 × 3776 + 2152", async () => {
    const { t, sk, c, nxt, rcv, counts } = await receiver();
    // ten in-order frames: one skb, 2304 + 9 × 2048 = 20736 (not bloated: 12960 < 14480)
    for (let i = 0; i < 10; i++) rcv(i * M, M);
    expect([c.rq.length, c.rmemAlloc]).toEqual([1, 20736]);
    expect(appRecv(t, sk, c, 1000)).toBe(1000);
    c.rcvbufLocked = true;
    c.rcvbuf = 20000;
    rcv(12 * M, M); // out of order: tcp_try_rmem_schedule -> tcp_prune_queue
    expect(counts()).toEqual([1, 1, 0, 0]);
    const rq = c.rq;
    expect(rq.length).toBe(4);
    const skbs = [0, 1, 2, 3].map((i) => [rq.seqAt(i) - nxt, rq.endAt(i) - nxt, rq.truesizeAt(i)]);
    expect(skbs).toEqual([
      [1000, 1000 + 3776, 4352],
      [1000 + 3776, 1000 + 2 * 3776, 4352],
      [1000 + 2 * 3776, 1000 + 3 * 3776, 4352],
      [1000 + 3 * 3776, 10 * M, 4352],
    ]);
    expect([rq.frags & 0xff, rq.tailroom]).toEqual([0, 1624]);
    // 4 × 4352, then the out-of-order frame's 2304
    expect(c.rmemAlloc).toBe(17408 + 2304);
    // the next in-order frame is stolen into nothing (a linear tail: 1448 ≤ 1624 is copied, delta 0)
    rcv(10 * M, M);
    expect(rq.length).toBe(4);
    expect(c.rmemAlloc).toBe(17408 + 2304);
  });

  it("an unread, unbloated queue is left as it is", async () => {
    const { c, rcv, counts } = await receiver();
    for (let i = 0; i < 10; i++) rcv(i * M, M);
    c.rcvbufLocked = true;
    c.rcvbuf = 20000;
    rcv(12 * M, M);
    // nothing to collapse or prune: RcvPruned, the out-of-order frame dropped
    expect(counts()).toEqual([1, 0, 0, 1]);
    expect([c.rq.length, c.rmemAlloc]).toEqual([1, 20736]);
  });
});

describe("tcpCollapse on a run of skbs (ratio 160)", () => {
  it("an skb overlapping the next starts the copy; one with no new bits is freed, not copied", () => {
    // [0,1448) is not bloated (1440 < 1448) but its end is not the next skb's seq (500): copy 0..2896 into
    // alloc_skb(2896): 2944 + 320 = 3264 -> kmalloc-4k, truesize 4352, tailroom 4096 - 320 - 2896 = 880
    const out = tcpCollapse([0, 1448, 2304, 0, 150, 500, 800, 1280, 0, 0, 1448, 2896, 2304, 0, 150], 0, 2896, 160, -1);
    expect(out).toEqual([0, 2896, 4352, HEAD_LOCKED, 880]);
    expect(collapseEffects.ops).toEqual([4352, -2304, -1280, -2304]);
  });

  it("the copy stops at an skb carrying a FIN, which stays", () => {
    // the page frame [0,1448) is bloated (2720 > 1448): alloc_skb(2896) as above, filled to 1448 (tailroom 2328)
    const fin = [1448, 2896, 2304, 0, 150];
    const out = tcpCollapse([0, 1448, 4352, 0, 2198, ...fin], 0, 2896, 160, 2896);
    expect(out).toEqual([0, 1448, 4352, HEAD_LOCKED, 2328, ...fin]);
    expect(collapseEffects.ops).toEqual([4352, -4352]);
  });

  it("nothing worth collapsing: the same array back, no effects", () => {
    const run = [0, 1448, 2304, 0, 150, 1448, 2896, 2304, 0, 150];
    expect(tcpCollapse(run, 0, 2896, 160, -1)).toBe(run);
    expect(collapseEffects.ops).toEqual([]);
  });
});
