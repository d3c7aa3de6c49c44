// The congestion state machine of an ACK (net/ipv4/tcp_input.c:
// tcp_fastretrans_alert, 6.12): leaving Recovery/Loss at high_seq, the undo
// attempts (undo.ts), loss identification, entering Recovery. The cwnd
// reduction itself (PRR) stays with the ACK path in data-in.ts.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { TCPCB_LOST, TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS, type TcpConn } from "./conn.js";
import { CA_EVENT_COMPLETE_CWR, TCP_CA_CWR, TCP_CA_Disorder, TCP_CA_Loss, TCP_CA_Open, TCP_CA_Recovery } from "./cc.js";
import { ICSK_TIME_RETRANS, ccRefresh, rearmRto, resetXmitTimer, xmitRetransmitQueue } from "./data-out.js";
import { TCP_RTO_MAX } from "./constants.js";
import { TCP_RACK_RECOVERY_THRESH, checkSackReordering, isRack, markSkbLost, rackMarkLost, rackReoDetect } from "./rack.js";
import {
  TCP_INFINITE_SSTHRESH,
  NO_UNDO,
  NO_STAMP,
  anyRetransDone,
  currentSsthresh,
  inCwndReduction,
  initUndo,
  mayUndo,
  packetDelayed,
  undoCwndReduction,
} from "./undo.js";
import { FRTO_GO_ON, FRTO_NEW, FRTO_UNDO, frtoStep } from "./frto.js";
import { addRenoSack, resetRenoSack } from "./reno-sack.js";

/** net/ipv4/tcp_recovery.c: tcp_newreno_mark_lost — without SACK the head is lost after `reordering`
 *  duplicate ACKs, and on each partial ACK in Recovery. `advanced` = FLAG_SND_UNA_ADVANCED. */
function newrenoMarkLost(t: TcpHost, c: TcpConn, advanced: boolean): void {
  const rb = c.rtx;
  const state = c.caState;
  if (((state < TCP_CA_Recovery && c.dupAcks >= c.reordering) || (state === TCP_CA_Recovery && advanced)) && rb.count > 0) {
    const j = rb.at(0);
    // it stops only at a head already LOST; tcp_mark_skb_lost then marks it, keeping a retransmission still
    // out (SACKED_RETRANS, e.g. left by an undo) counted in retrans_out
    if (!(rb.flags[j]! & TCPCB_LOST)) markSkbLost(t, c, j);
  }
}

/** net/ipv4/tcp_input.c: tcp_mark_head_lost — from the head, mark what is not SACKed until more than
 *  `packets` SACKed segments were passed (RFC 6675 IsLost: `reordering` SACKed above); `markHead`: the head only. */
function markHeadLost(t: TcpHost, c: TcpConn, packets: number, markHead: boolean): void {
  const rb = c.rtx;
  let cnt = 0;
  for (let i = 0; i < rb.count; i++) {
    const j = rb.at(i);
    // loss_high = snd_nxt (the model's send queue never holds a segment beyond it)
    if (rb.end[j]! > c.sndNxt) break;
    const f = rb.flags[j]!;
    if (f & TCPCB_SACKED_ACKED) cnt++;
    if (cnt > packets) break;
    if (!(f & TCPCB_LOST)) markSkbLost(t, c, j);
    if (markHead) break;
  }
}

/** net/ipv4/tcp_input.c: tcp_update_scoreboard — without RACK, what tcp_fastretrans_alert marks at its end
 *  when do_lost; `fastRexmit`: Recovery was entered by this ACK. SACK connections only. */
function updateScoreboard(t: TcpHost, sk: TcpSock, c: TcpConn, fastRexmit: boolean): void {
  if (!sk.sackOk) return;
  const sackedUpto = c.sackedOut - c.reordering;
  if (sackedUpto >= 0) markHeadLost(t, c, sackedUpto, false);
  else if (fastRexmit) markHeadLost(t, c, 1, true);
}

/** net/ipv4/tcp_input.c: tcp_force_fast_retransmit — the highest SACK is `reordering` segments past snd_una. */
function forceFastRetransmit(c: TcpConn): boolean {
  return fack(c) > c.sndUna + c.reordering * c.mss;
}

function setState(c: TcpConn, state: number): void {
  c.caState = state;
  c.cc.setState?.(c, state);
}

/** net/ipv4/tcp_input.c: tcp_try_keep_open */
function tryKeepOpen(sk: TcpSock, c: TcpConn): void {
  const state = c.leftOut() > 0 || anyRetransDone(c) ? TCP_CA_Disorder : TCP_CA_Open;
  if (c.caState !== state) {
    setState(c, state);
    c.highSeq = c.sndNxt;
  }
}

/** net/ipv4/tcp_input.c: tcp_try_to_open (no ECN in the model): CWR is kept until its own exit */
function tryToOpen(sk: TcpSock, c: TcpConn): void {
  if (!anyRetransDone(c)) c.retransStamp = NO_STAMP;
  if (c.caState !== TCP_CA_CWR) tryKeepOpen(sk, c);
}

/** net/ipv4/tcp_input.c: tcp_is_non_sack_preventing_reopen — Reno holds its state until data above high_seq is ACKed. */
function nonSackPreventingReopen(sk: TcpSock, c: TcpConn): boolean {
  if (c.sndUna === c.highSeq && !sk.sackOk) {
    if (!anyRetransDone(c)) c.retransStamp = NO_STAMP;
    return true;
  }
  return false;
}

/** net/ipv4/tcp_input.c: tcp_try_undo_recovery — TCPFullUndo (Recovery) / TCPLossUndo (Loss). true: stay. */
function tryUndoRecovery(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  if (mayUndo(t, sk, c)) {
    undoCwndReduction(t, c, false);
    t.nstat.add(c.caState === TCP_CA_Loss ? t.mib.LossUndo : t.mib.FullUndo);
  } else if (c.reoWndPersist > 0) c.reoWndPersist--;
  if (nonSackPreventingReopen(sk, c)) return true;
  setState(c, TCP_CA_Open);
  return false;
}

/** net/ipv4/tcp_input.c: tcp_try_undo_dsack — every retransmission was D-SACKed. */
function tryUndoDsack(t: TcpHost, c: TcpConn): boolean {
  if (c.undoMarker !== NO_UNDO && c.undoRetrans === 0) {
    // RACK keeps a wider reordering window for the next recoveries
    c.reoWndPersist = Math.min(TCP_RACK_RECOVERY_THRESH, c.reoWndPersist + 1);
    undoCwndReduction(t, c, false);
    t.nstat.add(t.mib.DSACKUndo);
    return true;
  }
  return false;
}

/** net/ipv4/tcp_input.c: tcp_try_undo_loss — `frtoUndo`: F-RTO proved the RTO spurious (TCPSpuriousRTOs). */
function tryUndoLoss(t: TcpHost, sk: TcpSock, c: TcpConn, frtoUndo: boolean): boolean {
  if (!frtoUndo && !mayUndo(t, sk, c)) return false;
  undoCwndReduction(t, c, true);
  t.nstat.add(t.mib.LossUndo);
  if (frtoUndo) t.nstat.add(t.mib.SpuriousRTOs);
  // the RTOs are forgiven: the next one starts a new episode (TCP*Failures, tcp_enter_loss's ssthresh test)
  c.retransmits = 0;
  if (nonSackPreventingReopen(sk, c)) return true;
  if (frtoUndo || sk.sackOk) setState(c, TCP_CA_Open);
  return true;
}

/** tryUndoPartial's answer: stop (return from tcp_fastretrans_alert). Otherwise 0 / 1: do_lost as it now stands. */
const UNDO_PARTIAL_STOP = -1;

/** net/ipv4/tcp_input.c: tcp_try_undo_partial — a partial ACK in Recovery: if the hole was filled by the delayed
 *  original, undo (or, with retransmissions still out, stop); else force a fast retransmit if the SACKs say so
 *  (*do_lost). Returns UNDO_PARTIAL_STOP, or do_lost (0/1) — `doLost` unchanged after an undo. */
function tryUndoPartial(t: TcpHost, sk: TcpSock, c: TcpConn, priorUna: number, doLost: boolean): number {
  if (c.undoMarker !== NO_UNDO && packetDelayed(t, sk, c)) {
    // the hole was filled by the delayed original: reordering, learnt from the timestamp
    checkSackReordering(t, c, priorUna, fack(c), true);
    // retransmissions still out: clock out new data but mark nothing more lost
    if (c.retransOut > 0) return UNDO_PARTIAL_STOP;
    if (!anyRetransDone(c)) c.retransStamp = NO_STAMP;
    undoCwndReduction(t, c, true);
    t.nstat.add(t.mib.PartialUndo);
    tryKeepOpen(sk, c);
    return doLost ? 1 : 0;
  }
  return forceFastRetransmit(c) ? 1 : 0;
}

/** net/ipv4/tcp_input.c: tcp_end_cwnd_reduction — cwnd to ssthresh unless the reduction was undone. */
function endCwndReduction(t: TcpHost, c: TcpConn): void {
  if (c.cc.congControl !== undefined) return;
  if (c.ssthresh < TCP_INFINITE_SSTHRESH && (c.caState === TCP_CA_CWR || c.undoMarker !== NO_UNDO)) {
    c.cwnd = c.ssthresh;
    c.cwndCnt = 0;
    c.sndCwndStamp = t.nowMs();
  }
  // tcp_ca_event
  c.cc.cwndEvent?.(c, CA_EVENT_COMPLETE_CWR);
}

/** net/ipv4/tcp_input.c: tcp_enter_recovery with tcp_init_cwnd_reduction */
function enterRecovery(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  // tcp_retrans_stamp_cleanup: the clock starts with this episode's fast retransmit
  if (!anyRetransDone(c)) c.retransStamp = NO_STAMP;
  t.nstat.add(sk.sackOk ? t.mib.SackRecovery : t.mib.RenoRecovery);
  c.priorSsthresh = 0;
  initUndo(c);
  if (!inCwndReduction(c)) {
    c.priorSsthresh = currentSsthresh(c);
    initCwndReduction(t, c);
  }
  setState(c, TCP_CA_Recovery);
}

/** net/ipv4/tcp_input.c: tcp_enter_cwr — __tcp_transmit_skb's answer to a local congestion drop (the qdisc
 *  returned NET_XMIT_DROP or NET_XMIT_CN): no undo of this reduction, ssthresh from the congestion control,
 *  PRR down to it (tcp_cwnd_reduction) until an ACK passes high_seq (tcp_fastretrans_alert). */
export function enterCwr(t: TcpHost, c: TcpConn): void {
  c.priorSsthresh = 0;
  if (c.caState < TCP_CA_CWR) {
    c.undoMarker = NO_UNDO;
    initCwndReduction(t, c);
    setState(c, TCP_CA_CWR);
  }
}

/** net/ipv4/tcp_input.c: tcp_init_cwnd_reduction */
function initCwndReduction(t: TcpHost, c: TcpConn): void {
  ccRefresh(t, c);
  c.highSeq = c.sndNxt;
  c.tlpHighSeq = 0;
  c.cwndCnt = 0;
  c.priorCwnd = c.cwnd;
  c.prrDelivered = 0;
  c.prrOut = 0;
  c.ssthresh = c.cc.ssthresh(c);
}

/** net/ipv4/tcp_input.c: tcp_cwnd_reduction — PRR (RFC 6937); `advanced` = FLAG_SND_UNA_ADVANCED. */
export function cwndReduction(c: TcpConn, newlyAckedSacked: number, newlyLost: number, advanced: boolean): void {
  if (newlyAckedSacked <= 0 || c.priorCwnd === 0) return;
  c.prrDelivered += newlyAckedSacked;
  const inFlight = c.packetsInFlight();
  const delta = c.ssthresh - inFlight;
  let sndcnt: number;
  if (delta < 0) sndcnt = Math.floor((c.ssthresh * c.prrDelivered + c.priorCwnd - 1) / c.priorCwnd) - c.prrOut;
  else {
    sndcnt = Math.max(c.prrDelivered - c.prrOut, newlyAckedSacked);
    if (advanced && newlyLost === 0) sndcnt++;
    sndcnt = Math.min(delta, sndcnt);
  }
  // force a fast retransmit upon entering fast recovery
  sndcnt = Math.max(sndcnt, c.prrOut > 0 ? 0 : 1);
  c.cwnd = inFlight + sndcnt;
}

/** net/ipv4/tcp_input.c: tcp_process_tlp_ack's repair branch — the probe repaired a loss: one reduction,
 *  init_cwnd_reduction + CWR + end_cwnd_reduction (cwnd = ssthresh) + tcp_try_keep_open. */
export function lossProbeRecovery(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  initCwndReduction(t, c);
  setState(c, TCP_CA_CWR);
  endCwndReduction(t, c);
  tryKeepOpen(sk, c);
}

/** tcp_highest_sack_seq: the end of the highest SACKed segment, snd_una when nothing is SACKed. */
export function fack(c: TcpConn): number {
  return c.sackedOut > 0 ? Math.max(c.fackEnd, c.sndUna) : c.sndUna;
}

/** net/ipv4/tcp_input.c: tcp_identify_packet_loss — without SACK tcp_newreno_mark_lost, else RACK when
 *  tcp_recovery has bit 0; a SACK connection without RACK marks nothing here (tcp_update_scoreboard, at the
 *  end of tcp_fastretrans_alert, does). What it marks adds to c.lost. */
function identifyPacketLoss(t: TcpHost, sk: TcpSock, c: TcpConn, advanced: boolean): void {
  if (c.rtx.count === 0) return;
  if (!sk.sackOk) newrenoMarkLost(t, c, advanced);
  else if (isRack(t)) rackMarkLost(t, c);
}

/** net/ipv4/tcp_recovery.c: tcp_rack_reo_timeout — the REO timer: mark what is now due, start Recovery. */
export function rackReoTimeout(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  const lost = c.lost;
  if (rackReoDetect(t, c) !== 0) {
    if (c.caState !== TCP_CA_Recovery) {
      enterRecovery(t, sk, c);
      // newly_lost = tp->lost - lost: a retransmission found lost again counts too
      if (c.cc.congControl === undefined) cwndReduction(c, 1, c.lost - lost, false);
    }
    xmitRetransmitQueue(t, sk, c);
  }
  if (c.xmitPending !== ICSK_TIME_RETRANS) rearmRto(t, c);
}

/** net/ipv4/tcp_input.c: tcp_time_to_recover — the loss is proven by marked segments or, without RACK, by the
 *  classic rule: more than `reordering` duplicates (tcp_dupack_heuristics: sacked_out + 1). */
function timeToRecover(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  if (c.lostOut > 0) return true;
  return !isRack(t) && (sk.sackOk ? c.sackedOut : c.dupAcks) + 1 > c.reordering;
}

/** net/ipv4/tcp_input.c: tcp_check_sack_reneging — an ACK that advances snd_una up to a segment SACKed before
 *  (FLAG_SACK_RENEGING): the receiver reneged, or its ACKs are only transiently odd. The RTO is armed for
 *  max(srtt/2, 10 ms) (usecs_to_jiffies(srtt_us >> 4) rounds up; HZ 1000) instead of the ACK's TLP/RTO
 *  (FLAG_SET_XMIT_TIMER cleared); if the SACKs are still not ACKed then, tcp_enter_loss's
 *  tcp_timeout_mark_lost forgets them (TCPSACKReneging). true: tcp_fastretrans_alert stops here. */
function checkSackReneging(t: TcpHost, c: TcpConn, advanced: boolean): boolean {
  if (!c.sackReneging || !advanced) return false;
  const ms = Math.max(Math.ceil((c.rtt.srttUs >> 4) / 1000), 10);
  resetXmitTimer(t, c, ICSK_TIME_RETRANS, Math.min(ms * 1e6, TCP_RTO_MAX));
  c.xmitTimerArmed = true;
  return true;
}

/** net/ipv4/tcp_input.c: tcp_fastretrans_alert (what it marks lost adds to c.lost).
 *  `advanced` = FLAG_SND_UNA_ADVANCED, `priorUna` the snd_una before this ACK, `dataSacked` = FLAG_DATA_SACKED,
 *  `numDupack` = tcp_ack's num_dupack (the duplicate ACKs this skb stands for). Its *rexmit: c.rexmitLost
 *  (REXMIT_LOST: Recovery goes on or starts, or tcp_process_loss's end) or c.frtoNew (REXMIT_NEW); an early
 *  return (reneging, an undo that holds the state, tcp_try_undo_partial's stop, no time to recover) leaves none. */
export function fastretransAlert(t: TcpHost, sk: TcpSock, c: TcpConn, advanced: boolean, priorUna: number, dataSacked: boolean, numDupack: number): void {
  const dupack = numDupack > 0;
  let doLost = dupack || (dataSacked && forceFastRetransmit(c));
  let fastRexmit = false;
  if (c.packetsOut === 0 && c.sackedOut > 0) c.sackedOut = 0;
  // B. the receiver dropped SACKed data: give it a little time before the RTO clears the scoreboard
  if (checkSackReneging(t, c, advanced)) return;
  // D. state exits once high_seq is ACKed
  if (c.caState === TCP_CA_Open) c.retransStamp = NO_STAMP;
  else if (c.sndUna >= c.highSeq && c.caState === TCP_CA_CWR) {
    // CWR is held until something above high_seq is ACKed (for the CWR bit to reach the receiver)
    if (c.sndUna !== c.highSeq) {
      endCwndReduction(t, c);
      setState(c, TCP_CA_Open);
    }
  } else if (c.sndUna >= c.highSeq && c.caState === TCP_CA_Recovery) {
    if (!sk.sackOk) resetRenoSack(c);
    if (tryUndoRecovery(t, sk, c)) return;
    endCwndReduction(t, c);
  }
  // E. process the state
  if (c.caState === TCP_CA_Recovery) {
    // a duplicate ACK is an emulated SACK here only while snd_una stands still
    if (!advanced) {
      if (!sk.sackOk) addRenoSack(t, c, numDupack);
    } else {
      const r = tryUndoPartial(t, sk, c, priorUna, doLost);
      if (r === UNDO_PARTIAL_STOP) return;
      doLost = r === 1;
    }
    if (tryUndoDsack(t, c)) tryToOpen(sk, c);
    identifyPacketLoss(t, sk, c, advanced);
    if (c.caState !== TCP_CA_Recovery) {
      if (!timeToRecover(t, sk, c)) return;
      enterRecovery(t, sk, c);
    }
    if (!isRack(t) && doLost) updateScoreboard(t, sk, c, false);
    c.rexmitLost = true;
    return;
  }
  if (c.caState === TCP_CA_Loss) {
    // tcp_process_loss, with F-RTO (frto.ts)
    const recovered = c.sndUna >= c.highSeq;
    if (!(advanced && tryUndoLoss(t, sk, c, false))) {
      const step = c.frto ? frtoStep(c, advanced, c.origAcked, dataSacked, dupack, recovered) : FRTO_GO_ON;
      if (step === FRTO_UNDO) tryUndoLoss(t, sk, c, true);
      else if (step === FRTO_NEW) c.frtoNew = true;
      else if (recovered) tryUndoRecovery(t, sk, c);
      else {
        if (!sk.sackOk) {
          // tcp_process_loss: a duplicate ACK counts only once new data went out past high_seq (F-RTO step 2.b)
          if (c.sndNxt > c.highSeq && dupack) addRenoSack(t, c, numDupack);
          else if (advanced) resetRenoSack(c);
        }
        // tcp_process_loss's end: REXMIT_LOST
        c.rexmitLost = true;
      }
    }
    const retrans = c.retransOut;
    identifyPacketLoss(t, sk, c, advanced);
    // a Loss that ended (undone or recovered), or whose retransmissions were lost again (FLAG_LOST_RETRANS), goes on
    if ((c.caState as number) !== TCP_CA_Open && c.retransOut >= retrans) return;
  }
  // Open, Disorder (and a Loss that just ended: 6.12 falls through and counts the duplicate ACK again)
  if (!sk.sackOk) {
    if (advanced) resetRenoSack(c);
    addRenoSack(t, c, numDupack);
  }
  if (c.caState <= TCP_CA_Disorder) tryUndoDsack(t, c);
  identifyPacketLoss(t, sk, c, advanced);
  if (!timeToRecover(t, sk, c)) {
    tryToOpen(sk, c);
    return;
  }
  enterRecovery(t, sk, c);
  fastRexmit = true;
  if (!isRack(t) && doLost) updateScoreboard(t, sk, c, fastRexmit);
  c.rexmitLost = true;
}
