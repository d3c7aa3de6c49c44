// tcp_event_data_recv's ato arithmetic is on jiffies (6.12 net/ipv4/tcp_input.c; HZ 1000: whole ms):
// `(icsk_ack.ato >> 1) + TCP_ATO_MIN / 2` for a gap m <= 20 ms, `min3((ato >> 1) + m, icsk_rto, TCP_DELACK_MAX)`
// for m < ato. An odd ato (41 ms after 40 >> 1 + 21) halves to 20, not 20.5 (review12c finding 6).
// Receiver: quietReceiver (ato 40 ms, RTO 1 s; 100-byte segments: no tcp_grow_window, no quick-ack; the second
// of two equal short segments makes rcv_mss 100 (tcp_measure_rcv_mss) and is ACKed at once, which leaves ato).
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";

describe("tcp_event_data_recv: ato on whole jiffies", () => {
  it("gaps 300 ms, 21 ms, 0: ato 40 -> 40 -> 41 -> 40 ms (41 >> 1 = 20)", async () => {
    const { c, rcv, run } = await quietReceiver();
    const ato: number[] = [];
    // 300 ms since the last data: not < ato, not > icsk_rto (1 s): ato unchanged
    rcv(0, 100);
    ato.push(c.ato);
    run(21e6);
    // m 21 ms (> 20, < 40): (40 >> 1) + 21 = 41
    rcv(100, 100);
    ato.push(c.ato);
    // m 0: (41 >> 1) + 20 = 40 (before: 40.5 ms)
    rcv(200, 100);
    ato.push(c.ato);
    expect(ato).toEqual([40e6, 41e6, 40e6]);
  });

  it("gaps 21 ms, 25 ms: ato 41 -> (41 >> 1) + 25 = 45 ms", async () => {
    const { c, rcv, run } = await quietReceiver();
    rcv(0, 100);
    run(21e6);
    rcv(100, 100);
    run(25e6);
    rcv(200, 100);
    // before: 45.5 ms
    expect(c.ato).toBe(45e6);
  });
});
