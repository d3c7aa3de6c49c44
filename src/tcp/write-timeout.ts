// When an established connection gives up on a silent peer (net/ipv4/tcp_timer.c, 6.12). Each RTO first
// asks tcp_write_timeout whether the time since the first retransmission of the episode (retrans_stamp)
// has reached what tcp_retries2 exponentially backed-off RTOs starting at TCP_RTO_MIN would take
// (tcp_model_timeout: 924.6 s for 15) — a time budget, not a count: the abort comes with the first RTO
// at or past it. TCP_USER_TIMEOUT (icsk_user_timeout, ms) replaces that budget, and the RTO is clamped
// so that one fires when it runs out (tcp_clamp_rto_to_user_timeout). The zero-window probe timer gives
// up after tcp_retries2 probes that no ACK answered, or TCP_USER_TIMEOUT after its first probe timer
// whatever the peer answers. A socket the application has closed (an orphan, SOCK_DEAD) uses
// tcp_orphan_retries instead. Giving up is tcp_write_err: sk_err = ETIMEDOUT, TCPAbortOnTimeout,
// tcp_done. An RTO that does not give up picks a new sk_txhash (sk_rethink_txhash: TcpTimeoutRehash),
// so the retransmission may leave by another TX queue (netdev_pick_tx: skb_tx_hash, XPS).
//
// An orphan is also asked whether TCP is short of resources (out-of-resources.ts: TCPAbortOnMemory).
//
// Not modelled: tcp_retries1 (its only effects are __dst_negative_advice, tcp_mtu_probing and
// __sk_dst_reset: no route cache or PMTU here), ICMP soft errors (sk_err_soft).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import { TCP_RTO_MAX_US, TCP_RTO_MIN_US } from "./rtt.js";
import { NO_STAMP } from "./undo.js";
import { tcpDone } from "./established.js";
import { outOfResources } from "./out-of-resources.js";
import { timeoutRehash } from "./txhash.js";
import { jiffyNs, msecsToJiffies } from "../sim/jiffies.js";
import { TCP_TIMEOUT_MIN_JIFFIES } from "./constants.js";

export { rethinkTxhash } from "./txhash.js";

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

/** net/ipv4/tcp_timer.c: retransmits_timed_out (timeout 0: the tcp_model_timeout budget from TCP_RTO_MIN, else
 *  `timeoutMs`; ms timestamps, tcp_usec_ts off). */
function retransmitsTimedOut(t: TcpHost, c: TcpConn, boundary: number, timeoutMs: number): boolean {
  // icsk_retransmits > 0: an RTO attempted the head, and tcp_retransmit_skb stamped retrans_stamp even if it failed
  if (c.retransmits === 0) return false;
  const timeout = timeoutMs === 0 ? modelTimeoutMs(boundary, TCP_RTO_MIN_MS) : timeoutMs;
  return t.nowMs() - c.retransStamp - timeout >= 0;
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
  if (sockDead(sk)) {
    const alive = c.icskRtoUs() < TCP_RTO_MAX_US;
    retryUntil = orphanRetries(t, alive);
    // tcp_out_of_resources: reset unless the RTO is at its cap and the retries are spent
    if (outOfResources(t, sk, c, alive || !retransmitsTimedOut(t, c, retryUntil, 0))) return true;
  }
  if (retransmitsTimedOut(t, c, retryUntil, c.userTimeoutMs)) {
    writeErr(t, sk);
    return true;
  }
  if (timeoutRehash(t, sk, c.timeoutRehash)) c.timeoutRehash++;
  return false;
}

/** net/ipv4/tcp_timer.c: tcp_clamp_rto_to_user_timeout — the RTO (µs of whole jiffies at the host's HZ) to arm
 *  after a retransmission: icsk_rto, or what is left of TCP_USER_TIMEOUT since retrans_stamp (ms) if less,
 *  msecs_to_jiffies rounding it up (1 jiffy once it is spent). */
export function clampRtoToUserTimeoutUs(t: TcpHost, c: TcpConn): number {
  const rto = c.icskRtoUs();
  if (c.userTimeoutMs === 0) return rto;
  const jiffyUs = 1e6 / t.hz;
  // a retrans_stamp of 0 (none) leaves the whole ms clock elapsed
  const remaining = c.userTimeoutMs - (t.nowMs() - (c.retransStamp === NO_STAMP ? 0 : c.retransStamp));
  if (remaining <= 0) return jiffyUs;
  return Math.min(rto, msecsToJiffies(remaining, t.hz) * jiffyUs);
}

/** net/ipv4/tcp_timer.c: tcp_clamp_probe0_to_user_timeout — the probe timer's interval (`whenNs`) cut to
 *  what is left of TCP_USER_TIMEOUT since the probing began (icsk_probes_tstamp), at least TCP_TIMEOUT_MIN;
 *  counted in jiffies at the host's HZ, as the kernel does (msecs_to_jiffies rounds the user timeout up). */
export function clampProbe0ToUserTimeoutNs(t: TcpHost, c: TcpConn, whenNs: number): number {
  if (c.userTimeoutMs === 0 || c.probesTstamp < 0) return whenNs;
  const elapsed = Math.max(0, t.jiffies() - c.probesTstamp);
  const remaining = Math.max(msecsToJiffies(c.userTimeoutMs, t.hz) - elapsed, TCP_TIMEOUT_MIN_JIFFIES);
  return Math.min(remaining * jiffyNs(t.hz), whenNs);
}

/** net/ipv4/tcp_timer.c: tcp_rtx_probe0_timed_out — an RTO while the peer's window is 0: the retransmissions
 *  are zero-window probes, timed out only when no ACK came for 2·TCP_RTO_MAX (or TCP_USER_TIMEOUT if less)
 *  before this timer's expiry (`dueJ`, icsk_timeout) and the head has waited as long since its first
 *  retransmission (or its last transmission); with TCP_USER_TIMEOUT, also as soon as the head has waited
 *  longer than it, ACKs or not. Units as the kernel's: rtx_delta in ms (tcp_time_stamp_ts), the timeout,
 *  icsk_timeout and rcv_tstamp in jiffies at the host's HZ. */
export function rtxProbe0TimedOut(t: TcpHost, c: TcpConn, dueJ: number): boolean {
  // tcp_retransmit_timer: rtx_delta from retrans_stamp, or the head's last send (tcp_skb_timestamp_ts), ms
  const since = c.retransStamp !== NO_STAMP ? c.retransStamp : Math.floor(c.rtx.sentAt[c.rtx.at(0)]! / 1e6);
  const rtxDelta = t.nowMs() - since;
  let timeout = 2 * t.toJiffies(TCP_RTO_MAX_US * 1000);
  if (c.userTimeoutMs !== 0) {
    if (rtxDelta > c.userTimeoutMs) return true;
    timeout = Math.min(timeout, msecsToJiffies(c.userTimeoutMs, t.hz));
  }
  // rcv_delta (s32, jiffies): may be negative when an ACK came after the expiry, before a late timer ran
  if (dueJ - c.rcvTstamp <= timeout) return false;
  return msecsToJiffies(rtxDelta, t.hz) > timeout;
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
