// RACK loss detection (net/ipv4/tcp_recovery.c, 6.12; net.ipv4.tcp_recovery
// bit 0, on by default): a segment is lost once a segment sent after it has
// been delivered and more than the latest RTT plus a reordering window has
// passed since it was sent. The window is min_rtt/4 (times reo_wnd_steps,
// raised by D-SACKs) capped at srtt, or 0 while no reordering was seen and
// the connection is in Recovery or has `reordering` SACKed segments (the
// duplicate-ACK threshold). Segments not yet due arm the REO timer.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { TCPCB_EVER_RETRANS, TCPCB_LOST, TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS, type TcpConn } from "./conn.js";
import { TCP_CA_Recovery } from "./cc.js";
import { ICSK_TIME_REO_TIMEOUT, resetXmitTimer } from "./data-out.js";

/** net.ipv4.tcp_recovery bits (include/net/tcp.h) */
export const TCP_RACK_LOSS_DETECTION = 0x1;
export const TCP_RACK_STATIC_REO_WND = 0x2;
export const TCP_RACK_NO_DUPTHRESH = 0x4;
/** include/net/tcp.h: TCP_RACK_RECOVERY_THRESH — recoveries a raised reo_wnd persists for. */
export const TCP_RACK_RECOVERY_THRESH = 16;
/** include/net/tcp.h: TCP_TIMEOUT_MIN_US (2 ms, 2*USEC_PER_MSEC, at any HZ; unlike TCP_TIMEOUT_MIN, 2 jiffies) */
export const TCP_TIMEOUT_MIN_US = 2000;
/** TCPCB_RETRANS: ever retransmitted or being retransmitted. */
const TCPCB_RETRANS = TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS;

/** include/net/tcp.h: tcp_is_rack — tcp_recovery bit 0 (SACK or not: without SACK tcp_identify_packet_loss
 *  uses NewReno first, but the classic dupthresh rule of tcp_time_to_recover stays off). */
export function isRack(t: TcpHost): boolean {
  return (t.recovery & TCP_RACK_LOSS_DETECTION) !== 0;
}

/** include/net/tcp.h: tcp_skb_sent_after — t1 later than t2 (µs stamps), or the same µs and a higher sequence. */
function sentAfter(t1: number, t2: number, seq1: number, seq2: number): boolean {
  return t1 > t2 || (t1 === t2 && seq1 > seq2);
}

/** include/net/tcp.h: tcp_skb_timestamp_us (and tcp_mstamp, tcp_clock_us) — a time in ns as the kernel's µs stamp. */
function stampUs(ns: number): number {
  return Math.floor(ns / 1000);
}

/** net/ipv4/tcp_recovery.c: tcp_rack_skb_timeout — µs left before a segment sent at `sentNs` is overdue:
 *  rack.rtt_us + reo_wnd − tcp_stamp_us_delta(tcp_mstamp, tcp_skb_timestamp_us), both stamps in whole µs
 *  (the difference of the floors, not the floor of the difference). */
export function rackSkbTimeout(c: TcpConn, sentNs: number, nowNs: number, reoWndUs: number): number {
  return c.rackRttUs + reoWndUs - Math.max(stampUs(nowNs) - stampUs(sentNs), 0);
}

/** net/ipv4/tcp_recovery.c: tcp_rack_advance — a segment sent at `xmitNs` was (S)ACKed. */
export function rackAdvance(c: TcpConn, flags: number, end: number, xmitNs: number, nowNs: number): void {
  const xmitUs = stampUs(xmitNs);
  // tcp_stamp_us_delta(tcp_mstamp, xmit_time)
  const rttUs = Math.max(stampUs(nowNs) - xmitUs, 0);
  // a retransmitted segment delivered sooner than min_rtt: the original may be what arrived
  if (rttUs < c.minRttUs && flags & TCPCB_RETRANS) return;
  c.rackAdvanced = true;
  c.rackRttUs = rttUs;
  if (sentAfter(xmitUs, c.rackMstamp, end, c.rackEndSeq)) {
    c.rackMstamp = xmitUs;
    c.rackEndSeq = end;
  }
}

/** net/ipv4/tcp_recovery.c: tcp_rack_reo_wnd (µs) */
function reoWnd(t: TcpHost, c: TcpConn): number {
  if (c.reordSeen === 0) {
    if (c.caState >= TCP_CA_Recovery) return 0;
    if (c.sackedOut >= c.reordering && !(t.recovery & TCP_RACK_NO_DUPTHRESH)) return 0;
  }
  const minRtt = c.minRttUs === Infinity ? 0 : c.minRttUs;
  return Math.min((minRtt >> 2) * c.reoWndSteps, c.rtt.srttUs >> 3);
}

/** net/ipv4/tcp_input.c: tcp_mark_skb_lost — a retransmission lost again counts TCPLostRetransmit; both it
 *  and a newly lost segment add to tp->lost (tcp_notify_skb_loss_event). */
export function markSkbLost(t: TcpHost, c: TcpConn, j: number): void {
  const rb = c.rtx;
  const f = rb.flags[j]!;
  if (f & TCPCB_SACKED_ACKED) return;
  if (f & TCPCB_LOST) {
    if (f & TCPCB_SACKED_RETRANS) {
      rb.flags[j] = f & ~TCPCB_SACKED_RETRANS;
      c.retransOut--;
      t.nstat.add(t.mib.LostRetransmit);
      c.lost++;
    }
  } else {
    rb.flags[j] = f | TCPCB_LOST;
    c.lostOut++;
    c.lost++;
  }
}

/** net/ipv4/tcp_recovery.c: tcp_rack_detect_loss — marks what is due; returns the longest wait (µs) of the rest, 0 none. */
function detectLoss(t: TcpHost, c: TcpConn): number {
  let reoTimeout = 0;
  const reo = reoWnd(t, c);
  const rb = c.rtx;
  const nowNs = t.now;
  for (let i = 0; i < rb.count; i++) {
    const j = rb.at(i);
    const f = rb.flags[j]!;
    if (f & TCPCB_SACKED_ACKED) continue; // off the time-sorted list once SACKed
    if (f & TCPCB_LOST && !(f & TCPCB_SACKED_RETRANS)) continue; // lost, not retransmitted yet
    if (!sentAfter(c.rackMstamp, stampUs(rb.sentAt[j]!), c.rackEndSeq, rb.end[j]!)) continue;
    const remaining = rackSkbTimeout(c, rb.sentAt[j]!, nowNs, reo);
    if (remaining <= 0) markSkbLost(t, c, j);
    else if (remaining > reoTimeout) reoTimeout = remaining;
  }
  return reoTimeout;
}

/** net/ipv4/tcp_recovery.c: tcp_rack_mark_lost — true when the REO timer was armed. */
export function rackMarkLost(t: TcpHost, c: TcpConn): boolean {
  if (!c.rackAdvanced) return false;
  c.rackAdvanced = false;
  const timeout = detectLoss(t, c);
  if (timeout > 0) {
    // usecs_to_jiffies rounds up to the jiffy; inet_csk_reset_xmit_timer caps it at icsk_rto
    const ns = Math.min(Math.ceil((timeout + TCP_TIMEOUT_MIN_US) / 1000) * 1e6, c.icskRtoUs() * 1000);
    resetXmitTimer(t, c, ICSK_TIME_REO_TIMEOUT, ns);
    c.xmitTimerArmed = true;
  }
  return timeout > 0;
}

/** net/ipv4/tcp_recovery.c: tcp_rack_reo_timeout's loss scan — returns the packets newly counted lost. */
export function rackReoDetect(t: TcpHost, c: TcpConn): number {
  const prior = c.packetsInFlight();
  detectLoss(t, c);
  return prior - c.packetsInFlight();
}

/** net/ipv4/tcp_recovery.c: tcp_rack_update_reo_wnd — a D-SACK widens reo_wnd by a step for 16 recoveries.
 *  `priorDelivered` = the rate sample's prior_delivered (tp->delivered when the newest delivered segment was sent). */
export function rackUpdateReoWnd(t: TcpHost, c: TcpConn, priorDelivered: number): void {
  if (t.recovery & TCP_RACK_STATIC_REO_WND || priorDelivered <= 0) return;
  // a D-SACK within a round trip of the last adjustment is disregarded
  if (priorDelivered < c.rackLastDelivered) c.rackDsackSeen = false;
  if (c.rackDsackSeen) reoWndGrow(c);
  else if (c.reoWndPersist === 0) c.reoWndSteps = 1;
}

/** tcp_rack_update_reo_wnd: a D-SACK seen (out of line: rare, and rackUpdateReoWnd runs on every ACK;
 *  docs/CONVENTIONS.md, hot functions). */
function reoWndGrow(c: TcpConn): void {
  c.reoWndSteps = Math.min(0xff, c.reoWndSteps + 1);
  c.rackDsackSeen = false;
  c.rackLastDelivered = c.delivered;
  c.reoWndPersist = TCP_RACK_RECOVERY_THRESH;
}

/** net/ipv4/tcp_input.c: tcp_check_sack_reordering — a never-retransmitted segment below the highest
 *  SACK was delivered: reordering (reord_seen, TCPSACKReorder, tp->reordering raised). */
export function checkSackReordering(t: TcpHost, c: TcpConn, lowSeq: number, fack: number, ts: boolean): void {
  if (lowSeq >= fack) return;
  const metric = fack - lowSeq;
  if (metric > c.reordering * c.mss && c.mss > 0) c.reordering = Math.min(Math.ceil(metric / c.mss), t.maxReordering);
  c.reordSeen++;
  t.nstat.add(ts ? t.mib.TSReorder : t.mib.SACKReorder);
}
