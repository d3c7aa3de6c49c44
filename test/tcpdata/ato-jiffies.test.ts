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

  // At HZ=250 (4 ms jiffies; TCP_ATO_MIN = HZ/25 = 10 jiffies, TCP_ATO_MIN / 2 = 5) the gap m is counted between
  // jiffy ticks and ato halves on whole jiffies. quietReceiver's first injected segment is in jiffy 75 (303 ms).
  it("HZ=250, gaps 21 ms, 0: jiffy 75 -> 81 is m = 6 jiffies: ato (10 >> 1) + 6 = 11 jiffies (44 ms), then (11 >> 1) + 5 = 10 (40 ms)", async () => {
    const { t, w, c, rcv, run } = await quietReceiver();
    t.hz = 250;
    expect(Math.floor(w.loop.now / 4e6)).toBe(75);
    rcv(0, 100);
    // m = 300 ms (jiffy 75's tick) - 2 ms (lrcvtime, stamped while the host ran at HZ=1000): above ato and
    // below icsk_rto (1 s), ato unchanged
    expect(c.ato).toBe(40e6);
    run(21e6);
    expect(Math.floor(w.loop.now / 4e6)).toBe(81);
    rcv(100, 100);
    // before: m = 21 ms, (40 >> 1) + 21 = 41 ms
    expect(c.ato).toBe(44e6);
    rcv(200, 100);
    expect(c.ato).toBe(40e6);
  });

  it("HZ=250, gaps 21 ms, 25 ms: jiffies 75, 81, 87: ato 11 jiffies, then (11 >> 1) + 6 = 11 (44 ms; before 45 ms)", async () => {
    const { t, w, c, rcv, run } = await quietReceiver();
    t.hz = 250;
    rcv(0, 100);
    run(21e6);
    rcv(100, 100);
    run(25e6);
    expect(Math.floor(w.loop.now / 4e6)).toBe(87);
    rcv(200, 100);
    expect(c.ato).toBe(44e6);
  });
});
