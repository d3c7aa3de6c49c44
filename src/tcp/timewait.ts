// TIME_WAIT: the timewait sock tcp_time_wait leaves in place of the full socket, and what it does with a
// segment (net/ipv4/tcp_ipv4.c: tcp_v4_rcv's do_time_wait -> net/ipv4/tcp_minisocks.c:
// tcp_timewait_state_process, in its order of checks). The model keeps the TcpSock in TIME_WAIT and
// gives it the timewait sock's fields at entry (tw_rcv_wnd, tw_last_oow_ack_time = 0); tw_rcv_nxt,
// tw_snd_nxt, tw_ts_recent and tw_txhash are the socket's rcvNxt, sndNxt, tsRecent and txhash, which no
// other path changes in TIME_WAIT. Not modelled: PAWS (paws_reject is always false, as the model checks
// no PAWS anywhere, so no PAWSEstabRejected) and the FIN_WAIT2
// substate: the model's FIN_WAIT2 is processed as a
// full socket by tcp_rcv_state_process (established.ts), where 6.12 has an orphan's timewait sock.
import type { TcpHost } from "./tcp-host.js";
import { isTimewaitState, type TcpSock } from "./sock.js";
import { TCP_TIME_WAIT, TCP_TIMEWAIT_LEN } from "./constants.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from "../wire/tcp.js";
import { memReclaimFinal } from "./mem.js";
import { oowRateLimited } from "./oow-rate-limit.js";
import { tcpDone } from "./established.js";

/** The ledger's reason for every segment a timewait sock takes: tcp_v4_rcv ends do_time_wait at discard_it,
 *  sk_skb_reason_drop with the drop_reason it set at its start (SKB_DROP_REASON_NOT_SPECIFIED). */
const TW_DROP = "NOT_SPECIFIED";

/** __inet_twsk_schedule: `kill = timeo <= 4*HZ` */
const TW_KILL_TIMEO = 4e9;

/** net/ipv4/tcp_minisocks.c: tcp_time_wait(sk, TCP_TIME_WAIT, 0) — the full socket gives way to a timewait
 *  sock; inet_csk_destroy_sock returns its memory; the timer fires after TCP_TIMEWAIT_LEN. With
 *  tcp_max_tw_buckets timewait socks held already, inet_twsk_alloc fails: TCPTimeWaitOverflow, and tcp_done
 *  closes the socket. */
export function tcpTimeWait(t: TcpHost, sk: TcpSock): void {
  // inet_twsk_alloc: refcount_read(&dr->tw_refcount) - 1 >= sysctl_max_tw_buckets (the model's FIN_WAIT2,
  // a full socket, is counted as the timewait sock 6.12 has there: it does not count against itself)
  if (t.twCount() - (isTimewaitState(sk.state) ? 1 : 0) >= t.maxTwBuckets) {
    t.nstat.add(t.mib.TimeWaitOverflow);
    tcpDone(t, sk);
    return;
  }
  sk.state = TCP_TIME_WAIT;
  const c = sk.conn;
  // tw_rcv_wnd = tcp_receive_window(tp) (a socket without transfer state: the window it offered)
  sk.twRcvWnd = c !== null ? c.receiveWindow() : sk.rcvWnd;
  sk.lastOowAckTime = 0;
  if (c !== null) memReclaimFinal(t, c);
  // state TCP_TIME_WAIT: timeo = TCP_TIMEWAIT_LEN
  twskSchedule(t, sk, TCP_TIMEWAIT_LEN);
}

/** net/ipv4/inet_timewait_sock.c: __inet_twsk_schedule(tw, timeo, rearm = false), from
 *  inet_twsk_hashdance_schedule — a new timewait sock counts TcpExtTWKilled if its timer is due within 4 s
 *  (timeo <= 4 * HZ), TcpExtTW otherwise; a re-arm (inet_twsk_reschedule) counts nothing. */
function twskSchedule(t: TcpHost, sk: TcpSock, timeo: number): void {
  t.nstat.add(timeo <= TW_KILL_TIMEO ? t.mib.TimeWaitKilled : t.mib.TimeWaited);
  t.arm(sk, t.now + timeo, t.kTimeWait);
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
  // tmp_opt.saw_tstamp: the option is parsed only when the timewait sock has a ts_recent_stamp
  const sawTs = sk.tsOk && rx.ts;
  // tcp_timewait_state_process: in window, a bare ACK or an RST at rcv_nxt
  if (seq === rcvNxt && (seq === endSeq || flg & TCPHDR_RST)) {
    if (flg & TCPHDR_RST) {
      // TIME_WAIT assassination (RFC 1337): net.ipv4.tcp_rfc1337 = 0 lets the RST kill the sock
      if (t.rfc1337 === 0) {
        // inet_twsk_deschedule_put
        t.destroy(sk);
        t.dropSkb(h, TW_DROP);
        return;
      }
    } else twReschedule(t, sk);
    if (sawTs) sk.tsRecent = rx.tsVal;
    t.dropSkb(h, TW_DROP);
    return;
  }
  // out of window: a new SYN (no ACK, no RST) beyond rcv_nxt, or with a newer timestamp, opens a new
  // connection at the listener (TCP_TW_SYN) with an ISN past everything this one sent
  if (
    (flg & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_ACK)) === TCPHDR_SYN &&
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
  if (!(flg & TCPHDR_RST)) {
    // the timer restarts for anything but an ACK-less SYN (an old duplicate or a new SYN below rcv_nxt)
    if (flg & TCPHDR_ACK) twReschedule(t, sk);
    // tcp_timewait_check_oow_rate_limit (TCPACKSkippedTimeWait), else TCP_TW_ACK
    if (!twOowRateLimited(t, sk, endSeq)) twAck(t, sk);
  }
  t.dropSkb(h, TW_DROP);
}

/** include/net/inet_timewait_sock.h: inet_twsk_reschedule(tw, TCP_TIMEWAIT_LEN) */
function twReschedule(t: TcpHost, sk: TcpSock): void {
  t.arm(sk, t.now + TCP_TIMEWAIT_LEN, t.kTimeWait);
}

/** net/ipv4/tcp_input.c: tcp_oow_rate_limited on tw_last_oow_ack_time — a segment with data and no SYN is
 *  never limited; else one ACK per tcp_invalid_ratelimit (__tcp_oow_rate_limited, TCPACKSkippedTimeWait). */
function twOowRateLimited(t: TcpHost, sk: TcpSock, endSeq: number): boolean {
  const rx = t.rx;
  if (rx.seq !== endSeq && !(rx.flags & TCPHDR_SYN)) return false;
  return oowRateLimited(t, sk, t.mib.AckSkippedTimeWait);
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
