// A FIN sent on its own (6.12 tcp_send_fin with nothing left unsent): the FIN
// gets an skb of its own at write_seq that eats one sequence number, leaves
// through tcp_write_xmit like data (tcp_cwnd_test holds it too) and stays in
// the retransmit queue until ACKed, so the RTO, the loss probe and RACK cover
// it (tcp_retransmit_skb). The model's retransmit queue holds it as a
// zero-length entry at write_seq; tcp_ack (data-in.ts) removes it only when
// the ACK covers write_seq + 1. FIN_WAIT1 / CLOSING / LAST_ACK end on that ACK
// (established.ts). The receiver answers a duplicate FIN with an ACK that
// D-SACKs the FIN's sequence number (dupFin).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../wire/tcp.js";
import { dsackSet } from "./dsack.js";
import { XMIT_OK, armProbe, enterQuickack, segSent, sndWndTest, transmit, wireSeq } from "./data-out.js";
import { ackSndCheck } from "./data-in.js";

/** c.finAlone: close() queued a FIN skb that waits for cwnd. */
export const FIN_ALONE_QUEUED = 1;
/** c.finAlone: the FIN skb is in the retransmit queue. */
export const FIN_ALONE_SENT = 2;

/** finXmit: the FIN skb was not tried (cwnd or the peer's window holds it). */
export const FIN_HELD = -1;

/** net/ipv4/tcp_output.c: tcp_write_xmit for the FIN skb (tcp_cwnd_test makes no exception for it in 6.12).
 *  `force`: a loss probe (push_one 2) or tcp_write_wakeup, which ignore cwnd; `countPrr` false for
 *  tcp_write_wakeup (no prr_out). Returns FIN_HELD or transmit()'s answer (XMIT_OK: sent). */
export function finXmit(t: TcpHost, sk: TcpSock, c: TcpConn, force = false, countPrr = true): number {
  if (!force && c.packetsInFlight() >= c.cwnd) return FIN_HELD;
  // tcp_snd_wnd_test: the FIN's end_seq, write_seq + 1, must fit the peer's window
  if (!sndWndTest(c, c.writeSeq, 0)) {
    // tcp_push_pending_frames -> tcp_check_probe_timer: zero-window probes until the window opens
    if (c.packetsOut === 0 && c.rtoDeadline === Infinity) armProbe(t, c);
    return FIN_HELD;
  }
  const seq = c.writeSeq;
  const err = transmit(t, sk, c, seq, seq, TCPHDR_ACK | TCPHDR_FIN, 0);
  if (err !== XMIT_OK) {
    // not sent (a qdisc drop entered CWR): it stays the send head; nothing in flight: the probe timer
    if (c.packetsOut === 0 && c.rtoDeadline === Infinity) armProbe(t, c);
    return err;
  }
  c.finAlone = FIN_ALONE_SENT;
  sk.sndNxt = wireSeq(sk.iss + 1, seq + 1);
  c.rtx.push(seq, seq, c.xmitMstamp, c.delivered, c.wmemCharged);
  t.nstat.add(t.mib.OrigDataSent); // tcp_event_new_data_sent: the FIN skb's pcount, 1
  c.packetsOut++;
  segSent(t, c, countPrr);
  return XMIT_OK;
}

/** net/ipv4/tcp_input.c: tcp_data_queue for a FIN already received (end_seq, the FIN's sequence number + 1,
 *  is not after rcv_nxt): DelayedACKLost, tcp_dsack_set over the FIN's sequence number, then out_of_window's
 *  quick-ack mode and the ACK scheduled; the caller's tcp_data_snd_check and tcp_ack_snd_check send it (with
 *  that D-SACK block). `seq` is the FIN's sequence number (relative). */
export function dupFin(t: TcpHost, sk: TcpSock, c: TcpConn, seq: number): void {
  t.nstat.add(t.mib.DelayedACKLost);
  dsackSet(t, sk, c, seq, seq + 1);
  enterQuickack(c);
  c.ackPending = true; // inet_csk_schedule_ack
  ackSndCheck(t, sk, c);
}
