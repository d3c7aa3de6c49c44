// A pending D-SACK and the next data segment (Linux 6.12, net/ipv4/tcp_input.c): tcp_data_queue sets
// tp->rx_opt.dsack = 0 for every segment with data it handles, before tcp_data_queue_ofo or queue_and_out may
// set a new one; only tcp_rcv_established's fast path (in order, the out-of-order queue empty: pred_flags)
// leaves it for the next ACK. (review10b finding 3.)
// Receiver: quietReceiver (rcv_nxt == rcv_wup, ato 40 ms, no quick-ack, SACK on, the application does not read);
// offsets relative to its rcv_nxt at the start, SACK blocks likewise.
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";

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

  it("an in-order segment with the out-of-order queue empty (the fast path's) keeps it: the next ACK carries it", async () => {
    const { c, rcv, run } = await quietReceiver();
    expect(rcv(-500, 1000)).toEqual([]);
    expect(rcv(500, 100)).toEqual([]);
    expect(c.dsackPending).toBe(true);
    // the delayed ACK (ato 40 ms) writes it
    expect(run(100e6).map((a) => [a.ack, a.blocks])).toEqual([[600, [[-500, 0]]]]);
  });
});
