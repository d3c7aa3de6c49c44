// A pending D-SACK and the next data segment (Linux 6.12, net/ipv4/tcp_input.c): tcp_data_queue sets
// tp->rx_opt.dsack = 0 for every segment it does not free at once (seq != end_seq: data, or a FIN), before the
// out-of-order queue, a partial packet or old data may set a new one (tcp_dsack_set); tcp_options_write clears it
// once written (net/ipv4/tcp_output.c). Only tcp_rcv_established's fast path, which never calls tcp_data_queue,
// leaves it for the next ACK. (review10b finding 3.)
// Receiver: quietReceiver (rcv_nxt == rcv_wup, ato 40 ms, no quick-ack, SACK on, the application does not read);
// offsets relative to its rcv_nxt at the start, SACK blocks likewise.
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import { clientSegment } from "./inject.js";
import { tcpClose, tcpRcvState } from "../../src/tcp/established.js";
import { TCP_CLOSING, TCP_FIN_WAIT1 } from "../../src/tcp/constants.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../../src/wire/tcp.js";

describe("tcp_data_queue clears a pending D-SACK (rx_opt.dsack = 0)", () => {
  it("a partial packet's D-SACK, its ACK delayed, then an out-of-order segment: the duplicate ACK carries only the new SACK block", async () => {
    const { c, rcv } = await quietReceiver();
    // [-500, 500): the old half D-SACKed (tcp_dsack_set), the new half queued in order; 500 bytes past rcv_wup,
    // below rcv_mss: a delayed ACK, the D-SACK waits with it
    expect(rcv(-500, 1000)).toEqual([]);
    expect(c.dsackPending).toBe(true);
    // [2000, 3000) out of order: tcp_data_queue drops the pending D-SACK, tcp_data_queue_ofo builds the first SACK
    // block and tcp_ack_snd_check sends at once (the first duplicate ACKs of SACK compression)
    // before: [[-500, 0], [2000, 3000]]
    expect(rcv(2000, 1000).map((a) => [a.ack, a.blocks])).toEqual([[500, [[2000, 3000]]]]);
    expect(c.dsackPending).toBe(false);
  });

  // The partial packet [-500, 500) came with window field 1000 (not the 502 predicted from the handshake's
  // 64256 >> 7): tcp_ack_update_window took snd_wnd = 1000 << 7 = 128000, pred_flags = 0, tcp_fast_path_check
  // (out-of-order queue empty, rcv_wnd open, sk_rmem_alloc 2304 < sk_rcvbuf) predicts window 1000 again; the
  // header is 32 bytes (aligned timestamp, TSval = ts_recent: no PAWS question), seq = rcv_nxt, ack = snd_una.
  // The skb of [-500, 500) (1066-byte frame: roundup_pow_of_two(1066 + 64 + 320) + 256 = 2304, tcp_try_rmem_schedule
  // took one 4096-byte page) left sk_forward_alloc 1792; the next one (166 bytes: 1024 + 256 = 1280) fits.
  it("an in-order segment header prediction takes (tcp_rcv_established's fast path, no tcp_data_queue) keeps it: the delayed ACK carries it", async () => {
    const { c, nstat, rcv, deliver, run } = await quietReceiver();
    expect(rcv(-500, 1000)).toEqual([]);
    expect([c.predWnd, c.fwdAlloc, c.dsackPending]).toEqual([1000, 1792, true]);
    expect(deliver(500, 100)).toEqual([]);
    expect(nstat.get("TcpExtTCPHPHits")).toBe(1);
    expect(c.dsackPending).toBe(true);
    // __tcp_ack_snd_check: 600 bytes past rcv_wup, below rcv_mss: the delayed ACK (ato 40 ms) writes it
    expect(run(100e6).map((a) => [a.ack, a.blocks])).toEqual([[600, [[-500, 0]]]]);
  });

  it("the same segment with another window field (not predicted: the slow path's tcp_data_queue) drops it: the delayed ACK has no block", async () => {
    const { c, nstat, rcv, deliver, run } = await quietReceiver();
    expect(rcv(-500, 1000)).toEqual([]);
    expect(deliver(500, 100, 1001)).toEqual([]);
    expect(nstat.get("TcpExtTCPHPHits")).toBe(0);
    // before: true, and the delayed ACK [[600, [[-500, 0]]]]
    expect(c.dsackPending).toBe(false);
    expect(run(100e6).map((a) => [a.ack, a.blocks])).toEqual([[600, []]]);
  });

  it("a FIN alone in order goes through tcp_data_queue too: tcp_fin's ACK in FIN_WAIT1 carries no D-SACK", async () => {
    const r = await quietReceiver();
    tcpClose(r.t, r.sk);
    expect(r.sk.state).toBe(TCP_FIN_WAIT1);
    // old data [-1000, 0), not ACKing our FIN (an ACK of it would make the orphan a FIN_WAIT2 timewait sock
    // first), while every skb allocation fails: tcp_data_queue's D-SACK (DelayedACKLost), quick-ack, and an ACK
    // that __tcp_send_ack cannot allocate: rx_opt.dsack stays set (only tcp_options_write clears it)
    const una = (r.sk.sndNxt - 1) >>> 0;
    const env = r.t.env as { alloc(): number };
    const alloc = env.alloc.bind(env);
    env.alloc = () => -1;
    tcpRcvState(r.t, r.sk, clientSegment(r.w, r.sk, -1000, 1000, TCPHDR_ACK, r.sk.tsRecent, una));
    env.alloc = alloc;
    expect([r.sk.state, r.nstat.get("TcpExtDelayedACKLost"), r.c.dsackPending, r.c.ackPending]).toEqual([TCP_FIN_WAIT1, 1, true, true]);
    const before = r.run(0).length;
    // the peer's FIN at rcv_nxt, not ACKing ours: tcp_data_queue (end_seq = seq + 1) clears rx_opt.dsack, tcp_fin
    // sends its ACK (FIN_WAIT1 -> CLOSING) without it; tcp_sack_reset after it
    tcpRcvState(r.t, r.sk, clientSegment(r.w, r.sk, 0, 0, TCPHDR_ACK | TCPHDR_FIN, r.sk.tsRecent, una));
    expect(r.sk.state).toBe(TCP_CLOSING);
    // before: [1, [[-1000, 0]]]
    expect(r.run(0).slice(before).map((a) => [a.ack, a.blocks])).toEqual([[1, []]]);
  });
});
