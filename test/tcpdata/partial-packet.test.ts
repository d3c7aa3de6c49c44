// tcp_data_queue's partial packet (net/ipv4/tcp_input.c, 6.12): seq < rcv_nxt < end_seq. It sets a D-SACK
// for [seq, rcv_nxt) (tcp_dsack_set), drops the tail with a closed receive window (TCPZeroWindowDrop,
// out_of_window: tcp_enter_quickack_mode, so tcp_ack_snd_check ACKs at once), else goes to queue_and_out as an
// in-order segment: tcp_queue_rcv, tcp_event_data_recv, and no ACK of its own — __tcp_ack_snd_check decides.
// Receiver: quiet-receiver.ts (ato 40 ms, lrcvtime 2 ms, RTO 1 s, rcv_nxt == rcv_wup, 300 ms after the data).
import { describe, expect, it } from "vitest";
import { quietReceiver as receiver } from "./quiet-receiver.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../../src/wire/tcp.js";
import { TCP_LAST_ACK } from "../../src/tcp/constants.js";

describe("tcp_data_queue: a partial packet (seq < rcv_nxt < end_seq)", () => {
  it("is queued as in-order data with its ACK delayed (tcp_send_delayed_ack: ato 40 ms), the D-SACK in it", async () => {
    const { w, c, nstat, nxt, rcv, run } = await receiver();
    const t0 = w.loop.now;
    const recv0 = c.bytesReceived;
    const delayed = nstat.get("TcpExtDelayedACKs");
    // [-500, 500): tcp_event_data_recv — m = 303 - 2 = 301 ms: not <= ato_min/2 (20 ms), not < ato (40 ms),
    // not > rto (1 s): ato stays 40 ms, no quick-ack; rcv_nxt - rcv_wup = 500 <= rcv_mss (1448), no ICSK_ACK_NOW,
    // nothing out of order: tcp_send_delayed_ack, ato not above TCP_DELACK_MIN: icsk_ack.timeout now + 40 ms;
    // icsk_delack_timer is a timer_list (kernel/time/timer.c: calc_wheel_index): 40 jiffies is level 0, run on
    // the jiffy after the expiry (t0 = 303 ms is a jiffy): t0 + 41 ms
    expect(rcv(-500, 1000)).toEqual([]);
    expect([c.rcvNxt - nxt, c.bytesReceived - recv0, c.lrcvtime, c.delackDeadline - t0]).toEqual([500, 500, t0, 40e6]);
    const acks = run(100e6);
    expect(acks).toEqual([{ at: t0 + 41e6, ack: 500, blocks: [[-500, 0]] }]);
    expect(nstat.get("TcpExtDelayedACKs")).toBe(delayed + 1);
  });

  it("with the receive window closed: the tail dropped TCP_ZEROWINDOW, ACKed at once with the D-SACK (quick-ack mode)", async () => {
    const { w, c, nstat, nxt, rcv } = await receiver();
    // tcp_receive_window = rcv_wup + rcv_wnd - rcv_nxt = 0; seq < rcv_nxt passes the out-of-window test
    c.rcvWnd = c.rcvNxt - c.rcvWup;
    expect(c.receiveWindow()).toBe(0);
    const acks = rcv(-500, 1000);
    expect(acks).toEqual([{ at: w.loop.now, ack: 0, blocks: [[-500, 0]] }]);
    expect(c.rcvNxt).toBe(nxt);
    expect(nstat.get("TcpExtTCPZeroWindowDrop")).toBe(1);
    expect(w.ledger.report(w.inFlight()).dropped.TCP_ZEROWINDOW).toBe(1);
  });

  it("old data whose FIN is new (end_seq = rcv_nxt + 1 counts it) is one too: queue_and_out -> tcp_fin, CLOSE_WAIT", async () => {
    const { w, sk, c, nstat, nxt, rcv } = await receiver();
    const recv0 = c.bytesReceived;
    const lost0 = nstat.get("TcpExtDelayedACKLost");
    const old0 = nstat.get("TcpExtTCPDSACKOldSent");
    // the peer's last 1000 bytes again, now with its FIN (e.g. tcp_retrans_try_collapse merged the FIN skb into
    // them): not !after(end_seq, rcv_nxt) (no DelayedACKLost, not dropped TCP_OLD_DATA); the partial packet's
    // tcp_dsack_set(seq, rcv_nxt) (TCPDSACKOldSent), queue_and_out: nothing new but the FIN, tcp_fin:
    // CLOSE_WAIT, pingpong, tcp_sack_reset drops the D-SACK; tcp_ack_snd_check delays the ACK, and the
    // application, closing at EOF, sends its FIN with the ACK of the peer's and no block
    const acks = rcv(-1000, 1000, TCPHDR_ACK | TCPHDR_FIN);
    expect(acks).toEqual([{ at: w.loop.now, ack: 1, blocks: [] }]);
    expect([sk.state, c.eof, c.rcvNxt - nxt, c.bytesReceived - recv0]).toEqual([TCP_LAST_ACK, true, 0, 0]);
    expect(nstat.get("TcpExtDelayedACKLost") - lost0).toBe(0);
    expect(nstat.get("TcpExtTCPDSACKOldSent") - old0).toBe(1);
    expect(w.ledger.report(w.inFlight()).dropped.TCP_OLD_DATA ?? 0).toBe(0);
  });
});
