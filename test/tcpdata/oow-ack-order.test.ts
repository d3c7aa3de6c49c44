// tcp_data_queue's out-of-window paths (6.12 net/ipv4/tcp_input.c: old data, TCP_OVERWINDOW, TCP_ZEROWINDOW)
// only enter quick-ack mode and schedule the ACK (out_of_window: tcp_enter_quickack_mode,
// inet_csk_schedule_ack); the ACK is tcp_ack_snd_check's, which tcp_rcv_established and tcp_rcv_state_process
// call after tcp_data_snd_check. tcp_data_snd_check (tcp_push_pending_frames, tcp_check_space) in turn runs
// after tcp_data_queue, not inside tcp_ack. So a socket whose data waits for the ACK the segment brings sends
// that data first, carrying the ACK and the D-SACK (tcp_event_ack_sent clears the scheduled ACK), and no pure
// ACK follows. (review12c finding 5.)
// Two-way flow: quietReceiver's b (ato 40 ms, nothing pending, SACK on) has 1000 bytes in flight and 2000 more
// written but held by a send window of 1000 (set by hand); a's segment ACKs the 1000 and opens the window
// (1000 << snd_wscale).
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import { appSend } from "../../src/tcp/data-out.js";

async function twoWay() {
  const r = await quietReceiver();
  const { t, sk, c } = r;
  c.sndWnd = 1000;
  expect(appSend(t, sk, c, 1000)).toBe(1000);
  expect(appSend(t, sk, c, 2000)).toBe(2000);
  expect([c.packetsOut, c.writeSeq - c.sndNxt]).toEqual([1, 2000]);
  // b's own segments so far (the 1000 bytes) are not the test's
  r.run(0).length = 0;
  return r;
}

describe("out-of-window data: the ACK is tcp_ack_snd_check's, after tcp_data_snd_check", () => {
  it("old data (a retransmission of 500 bytes we have): the released data carries the ACK and the D-SACK; no pure ACK", async () => {
    const { c, nstat, rcv } = await twoWay();
    const lost = nstat.get("TcpExtDelayedACKLost");
    const out = nstat.get("TcpOutSegs");
    const acks = rcv(-500, 500);
    // one skb (2000 bytes, TSO: 2 segments) with ack rcv_nxt and the D-SACK block [-500, 0) (before: the data
    // without the block, then a pure ACK with it)
    expect(acks).toEqual([{ at: acks[0]!.at, ack: 0, blocks: [[-500, 0]] }]);
    expect([c.writeSeq - c.sndNxt, c.ackPending, c.dsackPending]).toEqual([0, false, false]);
    expect(nstat.get("TcpExtDelayedACKLost") - lost).toBe(1);
    expect(nstat.get("TcpOutSegs") - out).toBe(2);
    // quick-ack mode entered (tcp_enter_quickack_mode) and one quick ACK used by the data (tcp_dec_quickack_mode)
    expect(c.quick).toBeGreaterThan(0);
  });

  it("past the receive window (TCP_OVERWINDOW): the released data carries the ACK; no pure ACK", async () => {
    const { c, rcv } = await twoWay();
    const acks = rcv(c.receiveWindow(), 100);
    expect(acks.map((a) => [a.ack, a.blocks])).toEqual([[0, []]]);
    expect([c.writeSeq - c.sndNxt, c.ackPending]).toEqual([0, false]);
  });

  it("nothing to send (window still closed): the old data's pure ACK with the D-SACK, as before", async () => {
    const { c, rcv } = await quietReceiver();
    const acks = rcv(-500, 500);
    expect(acks.map((a) => [a.ack, a.blocks])).toEqual([[0, [[-500, 0]]]]);
    expect(c.ackPending).toBe(false);
  });
});
