// tcp_validate_incoming step 1 for segments without RST (Linux 6.12, net/ipv4/tcp_input.c): tcp_sequence drops a
// segment whose end_seq is before rcv_wup (TCP_OLD_SEQUENCE) or whose seq is after rcv_nxt +
// tcp_receive_window (TCP_INVALID_SEQUENCE). Unless tcp_oow_rate_limited skips it (a segment without data or
// FIN: one answer per tcp_invalid_ratelimit, 500 ms, on last_oow_ack_time; TCPACKSkippedSeq), tcp_send_dupack
// answers: for old data DelayedACKLost, quick-ack mode and a D-SACK of [seq, min(end_seq, rcv_nxt)), then
// tcp_send_ack. tcp_ack never runs for such a segment (no tcp_replace_ts_recent), nor tcp_data_queue.
// Receiver: quietReceiver (rcv_nxt == rcv_wup, nothing pending, the application does not read); offsets are
// relative to its rcv_nxt; each segment echoes ts_recent as TSval unless said otherwise (PAWS passes).
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";

async function receiver() {
  const q = await quietReceiver();
  const { w, t, sk, c, nxt } = q;
  const dropped = (r: string): number => w.ledger.report(w.inFlight()).dropped[r] ?? 0;
  /** `len` bytes at nxt + off with TSval `tsVal`; returns the receiver's ACKs sent meanwhile */
  const seg = (off: number, len: number, tsVal = sk.tsRecent) => {
    const before = q.run(0).length;
    tcpRcvState(t, sk, clientSegment(w, sk, off - (c.rcvNxt - nxt), len, TCPHDR_ACK, tsVal));
    return q.run(0).slice(before);
  };
  return { ...q, dropped, seg };
}

describe("tcp_sequence for segments other than RST (tcp_validate_incoming step 1)", () => {
  it("a retransmission wholly below rcv_wup: TCP_OLD_SEQUENCE, one duplicate ACK with its D-SACK, DelayedACKLost, quick-ack; tcp_ack not run (ts_recent kept)", async () => {
    const { sk, c, nstat, dropped, seg } = await receiver();
    const tsRecent = sk.tsRecent;
    const lost = nstat.get("TcpExtDelayedACKLost");
    // before: dropped TCP_OLD_DATA (tcp_data_queue), after tcpAck had taken its TSval into ts_recent
    expect(seg(-3000, 1000, tsRecent + 5).map((a) => [a.ack, a.blocks])).toEqual([[0, [[-3000, -2000]]]]);
    expect(dropped("TCP_OLD_SEQUENCE")).toBe(1);
    expect(dropped("TCP_OLD_DATA")).toBe(0);
    expect(nstat.get("TcpExtDelayedACKLost") - lost).toBe(1);
    expect(nstat.get("TcpExtTCPDSACKOldSent")).toBe(1);
    expect(c.quick).toBeGreaterThan(0);
    expect(sk.tsRecent).toBe(tsRecent);
  });

  it("old data is never rate limited: a second retransmission 100 ms later is answered too", async () => {
    const { nstat, run, seg } = await receiver();
    expect(seg(-3000, 1000).length).toBe(1);
    run(100e6);
    expect(seg(-3000, 1000).length).toBe(1);
    expect(nstat.get("TcpExtTCPACKSkippedSeq")).toBe(0);
  });

  it("an old pure ACK (end_seq before rcv_wup): answered, one 100 ms later skipped (TCPACKSkippedSeq), one 600 ms after the first answered; all dropped", async () => {
    const { nstat, run, dropped, seg } = await receiver();
    const lost = nstat.get("TcpExtDelayedACKLost");
    const replies: number[] = [];
    replies.push(seg(-1000, 0).length);
    run(100e6);
    replies.push(seg(-1000, 0).length);
    run(500e6);
    replies.push(seg(-1000, 0).length);
    // before: each answered (tcp_data_queue's duplicate ACK) and none dropped
    expect(replies).toEqual([1, 0, 1]);
    expect(nstat.get("TcpExtTCPACKSkippedSeq")).toBe(1);
    expect(dropped("TCP_OLD_SEQUENCE")).toBe(3);
    // no data: tcp_send_dupack counts no DelayedACKLost
    expect(nstat.get("TcpExtDelayedACKLost") - lost).toBe(0);
  });

  it("data past the window: TCP_INVALID_SEQUENCE, a duplicate ACK without D-SACK", async () => {
    const { c, nstat, dropped, seg } = await receiver();
    const win = c.receiveWindow();
    expect(win).toBeGreaterThan(0);
    const lost = nstat.get("TcpExtDelayedACKLost");
    // seq = rcv_nxt + window is still tcp_sequence's (tcp_data_queue's TCP_OVERWINDOW); one past it is not
    expect(seg(win + 1, 1000).map((a) => [a.ack, a.blocks])).toEqual([[0, []]]);
    // before: TCP_OVERWINDOW
    expect(dropped("TCP_INVALID_SEQUENCE")).toBe(1);
    expect(dropped("TCP_OVERWINDOW")).toBe(0);
    expect(nstat.get("TcpExtDelayedACKLost") - lost).toBe(0);
    expect(c.ofo.length).toBe(0);
  });
});

describe("tcp_data_queue's TCP_OVERWINDOW exit (seq == rcv_nxt + tcp_receive_window) enters quick-ack mode", () => {
  it("out_of_window: tcp_enter_quickack_mode and the ACK from tcp_ack_snd_check; the next in-order segment is ACKed at once", async () => {
    const { c, dropped, seg } = await receiver();
    const win = c.receiveWindow();
    // tcp_sequence passes it (seq is not after rcv_nxt + window); tcp_data_queue drops it
    expect(seg(win, 1000).map((a) => [a.ack, a.blocks])).toEqual([[0, []]]);
    expect(dropped("TCP_OVERWINDOW")).toBe(1);
    // tcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS): quickacks = rcv_wnd / (2 * rcv_mss), at most 16, at least 2
    // (16 here), less the one its ACK used (tcp_event_ack_sent: tcp_dec_quickack_mode); before: 0
    const quick = Math.min(16, Math.max(2, Math.floor(c.rcvWnd / (2 * c.rcvMss))));
    expect(quick).toBe(16);
    expect(c.quick).toBe(quick - 1);
    // 1000 bytes in order, below rcv_mss: without quick-ack mode a delayed ACK (before: none at once)
    expect(seg(0, 1000).map((a) => a.ack)).toEqual([1000]);
  });
});

// tcp_ack (6.12): before(ack, prior_snd_una) goes to old_ack (or TCP_TOO_OLD_ACK) before
// `if (flag & FLAG_UPDATE_TS_RECENT) tcp_replace_ts_recent`, so on the slow path an old ACK never updates
// ts_recent (review10b finding 9). The quiet receiver sent no data: snd_una = ISN + 1; an ACK of ISN is old.
describe("tcp_replace_ts_recent only for an acceptable ACK (tcp_ack's slow path)", () => {
  it("an old ACK at rcv_nxt == rcv_wup with a newer TSval leaves ts_recent; one of snd_una takes it", async () => {
    const { w, t, sk, c } = await receiver();
    const ts = sk.tsRecent;
    expect(c.rcvNxt).toBe(c.rcvWup);
    // before: the old ACK's TSval became ts_recent
    tcpRcvState(t, sk, clientSegment(w, sk, 0, 0, TCPHDR_ACK, (ts + 5) >>> 0, (sk.sndNxt - 1) >>> 0));
    expect(sk.tsRecent).toBe(ts);
    tcpRcvState(t, sk, clientSegment(w, sk, 0, 0, TCPHDR_ACK, (ts + 5) >>> 0, sk.sndNxt));
    expect(sk.tsRecent).toBe((ts + 5) >>> 0);
  });
});
