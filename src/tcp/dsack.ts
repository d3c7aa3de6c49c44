// D-SACK (RFC 2883) as 6.12 does it: the receiver reports a duplicate
// segment as the first SACK block of its next ACK (tcp_dsack_set), and the
// sender recognises such a block (tcp_check_dsack: below the cumulative ACK,
// or inside the second block) and counts the duplicates it was told about
// (tcp_dsack_seen); duplicates of retransmissions feed the undo (undo.ts).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import { unwrap } from "./data-out.js";
import { dsackUndoCount } from "./undo.js";

/** net/ipv4/tcp_input.c: tcp_dsack_set — [seq, end) (relative) arrived twice. */
export function dsackSet(t: TcpHost, sk: TcpSock, c: TcpConn, seq: number, end: number): void {
  if (!sk.sackOk || !t.dsack) return;
  t.nstat.add(seq < c.rcvNxtFin() ? t.mib.DSACKOldSent : t.mib.DSACKOfoSent);
  c.dsackPending = true;
  c.dsackStart = seq;
  c.dsackEnd = end;
}

/** net/ipv4/tcp_input.c: tcp_dsack_extend — a new block when none is pending, else tcp_sack_extend grows the
 *  pending one over [seq, end) when the two touch or overlap (a disjoint range is left out). */
export function dsackExtend(t: TcpHost, sk: TcpSock, c: TcpConn, seq: number, end: number): void {
  if (!c.dsackPending) {
    dsackSet(t, sk, c, seq, end);
    return;
  }
  if (seq > c.dsackEnd || c.dsackStart > end) return;
  if (seq < c.dsackStart) c.dsackStart = seq;
  if (end > c.dsackEnd) c.dsackEnd = end;
}

/** net/ipv4/tcp_input.c: tcp_check_dsack with tcp_dsack_seen, for the SACK blocks of t.rx; `ack` relative,
 *  the ACK's own value (ack_seq: one past our FIN's sequence number once it ACKs the FIN). Returns the
 *  duplicates counted (a spurious retransmission is delivered: sack_delivered), 0 if none. */
export function checkDsack(t: TcpHost, sk: TcpSock, c: TcpConn, ack: number): number {
  const rx = t.rx;
  const base = sk.iss + 1;
  const start0 = unwrap(base, rx.sackL[0]!, c.sndUna);
  const end0 = unwrap(base, rx.sackR[0]!, c.sndUna);
  if (start0 < ack) t.nstat.add(t.mib.DSACKRecv);
  else if (rx.sackN > 1) {
    const start1 = unwrap(base, rx.sackL[1]!, c.sndUna);
    const end1 = unwrap(base, rx.sackR[1]!, c.sndUna);
    if (end0 > end1 || start0 < start1) return 0;
    t.nstat.add(t.mib.DSACKOfoRecv);
  } else return 0;
  // tcp_dsack_seen: a range beyond the largest window, or more duplicates than were ever retransmitted, is dubious
  let dup = 0;
  if (start0 < end0) {
    const len = end0 - start0;
    if (len <= c.maxWindow) {
      dup = len > c.mss ? Math.ceil(len / c.mss) : 1;
      // FLAG_DSACK_TLP: one segment ending at tlp_high_seq is the loss probe's duplicate
      if (len <= c.mss && c.tlpHighSeq !== 0 && c.tlpHighSeq === end0) c.dsackTlp = true;
      c.dsackDups += dup;
      if (c.dsackDups > c.retransTotal) dup = 0;
      // RACK widens its reordering window for D-SACKs once reordering was seen (not for a probe's)
      else if (c.reordSeen > 0 && !c.dsackTlp) c.rackDsackSeen = true;
    }
  }
  if (dup === 0) {
    t.nstat.add(t.mib.DSACKIgnoredDubious);
    return 0;
  }
  t.nstat.add(t.mib.DSACKRecvSegs, dup);
  // D-SACKed retransmissions of this recovery episode (c.sndUna is still the prior snd_una here)
  dsackUndoCount(c, end0, c.sndUna, dup);
  return dup;
}
