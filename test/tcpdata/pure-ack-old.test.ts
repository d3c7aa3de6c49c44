// 6.12's tcp_data_queue (net/ipv4/tcp_input.c) frees any skb with seq == end_seq before anything else: a pure
// ACK that passed tcp_sequence (end_seq >= rcv_wup) is never answered there, even with seq below rcv_nxt
// (a reordered older ACK while the delayed ACK of newer data is pending). review11b finding 2c.
import { expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";

it("a pure ACK at rcv_nxt - 500 while 1000 received bytes wait for their delayed ACK (rcv_wup = rcv_nxt - 1000): no ACK", async () => {
  const q = await quietReceiver();
  const { c } = q;
  const n0 = q.rcv(0, 1000).length; // in order: the delayed ACK is scheduled, nothing sent
  expect(c.ackPending).toBe(true);
  expect(c.rcvNxt - c.rcvWup).toBe(1000);
  // a pure ACK (len 0) whose seq is 500 below rcv_nxt, inside [rcv_wup, rcv_nxt]: passes tcp_sequence
  const acks = q.rcv(500, 0);
  expect(acks.length - n0).toBe(0);
  // the delayed ACK is still pending (nothing went)
  expect(c.ackPending).toBe(true);
});
