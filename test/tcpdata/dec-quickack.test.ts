// tcp_event_ack_sent's tcp_dec_quickack_mode (6.12 include/net/tcp.h; called from __tcp_transmit_skb for every
// segment with ACK set, before inet_csk_clear_xmit_timer(ICSK_TIME_DACK)): pkts = inet_csk_ack_scheduled(sk) ?
// 1 : 0; `if (pkts >= quick) { quick = 0; ato = TCP_ATO_MIN; } else quick -= pkts`. So a segment sent with no ACK
// scheduled (a response's further skbs, tcp_cleanup_rbuf's window update, probes) leaves icsk_ack.quick, and the
// scheduled ACK that uses up the last quick ACK deflates ato. (review12c finding 1; its probe's two cases.)
// Receiver: quietReceiver (ato 40 ms, quick 0, nothing pending); quick / pending / ato set by hand.
import { describe, expect, it } from "vitest";
import { quietReceiver as receiver } from "./quiet-receiver.js";
import { sendAck, TCP_ATO_MIN } from "../../src/tcp/data-out.js";

describe("tcp_dec_quickack_mode (tcp_event_ack_sent)", () => {
  it("an ACK with no ACK scheduled (e.g. tcp_cleanup_rbuf's window update) leaves icsk_ack.quick", async () => {
    const { t, sk, c } = await receiver();
    c.quick = 3;
    c.ackPending = false;
    expect(sendAck(t, sk, c)).toBe(true);
    // pkts 0 -> quick stays 3 (before: 2)
    expect(c.quick).toBe(3);
  });

  it("the scheduled ACK that uses up the last quick ACK deflates ato to TCP_ATO_MIN", async () => {
    const { t, sk, c } = await receiver();
    c.quick = 1;
    c.ackPending = true;
    c.ato = 120e6;
    expect(sendAck(t, sk, c)).toBe(true);
    // pkts 1 >= quick 1 -> quick 0, ato 40 ms (before: ato stayed 120 ms)
    expect([c.quick, c.ato, c.ackPending]).toEqual([0, TCP_ATO_MIN, false]);
  });

  it("a scheduled ACK, then two more segments with none scheduled: quick 3 -> 2 -> 2 -> 2, ato untouched", async () => {
    const { t, sk, c } = await receiver();
    c.quick = 3;
    c.ato = 120e6;
    c.ackPending = true;
    const q: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(sendAck(t, sk, c)).toBe(true);
      q.push(c.quick);
    }
    // pkts 1 < quick 3 -> 2; then pkts 0 twice (before: 2, 1, 0)
    expect([q, c.ato]).toEqual([[2, 2, 2], 120e6]);
  });
});
