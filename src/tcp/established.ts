// Segments for synchronized sockets (tcp_rcv_state_process / tcp_rcv_established
// without data transfer): RST, duplicate SYN-ACKs, and the FIN exchange
// ESTABLISHED -> FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT (active close) or
// ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSE (passive close). A FIN is
// retransmitted with the data it rides on or as an skb of its own (fin.ts).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import {
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_CLOSING,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_LAST_ACK,
  TCP_TIME_WAIT,
} from "./constants.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from "../wire/tcp.js";
import { ackSndCheck, dataSndCheck, ofoBareFin, rcvRttMeasureTs, tcpAck, tcpDataQueue } from "./data-in.js";
import { sendAck, sendFin, unwrap, wireSeq } from "./data-out.js";
import { connInit } from "./data-init.js";
import { dupFin } from "./fin.js";
import { cancelCompAckTimer } from "./comp-sack.js";
import { dsackSet } from "./dsack.js";
import { sendHead } from "./send-head.js";
import { ofoEmpty, sackMaxEnd, sackNewOfoSkb, sackReset } from "./sack-blocks.js";
import { tcpFinWait1Acked, tcpTimeWait } from "./timewait.js";
import { challengeAckAllowed, oowRateLimited, segOowRateLimited } from "./oow-rate-limit.js";
import { pawsDiscard, replaceTsRecent, sendDupack } from "./paws.js";

/** close() by the application: send FIN (tcp_close -> tcp_send_fin). */
export function tcpClose(t: TcpHost, sk: TcpSock): void {
  if (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT) return;
  t.disarm(sk);
  const peerFin = sk.state === TCP_CLOSE_WAIT;
  sk.state = peerFin ? TCP_LAST_ACK : TCP_FIN_WAIT1;
  sk.finSent = true;
  // tcp_send_fin: unsent data carries the FIN, else a FIN skb of its own (data-out.ts, fin.ts); both are
  // retransmitted like data (loss probe, RTO). A socket that moved no data gets its transfer state now,
  // from what the handshake left (tcp_init_transfer ran at ESTABLISHED in the kernel).
  let c = sk.conn;
  if (c === null) {
    c = connInit(t, sk, {}, sk.peerWindow, sk.synRttNs);
    c.eof = peerFin;
  }
  sendFin(t, sk, c);
}

/** The application owning this end wants it closed once the peer is done
 *  (client: always; server child: once accept() has returned it). */
function appClosesOnEof(sk: TcpSock): boolean {
  return sk.listener === null || sk.accepted;
}

/** The socket is gone for the application: unaccepted children stay queued
 *  (in CLOSE) until accept() returns them. */
function finish(t: TcpHost, sk: TcpSock): void {
  if (sk.listener !== null && !sk.accepted) {
    t.disarm(sk);
    sk.state = TCP_CLOSE;
    return;
  }
  t.destroy(sk);
}

/** net/ipv4/tcp.c: tcp_done (after tcp_reset or tcp_write_err): tcp_set_state(TCP_CLOSE) counts EstabResets
 *  from ESTABLISHED or CLOSE_WAIT; the application (woken by sk_state_change, or none for an orphan) lets go. */
export function tcpDone(t: TcpHost, sk: TcpSock): void {
  if (sk.state === TCP_ESTABLISHED || sk.state === TCP_CLOSE_WAIT) t.nstat.add(t.mib.EstabResets);
  // (a child still in the accept queue keeps its socket; the lazy timers find nothing)
  if (sk.conn !== null) clearXmitTimers(t, sk.conn);
  finish(t, sk);
}

/** include/net/tcp.h: tcp_clear_xmit_timers (tcp_done's) — the pacing and compressed-ACK hrtimers cancelled,
 *  inet_csk_clear_xmit_timers: icsk_pending and icsk_ack.pending cleared, the retransmit and delayed-ACK timers
 *  stopped (the model's lazy wheel entries find no deadline). */
export function clearXmitTimers(t: TcpHost, c: TcpConn): void {
  if (c.paceEvent >= 0) {
    t.env.loop.cancel(c.paceEvent);
    c.paceEvent = -1;
  }
  cancelCompAckTimer(t, c);
  c.rtoDeadline = Infinity;
  c.rtoTimerAt = Infinity;
  c.xmitPending = 0;
  c.delackDeadline = Infinity;
  c.delackTimerAt = Infinity;
  c.ackPending = false;
  c.ackNow = false;
  c.ackPushed = 0;
}

/** net/ipv4/tcp_input.c: tcp_fin — the peer's FIN is in sequence (rcv_nxt moves past it: tcp_rcv_nxt_update).
 *  Reached from the segment that carries it or, for a FIN that waited past a hole, from tcp_data_queue's
 *  tcp_ofo_queue (data-in.ts), before tcp_ack_snd_check. The ACK is only scheduled (inet_csk_schedule_ack):
 *  in ESTABLISHED the socket enters pingpong mode (inet_csk_enter_pingpong_mode), so tcp_ack_snd_check
 *  delays it (not in quick-ack mode: tcp_in_quickack_mode) and an application that closes at EOF sends one
 *  FIN|ACK; only FIN_WAIT1 and FIN_WAIT2 ACK at once. */
export function tcpFin(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  sk.rcvNxt = (sk.rcvNxt + 1) >>> 0;
  c.ackPending = true; // inet_csk_schedule_ack
  c.eof = true;
  c.app?.onEof?.(c);
  switch (sk.state) {
    case TCP_ESTABLISHED:
      sk.state = TCP_CLOSE_WAIT;
      c.pingpong = t.pingpongThresh; // inet_csk_enter_pingpong_mode
      break;
    case TCP_FIN_WAIT1:
      // tcp_send_ack (__tcp_transmit_skb: the SACK blocks and a pending D-SACK are still there), then CLOSING
      sendAck(t, sk, c);
      sk.state = TCP_CLOSING;
      break;
    case TCP_FIN_WAIT2:
      // tcp_fin: tcp_send_ack, tcp_time_wait(sk, TCP_TIME_WAIT, 0) (a full FIN_WAIT2 socket: its FIN came with
      // the ACK of ours, or its fin time is beyond TCP_TIMEWAIT_LEN)
      sendAck(t, sk, c);
      tcpTimeWait(t, sk, TCP_TIME_WAIT, 0);
      break;
    // CLOSE_WAIT, CLOSING, LAST_ACK: the ACK is tcp_ack_snd_check's
  }
  // after the switch, tcp_fin purges the out-of-order queue (the model keeps whatever a peer sent past its FIN)
  // and tcp_sack_reset forgets the blocks and a pending D-SACK: the FIN_WAIT ACK above carried them
  if (sk.sackOk) sackReset(c);
}

export function tcpRcvState(t: TcpHost, sk: TcpSock, h: number): void {
  const rx = t.rx;
  const flg = rx.flags;
  const st0 = sk.state;
  // a segment from the backlog of a socket that went to TIME_WAIT meanwhile: tcp_time_wait's tcp_done left the
  // full socket in TCP_CLOSE, which tcp_rcv_state_process drops (timewait.ts takes the ones tcp_v4_rcv finds)
  if (sk.tw) {
    t.dropSkb(h, "TCP_CLOSE");
    return;
  }
  // tcp_rcv_established's slow path (header prediction wants ACK) and tcp_rcv_state_process: a segment with none
  // of ACK, RST and SYN is dropped before tcp_validate_incoming (no PAWS, no tcp_sequence answer), no counter
  if (!(flg & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN))) {
    t.dropSkb(h, "TCP_FLAGS");
    return;
  }
  // tcp_validate_incoming: RFC 7323 PAWS first (tcp_fast_parse_options sees a timestamp once negotiated). A
  // rejected RST goes on to the sequence checks, a rejected SYN to syn_challenge: both as if it had passed.
  if (sk.tsOk && rx.ts && !(flg & (TCPHDR_RST | TCPHDR_SYN)) && pawsDiscard(t, sk)) {
    t.nstat.add(t.mib.PAWSEstab);
    const endSeq = (rx.seq + rx.dataLen + (flg & TCPHDR_FIN ? 1 : 0)) >>> 0; // no SYN here
    if (!segOowRateLimited(t, sk, endSeq, t.mib.AckSkippedPAWS)) sendDupack(t, sk);
    t.dropSkb(h, "TCP_RFC7323_PAWS");
    return;
  }
  // tcp_validate_incoming step 1, tcp_sequence: a segment outside the window is answered with a duplicate ACK
  // (tcp_send_dupack: DelayedACKLost, quick-ack and a D-SACK for old data), at most one per tcp_invalid_ratelimit
  // unless it carries data or a FIN (TCPACKSkippedSeq), and dropped with tcp_sequence's reason: its ACK field is
  // not processed. (An RST checks it in its own branch below; a SYN goes to syn_challenge either way.)
  if (!(flg & (TCPHDR_RST | TCPHDR_SYN))) {
    const outside = tcpSequenceDrop(t, sk);
    if (outside !== null) {
      const endSeq = (rx.seq + rx.dataLen + (flg & TCPHDR_FIN ? 1 : 0)) >>> 0;
      if (!segOowRateLimited(t, sk, endSeq, t.mib.AckSkippedSeq)) sendDupack(t, sk);
      t.dropSkb(h, outside);
      return;
    }
  }
  if (flg & TCPHDR_RST) {
    // tcp_validate_incoming (RFC 5961): an exact rcv_nxt match resets, or
    // rcv_nxt - 1 once the peer's FIN is in (tcp_reset_check)
    const st = sk.state;
    const afterFin = st === TCP_CLOSE_WAIT || st === TCP_LAST_ACK || st === TCP_CLOSING;
    if (rx.seq !== sk.rcvNxt && !(afterFin && rx.seq === ((sk.rcvNxt - 1) >>> 0))) {
      // outside the window: tcp_sequence's reason; in the window but not exact: the right-most end of the
      // SACK blocks we keep (selective_acks[], not the out-of-order queue) resets, anything else is answered with a challenge ACK
      const outside = tcpSequenceDrop(t, sk);
      if (outside === null) {
        if (sk.sackOk && sk.conn !== null && sk.conn.numSacks > 0 && rx.seq === wireSeq(sk.irs + 1, sackMaxEnd(sk.conn))) {
          resetAccepted(t, sk, h);
          return;
        }
        sendChallengeAck(t, sk);
      }
      t.dropSkb(h, outside ?? "TCP_RESET");
      return;
    }
    resetAccepted(t, sk, h);
    return;
  }
  if (flg & TCPHDR_SYN) {
    // tcp_validate_incoming, step 4 (RFC 5961 4.2), in the window or not (tcp_sequence's failure goes to
    // syn_challenge too): TcpInErrs when tcp_rcv_established called it (syn_inerr: ESTABLISHED only),
    // TCPSYNChallenge, tcp_send_challenge_ack, dropped TCP_INVALID_SYN. A retransmitted SYN-ACK (our final ACK
    // lost or dropped by an overflowing listener) is one.
    if (sk.state === TCP_ESTABLISHED) t.nstat.add(t.mib.InErrs);
    t.nstat.add(t.mib.SynChallenge);
    sendChallengeAck(t, sk);
    t.dropSkb(h, "TCP_INVALID_SYN");
    return;
  }
  // Data-transfer sockets: the ACK half (tcp_ack), then the data (tcp_data_queue)
  let drop: string | null = null;
  let c = sk.conn;
  if (c !== null) {
    // (an ACK of everything, our FIN included, once the FIN has left: nothing for tcp_ack to do unless it
    // carries SACK blocks, a D-SACK of a duplicate FIN that tcp_sacktag_write_queue still checks; a FIN
    // still waiting for the window leaves sndNxt short of it, and the window update must reach tcp_ack)
    const finOut = sk.finSent && !sendHead(c);
    // (tcp_parse_options takes SACK blocks only with sack_ok: a non-SACK socket takes this shortcut whatever
    // the peer put in the option; tcp_ack would only have refreshed rcv_tstamp, probes_out and the send window,
    // which nothing reads once the FIN is ACKed — no effect to observe)
    const sacks = sk.sackOk ? rx.sackN : 0;
    if (flg & TCPHDR_ACK && !(finOut && rx.ack === sk.sndNxt && c.sndNxt === c.sndUna && c.packetsOut === 0 && sacks === 0)) {
      if (!tcpAck(t, sk, c) && !sk.finSent) drop = "TCP_ACK_UNSENT_DATA";
      // tcp_rcv_established's slow path: tcp_rcv_rtt_measure_ts after tcp_ack for every segment, also one
      // without data (it only remembers the TSecr: tcpDataQueue measures data segments); not for the segment
      // that completes a handshake (a bare FIN on it), which the child runs in SYN_RECV
      else if (st0 === TCP_ESTABLISHED && rx.dataLen === 0 && !t.synRecvSeg) rcvRttMeasureTs(t, sk, c, flg & TCPHDR_FIN ? 1 : 0);
    } else if (flg & TCPHDR_ACK) {
      // tcp_ack's tcp_replace_ts_recent and its slow branch's TCPPureAcks (the rest of tcp_ack has nothing to do)
      replaceTsRecent(t, sk, unwrap(sk.irs + 1, rx.seq, c.rcvNxt) <= c.rcvWup + c.rcvWupFin);
      if (rx.dataLen === 0 && !(flg & TCPHDR_FIN)) t.nstat.add(t.mib.PureAcks);
    }
  } else if (flg & TCPHDR_ACK && rx.ack === sk.sndNxt) {
    // tcp_ack's tcp_replace_ts_recent for a socket without transfer state (rcv_wup = rcv_nxt, snd_una = snd_nxt:
    // an ACK below it is old_ack's, above it tcp_ack's invalid one, neither updates ts_recent), and its slow
    // branch's TCPPureAcks (ack_seq == snd_una moves nothing: the fast path's tcp_ack takes that branch too)
    replaceTsRecent(t, sk, ((rx.seq - sk.rcvNxt) | 0) <= 0);
    if (rx.dataLen === 0 && !(flg & TCPHDR_FIN)) t.nstat.add(t.mib.PureAcks);
  }
  // tcp_rcv_state_process: after tcp_ack and before the data (tcp_data_queue), FIN_WAIT1 / CLOSING / LAST_ACK
  // move on once snd_una == write_seq, our FIN included: not while the FIN still waits to be sent (for the
  // window), when snd_nxt is short of it
  if (flg & TCPHDR_ACK && sk.finSent && rx.ack === sk.sndNxt && (c === null || !sendHead(c))) {
    if (sk.state === TCP_FIN_WAIT1) {
      const next = tcpFinWait1Acked(t, sk, c);
      if (next === "consumed") {
        // goto consume: no tcp_data_snd_check (everything was ACKed)
        if (c !== null) c.sndDue = 0;
        done(t, h, drop);
        return;
      }
      if (next === "abort") {
        if (c !== null) c.sndDue = 0;
        // tcp_v4_do_rcv: the reason returned -> tcp_v4_send_reset(sk, skb), then the drop
        t.sendReset(sk.txhash);
        t.dropSkb(h, "TCP_ABORT_ON_DATA");
        return;
      }
    } else if (sk.state === TCP_CLOSING) {
      // tcp_time_wait(sk, TCP_TIME_WAIT, 0); goto consume: the segment goes no further (no FIN processing)
      if (c !== null) c.sndDue = 0;
      tcpTimeWait(t, sk, TCP_TIME_WAIT, 0);
      done(t, h, drop);
      return;
    } else if (sk.state === TCP_LAST_ACK) {
      if (c !== null) c.sndDue = 0;
      done(t, h, drop);
      finish(t, sk);
      return;
    }
  }
  // tcp_rcv_state_process, step 7: new data once the receive side is shut (RFC 1122's reset) — in FIN_WAIT1 /
  // FIN_WAIT2 (the model's every closer calls close(): RCV_SHUTDOWN), and in CLOSE_WAIT / CLOSING / LAST_ACK
  // (the peer's FIN: RCV_SHUTDOWN) for a segment starting before rcv_nxt
  if (drop === null && sk.state !== TCP_ESTABLISHED && abortOnData(t, sk)) {
    t.nstat.add(t.mib.AbortOnData);
    // tcp_reset -> tcp_done_with_error; tcp_v4_do_rcv: tcp_v4_send_reset(sk, skb) (sk_txhash), then the drop
    if (c !== null) c.sndDue = 0;
    tcpDone(t, sk);
    t.sendReset(sk.txhash);
    t.dropSkb(h, "TCP_ABORT_ON_DATA");
    return;
  }
  // step 7's CLOSE_WAIT / CLOSING / LAST_ACK: a segment at or past rcv_nxt (after the peer's FIN) is not queued
  // (no FIN processing): tcp_data_snd_check and tcp_ack_snd_check, then freed by tcp_drop_reason (NOT_SPECIFIED)
  const st = sk.state;
  if (drop === null && (st === TCP_CLOSE_WAIT || st === TCP_CLOSING || st === TCP_LAST_ACK) && ((rx.seq - sk.rcvNxt) | 0) >= 0) {
    if (c !== null) ackSndCheck(t, sk, c);
    t.dropSkb(h, "NOT_SPECIFIED");
    return;
  }
  if (c !== null && drop === null && (rx.dataLen > 0 || !(flg & TCPHDR_FIN))) drop = tcpDataQueue(t, sk, c, h);
  // a FIN on an out-of-order segment waits in the out-of-order queue (c.finRcvSeq) until rcv_nxt reaches it
  if (flg & TCPHDR_FIN && c !== null && drop === null && ((rx.seq + rx.dataLen) >>> 0) !== sk.rcvNxt) {
    const end = unwrap(sk.irs + 1, (rx.seq + rx.dataLen) >>> 0, c.rcvNxt);
    // a FIN alone goes through tcp_data_queue too (data-in.ts ofoBareFin); tcp_data_queue_ofo counts every skb it
    // is handed, before its walk (a FIN carried by data was counted there)
    if (rx.dataLen === 0 && end > c.rcvNxt) {
      drop = ofoBareFin(t, sk, c, h, end);
      if (drop === null) t.nstat.add(t.mib.OFOQueue);
    }
    if (drop !== null) {
      // dropped by tcp_data_queue: TCP_OVERWINDOW or PROTO_MEM
    } else if (c.finRcvSeq >= 0) {
      // tcp_data_queue_ofo: a bare FIN again (e.g. a loss probe past a hole) is covered by the queued one —
      // TCPOFOMerge, dropped, D-SACKed, its block to the front; the ACK is tcp_ack_snd_check's (out-of-order
      // data queued: SACK compression)
      if (rx.dataLen === 0 && end === c.finRcvSeq) {
        c.ackPending = true; // inet_csk_schedule_ack
        t.nstat.add(t.mib.OFOMerge);
        drop = "TCP_OFOMERGE";
        dsackSet(t, sk, c, end, end + 1);
        if (sk.sackOk) sackNewOfoSkb(t, sk, c, end, end + 1, false);
        ackSndCheck(t, sk, c);
      }
    } else if (end > c.rcvNxt) {
      const first = ofoEmpty(c);
      c.finRcvSeq = end;
      // a FIN alone (no data to carry it through tcpDataQueue): tcp_data_queue_ofo queues it and
      // tcp_ack_snd_check ACKs it as out-of-order data (SACK compression), its block included
      if (rx.dataLen === 0) {
        c.ackPending = true; // inet_csk_schedule_ack
        if (sk.sackOk) sackNewOfoSkb(t, sk, c, end, end + 1, first);
        ackSndCheck(t, sk, c);
      }
    }
  }
  // a bare FIN in sequence (tcp_data_queue's queue_and_out, also at a zero window; a FIN carried by data went to
  // tcp_fin inside tcpDataQueue)
  if (flg & TCPHDR_FIN && drop === null && ((rx.seq + rx.dataLen) >>> 0) === sk.rcvNxt) {
    // a socket that moved no data gets its transfer state now (tcp_init_transfer ran at ESTABLISHED in the
    // kernel), for the delayed ACK
    if (c === null) c = connInit(t, sk, {}, sk.peerWindow, sk.synRttNs);
    // tcp_data_queue's rx_opt.dsack = 0 (a FIN makes end_seq != seq): tcp_fin's FIN_WAIT ACK carries no D-SACK
    c.dsackPending = false;
    tcpFin(t, sk, c);
    // tcp_rcv_state_process / tcp_rcv_established: tcp_ack_snd_check unless tcp_time_wait closed the socket
    if (!sk.tw && sk.state !== TCP_CLOSE) ackSndCheck(t, sk, c);
  } else if (flg & TCPHDR_FIN && c !== null && rx.dataLen === 0 && c.eof && ((rx.seq + 1) >>> 0) === sk.rcvNxt) {
    dupFin(t, sk, c, unwrap(sk.irs + 1, rx.seq, c.rcvNxt));
  }
  // tcp_data_snd_check where no tcp_ack_snd_check ran it (a pure ACK; a drop), unless the socket is gone (TIME_WAIT,
  // TCP_CLOSE: `if (sk->sk_state != TCP_CLOSE)`)
  if (c !== null && c.sndDue !== 0) {
    if (sk.tw || sk.state === TCP_CLOSE) c.sndDue = 0;
    else dataSndCheck(t, sk, c);
  }
  // the application, woken by tcp_fin's sk_state_change, runs after the softirq: one that closes at EOF sends
  // its FIN now, which carries the delayed ACK (tcp_event_ack_sent)
  if (st0 === TCP_ESTABLISHED && sk.state === TCP_CLOSE_WAIT && appClosesOnEof(sk)) t.closeConn(sk);
  done(t, h, drop);
}

/** net/ipv4/tcp_input.c: tcp_rcv_state_process, step 7's test for t.rx in a state past ESTABLISHED: the receive
 *  side is shut and the segment carries something after rcv_nxt other than a FIN (`end_seq != seq &&
 *  after(end_seq - th->fin, rcv_nxt)`); CLOSE_WAIT, CLOSING and LAST_ACK only test a segment before rcv_nxt. */
function abortOnData(t: TcpHost, sk: TcpSock): boolean {
  const rx = t.rx;
  const st = sk.state;
  if (st === TCP_CLOSE_WAIT || st === TCP_CLOSING || st === TCP_LAST_ACK) {
    if (((rx.seq - sk.rcvNxt) | 0) >= 0) return false;
  } else if (st !== TCP_FIN_WAIT1 && st !== TCP_FIN_WAIT2) return false;
  else if (!sk.finSent) return false; // (no shutdown(SHUT_WR) in the model: a FIN_WAIT socket was closed)
  const fin = rx.flags & TCPHDR_FIN ? 1 : 0;
  const endSeq = (rx.seq + rx.dataLen + fin) >>> 0;
  return endSeq !== rx.seq && ((endSeq - fin - sk.rcvNxt) | 0) > 0;
}

/** The segment's skb is consumed (a plain function: a closure over `drop` would be allocated per segment). */
function done(t: TcpHost, h: number, drop: string | null): void {
  if (drop !== null) t.dropSkb(h, drop);
  else t.deliverSkb(h);
}

/** tcp_validate_incoming's reset: path (tcp_reset, then __kfree_skb: the RST is consumed, not dropped). */
function resetAccepted(t: TcpHost, sk: TcpSock, h: number): void {
  t.deliverSkb(h);
  tcpDone(t, sk);
}

/** net/ipv4/tcp_input.c: tcp_sequence — the drop reason of t.rx's segment outside the receive window (its
 *  end_seq before rcv_wup, or its seq after rcv_nxt + tcp_receive_window; a socket without transfer state has
 *  rcv_wup = rcv_nxt and its first rcv_wnd), null when it is inside. */
function tcpSequenceDrop(t: TcpHost, sk: TcpSock): string | null {
  const rx = t.rx;
  const c = sk.conn;
  const wup = c !== null ? wireSeq(sk.irs + 1, c.rcvWup + c.rcvWupFin) : sk.rcvNxt;
  const wnd = c !== null ? c.rcvWnd : sk.rcvWnd;
  const win = Math.max(0, (wup + wnd - sk.rcvNxt) | 0);
  // end_seq counts a FIN (TCP_SKB_CB(skb)->end_seq; a SYN never comes here)
  const end = (rx.seq + rx.dataLen + (rx.flags & TCPHDR_FIN ? 1 : 0)) >>> 0;
  if (((end - wup) | 0) < 0) return "TCP_OLD_SEQUENCE";
  return ((rx.seq - ((sk.rcvNxt + win) >>> 0)) | 0) <= 0 ? null : "TCP_INVALID_SEQUENCE";
}

/** net/ipv4/tcp_input.c: tcp_send_challenge_ack — the socket's own limit first (__tcp_oow_rate_limited: one per
 *  tcp_invalid_ratelimit, TCPACKSkippedChallenge), then the host-wide quota (tcp_challenge_ack_allowed: a
 *  random count in [limit/2, limit*3/2) per second unless the limit is INT_MAX), then TCPChallengeACK and an ACK. */
function sendChallengeAck(t: TcpHost, sk: TcpSock): void {
  if (oowRateLimited(t, sk, t.mib.AckSkippedChallenge)) return;
  if (!challengeAckAllowed(t)) return;
  t.nstat.add(t.mib.ChallengeACK);
  t.sendAck(sk);
}
