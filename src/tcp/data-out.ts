// Sending on an ESTABLISHED socket: tcp_write_xmit (cwnd, receive window,
// Nagle/Minshall, GSO sizing, TSQ, EDT stamps for fq), retransmissions
// (tcp_xmit_retransmit_queue), ACKs (tcp_send_ack, tcp_select_window,
// tcp_send_delayed_ack), the retransmit/probe and delayed-ACK timers
// (net/ipv4/tcp_timer.c), and the socket calls of the application
// (sendmsg into the write queue, recvmsg out of the receive queue).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import {
  TCPCB_EVER_RETRANS,
  TCPCB_LOST,
  TCPCB_SACKED_ACKED,
  TCPCB_SACKED_RETRANS,
  type TcpConn,
} from "./conn.js";
import { CA_EVENT_CWND_RESTART, CA_EVENT_LOSS, CA_EVENT_TX_START, TCP_CA_Disorder, TCP_CA_Loss, TCP_CA_Open, TCP_CA_Recovery } from "./cc.js";
import { MAX_TCP_HEADER, TCP_INIT_CWND, TCP_SKB_OVERHEAD, TCP_MAX_QUICKACKS, pacingRate, rcvSpaceAdjust, selectWindowRaw, sndbufExpand } from "./buffers.js";
import { TCP_RTO_MAX_US, TCP_RTO_MIN_US } from "./rtt.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_PSH } from "../wire/tcp.js";
import { writeSegment } from "./segment.js";
import { FIN_ALONE_QUEUED, FIN_ALONE_SENT, finXmit } from "./fin.js";
import { frtoEnterLoss } from "./frto.js";
import { SKB_GSO_TCPV4, SKB_GSO_TCPV6 } from "../core/gro.js";
import { SKB_GSO_TCP_FIXEDID } from "../core/gso.js";
import { pow2 } from "../util/pow2.js";
import { jiffyNs, msecsToJiffies } from "../sim/jiffies.js";
import { HASH_L4, SKB_F_OOO_OKAY } from "../core/skb-fields.js";
import { recvmsg, sendmsgBlocked, sendmsgHold } from "./sock-lock.js";
import { currentSsthresh, inCwndReduction, initUndo, retransmitted } from "./undo.js";
import { scheduleLossProbe, sendLossProbe } from "./tlp.js";
import { enterCwr, rackReoTimeout } from "./recovery.js";
import { resetRenoSack } from "./reno-sack.js";
import { currentMss, establishedOptions } from "./options.js";
import { isRack, markSkbLost, rackSkbTimeout } from "./rack.js";
import { sendHead, sendHeadEnd } from "./send-head.js";
import { outOfResources } from "./out-of-resources.js";
import { clampProbe0ToUserTimeoutNs, clampRtoToUserTimeoutUs, orphanRetries, rtxProbe0TimedOut, sockDead, writeErr, writeTimeout } from "./write-timeout.js";
import { TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_MSS_DEFAULT, TCP_RTO_MAX } from "./constants.js";
import { firstTxhash } from "./txhash.js";
import { compAckKick, compressedAckSent, delackFireCompressed, sackCompressSendAck } from "./comp-sack.js";
import { belowMemLow, forcedMemSchedule, memUncharge, sndMemSync, underMemoryPressure, wmemSchedule } from "./mem.js";

/** include/net/tcp.h: TCP_DELACK_MIN / TCP_ATO_MIN (HZ/25), TCP_DELACK_MAX (HZ/5), in ns. */
export const TCP_DELACK_MIN = 40e6;
export const TCP_ATO_MIN = 40e6;
export const TCP_DELACK_MAX = 200e6;

/** Timer kinds multiplexed on one event kind (arg = slot·8 + kind; comp-sack.ts' TIMER_COMP_SACK is 4). */
export const TIMER_RTO = 0;
export const TIMER_DELACK = 1;
export const TIMER_READ = 2;
export const TIMER_WRITE = 3;

export const wireSeq = (base: number, rel: number): number => (base + rel) >>> 0;

/** Unwrap a 32-bit sequence number to the relative number nearest `ref`. */
export function unwrap(base: number, wire: number, ref: number): number {
  return ref + ((wire - ((base + ref) >>> 0)) | 0);
}

// ---- window selection ----

/** net/ipv4/tcp_output.c: tcp_select_window — the 16-bit field to send. */
export function selectWindow(t: TcpHost, c: TcpConn): number {
  let newWin: number;
  if (c.ackNomem) {
    c.ackNomem = false;
    c.predWnd = -1; // pred_flags = 0
    c.rcvWnd = 0;
    c.rcvWup = c.rcvNxt;
    c.rcvWupFin = c.eof ? 1 : 0;
    // tcp_select_window returns 0 before its TCPToZeroWindowAdv count; old_win (rcv_wnd) is 0 for the next
    // window, which then counts TCPFromZeroWindowAdv
    c.zeroAdvertised = true;
    return 0;
  } else {
    const cur = c.receiveWindow();
    newWin = selectWindowRaw(c, underMemoryPressure(t));
    if (newWin < cur) {
      // never shrink the offered window
      if (newWin === 0) t.nstat.add(t.mib.WantZeroWindowAdv);
      const unit = pow2(c.rcvWscale);
      newWin = Math.ceil(cur / unit) * unit;
    }
    c.rcvWnd = newWin;
    // rcv_wup = rcv_nxt, which counts the peer's FIN once it is in
    c.rcvWup = c.rcvNxt;
    c.rcvWupFin = c.eof ? 1 : 0;
  }
  const unit = pow2(c.rcvWscale);
  let w = Math.min(newWin, 65535 * unit);
  w = Math.floor(w / unit);
  if (w === 0) {
    // a zero window advertised disables the fast path (pred_flags = 0)
    c.predWnd = -1;
    if (!c.zeroAdvertised) t.nstat.add(t.mib.ToZeroWindowAdv);
    c.zeroAdvertised = true;
  } else if (c.zeroAdvertised) {
    t.nstat.add(t.mib.FromZeroWindowAdv);
    c.zeroAdvertised = false;
  }
  return w;
}

// ---- segment output ----

/** transmit()'s answer, as __tcp_transmit_skb's: 0 sent (NET_XMIT_SUCCESS; NET_XMIT_CN would count as sent,
 *  net_xmit_eval, but no qdisc of the model returns it). */
export const XMIT_OK = 0;
/** The qdisc dropped the skb at enqueue (NET_XMIT_DROP, > 0: pfifo_fast's txqueuelen, fq's flow_limit, band
 *  limit or horizon): local congestion. */
export const NET_XMIT_DROP = 1;
/** No skb could be had (-ENOBUFS: alloc_skb / the clone failed); nothing was built. */
export const XMIT_ENOBUFS = -105;

/** Build and send one segment (tcp_transmit_skb): data [start, end) or a bare
 *  ACK when start === end. Every segment carries ACK, the current window and tcp_established_options'
 *  timestamp and SACK blocks (options.ts; probes and active resets too: tcp_xmit_probe_skb and
 *  tcp_send_active_reset use tcp_transmit_skb). `mss`: the mss_now the caller sized the skb by
 *  (tcp_current_mss; its tcp_gso_size), unused without data. Returns XMIT_OK, NET_XMIT_DROP or XMIT_ENOBUFS. */
export function transmit(t: TcpHost, sk: TcpSock, c: TcpConn, start: number, end: number, flags: number, mss: number): number {
  const h = t.env.alloc();
  if (h < 0) return XMIT_ENOBUFS;
  const tx = t.txFor(sk);
  tx.v6 = t.v6;
  tx.seq = wireSeq(sk.iss + 1, start);
  tx.ack = sk.rcvNxt;
  // tcp_send_fin put the FIN on the write queue's last skb: every (re)transmission of it carries the flag
  // (unless the FIN is an skb of its own: fin.ts)
  if (c.finQueued && c.finAlone === 0 && end === c.writeSeq && end > start) flags |= TCPHDR_FIN;
  // tcp_set_skb_tso_segs: a GSO skb of ceil(len / mss) segments (the ledger counts each)
  const payload = end - start;
  const segs = payload > mss ? Math.ceil(payload / mss) : 1;
  // __tcp_transmit_skb: PSH on every GSO skb (tcp_skb_pcount > 1), so the receiver's GRO flushes at its last
  // segment (tcp_gso_segment keeps PSH there only); a 1-MSS skb keeps its own
  if (segs > 1) flags |= TCPHDR_PSH;
  tx.flags = flags;
  tx.window = selectWindow(t, c);
  // __tcp_transmit_skb: tp->tcp_wstamp_ns = max(wstamp, tcp_clock_cache) on every skb, and skb_set_delivery_time
  // stamps the skb with it before the clone: the retransmit queue's skb_mstamp_ns (its send time for RTT
  // samples, RACK, tcp_rate and the RTO) and the TSval (tcp_skb_timestamp_ts) are the EDT stamp, not now
  const prior = c.wstampNs;
  c.wstampNs = Math.max(c.wstampNs, t.now);
  c.xmitMstamp = c.wstampNs;
  // tcp_established_options: the timestamp (TSval from the EDT stamp) and the SACK / D-SACK blocks
  establishedOptions(tx, sk, c, c.wstampNs);
  tx.payloadLen = end - start;
  writeSegment(t.core, h, tx);
  const skb = t.core.skb;
  if (segs > 1) {
    skb.gsoSize[h] = mss;
    skb.gsoSegs[h] = segs;
    // the model's TCP sends IPv4 ID 0 with DF on every packet (segment.ts), so the segments keep it
    // (SKB_GSO_TCP_FIXEDID) and GRO at the receiver sees one fixed-ID stream across skbs
    skb.gsoType[h] = t.v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID;
    t.env.created?.(segs - 1);
  } else {
    skb.gsoSize[h] = 0;
    skb.gsoSegs[h] = 0;
    skb.gsoType[h] = 0;
  }
  // __tcp_transmit_skb: the skb is charged to sk_wmem_alloc until tcp_wfree (a pure ACK: truesize 2,
  // skb_set_tcp_pure_ack); fq keys its flows on skb->sk
  const truesize = tcpSkbTruesize(end - start);
  skb.sk[h] = sk.slot;
  skb.truesize[h] = truesize;
  // skb_set_hash_from_sk: skb->hash = sk_txhash (net_tx_rndhash; here a deterministic mix of the 4-tuple), l4_hash
  if (sk.txhash === 0) sk.txhash = firstTxhash(sk);
  skb.hash[h] = sk.txhash;
  skb.hashFlags[h] = HASH_L4;
  // skb->ooo_okay: nothing of this socket is below TCP (sk_wmem_alloc_get < SKB_TRUESIZE(1)), or everything sent
  // is ACKed (tcp_rtx_queue_empty), so the TX queue may change without reordering
  const oooOkay = c.wmemAlloc < SKB_TRUESIZE_1 || c.rtx.count === 0;
  skb.flags[h] = oooOkay ? skb.flags[h]! | SKB_F_OOO_OKAY : skb.flags[h]! & ~SKB_F_OOO_OKAY;
  c.wmemAlloc += truesize;
  c.wmemCharged += truesize;
  // skb->tstamp = tcp_wstamp_ns (EDT; only fq reads it, so unpaced skbs keep 0)
  if (c.pacingFq || c.pacingNeeded) t.core.skbTime.tstamp[h] = c.wstampNs;
  if (end > start) c.dataSegsOut += segs;
  tx.sackN = 0;
  // tcp_event_ack_sent: held ACKs are saved (SACK compression), and the ACK that went out clears the pending one
  // (inet_csk_clear_xmit_timer(ICSK_TIME_DACK): icsk_ack.retry too)
  if (c.compressedAck !== 0) compressedAckSent(t, c);
  // include/net/tcp.h: tcp_dec_quickack_mode — before the clear: only a segment sent with an ACK scheduled uses
  // up a quick ACK, and the one that uses up the last leaves quick-ack mode with ato deflated to TCP_ATO_MIN
  if (c.quick > 0 && c.ackPending) {
    if (c.quick <= 1) {
      c.quick = 0;
      c.ato = TCP_ATO_MIN;
    } else c.quick--;
  }
  c.ackRetry = 0;
  if (c.ackPending) {
    c.ackPending = false;
    c.ackNow = false;
    c.ackPushed = 0;
    c.delackDeadline = Infinity;
  }
  if (end > start) {
    // tcp_event_data_sent: sending with nothing in flight starts a transmission (CUBIC shifts its epoch by
    // the idle time since lsndtime), then lsndtime moves
    if (c.packetsInFlight() === 0 && c.cc.cwndEvent !== undefined) {
      c.now = t.now;
      c.cc.cwndEvent(c, CA_EVENT_TX_START);
    }
    c.lsndtime = t.jiffies();
    // data sent within ato of the last data received is a reply — an interactive session
    if (t.jiffiesNs() - c.lrcvtime < c.ato && c.pingpong < 255) c.pingpong++;
  }
  // __tcp_transmit_skb: TcpOutSegs only when end_seq is after snd_nxt (new data, a first FIN) or seq == end_seq
  // (an ACK, a window probe); a retransmission counts in RetransSegs alone
  const endSeq = (tx.seq + payload + (flags & TCPHDR_FIN ? 1 : 0)) >>> 0;
  t.outRetransmit = ((endSeq - sk.sndNxt) | 0) <= 0 && endSeq !== tx.seq;
  const freed = c.wmemFreed;
  if (!t.output(h)) {
    // the qdisc dropped this skb at enqueue (its free already ran tcp_wfree): it never queued behind the
    // older ones (keeps the marks FIFO). (TCP's route always exists: no -EHOSTUNREACH here.)
    const d = c.wmemFreed - freed;
    c.wmemFreed -= d;
    c.wmemCharged -= d;
    // __tcp_transmit_skb: err > 0 from ip_queue_xmit is local congestion: tcp_enter_cwr; net_xmit_eval keeps
    // NET_XMIT_DROP an error, so neither tcp_update_skb_after_send nor tcp_rate_skb_sent (the caller keeps
    // the skb unsent: tcp_write_xmit stops with it as the send head, snd_nxt unmoved)
    enterCwr(t, c);
    return NET_XMIT_DROP;
  }
  // tcp_update_skb_after_send (sk_pacing_status read after the qdisc, which may have just set SK_PACING_FQ)
  if (end > start && (c.pacingFq || c.pacingNeeded)) updateSkbAfterSend(c, end - start, prior);
  return XMIT_OK;
}

/** net/ipv4/tcp_output.c: tcp_send_ack — false when its skb could not be had (the ACK stays scheduled). */
export function sendAck(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  // net/ipv4/tcp_output.c: tcp_acceptable_seq — snd_nxt, past a FIN we sent (sk.sndNxt counts it, c.sndNxt not)
  const seq = unwrap(sk.iss + 1, sk.sndNxt, c.sndNxt);
  // __tcp_send_ack: only a failed alloc_skb keeps the ACK pending; __tcp_transmit_skb's answer is not looked at
  if (transmit(t, sk, c, seq, seq, TCPHDR_ACK, 0) !== XMIT_ENOBUFS) return true;
  ackAllocFailed(t, c);
  return false;
}

/** net/ipv4/tcp_output.c: __tcp_send_ack when alloc_skb fails — the ACK stays scheduled (inet_csk_schedule_ack),
 *  ato drops to TCP_ATO_MIN and the delayed-ACK timer is re-armed TCP_DELACK_MAX << icsk_ack.retry ahead
 *  (inet_csk_reset_xmit_timer(ICSK_TIME_DACK, ..., TCP_RTO_MAX): at most 120 s); retry grows while that is below
 *  TCP_RTO_MAX. The ACK that goes at last clears retry (tcp_event_ack_sent). */
export function ackAllocFailed(t: TcpHost, c: TcpConn): void {
  const delay = TCP_DELACK_MAX * pow2(c.ackRetry);
  if (delay < TCP_RTO_MAX) c.ackRetry++;
  c.ackPending = true;
  c.ato = TCP_ATO_MIN;
  // inet_csk_reset_xmit_timer(ICSK_TIME_DACK): icsk_ack.timeout = jiffies + when, sk_reset_timer
  armDelackTimer(t, c, t.jiffies() + t.toJiffies(delay < TCP_RTO_MAX ? delay : TCP_RTO_MAX));
}

/** The send-side view the congestion control reads. */
function ccRefresh(t: TcpHost, c: TcpConn): void {
  c.now = t.now;
  c.inFlight = c.packetsInFlight();
  c.srttUs = c.rtt.srttUs;
}

/** net/ipv4/tcp_input.c: tcp_update_pacing_rate */
export function updatePacingRate(c: TcpConn): void {
  // WRITE_ONCE(sk->sk_pacing_rate, min_t(u64, rate, sk->sk_max_pacing_rate))
  c.pacingRate = Math.min(pacingRate(c.mss, c.cwnd, c.ssthresh, c.packetsOut, c.rtt.srttUs), c.maxPacingRate);
}

export function segSent(t: TcpHost, c: TcpConn, countPrr = true): void {
  // tcp_write_xmit / tcp_xmit_retransmit_queue: prr_out while tcp_in_cwnd_reduction (Recovery or CWR);
  // tcp_write_wakeup's segment (countPrr false) leaves it alone
  if (countPrr && inCwndReduction(c)) c.prrOut++;
  // tcp_event_new_data_sent: the first segment out (prior_packets 0) re-arms: the RTO replaces a pending
  // zero-window probe timer (tcp_ack_probe keeps it when the window takes only part of the head skb); tcp_rearm_rto
  // arms it through tcp_reset_xmit_timer (the pacing delay)
  if (c.rtoDeadline === Infinity || c.xmitPending === ICSK_TIME_PROBE0) tcpResetXmitTimer(t, c, ICSK_TIME_RETRANS, c.icskRtoUs() * 1000);
  // tcp_event_new_data_sent: a pending loss probe gives way to the RTO (tcp_write_xmit re-schedules it)
  else if (c.xmitPending === ICSK_TIME_LOSS_PROBE) rearmRto(t, c);
}

/** net/ipv4/tcp_output.c: tcp_xmit_retransmit_queue — lost segments first, within cwnd. */
export function xmitRetransmitQueue(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  if (c.lostOut === 0) return;
  const rb = c.rtx;
  let rearm = false;
  for (let i = 0; i < rb.count; i++) {
    if (pacingCheck(t, c)) break;
    if (c.packetsInFlight() >= c.cwnd) break;
    // as many retransmissions out as segments marked lost: done (a retransmission an undo left unmarked
    // counts too, so a segment marked lost since may wait)
    if (c.retransOut >= c.lostOut) break;
    const j = rb.at(i);
    const f = rb.flags[j]!;
    if ((f & (TCPCB_LOST | TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS)) !== TCPCB_LOST) continue;
    if (smallQueueCheck(t, c, rb.end[j]! - rb.start[j]!, 1)) break;
    // tcp_retransmit_skb: a refused or failed attempt is stamped too (with the skb's last send time) and ends the walk
    if (retransmitSkb(t, sk, c, i) !== XMIT_OK) break;
    // the head's retransmission restarts the RTO unless RACK's reordering timer is pending
    if (i === 0 && c.xmitPending !== ICSK_TIME_REO_TIMEOUT) rearm = true;
    // every state but Loss counts a fast retransmission (a lost segment retransmitted in Disorder or CWR too)
    if (c.caState !== TCP_CA_Loss) t.nstat.add(t.mib.FastRetrans);
    else t.nstat.add(t.mib.SlowStartRetrans);
    segSent(t, c);
  }
  if (rearm) tcpResetXmitTimer(t, c, ICSK_TIME_RETRANS, c.icskRtoUs() * 1000); // tcp_xmit_retransmit_queue: tcp_reset_xmit_timer
}

/** __tcp_retransmit_skb's -EBUSY: the segment's last transmission is still in this host (skb_still_in_host_queue). */
const EBUSY = -16;

/** net/ipv4/tcp_output.c: tcp_retransmit_skb of rtx record i (one segment): 0 (XMIT_OK) when it went, else the
 *  error — EBUSY (skb_still_in_host_queue), NET_XMIT_DROP (> 0: the qdisc dropped it, local congestion) or
 *  XMIT_ENOBUFS, the last two counting TCPRetransFail. Whatever the outcome the attempt sets retrans_stamp (if
 *  unset) from the skb's timestamp and counts undo_retrans, so a connection whose retransmissions keep failing
 *  still times out. */
function retransmitSkb(t: TcpHost, sk: TcpSock, c: TcpConn, i: number): number {
  const rb = c.rtx;
  let j = rb.at(i);
  if (stillInHostQueue(t, c, j)) {
    retransmitted(c, rb.sentAt[j]!);
    return EBUSY;
  }
  const start = rb.start[j]!;
  // tcp_retransmit_skb: cur_mss = tcp_current_mss; a record sent when the segments carried fewer SACK blocks
  // is longer than that: tcp_fragment cuts it at cur_mss (with room for more segments, tcp_set_skb_tso_segs
  // makes it a GSO skb of cur_mss segments instead: the same frames, the record behind goes next)
  const curMss = currentMss(sk, c);
  if (rb.end[j]! - start > curMss) j = fragmentRecord(c, i, start + curMss);
  // __tcp_retransmit_skb counts RetransSegs and total_retrans before tcp_transmit_skb, and always sets EVER_RETRANS
  t.nstat.add(t.mib.RetransSegs);
  c.retransTotal++;
  rb.flags[j] = rb.flags[j]! | TCPCB_EVER_RETRANS;
  // a zero-length entry is the FIN sent on its own (fin.ts)
  const err = transmit(t, sk, c, start, rb.end[j]!, start === rb.end[j] ? TCPHDR_ACK | TCPHDR_FIN : TCPHDR_ACK, curMss);
  if (err === XMIT_OK) {
    // (an RTO's head whose earlier retransmission an undo left out, still SACKED_RETRANS, is counted once: the
    // kernel would add it to retrans_out again, its "retrans_out leaked" case)
    if (!(rb.flags[j]! & TCPCB_SACKED_RETRANS)) c.retransOut++;
    rb.flags[j] = rb.flags[j]! | TCPCB_SACKED_RETRANS;
    rb.sentAt[j] = c.xmitMstamp;
    rb.charged[j] = c.wmemCharged;
    rb.deliveredAt[j] = c.delivered;
  } else {
    t.nstat.add(t.mib.RetransFail);
  }
  retransmitted(c, rb.sentAt[j]!);
  return err;
}

/** net/ipv4/tcp_timer.c: tcp_retransmit_timer's tcp_retransmit_skb(sk, tcp_rtx_queue_head(sk), 1) — the head goes
 *  straight to tcp_transmit_skb: none of tcp_xmit_retransmit_queue's tests (tcp_pacing_check, cwnd,
 *  tcp_small_queue_check) and neither TCPSlowStartRetrans nor prr_out. */
function retransmitHead(t: TcpHost, sk: TcpSock, c: TcpConn): number {
  // (tcp_enter_loss ran first: a head that was SACKed, reneging, is not any more)
  return c.rtx.count === 0 ? XMIT_OK : retransmitSkb(t, sk, c, 0);
}

/** net/ipv4/tcp_output.c: tcp_send_loss_probe's __tcp_retransmit_skb of the last segment (no undo or
 *  SACKED_RETRANS accounting: the probe is not a repair). As for any retransmission, RetransSegs and
 *  total_retrans count before tcp_transmit_skb, EVER_RETRANS is set whatever happens, and a failed
 *  transmit (no skb, a qdisc drop) counts TCPRetransFail. */
export function tlpRetransmitTail(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  const rb = c.rtx;
  const i = rb.count - 1;
  let j = rb.at(i);
  const fin = rb.start[j] === rb.end[j] ? TCPHDR_FIN : 0; // the FIN sent on its own (fin.ts)
  if (stillInHostQueue(t, c, j)) return false;
  // tcp_send_loss_probe: mss = tcp_current_mss; the last record is one segment of the mss it was sent with, so
  // only __tcp_retransmit_skb(skb, 1)'s cut applies: a record longer than cur_mss goes as its first cur_mss
  // bytes, the rest stays behind it unsent
  const mss = currentMss(sk, c);
  if (rb.end[j]! - rb.start[j]! > mss) j = fragmentRecord(c, i, rb.start[j]! + mss);
  t.nstat.add(t.mib.RetransSegs);
  c.retransTotal++;
  rb.flags[j] = rb.flags[j]! | TCPCB_EVER_RETRANS;
  if (transmit(t, sk, c, rb.start[j]!, rb.end[j]!, TCPHDR_ACK | fin, mss) !== XMIT_OK) {
    t.nstat.add(t.mib.RetransFail);
    return false;
  }
  rb.sentAt[j] = c.xmitMstamp;
  rb.charged[j] = c.wmemCharged;
  rb.deliveredAt[j] = c.delivered;
  return true;
}

/** net/ipv4/tcp_output.c: tcp_fragment (TCP_FRAG_IN_RTX_QUEUE) of rtx record i at `at`, with tcp_adjust_pcount:
 *  the new record counts in packets_out and in sacked_out / retrans_out / lost_out as its flags say. As the
 *  SACK and loss cuts of the model's MSS records, the skb's split is implied: no new skb in c.sentSkbs, no
 *  truesize charged. Returns record i's physical index (the ring may have grown). */
function fragmentRecord(c: TcpConn, i: number, at: number): number {
  const f = c.rtx.flags[c.rtx.at(i)]!;
  c.rtx.split(i, at);
  c.packetsOut++;
  if (f & TCPCB_SACKED_ACKED) c.sackedOut++;
  if (f & TCPCB_SACKED_RETRANS) c.retransOut++;
  if (f & TCPCB_LOST) c.lostOut++;
  return c.rtx.at(i);
}

// net/ipv4/tcp_output.c: skb_still_in_host_queue — the last (re)transmission of rtx record j is still in
// this host's qdisc or TX ring (skb_fclone_busy): retransmitting it now would only queue a duplicate. Set
// TSQ_THROTTLED so its TX completion (tcp_wfree) brings the socket back through the TSQ tasklet.
function stillInHostQueue(t: TcpHost, c: TcpConn, j: number): boolean {
  if (c.wmemFreed >= c.rtx.charged[j]!) return false;
  c.tsqThrottled = true;
  t.nstat.add(t.mib.SpuriousRtxHostQueues);
  return true;
}

/** skb->truesize of a TCP skb with `payload` bytes (tcp_stream_alloc_skb + the copied
 *  payload; a pure ACK is 2, skb_set_tcp_pure_ack). */
export function tcpSkbTruesize(payload: number): number {
  return payload > 0 ? payload + TCP_SKB_OVERHEAD : 2;
}

// net/ipv4/tcp_output.c: tcp_update_skb_after_send — the next departure is len/rate later,
// less up to half of it as credit for time the socket lost waiting
function updateSkbAfterSend(c: TcpConn, len: number, priorWstamp: number): void {
  const rate = c.pacingRate;
  if (rate > 0 && rate !== Infinity && c.dataSegsOut >= 10) {
    let lenNs = Math.floor((len * 1e9) / rate);
    const credit = c.wstampNs - priorWstamp;
    lenNs -= Math.min(Math.floor(lenNs / 2), credit);
    c.wstampNs += lenNs;
  }
}

/** SKB_TRUESIZE(1) on x86_64 6.12: 1 + SKB_DATA_ALIGN(sizeof(struct sk_buff) 232) + SKB_DATA_ALIGN(sizeof(struct skb_shared_info) 320). */
export const SKB_TRUESIZE_1 = 1 + 256 + 320;

/** sk_pacing_shift: TSQ keeps about 1 ms (2^-10 s) of the pacing rate below TCP. */
export const SK_PACING_SHIFT = 10;
const SK_PACING_DIV = 2 ** SK_PACING_SHIFT;

// net/ipv4/tcp_output.c: tcp_small_queue_check — true: throttled (TSQ_THROTTLED set).
// `factor` is 1 for retransmissions (tcp_xmit_retransmit_queue), 0 for new data.
export function smallQueueCheck(t: TcpHost, c: TcpConn, payload: number, factor: number): boolean {
  let limit = Math.max(2 * tcpSkbTruesize(payload), Math.floor(c.pacingRate / SK_PACING_DIV));
  // an unpaced socket (sk_pacing_status == SK_PACING_NONE) is capped by tcp_limit_output_bytes (an int read as
  // unsigned long by min_t: a negative value caps nothing)
  if (!c.pacingFq && !c.pacingNeeded && t.limitOutputBytes >= 0) limit = Math.min(limit, t.limitOutputBytes);
  if (factor !== 0) limit *= pow2(factor);
  // refcount_read(&sk->sk_wmem_alloc): 1 (sk_alloc's) + the truesize of the socket's skbs below TCP
  if (c.wmemAlloc + 1 > limit) {
    // tcp_rtx_queue_empty_or_single_skb: always send when the retransmit queue holds at most one skb, of any size
    // (its skbs: sentSkbs, and the FIN skb of its own; c.rtx keeps MSS pieces)
    if (c.sentSkbs.count + (c.finAlone === FIN_ALONE_SENT && c.rtx.count > 0 ? 1 : 0) <= 1) return false;
    if (!c.tsqThrottled) c.tsqThrottles++;
    c.tsqThrottled = true;
    return true;
  }
  return false;
}

// net/ipv4/tcp_output.c: tcp_pacing_check — with SK_PACING_NEEDED (no fq), nothing leaves before
// tcp_wstamp_ns: arm the pacing hrtimer for it (once) and stop writing; tcp_pace_kick writes again
export function pacingCheck(t: TcpHost, c: TcpConn): boolean {
  if (!c.pacingNeeded || c.pacingFq) return false;
  if (c.wstampNs <= t.now) return false;
  if (c.paceEvent < 0) c.paceEvent = t.env.loop.at(c.wstampNs, t.kPace, c.slot);
  return true;
}

/** net/ipv4/tcp_output.c: tcp_snd_wnd_test for the send head at `start` with the caller's mss_now: its first
 *  MSS, or all of a last skb of at most one MSS with the FIN's sequence number when it carries one (the FIN skb
 *  of its own: write_seq + 1), must not pass tcp_wnd_end. Shared by tcp_write_xmit, the FIN skb (fin.ts) and
 *  tcp_send_loss_probe. */
export function sndWndTest(c: TcpConn, start: number, mss: number): boolean {
  // the send head skb ends at the write queue's first end (the FIN skb of its own: write_seq)
  const skbEnd = c.wq.count > 0 && start < c.writeSeq ? c.wq.first() : c.writeSeq;
  const end = skbEnd - start > mss ? start + mss : skbEnd + (c.finQueued && skbEnd === c.writeSeq ? 1 : 0);
  return end <= c.sndUna + c.sndWnd;
}

/** [snd_nxt, end) of the send head skb (ending at `headEnd`) went out: it moves to the retransmit queue, or,
 *  cut short, its rest stays the send head in an skb of its own (tso_fragment / tcp_fragment:
 *  tcp_stream_alloc_skb with a forced charge, sk_wmem_queued_add). */
function sentSkb(t: TcpHost, c: TcpConn, end: number, headEnd: number): void {
  c.sentSkbs.push(end);
  if (end === headEnd) c.wq.shift();
  else {
    forcedMemSchedule(t, c, TCP_SKB_OVERHEAD);
    sndMemSync(t, c);
  }
}

/** net/ipv4/tcp_output.c: tcp_grow_skb — the send head (not the write queue's last skb) takes up to `missing`
 *  bytes from the next skb (skb_shift: sendmsg's skbs hold only page frags and never carry EOR in the model,
 *  so it always can); a next skb emptied is eaten (tcp_eat_one_skb: its FIN rides on; tcp_wmem_free_skb gives
 *  its truesize back). Returns the head's new end. (6.12 frees the eaten skb's whole truesize, the bytes
 *  that moved included, while skb_shift left the head's own truesize as it was; the model keeps charging
 *  the bytes: sk_wmem_queued is payload + TCP_SKB_OVERHEAD per skb.) */
function growSkb(t: TcpHost, c: TcpConn, missing: number): number {
  const n = c.wq.count;
  const end = c.wq.growFirst(missing);
  if (c.wq.count !== n) sndMemSync(t, c);
  return end;
}

/** include/net/tcp.h: the nonagle argument of tcp_write_xmit (tp->nonagle is 0 in the model: no TCP_NODELAY,
 *  TCP_CORK or MSG_MORE). tcp_send_loss_probe passes TCP_NAGLE_OFF. */
export const TCP_NAGLE_OFF = 1;
const TCP_NAGLE_CORK = 2;

/** net/ipv4/tcp_output.c: tcp_nagle_check — a `partial` segment waits under TCP_NAGLE_CORK, or with nonagle 0
 *  while packets are out and a small segment sent is not yet ACKed (tcp_minshall_check: snd_sml after snd_una;
 *  it is never after snd_nxt); TCP_NAGLE_OFF never waits. */
function nagleCheck(c: TcpConn, partial: boolean, nonagle: number): boolean {
  return partial && ((nonagle & TCP_NAGLE_CORK) !== 0 || (nonagle === 0 && c.packetsOut > 0 && c.sndSml > c.sndUna));
}

/** net/ipv4/tcp_output.c: tcp_mss_split_point — how much of a send head of `skbLen` bytes (more than one MSS)
 *  at `start` goes now, with `mss` the caller's mss_now and `maxSegs` the cwnd quota: all of it up to
 *  quota × MSS in the middle of the write queue when the window takes that much; else (the queue's tail, or
 *  the window ends first) up to the window's end or the skb's, and a sub-MSS last segment there only if
 *  Nagle (nagleCheck with the caller's nonagle) allows it. */
function mssSplitPoint(c: TcpConn, start: number, skbLen: number, mss: number, isTail: boolean, maxSegs: number, nonagle: number): number {
  const window = c.sndUna + c.sndWnd - start;
  const maxLen = mss * maxSegs;
  if (maxLen <= window && !isTail) return maxLen;
  const needed = Math.min(skbLen, window);
  if (maxLen <= needed) return maxLen;
  const partial = needed % mss;
  if (nagleCheck(c, partial !== 0, nonagle)) return needed - partial;
  return needed;
}

/** net/ipv4/tcp_output.c: tcp_write_xmit — internal pacing, GSO skbs of tcp_tso_segs, TSQ.
 *  `pushOne` 2: a loss probe — one skb, out even when cwnd is full, no TSO deferral, no new probe. `nonagle`:
 *  the caller's (0: tp->nonagle; tcp_send_loss_probe: TCP_NAGLE_OFF), for tcp_nagle_test and
 *  tcp_mss_split_point. Returns 6.12's answer: nothing went, nothing is out and a send head waits
 *  (__tcp_push_pending_frames then runs tcp_check_probe_timer: checkProbeTimer). */
export function writeXmit(t: TcpHost, sk: TcpSock, c: TcpConn, pushOne = 0, nonagle = 0): boolean {
  // mss_now: every caller passes tcp_current_mss (__tcp_push_pending_frames, tcp_push, tcp_tsq_write,
  // tcp_send_loss_probe), asked once: segments after the first one that used up a D-SACK keep its size
  const mss = currentMss(sk, c);
  // tcp_tso_segs: segments per skb (1 without GSO); a pure function, asked only once a segment may go
  let maxSegs = 0;
  // tcp_tso_should_defer held an skb for cwnd (its *is_cwnd_limited)
  let deferredForCwnd = false;
  let sent = false;
  while (c.writeSeq > c.sndNxt) {
    if (pacingCheck(t, c)) break;
    // tcp_cwnd_test: the free cwnd, at most half the cwnd (at least 2 GSO skbs in flight), 0 when full
    const inFlight = c.packetsInFlight();
    let cwndQuota = inFlight >= c.cwnd ? 0 : Math.min(Math.max(c.cwnd >> 1, 1), c.cwnd - inFlight);
    if (cwndQuota === 0) {
      if (pushOne !== 2) break;
      cwndQuota = 1; // tcp_write_xmit: force out a loss probe packet
    }
    const start = c.sndNxt;
    // (without GSO sk_setup_caps leaves sk_gso_max_segs at 1: one MSS per skb)
    if (maxSegs === 0) maxSegs = t.env.gso === true && c.gsoMaxSize > 0 ? tsoSegs(t, c, mss) : 1;
    // cwnd_quota = min(cwnd_quota, max_segs): at most that many MSS go in this skb (tcp_mss_split_point)
    const quota = Math.min(maxSegs, cwndQuota);
    // the send head: the write queue's first skb, cut by tso_fragment or, shorter than the quota and not the
    // last one, grown first (tcp_grow_skb)
    let headEnd = c.wq.first();
    if (quota * mss > headEnd - start && c.wq.count > 1) headEnd = growSkb(t, c, quota * mss - (headEnd - start));
    const skbLen = headEnd - start;
    if (!sndWndTest(c, start, mss)) {
      if (c.packetsOut === 0 && c.rtoDeadline === Infinity) armProbe(t, c);
      break;
    }
    let len = skbLen;
    if (skbLen <= mss) {
      // tcp_nagle_test (tso_segs 1): a small last skb waits while a small segment is unacked (Minshall); a FIN
      // skb is never held (a short head is always the write queue's last: tcp_grow_skb filled any other)
      if (nagleCheck(c, skbLen < mss, nonagle) && !(c.finQueued && headEnd === c.writeSeq)) break;
    } else {
      // tcp_tso_should_defer sends a FIN skb at once
      if (pushOne === 0 && !(c.finQueued && headEnd === c.writeSeq)) {
        const d = tsoShouldDefer(t, c, start, skbLen, headEnd >= c.writeSeq, maxSegs);
        if (d !== DEFER_NO) {
          if (d === DEFER_CWND) deferredForCwnd = true;
          c.tsoDeferrals++;
          break;
        }
      }
      // tso_fragment at tcp_mss_split_point
      len = Math.min(skbLen, mssSplitPoint(c, start, skbLen, mss, c.wq.count === 1, quota, nonagle));
    }
    if (smallQueueCheck(t, c, len, 0)) break;
    const end = start + len;
    const last = end === c.writeSeq;
    // tcp_transmit_skb failed (no skb; a qdisc drop entered CWR): the skb stays the send head. With nothing
    // in flight tcp_write_xmit returns true and __tcp_push_pending_frames arms the probe timer
    // (tcp_check_probe_timer), whose tcp_write_wakeup tries again
    if (transmit(t, sk, c, start, end, last ? TCPHDR_ACK | TCPHDR_PSH : TCPHDR_ACK, mss) !== XMIT_OK) {
      if (c.packetsOut === 0 && c.rtoDeadline === Infinity) armProbe(t, c);
      break;
    }
    c.sndNxt = end;
    sk.sndNxt = sndNxtWire(sk, c, end);
    sentSkb(t, c, end, headEnd);
    // tcp_event_new_data_sent: TCPOrigDataSent += tcp_skb_pcount
    t.nstat.add(t.mib.OrigDataSent, Math.ceil(len / mss));
    // the retransmit queue keeps MSS pieces (tcp_fragment on SACK/loss is implied)
    for (let s = start; s < end; s += mss) {
      const e = Math.min(s + mss, end);
      c.rtx.push(s, e, c.xmitMstamp, c.delivered, c.wmemCharged);
      c.packetsOut++;
      // tcp_minshall_update: an skb not a whole number of MSS (skb->len < tcp_skb_pcount * mss_now) sets
      // snd_sml = its end_seq: the end of its short last segment
      if (e - s < mss) c.sndSml = e;
      segSent(t, c);
    }
    sent = true;
    if (pushOne !== 0) break;
  }
  // tcp_send_fin queued a FIN skb of its own behind the data: it goes out like one
  if (c.finAlone === FIN_ALONE_QUEUED && c.sndNxt === c.writeSeq && finXmit(t, sk, c, pushOne === 2) === XMIT_OK) sent = true;
  // tcp_write_xmit: one loss probe per tail loss episode
  if (sent && pushOne !== 2) scheduleLossProbe(t, sk, c, false);
  // tcp_write_xmit: cwnd-limited when a cwnd-limited deferral held an skb or the flight fills cwnd (whether or
  // not data waits); tcp_cwnd_validate when something went or cwnd held it
  const cwndLimited = deferredForCwnd || c.packetsInFlight() >= c.cwnd;
  if (sent || cwndLimited) cwndValidate(t, sk, c, cwndLimited);
  return !sent && c.packetsOut === 0 && sendHead(c);
}

/** net/ipv4/tcp_output.c: tcp_cwnd_validate — latch the strongest signal of this window's cwnd use: cwnd-limited
 *  (kept until snd_una passes cwnd_usage_seq) or else the most packets out; then RFC 2861: a cwnd-limited flow
 *  restarts the clock, a starving one records its use and, with tcp_slow_start_after_idle and no cong_control,
 *  gives back unused cwnd once an RTO passed since the clock last moved. */
function cwndValidate(t: TcpHost, sk: TcpSock, c: TcpConn, cwndLimited: boolean): void {
  if (c.sndUna >= c.cwndUsageSeq || cwndLimited || (!c.isCwndLimited && c.packetsOut > c.maxPacketsOut)) {
    c.isCwndLimited = cwndLimited;
    c.maxPacketsOut = c.packetsOut;
    c.cwndUsageSeq = c.sndNxt;
  }
  const nowMs = t.nowMs();
  if (isCwndLimited(c)) {
    c.sndCwndUsed = 0;
    c.sndCwndStamp = nowMs;
    return;
  }
  if (c.packetsOut > c.sndCwndUsed) c.sndCwndUsed = c.packetsOut;
  // (s32)(tcp_jiffies32 - snd_cwnd_stamp) >= icsk_rto (jiffies, HZ=1000)
  if (t.slowStartAfterIdle && nowMs - c.sndCwndStamp >= Math.floor(c.icskRtoUs() / 1000) && c.cc.congControl === undefined) {
    cwndApplicationLimited(sk, c, nowMs);
  }
}

/** include/net/tcp.h: tcp_is_cwnd_limited — the latch, or in slow start a cwnd below twice the packets out. */
export function isCwndLimited(c: TcpConn): boolean {
  if (c.isCwndLimited) return true;
  return c.cwnd < c.ssthresh && c.cwnd < 2 * c.maxPacketsOut;
}

/** net/ipv4/tcp_output.c: tcp_cwnd_application_limited — in Open, an attached socket whose writer is not out of
 *  buffer (SOCK_NOSPACE) halves the cwnd it did not use: cwnd = (cwnd + max(snd_cwnd_used, tcp_init_cwnd)) / 2,
 *  ssthresh kept at tcp_current_ssthresh. */
function cwndApplicationLimited(sk: TcpSock, c: TcpConn, nowMs: number): void {
  if (c.caState === TCP_CA_Open && !sockDead(sk) && !c.nospace) {
    const winUsed = Math.max(c.sndCwndUsed, TCP_INIT_CWND);
    if (winUsed < c.cwnd) {
      c.ssthresh = currentSsthresh(c);
      c.cwnd = (c.cwnd + winUsed) >> 1;
    }
    c.sndCwndUsed = 0;
  }
  c.sndCwndStamp = nowMs;
}

/** tcp_tso_should_defer's answer: send now, or defer (cwnd-limited, rwnd-limited, application-limited). */
export const DEFER_NO = 0;
export const DEFER_CWND = 1;
export const DEFER_RWND = 2;
export const DEFER_APP = 3;
/** include/net/tcp.h: tcp_max_tso_deferred_mss */
const TCP_MAX_TSO_DEFERRED_MSS = 3;

// net/ipv4/tcp_output.c: tcp_tso_should_defer (6.12) — a TSO Nagle: hold a GSO skb that cannot go out
// whole while an ACK (which frees more window) is due soon. `start` is the send head's sequence,
// `skbLen` its length, `isTail` whether it is the write queue's last skb.
export function tsoShouldDefer(t: TcpHost, c: TcpConn, start: number, skbLen: number, isTail: boolean, maxSegs: number): number {
  if (c.caState >= TCP_CA_Recovery) return DEFER_NO;
  // only if the last write was recent (1 ms); tcp_wstamp_ns may be ahead (EDT)
  if (t.now - c.wstampNs - 1e6 > 0) return DEFER_NO;
  const mss = c.mss;
  const sendWin = c.sndUna + c.sndWnd - start;
  const congWin = (c.cwnd - c.packetsInFlight()) * mss;
  const limit = Math.min(sendWin, congWin);
  // a full-sized TSO skb can go
  if (limit >= maxSegs * mss) return DEFER_NO;
  // a skb in the middle of the queue gets no more data: all of it fits, send
  if (!isTail && limit >= skbLen) return DEFER_NO;
  const div = t.tsoWinDivisor;
  if (div > 0) {
    // at least 1/div of the window is free: use it
    const chunk = Math.floor(Math.min(c.sndWnd, c.cwnd * mss) / div);
    if (limit >= chunk) return DEFER_NO;
  } else if (limit > TCP_MAX_TSO_DEFERRED_MSS * mss) return DEFER_NO;
  if (c.rtx.count === 0) return DEFER_NO;
  // when is the ACK of the retransmit queue's head expected (its skb_mstamp_ns + srtt)?
  const srttNs = 125 * c.rtt.srttUs;
  const howFar = c.rtx.sentAt[c.rtx.at(0)]! + srttNs - t.now;
  // the ACK comes in more than min(srtt / 2, 1 ms): do not wait for it
  if (howFar - Math.min(Math.floor(srttNs / 2), 1e6) > 0) return DEFER_NO;
  if (congWin < sendWin) {
    if (congWin <= skbLen) return DEFER_CWND;
  } else if (sendWin <= skbLen) return DEFER_RWND;
  // (the model's FIN never rides on a data skb and it has no MSG_EOR: no "send now" for them)
  return DEFER_APP;
}

/** include/linux/netdevice.h: GSO_LEGACY_MAX_SIZE, a device's gso_max_size / gso_ipv4_max_size without BIG TCP. */
export const GSO_LEGACY_MAX_SIZE = 65536;
/** net/core/sock.c: sk_dst_gso_max_size — what sk_setup_caps stores in sk_gso_max_size: the device's size
 *  less room for the headers (MAX_TCP_HEADER + 1), 65215 on Debian's amd64 6.12. tcp_xmit_size_goal,
 *  tcp_tso_autosize and CUBIC's hystart_ack_delay all read this one value. */
export const GSO_MAX_SIZE = GSO_LEGACY_MAX_SIZE - (MAX_TCP_HEADER + 1);

/** Pacing rate (bytes/s) from which tcp_tso_autosize's bytes are capped at sk_gso_max_size whatever min_rtt adds. */
export const TSO_RATE_CAP = GSO_MAX_SIZE * 2 ** SK_PACING_SHIFT;

// net/ipv4/tcp_output.c: tcp_tso_segs -> tcp_tso_autosize (the WASM kernel, assembly/gso.ts) for mss_now
function tsoSegs(t: TcpHost, c: TcpConn, mss: number): number {
  // the answer depends only on these three: reuse it while they stand (pacing_rate moves on ACKs, not
  // per segment). From TSO_RATE_CAP up, sk_pacing_rate >> sk_pacing_shift alone reaches sk_gso_max_size,
  // where tcp_tso_autosize caps it: every such rate gives the same answer (a 10 Gbit flow's do).
  if (c.minRttUs === c.tsoMinRtt && mss === c.tsoMss && (c.pacingRate === c.tsoRate || (c.pacingRate >= TSO_RATE_CAP && c.tsoRate >= TSO_RATE_CAP))) return c.tsoSegs;
  const x = t.core.raw as unknown as { tcp_tso_segs: (rate: number, minRtt: number, mss: number, gsoMax: number, minSegs: number, shift: number, rttLog: number, maxSegs: number) => number };
  const rate = c.pacingRate > 0 && c.pacingRate !== Infinity ? Math.floor(Math.min(c.pacingRate, 2 ** 52)) : 2 ** 52;
  const minRtt = c.minRttUs === Infinity ? 0xffffffff : c.minRttUs;
  // sk_gso_max_segs: the device's gso_max_segs (GSO_MAX_SEGS); the skb itself is no longer than
  // tcp_xmit_size_goal made it (≤ sk_gso_max_size), so no further cap on the segments here
  const segs = x.tcp_tso_segs(rate, minRtt, mss, c.gsoMaxSize, t.minTsoSegs, SK_PACING_SHIFT, t.tsoRttLog, 65535) >>> 0;
  c.tsoRate = c.pacingRate;
  c.tsoMinRtt = c.minRttUs;
  c.tsoMss = mss;
  c.tsoSegs = Math.max(1, segs);
  return c.tsoSegs;
}

/** Retransmissions, then new data. */
export function xmitAll(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  // (xmitRetransmitQueue's own first test, asked here: a lossless flow never calls it)
  if (c.lostOut > 0) xmitRetransmitQueue(t, sk, c);
  return writeXmit(t, sk, c);
}

/** net/ipv4/tcp_output.c: __tcp_push_pending_frames — tcp_write_xmit, then tcp_check_probe_timer when it sent
 *  nothing with nothing out (e.g. a paced socket held by tcp_pacing_check). The path of tcp_push,
 *  tcp_push_pending_frames (tcp_data_snd_check), tcp_send_fin and tcp_xmit_recovery; tcp_tsq_write (the TSQ
 *  handler, the pacing timer) ignores the answer. */
export function pushPendingFrames(t: TcpHost, sk: TcpSock, c: TcpConn, nonagle = 0): void {
  // tcp_write_xmit only: retransmissions are tcp_xmit_recovery's (an ACK) and tcp_tsq_write's
  if (writeXmit(t, sk, c, 0, nonagle)) checkProbeTimer(t, c);
}

// ---- timers ----

// Each timer is one lazy wheel entry: a deadline that moves later keeps it (the common case on every ACK and
// segment, inlined where it is asked); only an earlier deadline or none moves it, out of line
// (docs/CONVENTIONS.md, hot functions).
function ensureRtoTimer(t: TcpHost, c: TcpConn, at: number): void {
  if (c.rtoEvent < 0 || c.rtoEventAt > at) moveRtoTimer(t, c, at);
}

function moveRtoTimer(t: TcpHost, c: TcpConn, at: number): void {
  if (c.rtoEvent >= 0) t.env.loop.cancel(c.rtoEvent);
  c.rtoEventAt = at;
  c.rtoEvent = t.connTimer(c, TIMER_RTO, at);
}

export function ensureDelackTimer(t: TcpHost, c: TcpConn, at: number): void {
  if (c.delackEvent < 0 || c.delackEventAt > at) moveDelackTimer(t, c, at);
}

function moveDelackTimer(t: TcpHost, c: TcpConn, at: number): void {
  if (c.delackEvent >= 0) t.env.loop.cancel(c.delackEvent);
  c.delackEventAt = at;
  c.delackEvent = t.connTimer(c, TIMER_DELACK, at);
}

/** inet_csk_reset_xmit_timer(ICSK_TIME_RETRANS) (tcp_retransmit_timer's: no pacing delay): lazily, one wheel
 *  entry that re-checks the deadline when it fires. */
export function armRto(t: TcpHost, c: TcpConn, afterNs: number): void {
  resetXmitTimer(t, c, ICSK_TIME_RETRANS, afterNs);
}

/** icsk_pending: which of the kernel's xmit timers the one retransmit timer runs (include/net/inet_connection_sock.h). */
export const ICSK_TIME_RETRANS = 1;
export const ICSK_TIME_PROBE0 = 3;
export const ICSK_TIME_LOSS_PROBE = 5;
export const ICSK_TIME_REO_TIMEOUT = 6;

/** inet_csk_reset_xmit_timer(what): the retransmit timer, now for `what`, `afterNs` ahead (the callers' `when`,
 *  which they round up to jiffies with usecs_to_jiffies). */
export function resetXmitTimer(t: TcpHost, c: TcpConn, what: number, afterNs: number): void {
  resetXmitTimerJ(t, c, what, t.toJiffies(afterNs));
}

/** inet_csk_reset_xmit_timer with `when` in jiffies: icsk_pending = what, icsk_timeout = jiffies + when, and
 *  sk_reset_timer(icsk_retransmit_timer, icsk_timeout) — a timer_list: it runs at its wheel bucket's tick
 *  (a 200 ms RTO at HZ=1000 is 200 jiffies, level 1: the next multiple of 8 jiffies after the expiry). */
function resetXmitTimerJ(t: TcpHost, c: TcpConn, what: number, when: number): void {
  c.xmitPending = what;
  const expires = t.jiffies() + when;
  c.rtoDeadline = expires * jiffyNs(t.hz);
  resetRtoTimerList(t, c);
}

/** sk_reset_timer(sk, &icsk_retransmit_timer, icsk_timeout). */
function resetRtoTimerList(t: TcpHost, c: TcpConn): void {
  const exp = c.rtoDeadline;
  c.rtoTimerAt = t.modTimer(Math.round(exp / jiffyNs(t.hz)), c.rtoTimerExp, c.rtoTimerAt);
  c.rtoTimerExp = exp;
  ensureRtoTimer(t, c, c.rtoTimerAt);
}

/** include/net/tcp.h: tcp_reset_xmit_timer — inet_csk_reset_xmit_timer at `afterNs` (in jiffies) plus
 *  tcp_pacing_delay, capped at TCP_RTO_MAX (every caller's max_when): a paced socket's timer never fires before
 *  its next departure. */
export function tcpResetXmitTimer(t: TcpHost, c: TcpConn, what: number, afterNs: number): void {
  resetXmitTimerJ(t, c, what, Math.min(t.toJiffies(afterNs) + pacingDelay(t, c), t.toJiffies(TCP_RTO_MAX_US * 1000)));
}

/** include/net/tcp.h: tcp_pacing_delay — tcp_wstamp_ns - tcp_clock_cache when positive, in whole jiffies
 *  (kernel/time/time.c: nsecs_to_jiffies truncates). */
function pacingDelay(t: TcpHost, c: TcpConn): number {
  const d = c.wstampNs - t.now;
  return d > 0 ? Math.floor(d / jiffyNs(t.hz)) : 0;
}

/** include/net/tcp.h: tcp_rto_delta_us — how far in the future the RTO of the head is (µs): from µs stamps,
 *  tcp_skb_timestamp_us(head) + jiffies_to_usecs(icsk_rto) - tcp_mstamp, each stamp its ns cut to µs (so not
 *  the ns difference cut, which can be a µs less). */
export function rtoDeltaUs(t: TcpHost, c: TcpConn): number {
  const rb = c.rtx;
  if (rb.count === 0) return c.icskRtoUs();
  return Math.floor(rb.sentAt[rb.at(0)]! / 1000) + c.icskRtoUs() - Math.floor(t.now / 1000);
}

/** tcp_rearm_rto: restart from now (a pending REO/loss probe timer keeps the head's RTO time), or stop. */
export function rearmRto(t: TcpHost, c: TcpConn): void {
  if (c.packetsOut === 0) {
    c.rtoDeadline = Infinity;
    c.xmitPending = 0;
    return;
  }
  let rtoUs = c.icskRtoUs();
  if (c.xmitPending === ICSK_TIME_REO_TIMEOUT || c.xmitPending === ICSK_TIME_LOSS_PROBE) rtoUs = Math.max(rtoDeltaUs(t, c), 1);
  tcpResetXmitTimer(t, c, ICSK_TIME_RETRANS, rtoUs * 1000); // tcp_rearm_rto: tcp_reset_xmit_timer
}

/** include/net/tcp.h: tcp_probe0_base — max(icsk_rto, TCP_RTO_MIN), ns. */
function probe0Base(c: TcpConn): number {
  return Math.max(c.icskRtoUs(), TCP_RTO_MIN_US) * 1000;
}

/** include/net/tcp.h: tcp_probe0_when — the base shifted by icsk_backoff (at most ilog2(RTO_MAX / RTO_MIN) + 1
 *  = 10), capped at TCP_RTO_MAX; ns. */
export function probe0When(c: TcpConn): number {
  return Math.min(probe0Base(c) * pow2(Math.min(c.icskBackoff, 10)), TCP_RTO_MAX_US * 1000);
}

/** include/net/tcp.h: tcp_check_probe_timer — nothing out and no timer pending: probe after the base, not backed off. */
export function armProbe(t: TcpHost, c: TcpConn): void {
  tcpResetXmitTimer(t, c, ICSK_TIME_PROBE0, probe0Base(c)); // tcp_check_probe_timer: tcp_reset_xmit_timer
}

/** include/net/tcp.h: tcp_check_probe_timer with its test (!packets_out && !icsk_pending). */
export function checkProbeTimer(t: TcpHost, c: TcpConn): void {
  if (c.packetsOut === 0 && c.rtoDeadline === Infinity) armProbe(t, c);
}

/** net/ipv4/tcp_input.c: tcp_ack_probe — an ACK while nothing is out and a send head waits: a window that takes
 *  the whole head skb (!after(end_seq, tcp_wnd_end)) ends the probing (icsk_backoff 0, timer cleared; the send
 *  follows), otherwise the probe timer restarts from this ACK with the backed-off interval (a window that takes
 *  only part of a GSO head still lets tcp_write_xmit send that part). */
export function ackProbe(t: TcpHost, c: TcpConn): void {
  if (!sendHead(c)) return;
  if (sendHeadEnd(c) <= c.sndUna + c.sndWnd) {
    c.icskBackoff = 0;
    c.probesTstamp = -1;
    if (c.xmitPending === ICSK_TIME_PROBE0) {
      c.xmitPending = 0;
      c.rtoDeadline = Infinity;
    }
  } else tcpResetXmitTimer(t, c, ICSK_TIME_PROBE0, clampProbe0ToUserTimeoutNs(t, c, probe0When(c))); // tcp_ack_probe
}

/** A lazy wheel entry of icsk_retransmit_timer (TIMER_RTO) or icsk_delack_timer (TIMER_DELACK) fired: true when
 *  the timer_list runs now (its run time has come: it is no longer pending, so its run time is cleared here, the
 *  one place that does it — TcpHost.modTimer counts a run time of now as a timer not yet run); false when the
 *  entry came before the timer's bucket (the timer was moved later since), which brings the entry back then. */
function timerListRuns(t: TcpHost, c: TcpConn, which: number): boolean {
  const rto = which === TIMER_RTO;
  const at = rto ? c.rtoTimerAt : c.delackTimerAt;
  if (at > t.now) {
    if (at !== Infinity) {
      if (rto) ensureRtoTimer(t, c, at);
      else ensureDelackTimer(t, c, at);
    }
    return false;
  }
  if (rto) c.rtoTimerAt = Infinity;
  else c.delackTimerAt = Infinity;
  return true;
}

/** After a TIMER_RTO / TIMER_DELACK wheel entry was handled: the timer's stored run time is not now or earlier
 *  (a timer that ran is not pending; one re-armed from its callback runs from base->clk = jiffies + 1 on). A
 *  run time left at now would make TcpHost.modTimer take the timer for one of this tick's batch not yet run. */
export function checkTimerListRan(t: TcpHost, c: TcpConn, which: number): void {
  const at = which === TIMER_RTO ? c.rtoTimerAt : which === TIMER_DELACK ? c.delackTimerAt : Infinity;
  if (at <= t.now) {
    const name = which === TIMER_RTO ? "rtoTimerAt (icsk_retransmit_timer)" : "delackTimerAt (icsk_delack_timer)";
    throw new Error(`${name}: run time ${at} ns is not after now (${t.now} ns) once the timer ran; its consumer must clear it`);
  }
}

export function timerFire(t: TcpHost, sk: TcpSock, c: TcpConn, which: number): void {
  c.now = t.now;
  if (which === TIMER_RTO) {
    c.rtoEvent = -1;
    c.rtoEventAt = Infinity;
    if (!timerListRuns(t, c, TIMER_RTO)) return;
    if (c.rtoDeadline === Infinity) return;
    // net/ipv4/tcp_timer.c: tcp_write_timer — the owner runs it from tcp_release_cb
    if (c.owned) {
      c.deferred |= TCPF_WRITE_TIMER_DEFERRED;
      return;
    }
    writeTimerHandler(t, sk, c);
  } else if (which === TIMER_DELACK) {
    c.delackEvent = -1;
    c.delackEventAt = Infinity;
    if (!timerListRuns(t, c, TIMER_DELACK)) return;
    // net/ipv4/tcp_timer.c: tcp_delack_timer_handler handles SACK compression first
    if (c.compressedAck !== 0 && delackFireCompressed(t, sk, c)) return;
    // net/ipv4/tcp_timer.c: tcp_delack_timer — icsk_delack_timer expired on an owned socket: DelayedACKLocked
    // before the handler looks at anything, so also when the ACK that armed it has gone since (the timer
    // outlives it); tcp_release_cb runs the handler
    if (c.owned) {
      t.nstat.add(t.mib.DelayedACKLocked);
      c.deferred |= TCPF_DELACK_TIMER_DEFERRED;
      return;
    }
    // tcp_delack_timer_handler (its SACK compression case is delackFireCompressed's, above)
    if (c.delackDeadline === Infinity) return;
    if (c.delackDeadline > t.now) {
      resetDelackTimerList(t, c);
      return;
    }
    delackTimer(t, sk, c);
  } else if (which === TIMER_READ) {
    c.readEvent = -1;
    appReadTick(t, sk, c);
  } else if (which === TIMER_WRITE) {
    c.writeEvent = -1;
    appWriteTick(t, sk, c);
  } else compAckKick(t, sk, c);
}

/** Deferred-work bits of sk_tsq_flags (include/linux/tcp.h: enum tsq_flags). */
export const TCPF_TSQ_DEFERRED = 1;
export const TCPF_WRITE_TIMER_DEFERRED = 2;
export const TCPF_DELACK_TIMER_DEFERRED = 4;
export const TCPF_ACK_DEFERRED = 8;

/** net/ipv4/tcp_timer.c: tcp_write_timer_handler (the deadline may have moved while deferred) */
export function writeTimerHandler(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  if (c.rtoDeadline === Infinity) return;
  // time_after(icsk_timeout, jiffies): sk_reset_timer to it (a timer re-armed while the work was deferred is
  // already pending there)
  if (c.rtoDeadline > t.now) {
    resetRtoTimerList(t, c);
    return;
  }
  // icsk_timeout (a jiffy): when the timer was due (tcp_rtx_probe0_timed_out)
  const dueJ = Math.round(c.rtoDeadline / jiffyNs(t.hz));
  c.rtoDeadline = Infinity;
  const what = c.xmitPending;
  if (what === ICSK_TIME_REO_TIMEOUT) rackReoTimeout(t, sk, c);
  else if (what === ICSK_TIME_LOSS_PROBE) sendLossProbe(t, sk, c);
  else {
    c.xmitPending = 0;
    if (what === ICSK_TIME_PROBE0) probeTimer(t, sk, c);
    else retransmitTimer(t, sk, c, dueJ);
  }
}

/** net/ipv4/tcp_timer.c: tcp_delack_timer_handler, re-checking the deadline as tcp_release_cb's call does */
export function delackTimerHandler(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  // the SACK compression case first (also tcp_compressed_ack_kick's work deferred by an owner)
  if (c.compressedAck !== 0) {
    sackCompressSendAck(t, sk, c);
    return;
  }
  if (c.delackDeadline === Infinity) return;
  // time_after(icsk_ack.timeout, jiffies): sk_reset_timer to it
  if (c.delackDeadline > t.now) {
    resetDelackTimerList(t, c);
    return;
  }
  delackTimer(t, sk, c);
}

/** net/ipv4/tcp_timer.c: tcp_delack_timer_handler */
function delackTimer(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  c.delackDeadline = Infinity;
  if (!c.ackPending) return;
  if (!inPingpong(t, c)) {
    // delayed ACK missed: inflate ato
    c.ato = Math.min(c.ato * 2, c.icskRtoUs() * 1000, TCP_DELACK_MAX);
  } else {
    // delayed ACK missed: leave pingpong mode and deflate ato
    c.pingpong = 0;
    c.ato = TCP_ATO_MIN;
  }
  t.nstat.add(t.mib.DelayedACKs);
  sendAck(t, sk, c);
}

/** net/ipv4/tcp_output.c: tcp_send_delayed_ack */
export function sendDelayedAck(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  let ato = c.ato;
  if (ato > TCP_DELACK_MIN) {
    // an interactive session or a pushed segment may wait the full TCP_DELACK_MAX
    let maxAto = inPingpong(t, c) || c.ackPushed & ICSK_ACK_PUSHED ? TCP_DELACK_MAX : 500e6; // HZ/2
    if (c.rtt.srttUs > 0) {
      // usecs_to_jiffies(srtt_us >> 3): the shift truncates before the rounding up (to the host's jiffy)
      const rtt = Math.max(t.toJiffies(Math.floor(c.rtt.srttUs / 8) * 1000) * jiffyNs(t.hz), TCP_DELACK_MIN);
      if (rtt < maxAto) maxAto = rtt;
    }
    ato = Math.min(ato, maxAto);
  }
  ato = Math.min(ato, TCP_DELACK_MAX);
  // in jiffies from here (icsk_ack.ato is jiffies; the model keeps it in ns at HZ=1000)
  const atoJ = t.toJiffies(ato);
  const now = t.jiffies();
  let timeout = now + atoJ;
  // an older timeout stays (ICSK_ACK_TIMER pending)
  if (c.delackDeadline !== Infinity) {
    const pending = Math.round(c.delackDeadline / jiffyNs(t.hz));
    // the timer is about to expire: ACK now
    if (pending <= now + (atoJ >> 2)) {
      sendAck(t, sk, c);
      return;
    }
    if (timeout >= pending) timeout = pending;
  }
  c.ackPending = true;
  armDelackTimer(t, c, timeout);
}

/** icsk_ack.pending |= ICSK_ACK_TIMER, icsk_ack.timeout = `expires` (a jiffy), sk_reset_timer. */
function armDelackTimer(t: TcpHost, c: TcpConn, expires: number): void {
  c.delackDeadline = expires * jiffyNs(t.hz);
  resetDelackTimerList(t, c);
}

/** sk_reset_timer(sk, &icsk_delack_timer, icsk_ack.timeout): the timer_list runs at its wheel bucket's tick
 *  (a 40 ms delayed ACK at HZ=1000: level 0, the jiffy after the expiry). */
function resetDelackTimerList(t: TcpHost, c: TcpConn): void {
  const exp = c.delackDeadline;
  c.delackTimerAt = t.modTimer(Math.round(exp / jiffyNs(t.hz)), c.delackTimerExp, c.delackTimerAt);
  c.delackTimerExp = exp;
  ensureDelackTimer(t, c, c.delackTimerAt);
}

/** net/ipv4/tcp_timer.c: tcp_retransmit_timer -> tcp_enter_loss, retransmit the head. */
function retransmitTimer(t: TcpHost, sk: TcpSock, c: TcpConn, dueJ: number): void {
  if (c.packetsOut === 0) return;
  if (c.sndWnd === 0 && !sockDead(sk)) {
    // the receiver closed its window on data in flight: the head's retransmissions are zero-window probes that
    // do not time the connection out while ACKs come (no TCPTimeouts, no tcp_write_timeout, icsk_retransmits kept)
    if (rtxProbe0TimedOut(t, c, dueJ)) {
      writeErr(t, sk);
      return;
    }
    enterLoss(t, c);
    retransmitHead(t, sk, c);
    // out_reset_timer
    c.backoff++;
    c.icskBackoff++;
    armRto(t, c, clampRtoToUserTimeoutUs(t, c) * 1000);
    return;
  }
  t.nstat.add(t.mib.Timeouts);
  // tcp_write_timeout: the retransmissions' time budget (tcp_retries2) is spent: abort
  if (writeTimeout(t, sk, c)) return;
  // the first RTO of a recovery episode counts what it interrupts
  if (c.retransmits === 0) {
    if (c.caState === TCP_CA_Recovery) t.nstat.add(sk.sackOk ? t.mib.SackRecoveryFail : t.mib.RenoRecoveryFail);
    else if (c.caState === TCP_CA_Loss) t.nstat.add(t.mib.LossFailures);
    else if (c.caState === TCP_CA_Disorder || c.sackedOut > 0 || c.dupAcks > 0) t.nstat.add(sk.sackOk ? t.mib.SackFailures : t.mib.RenoFailures);
  }
  enterLoss(t, c);
  // tcp_update_rto_stats
  c.retransmits++;
  if (retransmitHead(t, sk, c) > 0) {
    // the qdisc dropped it (local congestion): try again in TCP_RESOURCE_PROBE_INTERVAL, without backing off
    armRto(t, c, TCP_RESOURCE_PROBE_INTERVAL);
    return;
  }
  // tcp_retransmit_timer: icsk_backoff++ and icsk_rto doubled; the timer clamped to TCP_USER_TIMEOUT
  c.backoff++;
  c.icskBackoff++;
  armRto(t, c, clampRtoToUserTimeoutUs(t, c) * 1000);
}

/** net/ipv4/tcp_input.c: tcp_enter_loss */
export function enterLoss(t: TcpHost, c: TcpConn): void {
  ccRefresh(t, c);
  const newRecovery = c.caState < TCP_CA_Recovery;
  // tcp_timeout_mark_lost first: tcp_init_undo below then counts the retransmissions left out
  const rb = c.rtx;
  // tcp_reset_reno_sack before cwnd is set from the packets in flight, which subtract the emulated SACKs
  // (a SACK connection never has any)
  resetRenoSack(c);
  // tcp_timeout_mark_lost: a SACKed head means the receiver reneged (TCPSACKReneging): every SACK is forgotten
  // (sacked_out 0, SACKED_ACKED cleared) and every segment marked lost; else tcp_mark_skb_lost on each (a
  // retransmission still out is lost again: TCPLostRetransmit), except, with RACK, segments other than the head
  // sent less than rack.rtt ago (tcp_rack_skb_timeout with no reordering window > 0). (tp->is_sack_reneg only
  // voids tcp_rate_gen's sample, which the model does not take.)
  const reneg = rb.count > 0 && (rb.flags[rb.at(0)]! & TCPCB_SACKED_ACKED) !== 0;
  if (reneg) {
    t.nstat.add(t.mib.SACKReneging);
    c.sackedOut = 0;
  }
  const rack = isRack(t);
  for (let i = 0; i < rb.count; i++) {
    const j = rb.at(i);
    if (reneg) rb.flags[j] = rb.flags[j]! & ~TCPCB_SACKED_ACKED;
    else if (rack && i > 0 && rackSkbTimeout(c, rb.sentAt[j]!, t.now, 0) > 0) continue;
    markSkbLost(t, c, j);
  }
  if (c.caState <= TCP_CA_Disorder || c.highSeq <= c.sndUna || (c.caState === TCP_CA_Loss && c.retransmits === 0)) {
    c.priorSsthresh = currentSsthresh(c);
    c.priorCwnd = c.cwnd;
    c.ssthresh = c.cc.ssthresh(c);
    c.cc.cwndEvent?.(c, CA_EVENT_LOSS);
    initUndo(c);
  }
  c.cwnd = c.packetsInFlight() + 1;
  c.cwndCnt = 0;
  c.sndCwndStamp = t.nowMs();
  // a timeout after many SACKs in Disorder: the reordering degree was overestimated
  if (c.caState <= TCP_CA_Disorder && c.sackedOut >= t.reordering) c.reordering = Math.min(c.reordering, t.reordering);
  c.highSeq = c.sndNxt;
  c.tlpHighSeq = 0;
  c.caState = TCP_CA_Loss;
  c.cc.setState?.(c, TCP_CA_Loss);
  // F-RTO step 1 (icsk_retransmits is raised after this call, as tcp_update_rto_stats does)
  frtoEnterLoss(t, c, newRecovery, c.retransmits);
}

/** net/ipv4/tcp_timer.c: tcp_probe_timer -> tcp_send_probe0 (tcp_write_wakeup; tcp_xmit_probe_skb: seq snd_una − 1).
 *  RFC 1122 4.2.2.17: probing goes on as long as the peer answers (each ACK clears icsk_probes_out); after
 *  tcp_retries2 unanswered probes (an orphan: tcp_orphan_retries) the connection is aborted (tcp_write_err). */
function probeTimer(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  // tcp_probe_timer: stop when something is out or nothing waits
  if (c.packetsOut > 0 || !sendHead(c)) {
    c.probesOut = 0;
    c.probesTstamp = -1;
    return;
  }
  // TCP_USER_TIMEOUT counts from the episode's first probe timer, answered or not
  if (c.probesTstamp < 0) c.probesTstamp = t.jiffies();
  else if (c.userTimeoutMs !== 0 && t.jiffies() - c.probesTstamp >= msecsToJiffies(c.userTimeoutMs, t.hz)) {
    writeErr(t, sk);
    return;
  }
  let maxProbes = t.retries2;
  if (sockDead(sk)) {
    // inet_csk_rto_backoff(icsk, TCP_RTO_MAX): icsk_rto << icsk_backoff
    const alive = Math.min(c.icskRtoUs() * pow2(c.icskBackoff), TCP_RTO_MAX_US) < TCP_RTO_MAX_US;
    maxProbes = orphanRetries(t, alive);
    if (!alive && c.icskBackoff >= maxProbes) {
      writeErr(t, sk);
      return;
    }
    if (outOfResources(t, sk, c, true)) return;
  }
  if (c.probesOut >= maxProbes) {
    writeErr(t, sk);
    return;
  }
  const nxt = c.sndNxt;
  const err = writeWakeup(t, sk, c);
  // tcp_send_probe0: the wakeup sent data (the RTO covers it now), or nothing waits: probing ends
  if (c.packetsOut > 0 || !sendHead(c)) {
    c.probesOut = 0;
    c.icskBackoff = 0;
    c.probesTstamp = -1;
    // tcp_event_new_data_sent's tcp_check_space for the data tcp_write_wakeup sent (run last: the model's
    // wake calls the writer at once)
    if (c.sndNxt !== nxt) checkSpace(t, sk, c);
    return;
  }
  c.probesOut++;
  let timeout: number;
  if (err <= 0) {
    // tcp_retries2 caps icsk_backoff; the interval's own cap is TCP_RTO_MAX, then TCP_USER_TIMEOUT's
    if (c.icskBackoff < t.retries2) c.icskBackoff++;
    timeout = probe0When(c);
  } else timeout = TCP_RESOURCE_PROBE_INTERVAL; // not sent for local congestion: no back-off, retry in 500 ms
  tcpResetXmitTimer(t, c, ICSK_TIME_PROBE0, clampProbe0ToUserTimeoutNs(t, c, timeout)); // tcp_send_probe0
}

/** include/net/tcp.h: TCP_RESOURCE_PROBE_INTERVAL (HZ/2), ns. */
export const TCP_RESOURCE_PROBE_INTERVAL = 500e6;

/** net/ipv4/tcp_output.c: tcp_write_wakeup — send what fits of the send head if the window has room (the FIN
 *  skb once write_seq is inside it), else a zero-window probe (tcp_xmit_probe_skb, TCPWinProbe). Returns
 *  tcp_transmit_skb's answer (transmit()'s). */
function writeWakeup(t: TcpHost, sk: TcpSock, c: TcpConn): number {
  // the FIN skb goes as soon as write_seq is inside the window (cwnd not asked; for a one-sequence skb
  // tcp_write_wakeup's before(seq, tcp_wnd_end) is finXmit's tcp_snd_wnd_test)
  if (c.writeSeq <= c.sndNxt) {
    if (sndWndTest(c, c.writeSeq, 0)) return finXmit(t, sk, c, true, false);
    t.nstat.add(t.mib.WinProbe);
    return transmit(t, sk, c, c.sndUna - 1, c.sndUna - 1, TCPHDR_ACK, 0);
  }
  const room = c.sndUna + c.sndWnd - c.sndNxt;
  if (room > 0) {
    const start = c.sndNxt;
    const mss = currentMss(sk, c);
    // tcp_write_wakeup: what fits of the send head skb, at most one tcp_current_mss (tcp_fragment cuts the rest off)
    const end = start + Math.min(room, mss, c.wq.first() - start);
    // a head whose FIN passes the window is cut at tcp_wnd_end (tcp_fragment): the FIN flag moves to the
    // second part, an skb of its own that waits for the window (fin.ts)
    if (end === c.writeSeq && c.finQueued && !sndWndTest(c, start, mss)) {
      c.finAlone = FIN_ALONE_QUEUED;
      // tcp_fragment: the new skb comes from tcp_stream_alloc_skb(sk, gfp, true), so its truesize (no
      // data: TCP_SKB_OVERHEAD) is charged whatever the limits (sk_forced_mem_schedule), then
      // sk_wmem_queued_add and sk_mem_charge
      c.finSkb = true;
      forcedMemSchedule(t, c, TCP_SKB_OVERHEAD);
      sndMemSync(t, c);
    }
    const err = transmit(t, sk, c, start, end, TCPHDR_ACK | TCPHDR_PSH, mss);
    if (err === XMIT_OK) {
      c.rtx.push(start, end, c.xmitMstamp, c.delivered, c.wmemCharged);
      sentSkb(t, c, end, c.wq.first());
      t.nstat.add(t.mib.OrigDataSent); // tcp_event_new_data_sent
      c.sndNxt = end;
      sk.sndNxt = sndNxtWire(sk, c, end);
      c.packetsOut++;
      // (no tcp_minshall_update: only tcp_write_xmit calls it; snd_sml stays)
      segSent(t, c, false);
    }
    return err;
  }
  t.nstat.add(t.mib.WinProbe);
  return transmit(t, sk, c, c.sndUna - 1, c.sndUna - 1, TCPHDR_ACK, 0);
}

// ---- application: sendmsg / recvmsg ----

/** include/net/sock.h: sk_stream_memory_free — sk_wmem_queued below sk_sndbuf, then tcp_stream_memory_free(sk, 0):
 *  fewer than tcp_notsent_lowat bytes written but not sent (write_seq − snd_nxt). */
function memoryFree(t: TcpHost, c: TcpConn): boolean {
  return c.wmemQueued(TCP_SKB_OVERHEAD) < c.sndbuf && c.writeSeq - c.sndNxt < t.notsentLowat;
}

/** net/ipv4/tcp.c: tcp_xmit_size_goal — how far sendmsg fills an skb: gso_segs whole `mss` (tcp_send_mss's
 *  tcp_current_mss) of sk_gso_max_size bounded to half the largest window the peer offered
 *  (tcp_bound_to_half_wnd); one MSS when the socket cannot GSO. */
export function sizeGoal(c: TcpConn, mss = c.mss): number {
  if (c.gsoMaxSize === 0) return mss;
  let size = c.gsoMaxSize;
  const cutoff = c.maxWindow > TCP_MSS_DEFAULT ? c.maxWindow >>> 1 : c.maxWindow;
  if (cutoff !== 0 && size > cutoff) size = Math.max(cutoff, 68 - c.tcpHeaderLen);
  return Math.max(Math.floor(size / mss) * mss, mss);
}

/** tcp_sendmsg: copy up to `bytes` into the write queue while sk_wmem_queued <
 *  sk_sndbuf (each MSS-sized skb also costs its overhead); returns bytes taken. */
/** include/net/tcp.h: tcp_slow_start_after_idle_check — nothing out and idle (no data sent) for longer than
 *  the RTO: tcp_cwnd_restart halves cwnd per RTO of idleness, down to min(IW, cwnd), ssthresh kept at
 *  tcp_current_ssthresh. */
export function slowStartAfterIdleCheck(t: TcpHost, c: TcpConn): void {
  if (!t.slowStartAfterIdle || c.packetsOut > 0 || c.cc.congControl !== undefined) return;
  // tcp_jiffies32 - lsndtime and icsk_rto in jiffies at the host's HZ
  const jUs = jiffyNs(t.hz) / 1000;
  const delta = t.jiffies() - c.lsndtime;
  const rtoJ = Math.floor(c.icskRtoUs() / jUs);
  if (delta > rtoJ) cwndRestart(t, c, delta, rtoJ);
}

/** net/ipv4/tcp_output.c: tcp_cwnd_restart (out of line: slowStartAfterIdleCheck is on every window
 *  update's path, a restart after an idle RTO is rare; docs/CONVENTIONS.md, hot functions). */
function cwndRestart(t: TcpHost, c: TcpConn, delta: number, rtoJ: number): void {
  c.now = t.now;
  c.cc.cwndEvent?.(c, CA_EVENT_CWND_RESTART);
  c.ssthresh = currentSsthresh(c);
  let cwnd = c.cwnd;
  const restart = Math.min(TCP_INIT_CWND, cwnd);
  while ((delta -= rtoJ) > 0 && cwnd > restart) cwnd >>= 1;
  c.cwnd = Math.max(cwnd, restart);
  c.sndCwndStamp = t.nowMs();
  c.sndCwndUsed = 0;
}

/** net/ipv4/tcp.c: tcp_sendmsg — copy up to `bytes` into the write queue and push; the bytes taken (0: the
 *  call waits, for the lock or for memory), or a negative errno when the socket takes no more data (-EPIPE
 *  after close() queued the FIN: tcp_sendmsg_locked's state and SEND_SHUTDOWN checks). `flags`: MSG_NOSIGNAL. */
export function appSend(t: TcpHost, sk: TcpSock, c: TcpConn, bytes: number, flags = 0): number {
  // inet_sendmsg -> inet_send_prepare: sock_rps_record_flow (an ESTABLISHED socket's sk_rxhash, this CPU)
  if (t.recordFlow !== null && sk.state === TCP_ESTABLISHED) t.recordFlow(sk.rxhash, t.appCpu(sk.lport));
  // lock_sock: another call of the application holds the socket; it writes after release_sock
  if (sendmsgBlocked(t, c)) return 0;
  // the socket no longer takes data (close() queued the FIN, or it failed): an error, nothing copied
  if ((sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT) || c.sockErr !== 0) return sendError(c, flags);
  // tcp_skb_entail of a new skb (the write queue is empty: everything written was sent) checks for idleness
  if (bytes > 0 && c.writeSeq === c.sndNxt) slowStartAfterIdleCheck(t, c);
  // tcp_sendmsg_locked: tcp_send_mss (size_goal from tcp_current_mss)
  const goal = sizeGoal(c, currentMss(sk, c));
  const wq = c.wq;
  let taken = 0;
  while (taken < bytes) {
    // tcp_write_queue_tail: the last unsent skb takes data up to size_goal (no sk_stream_memory_free test, so
    // a writer may overshoot sk_sndbuf by up to one skb)
    let copy = wq.count > 0 ? goal - (c.writeSeq - wq.lastStart(c.sndNxt)) : 0;
    if (copy <= 0) {
      // new_segment: sk_stream_memory_free, then tcp_stream_alloc_skb (forced for the first skb of empty
      // write and retransmit queues) and tcp_skb_entail, which charges its truesize
      if (!memoryFree(t, c)) {
        c.nospace = true;
        break;
      }
      if (c.writeSeq === c.sndUna && c.rtx.count === 0) forcedMemSchedule(t, c, TCP_SKB_OVERHEAD);
      else if (!wmemSchedule(t, c, TCP_SKB_OVERHEAD)) {
        c.nospace = true;
        break;
      }
      wq.push(c.writeSeq);
      sndMemSync(t, c);
      copy = goal;
    }
    if (copy > bytes - taken) copy = bytes - taken;
    // skb_copy_to_page_nocache after sk_wmem_schedule: the copied bytes add to truesize and sk_wmem_queued
    if (!wmemSchedule(t, c, copy)) {
      // refused (__sk_mem_raise_allocated moderated sndbuf): tcp_remove_empty_skb, then wait_for_space
      if (wq.last() === wq.lastStart(c.sndNxt)) {
        wq.pop();
        sndMemSync(t, c);
      }
      c.nospace = true;
      break;
    }
    c.writeSeq += copy;
    wq.setLast(c.writeSeq);
    taken += copy;
    sndMemSync(t, c);
  }
  if (taken > 0) {
    // tcp_push -> __tcp_push_pending_frames
    if (writeXmit(t, sk, c)) checkProbeTimer(t, c);
    sendmsgHold(t, sk, c, taken);
  }
  return taken;
}

/** include/uapi/asm-generic/errno-base.h: EPIPE */
export const EPIPE = 32;
/** include/linux/socket.h: MSG_NOSIGNAL — an EPIPE without SIGPIPE. */
export const MSG_NOSIGNAL = 0x4000;

/** tcp_sendmsg_locked's error for a socket that takes no more data, the same on both of its paths: a state
 *  neither ESTABLISHED nor CLOSE_WAIT (net/core/stream.c: sk_stream_wait_connect — sock_error first, then
 *  -EPIPE: the model's applications write only once established) and sk_err or SEND_SHUTDOWN in its copy
 *  loop (shutdown(SHUT_WR) or close() queued the FIN). do_error -> sk_stream_error: sock_error's -sk_err if
 *  set (cleared as it is read), else -EPIPE and SIGPIPE to the caller unless MSG_NOSIGNAL. */
function sendError(c: TcpConn, flags: number): number {
  if (c.sockErr !== 0) return -takeSockErr(c);
  if (!(flags & MSG_NOSIGNAL)) c.sigpipes++;
  return -EPIPE;
}

/** include/net/sock.h: sock_error — sk_err, reset to 0 as it is read (xchg). */
function takeSockErr(c: TcpConn): number {
  const e = c.sockErr;
  c.sockErr = 0;
  return e;
}

/** tcp_check_space -> tcp_new_space: grow sndbuf, wake a blocked writer. */
export function checkSpace(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  if (!c.nospace) return;
  // tcp_should_expand_sndbuf: not locked, not under (soft) memory pressure, cwnd not filled
  if (!c.sndbufLocked && !underMemoryPressure(t) && belowMemLow(t) && c.packetsInFlight() < c.cwnd) expandSndbuf(t, sk, c);
  // sk_stream_write_space: __sk_stream_is_writeable(sk, 1) — free space >= wmem_queued / 2, wmem_queued below
  // sk_sndbuf, and tcp_stream_memory_free(sk, 1): twice the unsent bytes below tcp_notsent_lowat
  const q = c.wmemQueued(TCP_SKB_OVERHEAD);
  if (c.sndbuf - q >= q >> 1 && q < c.sndbuf && 2 * (c.writeSeq - c.sndNxt) < t.notsentLowat) {
    c.nospace = false;
    c.app?.onWritable?.(c);
  }
}

/** net/ipv4/tcp_output.c: tcp_tsq_write (the TSQ tasklet, the pacing timer, tcp_release_cb) — and the
 *  tcp_check_space that tcp_event_new_data_sent runs for new data sent: a blocked writer may be woken (its
 *  unsent bytes fell under tcp_notsent_lowat) or sk_sndbuf grow. Run after the send loop, not inside it (the
 *  model's wake calls the writer at once). */
export function tsqWrite(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  const nxt = c.sndNxt;
  xmitAll(t, sk, c);
  if (c.sndNxt !== nxt) checkSpace(t, sk, c);
}

/** net/ipv4/tcp_input.c: tcp_sndbuf_expand (out of line: once sk_sndbuf reached tcp_wmem[2] checkSpace
 *  rarely gets here, and it sits on every ACK's path; docs/CONVENTIONS.md, hot functions). */
function expandSndbuf(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  c.sndbuf = sndbufExpand(c.sndbuf, sk.mss, c.mss, c.cwnd, c.reordering, c.cc.sndbufFactor, t.wmem[2]!);
  if (c.sndbuf > c.sndbufMax) c.sndbufMax = c.sndbuf;
  c.sndCwndStamp = t.nowMs(); // tcp_new_space
}

/** The writer: as fast as the buffer allows, or `writeRate` bytes/s. */
export function appWriteMore(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  let n = 0;
  if (c.writeRate === Infinity) {
    if (c.toWrite > 0) n = appSend(t, sk, c, c.toWrite);
  } else if (c.writePending > 0) {
    n = appSend(t, sk, c, c.writePending);
    if (n > 0) c.writePending -= n;
  }
  if (n < 0) {
    // the write failed (-EPIPE, or sk_err): the writer gives up what it had left
    c.toWrite = 0;
    c.writePending = 0;
    return;
  }
  c.toWrite -= n;
  maybeClose(t, sk, c);
}

const WRITE_TICK = 1e6;

function appWriteTick(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  const dt = t.now - c.writeLast;
  c.writeLast = t.now;
  c.writePending = Math.min(c.toWrite, c.writePending + (c.writeRate * dt) / 1e9);
  c.writePending = Math.floor(c.writePending);
  appWriteMore(t, sk, c);
  if (c.toWrite > 0) c.writeEvent = t.connTimer(c, TIMER_WRITE, t.now + WRITE_TICK);
}

export function startWriter(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  if (c.writeRate === Infinity) appWriteMore(t, sk, c);
  else {
    c.writeLast = t.now;
    c.writeEvent = t.connTimer(c, TIMER_WRITE, t.now + WRITE_TICK);
  }
}

/** The application closes once its last write returned (the kernel sends what is queued, then the FIN). */
function maybeClose(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  if (c.closeWhenDone && c.toWrite === 0) {
    c.closeWhenDone = false;
    t.closeConn(sk);
  }
}

/** snd_nxt on the wire after sending up to `end`: the FIN takes one more sequence number. */
function sndNxtWire(sk: TcpSock, c: TcpConn, end: number): number {
  return wireSeq(sk.iss + 1, c.finQueued && c.finAlone === 0 && end === c.writeSeq ? end + 1 : end);
}

/** net/ipv4/tcp_output.c: tcp_send_fin — with data not yet sent, the FIN rides on the last skb
 *  (write_seq + 1); with everything sent, a FIN skb of its own (fin.ts). */
export function sendFin(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  c.finQueued = true;
  // everything was sent: a FIN skb of its own (fin.ts), charged whatever the limits (tcp_queue_skb after
  // sk_forced_mem_schedule: its truesize is SKB_TRUESIZE(SKB_WITH_OVERHEAD(704)) = TCP_SKB_OVERHEAD)
  if (c.writeSeq === c.sndNxt) {
    c.finAlone = FIN_ALONE_QUEUED;
    c.finSkb = true;
    forcedMemSchedule(t, c, TCP_SKB_OVERHEAD);
    sndMemSync(t, c);
  }
  // __tcp_push_pending_frames(sk, tcp_current_mss(sk), TCP_NAGLE_OFF): Minshall's check holds back no part of
  // the tail (tcp_mss_split_point keeps a sub-MSS last segment in the skb that carries the FIN)
  pushPendingFrames(t, sk, c, TCP_NAGLE_OFF);
}

export function afterAck(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  checkSpace(t, sk, c);
  if (c.closeWhenDone) maybeClose(t, sk, c);
}

/** tcp_recvmsg: consume up to `n` bytes (Infinity = all), free their rmem,
 *  run DRS (tcp_rcv_space_adjust) and tcp_cleanup_rbuf. */
export function appRecv(t: TcpHost, sk: TcpSock, c: TcpConn, n: number): number {
  const avail = c.inq();
  const take = n < avail ? Math.floor(n) : avail;
  if (take <= 0) return 0;
  const rq = c.rq;
  // net/ipv4/tcp.c: tcp_recvmsg_locked runs tcp_rcv_space_adjust after each skb's copy, copied_seq just past
  // what it took of that skb (so the rest of the read still counts as inq); the later skbs of a read that
  // measured find time 0
  const nowUs = Math.floor(t.now / 1000);
  const end = c.copiedSeq + take;
  for (let i = 0, seq = c.copiedSeq; seq < end; i++) {
    seq = i < rq.length ? Math.min(end, rq.endAt(i)) : end;
    rcvSpaceAdjust(c.rcvq, c, nowUs, seq, c.rcvNxt, t.moderateRcvbuf, c.rcvbufLocked, t.rmem[2]!);
  }
  if (c.rcvbuf > c.rcvbufMax) c.rcvbufMax = c.rcvbuf;
  c.copiedSeq = end;
  c.bytesRead += take;
  // free whole skbs that are fully read (skb_consume)
  let freed = 0;
  while (rq.length > 0 && rq.endAt(0) <= c.copiedSeq) freed += rq.shift();
  if (freed > 0) {
    // sock_rfree -> sk_mem_uncharge
    c.rmemAlloc -= freed;
    memUncharge(t, c, freed);
  }
  cleanupRbuf(t, sk, c, take);
  c.app?.onRead?.(c, take);
  return take;
}

/** net/ipv4/tcp.c: __tcp_cleanup_rbuf */
function cleanupRbuf(t: TcpHost, sk: TcpSock, c: TcpConn, copied: number): void {
  let timeToAck = false;
  // the once-per-two-segments ACK not sent yet, or this read emptied a queue holding a pushed
  // segment (PUSHED2, or PUSHED outside pingpong mode)
  if (c.ackPending) {
    if (c.rcvSinceWup() > c.rcvMss) timeToAck = true;
    else if (copied > 0 && (c.ackPushed & ICSK_ACK_PUSHED2 || (c.ackPushed & ICSK_ACK_PUSHED && !inPingpong(t, c))) && c.rmemAlloc === 0) timeToAck = true;
  }
  if (copied > 0 && !timeToAck && !c.eof) {
    const now = c.receiveWindow();
    if (2 * now <= c.windowClamp) {
      const w = selectWindowRaw(c, underMemoryPressure(t));
      if (w !== 0 && w >= 2 * now) timeToAck = true;
    }
  }
  if (timeToAck) sendAck(t, sk, c);
}

/** A reader with a rate reads what it may every tick (1 ms). */
const READ_TICK = 1e6;

function appReadTick(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  const dt = t.now - c.readLast;
  c.readLast = t.now;
  recvmsg(t, sk, c, (c.readRate * dt) / 1e9);
  if (sk.conn === c) c.readEvent = t.connTimer(c, TIMER_READ, t.now + READ_TICK);
}

export function startReader(t: TcpHost, c: TcpConn): void {
  if (c.readRate !== Infinity && c.readEvent < 0) {
    c.readLast = t.now;
    c.readEvent = t.connTimer(c, TIMER_READ, t.now + READ_TICK);
  }
}

/** icsk_ack.pending bits the model keeps apart from SCHED/TIMER (include/net/inet_connection_sock.h). */
export const ICSK_ACK_PUSHED = 4;
export const ICSK_ACK_PUSHED2 = 8;

/** include/net/inet_connection_sock.h: inet_csk_in_pingpong_mode */
export function inPingpong(t: TcpHost, c: TcpConn): boolean {
  return c.pingpong >= t.pingpongThresh;
}

/** net/ipv4/tcp_input.c: tcp_enter_quickack_mode — quick ACKs, out of pingpong mode, ato back to the minimum. */
export function enterQuickack(c: TcpConn, max = TCP_MAX_QUICKACKS): void {
  incrQuickack(c, max);
  c.pingpong = 0;
  c.ato = TCP_ATO_MIN;
}

/** Quick-ack mode (tcp_incr_quickack). */
export function incrQuickack(c: TcpConn, max = TCP_MAX_QUICKACKS): void {
  let q = Math.floor(c.rcvWnd / (2 * c.rcvMss));
  if (q === 0) q = 2;
  q = Math.min(q, max);
  if (q > c.quick) c.quick = q;
}

export { ccRefresh };
