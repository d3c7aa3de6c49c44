// Receiving on an ESTABLISHED socket (tcp_rcv_established's slow path):
// the ACK half (tcp_ack: window update, SACK scoreboard, RTT, congestion
// control, fast retransmit/recovery with PRR) and the data half
// (tcp_data_queue: receive queue, out-of-order queue, rmem checks, zero
// window, ACK scheduling with delayed ACKs and quick-ack mode).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { TCP_CLOSE, TCP_ESTABLISHED } from "./constants.js";
import { TCPCB_EVER_RETRANS, TCPCB_LOST, TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS, type TcpConn } from "./conn.js";
import { TCP_CA_Disorder, TCP_CA_Loss, TCP_CA_Open, TCP_CA_Recovery } from "./cc.js";
import { adjustRcvSsthresh, growWindow, rcvRttUpdate, selectWindowRaw, winFromSpace, TCP_MAX_QUICKACKS, SHINFO_ALIGNED, SKB_ALIGNED } from "./buffers.js";
import { belowMemLow, forcedMemSchedule, memCharge, memUncharge, rmemSchedule, sndMemSync, underMemoryPressure } from "./mem.js";
import { rttSample } from "./rtt.js";
import { pow2 } from "../util/pow2.js";
import {
  TCP_ATO_MIN,
  TCP_DELACK_MAX,
  TCPF_ACK_DEFERRED,
  ICSK_ACK_PUSHED,
  ICSK_ACK_PUSHED2,
  ackProbe,
  afterAck,
  enterQuickack,
  inPingpong,
  ccRefresh,
  incrQuickack,
  rearmRto,
  sendAck,
  sendDelayedAck,
  slowStartAfterIdleCheck,
  unwrap,
  updatePacingRate,
  writeXmit,
  xmitRetransmitQueue,
  isCwndLimited,
  checkProbeTimer,
} from "./data-out.js";
import { TCPHDR_FIN, TCPHDR_PSH, TCPHDR_SYN } from "../wire/tcp.js";

/** include/net/tcp.h: TCP_MSS_DEFAULT, TCP_MIN_MSS, TCP_REMNANT (FIN|URG|SYN|PSH) */
const TCP_MSS_DEFAULT = 536;
const TCP_MIN_MSS = 88;
const TCP_REMNANT = TCPHDR_FIN | 0x20 | TCPHDR_SYN | TCPHDR_PSH;
import { recvmsg } from "./sock-lock.js";
import { checkDsack, dsackExtend, dsackSet } from "./dsack.js";
import { cwndReduction, fack, fastretransAlert, lossProbeRecovery } from "./recovery.js";
import { checkSackReordering, rackAdvance, rackUpdateReoWnd } from "./rack.js";
import { inCwndReduction, tsecrBefore } from "./undo.js";
import { processTlpAck, scheduleLossProbe } from "./tlp.js";
import { frtoXmitNew } from "./frto.js";
import { removeRenoSacks } from "./reno-sack.js";
import { OFO_DSACK_SET, OFO_SKB, ofoEffects, ofoInsert } from "./ofo-queue.js";
import { rxFrags, rxTailroom } from "./skb-coalesce.js";
import { COLLAPSE_MAX, collapseEffects, tcpCollapse } from "./collapse.js";
import { sendHead } from "./send-head.js";
import { ofoEmpty, sackNewOfoSkb, sackRemove, sackReset } from "./sack-blocks.js";
import { rateSkbDelivered, sackState, sackStateReset, sacktagWriteQueue } from "./sacktag.js";
import { compressAck } from "./comp-sack.js";
import { replaceTsRecent } from "./paws.js";
import { tcpFin } from "./established.js";
import { fastPathCheck } from "./pred-flags.js";
import { jiffyNs } from "../sim/jiffies.js";

/** Default truesize of a received frame when the driver model sets none: a build_skb driver's
 *  page-fragment buffer (frame + NET_SKB_PAD + skb_shared_info, rounded to a power of two: ixgbe's
 *  half page for MTU 1500), napi_build_skb -> SKB_TRUESIZE(SKB_WITH_OVERHEAD(buffer)) = buffer +
 *  struct sk_buff — 2304 for a 1514-byte frame. */
export function rxTruesize(frameLen: number): number {
  const need = frameLen + 64 + SHINFO_ALIGNED;
  // roundup_pow_of_two by count-leading-zeros (every received segment asks)
  if (need <= 1 << 30) return (1 << (32 - Math.clz32(need - 1))) + SKB_ALIGNED;
  let p = 1 << 30;
  while (p < need) p *= 2;
  return p + SKB_ALIGNED;
}

/** skb->truesize of received skb h with `len` payload bytes (the driver's, else the defaults above). */
export function skbRxTruesize(t: TcpHost, h: number, len: number): number {
  const skb = t.core.skb;
  const ts = skb.truesize[h]!;
  if (ts !== 0) return ts;
  const segs = skb.gsoSegs[h]!;
  return segs > 1 ? groTruesize(skb.len[h]! - len, len, skb.gsoSize[h]!, segs) : rxTruesize(skb.len[h]!);
}

/** A GRO aggregate's truesize: segs - 1 frames of gso_size payload and the rest; skb_gro_receive
 *  steals each merged frame's page-frag head (head_frag) and adds its truesize less the struct sk_buff
 *  it frees (SKB_DATA_ALIGN(sizeof(struct sk_buff)), NAPI_GRO_FREE_STOLEN_HEAD). */
export function groTruesize(hdrLen: number, payload: number, gsoSize: number, segs: number): number {
  return (segs - 1) * (rxTruesize(hdrLen + gsoSize) - SKB_ALIGNED) + rxTruesize(hdrLen + payload - (segs - 1) * gsoSize);
}

// ---- ACK processing (sender side) ----

/** FLAG_SET_XMIT_TIMER from a SACK RTT sample (cleanRtxQueue -> tcpAck). */
let sackSetXmitTimer = false;

/** net/ipv4/tcp_input.c: tcp_ack's old_ack — an ACK below snd_una updates no window, but its SACK
 *  blocks are tagged (tcp_sacktag_write_queue), a D-SACK may undo, and lost segments go out (tcp_xmit_recovery). */
function oldAck(t: TcpHost, sk: TcpSock, c: TcpConn, ack: number): void {
  if (t.rx.sackN === 0 || !sk.sackOk) return;
  sackStateReset();
  const dups = checkDsack(t, sk, c, ack);
  // (tcp_ack's old_ack path tags but does not count sack_delivered in tp->delivered)
  const newly = sacktagWriteQueue(t, sk, c, c.sndUna, ack, c.sndUna, dups > 0);
  fastretransAlert(t, sk, c, false, c.sndUna, newly > 0, 0);
  // tcp_xmit_recovery(rexmit)
  if (c.rexmitLost) xmitRetransmitQueue(t, sk, c);
}

/** net/ipv4/tcp_input.c: tcp_clean_rtx_queue with tcp_ack_update_rtt and the congestion control's pkts_acked:
 *  free what `ack` covers (`finAcked`: it ACKs our FIN's sequence number), snd_una moves; `priorFack` is tcp_ack's
 *  prior_fack (the highest SACK before this ACK's blocks were tagged). Returns FLAG_SND_UNA_ADVANCED. */
function cleanRtxQueue(t: TcpHost, sk: TcpSock, c: TcpConn, ack: number, finAcked: boolean, priorFack: number): boolean {
  const rx = t.rx;
  const now = t.now;
  const priorUna = c.sndUna;
  let ackedNotSacked = 0;
  const rb = c.rtx;
  let reord = c.sndNxt; // lowest ACKed never-retransmitted, not SACKed sequence
  let ackedPkts = 0;
  let firstAckt = -1;
  let lastAckt = -1;
  let everRetrans = false;
  let finOwnAcked = false;
  while (rb.count > 0) {
    const j = rb.at(0);
    if (rb.end[j]! > ack) {
      if (rb.start[j]! < ack) rb.start[j] = ack; // partial ACK of the head
      break;
    }
    // the FIN skb of its own (zero-length entry at write_seq) goes once write_seq + 1 is ACKed
    if (rb.start[j] === rb.end[j]) {
      if (!finAcked) break;
      finOwnAcked = true;
    }
    const f = rb.flags[j]!;
    // a retransmission leaves retrans_out here even if SACKed (tcp_sacktag_one keeps one not marked lost)
    if (f & TCPCB_SACKED_RETRANS) c.retransOut--;
    if (f & TCPCB_EVER_RETRANS) everRetrans = true;
    else if (!(f & TCPCB_SACKED_ACKED)) {
      lastAckt = rb.sentAt[j]!;
      if (firstAckt < 0) firstAckt = lastAckt;
      if (rb.start[j]! < reord) reord = rb.start[j]!;
      if (rb.end[j]! <= c.highSeq) c.origAcked = true; // FLAG_ORIG_SACK_ACKED
    }
    if (f & TCPCB_SACKED_ACKED) c.sackedOut--;
    else {
      // tcp_clean_rtx_queue counts a segment delivered here only if no SACK did before
      ackedNotSacked++;
      // RACK learns from cumulatively ACKed segments too, unless the ACK proves a spurious retransmission
      if (sk.sackOk && !(f & (TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS) && tsecrBefore(t, sk, Math.floor(rb.sentAt[j]! / 1e6)))) {
        rackAdvance(c, f, rb.end[j]!, rb.sentAt[j]!, t.now);
      }
      // tcp_rate_skb_delivered (a SACKed segment gave its sample when SACKed)
      rateSkbDelivered(c, j);
    }
    if (f & TCPCB_LOST) c.lostOut--;
    rb.shift();
    c.packetsOut--;
    ackedPkts++;
  }
  // FLAG_SACK_RENEGING: the ACK stops at a segment SACKed before
  if (rb.count > 0 && rb.flags[rb.at(0)]! & TCPCB_SACKED_ACKED) c.sackReneging = true;
  // FLAG_SND_UNA_ADVANCED: ACKing the FIN's sequence number advances snd_una too
  const advanced = ack > priorUna || finOwnAcked;
  // tcp_clean_rtx_queue: without SACK, an ACK that covers a retransmission cannot prove an original arrived
  if (everRetrans && !sk.sackOk) c.origAcked = false;
  c.sndUna = ack;
  sk.sndUna = (sk.iss + 1 + ack) >>> 0;
  if (advanced) {
    // tcp_ack: icsk_retransmits = 0 once snd_una advances
    c.retransmits = 0;
    // tcp_count_delivered (in the loop) / tcp_remove_reno_sacks: tp->delivered is up to date before
    // tcp_rack_update_reo_wnd reads it
    if (sk.sackOk) c.delivered += ackedNotSacked;
    else if (ackedPkts > 0) removeRenoSacks(t, c, ackedPkts);
  }
  // a never-retransmitted hole got filled below the highest SACK as it stood before this ACK: reordering
  if (advanced && sk.sackOk && reord < priorFack) checkSackReordering(t, c, reord, fack(c), false);
  // net/ipv4/tcp_recovery.c: tcp_rack_update_reo_wnd (tcp_ack calls it right after tcp_clean_rtx_queue)
  rackUpdateReoWnd(t, c, c.rsPriorDelivered);
  if (advanced) sndMemSync(t, c); // tcp_clean_rtx_queue frees the ACKed skbs: sk_wmem_free_skb
  c.lastAckAt = now;
  // RTT: the oldest newly ACKed segment that was never retransmitted (Karn); else the TS echo. Samples are
  // differences of two µs clocks (tcp_stamp_us_delta(tcp_mstamp = tcp_clock_us(), tcp_skb_timestamp_us =
  // skb_mstamp_ns / 1000)), so whole µs: floor(now/1000) − floor(sent/1000)
  const nowUs = Math.floor(now / 1000);
  let rttUs = -1;
  // ca_rtt_us (the congestion control's sample): from the most recently sent newly ACKed segment
  let caRttUs = -1;
  if (firstAckt >= 0 && !everRetrans) {
    rttUs = nowUs - Math.floor(firstAckt / 1000);
    caRttUs = nowUs - Math.floor(lastAckt / 1000);
  }
  // tcp_clean_rtx_queue: newly SACKed never-retransmitted segments give sack_rtt_us (first_sackt) and take
  // ca_rtt_us (last_sackt); tcp_ack_update_rtt uses sack_rtt_us when the cumulative ACK gave none
  let sackRttUs = -1;
  if (sackState.firstSackt >= 0) {
    sackRttUs = nowUs - Math.floor(sackState.firstSackt / 1000);
    caRttUs = nowUs - Math.floor(sackState.lastSackt / 1000);
  }
  if (rttUs < 0) rttUs = sackRttUs;
  if (rttUs < 0 && advanced && sk.tsOk && rx.ts && rx.tsEcr !== 0) {
    const d = ((t.nowMs() + sk.tsOff - rx.tsEcr) >>> 0) * 1000;
    if (d < 2 ** 31) rttUs = caRttUs = d === 0 ? 1000 : d;
  }
  // tcp_clean_rtx_queue: without an advance, a SACK RTT from data sent before the head was last (re)sent
  // re-arms the RTO / TLP timer (FLAG_SET_XMIT_TIMER)
  sackSetXmitTimer = !advanced && rttUs >= 0 && sackRttUs >= 0 && rb.count > 0 && sackRttUs > nowUs - Math.floor(rb.sentAt[rb.at(0)]! / 1000);
  if (rttUs >= 0) {
    // tcp_rtt_estimator takes a 0 µs sample as it is (srtt_us = max(1U, srtt) afterwards)
    rttSample(c.rtt, rttUs, c.sndUna, c.sndNxt);
    // tcp_ack_update_rtt: RFC 6298, the backoff is reset only on a valid RTT measurement
    c.backoff = 0;
    c.icskBackoff = 0;
    // tcp_ack_update_rtt -> tcp_update_rtt_min(ca_rtt_us): the most recently sent newly ACKed segment's
    // sample, 0 taken as one jiffy (1000 µs); the kernel's windowed minimum (tcp_min_rtt_wlen 300 s) is kept
    // as the plain minimum, so its FLAG_ACK_MAYBE_DELAYED skip of samples above the minimum changes nothing
    c.minRttUs = Math.min(c.minRttUs, caRttUs === 0 ? 1000 : caRttUs);
    c.now = now; // tcp_mstamp of this ACK (HyStart's clock)
    c.cc.pktsAcked?.(c, ackedPkts, caRttUs);
  }
  return advanced;
}

/** net/ipv4/tcp_input.c: tcp_ack. Returns false for an ACK of unsent data. `fast`: called from
 *  tcp_rcv_established's fast path (flag without FLAG_SLOWPATH and FLAG_UPDATE_TS_RECENT; fast-path.ts). */
export function tcpAck(t: TcpHost, sk: TcpSock, c: TcpConn, fast = false): boolean {
  const rx = t.rx;
  const now = t.now;
  const base = sk.iss + 1;
  let ack = unwrap(base, rx.ack, c.sndUna);
  // ack_seq as the kernel sees it (past our FIN's sequence number once it ACKs it): D-SACK and TLP tests
  const ackSeq = ack;
  // the FIN's sequence number (on the last data segment, or its own skb: fin.ts) is not data
  let finAcked = false;
  if (ack === c.sndNxt + 1 && c.finQueued && c.sndNxt === c.writeSeq) {
    ack = c.sndNxt;
    finAcked = true;
    // tcp_clean_rtx_queue frees the FIN's own skb (sk_wmem_free_skb)
    if (c.finSkb) {
      c.finSkb = false;
      sndMemSync(t, c);
    }
  }
  if (ack > c.sndNxt) return false;
  const seq = unwrap(sk.irs + 1, rx.seq, c.rcvNxt);
  const priorUna = c.sndUna;
  c.xmitTimerArmed = false;
  c.sackReneging = false;
  c.rexmitLost = false;
  c.origAcked = false;
  c.dsackTlp = false;
  c.rsSentAt = -1;
  c.rsEndSeq = 0;
  c.rsPriorDelivered = 0;
  const priorDelivered = c.delivered;
  const priorLost = c.lost;
  if (ack < priorUna) {
    oldAck(t, sk, c, ack);
    return true;
  }
  // FLAG_UPDATE_TS_RECENT (tcp_rcv_established's slow path, tcp_rcv_state_process): ts_recent once the ACK is
  // known acceptable, after the old-ACK exit, so an old ACK leaves it (the fast path stored it itself)
  if (!fast) replaceTsRecent(t, sk, seq <= c.rcvWup + c.rcvWupFin);
  // tcp_ack: a fast-path ACK that moves snd_una takes the pure forward advance (TCPHPAcks: tcp_update_wl, no
  // window update — its window is the predicted one, snd_wnd's — no SACK, no ECN); everything else the
  // slow branch, where a segment without data (end_seq == seq: no FIN) is a TCPPureAcks
  if (fast && ackSeq > priorUna) t.nstat.add(t.mib.HPAcks);
  else if (rx.dataLen === 0 && !(rx.flags & TCPHDR_FIN)) t.nstat.add(t.mib.PureAcks);
  // tcp_ack: an acceptable ACK shows the peer alive (tcp_probe_timer's count starts again; rcv_tstamp for
  // tcp_rtx_probe0_timed_out)
  c.probesOut = 0;
  c.rcvTstamp = t.jiffies();
  const priorPackets = c.packetsOut;
  // tcp_ack: prior_fack, the highest SACK before this ACK's blocks are tagged (tcp_clean_rtx_queue's reordering test)
  const priorFack = sk.sackOk ? fack(c) : c.sndUna;
  const nwin = rx.window * pow2(sk.sndWscale >= 0 ? sk.sndWscale : 0);
  // tcp_ack_update_window: tcp_may_update_window (a zero window from the same seq is taken too) sets
  // FLAG_WIN_UPDATE, which makes the ACK no duplicate (FLAG_NOT_DUP) whether or not the window changed
  let winUpdate = false;
  const mayUpdate = ack > priorUna || seq > c.sndWl1 || (seq === c.sndWl1 && (nwin > c.sndWnd || nwin === 0));
  if (mayUpdate) {
    if (c.sndWnd !== nwin) {
      winUpdate = true;
      c.sndWnd = nwin;
      // "the only place where fast path is recovered for sending TCP": pred_flags = 0, tcp_fast_path_check
      c.predWnd = -1;
      fastPathCheck(sk, c);
      // tcp_ack_update_window: a changed window with data waiting checks for idleness
      // (!tcp_write_queue_empty: a FIN skb of its own waiting for the window counts)
      if (sendHead(c)) slowStartAfterIdleCheck(t, c);
    }
    c.sndWl1 = seq;
    if (nwin > c.maxWindow) c.maxWindow = nwin;
  }
  let newlySacked = 0;
  let dsackAck = false;
  // tcp_ack: sack_state.first_sackt = 0
  sackStateReset();
  if (rx.sackN > 0 && sk.sackOk) {
    const dups = checkDsack(t, sk, c, ackSeq);
    dsackAck = dups > 0;
    // tcp_ack_update_window has moved snd_una to ack_seq before tcp_sacktag_write_queue
    newlySacked = sacktagWriteQueue(t, sk, c, priorUna, ackSeq, ackSeq, dsackAck);
    // tcp_count_delivered(sack_delivered): newly SACKed segments and the D-SACKed duplicates
    c.delivered += newlySacked + dups;
  }
  if (priorPackets === 0) return ackNoQueue(t, sk, c, ackSeq, priorUna, winUpdate, mayUpdate, newlySacked, dsackAck);
  // tcp_clean_rtx_queue (its own function, as in the kernel: a separate V8 compile root with its own inlining budget)
  const advanced = cleanRtxQueue(t, sk, c, ack, finAcked, priorFack);
  // duplicate ACK (no data, same ack, same window, data outstanding)
  const isDup = !advanced && rx.dataLen === 0 && !mayUpdate && c.packetsOut > 0 && !(rx.flags & TCPHDR_FIN);
  // tcp_process_tlp_ack
  if (c.tlpHighSeq !== 0 && processTlpAck(t, c, ackSeq, c.dsackTlp, advanced || mayUpdate || rx.dataLen > 0 || newlySacked > 0)) {
    lossProbeRecovery(t, sk, c);
  }
  // tcp_ack_is_dubious -> tcp_fastretrans_alert (recovery.ts)
  const dubious = isDup || newlySacked > 0 || dsackAck || c.caState !== TCP_CA_Open;
  // tcp_ack: num_dupack — a pure ACK skb that tcp_add_backlog coalesced from several counts each (gso_segs)
  const numDupack = isDup && !dsackAck ? Math.max(1, t.core.skb.gsoSegs[rx.skb]!) : 0;
  if (dubious) fastretransAlert(t, sk, c, advanced, priorUna, newlySacked > 0, numDupack);
  // tcp_cong_control with tcp_newly_delivered, and tcp_rate_gen's rs->losses = tp->lost - lost (freshly marked
  // lost, a retransmission lost again included)
  const ackedSacked = c.delivered - priorDelivered;
  const newlyLost = c.lost - priorLost;
  ccRefresh(t, c);
  if (c.cc.congControl !== undefined) {
    c.cc.congControl(c, ackedSacked, c.caState, newlyLost);
  } else if (inCwndReduction(c)) {
    // tcp_in_cwnd_reduction: Recovery or CWR (tcp_enter_cwr)
    cwndReduction(c, ackedSacked, newlyLost, advanced);
  } else if (c.reordering > t.reordering ? advanced || newlySacked > 0 : advanced) {
    // tcp_may_raise_cwnd (with reordering above net.ipv4.tcp_reordering, any forward progress), then
    // tcp_cong_avoid with acked_sacked, what this ACK newly delivered
    c.cwndLimited = isCwndLimited(c);
    c.cc.congAvoid?.(c, ackedSacked);
    c.sndCwndStamp = t.nowMs(); // tcp_cong_avoid
  }
  if (c.cwnd < 1) c.cwnd = 1;
  if (c.cwnd > c.cwndMax) c.cwndMax = c.cwnd;
  // tcp_cong_control: tcp_update_pacing_rate only without cong_control (which sets sk_pacing_rate itself)
  if (c.cc.congControl === undefined) updatePacingRate(c);
  // delivery rate over roughly one RTT
  const srttNs = (c.rtt.srttUs / 8) * 1000;
  if (now - c.rateStampT >= Math.max(srttNs, 1000)) {
    c.deliveryRateBps = ((c.delivered - c.rateStampDelivered) * c.mss * 1e9) / (now - c.rateStampT);
    c.rateStampT = now;
    c.rateStampDelivered = c.delivered;
  }
  if (advanced || sackSetXmitTimer) {
    // tcp_set_xmit_timer (FLAG_SET_XMIT_TIMER, unless RACK's reordering timer or the reneging RTO was armed)
    if (!c.xmitTimerArmed && !scheduleLossProbe(t, sk, c, true)) rearmRto(t, c);
  }
  // tcp_xmit_recovery with tcp_fastretrans_alert's rexmit: F-RTO's new data first (REXMIT_NEW), or the
  // retransmissions (REXMIT_LOST; none when tcp_fastretrans_alert returned early or did not run); the new data and
  // tcp_check_space are tcp_data_snd_check's, after tcp_data_queue (dataSndCheck)
  if (c.frtoNew) frtoXmitNew(t, sk, c);
  else {
    if (c.rexmitLost) xmitRetransmitQueue(t, sk, c);
    if (advanced || newlySacked > 0 || winUpdate || c.lostOut > 0) c.sndDue |= SND_DUE_XMIT;
  }
  // tcp_data_snd_check's tcp_check_space: after every segment's tcp_ack, not only one that advances snd_una
  // (a SACK or a window update may leave in_flight < cwnd: tcp_sndbuf_expand, sk_stream_write_space)
  c.sndDue |= SND_DUE_SPACE;
  return true;
}

/** The bits of c.sndDue. */
export const SND_DUE_XMIT = 1;
export const SND_DUE_SPACE = 2;

/** net/ipv4/tcp_input.c: tcp_data_snd_check — tcp_rcv_established and tcp_rcv_state_process call it after
 *  tcp_data_queue, before tcp_ack_snd_check: what the segment's ACK let go (tcp_push_pending_frames) carries the
 *  ACK and D-SACK the data scheduled, then tcp_check_space. */
export function dataSndCheck(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  const due = c.sndDue;
  c.sndDue = 0;
  // tcp_push_pending_frames: only with a send head (include/net/tcp.h), then __tcp_push_pending_frames:
  // tcp_check_probe_timer when nothing went with nothing out. With nothing queued tcp_write_xmit does not run,
  // so neither does its tcp_cwnd_validate (an app-limited flow is not latched cwnd-limited by an ACK)
  if (due & SND_DUE_XMIT && sendHead(c) && writeXmit(t, sk, c)) checkProbeTimer(t, c);
  if (due & SND_DUE_SPACE) afterAck(t, sk, c);
}

/** net/ipv4/tcp_input.c: tcp_ack's no_queue — nothing was outstanding (prior_packets 0): no
 *  tcp_clean_rtx_queue, rate sample or tcp_cong_control (so no pacing-rate update); a D-SACK may still undo
 *  (tcp_fastretrans_alert), then tcp_ack_probe and tcp_process_tlp_ack. (A bulk receiver's in-order data with
 *  ack_seq == snd_una does not come here: tcp_rcv_established's fast path runs only tcp_update_wl for it.) */
function ackNoQueue(t: TcpHost, sk: TcpSock, c: TcpConn, ackSeq: number, priorUna: number, winUpdate: boolean, mayUpdate: boolean, newlySacked: number, dsackAck: boolean): boolean {
  // (the report's goodput span ends at the last ACK processed, as tcp_clean_rtx_queue's caller keeps it)
  c.lastAckAt = t.now;
  if (dsackAck) fastretransAlert(t, sk, c, false, priorUna, newlySacked > 0, 0);
  if (sendHead(c)) ackProbe(t, c);
  if (c.tlpHighSeq !== 0 && processTlpAck(t, c, ackSeq, c.dsackTlp, mayUpdate || t.rx.dataLen > 0 || newlySacked > 0)) {
    lossProbeRecovery(t, sk, c);
  }
  // tcp_xmit_recovery; tcp_data_snd_check is the caller's, after tcp_data_queue (dataSndCheck)
  if (c.frtoNew) frtoXmitNew(t, sk, c);
  else if (newlySacked > 0 || winUpdate || c.lostOut > 0) {
    if (c.lostOut > 0) xmitRetransmitQueue(t, sk, c);
    c.sndDue |= SND_DUE_XMIT;
  }
  c.sndDue |= SND_DUE_SPACE;
  return true;
}

// ---- data (receiver side) ----

/** net/ipv4/tcp_input.c: tcp_measure_rcv_mss — a GRO aggregate counts as
 *  its segment size (gso_size ?: skb->len); the ratio uses the whole skb. */
function measureRcvMss(t: TcpHost, c: TcpConn, skbLen: number, truesize: number, gsoSize: number): void {
  let len = gsoSize > 0 ? gsoSize : skbLen;
  const lss = c.lastSegSize;
  c.lastSegSize = 0;
  const flags = t.rx.flags;
  if (len < c.rcvMss) {
    // a short segment: learn a smaller rcv_mss from two equal ones, else mark it pushed
    len += t.rx.hdrLen;
    if (len >= TCP_MSS_DEFAULT + 20 || (len >= TCP_MIN_MSS + 20 && !(flags & TCP_REMNANT))) {
      len -= c.tcpHeaderLen;
      c.lastSegSize = len;
      if (len === lss) {
        c.rcvMss = len;
        return;
      }
    }
    if (c.ackPushed & ICSK_ACK_PUSHED) c.ackPushed |= ICSK_ACK_PUSHED2;
    c.ackPushed |= ICSK_ACK_PUSHED;
    return;
  }
  {
    if (len !== c.rcvMss) {
      const old = c.scalingRatio;
      c.scalingRatio = Math.max(1, Math.floor((skbLen * 256) / truesize));
      if (old !== c.scalingRatio) {
        c.windowClamp = winFromSpace(c.scalingRatio, c.rcvbuf);
        if (c.windowClamp < c.rcvq.space) c.rcvq.space = c.windowClamp;
      }
    }
    c.rcvMss = Math.min(len, c.advmss);
    // a full segment with PSH likely ends a write: ACK once the reader empties the queue
    if (flags & TCPHDR_PSH) c.ackPushed |= ICSK_ACK_PUSHED;
  }
}

/** net/ipv4/tcp_input.c: tcp_event_data_recv */
export function eventDataRecv(t: TcpHost, sk: TcpSock, c: TcpConn, len: number, truesize: number, gsoSize: number): void {
  c.ackPending = true;
  measureRcvMss(t, c, len, truesize, gsoSize);
  // tcp_rcv_rtt_measure: one window of data per RTT
  // (tcp_mstamp: a µs clock)
  const nowUs = Math.floor(t.now / 1000);
  if (c.rcvRttTime !== 0) {
    if (c.rcvNxt >= c.rcvRttSeq) {
      rcvRttUpdate(c.rcvq, Math.max(1, nowUs - c.rcvRttTime), true);
      c.rcvRttSeq = c.rcvNxt + c.rcvWnd;
      c.rcvRttTime = nowUs;
    }
  } else {
    c.rcvRttSeq = c.rcvNxt + c.rcvWnd;
    c.rcvRttTime = nowUs;
  }
  const now = t.jiffiesNs(); // tcp_jiffies32
  if (c.ato === 0) {
    incrQuickack(c, TCP_MAX_QUICKACKS);
    c.ato = TCP_ATO_MIN;
  } else {
    const m = now - c.lrcvtime;
    // icsk_ack.ato >> 1 on jiffies at the host's HZ: whole jiffies (TCP_ATO_MIN / 2 is 20 ms at 1000, 250, 100)
    const j = jiffyNs(t.hz);
    const half = Math.floor(c.ato / (2 * j)) * j;
    if (m <= TCP_ATO_MIN / 2) c.ato = half + TCP_ATO_MIN / 2;
    else if (m < c.ato) c.ato = Math.min(half + m, c.icskRtoUs() * 1000, TCP_DELACK_MAX);
    else if (m > c.icskRtoUs() * 1000) incrQuickack(c, TCP_MAX_QUICKACKS);
  }
  c.lrcvtime = now;
  if (len >= 128) growWindow(c, len, truesize, t.rmem[2]!, underMemoryPressure(t));
}

/** tcp_rtt_tsopt_us: a ms TSecr delta counts below INT_MAX / (USEC_PER_SEC / TCP_TS_HZ), a C int division */
const TSOPT_DELTA_MAX = Math.floor(0x7fffffff / 1000);

/** net/ipv4/tcp_input.c: tcp_rcv_rtt_measure_ts — `span` is the segment's end_seq - seq (its data, and one
 *  for a FIN), which must reach icsk_ack.rcv_mss for a sample. */
export function rcvRttMeasureTs(t: TcpHost, sk: TcpSock, c: TcpConn, span: number): void {
  const rx = t.rx;
  if (!rx.ts || rx.tsEcr === c.rcvRttLastTsecr) return;
  c.rcvRttLastTsecr = rx.tsEcr;
  if (span >= c.rcvMss) {
    // tcp_rtt_tsopt_us(tp, 0): a u32 ms delta, 0 or too large gives no sample
    const d = (t.nowMs() + sk.tsOff - rx.tsEcr) >>> 0;
    if (d > 0 && d < TSOPT_DELTA_MAX) rcvRttUpdate(c.rcvq, d * 1000, false);
  }
}

/** net/ipv4/tcp_input.c: tcp_prune_queue (with tcp_clamp_window and collapse). true = room made. */
function pruneQueue(t: TcpHost, c: TcpConn, incomingSeq: number): boolean {
  t.nstat.add(t.mib.PruneCalled);
  const pressure = underMemoryPressure(t);
  if (c.rmemAlloc >= c.rcvbuf) {
    // tcp_clamp_window
    c.quick = 0;
    if (c.rcvbuf < t.rmem[2]! && !c.rcvbufLocked && !pressure && belowMemLow(t)) c.rcvbuf = Math.min(c.rmemAlloc, t.rmem[2]!);
    if (c.rmemAlloc > c.rcvbuf) c.rcvSsthresh = Math.min(c.windowClamp, 2 * c.advmss);
  } else if (pressure) adjustRcvSsthresh(c);
  if (c.rmemAlloc <= c.rcvbuf) return true;
  collapseOfoQueue(t, c);
  // tcp_collapse of the receive queue from copied_seq to rcv_nxt (a FIN skb at its tail is not collapsed)
  const rq = c.rq;
  if (rq.length > 0) {
    const before = rq.toRecords();
    // (tcp_collapse's end is rcv_nxt, which counts a received FIN: alloc_skb sizes its copies by it)
    const after = tcpCollapse(before, c.copiedSeq, c.eof ? c.rcvNxt + 1 : c.rcvNxt, c.scalingRatio, c.eof ? c.rcvNxt : -1);
    if (after !== before) {
      rq.setRecords(after);
      collapsed(t, c);
    }
  }
  if (c.rmemAlloc <= c.rcvbuf) return true;
  pruneOfoQueue(t, c, incomingSeq);
  if (c.rmemAlloc <= c.rcvbuf) return true;
  t.nstat.add(t.mib.RcvPruned);
  // massive buffer overcommit: pred_flags = 0
  c.predWnd = -1;
  return false;
}

/** tcp_collapse's accounting in its order: each new skb charged (skb_set_owner_r), each old one freed
 *  (tcp_collapse_one: TCPRcvCollapsed; __kfree_skb, consumed — its packet left the ledger when queued). */
function collapsed(t: TcpHost, c: TcpConn): void {
  const ops = collapseEffects.ops;
  for (let k = 0; k < ops.length; k++) {
    const v = ops[k]!;
    if (v > 0) {
      c.rmemAlloc += v;
      memCharge(c, v);
    } else {
      t.nstat.add(t.mib.RcvCollapsed);
      c.rmemAlloc += v;
      memUncharge(t, c, -v);
    }
  }
}

/** net/ipv4/tcp_input.c: tcp_collapse_ofo_queue — each range of touching or overlapping skbs is collapsed
 *  (tcp_collapse from its first seq to its last end_seq) unless it is one skb of less than
 *  SKB_WITH_OVERHEAD(PAGE_SIZE) bytes: such tiny ranges are left, and once their truesize sums above
 *  sk_rcvbuf/8 the walk stops. */
function collapseOfoQueue(t: TcpHost, c: TcpConn): void {
  let sumTiny = 0;
  const fin = c.finRcvSeq;
  for (const r of c.ofo) {
    const s = r.skbs;
    // the range's end_seq counts a FIN on its last skb
    const end = r.end === fin ? r.end + 1 : r.end;
    if (s.length > OFO_SKB || end - r.start >= COLLAPSE_MAX) {
      const out = tcpCollapse(s, r.start, end, c.scalingRatio, fin);
      if (out !== s) {
        r.setSkbs(out);
        collapsed(t, c);
      }
    } else {
      sumTiny += r.truesize;
      if (sumTiny > c.rcvbuf >> 3) return;
    }
  }
}

/** net/ipv4/tcp_input.c: tcp_prune_ofo_queue — drop skbs one at a time from the highest seq (ooo_last_skb)
 *  down, stopping at one the incoming segment's seq is after (it would land last); whenever sk_rcvbuf/8 of
 *  truesize has gone, or the queue is empty, stop if within sk_rcvbuf and out of memory pressure, else go
 *  on for another eighth. OfoPruned once, and tcp_sack_reset forgets the SACK blocks and a pending D-SACK. true = something
 *  was dropped. */
function pruneOfoQueue(t: TcpHost, c: TcpConn, incomingSeq: number): boolean {
  let pruned = false;
  let goal = c.rcvbuf >> 3;
  while (c.ofo.length > 0) {
    const r = c.ofo[c.ofo.length - 1]!;
    if (incomingSeq > r.skbs[r.skbs.length - OFO_SKB]!) break;
    pruned = true;
    const truesize = r.dropLastSkb();
    if (r.skbs.length === 0) c.ofo.pop();
    goal -= truesize;
    c.rmemAlloc -= truesize;
    memUncharge(t, c, truesize);
    if (c.ofo.length === 0 || goal <= 0) {
      if (c.rmemAlloc <= c.rcvbuf && !underMemoryPressure(t)) break;
      goal = c.rcvbuf >> 3;
    }
  }
  if (pruned) {
    t.nstat.add(t.mib.OfoPruned);
    // tcp_sack_reset when sack_ok (only then are there blocks or a pending D-SACK): the ACKs report no SACK
    // block until the next out-of-order skb makes one, whatever stays queued
    sackReset(c);
  }
  return pruned;
}

/** net/ipv4/tcp_input.c: tcp_try_rmem_schedule — room for `truesize` within sk_rcvbuf and tcp_mem. */
function tryRmemSchedule(t: TcpHost, c: TcpConn, seq: number, truesize: number): boolean {
  if (c.rmemAlloc <= c.rcvbuf && rmemSchedule(t, c, truesize)) return true;
  if (!pruneQueue(t, c, seq)) return false;
  while (!rmemSchedule(t, c, truesize)) if (!pruneOfoQueue(t, c, seq)) return false;
  return true;
}

/** net/ipv4/tcp_input.c: tcp_ofo_queue — move the now-contiguous out-of-order skbs to the receive queue, each
 *  in sequence order: one wholly below rcv_nxt is dropped (SKB_DROP_REASON_TCP_OFO_DROP: its truesize
 *  uncharged), else rcv_nxt moves to its end (tcp_rcv_nxt_update) and tcp_try_coalesce tries it against the
 *  receive queue's tail (TCPRcvCoalesce: the tail grows by the delta, the freed skb's truesize is uncharged,
 *  kfree_skb_partial), else it is queued. Every skb starting below the rcv_nxt the walk began with is
 *  D-SACKed up to that point first, dropped or not (tcp_dsack_extend). */
function ofoQueue(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  const dsackHigh = c.rcvNxt;
  while (c.ofo.length > 0 && c.ofo[0]!.start <= c.rcvNxt) {
    const r = c.ofo.shift()!;
    const s = r.skbs;
    for (let k = 0; k < s.length; k += OFO_SKB) {
      const seq = s[k]!;
      const end = s[k + 1]!;
      const truesize = s[k + 2]!;
      if (seq < dsackHigh) dsackExtend(t, sk, c, seq, Math.min(end, dsackHigh)); // tcp_ofo_queue: dsack_high
      if (end <= c.rcvNxt) {
        c.rmemAlloc -= truesize;
        memUncharge(t, c, truesize);
        continue;
      }
      c.bytesReceived += end - c.rcvNxt;
      c.rcvNxt = end;
      const delta = c.rq.tryCoalesce(seq, end, end - seq, s[k + 3]!, truesize);
      if (delta < 0) {
        c.rq.push(seq, end, truesize, s[k + 3]!, s[k + 4]!);
        continue;
      }
      t.nstat.add(t.mib.RcvCoalesce);
      c.rmemAlloc += delta - truesize;
      memCharge(c, delta);
      memUncharge(t, c, truesize);
    }
  }
}

/** include/net/sock.h: sk_rcvlowat's default (sock_init_data: 1) */
const SK_RCVLOWAT = 1;

/** net/ipv4/tcp_input.c: tcp_ack_snd_check -> __tcp_ack_snd_check(sk, 1) */
export function ackSndCheck(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  // the caller's tcp_data_snd_check goes first: data sent there carries the ACK
  if (c.sndDue !== 0) dataSndCheck(t, sk, c);
  if (!c.ackPending) return;
  // more than one full frame since the last window update and either the reader has taken less than
  // sk_rcvlowat (1: SO_RCVLOWAT is not modelled, so only an empty queue, a received FIN counted as in rcv_nxt)
  // or the window's right edge moves; tcp_in_quickack_mode: quick ACKs are for non-interactive sessions
  if (
    (c.rcvSinceWup() > c.rcvMss && (c.rcvNxtFin() - c.copiedSeq < SK_RCVLOWAT || selectWindowRaw(c, underMemoryPressure(t)) >= c.rcvWnd)) ||
    (c.quick > 0 && !inPingpong(t, c)) ||
    c.ackNow
  ) {
    // running from __release_sock: tcp_backlog_ack_defer leaves the ACK to tcp_release_cb
    if (c.owned && t.backlogAckDefer) {
      c.deferred |= TCPF_ACK_DEFERRED;
      return;
    }
    sendAck(t, sk, c);
    return;
  }
  if (ofoEmpty(c)) {
    sendDelayedAck(t, sk, c);
    return;
  }
  // out-of-order data queued: at once for the first duplicate ACKs, then SACK compression (comp-sack.ts)
  if (compressAck(t, sk, c)) sendAck(t, sk, c);
}

/** tcp_data_queue's queue_and_out: charge the memory (tcp_try_rmem_schedule, for the whole truesize)
 *  and queue the segment in order; true when it is refused (PROTO_MEM). */
function queueAndOut(t: TcpHost, sk: TcpSock, c: TcpConn, seq: number, end: number, truesize: number, frags: number, tailroom: number): boolean {
  if (!tryRmemSchedule(t, c, seq, truesize)) {
    c.ackNomem = true;
    c.ackPending = true;
    c.ackNow = true;
    if (c.rqLength() > 0) {
      t.nstat.add(t.mib.RcvQDrop);
      ackSndCheck(t, sk, c);
      return true;
    }
    // an empty receive queue always takes the segment (guaranteed progress)
    forcedMemSchedule(t, c, truesize);
  }
  queueRcv(t, c, seq, end, truesize, frags, tailroom);
  return false;
}

/** net/ipv4/tcp_input.c: tcp_queue_rcv — tcp_try_coalesce into the tail (charging what it grew by), else
 *  skb_set_owner_r; rcv_nxt moves to the end (tcp_rcv_nxt_update). */
export function queueRcv(t: TcpHost, c: TcpConn, seq: number, end: number, truesize: number, frags: number, tailroom: number): void {
  let charge = c.rq.tryCoalesce(seq, end, end - seq, frags, truesize);
  if (charge >= 0) t.nstat.add(t.mib.RcvCoalesce);
  else {
    charge = truesize;
    c.rq.push(seq, end, truesize, frags, tailroom);
  }
  c.rmemAlloc += charge;
  memCharge(c, charge);
  // tcp_rcv_nxt_update: bytes_received counts what is new (a partial packet's tail)
  c.bytesReceived += end - c.rcvNxt;
  c.rcvNxt = end;
}

/** The data part of a segment (tcp_data_queue). Returns a drop reason or null (queued/consumed). */
export function tcpDataQueue(t: TcpHost, sk: TcpSock, c: TcpConn, h: number): string | null {
  const rx = t.rx;
  const len = rx.dataLen;
  const seq = unwrap(sk.irs + 1, rx.seq, c.rcvNxt);
  const end = seq + len;
  // tcp_data_queue frees a segment without data first (seq == end_seq): one outside the window had its
  // duplicate ACK from tcp_sequence, and an older pure ACK inside it (rcv_wup <= seq < rcv_nxt) gets nothing
  if (len === 0) return null;
  let truesize = t.core.skb.truesize[h]!;
  const segs = t.core.skb.gsoSegs[h]!;
  const gsoSize = segs > 1 ? t.core.skb.gsoSize[h]! : 0;
  if (truesize === 0) truesize = gsoSize > 0 ? groTruesize(t.core.skb.len[h]! - len, len, gsoSize, segs) : rxTruesize(t.core.skb.len[h]!);
  // the skb's layout for coalescing: as GRO built it, or as the socket backlog left it
  let frags = rx.skbFrags;
  let tailroom = rx.skbTailroom;
  if (frags < 0) {
    frags = rxFrags(segs);
    tailroom = rxTailroom(frags, truesize, t.core.skb.len[h]!);
  }
  // tcp_rcv_established's tcp_rcv_rtt_measure_ts (step5, before tcp_data_queue); tcp_rcv_state_process has
  // none: not in the other states (old data in FIN_WAIT1/2), nor for the segment that completes a handshake on
  // the child (ESTABLISHED by now, but run in SYN_RECV), which leaves rcv_rtt_last_tsecr alone
  if (sk.state === TCP_ESTABLISHED && !t.synRecvSeg) rcvRttMeasureTs(t, sk, c, len + (rx.flags & TCPHDR_FIN ? 1 : 0));
  // tcp_data_queue clears a pending D-SACK (rx_opt.dsack = 0) for every segment with data that reaches it, in
  // order or not, before a partial packet or old data sets a new one; only tcp_rcv_established's fast path,
  // which never comes here, leaves it for the next ACK (fast-path.ts)
  c.dsackPending = false;
  if (seq !== c.rcvNxt) {
    // end_seq and rcv_nxt count a FIN (the segment's; the one received, c.eof): old data that brings a FIN
    // not yet received is a partial packet (below), whose queue_and_out reaches tcp_fin
    const endSeq = end + (rx.flags & TCPHDR_FIN ? 1 : 0);
    if (endSeq <= c.rcvNxtFin()) {
      // a retransmission of data we have: D-SACK territory; out_of_window: tcp_enter_quickack_mode and the ACK
      // scheduled, which the caller's tcp_ack_snd_check sends at once (quick-ack mode) unless the data that
      // tcp_data_snd_check sends before it carries it
      t.nstat.add(t.mib.DelayedACKLost);
      dsackSet(t, sk, c, seq, endSeq);
      enterQuickack(c);
      c.ackPending = true;
      ackSndCheck(t, sk, c);
      return "TCP_OLD_DATA";
    }
    if (seq >= c.rcvNxt + c.receiveWindow()) {
      // out_of_window, as for old data
      enterQuickack(c);
      c.ackPending = true;
      ackSndCheck(t, sk, c);
      return "TCP_OVERWINDOW";
    }
    if (seq > c.rcvNxt) return dataQueueOfo(t, sk, c, seq, end, truesize, gsoSize, frags, tailroom);
    // partial packet, seq < rcv_nxt < end_seq: D-SACK the old part, then (a closed window drops the tail)
    // queue_and_out as for an in-order segment, tcp_event_data_recv for the whole skb; no ACK of its own:
    // tcp_ack_snd_check decides (or tcp_fin's, when the new part is only a FIN: the skb queued all read)
    dsackSet(t, sk, c, seq, c.rcvNxt);
  }
  if (c.receiveWindow() === 0) {
    // out_of_window, as for old data
    t.nstat.add(t.mib.ZeroWindowDrop);
    enterQuickack(c);
    c.ackPending = true;
    ackSndCheck(t, sk, c);
    return "TCP_ZEROWINDOW";
  }
  // queue_and_out
  if (queueAndOut(t, sk, c, seq, end, truesize, frags, tailroom)) return "PROTO_MEM";
  eventDataRecv(t, sk, c, len, truesize, gsoSize);
  sk.rcvNxt = (sk.irs + 1 + c.rcvNxt) >>> 0;
  // queue_and_out: the segment's own FIN goes to tcp_fin here, before tcp_ofo_queue (tcp_fin purges the
  // out-of-order queue) and before tcp_ack_snd_check, so one ACK (or none yet: a delayed one in ESTABLISHED)
  // covers the data and the FIN
  const ownFin = (rx.flags & TCPHDR_FIN) !== 0;
  if (ownFin) {
    tcpFin(t, sk, c);
    // FIN_WAIT2 -> TIME_WAIT (or TCP_CLOSE): as for a FIN reached past a hole, below
    if (sk.tw || sk.state === TCP_CLOSE) return null;
  }
  // the kernel's out-of-order queue: c.ofo and a FIN waiting past a hole (c.finRcvSeq, a bare FIN's skb or the
  // flag of the data skb that carries it)
  const finQueued = c.finRcvSeq >= 0 && !c.eof;
  if (!ownFin && (c.ofo.length > 0 || finQueued)) {
    ofoQueue(t, sk, c);
    sk.rcvNxt = (sk.irs + 1 + c.rcvNxt) >>> 0;
    // tcp_ofo_queue: the FIN reached goes to tcp_fin (which purges the queue) before tcp_ack_snd_check, so the
    // one ACK sent covers it
    const finReached = finQueued && c.rcvNxt === c.finRcvSeq;
    if (finReached) {
      tcpFin(t, sk, c);
      // FIN_WAIT2 -> TIME_WAIT (or TCP_CLOSE when no timewait sock could be had): tcp_time_wait's tcp_done closed
      // the socket and its memory went back (memReclaimFinal); tcp_data_queue skips tcp_data_ready for the dead socket and tcp_rcv_state_process
      // the ACK check for a TCP_CLOSE one, so nothing more runs on it
      if (sk.tw || sk.state === TCP_CLOSE) return null;
    }
    // RFC 5681 4.2: ACK at once when a gap is filled (a FIN still past a hole keeps the queue not empty)
    if (finReached || (c.ofo.length === 0 && !finQueued)) c.ackNow = true;
  }
  if (c.numSacks > 0) sackRemove(c, c.rcvNxt, ofoEmpty(c));
  fastPathCheck(sk, c);
  ackSndCheck(t, sk, c);
  c.app?.onReadable?.(c);
  if (c.readRate === Infinity) recvmsg(t, sk, c, Infinity);
  return null;
}

/** net/ipv4/tcp_input.c: tcp_data_queue for a FIN alone past rcv_nxt (established.ts keeps it as c.finRcvSeq, not as
 *  an skb): the pending D-SACK cleared (rx_opt.dsack = 0); at or past the window's end TCP_OVERWINDOW (out_of_window:
 *  quick-ack mode, the ACK scheduled, tcp_ack_snd_check sends it); else tcp_data_queue_ofo's start:
 *  tcp_try_rmem_schedule for its truesize (refused: TCPOFODrop, PROTO_MEM) and tcp_measure_rcv_mss (0 bytes + the
 *  header are below TCP_MIN_MSS + 20 and FIN is in TCP_REMNANT: last_seg_size 0, ICSK_ACK_PUSHED, then PUSHED2).
 *  Null when it goes on to the queue. Not modelled: the FIN skb's own charge (skb_set_owner_r, or
 *  tcp_ooo_try_coalesce's delta into the skb before it). */
export function ofoBareFin(t: TcpHost, sk: TcpSock, c: TcpConn, h: number, seq: number): string | null {
  c.dsackPending = false;
  if (seq >= c.rcvNxt + c.receiveWindow()) {
    enterQuickack(c);
    c.ackPending = true;
    ackSndCheck(t, sk, c);
    return "TCP_OVERWINDOW";
  }
  const truesize = skbRxTruesize(t, h, 0);
  if (!tryRmemSchedule(t, c, seq, truesize)) {
    t.nstat.add(t.mib.OFODrop);
    return "PROTO_MEM";
  }
  measureRcvMss(t, c, 0, truesize, 0);
  c.predWnd = -1; // tcp_data_queue_ofo: disable header prediction
  return null;
}

/** net/ipv4/tcp_input.c: tcp_data_queue_ofo */
function dataQueueOfo(t: TcpHost, sk: TcpSock, c: TcpConn, seq: number, end: number, truesize: number, gsoSize: number, frags: number, tailroom: number): string | null {
  const rx = t.rx;
  const len = end - seq;
  if (!tryRmemSchedule(t, c, seq, truesize)) {
    t.nstat.add(t.mib.OFODrop);
    return "PROTO_MEM";
  }
  measureRcvMss(t, c, len, truesize, gsoSize);
  c.predWnd = -1; // disable header prediction
  c.ackPending = true; // inet_csk_schedule_ack
  t.nstat.add(t.mib.OFOQueue);
  const first = ofoEmpty(c);
  const charge = ofoInsert(c.ofo, seq, end, truesize, frags, tailroom);
  // tcp_data_queue_ofo's walk, before add_sack: queued skbs the new one covers are dropped TCP_OFOMERGE
  // (TCPOFOMerge each), and the D-SACK blocks set or extended in its order
  const fx = ofoEffects;
  if (fx.dropped > 0) {
    t.nstat.add(t.mib.OFOMerge, fx.dropped);
    c.rmemAlloc -= fx.freed;
    memUncharge(t, c, fx.freed);
  }
  for (let k = 0; k < fx.dsack.length; k += 3) {
    if (fx.dsack[k] === OFO_DSACK_SET) dsackSet(t, sk, c, fx.dsack[k + 1]!, fx.dsack[k + 2]!);
    else dsackExtend(t, sk, c, fx.dsack[k + 1]!, fx.dsack[k + 2]!);
  }
  // tcp_ooo_try_coalesce: TCPRcvCoalesce, the delta charged (tcp_try_coalesce), then coalesce_done's
  // tcp_grow_window, all before add_sack; a queued skb grows the window and is charged (skb_set_owner_r) after it.
  // A SACK flow grows the window for every kept skb (a non-SACK one must not: its sender needs the duplicate
  // ACKs of an unchanged window for fast retransmit)
  const coalesced = charge >= 0 && charge !== truesize;
  if (coalesced) {
    t.nstat.add(t.mib.RcvCoalesce);
    c.rmemAlloc += charge;
    memCharge(c, charge);
    if (sk.sackOk) growWindow(c, len, truesize, t.rmem[2]!, underMemoryPressure(t));
  }
  // tcp_data_queue_ofo (first skb) / add_sack: tcp_sack_new_ofo_skb, also for an skb whose bits were all
  // queued; end_seq counts a FIN. It may send the ACKs SACK compression holds.
  if (sk.sackOk) sackNewOfoSkb(t, sk, c, seq, rx.flags & TCPHDR_FIN ? end + 1 : end, first);
  if (charge < 0) {
    // tcp_data_queue_ofo: all its bytes are queued already — TCPOFOMerge, D-SACKed, dropped; the ACK is
    // tcp_ack_snd_check's
    t.nstat.add(t.mib.OFOMerge);
    ackSndCheck(t, sk, c);
    return "TCP_OFOMERGE";
  }
  if (!coalesced) {
    if (sk.sackOk) growWindow(c, len, truesize, t.rmem[2]!, underMemoryPressure(t));
    c.rmemAlloc += charge;
    memCharge(c, charge);
  }
  // no quick-ack bump nor ACK of its own here in 6.12: tcp_rcv_established's tcp_ack_snd_check decides
  ackSndCheck(t, sk, c);
  return null;
}

export { TCP_CA_Disorder, TCP_CA_Loss };
