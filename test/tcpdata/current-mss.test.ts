// tcp_current_mss (6.12 net/ipv4/tcp_output.c): header_len = tcp_established_options(sk, NULL, ...) + 20; when it
// differs from tp->tcp_header_len (20 + 12 with timestamps) mss_now = mss_cache - the difference. With n SACK /
// D-SACK blocks held the next segment carries 4 + 8n option bytes more, so data is sized 1448 - (4 + 8n) and every
// frame still fits the 1500-byte MTU: tcp_sendmsg_locked's size_goal (tcp_send_mss), tcp_write_xmit's mss_now
// (tcp_set_skb_tso_segs: gso_size = mss_now), tcp_retransmit_skb's cur_mss (tcp_fragment of a longer skb) and
// tcp_send_loss_probe's. (review12c finding 4, its probe made exact.)
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { bulk, pair, quietServerSocket } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { appSend, startWriter, wireSeq } from "../../src/tcp/data-out.js";
import { currentMss } from "../../src/tcp/options.js";
import { SegIn } from "../../src/tcp/segment.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { Scoreboard, TCPCB_LOST } from "../../src/tcp/conn.js";

/** b's connection of a bulk a -> b flow whose link died at 2 ms (nothing b sends arrives), b's reader stopped, and
 *  b's skb allocations recorded (what b builds: its segments before GSO). */
async function deadServer() {
  const { w, t, sk, c } = await quietServerSocket();
  expect([sk.tsOk, sk.sackOk, c.mss]).toEqual([true, true, 1448]);
  c.readRate = 0;
  const built: number[] = [];
  const env = t.env as { alloc(): number };
  const alloc = env.alloc.bind(env);
  env.alloc = () => {
    const h = alloc();
    built.push(h);
    return h;
  };
  /** b's data skbs built since the last call: payload, gso_size (0: one segment), gso_segs, SACK blocks, seq. */
  const dataSkbs = () => {
    const out: { seq: number; payload: number; gsoSize: number; gsoSegs: number; sacks: number }[] = [];
    for (const h of built) {
      const s = new SegIn();
      s.parse(w.core.headers, h, w.core.skb.network[h]!, w.core.skb.transport[h]!, false);
      if (s.dataLen === 0) continue;
      out.push({ seq: (s.seq - (sk.iss + 1)) >>> 0, payload: s.dataLen, gsoSize: w.core.skb.gsoSize[h]!, gsoSegs: w.core.skb.gsoSegs[h]!, sacks: s.sackN });
    }
    built.length = 0;
    return out;
  };
  /** out-of-order data from a, 1000 bytes past rcv_nxt, ACKing only b's snd_una: b holds one SACK block */
  const oneBlock = () => {
    tcpRcvState(t, sk, clientSegment(w, sk, 1000, 1000, TCPHDR_ACK, sk.tsRecent, wireSeq(sk.iss + 1, c.sndUna)));
    expect(c.numSacks).toBe(1);
  };
  return { w, t, sk, c, dataSkbs, oneBlock };
}

describe("tcp_current_mss: the SACK option comes off the MSS", () => {
  it("a socket holding one SACK block writes 2 x 1448 as one GSO skb of 1436-byte segments (3); without, 1448 (2)", async () => {
    const a = await deadServer();
    a.dataSkbs();
    expect(currentMss(a.sk, a.c)).toBe(1448);
    appSend(a.t, a.sk, a.c, 2 * 1448);
    // no block: tcp_set_skb_tso_segs(skb, 1448): 2 segments of 1448 (IP 20 + TCP 32 + 1448 = 1500)
    expect(a.dataSkbs()).toEqual([{ seq: 0, payload: 2896, gsoSize: 1448, gsoSegs: 2, sacks: 0 }]);

    const b = await deadServer();
    b.oneBlock();
    b.dataSkbs();
    // eff_sacks 1: header_len 20 + 12 + 4 + 8 = 44 against tcp_header_len 32: mss_now 1448 - 12
    expect(currentMss(b.sk, b.c)).toBe(1436);
    appSend(b.t, b.sk, b.c, 2 * 1448);
    // size_goal and mss_now 1436: one skb of 2896, ceil(2896 / 1436) = 3 segments (1436, 1436, 24), each with the
    // block: IP 20 + TCP 44 + 1436 = 1500
    expect(b.dataSkbs()).toEqual([{ seq: 0, payload: 2896, gsoSize: 1436, gsoSegs: 3, sacks: 1 }]);
    // the retransmit queue keeps the segments: packets_out 3 (tcp_skb_pcount)
    expect(b.c.packetsOut).toBe(3);
  });

  it("a segment sent as 1448 bytes is cut to cur_mss when retransmitted with a block held (loss probe, then RTO)", async () => {
    const x = await deadServer();
    appSend(x.t, x.sk, x.c, 1448);
    expect(x.dataSkbs()).toEqual([{ seq: 0, payload: 1448, gsoSize: 0, gsoSegs: 0, sacks: 0 }]);
    expect(x.c.packetsOut).toBe(1);
    x.oneBlock();
    x.dataSkbs();
    // tcp_send_loss_probe: no send head; the last skb (pcount 1) goes by __tcp_retransmit_skb(skb, 1): len
    // 1448 > cur_mss 1436, tcp_fragment at 1436: [0, 1436) goes, [1436, 1448) stays unsent behind it
    // (tcp_adjust_pcount: packets_out 2)
    const probes = () => x.w.host("b").nstat.get("TcpExtTCPLossProbes");
    expect(probes()).toBe(0);
    while (probes() === 0 && x.c.retransmits === 0) x.w.loop.run(x.w.loop.now + 1e6);
    expect(probes()).toBe(1);
    expect(x.dataSkbs()).toEqual([{ seq: 0, payload: 1436, gsoSize: 0, gsoSegs: 0, sacks: 1 }]);
    expect([x.c.packetsOut, x.c.rtx.count]).toEqual([2, 2]);
    expect([x.c.rtx.start[x.c.rtx.at(1)], x.c.rtx.end[x.c.rtx.at(1)]]).toEqual([1436, 1448]);
    // the RTO: tcp_enter_loss marks both lost (lost_out 2); tcp_retransmit_skb(head, 1): 1436 <= cur_mss, whole
    while (x.c.retransmits === 0) x.w.loop.run(x.w.loop.now + 1e6);
    expect(x.dataSkbs()).toEqual([{ seq: 0, payload: 1436, gsoSize: 0, gsoSegs: 0, sacks: 1 }]);
    expect([x.c.packetsOut, x.c.lostOut, x.c.retransOut]).toEqual([2, 2, 1]);
  });

  it("the RTO's head retransmission is cut too: lost_out and packets_out count the new piece", async () => {
    const x = await deadServer();
    appSend(x.t, x.sk, x.c, 1448);
    x.dataSkbs();
    // no block while the loss probe goes: it resends the 1448 bytes whole
    while (x.w.host("b").nstat.get("TcpExtTCPLossProbes") === 0 && x.c.retransmits === 0) x.w.loop.run(x.w.loop.now + 1e6);
    expect(x.dataSkbs()).toEqual([{ seq: 0, payload: 1448, gsoSize: 0, gsoSegs: 0, sacks: 0 }]);
    x.oneBlock();
    x.dataSkbs();
    // tcp_enter_loss: lost_out 1; tcp_retransmit_skb(head, 1): tcp_fragment at 1436, tcp_adjust_pcount(-1) adds
    // the LOST tail to packets_out and lost_out; [0, 1436) goes (retrans_out 1)
    while (x.c.retransmits === 0) x.w.loop.run(x.w.loop.now + 1e6);
    expect(x.dataSkbs()).toEqual([{ seq: 0, payload: 1436, gsoSize: 0, gsoSegs: 0, sacks: 1 }]);
    expect([x.c.packetsOut, x.c.lostOut, x.c.retransOut, x.c.rtx.count]).toEqual([2, 2, 1, 2]);
  });

  it("both ends sending on one lossy connection: every IP packet on the wire fits the 1500-byte MTU", async () => {
    // a -> b bulk; from 5 ms b writes too, so each end holds SACK blocks for the other's losses while it sends
    for (const seed of [1, 2]) {
      const spec = pair({ durationNs: 100e6, loss: 0.03, delayNs: 200_000, rateBps: 1e9 }, [bulk()]);
      spec.seed = seed;
      const core = await createCore(coreConfigFor(spec));
      let frames = 0;
      let maxIpLen = 0;
      let dataWithSack = 0;
      const s = new SegIn();
      const w = new World(core, spec, (h) => {
        const n = core.skb.network[h]!;
        const off = h * 128 + n;
        // IPv4 total length
        const ipLen = (core.headers[off + 2]! << 8) | core.headers[off + 3]!;
        frames++;
        if (ipLen > maxIpLen) maxIpLen = ipLen;
        s.parse(core.headers, h, n, core.skb.transport[h]!, false);
        if (s.dataLen > 0 && s.sackN > 0) {
          dataWithSack++;
          // a full segment with n blocks: 1448 - (4 + 8n) bytes
          expect(s.dataLen).toBeLessThanOrEqual(1448 - (4 + 8 * s.sackN));
        }
      });
      const go = w.loop.register("test: b writes", () => {
        const t = w.host("b").stack.tcp;
        const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
        sk.conn!.toWrite = Infinity;
        startWriter(t, sk, sk.conn!);
      });
      w.loop.at(5e6, go, 0);
      w.run();
      expect(frames).toBeGreaterThan(500);
      // the walk saw data segments with blocks (the case at stake), and none of any kind above the MTU
      expect(dataWithSack).toBeGreaterThan(10);
      expect(maxIpLen).toBe(1500);
    }
  });

  it("Scoreboard.split keeps the order across the ring's wrap and its growth", () => {
    const rb = new Scoreboard();
    // 64 records (full ring) with the head wrapped at physical 40
    for (let k = 0; k < 40; k++) rb.push(0, 0, 0);
    for (let k = 0; k < 40; k++) rb.shift();
    for (let k = 0; k < 64; k++) rb.push(k * 10, k * 10 + 10, k, k, k);
    rb.flags[rb.at(30)] = TCPCB_LOST;
    rb.split(30, 304);
    expect(rb.count).toBe(65);
    const recs = Array.from({ length: rb.count }, (_, i) => [rb.start[rb.at(i)], rb.end[rb.at(i)], rb.sentAt[rb.at(i)], rb.flags[rb.at(i)]]);
    expect(recs.slice(29, 33)).toEqual([[290, 300, 29, 0], [300, 304, 30, TCPCB_LOST], [304, 310, 30, TCPCB_LOST], [310, 320, 31, 0]]);
    for (let i = 1; i < rb.count; i++) expect(recs[i]![0]).toBe(recs[i - 1]![1]);
    rb.split(64, 635);
    expect([rb.start[rb.at(65)], rb.end[rb.at(65)], rb.count]).toEqual([635, 640, 66]);
  });
});
