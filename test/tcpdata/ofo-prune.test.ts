// tcp_prune_ofo_queue (net/ipv4/tcp_input.c, 6.12) drops out-of-order skbs one
// at a time from ooo_last_skb (the highest seq) down, stops at the first skb
// the incoming segment's seq is after, and after each sk_rcvbuf/8 of freed
// truesize stops once within sk_rcvbuf. Hand-derived: 36 in-sequence
// 1448-byte frames after a hole make one range of two skbs, each a 2304
// frame that stole 17 heads (2304 + 17·2048 = 37120), rmem 74240. A locked
// sk_rcvbuf of 60000 (goal 7500) is exceeded; one dropped skb is enough.
// tcp_collapse_ofo_queue runs first: the range has two skbs, so tcp_collapse
// looks at it, but neither is bloated (scaling_ratio 160: 37120·160/256 =
// 23200 < 26064) and they touch, so nothing is collapsed (test/tcpdata/collapse).
import { describe, expect, it } from "vitest";
import { stalledReceiver } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";

const M = 1448;
const SKB = 2304 + 17 * 2048;

async function fullOfo() {
  const r = await stalledReceiver();
  const { t, sk, c } = r;
  expect(c.rmemAlloc).toBe(0);
  const nstat = r.nstat;
  const base = (k: string) => nstat.get(k) ?? 0;
  const b0 = { pruned: base("TcpExtOfoPruned"), rcvPruned: base("TcpExtRcvPruned"), ofoDrop: base("TcpExtTCPOFODrop"), merge: base("TcpExtTCPOFOMerge") };
  const nxt = c.rcvNxt;
  const rcv = (off: number, len: number): void => tcpRcvState(t, sk, clientSegment(r.w, sk, off - (c.rcvNxt - nxt), len, TCPHDR_ACK, sk.tsRecent));
  for (let i = 1; i <= 36; i++) rcv(i * M, M);
  expect(c.ofo.length).toBe(1);
  expect(c.ofo[0]!.skbs.length).toBe(10);
  expect(c.rmemAlloc).toBe(2 * SKB);
  c.rcvbufLocked = true;
  c.rcvbuf = 60000;
  const d = (k: string, k0: number) => base(k) - k0;
  const counts = () => ({
    pruned: d("TcpExtOfoPruned", b0.pruned),
    rcvPruned: d("TcpExtRcvPruned", b0.rcvPruned),
    ofoDrop: d("TcpExtTCPOFODrop", b0.ofoDrop),
    merge: d("TcpExtTCPOFOMerge", b0.merge),
  });
  return { ...r, c, nxt, rcv, counts };
}

describe("tcp_prune_ofo_queue: one skb at a time from ooo_last_skb", () => {
  it("the hole filled over sk_rcvbuf: only the last skb goes (37120 ≥ goal, then within sk_rcvbuf); the first joins the receive queue", async () => {
    const { c, nxt, rcv, counts } = await fullOfo();
    rcv(0, M);
    expect(counts()).toEqual({ pruned: 1, rcvPruned: 0, ofoDrop: 0, merge: 0 });
    expect(c.ofo.length).toBe(0);
    expect(c.rcvNxt - nxt).toBe(19 * M);
    expect(c.rmemAlloc).toBe(2304 + SKB);
  });

  it("an out-of-order segment inside the range: the skb above its seq goes, the one it is after stays (the range ends at 19·1448)", async () => {
    const { w, c, nxt, rcv, counts } = await fullOfo();
    rcv(10 * M, M); // bytes held already: once there is room, TCPOFOMerge drops it
    expect(counts()).toEqual({ pruned: 1, rcvPruned: 0, ofoDrop: 0, merge: 1 });
    expect(c.ofo.length).toBe(1);
    expect([c.ofo[0]!.start - nxt, c.ofo[0]!.end - nxt, c.ofo[0]!.truesize]).toEqual([M, 19 * M, SKB]);
    expect(c.rmemAlloc).toBe(SKB);
    expect(w.ledger.report(w.inFlight()).dropped.TCP_OFOMERGE).toBe(1);
  });

  it("still over sk_rcvbuf after the goal: the next skb goes too, until the queue is empty", async () => {
    const { c, nxt, rcv, counts } = await fullOfo();
    c.rcvbuf = 30000;
    rcv(0, M);
    expect(counts()).toEqual({ pruned: 1, rcvPruned: 0, ofoDrop: 0, merge: 0 });
    expect(c.ofo.length).toBe(0);
    expect(c.rcvNxt - nxt).toBe(M);
    expect(c.rmemAlloc).toBe(2304);
  });
});
