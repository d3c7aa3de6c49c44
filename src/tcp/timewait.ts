// TIME_WAIT: the timewait sock tcp_time_wait leaves in place of the full socket, and what it does with a
// segment (net/ipv4/tcp_ipv4.c: tcp_v4_rcv's do_time_wait -> net/ipv4/tcp_minisocks.c:
// tcp_timewait_state_process, in its order of checks). The model keeps the TcpSock in TIME_WAIT and
// gives it the timewait sock's fields at entry (tw_rcv_wnd, tw_last_oow_ack_time = 0); tw_rcv_nxt,
// tw_snd_nxt, tw_ts_recent and tw_txhash are the socket's rcvNxt, sndNxt, tsRecent and txhash, which no
// other path changes in TIME_WAIT; tw_ts_recent_stamp is its tsRecentStamp (paws.ts: tcp_paws_reject). An
// orphan whose FIN was ACKed becomes a timewait sock of substate FIN_WAIT2 (tcpFinWait1Acked; the TcpSock
// keeps state FIN_WAIT2 with `tw` set), with the same paws_reject test.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import { JIFFY, TCP_FIN_WAIT2, TCP_TIME_WAIT, TCP_TIMEWAIT_LEN } from "./constants.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from "../wire/tcp.js";
import { memReclaimFinal } from "./mem.js";
import { segOowRateLimited } from "./oow-rate-limit.js";
import { clearXmitTimers, tcpDone } from "./established.js";
import { sendActiveReset } from "./out-of-resources.js";
import { ktimeGetSeconds, pawsReject } from "./paws.js";

/** The ledger's reason for every segment a timewait sock takes: tcp_v4_rcv ends do_time_wait at discard_it,
 *  sk_skb_reason_drop with the drop_reason it set at its start (SKB_DROP_REASON_NOT_SPECIFIED). */
const TW_DROP = "NOT_SPECIFIED";

/** __inet_twsk_schedule: `kill = timeo <= 4*HZ` */
const TW_KILL_TIMEO = 4e9;

/** net/ipv4/tcp_minisocks.c: tcp_time_wait(sk, state, timeo) — the full socket gives way to a timewait sock of
 *  substate `state` (TIME_WAIT, or FIN_WAIT2 for an orphan whose FIN was ACKed); inet_csk_destroy_sock returns
 *  its memory; the timer fires after TCP_TIMEWAIT_LEN (TIME_WAIT) or max(timeo, 3.5 RTO) (FIN_WAIT2). With
 *  tcp_max_tw_buckets timewait socks held already, inet_twsk_alloc fails: TCPTimeWaitOverflow, and tcp_done
 *  closes the socket. */
export function tcpTimeWait(t: TcpHost, sk: TcpSock, state: number, timeo: number): void {
  // inet_twsk_alloc: refcount_read(&dr->tw_refcount) - 1 >= sysctl_max_tw_buckets
  if (t.twCount() >= t.maxTwBuckets) {
    t.nstat.add(t.mib.TimeWaitOverflow);
    tcpDone(t, sk);
    return;
  }
  const c = sk.conn;
  // rto = (icsk_rto << 2) - (icsk_rto >> 1): the timeout is at least that
  if (c !== null) {
    const rto = rto35(c);
    if (timeo < rto) timeo = rto;
    // tcp_time_wait ends in tcp_done: tcp_clear_xmit_timers (no retransmit, delayed ACK or pacing from the old
    // socket)
    clearXmitTimers(t, c);
  }
  if (state === TCP_TIME_WAIT) timeo = TCP_TIMEWAIT_LEN;
  // tw_rcv_wnd = tcp_receive_window(tp) (a socket without transfer state: the window it offered)
  sk.twRcvWnd = c !== null ? c.receiveWindow() : sk.rcvWnd;
  sk.lastOowAckTime = 0;
  sk.tw = true;
  sk.state = state;
  if (c !== null) memReclaimFinal(t, c);
  twskSchedule(t, sk, timeo);
}

/** (icsk_rto << 2) - (icsk_rto >> 1) in ns, icsk_rto in jiffies: tcp_time_wait's and tcp_fin_time's 3.5 RTO. */
function rto35(c: TcpConn): number {
  const rto = Math.floor(c.icskRtoUs() / 1000);
  return ((rto << 2) - (rto >> 1)) * JIFFY;
}

/** include/net/tcp.h: tcp_fin_time — net.ipv4.tcp_fin_timeout (the model has no TCP_LINGER2), at least 3.5 RTO. */
function tcpFinTime(t: TcpHost, c: TcpConn | null): number {
  const rto = c !== null ? rto35(c) : 0;
  return t.finTimeout < rto ? rto : t.finTimeout;
}

/** net/ipv4/tcp_input.c: tcp_rcv_state_process, case TCP_FIN_WAIT1, once snd_una reaches write_seq (our FIN
 *  ACKed) — the model's every FIN_WAIT1 socket is an orphan (SOCK_DEAD: close() sent the FIN). New data past
 *  rcv_nxt aborts (TCPAbortOnData; the caller's reset); a fin time beyond TCP_TIMEWAIT_LEN, a FIN in this
 *  segment or an owned socket keep the full socket on its keepalive timer; otherwise tcp_time_wait(sk,
 *  TCP_FIN_WAIT2, tmo) and the segment is consumed. Returns the segment's outcome: "consumed", "abort" (the
 *  socket is gone, the caller resets and drops) or "full" (processing goes on). */
export function tcpFinWait1Acked(t: TcpHost, sk: TcpSock, c: TcpConn | null): "consumed" | "abort" | "full" {
  const rx = t.rx;
  const flg = rx.flags;
  sk.state = TCP_FIN_WAIT2;
  // TCP_SKB_CB(skb)->end_seq != seq && after(end_seq - th->fin, rcv_nxt): data (or an out-of-order FIN) after close()
  const fin = flg & TCPHDR_FIN ? 1 : 0;
  const endSeq = (rx.seq + rx.dataLen + (flg & TCPHDR_SYN ? 1 : 0) + fin) >>> 0;
  if (endSeq !== rx.seq && ((endSeq - fin - sk.rcvNxt) | 0) > 0) {
    tcpDone(t, sk);
    t.nstat.add(t.mib.AbortOnData);
    return "abort";
  }
  const tmo = tcpFinTime(t, c);
  // inet_csk_reset_keepalive_timer (a timer_list, on the wheel's grid): tcp_keepalive_timer's FIN_WAIT2 branch
  // (tcpFinWait2Timer)
  if (tmo > TCP_TIMEWAIT_LEN) t.armTimerList(sk, tmo - TCP_TIMEWAIT_LEN, t.kFinWait2);
  else if (fin || (c !== null && c.owned)) t.armTimerList(sk, tmo, t.kFinWait2);
  else {
    tcpTimeWait(t, sk, TCP_FIN_WAIT2, tmo);
    return "consumed";
  }
  return "full";
}

/** net/ipv4/tcp_timer.c: tcp_keepalive_timer for an orphan's full FIN_WAIT2 socket — tcp_time_wait(sk,
 *  TCP_FIN_WAIT2, tcp_fin_time - TCP_TIMEWAIT_LEN) while that is positive, else an active reset and tcp_done. */
export function tcpFinWait2Timer(t: TcpHost, sk: TcpSock): void {
  const c = sk.conn;
  if (sk.state !== TCP_FIN_WAIT2 || sk.tw) return;
  // sock_owned_by_user: try again in HZ/20
  if (c !== null && c.owned) {
    t.armTimerList(sk, 50 * JIFFY, t.kFinWait2);
    return;
  }
  const tmo = tcpFinTime(t, c) - TCP_TIMEWAIT_LEN;
  if (tmo > 0) {
    tcpTimeWait(t, sk, TCP_FIN_WAIT2, tmo);
    return;
  }
  // tcp_send_active_reset(sk, SK_RST_REASON_TCP_STATE); goto death: tcp_done
  if (c !== null) sendActiveReset(t, sk, c);
  tcpDone(t, sk);
}

/** net/ipv4/inet_timewait_sock.c: __inet_twsk_schedule(tw, timeo, rearm = false), from
 *  inet_twsk_hashdance_schedule — a new timewait sock counts TcpExtTWKilled if its timer is due within 4 s
 *  (timeo <= 4 * HZ), TcpExtTW otherwise; a re-arm (inet_twsk_reschedule) counts nothing. */
function twskSchedule(t: TcpHost, sk: TcpSock, timeo: number): void {
  t.nstat.add(timeo <= TW_KILL_TIMEO ? t.mib.TimeWaitKilled : t.mib.TimeWaited);
  // mod_timer(&tw->tw_timer, jiffies + timeo): TCP_TIMEWAIT_LEN (60000 jiffies) is level 4 at HZ=1000, a
  // 4096-jiffy granule: a timewait sock lives 60..64.1 s
  t.armTimerList(sk, timeo, t.kTimeWait);
}

/** net/ipv4/inet_timewait_sock.c: tw_timer_handler -> inet_twsk_kill */
export function tcpTimeWaitDone(t: TcpHost, sk: TcpSock): void {
  t.destroy(sk);
}

/** net/ipv4/tcp_ipv4.c: tcp_v4_rcv, do_time_wait — t.rx's segment (skb h) to the timewait sock sk. */
export function tcpTimewaitRcv(t: TcpHost, sk: TcpSock, h: number): void {
  const rx = t.rx;
  const flg = rx.flags;
  const rcvNxt = sk.rcvNxt;
  const seq = rx.seq;
  // TCP_SKB_CB(skb)->end_seq: SYN and FIN take a sequence number each
  const endSeq = (seq + rx.dataLen + (flg & TCPHDR_SYN ? 1 : 0) + (flg & TCPHDR_FIN ? 1 : 0)) >>> 0;
  // tmp_opt.saw_tstamp: the option is parsed (with the sysctl's say) only when the timewait sock has a
  // ts_recent_stamp; then tcp_paws_reject against tw_ts_recent
  const sawTs = sk.tsRecentStamp !== 0 && rx.ts && t.timestamps !== 0;
  const nowSec = ktimeGetSeconds(t);
  const pawsRej = sawTs && pawsReject(sk.tsRecent, sk.tsRecentStamp, rx.tsVal, (flg & TCPHDR_RST) !== 0, nowSec);
  if (sk.state === TCP_FIN_WAIT2) {
    twFinWait2Rcv(t, sk, h, endSeq, sawTs, pawsRej);
    return;
  }
  // tcp_timewait_state_process: in window, a bare ACK or an RST at rcv_nxt
  if (!pawsRej && seq === rcvNxt && (seq === endSeq || flg & TCPHDR_RST)) {
    if (flg & TCPHDR_RST) {
      // TIME_WAIT assassination (RFC 1337): net.ipv4.tcp_rfc1337 = 0 lets the RST kill the sock
      if (t.rfc1337 === 0) {
        // inet_twsk_deschedule_put
        t.destroy(sk);
        t.dropSkb(h, TW_DROP);
        return;
      }
    } else twReschedule(t, sk);
    if (sawTs) {
      sk.tsRecent = rx.tsVal;
      sk.tsRecentStamp = nowSec;
    }
    t.dropSkb(h, TW_DROP);
    return;
  }
  // out of window: a new SYN (no ACK, no RST) beyond rcv_nxt, or with a newer timestamp, opens a new
  // connection at the listener (TCP_TW_SYN) with an ISN past everything this one sent
  if (
    (flg & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_ACK)) === TCPHDR_SYN &&
    !pawsRej &&
    (((seq - rcvNxt) | 0) > 0 || (sawTs && ((sk.tsRecent - rx.tsVal) | 0) < 0))
  ) {
    let isn = (sk.sndNxt + 65535 + 2) >>> 0;
    if (isn === 0) isn = 1;
    // tcp_v4_rcv: inet_lookup_listener; found: inet_twsk_deschedule_put and `goto process` with tcp_tw_isn
    const l = t.ports.get(sk.lport)?.listener ?? null;
    if (l !== null) {
      t.destroy(sk);
      t.listenRcv(l, h, isn);
      return;
    }
    // no listener: TCP_TW_ACK
    twAck(t, sk);
    t.dropSkb(h, TW_DROP);
    return;
  }
  if (pawsRej) t.nstat.add(t.mib.PAWSEstab);
  if (!(flg & TCPHDR_RST)) {
    // the timer restarts for anything but an ACK-less SYN that passed PAWS (an old duplicate or a new SYN
    // below rcv_nxt)
    if (pawsRej || flg & TCPHDR_ACK) twReschedule(t, sk);
    // tcp_timewait_check_oow_rate_limit (TCPACKSkippedTimeWait), else TCP_TW_ACK
    if (!segOowRateLimited(t, sk, endSeq, t.mib.AckSkippedTimeWait)) twAck(t, sk);
  }
  t.dropSkb(h, TW_DROP);
}

/** tcp_timewait_state_process for tw_substate TCP_FIN_WAIT2: "repeat all the checks of tcp_rcv_state_process()". */
function twFinWait2Rcv(t: TcpHost, sk: TcpSock, h: number, endSeq: number, sawTs: boolean, pawsRej: boolean): void {
  const rx = t.rx;
  const flg = rx.flags;
  const seq = rx.seq;
  const rcvNxt = sk.rcvNxt;
  // rejected by PAWS (no PAWSEstab count in this substate) or out of window (tcp_in_window(seq, end_seq, rcv_nxt,
  // rcv_nxt + tw_rcv_wnd)): an ACK, rate limited (tcp_timewait_check_oow_rate_limit, TCPACKSkippedFinWait2)
  if (pawsRej || !inWindow(seq, endSeq, rcvNxt, (rcvNxt + sk.twRcvWnd) >>> 0)) {
    if (!segOowRateLimited(t, sk, endSeq, t.mib.AckSkippedFinWait2)) twAck(t, sk);
    t.dropSkb(h, TW_DROP);
    return;
  }
  // an RST kills (inet_twsk_deschedule_put)
  if (flg & TCPHDR_RST) {
    t.destroy(sk);
    t.dropSkb(h, TW_DROP);
    return;
  }
  // a SYN at or past rcv_nxt: TCP_TW_RST
  if (flg & TCPHDR_SYN && ((seq - rcvNxt) | 0) >= 0) {
    twRst(t, sk, h);
    return;
  }
  // a duplicate ACK (no ACK, nothing past rcv_nxt, or nothing at all): TCP_TW_SUCCESS
  if (!(flg & TCPHDR_ACK) || ((endSeq - rcvNxt) | 0) <= 0 || endSeq === seq) {
    t.dropSkb(h, TW_DROP);
    return;
  }
  // new data after the half-duplex close, or anything but the FIN at rcv_nxt: TCP_TW_RST
  if (!(flg & TCPHDR_FIN) || endSeq !== ((rcvNxt + 1) >>> 0)) {
    twRst(t, sk, h);
    return;
  }
  // the FIN: true TIME_WAIT, its ACK (TCP_TW_ACK); the timer restarts (inet_twsk_reschedule, counted nothing)
  sk.state = TCP_TIME_WAIT;
  sk.rcvNxt = endSeq;
  if (sawTs) {
    sk.tsRecent = rx.tsVal;
    sk.tsRecentStamp = ktimeGetSeconds(t);
  }
  twReschedule(t, sk);
  twAck(t, sk);
  t.dropSkb(h, TW_DROP);
}

/** net/ipv4/tcp_minisocks.c: tcp_in_window */
function inWindow(seq: number, endSeq: number, sWin: number, eWin: number): boolean {
  if (seq === sWin) return true;
  if (((endSeq - sWin) | 0) > 0 && ((seq - eWin) | 0) < 0) return true;
  return seq === eWin && seq === endSeq;
}

/** tcp_v4_rcv's TCP_TW_RST: tcp_v4_send_reset with the timewait sock (its tw_txhash), inet_twsk_deschedule_put,
 *  discard_it. */
function twRst(t: TcpHost, sk: TcpSock, h: number): void {
  t.sendReset(sk.txhash);
  t.destroy(sk);
  t.dropSkb(h, TW_DROP);
}

/** include/net/inet_timewait_sock.h: inet_twsk_reschedule(tw, TCP_TIMEWAIT_LEN) -> mod_timer_pending */
function twReschedule(t: TcpHost, sk: TcpSock): void {
  t.armTimerList(sk, TCP_TIMEWAIT_LEN, t.kTimeWait);
}

/** net/ipv4/tcp_ipv4.c: tcp_v4_timewait_ack -> tcp_v4_send_ack(tw_snd_nxt, tw_rcv_nxt,
 *  tw_rcv_wnd >> tw_rcv_wscale, tcp_tw_tsval, tw_ts_recent, ..., tw_txhash): the timestamp option only
 *  with a non-zero tw_ts_recent, no SACK blocks. */
function twAck(t: TcpHost, sk: TcpSock): void {
  const tx = t.txFor(sk);
  tx.seq = sk.sndNxt;
  tx.ack = sk.rcvNxt;
  tx.flags = TCPHDR_ACK;
  const c = sk.conn;
  const wscale = c !== null ? c.rcvWscale : sk.sndWscale >= 0 ? sk.rcvWscale : 0;
  const w = Math.floor(sk.twRcvWnd / 2 ** wscale);
  tx.window = w > 65535 ? 65535 : w;
  if (sk.tsOk && sk.tsRecent !== 0) {
    tx.ts = true;
    tx.tsVal = (t.nowMs() + sk.tsOff) >>> 0;
    tx.tsEcr = sk.tsRecent;
  }
  t.transmit(sk.txhash);
}
