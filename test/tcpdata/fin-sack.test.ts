// tcp_fin's ACK in FIN_WAIT1 / FIN_WAIT2 carries what every full-socket segment carries (Linux 6.12,
// net/ipv4/tcp_input.c: tcp_fin; net/ipv4/tcp_output.c: __tcp_transmit_skb, tcp_established_options,
// tcp_options_write). tcp_fin's state switch sends first (tcp_send_ack; then CLOSING, or tcp_time_wait) and only
// after the switch purges the out-of-order queue and calls tcp_sack_reset, so the ACK still has:
// - a D-SACK the same segment set: the peer's last data retransmitted with its FIN (seq < rcv_nxt < end_seq,
//   tcp_data_queue's partial packet: tcp_dsack_set(seq, rcv_nxt), then queue_and_out -> tcp_fin);
// - the SACK blocks (rx_opt.num_sacks) of out-of-order data still held;
// - TSval = tcp_skb_timestamp_ts of the skb, stamped max(tcp_wstamp_ns, now) (ahead of now for an fq-paced
//   socket) + tsoffset, TSecr = ts_recent.
// (review11 finding 1 and review11b 5a; the model sent this ACK without blocks and with TSval from now.)
// Receiver: a bulk flow a -> b cut off by a dead link, its receiver quiet; segments are injected at
// rcv_nxt + off. After close() new data resets (tcp_rcv_state_process step 7), so what reaches tcp_fin here is a
// FIN at rcv_nxt: alone, or at the end of data the socket has.
import { describe, expect, it } from "vitest";
import { bulk, deadLinkWorld, pair, type PairOpts } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpClose, tcpRcvState } from "../../src/tcp/established.js";
import { SegIn } from "../../src/tcp/segment.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../../src/wire/tcp.js";
import { TCP_CLOSING, TCP_FIN_WAIT1, TCP_FIN_WAIT2 } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";

interface Sent {
  /** ack relative to the rcv_nxt the test started at */
  ack: number;
  flags: number;
  /** SACK blocks, edges relative to that rcv_nxt */
  blocks: number[][];
  tsVal: number;
  /** TCP header length and the option bytes that are not TSval, TSecr or a SACK edge */
  hdrLen: number;
  opts: number[];
}

async function receiver(o: PairOpts = {}) {
  // tcp_fin_timeout above 60 s: the FIN_WAIT2 socket stays a full one (tcp_time_wait is not taken at FIN_WAIT2)
  const w = await deadLinkWorld(pair({ durationNs: 3e6, ...o, sysctl: { "net.ipv4.tcp_fin_timeout": 61 } }, [bulk()]), 2e6);
  w.run();
  w.loop.run(w.loop.now + 300e6);
  const t = w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  const c = sk.conn!;
  expect([sk.tsOk, sk.sackOk, c.ackPending, c.ofo.length, c.numSacks]).toEqual([true, true, false, 0, 0]);
  c.readRate = 0;
  c.quick = 0;
  c.rcvSsthresh = c.windowClamp;
  const nxt = c.rcvNxt;
  const base = sk.irs + 1;
  const tsVal = sk.tsRecent; // the peer's last TSval: passes PAWS
  const pending: number[] = [];
  const env = t.env as { alloc(): number };
  const alloc = env.alloc.bind(env);
  env.alloc = () => {
    const h = alloc();
    pending.push(h);
    return h;
  };
  const rel = (x: number) => (x - base - nxt) | 0;
  const collect = (): Sent[] => {
    const out: Sent[] = [];
    for (const h of pending) {
      const seg = new SegIn();
      seg.parse(w.core.headers, h, w.core.skb.network[h]!, w.core.skb.transport[h]!, false);
      const blocks: number[][] = [];
      for (let i = 0; i < seg.sackN; i++) blocks.push([rel(seg.sackL[i]!), rel(seg.sackR[i]!)]);
      const th = h * SKB_HEADROOM + w.core.skb.transport[h]!;
      const opts: number[] = [];
      for (let p = th + 20; p < th + seg.hdrLen; ) {
        const kind = w.core.headers[p]!;
        opts.push(kind);
        if (kind === 1) p++;
        else {
          opts.push(w.core.headers[p + 1]!);
          p += w.core.headers[p + 1]!;
        }
      }
      out.push({ ack: rel(seg.ack), flags: seg.flags, blocks, tsVal: seg.tsVal, hdrLen: seg.hdrLen, opts });
    }
    pending.length = 0;
    return out;
  };
  /** `len` bytes at nxt + off (relative to the test's start), acking `ack` (default: snd_nxt, our FIN included). */
  const rcv = (off: number, len: number, flags = TCPHDR_ACK, ack = sk.sndNxt): Sent[] => {
    tcpRcvState(t, sk, clientSegment(w, sk, off - ((sk.rcvNxt - ((base + nxt) >>> 0)) | 0), len, flags, tsVal, ack));
    return collect();
  };
  const close = (): Sent[] => {
    tcpClose(t, sk);
    return collect();
  };
  return { w, t, sk, c, rcv, close, collect, nstat: w.host("b").nstat };
}

describe("tcp_fin's FIN_WAIT1 / FIN_WAIT2 ACK is a full-socket segment: SACK / D-SACK blocks before tcp_sack_reset, TSval from the skb's stamp", () => {
  it("FIN_WAIT2: the peer's last 1000 bytes again with its FIN -> ACK of the FIN with the D-SACK [-1000, 0)", async () => {
    const { rcv, close, t, sk, nstat } = await receiver();
    expect(close().map((s) => s.flags)).toEqual([TCPHDR_ACK | TCPHDR_FIN]);
    expect(rcv(0, 0)).toEqual([]);
    expect(sk.state).toBe(TCP_FIN_WAIT2);
    const old0 = nstat.get("TcpExtTCPDSACKOldSent");
    // tcp_data_queue: partial packet (seq < rcv_nxt < end_seq): tcp_dsack_set(seq, rcv_nxt); queue_and_out ->
    // tcp_fin -> tcp_send_ack: eff_sacks = 0 + 1, the block from duplicate_sack[0]; then TIME_WAIT
    const out = rcv(-1000, 1000, TCPHDR_ACK | TCPHDR_FIN);
    expect(out.map(({ ack, flags, blocks }) => ({ ack, flags, blocks }))).toEqual([{ ack: 1, flags: TCPHDR_ACK, blocks: [[-1000, 0]] }]);
    // tcp_options_write's bytes: NOP, NOP, TIMESTAMP (8, 10, TSval, TSecr), NOP, NOP, SACK (5, 2 + 8 * 1, edges):
    // a 44-byte TCP header
    expect(out[0]!.opts).toEqual([1, 1, 8, 10, 1, 1, 5, 10]);
    expect(out[0]!.hdrLen).toBe(44);
    expect(nstat.get("TcpExtTCPDSACKOldSent") - old0).toBe(1);
    expect(sk.tw).toBe(true);
    // the full socket is gone (tcp_time_wait -> tcp_done), its memory (the all-old skb queued too) returned
    expect(t.mem.allocated + t.mem.pcpu.reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("FIN_WAIT1 (simultaneous close): the same segment, not acking our FIN -> CLOSING, one ACK with the D-SACK", async () => {
    const { rcv, close, sk } = await receiver();
    expect(close().map((s) => s.flags)).toEqual([TCPHDR_ACK | TCPHDR_FIN]);
    expect(sk.state).toBe(TCP_FIN_WAIT1);
    const unacked = (sk.sndNxt - 1) >>> 0; // everything but our FIN
    // tcp_fin: tcp_send_ack (the D-SACK), CLOSING; tcp_ack_snd_check then finds no ACK scheduled (tcp_event_ack_sent)
    const out = rcv(-1000, 1000, TCPHDR_ACK | TCPHDR_FIN, unacked);
    expect(out.map(({ ack, flags, blocks }) => ({ ack, flags, blocks }))).toEqual([{ ack: 1, flags: TCPHDR_ACK, blocks: [[-1000, 0]] }]);
    expect(sk.state).toBe(TCP_CLOSING);
  });

  it("FIN_WAIT2 with out-of-order data held from before close(): a FIN at rcv_nxt -> its ACK carries the block [1000, 2000)", async () => {
    const { rcv, close, sk, c } = await receiver();
    // ESTABLISHED: the out-of-order segment's duplicate ACK goes at once with its block
    expect(rcv(1000, 1000).map((s) => s.blocks)).toEqual([[[1000, 2000]]]);
    // our FIN carries the block too (tcp_send_fin -> __tcp_transmit_skb)
    expect(close().map((s) => [s.flags, s.blocks])).toEqual([[TCPHDR_ACK | TCPHDR_FIN, [[1000, 2000]]]]);
    expect(rcv(0, 0)).toEqual([]);
    expect(sk.state).toBe(TCP_FIN_WAIT2);
    // a FIN at rcv_nxt (end_seq - fin not after rcv_nxt: step 7 lets it through): tcp_fin -> tcp_send_ack with
    // num_sacks 1, then tcp_sack_reset
    const out = rcv(0, 0, TCPHDR_ACK | TCPHDR_FIN);
    expect(out.map(({ ack, flags, blocks }) => ({ ack, flags, blocks }))).toEqual([{ ack: 1, flags: TCPHDR_ACK, blocks: [[1000, 2000]] }]);
    expect([sk.tw, c.numSacks, c.dsackPending]).toEqual([true, 0, false]);
  });

  it("FIN_WAIT2 of an fq-paced socket whose EDT stamp is 3.7 ms ahead: TSval = floor(tcp_wstamp_ns / 1 ms) + tsoffset", async () => {
    const { rcv, close, sk, c, w } = await receiver();
    close();
    expect(rcv(0, 0)).toEqual([]);
    // tcp_wstamp_ns as tcp_update_skb_after_send left it for a paced socket (its last skb's departure time)
    const wstamp = w.loop.now + 3.7e6;
    c.wstampNs = wstamp;
    const out = rcv(0, 0, TCPHDR_ACK | TCPHDR_FIN);
    expect(out.length).toBe(1);
    // __tcp_transmit_skb: tcp_wstamp_ns = max(tcp_wstamp_ns, tcp_clock_cache), the skb stamped with it;
    // tcp_established_options: tcp_skb_timestamp_ts(false, skb) + tsoffset (now's would be 3 or 4 ms less)
    expect(out[0]!.tsVal).toBe((Math.floor(wstamp / 1e6) + sk.tsOff) >>> 0);
    expect(((out[0]!.tsVal - (Math.floor(w.loop.now / 1e6) + sk.tsOff)) | 0) >= 3).toBe(true);
    expect(c.wstampNs).toBe(wstamp);
  });
});
