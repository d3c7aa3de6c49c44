// A segment for a request sock: net/ipv4/tcp_minisocks.c: tcp_check_req, then
// tcp_v4_syn_recv_sock and inet_csk_complete_hashdance on success.
import type { TcpHost } from "./tcp-host.js";
import type { ListenSock, TcpSock } from "./sock.js";
import { TCP_ESTABLISHED, TCP_RTO_MAX } from "./constants.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from "../wire/tcp.js";
import { acceptWake } from "./accept.js";
import { rtxSynAck } from "./rtx-synack.js";
import { serverAppStart } from "./apps.js";
import { tcpRcvState } from "./established.js";
import { ktimeGetSeconds, pawsReject } from "./paws.js";
import { challengeAckAllowed, oowRateLimited, segOowRateLimited } from "./oow-rate-limit.js";
import { reqSynAckRttNs, tsoptSynAckRttNs } from "./synack-rtt.js";
import { childSynUndo } from "./syn-undo.js";
import { tcpListenAck } from "./listen-ack.js";

/** A segment tcp_check_req returns NULL for (it answered or ignored it): tcp_v4_rcv's discard_and_relse ->
 *  discard_it drops it with drop_reason still 0 there, which SKB_DR_OR makes SKB_DROP_REASON_NOT_SPECIFIED.
 *  (An ACK it hands back to the listener is dropped by the listener: TCP_FLAGS.) */
const REQ_NULL_DROP = "NOT_SPECIFIED";

/** reqsk_timeout: timeout << num_timeout, capped at TCP_RTO_MAX. */
export function reqskTimeout(req: TcpSock): number {
  const t = req.timeout * 2 ** req.numTimeout;
  return t < TCP_RTO_MAX ? t : TCP_RTO_MAX;
}

/** inet_csk_reqsk_queue_drop: unlink a req from the listener's queue and free it. */
export function reqskQueueDrop(t: TcpHost, req: TcpSock): void {
  const l = req.listener!;
  l.qlen--;
  if (req.numTimeout === 0) l.young--;
  t.destroy(req);
}

/** tcp_v4_syn_recv_sock's accept-queue test: false (and ListenOverflows +
 *  ListenDrops) when the accept queue is full. */
export function synRecvSockRoom(t: TcpHost, l: ListenSock): boolean {
  if (l.acceptqIsFull()) {
    t.nstat.add(t.mib.ListenOverflows);
    t.listenDrop();
    return false;
  }
  return true;
}

/** The child is established and queued for accept() (tcp_create_openreq_child,
 *  PassiveOpens; inet_csk_reqsk_queue_add; tcp_child_process -> ESTABLISHED). */
export function childEstablished(t: TcpHost, l: ListenSock, child: TcpSock): void {
  t.nstat.add(t.mib.PassiveOpens);
  child.state = TCP_ESTABLISHED;
  child.listener = l;
  child.queuedAt = t.now;
  child.peerWindow = t.rx.window;
  if (l.app !== null) {
    const c = serverAppStart(t, child, l.app, t.rx.window);
    t.flowReceiver(child, c);
  }
  l.enqueue(child);
  acceptWake(t, l);
}

/** net/ipv4/tcp_minisocks.c: tcp_in_window — seq at the window's start, or [seq, end_seq) overlapping it, or
 *  an empty segment at its end. */
function reqInWindow(seq: number, endSeq: number, sWin: number, eWin: number): boolean {
  if (seq === sWin) return true;
  if (((endSeq - sWin) | 0) > 0 && ((seq - eWin) | 0) < 0) return true;
  return seq === eWin && seq === endSeq;
}

/** net/ipv4/tcp_input.c: tcp_reqsk_send_challenge_ack — the request's own limit (__tcp_oow_rate_limited on
 *  tcp_rsk(req)->last_oow_ack_time, TCPACKSkippedChallenge), then the host-wide quota, TCPChallengeACK and
 *  the request's ACK (tcp_v4_reqsk_send_ack). */
function reqskSendChallengeAck(t: TcpHost, req: TcpSock): void {
  if (oowRateLimited(t, req, t.mib.AckSkippedChallenge)) return;
  if (!challengeAckAllowed(t)) return;
  t.nstat.add(t.mib.ChallengeACK);
  t.sendAck(req);
}

export function tcpCheckReq(t: TcpHost, req: TcpSock, h: number): void {
  const rx = t.rx;
  let flg = rx.flags & (TCPHDR_RST | TCPHDR_SYN | TCPHDR_ACK);
  const l = req.listener!;
  l.segments++;
  // tmp_opt.saw_tstamp (tcp_parse_options with the sysctl): PAWS against req->ts_recent with a ts_recent_stamp
  // estimated as ktime_get_seconds() - reqsk_timeout(req, TCP_RTO_MAX) / HZ
  const sawTs = rx.ts && t.timestamps !== 0;
  const nowSec = ktimeGetSeconds(t);
  const pawsRej = sawTs && pawsReject(req.tsRecent, nowSec - Math.floor(reqskTimeout(req) / 1e9), rx.tsVal, (flg & TCPHDR_RST) !== 0, nowSec);
  // A pure retransmitted SYN: resend the SYN-ACK unless rate limited; push the timer only after a sent one
  // (mod_timer_pending when inet_rtx_syn_ack returned 0).
  if (flg === TCPHDR_SYN && rx.seq === req.irs && !pawsRej) {
    if (!oowRateLimited(t, req, t.mib.AckSkippedSynRecv) && rtxSynAck(t, req)) {
      t.armTimerList(req, reqskTimeout(req), t.kReqTimer);
    }
    t.dropSkb(h, REQ_NULL_DROP);
    return;
  }
  // An ACK (without RST) that does not acknowledge our SYN-ACK goes to the listener (tcp_check_req returns it;
  // net/ipv4/tcp_ipv4.c: tcp_v4_rcv -> tcp_v4_do_rcv -> tcp_v4_cookie_check first), which resets it
  if (flg & TCPHDR_ACK && !(flg & TCPHDR_RST) && rx.ack !== ((req.iss + 1) >>> 0)) {
    tcpListenAck(t, l, h);
    return;
  }
  // net/ipv4/tcp_minisocks.c: tcp_in_window over [rcv_nxt, rcv_nxt + tcp_synack_window(req)]
  const seq = rx.seq;
  const endSeq = (seq + rx.dataLen + (rx.flags & TCPHDR_SYN ? 1 : 0) + (rx.flags & TCPHDR_FIN ? 1 : 0)) >>> 0;
  if (pawsRej || !reqInWindow(seq, endSeq, req.rcvNxt, (req.rcvNxt + (req.rcvWnd < 65535 ? req.rcvWnd : 65535)) >>> 0)) {
    // out of window or PAWS: an ACK (not to an RST) unless rate limited, and drop; the request stays
    if (!(flg & TCPHDR_RST) && !segOowRateLimited(t, req, endSeq, t.mib.AckSkippedSynRecv)) t.sendAck(req);
    if (pawsRej) t.nstat.add(t.mib.PAWSEstab);
    t.dropSkb(h, REQ_NULL_DROP);
    return;
  }
  // the SYN at rcv_isn is out of window from rcv_isn + 1: truncated
  if (seq === req.irs) flg &= ~TCPHDR_SYN;
  // RFC 5961 3.2: an in-window RST not exactly at rcv_nxt draws a challenge ACK; the request stays
  if (flg & TCPHDR_RST && seq !== req.rcvNxt) {
    reqskSendChallengeAck(t, req);
    t.dropSkb(h, REQ_NULL_DROP);
    return;
  }
  if (flg & (TCPHDR_RST | TCPHDR_SYN)) {
    t.nstat.add(t.mib.AttemptFails);
    if (!(flg & TCPHDR_RST)) t.sendReset();
    t.nstat.add(t.mib.EmbryonicRsts);
    reqskQueueDrop(t, req);
    t.dropSkb(h, REQ_NULL_DROP);
    return;
  }
  if (!(flg & TCPHDR_ACK)) {
    t.dropSkb(h, REQ_NULL_DROP);
    return;
  }
  if (!synRecvSockRoom(t, l)) {
    // listen_overflow
    if (t.abortOnOverflow === 0) {
      req.acked = true;
    } else {
      t.sendReset();
      t.nstat.add(t.mib.EmbryonicRsts);
      reqskQueueDrop(t, req);
    }
    t.dropSkb(h, REQ_NULL_DROP);
    return;
  }
  // inet_csk_complete_hashdance: the req leaves the request queue, the child
  // (this same object, in place of the req in the ehash) joins the accept queue.
  l.qlen--;
  if (req.numTimeout === 0) l.young--;
  t.disarm(req);
  req.sndUna = req.sndNxt;
  // tcp_create_openreq_child: the child's tp->last_oow_ack_time is the listener's (sk_clone_lock), not the
  // request's, in practice 0
  req.lastOowAckTime = 0;
  // tcp_create_openreq_child stamps ts_recent; tcp_check_req takes this ACK's TSval unless it is after rcv_nxt
  if (req.tsOk) req.tsRecentStamp = nowSec;
  if (req.tsOk && sawTs && ((rx.seq - req.rcvNxt) | 0) <= 0) req.tsRecent = rx.tsVal;
  // tcp_check_req: tcp_synack_rtt_meas(child, req); without a sample there, tcp_rcv_state_process's
  // TCP_SYN_RECV takes one from the ACK's TSecr (synack-rtt.ts)
  const rtt = reqSynAckRttNs(t, req);
  req.synRttNs = rtt >= 0 ? rtt : tsoptSynAckRttNs(t, req);
  childSynUndo(t, req);
  childEstablished(t, l, req);
  childProcess(t, req, h);
}

/** net/ipv4/tcp_minisocks.c: tcp_child_process — the segment that completed the handshake (a request's ACK or
 *  a SYN cookie's) runs on the child (tcp_rcv_state_process): data riding on it is queued, a FIN taken
 *  (CLOSE_WAIT; a child without transfer state takes a bare FIN, as tcpRcvState does later). */
export function childProcess(t: TcpHost, child: TcpSock, h: number): void {
  const rx = t.rx;
  const fin = (rx.flags & TCPHDR_FIN) !== 0;
  if (child.conn !== null ? rx.dataLen > 0 || fin : fin && rx.dataLen === 0) {
    t.synRecvSeg = true;
    tcpRcvState(t, child, h);
    t.synRecvSeg = false;
  }
  else {
    // tcp_rcv_state_process (TCP_SYN_RECV): tcp_ack(FLAG_SLOWPATH | ...) of the ACK without data: TCPPureAcks
    if (rx.dataLen === 0 && !fin) t.nstat.add(t.mib.PureAcks);
    t.deliverSkb(h);
  }
}
