// Undo of a spurious cwnd reduction, as 6.12 does it (net/ipv4/tcp_input.c,
// "Undo procedures"): entering Recovery or Loss remembers snd_una
// (undo_marker) and the retransmissions still out (undo_retrans); every
// retransmission adds one and stamps the first (retrans_stamp). The
// reduction is undone when D-SACKs report every retransmission as a
// duplicate (undo_retrans back to 0), or when an ACK's timestamp echo is
// older than the first retransmission (the original arrived: the packet was
// delayed, not lost). Counters: TCPFullUndo, TCPPartialUndo, TCPDSACKUndo,
// TCPLossUndo; F-RTO's undo also counts TCPSpuriousRTOs (frto.ts).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { TCPCB_EVER_RETRANS, TCPCB_LOST, type TcpConn } from "./conn.js";
import { TCP_CA_CWR, TCP_CA_Recovery } from "./cc.js";

/** undo_marker when no undo is possible (the kernel's 0). */
export const NO_UNDO = -1;
/** retrans_stamp when nothing was retransmitted (the kernel's 0: its ms clock, unlike the model's, never reads 0). */
export const NO_STAMP = -1;
/** include/net/tcp.h: TCP_INFINITE_SSTHRESH */
export const TCP_INFINITE_SSTHRESH = 0x7fffffff;

/** include/net/tcp.h: tcp_in_cwnd_reduction */
export function inCwndReduction(c: TcpConn): boolean {
  return c.caState === TCP_CA_CWR || c.caState === TCP_CA_Recovery;
}

/** include/net/tcp.h: tcp_current_ssthresh */
export function currentSsthresh(c: TcpConn): number {
  if (inCwndReduction(c)) return c.ssthresh;
  return Math.max(c.ssthresh, (c.cwnd >> 1) + (c.cwnd >> 2));
}

/** net/ipv4/tcp_input.c: tcp_init_undo — the retransmissions still in flight may bring D-SACKs: retrans_out, and
 *  a loss probe's retransmission (tlp_high_seq with tlp_retrans: __tcp_retransmit_skb left it out of
 *  retrans_out); undo_retrans never starts at 0 ("can undo now"). */
export function initUndo(c: TcpConn): void {
  c.undoMarker = c.sndUna;
  c.undoRetrans = c.retransOut;
  if (c.tlpHighSeq !== 0 && c.tlpRetrans) c.undoRetrans++;
  if (c.undoRetrans === 0) c.undoRetrans = -1;
}

/** net/ipv4/tcp_output.c: tcp_retransmit_skb — stamp the first retransmission, count it for undo. */
export function retransmitted(c: TcpConn, sentAtNs: number): void {
  // tcp_skb_timestamp_ts: the skb's last send time (now for a retransmission that went; an earlier one for an
  // attempt refused while the segment is still in the host)
  if (c.retransStamp === NO_STAMP) c.retransStamp = Math.floor(sentAtNs / 1e6);
  if (c.undoRetrans < 0) c.undoRetrans = 0;
  c.undoRetrans++;
}

/** tcp_check_dsack's tail: D-SACKed duplicates of this episode's retransmissions (end within (undo_marker, prior snd_una]). */
export function dsackUndoCount(c: TcpConn, end0: number, priorUna: number, dupSegs: number): void {
  if (c.undoMarker !== NO_UNDO && c.undoRetrans > 0 && end0 <= priorUna && end0 > c.undoMarker) {
    c.undoRetrans = Math.max(0, c.undoRetrans - dupSegs);
  }
}

/** net/ipv4/tcp_input.c: tcp_tsopt_ecr_before — the ACK echoes a timestamp older than `when` (ms). */
export function tsecrBefore(t: TcpHost, sk: TcpSock, when: number): boolean {
  const rx = t.rx;
  return rx.ts && rx.tsEcr !== 0 && ((rx.tsEcr - sk.tsOff - when) | 0) < 0;
}

/** net/ipv4/tcp_input.c: tcp_packet_delayed */
export function packetDelayed(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  if (c.retransStamp !== NO_STAMP) return tsecrBefore(t, sk, c.retransStamp);
  // no retransmission stamped yet: only Reno clears it at high_seq
  if (!sk.sackOk && c.sndUna >= c.highSeq) return false;
  return true;
}

/** net/ipv4/tcp_input.c: tcp_may_undo */
export function mayUndo(t: TcpHost, sk: TcpSock, c: TcpConn): boolean {
  return c.undoMarker !== NO_UNDO && (c.undoRetrans === 0 || packetDelayed(t, sk, c));
}

/** net/ipv4/tcp_input.c: tcp_any_retrans_done */
export function anyRetransDone(c: TcpConn): boolean {
  if (c.retransOut > 0) return true;
  const rb = c.rtx;
  return rb.count > 0 && (rb.flags[rb.at(0)]! & TCPCB_EVER_RETRANS) !== 0;
}

/** net/ipv4/tcp_input.c: tcp_undo_cwnd_reduction — cwnd from the congestion control's undo_cwnd, ssthresh restored. */
export function undoCwndReduction(t: TcpHost, c: TcpConn, unmarkLoss: boolean): void {
  if (unmarkLoss) {
    const rb = c.rtx;
    for (let i = 0; i < rb.count; i++) {
      const j = rb.at(i);
      rb.flags[j] = rb.flags[j]! & ~TCPCB_LOST;
    }
    c.lostOut = 0;
  }
  if (c.priorSsthresh !== 0) {
    c.cwnd = c.cc.undoCwnd !== undefined ? c.cc.undoCwnd(c) : Math.max(c.cwnd, c.priorCwnd);
    if (c.priorSsthresh > c.ssthresh) c.ssthresh = c.priorSsthresh;
  }
  c.sndCwndStamp = t.nowMs();
  c.undoMarker = NO_UNDO;
  c.rackAdvanced = true; // force RACK to re-examine losses
}
