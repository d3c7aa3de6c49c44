// sk_wmem_queued per skb as 6.12 keeps it (net/ipv4/tcp.c: tcp_sendmsg_locked,
// tcp_xmit_size_goal; net/ipv4/tcp_output.c: tso_fragment, tcp_trim_head;
// tcp_input.c: tcp_clean_rtx_queue), against numbers derived by hand: every
// skb costs its payload plus TCP_SKB_OVERHEAD (960 on Debian's 6.12).
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { appSend, sizeGoal } from "../../src/tcp/data-out.js";
import { TCP_SKB_OVERHEAD } from "../../src/tcp/buffers.js";

const MSS = 1448;
const OH = TCP_SKB_OVERHEAD;

/** The client of an established connection whose writer never wrote (1 byte/s, rounded down each tick), the
 *  peer's window closed so nothing leaves, after a peer that once offered 8 MB, its send buffer `sndbuf`;
 *  GSO as the socket has it unless `gso` is false. */
async function idleSender(sndbuf: number, gso = true) {
  const r = await runWorld(pair({ durationNs: 5e6 }, [bulk({ writeRate: 1 })]));
  const { t, sk, c } = clientConn(r.w);
  expect(c.writeSeq).toBe(0);
  expect(c.wmemQueued(OH)).toBe(0);
  c.maxWindow = 8 << 20;
  c.sndWnd = 0;
  c.sndbuf = sndbuf;
  if (!gso) c.gsoMaxSize = 0;
  return { ...r, t, sk, c };
}

describe("tcp_sendmsg_locked: skbs of size_goal (6.12)", () => {
  it("tcp_xmit_size_goal: whole MSS of sk_gso_max_size (65536 − 321 = 65215) or half the largest window; 1 MSS without GSO", async () => {
    const { c } = await idleSender(1 << 20);
    expect(c.mss).toBe(MSS);
    expect(sizeGoal(c)).toBe(45 * MSS);
    const mw = c.maxWindow;
    c.maxWindow = 65535; // a SYN's unscaled window: cutoff 32767 -> 22 MSS
    expect(sizeGoal(c)).toBe(22 * MSS);
    c.maxWindow = 500; // below TCP_MSS_DEFAULT: cutoff is the whole window, never below one MSS
    expect(sizeGoal(c)).toBe(MSS);
    c.maxWindow = mw;
    c.gsoMaxSize = 0;
    expect(sizeGoal(c)).toBe(MSS);
  });

  it("a 64 KB write with GSO makes two skbs (65160 + 376): 65536 + 2·960; without GSO 46 one-MSS skbs: 65536 + 46·960", async () => {
    const gso = await idleSender(1 << 20);
    expect(appSend(gso.t, gso.sk, gso.c, 65536)).toBe(65536);
    expect(gso.c.sndNxt).toBe(gso.c.sndUna); // the closed window holds everything
    expect(gso.c.wq.count).toBe(2);
    expect(gso.c.wmemQueued(OH)).toBe(65536 + 2 * OH);
    const plain = await idleSender(1 << 20, false);
    expect(appSend(plain.t, plain.sk, plain.c, 65536)).toBe(65536);
    expect(plain.c.wq.count).toBe(46);
    expect(plain.c.wmemQueued(OH)).toBe(65536 + 46 * OH);
  });

  it("later writes fill the unsent tail skb up to size_goal before a new one", async () => {
    const { t, sk, c } = await idleSender(1 << 20);
    appSend(t, sk, c, 1000);
    expect(c.wmemQueued(OH)).toBe(1000 + OH);
    appSend(t, sk, c, 1000);
    appSend(t, sk, c, 64160);
    // 66160 bytes: the tail took 63160 more up to 65160, then a second skb of 1000
    expect(c.wq.count).toBe(2);
    expect(c.wmemQueued(OH)).toBe(66160 + 2 * OH);
  });

  it("the writer blocks at a new skb once sk_wmem_queued >= sk_sndbuf, overshooting by up to one skb", async () => {
    // sndbuf 87040: skb 1 (65160 + 960 = 66120 < 87040), skb 2 (132240 >= 87040 after it), no skb 3
    const { t, sk, c } = await idleSender(87040);
    expect(appSend(t, sk, c, 200_000)).toBe(2 * 45 * MSS);
    expect(c.nospace).toBe(true);
    expect(c.wmemQueued(OH)).toBe(2 * (45 * MSS + OH));
    // without GSO every 1-MSS skb asks: 87040 / 2408 = 36.1, so the 37th is the last
    const p = await idleSender(87040, false);
    expect(appSend(p.t, p.sk, p.c, 200_000)).toBe(37 * MSS);
    expect(p.c.wmemQueued(OH)).toBe(37 * (MSS + OH));
  });
});

describe("tso_fragment, tcp_trim_head and tcp_clean_rtx_queue (6.12)", () => {
  it("a window of 10 MSS sends 10 of skb 1's 45: the rest is an skb of its own; partial ACKs trim, a full one frees", async () => {
    const { w, t, sk, c } = await idleSender(1 << 20);
    const una = c.sndUna;
    appSend(t, sk, c, 2 * 45 * MSS);
    expect(c.wmemQueued(OH)).toBe(2 * 45 * MSS + 2 * OH);
    // open the window to 10 MSS with plenty of cwnd and a pacing rate that makes tcp_tso_autosize 45
    c.sndWnd = 10 * MSS;
    c.cwnd = 100;
    c.pacingRate = 1e10;
    const { writeXmit } = await import("../../src/tcp/data-out.js");
    writeXmit(t, sk, c);
    expect(c.sndNxt - una).toBe(10 * MSS);
    // sent skb [0, 10 MSS), write queue: [10, 45) MSS and [45, 90) MSS
    expect([c.sentSkbs.count, c.wq.count]).toEqual([1, 2]);
    expect(c.wmemQueued(OH)).toBe(2 * 45 * MSS + 3 * OH);
    // ACK of 5 MSS, window field 0 (nothing more may go): the sent skb is trimmed by 5 MSS of payload
    injectAck(w, sk, una + 5 * MSS, [], { window: 0, ts: false });
    expect(c.sndUna - una).toBe(5 * MSS);
    expect(c.wmemQueued(OH)).toBe(2 * 45 * MSS - 5 * MSS + 3 * OH);
    // ACK of all 10: the sent skb is freed with its overhead
    injectAck(w, sk, una + 10 * MSS, [], { window: 0, ts: false });
    expect(c.sentSkbs.count).toBe(0);
    expect(c.wmemQueued(OH)).toBe(2 * 45 * MSS - 10 * MSS + 2 * OH);
    // sk_forward_alloc covers what is queued (sndMemSync charged every skb's truesize)
    expect(c.sndMem).toBe(c.wmemQueued(OH));
  });
});
