// The SACK blocks a 6.12 receiver sends (net/ipv4/tcp_input.c, tcp_output.c),
// read from the ACK segments' option bytes. tp->selective_acks[4] is kept
// most-recently-changed first: tcp_data_queue_ofo's first skb makes the only
// block; tcp_sack_new_ofo_skb extends the first block the skb touches and
// rotates it to the front (tcp_sack_maybe_coalesce then folds in the blocks
// it reaches), or puts a new block in front and forgets the fourth;
// tcp_sack_remove drops the blocks at or below rcv_nxt; tcp_prune_ofo_queue
// and tcp_fin call tcp_sack_reset. tcp_established_options sends
// num_sacks + dsack blocks, at most (40 - 12 - 4) / 8 = 3 with timestamps and
// (40 - 4) / 8 = 4 without; tcp_options_write starts at duplicate_sack[0]
// (selective_acks[] follows it) when a D-SACK is pending.
// Offsets are bytes past rcv_nxt before the test; Rk = [2000k - 1000, 2000k).
import { describe, expect, it } from "vitest";
import { bulk, pair, stalledReceiver, type PairOpts } from "./helpers.js";
import { clientConn, clientSegment, injectAck } from "./inject.js";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { SegIn } from "../../src/tcp/segment.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST } from "../../src/wire/tcp.js";

async function receiver(o: PairOpts = {}) {
  // one ACK per segment: no SACK compression (test/tcpdata/comp-sack has it)
  const r = await stalledReceiver({ ...o, sysctl: { "net.ipv4.tcp_comp_sack_nr": 0, ...o.sysctl } });
  const { t, sk, c, w } = r;
  const nxt = c.rcvNxt;
  const base = sk.irs + 1;
  const tsVal = sk.tsOk ? sk.tsRecent : undefined; // the peer's last TSval: passes PAWS
  // every skb the receiver's TCP allocates (its ACKs), parsed back from the header bytes
  const sent: number[] = [];
  const env = t.env as { alloc(): number };
  const alloc = env.alloc.bind(env);
  env.alloc = () => {
    const h = alloc();
    sent.push(h);
    return h;
  };
  /** `len` bytes at nxt + off: the SACK blocks of the ACK it makes (relative to nxt). */
  const rcv = (off: number, len: number, flags = TCPHDR_ACK): number[][] => {
    sent.length = 0;
    tcpRcvState(t, sk, clientSegment(w, sk, off - (c.rcvNxt - nxt), len, flags, tsVal));
    expect(sent.length).toBe(1);
    const h = sent[0]!;
    const seg = new SegIn();
    seg.parse(w.core.headers, h, w.core.skb.network[h]!, w.core.skb.transport[h]!, false);
    const blocks: number[][] = [];
    for (let i = 0; i < seg.sackN; i++) blocks.push([(seg.sackL[i]! - base - nxt) >>> 0, (seg.sackR[i]! - base - nxt) >>> 0]);
    return blocks;
  };
  /** An RST at nxt + off. */
  const rst = (off: number): void => tcpRcvState(t, sk, clientSegment(w, sk, off - (c.rcvNxt - nxt), 0, TCPHDR_RST | TCPHDR_ACK, tsVal));
  return { ...r, nxt, rcv, rst };
}

const R = (k: number): number[] => [2000 * k - 1000, 2000 * k];

describe("SACK blocks: tp->selective_acks[], most recent first", () => {
  it("descending arrivals: newest first; the fifth block forgets R5; a filled hole removes R1; R5's neighbour gets a block of its own", async () => {
    const { rcv } = await receiver();
    expect(rcv(9000, 1000)).toEqual([R(5)]);
    expect(rcv(7000, 1000)).toEqual([R(4), R(5)]);
    expect(rcv(5000, 1000)).toEqual([R(3), R(4), R(5)]);
    // 4 blocks kept, 3 sent with timestamps
    expect(rcv(3000, 1000)).toEqual([R(2), R(3), R(4)]);
    // the array is full: R5 (the last) is forgotten though its data stays queued
    expect(rcv(1000, 1000)).toEqual([R(1), R(2), R(3)]);
    // rcv_nxt moves to 2000 (R1 joins the receive queue): tcp_sack_remove drops R1, the rest keep their order
    expect(rcv(0, 1000)).toEqual([R(2), R(3), R(4)]);
    // [10000, 11000) touches queued R5 but no block: a new block of its own bytes only, in front
    expect(rcv(10000, 1000)).toEqual([[10000, 11000], R(2), R(3)]);
  });

  it("an extended block rotates to the front; a segment joining two blocks coalesces them there", async () => {
    const { rcv } = await receiver();
    rcv(5000, 1000);
    rcv(3000, 1000);
    expect(rcv(1000, 1000)).toEqual([R(1), R(2), R(3)]);
    // [6000, 7000) extends R3 to [5000, 7000), third in the array: rotated to the front
    expect(rcv(6000, 1000)).toEqual([[5000, 7000], R(1), R(2)]);
    // [2000, 3000): [5000, 7000) does not touch it, R1 does (second): R1 grows to [1000, 3000) and goes in
    // front; tcp_sack_maybe_coalesce folds in R2 ([3000, 4000) touches 3000) but not [5000, 7000)
    expect(rcv(2000, 1000)).toEqual([[1000, 4000], [5000, 7000]]);
  });

  it("without timestamps 4 blocks go; a duplicate of R3 is D-SACKed first and its block rotates to the front", async () => {
    const { sk, rcv } = await receiver({ clientSysctl: { "net.ipv4.tcp_timestamps": 0 } });
    expect(sk.tsOk).toBe(false);
    for (const k of [5, 4, 3, 2]) rcv(2000 * k - 1000, 1000);
    expect(rcv(1000, 1000)).toEqual([R(1), R(2), R(3), R(4)]);
    // all its bits are queued: tcp_dsack_set, then add_sack extends R3 (third) and rotates it; 5 blocks, 4 fit
    expect(rcv(5000, 1000)).toEqual([R(3), R(3), R(1), R(2)]);
    // the D-SACK went once (rx_opt.dsack cleared by tcp_options_write): a new segment's ACK has its own block
    // in front, the fourth (R4) forgotten, and no D-SACK block before it
    expect(rcv(11000, 1000)).toEqual([[11000, 12000], R(3), R(1), R(2)]);
  });

  it("tcp_prune_ofo_queue resets them: a segment inside the pruned range is D-SACKed and is the only block", async () => {
    // test/tcpdata/ofo-prune: 36 frames after a hole are two skbs of 2304 + 17·2048 truesize; with sk_rcvbuf
    // locked at 60000 the next segment prunes the last skb, leaving [M, 19M) queued
    const M = 1448;
    const { c, rcv } = await receiver();
    for (let i = 1; i < 36; i++) rcv(i * M, M);
    expect(rcv(36 * M, M)).toEqual([[M, 37 * M]]);
    c.rcvbufLocked = true;
    c.rcvbuf = 60000;
    // [10M, 11M) is queued already: tcp_dsack_set, then tcp_sack_new_ofo_skb with no block left makes one
    expect(rcv(10 * M, M)).toEqual([[10 * M, 11 * M], [10 * M, 11 * M]]);
    expect([c.ofo.length, c.ofo[0]!.end - c.rcvNxt]).toEqual([1, 19 * M]);
    // the next ACK: only that block, though [M, 19M) is queued
    expect(rcv(10 * M, M)).toEqual([[10 * M, 11 * M], [10 * M, 11 * M]]);
  });

  it("an out-of-order segment with a FIN: its block's end_seq counts the FIN", async () => {
    const { rcv } = await receiver();
    expect(rcv(2000, 1000, TCPHDR_ACK | TCPHDR_FIN)).toEqual([[2000, 3001]]);
  });

  it("a bare FIN past a hole, then the same FIN again: TCPOFOMerge, dropped TCP_OFOMERGE, D-SACKed, ACKed at once", async () => {
    const { rcv, w, nstat } = await receiver();
    // tcp_data_queue_ofo queues the FIN skb [3000, 3001) and __tcp_ack_snd_check ACKs at once
    expect(rcv(3000, 0, TCPHDR_ACK | TCPHDR_FIN)).toEqual([[3000, 3001]]);
    const merged = nstat.get("TcpExtTCPOFOMerge");
    // the same FIN (a loss probe's retransmission): the queued skb covers all its bits — a D-SACK block
    // first, then tcp_sack_new_ofo_skb's block (the same one), and the skb is dropped
    expect(rcv(3000, 0, TCPHDR_ACK | TCPHDR_FIN)).toEqual([[3000, 3001], [3000, 3001]]);
    expect(nstat.get("TcpExtTCPOFOMerge")).toBe(merged + 1);
    expect(w.ledger.report(w.inFlight()).dropped.TCP_OFOMERGE).toBe(1);
  });
});

describe("tcp_validate_incoming: an in-window RST resets at the right-most end of selective_acks[]", () => {
  async function afterForget() {
    const r = await receiver();
    for (const k of [5, 4, 3, 2, 1]) r.rcv(2000 * k - 1000, 1000);
    // blocks R2, R3, R4 (max end 8000); the queue still ends at 10000 (R5)
    expect(r.rcv(0, 1000)).toEqual([R(2), R(3), R(4)]);
    return r;
  }
  it("the queue's end (R5's, no longer a block): challenge ACK, the RST dropped TCP_RESET", async () => {
    const { t, rst, w } = await afterForget();
    rst(10000);
    expect(t.states().ESTABLISHED).toBe(1);
    expect(w.ledger.report(w.inFlight()).dropped.TCP_RESET).toBe(1);
  });
  it("R4's end (the blocks' highest): the connection resets", async () => {
    const { t, rst } = await afterForget();
    rst(8000);
    expect(t.states().ESTABLISHED).toBeUndefined();
  });
});

describe("zero-window probes carry the SACK blocks (tcp_xmit_probe_skb -> tcp_transmit_skb -> tcp_established_options)", () => {
  it("a sender with out-of-order data from its peer sends [+1000, +1100) in every probe", async () => {
    // a bulk flow into a receiver that never reads, over a 10 ms one-way link (test/tcpdata/probe0): the
    // window closes, probes go from ~0.25 s; at 100 ms, 100 bytes from b 1000 bytes past a's rcv_nxt
    const spec = pair({ durationNs: 1.5e9, delayNs: 10e6, app: { kind: "sink", readRate: 0 } }, [bulk()]);
    const core = await createCore(coreConfigFor(spec));
    let dataEnd = 0;
    const probeSacks: number[][][] = [];
    let rel = (x: number): number => x;
    const tap = (h: number): void => {
      const seg = new SegIn();
      seg.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
      if (core.headers[h * SKB_HEADROOM + core.skb.network[h]! + 15] !== 1) return; // from a only
      if (seg.dataLen > 0) dataEnd = Math.max(dataEnd, (seg.seq + seg.dataLen) >>> 0);
      else if (dataEnd !== 0 && seg.seq === ((dataEnd - 1) >>> 0)) {
        const b: number[][] = [];
        for (let i = 0; i < seg.sackN; i++) b.push([rel(seg.sackL[i]!), rel(seg.sackR[i]!)]);
        probeSacks.push(b);
      }
    };
    const w = new World(core, spec, tap);
    w.loop.at(
      100e6,
      w.loop.register("test: out-of-order data into a", () => {
        const { sk, c } = clientConn(w);
        const nxt = sk.rcvNxt;
        rel = (x) => (x - nxt) >>> 0;
        injectAck(w, sk, c.sndUna, [], { window: 0, payload: 100, seqOff: 1000 });
        expect(c.ofo.length).toBe(1);
      }),
      0,
    );
    w.run();
    expect(clientConn(w).c.sndWnd).toBe(0);
    expect(probeSacks.length).toBeGreaterThanOrEqual(2);
    for (const b of probeSacks) expect(b).toEqual([[1000, 1100]]);
  });
});
