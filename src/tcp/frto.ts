// F-RTO (RFC 5682 section 3.1, the SACK-enhanced version) as 6.12 runs it
// (net/ipv4/tcp_input.c: tcp_enter_loss, tcp_process_loss, tcp_xmit_recovery,
// with net.ipv4.tcp_frto, default 2; any non-zero value turns it on). After an
// RTO the head is retransmitted as usual; if the next ACK advances snd_una
// without reaching high_seq, new data goes out instead of more
// retransmissions (step 2.b). If an ACK or SACK then covers data that was
// never retransmitted, the timeout was spurious: the cwnd reduction is undone
// (tcp_try_undo_loss with frto_undo: TCPLossUndo + TCPSpuriousRTOs, back to
// Open). A duplicate ACK or new SACK after the new data shows the loss was
// real (step 3.a): conventional loss recovery goes on.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import { TCP_NAGLE_OFF, pushPendingFrames, xmitRetransmitQueue } from "./data-out.js";

/** frtoStep's verdict: go on with conventional loss recovery. */
export const FRTO_GO_ON = 0;
/** frtoStep's verdict: the RTO was spurious, undo (tcp_try_undo_loss(sk, true)). */
export const FRTO_UNDO = 1;
/** frtoStep's verdict: REXMIT_NEW, send new data before any retransmission (tcp_xmit_recovery). */
export const FRTO_NEW = 2;

/** tcp_enter_loss: F-RTO for this Loss episode when a new recovery starts or the RTO recurs on the same snd_una
 *  (`newRecovery`: the state was below Recovery; `retransmits`: icsk_retransmits). */
export function frtoEnterLoss(t: TcpHost, c: TcpConn, newRecovery: boolean, retransmits: number): void {
  c.frto = t.frto !== 0 && (newRecovery || retransmits > 0);
}

/** tcp_process_loss's F-RTO part (c.frto set). `origAcked` = FLAG_ORIG_SACK_ACKED, `dataSacked` =
 *  FLAG_DATA_SACKED, `dupack` = num_dupack > 0, `recovered` = snd_una reached high_seq. */
export function frtoStep(c: TcpConn, advanced: boolean, origAcked: boolean, dataSacked: boolean, dupack: boolean, recovered: boolean): number {
  // step 3.b: never-retransmitted data was (s)acked, so not everything was lost
  if (origAcked) return FRTO_UNDO;
  if (c.sndNxt > c.highSeq) {
    // step 3.a: new data went out and the receiver still reports a hole: the loss was real
    if (dataSacked || dupack) c.frto = false;
  } else if (advanced && !recovered) {
    c.highSeq = c.sndNxt;
    // step 2.b: new data if any is queued and the peer's window has room, else conventional recovery
    if (c.writeSeq > c.sndNxt && c.sndUna + c.sndWnd > c.sndNxt) return FRTO_NEW;
    c.frto = false;
  }
  return FRTO_GO_ON;
}

/** net/ipv4/tcp_input.c: tcp_xmit_recovery with REXMIT_NEW — new data first; retransmissions only when none
 *  could go out (F-RTO then falls back to conventional recovery). */
export function frtoXmitNew(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  c.frtoNew = false;
  // net/ipv4/tcp_input.c: tcp_xmit_recovery — __tcp_push_pending_frames(sk, tcp_current_mss(sk), TCP_NAGLE_OFF):
  // Minshall's check (tcp_nagle_check) holds no sub-MSS tail of the new data
  pushPendingFrames(t, sk, c, TCP_NAGLE_OFF);
  if (c.sndNxt > c.highSeq) return;
  c.frto = false;
  xmitRetransmitQueue(t, sk, c);
}
