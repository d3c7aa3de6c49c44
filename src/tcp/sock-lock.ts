// The socket lock as the application holds it: recvmsg and sendmsg run in
// process context with sk_lock.owned set (lock_sock) for as long as the CPU
// model says the call takes (cost.app per call + cost.copyPerByte per byte
// copied); segments arriving meanwhile go to the socket backlog (backlog.ts)
// and timers defer their work; release_sock drains the backlog and runs the
// deferred work (tcp_release_cb). An application woken from softirq (data
// ready, write space) runs its call after the softirq, not inside it.
// With a zero-cost CPU model the calls take no time and run inline.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import {
  TCPF_ACK_DEFERRED,
  TCPF_DELACK_TIMER_DEFERRED,
  TCPF_TSQ_DEFERRED,
  TCPF_WRITE_TIMER_DEFERRED,
  appRecv,
  delackTimerHandler,
  sendAck,
  writeTimerHandler,
  tsqWrite,
} from "./data-out.js";
import { releaseBacklog } from "./backlog.js";
import { tcpRcvEstablished } from "./fast-path.js";

/** How long one socket call holds the lock (ns). */
function callNs(t: TcpHost, bytes: number): number {
  return t.appCostNs + t.copyCostPerByte * bytes;
}

/** The application wants the socket while it is owned (it calls after release_sock) or
 *  from softirq (sk_data_ready / write space woke it: it calls once this segment is done). */
function wake(t: TcpHost, c: TcpConn): void {
  if (!c.owned && !c.wakeQueued) {
    c.wakeQueued = true;
    const w = t.woken;
    const k = t.wokenCount++;
    if (k < w.length) w[k] = c;
    else w.push(c);
  }
}

/** lock_sock for `ns`; release_sock fires at the end. */
function lockSock(t: TcpHost, c: TcpConn, ns: number): void {
  c.owned = true;
  // woken by a frame of a NAPI poll: the call starts at that frame's CPU time
  c.ownedUntil = (t.rxTime >= 0 ? t.rxTime : t.now) + ns;
  c.releaseEvent = t.env.loop.at(c.ownedUntil, t.kRelease, c.slot);
}

/** net/ipv4/tcp.c: tcp_recvmsg — copy up to `n` bytes (Infinity = all queued). */
export function recvmsg(t: TcpHost, sk: TcpSock, c: TcpConn, n: number): void {
  if (!t.lockModel) {
    appRecv(t, sk, c, n);
    return;
  }
  if (c.owned || t.inSoftirq) {
    c.readWant = n === Infinity ? Infinity : c.readWant + n;
    wake(t, c);
    return;
  }
  const avail = c.inq();
  const take = n < avail ? Math.floor(n) : avail;
  if (take <= 0) return;
  c.readPending = take;
  lockSock(t, c, callNs(t, take));
}

/** net/ipv4/tcp.c: tcp_sendmsg — `taken` bytes were copied; the call holds the socket meanwhile. */
export function sendmsgHold(t: TcpHost, _sk: TcpSock, c: TcpConn, taken: number): void {
  if (!t.lockModel) return;
  lockSock(t, c, callNs(t, taken));
}

/** Whether sendmsg must wait (socket owned, or the writer is only being woken from softirq). */
export function sendmsgBlocked(t: TcpHost, c: TcpConn): boolean {
  if (!t.lockModel || !(c.owned || t.inSoftirq)) return false;
  c.writeWant = true;
  wake(t, c);
  return true;
}

/** The woken application makes the calls it wanted. */
export function appContinue(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  c.wakeQueued = false;
  if (c.owned || sk.conn !== c) return;
  if (c.readWant > 0) {
    const w = c.readWant;
    c.readWant = 0;
    recvmsg(t, sk, c, w);
  }
  if (!c.owned && c.writeWant) {
    c.writeWant = false;
    c.app?.onWritable?.(c);
  }
}

/** net/core/sock.c: release_sock — the call's copy completes, the backlog drains, tcp_release_cb runs. */
export function releaseSock(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  t.inRelease++;
  releaseSockWork(t, sk, c);
  t.inRelease--;
}

function releaseSockWork(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  c.releaseEvent = -1;
  if (c.readPending > 0) {
    const n = c.readPending;
    c.readPending = 0;
    appRecv(t, sk, c, n);
  }
  if (c.backlog.count > 0) releaseBacklog(t, sk, c, (s, h, len, frags, room) => rcvBacklogged(t, s, h, len, frags, room));
  if (sk.conn !== c) return;
  if (sk.tw) {
    // a backlogged segment made it a timewait sock: tcp_release_cb's handlers return for the closed full socket
    // (tcp_write_timer_handler / tcp_delack_timer_handler: TCPF_CLOSE; tcp_tsq_write; no ACK scheduled)
    c.deferred = 0;
    c.owned = false;
    return;
  }
  // net/ipv4/tcp_output.c: tcp_release_cb
  const d = c.deferred;
  c.deferred = 0;
  if (d & TCPF_TSQ_DEFERRED) {
    // tcp_tsq_write
    tsqWrite(t, sk, c);
  }
  if (d & TCPF_WRITE_TIMER_DEFERRED) writeTimerHandler(t, sk, c);
  if (d & TCPF_DELACK_TIMER_DEFERRED) delackTimerHandler(t, sk, c);
  if (d & TCPF_ACK_DEFERRED && c.ackPending) sendAck(t, sk, c);
  c.owned = false;
  appContinue(t, sk, c);
}

/** sk_backlog_rcv -> tcp_v4_do_rcv for one queued skb (its payload and layout may have grown by coalescing). */
function rcvBacklogged(t: TcpHost, sk: TcpSock, h: number, dataLen: number, frags: number, tailroom: number): void {
  const skb = t.core.skb;
  t.rx.parse(t.headers, h, skb.network[h]!, skb.transport[h]!, skb.protocol[h] === 0x86dd);
  t.rx.dataLen = dataLen;
  t.rx.skbFrags = frags;
  t.rx.skbTailroom = tailroom;
  tcpRcvEstablished(t, sk, h);
}
