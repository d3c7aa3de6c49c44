// tcp_rcv_established's header prediction (net/ipv4/tcp_input.c, after Van Jacobson's "30 instruction TCP
// receive"): a segment whose flag word matches pred_flags (ACK alone, the socket's tcp_header_len, the
// predicted window; pred-flags.ts), at rcv_nxt, ACKing within [snd_una, snd_nxt], skips tcp_validate_incoming,
// tcp_urg and tcp_data_queue. A pure ACK goes to tcp_ack without FLAG_SLOWPATH; in-order data is queued at
// once (tcp_queue_rcv, tcp_event_data_recv: TCPHPHits) and its ACK field costs a tcp_ack only when it moves
// snd_una. Data whose truesize sk_forward_alloc does not cover goes to step5 (the slow path from tcp_ack on,
// without tcp_validate_incoming); an unpredicted segment takes the whole slow path (tcpRcvState).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import { TCP_CLOSE, TCP_ESTABLISHED } from "./constants.js";
import { TCPHDR_ACK, TCPHDR_PSH } from "../wire/tcp.js";
import { ackSndCheck, dataSndCheck, eventDataRecv, groTruesize, queueRcv, rcvRttMeasureTs, rxTruesize, tcpAck, tcpDataQueue } from "./data-in.js";
import { rxFrags, rxTailroom } from "./skb-coalesce.js";
import { storeTsRecent } from "./paws.js";
import { recvmsg } from "./sock-lock.js";
import { tcpRcvState } from "./established.js";

/** sizeof(struct tcphdr) + TCPOLEN_TSTAMP_ALIGNED */
const TCP_HEADER_LEN_TS = 32;

/** net/ipv4/tcp_input.c: tcp_rcv_established — the socket's segment (t.rx, skb h) through the fast path when
 *  predicted, else the slow path (tcpRcvState, which is also tcp_rcv_state_process for the other states). */
export function tcpRcvEstablished(t: TcpHost, sk: TcpSock, h: number): void {
  const c = sk.conn;
  if (c === null || c.predWnd < 0 || sk.state !== TCP_ESTABLISHED || sk.tw || !fastPath(t, sk, c, h)) tcpRcvState(t, sk, h);
}

/** The header-predicted segment's work; false = not predicted (or step5), nothing done. */
function fastPath(t: TcpHost, sk: TcpSock, c: TcpConn, h: number): boolean {
  const rx = t.rx;
  // (tcp_flag_word(th) & TCP_HP_BITS) == pred_flags: the reserved bits and PSH are ignored
  if ((rx.flags & ~TCPHDR_PSH) !== TCPHDR_ACK || rx.window !== c.predWnd || rx.hdrLen !== c.tcpHeaderLen) return false;
  if (rx.seq !== sk.rcvNxt) return false;
  // between(ack_seq, snd_una, snd_nxt)
  if (((rx.ack - sk.sndUna) >>> 0) > ((sk.sndNxt - sk.sndUna) >>> 0)) return false;
  const tsHdr = c.tcpHeaderLen === TCP_HEADER_LEN_TS;
  if (tsHdr) {
    // tcp_parse_aligned_timestamp, then PAWS the quick way: a TSval below ts_recent goes to the slow path's
    // careful check
    if (!rx.tsAligned || ((rx.tsVal - sk.tsRecent) | 0) < 0) return false;
  }
  const len = rx.dataLen;
  if (len === 0) {
    // a pure ACK (bulk sender). In window by definition: seq == rcv_nxt, so !after(seq, rcv_wup) is
    // rcv_nxt == rcv_wup (no FIN received in ESTABLISHED)
    if (tsHdr && c.rcvNxt === c.rcvWup) storeTsRecent(t, sk);
    tcpAck(t, sk, c, true);
    // tcp_data_snd_check (the skb is freed first in the kernel; the model's handle goes last, as on the
    // slow path, so the pool hands out the same handles)
    if (c.sndDue !== 0) dataSndCheck(t, sk, c);
    // "update last ts ecr directly instead of calling tcp_rcv_rtt_measure_ts()" (rcv_tsecr: 0 on a socket
    // without timestamps, which parses none)
    c.rcvRttLastTsecr = rx.ts ? rx.tsEcr : 0;
    t.deliverSkb(h);
    return true;
  }
  // (tcp_checksum_complete: the model's segments arrive intact)
  const skb = t.core.skb;
  let truesize = skb.truesize[h]!;
  const segs = skb.gsoSegs[h]!;
  const gsoSize = segs > 1 ? skb.gsoSize[h]! : 0;
  if (truesize === 0) truesize = gsoSize > 0 ? groTruesize(skb.len[h]! - len, len, gsoSize, segs) : rxTruesize(skb.len[h]!);
  if (truesize > c.fwdAlloc) {
    step5(t, sk, c, h);
    return true;
  }
  if (tsHdr && c.rcvNxt === c.rcvWup) storeTsRecent(t, sk);
  // (end_seq - seq: a predicted segment has no FIN)
  rcvRttMeasureTs(t, sk, c, len);
  t.nstat.add(t.mib.HPHits);
  // the skb's layout for coalescing: as GRO built it, or as the socket backlog left it
  let frags = rx.skbFrags;
  let tailroom = rx.skbTailroom;
  if (frags < 0) {
    frags = rxFrags(segs);
    tailroom = rxTailroom(frags, truesize, skb.len[h]!);
  }
  // bulk data transfer, receiver: tcp_queue_rcv with no tcp_try_rmem_schedule (sk_forward_alloc covers it;
  // sk_rmem_alloc may pass sk_rcvbuf here: only tcp_data_queue's tcp_fast_path_check looks), then
  // tcp_event_data_recv — both before this segment's ACK field is looked at
  const seq = c.rcvNxt;
  queueRcv(t, c, seq, seq + len, truesize, frags, tailroom);
  eventDataRecv(t, sk, c, len, truesize, gsoSize);
  sk.rcvNxt = (sk.irs + 1 + c.rcvNxt) >>> 0;
  if (rx.ack !== sk.sndUna) {
    // "only one small jumplet in fast path": tcp_ack(FLAG_DATA), tcp_data_snd_check; no ACK check when what
    // was sent carried the ACK
    tcpAck(t, sk, c, true);
    if (c.sndDue !== 0) dataSndCheck(t, sk, c);
    if (c.ackPending) ackSndCheck(t, sk, c);
  } else {
    // tcp_update_wl alone: no tcp_ack (no rcv_tstamp, no probes_out reset, no tcp_data_snd_check)
    c.sndWl1 = seq;
    // (the report's goodput span ends at the last segment with an ACK field processed)
    c.lastAckAt = t.now;
    // __tcp_ack_snd_check(sk, 0): the out-of-order queue is empty (prediction is off otherwise)
    ackSndCheck(t, sk, c);
  }
  // tcp_data_ready
  c.app?.onReadable?.(c);
  if (c.readRate === Infinity) recvmsg(t, sk, c, Infinity);
  t.deliverSkb(h);
  return true;
}

/** tcp_rcv_established's step5: a predicted data segment whose truesize sk_forward_alloc does not cover takes
 *  the slow path from tcp_ack(FLAG_SLOWPATH | FLAG_UPDATE_TS_RECENT) on, without tcp_validate_incoming (it is
 *  in window and passed the PAWS test): tcp_rcv_rtt_measure_ts and tcp_data_queue (tcpDataQueue, which ends
 *  with tcp_ack_snd_check's tcp_data_snd_check), tcp_data_snd_check. What tcpRcvState does for it, less the
 *  checks a predicted ESTABLISHED segment without FIN, SYN or RST passes. */
function step5(t: TcpHost, sk: TcpSock, c: TcpConn, h: number): void {
  // (snd_una <= ack <= snd_nxt: tcp_ack accepts it)
  tcpAck(t, sk, c);
  const drop = tcpDataQueue(t, sk, c, h);
  // tcp_data_snd_check where tcp_ack_snd_check did not run it (a drop), unless the socket is gone
  if (c.sndDue !== 0) {
    if (sk.tw || sk.state === TCP_CLOSE) c.sndDue = 0;
    else dataSndCheck(t, sk, c);
  }
  if (drop !== null) t.dropSkb(h, drop);
  else t.deliverSkb(h);
}
