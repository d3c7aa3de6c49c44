// The congestion state machine of an ACK (net/ipv4/tcp_input.c:
// tcp_fastretrans_alert, 6.12): leaving Recovery/Loss at high_seq, the undo
// attempts (undo.ts), loss identification, entering Recovery. The cwnd
// reduction itself (PRR) stays with the ACK path in data-in.ts.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { TCPCB_LOST, TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS, type TcpConn } from "./conn.js";
import { TCP_CA_Disorder, TCP_CA_Loss, TCP_CA_Open, TCP_CA_Recovery } from "./cc.js";
import { ccRefresh } from "./data-out.js";
import {
  TCP_INFINITE_SSTHRESH,
  NO_UNDO,
  anyRetransDone,
  currentSsthresh,
  inCwndReduction,
  initUndo,
  mayUndo,
  packetDelayed,
  undoCwndReduction,
} from "./undo.js";

/** tcp_mark_head_lost / RFC 6675 IsLost: a hole with `reordering` SACKed segments above it is lost. */
export function markLost(c: TcpConn, sackOk: boolean): number {
  const rb = c.rtx;
  let newly = 0;
  if (!sackOk) {
    // Reno: the head is lost after `reordering` duplicate ACKs
    if (c.dupAcks >= c.reordering && rb.count > 0) {
      const j = rb.at(0);
      if (!(rb.flags[j]! & (TCPCB_LOST | TCPCB_SACKED_RETRANS))) {
        rb.flags[j] = rb.flags[j]! | TCPCB_LOST;
        c.lostOut++;
        newly++;
      }
    }
    return newly;
  }
  if (c.sackedOut < c.reordering) return 0;
  let above = 0;
  for (let i = rb.count - 1; i >= 0; i--) {
    const j = rb.at(i);
    const f = rb.flags[j]!;
    if (f & TCPCB_SACKED_ACKED) {
      above++;
      continue;
    }
    if (above >= c.reordering) {
      if (f & TCPCB_LOST) break; // everything below was marked before
      rb.flags[j] = f | TCPCB_LOST;
      c.lostOut++;
      newly++;
    }
  }
  return newly;
}

function setState(c: TcpConn, state: number): void {
  c.caState = state;
  c.cc.setState?.(c, state);
}

/** tcp_left_out (Reno counts duplicate ACKs as its emulated SACKs) */
function leftOut(sk: TcpSock, c: TcpConn): number {
  return c.sackedOut + c.lostOut + (sk.sackOk ? 0 : c.dupAcks);
}

/** net/ipv4/tcp_input.c: tcp_try_keep_open */
function tryKeepOpen(sk: TcpSock, c: TcpConn): void {
  const state = leftOut(sk, c) > 0 || anyRetransDone(c) ? TCP_CA_Disorder : TCP_CA_Open;
  if (c.caState !== state) {
    setState(c, state);
    c.highSeq = c.sndNxt;
  }
}

/** net/ipv4/tcp_input.c: tcp_try_to_open (no ECN in the model) */
function tryToOpen(sk: TcpSock, c: TcpConn): void {
  if (!anyRetransDone(c)) c.retransStamp = 0;
  tryKeepOpen(sk, c);
}

/** net/ipv4/tcp_input.c: tcp_is_non_sack_preventing_reopen — Reno holds its state until data above high_seq is ACKed. */
function nonSackPreventingReopen(sk: TcpSock, c: TcpConn): boolean {
  if (c.sndUna === c.highSeq && !sk.sackOk) {
    if (!anyRetransDone(c)) c.retransStamp = 0;
    return true;
  }
  return false;
}

/** net/ipv4/tcp_input.c: tcp_try_undo_recovery — TCPFullUndo (Recovery) / TCPLossUndo (Loss). true: stay. */
function tryUndoRecovery(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  if (mayUndo(t, sk, c)) {
    undoCwndReduction(c, false);
    t.nstat.add(c.caState === TCP_CA_Loss ? t.mib.LossUndo : t.mib.FullUndo);
  }
  if (nonSackPreventingReopen(sk, c)) return true;
  setState(c, TCP_CA_Open);
  return false;
}

/** net/ipv4/tcp_input.c: tcp_try_undo_dsack — every retransmission was D-SACKed. */
function tryUndoDsack(t: TcpHost, c: TcpConn): boolean {
  if (c.undoMarker !== NO_UNDO && c.undoRetrans === 0) {
    undoCwndReduction(c, false);
    t.nstat.add(t.mib.DSACKUndo);
    return true;
  }
  return false;
}

/** net/ipv4/tcp_input.c: tcp_try_undo_loss (frto_undo false) */
function tryUndoLoss(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  if (!mayUndo(t, sk, c)) return false;
  undoCwndReduction(c, true);
  t.nstat.add(t.mib.LossUndo);
  if (nonSackPreventingReopen(sk, c)) return true;
  if (sk.sackOk) setState(c, TCP_CA_Open);
  return true;
}

/** net/ipv4/tcp_input.c: tcp_try_undo_partial — a partial ACK filled the hole with the delayed original. true: stop. */
function tryUndoPartial(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  if (c.undoMarker === NO_UNDO || !packetDelayed(t, sk, c)) return false;
  // retransmissions still out: clock out new data but mark nothing more lost
  if (c.retransOut > 0) return true;
  if (!anyRetransDone(c)) c.retransStamp = 0;
  undoCwndReduction(c, true);
  t.nstat.add(t.mib.PartialUndo);
  tryKeepOpen(sk, c);
  return false;
}

/** net/ipv4/tcp_input.c: tcp_end_cwnd_reduction — cwnd to ssthresh unless the reduction was undone. */
function endCwndReduction(c: TcpConn): void {
  if (c.cc.congControl !== undefined) return;
  if (c.ssthresh < TCP_INFINITE_SSTHRESH && c.undoMarker !== NO_UNDO) {
    c.cwnd = c.ssthresh;
    c.cwndCnt = 0;
  }
}

/** net/ipv4/tcp_input.c: tcp_enter_recovery with tcp_init_cwnd_reduction */
function enterRecovery(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  // tcp_retrans_stamp_cleanup: the clock starts with this episode's fast retransmit
  if (!anyRetransDone(c)) c.retransStamp = 0;
  t.nstat.add(sk.sackOk ? t.mib.SackRecovery : t.mib.RenoRecovery);
  c.priorSsthresh = 0;
  initUndo(c);
  if (!inCwndReduction(c)) {
    c.priorSsthresh = currentSsthresh(c);
    ccRefresh(t, c);
    c.highSeq = c.sndNxt;
    c.cwndCnt = 0;
    c.priorCwnd = c.cwnd;
    c.prrDelivered = 0;
    c.prrOut = 0;
    c.ssthresh = c.cc.ssthresh(c);
  }
  setState(c, TCP_CA_Recovery);
}

/** net/ipv4/tcp_input.c: tcp_time_to_recover (the loss is proven by marked segments) */
function timeToRecover(c: TcpConn): boolean {
  return c.lostOut > 0;
}

/** net/ipv4/tcp_input.c: tcp_fastretrans_alert. Returns the packets newly marked lost. */
/** `advanced` = FLAG_SND_UNA_ADVANCED. */
export function fastretransAlert(t: TcpHost, sk: TcpSock, c: TcpConn, advanced: boolean): number {
  let newlyLost = 0;
  if (c.packetsOut === 0 && c.sackedOut > 0) c.sackedOut = 0;
  // D. state exits once high_seq is ACKed
  if (c.caState === TCP_CA_Open) c.retransStamp = 0;
  else if (c.sndUna >= c.highSeq && c.caState === TCP_CA_Recovery) {
    if (!sk.sackOk) c.dupAcks = 0; // tcp_reset_reno_sack
    if (tryUndoRecovery(t, sk, c)) return 0;
    endCwndReduction(c);
  }
  // E. process the state
  if (c.caState === TCP_CA_Recovery) {
    if (advanced && tryUndoPartial(t, sk, c)) return 0;
    if (tryUndoDsack(t, c)) tryToOpen(sk, c);
    newlyLost = markLost(c, sk.sackOk);
    if (c.caState !== TCP_CA_Recovery) {
      if (!timeToRecover(c)) return newlyLost;
      enterRecovery(t, sk, c);
    }
    return newlyLost;
  }
  if (c.caState === TCP_CA_Loss) {
    // tcp_process_loss (no F-RTO)
    if (advanced && tryUndoLoss(t, sk, c)) {
      // undone
    } else if (c.sndUna >= c.highSeq) {
      tryUndoRecovery(t, sk, c);
    }
    // a Loss that ended (undone or recovered) continues as Open
    if ((c.caState as number) !== TCP_CA_Open) return 0;
  }
  // Open, Disorder (and a Loss that just ended)
  if (c.caState <= TCP_CA_Disorder) tryUndoDsack(t, c);
  newlyLost += markLost(c, sk.sackOk);
  if (!timeToRecover(c)) {
    tryToOpen(sk, c);
    return newlyLost;
  }
  enterRecovery(t, sk, c);
  return newlyLost;
}
