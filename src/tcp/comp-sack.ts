// SACK compression, as 6.12 holds back the ACKs of out-of-order data
// (net/ipv4/tcp_input.c: __tcp_ack_snd_check, tcp_sack_compress_send_ack;
// net/ipv4/tcp_output.c: tcp_event_ack_sent; net/ipv4/tcp_timer.c:
// tcp_compressed_ack_kick, tcp_delack_timer_handler). With out-of-order data
// queued, the first TCP_FASTRETRANS_THRESH ACKs at one rcv_nxt go at once (the
// sender's duplicate ACKs); later ones are held (tp->compressed_ack) until an
// hrtimer of min(tcp_comp_sack_delay_ns, 5 % of the RTT) plus its slack, any
// segment that carries an ACK, tcp_sack_new_ofo_skb touching a third block, or
// the delayed-ACK timer sends one; TcpExtTCPAckCompressed counts the ACKs saved.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { TCP_CLOSE } from "./constants.js";
import type { TcpConn } from "./conn.js";
import { TCPF_DELACK_TIMER_DEFERRED, ensureDelackTimer, sendAck } from "./data-out.js";

/** include/net/tcp.h: TCP_FASTRETRANS_THRESH */
export const TCP_FASTRETRANS_THRESH = 3;

/** __tcp_ack_snd_check's out-of-order branch, reached when no send-now condition holds and the out-of-order
 *  queue is not empty: true = `goto send_now` (the caller sends, without tcp_backlog_ack_defer: the label is
 *  past it); false = held, the compressed-ACK timer queued. */
export function compressAck(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  if (!sk.sackOk || c.compressedAck >= t.compSackNr) return true;
  if (c.compressedAckRcvNxt !== c.rcvNxt) {
    c.compressedAckRcvNxt = c.rcvNxt;
    c.dupAckCounter = 0;
  }
  if (c.dupAckCounter < TCP_FASTRETRANS_THRESH) {
    c.dupAckCounter++;
    return true;
  }
  c.compressedAck++;
  if (c.compAckEvent >= 0) return false; // hrtimer_is_queued
  // 5 % of the RTT (rcv_rtt_est.rtt_us, or srtt_us when smaller; both 8x scaled), at most tcp_comp_sack_delay_ns:
  // rtt * (NSEC_PER_USEC >> 3) / 20 in unsigned long; no receive RTT sample yet gives 0
  let rtt = c.rcvq.rttUs;
  if (c.rtt.srttUs !== 0 && c.rtt.srttUs < rtt) rtt = c.rtt.srttUs;
  const delay = Math.min(t.compSackDelayNs, Math.floor((rtt * 125) / 20));
  // hrtimer_start_range_ns(delay, tcp_comp_sack_slack_ns, HRTIMER_MODE_REL_PINNED_SOFT): a soft hrtimer runs
  // from the softirq raised at the earliest hard expiry (softexpires + slack) of the CPU's soft timers; the
  // model has no other soft hrtimer to raise it sooner
  c.compAckEvent = t.connTimer(c, TIMER_COMP_SACK, t.now + delay + t.compSackSlackNs);
  // a delayed-ACK timer still queued (icsk_delack_timer outlives the ACK that cleared it) sends them if it
  // expires first: make sure the lazy wheel entry is there at its time. One due this very tick whose callback
  // has not run yet is still pending (kernel/time/timer.c: expire_timers detaches each timer as it calls it):
  // it runs this tick (a callback that ran set delackTimerAt to Infinity)
  if (c.delackTimerAt < t.now) c.delackTimerAt = Infinity;
  else if (c.delackTimerAt !== Infinity) ensureDelackTimer(t, c, c.delackTimerAt);
  return false;
}

/** The conn timer kind of tp->compressed_ack_timer (data-out.ts' TIMER_*). */
export const TIMER_COMP_SACK = 4;

/** net/ipv4/tcp_timer.c: tcp_compressed_ack_kick — the held ACK goes (tcp_send_ack; tcp_event_ack_sent counts
 *  the others, hence the decrement); an owned socket leaves it to tcp_release_cb's tcp_delack_timer_handler
 *  (TCP_DELACK_TIMER_DEFERRED, no DelayedACKLocked). */
export function compAckKick(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  c.compAckEvent = -1;
  // tcp_time_wait and tcp_done cancel it (tcp_clear_xmit_timers): a socket whose transfer ended sends nothing
  if (sk.state === TCP_CLOSE || sk.tw) return;
  if (c.owned) {
    c.deferred |= TCPF_DELACK_TIMER_DEFERRED;
    return;
  }
  if (c.compressedAck === 0) return;
  c.compressedAck--;
  sendAck(t, sk, c);
}

/** net/ipv4/tcp_input.c: tcp_sack_compress_send_ack — send the held ACK now (the timer cancelled); all held but
 *  the one sent count as TCPAckCompressed. */
export function sackCompressSendAck(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  if (c.compressedAck === 0) return;
  cancelCompAckTimer(t, c);
  if (c.compressedAck > 1) t.nstat.add(t.mib.AckCompressed, c.compressedAck - 1);
  c.compressedAck = 0;
  sendAck(t, sk, c);
}

/** net/ipv4/tcp_output.c: tcp_event_ack_sent's first step — a segment carrying an ACK went while ACKs were held:
 *  all of them were saved (TCPAckCompressed), the timer is cancelled. */
export function compressedAckSent(t: TcpHost, c: TcpConn): void {
  t.nstat.add(t.mib.AckCompressed, c.compressedAck);
  c.compressedAck = 0;
  cancelCompAckTimer(t, c);
}

/** hrtimer_try_to_cancel(&tp->compressed_ack_timer) (also tcp_clear_xmit_timers). */
export function cancelCompAckTimer(t: TcpHost, c: TcpConn): void {
  if (c.compAckEvent < 0) return;
  t.env.loop.cancel(c.compAckEvent);
  c.compAckEvent = -1;
}

/** icsk_delack_timer ran (data-out.ts timerFire) with ACKs held: tcp_delack_timer runs
 *  tcp_delack_timer_handler, whose first step sends them (an owned socket: DelayedACKLocked, deferred to
 *  tcp_release_cb); true = handled. */
export function delackFireCompressed(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  if (sk.state === TCP_CLOSE || sk.tw) return false;
  if (c.owned) {
    t.nstat.add(t.mib.DelayedACKLocked);
    c.deferred |= TCPF_DELACK_TIMER_DEFERRED;
    return true;
  }
  sackCompressSendAck(t, sk, c);
  return true;
}
