// Receive-queue and out-of-order-queue coalescing (tcp_queue_rcv / tcp_ofo_queue
// -> tcp_try_coalesce -> skb_try_coalesce, tcp_data_queue_ofo ->
// tcp_ooo_try_coalesce) against sk_rmem_alloc derived by hand from
// net/ipv4/tcp_input.c and net/core/skbuff.c (6.12). Frames from a GRO-off
// build_skb driver: a 1514-byte frame has truesize 2304 (a 2048 half page +
// struct sk_buff 256) and tailroom 2048 − 320 − 64 − 1514 = 150.
import { describe, expect, it } from "vitest";
import { stalledReceiver } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpAddBacklog } from "../../src/tcp/backlog.js";
import { releaseSock } from "../../src/tcp/sock-lock.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";

/** An established connection (a bulk flow stopped after 2 ms) whose server application no longer reads. */
async function quiet() {
  const r = await stalledReceiver();
  const { t, sk, c } = r;
  expect(c.rmemAlloc).toBe(0);
  const nstat = r.nstat;
  const coalesced0 = nstat.get("TcpExtTCPRcvCoalesce") ?? 0;
  /** Deliver `len` bytes at rcv_nxt + off through tcp_rcv_established (or the backlog when owned). */
  const rcv = (off: number, len: number): void => {
    const h = clientSegment(r.w, sk, off, len, TCPHDR_ACK, sk.tsRecent);
    if (c.owned) tcpAddBacklog(t, sk, c, h);
    else tcpRcvState(t, sk, h);
  };
  const coalesced = () => (nstat.get("TcpExtTCPRcvCoalesce") ?? 0) - coalesced0;
  return { ...r, t, sk, c, nstat, rcv, coalesced };
}

describe("tcp_queue_rcv: coalescing into the receive queue's tail (6.12)", () => {
  it("20 in-order 1448-byte frames: the tail steals 17 heads (2048 each), then a new skb: rmem 2·2304 + 18·2048", async () => {
    const { w, c, rcv, coalesced } = await quiet();
    for (let i = 0; i < 20; i++) rcv(0, 1448);
    expect(c.rq.length).toBe(2);
    expect(c.rq.endAt(0) - c.copiedSeq).toBe(18 * 1448);
    expect(c.rmemAlloc).toBe(2 * 2304 + 18 * 2048);
    expect(c.rq.truesizeAt(0)).toBe(2304 + 17 * 2048);
    expect(coalesced()).toBe(18);
    expect(w.ledger.report(w.inFlight()).unaccounted).toBe(0);
  });

  it("small segments are copied into a linear tail's tailroom (delta 0) until one does not fit", async () => {
    const { c, rcv, coalesced } = await quiet();
    // a 166-byte frame: 166 + 64 + 320 = 550 -> a 1024 buffer, truesize 1280, tailroom 1024 − 320 − 64 − 166 = 474
    rcv(0, 100);
    expect(c.rmemAlloc).toBe(1280);
    rcv(0, 100);
    rcv(0, 100);
    rcv(0, 100);
    // 474 − 300 = 174 left: 200 bytes do not fit, so its head is stolen: + 1280 − 256
    expect(c.rmemAlloc).toBe(1280);
    rcv(0, 200);
    expect(c.rmemAlloc).toBe(1280 + 1024);
    // nonlinear now: no tailroom, so even 10 bytes are a stolen head (76-byte frame: 512 buffer + 256 − 256)
    rcv(0, 10);
    expect(c.rmemAlloc).toBe(1280 + 1024 + 512);
    expect(c.rq.length).toBe(1);
    expect(coalesced()).toBe(5);
  });

  it("the reader freeing the whole queue leaves no tail: the next frame is a new skb (2304)", async () => {
    const { t, sk, c, rcv, coalesced } = await quiet();
    rcv(0, 1448);
    rcv(0, 1448);
    expect(c.rmemAlloc).toBe(2304 + 2048);
    const { appRecv } = await import("../../src/tcp/data-out.js");
    appRecv(t, sk, c, Infinity);
    expect(c.rmemAlloc).toBe(0);
    rcv(0, 1448);
    expect(c.rmemAlloc).toBe(2304);
    expect(coalesced()).toBe(1);
  });

  it("an skb from the backlog keeps its layout: 10 frames coalesced there (9 frags) take 8 more before the tail is full", async () => {
    const { t, sk, c, rcv, coalesced } = await quiet();
    c.owned = true;
    for (let i = 0; i < 10; i++) rcv(0 + i * 1448, 1448);
    expect(c.backlog.count).toBe(1);
    releaseSock(t, sk, c);
    expect(c.rmemAlloc).toBe(2304 + 9 * 2048);
    // 9 frags: 8 more heads stolen (9 + 0 < 17 up to 16), then a new skb and one more steal
    for (let i = 0; i < 10; i++) rcv(0, 1448);
    expect(c.rq.length).toBe(2);
    expect(c.rq.truesizeAt(0)).toBe(2304 + 17 * 2048);
    expect(c.rmemAlloc).toBe(2304 + 17 * 2048 + 2304 + 2048);
    expect(coalesced()).toBe(9);
  });

  it("a partial overlap (seq below rcv_nxt) is never coalesced: it is not contiguous with the tail's end_seq", async () => {
    const { c, rcv, coalesced } = await quiet();
    rcv(0, 1448);
    // 724 old bytes and 724 new ones
    rcv(-724, 1448);
    expect(c.rq.length).toBe(2);
    expect(c.rmemAlloc).toBe(2 * 2304);
    expect(coalesced()).toBe(0);
  });
});

describe("tcp_data_queue_ofo: tcp_grow_window for SACK flows", () => {
  it("an out-of-order 1448-byte segment (truesize 2304) grows rcv_ssthresh by 2·advmss; a coalesced one by as much again", async () => {
    const { sk, c, rcv } = await quiet();
    expect(sk.sackOk).toBe(true);
    // room: min(window_clamp, tcp_space) − 14480 is far above 2896 here
    c.rcvSsthresh = 14480;
    rcv(1448, 1448);
    expect(c.ofo.length).toBe(1);
    expect(c.rcvSsthresh).toBe(14480 + 2 * c.advmss);
    rcv(2896, 1448);
    expect(c.ofo.length).toBe(1);
    expect(c.rcvSsthresh).toBe(14480 + 4 * c.advmss);
  });
});

describe("tcp_data_queue_ofo: tcp_ooo_try_coalesce and tcp_ofo_queue (6.12)", () => {
  it("5 frames after a hole coalesce into one out-of-order skb; the hole filled, tcp_ofo_queue steals its head into the receive queue's tail", async () => {
    const { w, c, nstat, rcv, coalesced } = await quiet();
    const ofo0 = nstat.get("TcpExtTCPOFOQueue") ?? 0;
    for (let i = 1; i <= 5; i++) rcv(i * 1448, 1448);
    expect(c.ofo.length).toBe(1);
    expect(c.ofo[0]!.truesize).toBe(2304 + 4 * 2048);
    expect(c.rmemAlloc).toBe(2304 + 4 * 2048);
    expect(coalesced()).toBe(4);
    // TCPOFOQueue counts every skb reaching the out-of-order queue, coalesced or not
    expect((nstat.get("TcpExtTCPOFOQueue") ?? 0) - ofo0).toBe(5);
    rcv(0, 1448);
    // tcp_ofo_queue -> tcp_try_coalesce: the linear tail (0 frags) takes the out-of-order skb (4 frags) as
    // 0 + 4 + 1 = 5 frags, growing by its truesize − 256 (struct sk_buff, freed by kfree_skb_partial, whose
    // sock_rfree uncharges the whole truesize): rmem 2304 + (2304 + 4·2048 − 256) = 2304 + 5·2048
    expect(c.ofo.length).toBe(0);
    expect(c.rq.length).toBe(1);
    expect(c.rmemAlloc).toBe(2304 + 5 * 2048);
    expect(c.rq.truesizeAt(0)).toBe(2304 + 5 * 2048);
    expect(c.rq.endAt(0) - c.copiedSeq).toBe(6 * 1448);
    expect(coalesced()).toBe(5);
    // 5 frags: the next frame's head is stolen into it too
    rcv(0, 1448);
    expect(c.rq.length).toBe(1);
    expect(c.rmemAlloc).toBe(2304 + 6 * 2048);
    expect(coalesced()).toBe(6);
    expect(w.ledger.report(w.inFlight()).unaccounted).toBe(0);
  });

  it("tcp_ofo_queue tries every out-of-order skb in turn: two separate skbs of one range both go into the tail", async () => {
    const { c, rcv, coalesced } = await quiet();
    rcv(2 * 1448, 1448);
    rcv(1448, 1448); // ends at the range's start: its own skb
    expect(c.ofo.length).toBe(1);
    expect(coalesced()).toBe(0);
    rcv(0, 1448);
    // [1448, 2896) then [2896, 4344), each a 2048 stolen head: frags 1, then 2
    expect(c.rq.length).toBe(1);
    expect(c.rq.endAt(0) - c.copiedSeq).toBe(3 * 1448);
    expect(c.rmemAlloc).toBe(2304 + 2 * 2048);
    expect(coalesced()).toBe(2);
  });

  it("an out-of-order skb of 17 frags does not fit a tail (0 + 17 ≥ MAX_SKB_FRAGS): queued, and so is the next one", async () => {
    const { c, rcv, coalesced } = await quiet();
    // 18 frames in one out-of-order skb (17 stolen heads), the 19th starts another
    for (let i = 1; i <= 19; i++) rcv(i * 1448, 1448);
    expect(c.ofo.length).toBe(1);
    expect(coalesced()).toBe(17);
    rcv(0, 1448);
    expect(c.rq.length).toBe(3);
    expect([c.rq.truesizeAt(0), c.rq.truesizeAt(1), c.rq.truesizeAt(2)]).toEqual([2304, 2304 + 17 * 2048, 2304]);
    expect(c.rmemAlloc).toBe(3 * 2304 + 17 * 2048);
    expect(coalesced()).toBe(17);
    expect(c.rq.endAt(2) - c.copiedSeq).toBe(20 * 1448);
  });

  it("a frame that ends at an out-of-order range's start is its own skb (coalescing only appends); a filled gap joins the ranges", async () => {
    const { c, rcv, coalesced } = await quiet();
    rcv(3 * 1448, 1448);
    rcv(2 * 1448, 1448); // before the range: no coalescing
    expect(c.ofo.length).toBe(1);
    expect(c.rmemAlloc).toBe(2 * 2304);
    rcv(6 * 1448, 1448); // a second range
    rcv(4 * 1448, 1448); // appends to the first range's last skb: coalesced (2048)
    expect(c.ofo.length).toBe(2);
    expect(c.rmemAlloc).toBe(3 * 2304 + 2048);
    rcv(5 * 1448, 1448); // appends to the first again and touches the second: one range
    expect(c.ofo.length).toBe(1);
    expect(c.rmemAlloc).toBe(3 * 2304 + 2 * 2048);
    expect(coalesced()).toBe(2);
  });
});
