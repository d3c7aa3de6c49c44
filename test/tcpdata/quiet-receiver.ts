// A receiver with nothing due, for segments injected by hand: a bulk flow a -> b cut off by a dead link at
// 2 ms, 300 ms later. Then rcv_nxt == rcv_wup (its last ACK), ato 40 ms (TCP_DELACK_MIN: quick-ack mode over),
// lrcvtime 2 ms, no ACK pending; its RTO (201 ms from the handshake's sample, tcp_synack_rtt_meas: ~100 us) is
// set to 1 s, above the 300 ms gap (tcp_event_data_recv enters quick-ack mode after a gap above icsk_rto; a
// wait below 201 ms would let the sender's RTO retransmission at ~203 ms into the tests' windows); rcv_ssthresh is set to window_clamp (no
// tcp_grow_window, whose icsk_ack.quick |= 1 would ACK at once) and the application does not read.
import { expect } from "vitest";
import { quietServerSocket } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { tcpRcvEstablished } from "../../src/tcp/fast-path.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import { SegIn } from "../../src/tcp/segment.js";

/** The receiver, its ACKs (time, ack and SACK blocks relative to its rcv_nxt at the start, parsed from their
 *  header bytes), rcv(off, len) to inject data at that offset into the slow path (tcp_rcv_state_process's
 *  checks, as for a segment header prediction missed), deliver(off, len, window) to offer it to header
 *  prediction first, and run(ns) to let time pass. */
export async function quietReceiver() {
  const { w, t, sk, c } = await quietServerSocket();
  const nstat = w.host("b").nstat;
  expect([c.rcvNxt - c.rcvWup, c.ato, c.lrcvtime, c.rtt.rtoUs, c.quick, c.ackPending]).toEqual([0, 40e6, 2e6, 201_000, 0, false]);
  c.rtt.rtoUs = 1e6;
  expect(sk.sackOk).toBe(true);
  c.readRate = 0;
  c.rcvSsthresh = c.windowClamp;
  const nxt = c.rcvNxt;
  const base = sk.irs + 1;
  // the receiver's ACKs: time and SACK blocks (relative to nxt), parsed from their header bytes
  const acks: { at: number; ack: number; blocks: number[][] }[] = [];
  const pending: [number, number][] = [];
  const env = t.env as { alloc(): number };
  const alloc = env.alloc.bind(env);
  env.alloc = () => {
    const h = alloc();
    pending.push([h, w.loop.now]);
    return h;
  };
  const collect = (): typeof acks => {
    for (const [h, at] of pending) {
      const seg = new SegIn();
      seg.parse(w.core.headers, h, w.core.skb.network[h]!, w.core.skb.transport[h]!, false);
      const blocks: number[][] = [];
      for (let i = 0; i < seg.sackN; i++) blocks.push([(seg.sackL[i]! - base - nxt) | 0, (seg.sackR[i]! - base - nxt) | 0]);
      acks.push({ at, ack: (seg.ack - base - nxt) | 0, blocks });
    }
    pending.length = 0;
    return acks;
  };
  /** `len` bytes at nxt + off (the timestamp echoes ts_recent: no PAWS question), `flags` (default ACK); returns
   *  the ACKs so far. */
  const rcv = (off: number, len: number, flags?: number): typeof acks => {
    tcpRcvState(t, sk, clientSegment(w, sk, off - (c.rcvNxt - nxt), len, flags, sk.tsOk ? sk.tsRecent : undefined));
    return collect();
  };
  /** As rcv, but handed to tcp_v4_do_rcv's tcp_rcv_established (header prediction first, as every segment for
   *  an ESTABLISHED socket is), with the 16-bit window field `window` (clientSegment's default 1000). */
  const deliver = (off: number, len: number, window = 1000): typeof acks => {
    tcpRcvEstablished(t, sk, clientSegment(w, sk, off - (c.rcvNxt - nxt), len, TCPHDR_ACK, sk.tsOk ? sk.tsRecent : undefined, sk.sndNxt, window));
    return collect();
  };
  const run = (ns: number): typeof acks => {
    w.loop.run(w.loop.now + ns);
    return collect();
  };
  return { w, t, sk, c, nstat, nxt, rcv, deliver, run };
}
