// tcp_data_queue_ofo (net/ipv4/tcp_input.c, 6.12) after a coalesce grew an
// out-of-order skb over a later one. tcp_ooo_try_coalesce goes to coalesce_done,
// which skips merge_right: the grown skb keeps covering the later skb, and
// nothing compares them again. Each new skb is first tried against
// tp->ooo_last_skb (the rbtree's last node, the highest seq): coalesced when
// it starts at its end_seq, else inserted after it, with no walk, when it
// starts at or past that end_seq; only then the rbtree walk.
// Frames from the client carry timestamps (66 header bytes) and come from a
// build_skb driver: p payload bytes -> truesize = roundup_pow_of_two(p + 66 +
// 64 + 320) + 256, tailroom = that buffer − 384 − (p + 66):
//   1448 -> 2304, tailroom 150;  200 -> 1280, tailroom 374;
//   300 -> 1280, tailroom 274;   644 -> 2304, tailroom 954.
// skb_try_coalesce copies into the target's tailroom (delta 0) when the bytes
// fit, else steals the head (delta truesize − 256). Offsets are bytes past
// rcv_nxt before the test; [0, 1448) stays a hole until the end.
import { describe, expect, it } from "vitest";
import { stalledReceiver } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { SegIn } from "../../src/tcp/segment.js";
import { OFO_SKB } from "../../src/tcp/ofo-queue.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";

async function receiver() {
  // one ACK per segment: no SACK compression (test/tcpdata/comp-sack has it)
  const r = await stalledReceiver({ sysctl: { "net.ipv4.tcp_comp_sack_nr": 0 } });
  const { t, sk, c, w, nstat } = r;
  expect(sk.sackOk && sk.tsOk).toBe(true);
  expect(c.rmemAlloc).toBe(0);
  const nxt = c.rcvNxt;
  const base = sk.irs + 1;
  const sent: number[] = [];
  const env = t.env as { alloc(): number };
  const alloc = env.alloc.bind(env);
  env.alloc = () => {
    const h = alloc();
    sent.push(h);
    return h;
  };
  /** `len` bytes at nxt + off: the SACK blocks (D-SACK first) of the one ACK it makes, relative to nxt. */
  const rcv = (off: number, len: number): number[][] => {
    sent.length = 0;
    tcpRcvState(t, sk, clientSegment(w, sk, off - (c.rcvNxt - nxt), len, TCPHDR_ACK, sk.tsRecent));
    expect(sent.length).toBe(1);
    const h = sent[0]!;
    const seg = new SegIn();
    seg.parse(w.core.headers, h, w.core.skb.network[h]!, w.core.skb.transport[h]!, false);
    const blocks: number[][] = [];
    for (let i = 0; i < seg.sackN; i++) blocks.push([(seg.sackL[i]! - base - nxt) >>> 0, (seg.sackR[i]! - base - nxt) >>> 0]);
    return blocks;
  };
  /** The out-of-order skbs in seq order: [seq, end_seq, truesize] relative to nxt. */
  const ofo = (): number[][] => {
    const out: number[][] = [];
    for (const q of c.ofo) for (let k = 0; k < q.skbs.length; k += OFO_SKB) out.push([q.skbs[k]! - nxt, q.skbs[k + 1]! - nxt, q.skbs[k + 2]!]);
    return out;
  };
  const counter = (name: string): (() => number) => {
    const v0 = nstat.get(name) ?? 0;
    return () => (nstat.get(name) ?? 0) - v0;
  };
  return {
    c,
    nxt,
    rcv,
    ofo,
    coalesce: counter("TcpExtTCPRcvCoalesce"),
    merge: counter("TcpExtTCPOFOMerge"),
    ofoQueue: counter("TcpExtTCPOFOQueue"),
    dsackOfo: counter("TcpExtTCPDSACKOfoSent"),
  };
}

describe("tcp_data_queue_ofo after a coalesce grew an skb (6.12)", () => {
  it("a skb grown over a later one keeps it; the next skb goes after ooo_last_skb, not into the grown one; the walk meets the later one", async () => {
    const { c, nxt, rcv, ofo, coalesce, merge, ofoQueue, dsackOfo } = await receiver();
    // A: the first out-of-order skb, the only SACK block
    expect(rcv(1448, 1448)).toEqual([[1448, 2896]]);
    // B: past ooo_last_skb (A) and not touching: a new skb, a new block in front
    expect(rcv(3500, 200)).toEqual([[3500, 3700], [1448, 2896]]);
    expect(ofo()).toEqual([[1448, 2896, 2304], [3500, 3700, 1280]]);
    // C [2896, 4344): ooo_last_skb (B) ends at 3700, C starts below it: the walk (A root, B its right child)
    // meets A first, C starts at A's end_seq: coalesced (1448 > 150 tailroom: head stolen, + 2048). A now
    // covers B, which stays (no merge_right, no D-SACK, no TCPOFOMerge); the blocks merge into one
    expect(rcv(2896, 1448)).toEqual([[1448, 4344]]);
    expect(ofo()).toEqual([[1448, 4344, 2304 + 2048], [3500, 3700, 1280]]);
    expect([coalesce(), merge(), c.rmemAlloc]).toEqual([1, 0, 2304 + 1280 + 2048]);
    // D [4344, 5792): ooo_last_skb is still B; D starts past B's end_seq, so it is inserted after B at once:
    // not coalesced into A although it starts at A's end_seq (a new skb: + 2304)
    expect(rcv(4344, 1448)).toEqual([[1448, 5792]]);
    expect(ofo()).toEqual([[1448, 4344, 4352], [3500, 3700, 1280], [4344, 5792, 2304]]);
    expect([coalesce(), merge(), c.rmemAlloc]).toEqual([1, 0, 4352 + 1280 + 2304]);
    // E [3700, 4000): below ooo_last_skb (D); the walk (B became the root when D went in: rb_insert_color
    // rotated left at A) meets B, E starts at B's end_seq: copied into B's tailroom (300 ≤ 374, + 0). Every
    // byte of E was in A: no D-SACK
    expect(rcv(3700, 300)).toEqual([[1448, 5792]]);
    expect(ofo()).toEqual([[1448, 4344, 4352], [3500, 4000, 1280], [4344, 5792, 2304]]);
    expect([coalesce(), merge(), dsackOfo(), c.rmemAlloc]).toEqual([2, 0, 0, 7936]);
    // F [3600, 3900): the walk meets B first, which holds all of F: dropped TCP_OFOMERGE, D-SACKed
    expect(rcv(3600, 300)).toEqual([[3600, 3900], [1448, 5792]]);
    expect([coalesce(), merge(), dsackOfo(), c.rmemAlloc]).toEqual([2, 1, 1, 7936]);
    // G [4000, 4200): B ends at 4000 now: coalesced into it again (200 > 74 tailroom left: + 1280 − 256)
    expect(rcv(4000, 200)).toEqual([[1448, 5792]]);
    expect(ofo()).toEqual([[1448, 4344, 4352], [3500, 4200, 2304], [4344, 5792, 2304]]);
    expect([coalesce(), merge(), dsackOfo(), c.rmemAlloc]).toEqual([3, 1, 1, 8960]);
    expect(ofoQueue()).toBe(7);
    // the hole: [0, 1448) queued (2304), then tcp_ofo_queue: A stolen into the tail (+ 4352 − 256, − 4352),
    // B wholly below rcv_nxt 4344 dropped TCP_OFO_DROP (− 2304), D into the tail (+ 2048 − 2304)
    expect(rcv(0, 1448)).toEqual([]);
    expect(c.ofo.length).toBe(0);
    expect(c.rcvNxt - nxt).toBe(5792);
    expect([c.rq.length, c.rq.truesizeAt(0)]).toEqual([1, 2304 + 4096 + 2048]);
    expect([coalesce(), c.rmemAlloc]).toEqual([5, 8448]);
  });

  it("ooo_last_skb is tried first: a skb starting at its end_seq is coalesced into it although an earlier grown skb holds every byte", async () => {
    const { c, nxt, rcv, ofo, coalesce, merge, dsackOfo } = await receiver();
    rcv(1448, 1448);
    rcv(3500, 200);
    rcv(2896, 1448); // A [1448, 4344) covers B [3500, 3700)
    expect([coalesce(), c.rmemAlloc]).toEqual([1, 5632]);
    // [3700, 4344) starts at ooo_last_skb's (B's) end_seq: tcp_ooo_try_coalesce(B) before any walk; 644
    // bytes > 374 tailroom: head stolen (+ 2304 − 256); no D-SACK, no TCPOFOMerge
    expect(rcv(3700, 644)).toEqual([[1448, 4344]]);
    expect(ofo()).toEqual([[1448, 4344, 4352], [3500, 4344, 1280 + 2048]]);
    expect([coalesce(), merge(), dsackOfo(), c.rmemAlloc]).toEqual([2, 0, 0, 7680]);
    // [4344, 5792) starts at both A's and B's end_seq: ooo_last_skb (B) takes it (1 frag + 0 < 17, + 2048)
    expect(rcv(4344, 1448)).toEqual([[1448, 5792]]);
    expect(ofo()).toEqual([[1448, 4344, 4352], [3500, 5792, 1280 + 2 * 2048]]);
    expect([coalesce(), c.rmemAlloc]).toEqual([3, 9728]);
    // the hole: A is stolen into the tail (+ 4096 − 4352); B starts at 3500, not at the tail's end_seq 4344
    // (tcp_try_coalesce refuses), so it is queued whole after it, its first 844 bytes a second copy
    expect(rcv(0, 1448)).toEqual([]);
    expect(c.rcvNxt - nxt).toBe(5792);
    expect(c.rq.length).toBe(2);
    expect([c.rq.truesizeAt(0), c.rq.truesizeAt(1)]).toEqual([2304 + 4096, 1280 + 2 * 2048]);
    expect([coalesce(), c.rmemAlloc]).toEqual([4, 2304 + 4096 + 1280 + 2 * 2048]);
  });
});
