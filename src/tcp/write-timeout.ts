// When an established connection gives up on a silent peer (net/ipv4/tcp_timer.c, 6.12). Each RTO first
// asks tcp_write_timeout whether the time since the first retransmission of the episode (retrans_stamp)
// has reached what tcp_retries2 exponentially backed-off RTOs starting at TCP_RTO_MIN would take
// (tcp_model_timeout: 924.6 s for 15) — a time budget, not a count: the abort comes with the first RTO
// at or past it. The zero-window probe timer gives up after tcp_retries2 probes that no ACK answered. A
// socket the application has closed (an orphan, SOCK_DEAD) uses tcp_orphan_retries instead. Giving up
// is tcp_write_err: sk_err = ETIMEDOUT, TCPAbortOnTimeout, tcp_done.
//
// Not modelled: TCP_USER_TIMEOUT (icsk_user_timeout is 0), tcp_retries1 (its only effects are
// __dst_negative_advice and MTU probing: no route cache or PMTU here), sk_rethink_txhash on each RTO
// (TCPTimeoutRehash), ICMP soft errors (sk_err_soft), tcp_out_of_resources (TCPAbortOnMemory).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import { TCP_RTO_MAX_US, TCP_RTO_MIN_US } from "./rtt.js";
import { NO_STAMP } from "./undo.js";
import { tcpDone } from "./established.js";

const TCP_RTO_MIN_MS = TCP_RTO_MIN_US / 1000;
const TCP_RTO_MAX_MS = TCP_RTO_MAX_US / 1000;

/** net/ipv4/tcp_timer.c: tcp_model_timeout — the time (ms) `boundary` RTOs take when the first is
 *  `rtoBaseMs` and each doubles up to TCP_RTO_MAX. */
export function modelTimeoutMs(boundary: number, rtoBaseMs: number): number {
  // ilog2(TCP_RTO_MAX / rto_base), integer division first
  const thresh = 31 - Math.clz32(Math.floor(TCP_RTO_MAX_MS / rtoBaseMs));
  if (boundary <= thresh) return (2 * 2 ** boundary - 1) * rtoBaseMs;
  return (2 * 2 ** thresh - 1) * rtoBaseMs + (boundary - thresh) * TCP_RTO_MAX_MS;
}

/** net/ipv4/tcp_timer.c: retransmits_timed_out (timeout 0: the tcp_model_timeout budget from TCP_RTO_MIN;
 *  ms timestamps, tcp_usec_ts off). */
function retransmitsTimedOut(t: TcpHost, c: TcpConn, boundary: number): boolean {
  // icsk_retransmits > 0: an RTO attempted the head, and tcp_retransmit_skb stamped retrans_stamp even if it failed
  if (c.retransmits === 0) return false;
  return t.nowMs() - c.retransStamp - modelTimeoutMs(boundary, TCP_RTO_MIN_MS) >= 0;
}

/** net/ipv4/tcp_timer.c: tcp_orphan_retries — 0 means 8 (> 100 s at a 200 ms RTO) while the socket is
 *  alive (its RTO below TCP_RTO_MAX). */
export function orphanRetries(t: TcpHost, alive: boolean): number {
  const r = t.orphanRetries;
  return r === 0 && alive ? 8 : r;
}

/** SOCK_DEAD: close() orphaned the socket (the model's applications only ever close, never shutdown). */
export function sockDead(sk: TcpSock): boolean {
  return sk.finSent;
}

/** net/ipv4/tcp_timer.c: tcp_write_timeout for a synchronized socket — true: the connection was aborted
 *  (the socket is gone; the caller must stop). */
export function writeTimeout(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  let retryUntil = t.retries2;
  if (sockDead(sk)) retryUntil = orphanRetries(t, c.icskRtoUs() < TCP_RTO_MAX_US);
  if (!retransmitsTimedOut(t, c, retryUntil)) return false;
  writeErr(t, sk);
  return true;
}

/** net/ipv4/tcp_timer.c: tcp_rtx_probe0_timed_out (no user timeout) — an RTO while the peer's window is 0:
 *  the retransmissions are zero-window probes, timed out only when no ACK came for 2·TCP_RTO_MAX before this
 *  timer's expiry (`dueMs`, icsk_timeout) and the head has waited as long since its first retransmission
 *  (or its last transmission). */
export function rtxProbe0TimedOut(t: TcpHost, c: TcpConn, dueMs: number): boolean {
  const timeout = 2 * TCP_RTO_MAX_MS;
  if (dueMs - c.rcvTstamp <= timeout) return false;
  const since = c.retransStamp !== NO_STAMP ? c.retransStamp : Math.floor(c.rtx.sentAt[c.rtx.at(0)]! / 1e6);
  return t.nowMs() - since > timeout;
}

/** net/ipv4/tcp_timer.c: tcp_write_err — ETIMEDOUT to the application, TCPAbortOnTimeout, tcp_done
 *  (tcp_done_with_error purges the write queue; the application closes the failed socket). */
export function writeErr(t: TcpHost, sk: TcpSock): void {
  t.nstat.add(t.mib.AbortOnTimeout);
  if (sk.conn !== null) sk.conn.sockErr = ETIMEDOUT;
  tcpDone(t, sk);
}

/** include/uapi/asm-generic/errno.h: ETIMEDOUT */
const ETIMEDOUT = 110;
