// The sender's SACK scoreboard update of one ACK (net/ipv4/tcp_input.c, 6.12:
// tcp_sacktag_write_queue, tcp_sacktag_walk, tcp_sacktag_one). The ACK's
// blocks are checked (tcp_is_sackblock_valid: the rejected ones counted
// TCPSACKDiscard / TCPDSACKIgnoredOld / TCPDSACKIgnoredNoUndo), those wholly
// below the prior snd_una dropped, the rest sorted by start and walked over
// the retransmit queue in sequence order; the first block, when tcp_check_dsack
// took it for a D-SACK, is walked as a duplicate (undo_retrans, retrans_out).
// Not modelled: the recv_sack_cache shortcut (it skips only records already
// SACKed, so the outcome is the same) and tcp_shift_skb_data (records are
// segments: a block covering part of one leaves it untagged).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { TCPCB_EVER_RETRANS, TCPCB_LOST, TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS, type Scoreboard, type TcpConn } from "./conn.js";
import { TCP_CA_Loss } from "./cc.js";
import { unwrap } from "./data-out.js";
import { checkSackReordering, rackAdvance } from "./rack.js";
import { NO_UNDO } from "./undo.js";
import { TCP_NUM_SACKS } from "./sack-blocks.js";

/** TCPCB_RETRANS: retransmitted now (SACKED_RETRANS) or ever. */
const TCPCB_RETRANS = TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS;

/** struct tcp_sacktag_state of the ACK being processed (one object for the host's life: no per-ACK allocation).
 *  firstSackt / lastSackt: send times (ns) of the first and last newly SACKed never-retransmitted records in the
 *  walk's (sequence) order, -1 none; reord: the lowest sequence SACKed out of order; una: tp->snd_una while the
 *  blocks are tagged (tcp_ack_update_window has moved it to the ACK's ack_seq already; an old ACK leaves it). */
export const sackState = { firstSackt: -1, lastSackt: -1, reord: 0, una: 0 };

/** tcp_ack: sack_state.first_sackt = 0, before anything is tagged. */
export function sackStateReset(): void {
  sackState.firstSackt = -1;
  sackState.lastSackt = -1;
}

/** The blocks kept for the walk (sp[], used_sacks), relative sequence numbers. */
const spL = new Float64Array(TCP_NUM_SACKS);
const spR = new Float64Array(TCP_NUM_SACKS);

/** TCP_SKB_CB(skb)->end_seq of record j: a FIN counts one (the FIN skb of its own is a zero-length record at
 *  write_seq; else the record ending at write_seq carries it, fin.ts). */
export function skbEndSeq(c: TcpConn, j: number): number {
  const rb = c.rtx;
  const e = rb.end[j]!;
  if (!c.finQueued || e !== c.writeSeq) return e;
  return (c.finAlone === 0) === e > rb.start[j]! ? e + 1 : e;
}

/** net/ipv4/tcp_input.c: tcp_sacktag_bsearch — the record holding `seq` (start <= seq < end_seq); rb.count when
 *  none does (NULL). */
function bsearch(c: TcpConn, seq: number): number {
  const rb = c.rtx;
  let lo = 0;
  let hi = rb.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rb.start[rb.at(mid)]! <= seq) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0 || seq >= skbEndSeq(c, rb.at(lo - 1))) return rb.count;
  return lo - 1;
}

/** net/ipv4/tcp_input.c: tcp_is_sackblock_valid — `una` tp->snd_una (sackState.una), `sndNxt` the kernel's
 *  snd_nxt (counting a FIN sent). */
function sackblockValid(c: TcpConn, isDsack: boolean, start: number, end: number, una: number, sndNxt: number): boolean {
  // too far in the future, or reversed; then the start_seq wrap-around check
  if (end > sndNxt || start >= end) return false;
  if (start >= sndNxt) return false;
  // in the outstanding window: valid, for a D-SACK too (start_seq == snd_una makes no sense)
  if (start > una) return true;
  if (!isDsack || c.undoMarker === NO_UNDO) return false;
  // a D-SACK must lie below snd_una completely
  if (end > una) return false;
  if (start >= c.undoMarker) return true;
  // too old
  if (end <= c.undoMarker) return false;
  // crossing undo_marker (overestimates a lot)
  return start >= end - c.maxWindow;
}

/** net/ipv4/tcp_rate.c: tcp_rate_skb_delivered — the rate sample's prior_delivered comes from the most recently
 *  sent delivered record (tcp_skb_sent_after: later µs stamp, or the same µs and a higher end_seq); the first
 *  delivered record of the ACK takes it while it is still 0. */
export function rateSkbDelivered(c: TcpConn, j: number): void {
  const rb = c.rtx;
  const us = Math.floor(rb.sentAt[j]! / 1000);
  const end = rb.end[j]!;
  if (c.rsPriorDelivered === 0 || us > c.rsSentAt || (us === c.rsSentAt && end > c.rsEndSeq)) {
    c.rsPriorDelivered = rb.deliveredAt[j]!;
    c.rsSentAt = us;
    c.rsEndSeq = end;
  }
}

/** net/ipv4/tcp_input.c: tcp_sacktag_one for record j (`dup`: inside the D-SACK block). Returns 1 when newly SACKed. */
function sacktagOne(t: TcpHost, c: TcpConn, j: number, dup: boolean): number {
  const rb = c.rtx;
  let f = rb.flags[j]!;
  const start = rb.start[j]!;
  const end = skbEndSeq(c, j);
  // a D-SACK of a retransmitted segment: one duplicate fewer to wait for before undoing; a segment SACKed
  // before is reordering
  if (dup && f & TCPCB_RETRANS) {
    if (c.undoMarker !== NO_UNDO && c.undoRetrans > 0 && end > c.undoMarker) c.undoRetrans = Math.max(0, c.undoRetrans - 1);
    if (f & TCPCB_SACKED_ACKED && start < sackState.reord) sackState.reord = start;
  }
  // nothing more for a segment this ACK covers (a D-SACK's): it is about to go
  const una = sackState.una;
  if (end <= una) return 0;
  let newly = 0;
  if (!(f & TCPCB_SACKED_ACKED)) {
    rackAdvance(c, f, rb.end[j]!, rb.sentAt[j]!, t.now);
    if (f & TCPCB_SACKED_RETRANS) {
      // a retransmission not marked lost is believed still in flight: it stays in retrans_out (until the
      // cumulative ACK, or a D-SACK of it, below)
      if (f & TCPCB_LOST) {
        f &= ~(TCPCB_LOST | TCPCB_SACKED_RETRANS);
        c.lostOut--;
        c.retransOut--;
      }
    } else {
      if (!(f & TCPCB_EVER_RETRANS)) {
        // a never-retransmitted segment in a hole below the highest SACK: reordering
        if (start < highestSackSeq(c, una) && start < sackState.reord) sackState.reord = start;
        if (end <= c.highSeq) c.origAcked = true; // FLAG_ORIG_SACK_ACKED
        if (sackState.firstSackt < 0) sackState.firstSackt = rb.sentAt[j]!;
        sackState.lastSackt = rb.sentAt[j]!;
      }
      if (f & TCPCB_LOST) {
        f &= ~TCPCB_LOST;
        c.lostOut--;
      }
    }
    f |= TCPCB_SACKED_ACKED;
    c.sackedOut++;
    newly = 1;
  }
  // a D-SACKed retransmission is no longer in flight
  if (dup && f & TCPCB_SACKED_RETRANS) {
    f &= ~TCPCB_SACKED_RETRANS;
    c.retransOut--;
  }
  rb.flags[j] = f;
  // tcp_sacktag_walk: tcp_rate_skb_delivered (a record SACKed before has given its sample: delivered_mstamp 0),
  // then tcp_advance_highest_sack
  if (newly !== 0) rateSkbDelivered(c, j);
  if (end > c.fackEnd) c.fackEnd = end;
  return newly;
}

/** include/net/tcp.h: tcp_highest_sack_seq with tp->snd_una = `una` — snd_una when nothing is SACKed. */
function highestSackSeq(c: TcpConn, una: number): number {
  return c.sackedOut > 0 ? Math.max(c.fackEnd, una) : una;
}

/** Whether record j lies wholly inside [l, r) (tcp_match_skb_to_sack for a one-segment skb). */
function inBlock(c: TcpConn, rb: Scoreboard, j: number, l: number, r: number): boolean {
  return rb.start[j]! >= l && skbEndSeq(c, j) <= r;
}

/** net/ipv4/tcp_input.c: tcp_sacktag_write_queue for the SACK blocks of t.rx — `priorUna` the snd_una before
 *  this ACK, `ackSeq` its ack_seq (relative), `una` tp->snd_una by now (ackSeq, or priorUna for an old ACK),
 *  `foundDup`: tcp_check_dsack took the first block for a D-SACK. The model's c.sndUna is still priorUna (its
 *  tcp_clean_rtx_queue moves it). Returns the records newly SACKed (sack_delivered less the D-SACKed duplicates). */
export function sacktagWriteQueue(t: TcpHost, sk: TcpSock, c: TcpConn, priorUna: number, ackSeq: number, una: number, foundDup: boolean): number {
  const rx = t.rx;
  const rb = c.rtx;
  sackState.reord = c.sndNxt;
  sackState.una = una;
  // tcp_highest_sack_reset: nothing SACKed, the highest SACK starts again from the head
  if (c.sackedOut === 0) c.fackEnd = c.sndUna;
  // too old an ACK (tcp_ack's own check, against min(max_window, bytes_acked), is stricter)
  if (ackSeq < priorUna - c.maxWindow) return 0;
  if (c.packetsOut === 0) return 0;
  const base = sk.iss + 1;
  const sndNxt = unwrap(base, sk.sndNxt, c.sndNxt);
  const n = Math.min(rx.sackN, TCP_NUM_SACKS);
  let used = 0;
  let firstIdx = 0;
  for (let i = 0; i < n; i++) {
    const dup = i === 0 && foundDup;
    const l = unwrap(base, rx.sackL[i]!, c.sndUna);
    const r = unwrap(base, rx.sackR[i]!, c.sndUna);
    if (!sackblockValid(c, dup, l, r, una, sndNxt)) {
      if (dup) t.nstat.add(c.undoMarker === NO_UNDO ? t.mib.DSACKIgnoredNoUndo : t.mib.DSACKIgnoredOld);
      else {
        // old blocks of a reordered ACK are not counted
        if (ackSeq !== una && r <= una) continue;
        t.nstat.add(t.mib.SACKDiscard);
      }
      if (i === 0) firstIdx = -1;
      continue;
    }
    // wholly below the prior snd_una: nothing to do
    if (r <= priorUna) {
      if (i === 0) firstIdx = -1;
      continue;
    }
    spL[used] = l;
    spR[used] = r;
    used++;
  }
  // sort by start_seq for one in-order walk, following where the first block goes
  for (let i = used - 1; i > 0; i--) {
    for (let j = 0; j < i; j++) {
      if (spL[j]! > spL[j + 1]!) {
        const l = spL[j]!;
        const r = spR[j]!;
        spL[j] = spL[j + 1]!;
        spR[j] = spR[j + 1]!;
        spL[j + 1] = l;
        spR[j + 1] = r;
        if (j === firstIdx) firstIdx = j + 1;
      }
    }
  }
  let newly = 0;
  // the walk's skb: the index of a record, rb.count for NULL
  let cur = rb.count;
  for (let i = 0; i < used; i++) {
    const l = spL[i]!;
    const r = spR[i]!;
    const dup = foundDup && i === firstIdx;
    // the D-SACK block right after this one is tagged as a duplicate during this walk (tcp_sacktag_walk's next_dup)
    const nd = foundDup && i + 1 === firstIdx ? i + 1 : -1;
    // tcp_sacktag_skip: the walk never goes back, unless it ran off the queue's end
    if (cur >= rb.count || rb.start[rb.at(cur)]! <= l) cur = bsearch(c, l);
    for (; cur < rb.count; cur++) {
      const j = rb.at(cur);
      if (rb.start[j]! >= r) break;
      if (nd >= 0 && rb.start[j]! < spR[nd]! && inBlock(c, rb, j, spL[nd]!, spR[nd]!)) newly += sacktagOne(t, c, j, true);
      else if (inBlock(c, rb, j, l, r)) newly += sacktagOne(t, c, j, dup);
    }
  }
  if (c.caState !== TCP_CA_Loss || c.undoMarker !== NO_UNDO) checkSackReordering(t, c, sackState.reord, highestSackSeq(c, una), false);
  return newly;
}
