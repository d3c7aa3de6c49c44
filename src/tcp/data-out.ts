// Sending on an ESTABLISHED socket: tcp_write_xmit (cwnd, receive window,
// Nagle/Minshall, qdisc room as a TSQ-like stop), retransmissions
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
import { TCP_CA_Loss, TCP_CA_Recovery } from "./cc.js";
import { TCP_SKB_OVERHEAD, TCP_MAX_QUICKACKS, pacingRate, rcvSpaceAdjust, selectWindowRaw, sndbufExpand } from "./buffers.js";
import { TCP_RTO_MAX_US, TCP_RTO_MIN_US } from "./rtt.js";
import { TCPHDR_ACK, TCPHDR_PSH } from "../wire/tcp.js";
import { setPayloadLen } from "../wire/skb-headers.js";
import { writeSegment } from "./segment.js";

/** include/net/tcp.h: TCP_DELACK_MIN / TCP_ATO_MIN (HZ/25), TCP_DELACK_MAX (HZ/5), in ns. */
export const TCP_DELACK_MIN = 40e6;
export const TCP_ATO_MIN = 40e6;
export const TCP_DELACK_MAX = 200e6;

/** Timer kinds multiplexed on one event kind (arg = slot·4 + kind). */
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
    c.rcvWnd = 0;
    c.rcvWup = c.rcvNxt;
    newWin = 0;
  } else {
    const cur = c.receiveWindow();
    newWin = selectWindowRaw(c);
    if (newWin < cur) {
      // never shrink the offered window
      if (newWin === 0) t.nstat.add(t.mib.WantZeroWindowAdv);
      const unit = 2 ** c.rcvWscale;
      newWin = Math.ceil(cur / unit) * unit;
    }
    c.rcvWnd = newWin;
    c.rcvWup = c.rcvNxt;
  }
  let w = Math.min(newWin, 65535 * 2 ** c.rcvWscale);
  w = Math.floor(w / 2 ** c.rcvWscale);
  if (w === 0) {
    if (!c.zeroAdvertised) t.nstat.add(t.mib.ToZeroWindowAdv);
    c.zeroAdvertised = true;
  } else if (c.zeroAdvertised) {
    t.nstat.add(t.mib.FromZeroWindowAdv);
    c.zeroAdvertised = false;
  }
  return w;
}

// ---- segment output ----

/** Build and send one segment (tcp_transmit_skb): data [start, end) or a bare
 *  ACK when start === end. Every segment carries ACK and the current window. */
function transmit(t: TcpHost, sk: TcpSock, c: TcpConn, start: number, end: number, flags: number, withSack: boolean): boolean {
  const h = t.env.alloc();
  if (h < 0) return false;
  const tx = t.txFor(sk);
  tx.v6 = t.v6;
  tx.seq = wireSeq(sk.iss + 1, start);
  tx.ack = sk.rcvNxt;
  tx.flags = flags;
  tx.window = selectWindow(t, c);
  if (sk.tsOk) {
    tx.ts = true;
    tx.tsVal = (t.nowMs() + sk.tsOff) >>> 0;
    tx.tsEcr = sk.tsRecent;
  }
  tx.sackN = 0;
  if (withSack && sk.sackOk && c.ofo.length > 0) {
    // tcp_build_sack: up to 3 blocks with timestamps (4 without), newest first
    const max = sk.tsOk ? 3 : 4;
    for (let i = c.ofo.length - 1; i >= 0 && tx.sackN < max; i--) {
      tx.sackL[tx.sackN] = wireSeq(sk.irs + 1, c.ofo[i]!.start);
      tx.sackR[tx.sackN] = wireSeq(sk.irs + 1, c.ofo[i]!.end);
      tx.sackN++;
    }
  }
  writeSegment(t.core, h, tx);
  tx.sackN = 0;
  if (end > start) setPayloadLen(t.core, h, end - start);
  // tcp_event_ack_sent: the ACK that went out clears the pending one
  if (c.ackPending) {
    c.ackPending = false;
    c.ackNow = false;
    c.delackDeadline = Infinity;
  }
  if (c.quick > 0) c.quick--;
  t.output(h);
  return true;
}

/** net/ipv4/tcp_output.c: tcp_send_ack */
export function sendAck(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  transmit(t, sk, c, c.sndNxt, c.sndNxt, TCPHDR_ACK, true);
}

/** The send-side view the congestion control reads. */
function ccRefresh(t: TcpHost, c: TcpConn): void {
  c.now = t.now;
  c.inFlight = c.packetsInFlight();
  c.srttUs = c.rtt.srttUs;
}

/** net/ipv4/tcp_input.c: tcp_update_pacing_rate */
export function updatePacingRate(c: TcpConn): void {
  c.pacingRate = pacingRate(c.mss, c.cwnd, c.ssthresh, c.packetsOut, c.rtt.srttUs);
}

function segSent(t: TcpHost, c: TcpConn): void {
  if (c.caState === TCP_CA_Recovery) c.prrOut++;
  if (c.rtoDeadline === Infinity) armRto(t, c, c.rtt.rtoUs * 1000);
}

/** net/ipv4/tcp_output.c: tcp_xmit_retransmit_queue — lost segments first, within cwnd. */
export function xmitRetransmitQueue(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  if (c.lostOut === 0) return;
  const rb = c.rtx;
  for (let i = 0; i < rb.count; i++) {
    if (c.packetsInFlight() >= c.cwnd) break;
    const j = rb.at(i);
    const f = rb.flags[j]!;
    if ((f & (TCPCB_LOST | TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS)) !== TCPCB_LOST) continue;
    const start = rb.start[j]!;
    const end = rb.end[j]!;
    if (!transmit(t, sk, c, start, end, TCPHDR_ACK, true)) break;
    rb.flags[j] = f | TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS;
    rb.sentAt[j] = t.now;
    c.retransOut++;
    c.retransTotal++;
    t.nstat.add(t.mib.RetransSegs);
    if (c.caState === TCP_CA_Recovery) t.nstat.add(t.mib.FastRetrans);
    else if (c.caState === TCP_CA_Loss) t.nstat.add(t.mib.SlowStartRetrans);
    segSent(t, c);
  }
}

/** Whether this host's qdisc towards the peer can take another segment
 *  (a stand-in for TCP Small Queues: stop at a full qdisc or at
 *  tcp_limit_output_bytes queued, resume on TX room). */
function txRoom(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  if (t.txRoom(sk)) return true;
  if (!c.txWait) {
    c.txWait = true;
    t.waitTxRoom(sk, () => {
      c.txWait = false;
      if (sk.conn === c) xmitAll(t, sk, c);
    });
  }
  return false;
}

/** net/ipv4/tcp_output.c: tcp_write_xmit (no TSO, no pacing yet). */
export function writeXmit(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  const mss = c.mss;
  let stoppedByCwnd = false;
  while (c.writeSeq > c.sndNxt) {
    if (c.packetsInFlight() >= c.cwnd) {
      stoppedByCwnd = true;
      break;
    }
    const start = c.sndNxt;
    let len = c.writeSeq - start;
    if (len > mss) len = mss;
    // tcp_snd_wnd_test
    if (start + len > c.sndUna + c.sndWnd) {
      if (c.packetsOut === 0 && c.rtoDeadline === Infinity) armProbe(t, c);
      break;
    }
    // tcp_nagle_test with Minshall's check: hold a small segment while another small one is unacked
    if (len < mss && c.sndSml > c.sndUna && c.packetsOut > 0) break;
    if (!txRoom(t, sk, c)) break;
    const end = start + len;
    const last = end === c.writeSeq;
    if (!transmit(t, sk, c, start, end, last ? TCPHDR_ACK | TCPHDR_PSH : TCPHDR_ACK, true)) break;
    c.rtx.push(start, end, t.now);
    c.sndNxt = end;
    sk.sndNxt = wireSeq(sk.iss + 1, end);
    c.packetsOut++;
    if (c.packetsOut > c.maxPacketsOut) c.maxPacketsOut = c.packetsOut;
    if (len < mss) c.sndSml = end;
    segSent(t, c);
  }
  // tcp_cwnd_validate: remember whether the flow used its cwnd
  c.cwndLimited = stoppedByCwnd || (c.cwnd < c.ssthresh && c.cwnd < 2 * c.maxPacketsOut);
}

/** Retransmissions, then new data. */
export function xmitAll(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  xmitRetransmitQueue(t, sk, c);
  writeXmit(t, sk, c);
}

// ---- timers ----

function ensureTimer(t: TcpHost, c: TcpConn, which: number, at: number): void {
  if (which === TIMER_RTO) {
    if (c.rtoEvent >= 0 && c.rtoEventAt <= at) return;
    if (c.rtoEvent >= 0) t.env.loop.cancel(c.rtoEvent);
    c.rtoEventAt = at;
    c.rtoEvent = t.connTimer(c, TIMER_RTO, at);
  } else {
    if (c.delackEvent >= 0 && c.delackEventAt <= at) return;
    if (c.delackEvent >= 0) t.env.loop.cancel(c.delackEvent);
    c.delackEventAt = at;
    c.delackEvent = t.connTimer(c, TIMER_DELACK, at);
  }
}

/** inet_csk_reset_xmit_timer(ICSK_TIME_RETRANS): lazily, one wheel entry that
 *  re-checks the deadline when it fires. */
export function armRto(t: TcpHost, c: TcpConn, afterNs: number): void {
  c.probing = false;
  c.rtoDeadline = t.now + afterNs;
  ensureTimer(t, c, TIMER_RTO, c.rtoDeadline);
}

/** tcp_rearm_rto: restart from now, or stop when nothing is outstanding. */
export function rearmRto(t: TcpHost, c: TcpConn): void {
  if (c.packetsOut === 0) {
    c.rtoDeadline = Infinity;
    return;
  }
  armRto(t, c, c.rtt.rtoUs * 1000);
}

/** tcp_check_probe_timer / tcp_reset_xmit_timer(ICSK_TIME_PROBE0): base max(RTO, 200 ms), backed off. */
function armProbe(t: TcpHost, c: TcpConn): void {
  const base = Math.max(c.rtt.rtoUs, TCP_RTO_MIN_US) * 1000;
  const when = Math.min(base * 2 ** c.probes, TCP_RTO_MAX_US * 1000);
  c.rtoDeadline = t.now + when;
  c.probing = true;
  ensureTimer(t, c, TIMER_RTO, c.rtoDeadline);
}

export function timerFire(t: TcpHost, sk: TcpSock, c: TcpConn, which: number): void {
  c.now = t.now;
  if (which === TIMER_RTO) {
    c.rtoEvent = -1;
    c.rtoEventAt = Infinity;
    if (c.rtoDeadline === Infinity) return;
    if (c.rtoDeadline > t.now) {
      ensureTimer(t, c, TIMER_RTO, c.rtoDeadline);
      return;
    }
    c.rtoDeadline = Infinity;
    if (c.probing) probeTimer(t, sk, c);
    else retransmitTimer(t, sk, c);
  } else if (which === TIMER_DELACK) {
    c.delackEvent = -1;
    c.delackEventAt = Infinity;
    if (c.delackDeadline === Infinity) return;
    if (c.delackDeadline > t.now) {
      ensureTimer(t, c, TIMER_DELACK, c.delackDeadline);
      return;
    }
    delackTimer(t, sk, c);
  } else if (which === TIMER_READ) {
    c.readEvent = -1;
    appReadTick(t, sk, c);
  } else {
    c.writeEvent = -1;
    appWriteTick(t, sk, c);
  }
}

/** net/ipv4/tcp_timer.c: tcp_delack_timer_handler */
function delackTimer(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  c.delackDeadline = Infinity;
  if (!c.ackPending) return;
  // not pingpong: inflate ato (ato <<= 1, capped at RTO), leave quick-ack mode
  c.ato = Math.min(c.ato * 2, c.rtt.rtoUs * 1000);
  t.nstat.add(t.mib.DelayedACKs);
  sendAck(t, sk, c);
}

/** net/ipv4/tcp_output.c: tcp_send_delayed_ack */
export function sendDelayedAck(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  let ato = c.ato;
  if (ato > TCP_DELACK_MIN) {
    let maxAto = 500e6; // HZ/2
    if (c.rtt.srttUs > 0) {
      const rtt = Math.max(Math.ceil(c.rtt.srttUs / 8 / 1000) * 1e6, TCP_DELACK_MIN);
      if (rtt < maxAto) maxAto = rtt;
    }
    ato = Math.min(ato, maxAto);
  }
  ato = Math.min(ato, TCP_DELACK_MAX);
  let timeout = t.now + ato;
  if (c.delackDeadline !== Infinity) {
    // the timer is about to expire: ACK now
    if (c.delackDeadline <= t.now + ato / 4) {
      sendAck(t, sk, c);
      return;
    }
    if (timeout >= c.delackDeadline) timeout = c.delackDeadline;
  }
  c.ackPending = true;
  c.delackDeadline = timeout;
  ensureTimer(t, c, TIMER_DELACK, timeout);
}

/** net/ipv4/tcp_timer.c: tcp_retransmit_timer -> tcp_enter_loss, retransmit the head. */
function retransmitTimer(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  if (c.packetsOut === 0) return;
  t.nstat.add(t.mib.Timeouts);
  enterLoss(t, c);
  xmitRetransmitQueue(t, sk, c);
  c.backoff++;
  armRto(t, c, Math.min(c.rtt.rtoUs * 2 ** c.backoff, TCP_RTO_MAX_US) * 1000);
}

/** net/ipv4/tcp_input.c: tcp_enter_loss */
export function enterLoss(t: TcpHost, c: TcpConn): void {
  ccRefresh(t, c);
  if (c.caState < TCP_CA_Recovery || c.highSeq <= c.sndUna || (c.caState === TCP_CA_Loss && c.backoff === 0)) {
    c.priorCwnd = c.cwnd;
    c.ssthresh = c.cc.ssthresh(c);
  }
  const rb = c.rtx;
  c.lostOut = 0;
  c.retransOut = 0;
  for (let i = 0; i < rb.count; i++) {
    const j = rb.at(i);
    let f = rb.flags[j]! & ~TCPCB_SACKED_RETRANS;
    if (!(f & TCPCB_SACKED_ACKED)) {
      f |= TCPCB_LOST;
      c.lostOut++;
    }
    rb.flags[j] = f;
  }
  c.cwnd = c.packetsInFlight() + 1;
  c.cwndCnt = 0;
  c.highSeq = c.sndNxt;
  c.caState = TCP_CA_Loss;
  c.dupAcks = 0;
  c.cc.setState?.(c, TCP_CA_Loss);
}

/** net/ipv4/tcp_timer.c: tcp_probe_timer -> tcp_send_probe0 (tcp_xmit_probe_skb: seq snd_una − 1). */
function probeTimer(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  c.probing = false;
  if (c.packetsOut > 0 || c.writeSeq <= c.sndNxt) {
    c.probes = 0;
    return;
  }
  // tcp_write_wakeup: send what fits of the next segment if the window has any room
  const room = c.sndUna + c.sndWnd - c.sndNxt;
  if (room > 0) {
    const start = c.sndNxt;
    const end = start + Math.min(room, c.mss, c.writeSeq - start);
    if (transmit(t, sk, c, start, end, TCPHDR_ACK | TCPHDR_PSH, true)) {
      c.rtx.push(start, end, t.now);
      c.sndNxt = end;
      sk.sndNxt = wireSeq(sk.iss + 1, end);
      c.packetsOut++;
      if (end - start < c.mss) c.sndSml = end;
      segSent(t, c);
      return;
    }
  }
  // tcp_xmit_probe_skb: a zero-length segment with seq snd_una - 1
  t.nstat.add(t.mib.WinProbe);
  transmit(t, sk, c, c.sndUna - 1, c.sndUna - 1, TCPHDR_ACK, false);
  c.probes++;
  armProbe(t, c);
}

// ---- application: sendmsg / recvmsg ----

/** sk_stream_memory_free */
function memoryFree(c: TcpConn): boolean {
  return c.wmemQueued(TCP_SKB_OVERHEAD) < c.sndbuf;
}

/** tcp_sendmsg: copy up to `bytes` into the write queue while sk_wmem_queued <
 *  sk_sndbuf (each MSS-sized skb also costs its overhead); returns bytes taken. */
export function appSend(t: TcpHost, sk: TcpSock, c: TcpConn, bytes: number): number {
  let taken = 0;
  while (taken < bytes) {
    if (!memoryFree(c)) {
      c.nospace = true;
      break;
    }
    const room = c.sndbuf - c.wmemQueued(TCP_SKB_OVERHEAD);
    const segs = Math.max(1, Math.ceil(room / (c.mss + TCP_SKB_OVERHEAD)));
    let n = segs * c.mss;
    // fill the tail skb first so the queue stays MSS-aligned
    const tail = (c.writeSeq - c.sndUna) % c.mss;
    if (tail !== 0) n = c.mss - tail + (segs - 1) * c.mss;
    if (n > bytes - taken) n = bytes - taken;
    c.writeSeq += n;
    taken += n;
  }
  if (taken > 0) writeXmit(t, sk, c);
  return taken;
}

/** tcp_check_space -> tcp_new_space: grow sndbuf, wake a blocked writer. */
export function checkSpace(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  if (!c.nospace) return;
  // tcp_should_expand_sndbuf
  if (!c.sndbufLocked && c.packetsInFlight() < c.cwnd) {
    c.sndbuf = sndbufExpand(c.sndbuf, sk.mss, c.mss, c.cwnd, c.reordering, c.cc.sndbufFactor, t.wmem[2]!);
    if (c.sndbuf > c.sndbufMax) c.sndbufMax = c.sndbuf;
  }
  // sk_stream_write_space: wake when free space >= wmem_queued / 2
  const q = c.wmemQueued(TCP_SKB_OVERHEAD);
  if (c.sndbuf - q >= q >> 1) {
    c.nospace = false;
    c.app?.onWritable?.(c);
  }
}

/** The writer: as fast as the buffer allows, or `writeRate` bytes/s. */
export function appWriteMore(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  if (c.writeRate === Infinity) {
    if (c.toWrite > 0) c.toWrite -= appSend(t, sk, c, c.toWrite);
  } else if (c.writePending > 0) {
    const n = appSend(t, sk, c, c.writePending);
    c.writePending -= n;
    c.toWrite -= n;
  }
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

function maybeClose(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  if (c.closeWhenDone && c.toWrite === 0 && c.sndUna === c.writeSeq && c.writeSeq === c.sndNxt) {
    c.closeWhenDone = false;
    t.closeConn(sk);
  }
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
  c.copiedSeq += take;
  c.bytesRead += take;
  // free whole skbs that are fully read (skb_consume)
  while (c.rqHead < c.rqEnd.length && c.rqEnd[c.rqHead]! <= c.copiedSeq) {
    c.rmemAlloc -= c.rqTrue[c.rqHead]!;
    c.rqHead++;
  }
  if (c.rqHead > 4096 && c.rqHead * 2 > c.rqEnd.length) {
    c.rqEnd.splice(0, c.rqHead);
    c.rqTrue.splice(0, c.rqHead);
    c.rqHead = 0;
  }
  rcvSpaceAdjust(c.rcvq, c, Math.floor(t.now / 1000), c.copiedSeq, c.rcvNxt, t.moderateRcvbuf, c.rcvbufLocked, t.rmem[2]!);
  if (c.rcvbuf > c.rcvbufMax) c.rcvbufMax = c.rcvbuf;
  cleanupRbuf(t, sk, c, take);
  c.app?.onRead?.(c, take);
  return take;
}

/** net/ipv4/tcp.c: __tcp_cleanup_rbuf */
function cleanupRbuf(t: TcpHost, sk: TcpSock, c: TcpConn, copied: number): void {
  let timeToAck = false;
  if (c.ackPending && c.rcvNxt - c.rcvWup > c.rcvMss) timeToAck = true;
  if (copied > 0 && !timeToAck && !c.eof) {
    const now = c.receiveWindow();
    if (2 * now <= c.windowClamp) {
      const w = selectWindowRaw(c);
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
  appRecv(t, sk, c, (c.readRate * dt) / 1e9);
  if (sk.conn === c) c.readEvent = t.connTimer(c, TIMER_READ, t.now + READ_TICK);
}

export function startReader(t: TcpHost, c: TcpConn): void {
  if (c.readRate !== Infinity && c.readEvent < 0) {
    c.readLast = t.now;
    c.readEvent = t.connTimer(c, TIMER_READ, t.now + READ_TICK);
  }
}

/** Quick-ack mode (tcp_incr_quickack / tcp_enter_quickack_mode). */
export function incrQuickack(c: TcpConn, max = TCP_MAX_QUICKACKS): void {
  let q = Math.floor(c.rcvWnd / (2 * c.rcvMss));
  if (q === 0) q = 2;
  q = Math.min(q, max);
  if (q > c.quick) c.quick = q;
}

export { ccRefresh };
