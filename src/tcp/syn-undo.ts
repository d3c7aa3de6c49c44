// A lossy handshake's mark on the new connection (net/ipv4/tcp_input.c: tcp_init_transfer cuts cwnd to 1 when
// total_retrans > 1 && undo_marker): which SYN or SYN-ACK retransmissions count, and
// tcp_try_undo_spurious_syn, which forgets a timeout the peer's timestamp echo shows to be spurious.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";

/** net/ipv4/tcp_input.c: tcp_try_undo_spurious_syn — the SYN or SYN-ACK timeout was spurious if the
 *  timestamp echo (less tsoffset; tcp_fast_parse_options / tcp_parse_options) is the first one's stamp
 *  (`retransStamp`, tp->retrans_stamp in ms; 0 = none): undo_marker = 0. */
function undoSpuriousSyn(t: TcpHost, sk: TcpSock, retransStamp: number, sawTs: boolean): void {
  const rx = t.rx;
  if (sk.undoMarker === 0 || retransStamp === 0 || !sawTs) return;
  const tsecr = rx.tsEcr === 0 ? 0 : (rx.tsEcr - sk.tsOff) >>> 0;
  if (tsecr === retransStamp) sk.undoMarker = 0;
}

/** A child completing the handshake (its request `req`, same object): net/ipv4/tcp_minisocks.c:
 *  tcp_create_openreq_child — total_retrans = num_retrans (every SYN-ACK resent: the request timer's and a
 *  retransmitted SYN's); once the request timer fired (num_timeout) undo_marker = snt_isn and retrans_stamp =
 *  snt_synack in ms (no usec timestamps); then tcp_rcv_state_process (TCP_SYN_RECV) runs
 *  tcp_try_undo_spurious_syn with the ACK's timestamp (the child's tstamp_ok). */
export function childSynUndo(t: TcpHost, req: TcpSock): void {
  req.totalRetrans = req.numRetrans;
  if (req.numTimeout === 0) return;
  req.undoMarker = req.iss >>> 0;
  undoSpuriousSyn(t, req, Math.floor(req.sntSynAck / 1e6) >>> 0, req.tsOk && t.rx.ts);
}

/** A client's SYN retransmission (net/ipv4/tcp_timer.c: tcp_retransmit_timer): tcp_enter_loss on the first
 *  timeout (icsk_ca_state Open: tcp_init_undo, undo_marker = snd_una = iss; later ones keep it) and
 *  __tcp_retransmit_skb's total_retrans, counted before the SYN is sent. */
export function clientSynRetransmit(sk: TcpSock): void {
  if (sk.retransmits === 0) sk.undoMarker = sk.sndUna >>> 0;
  sk.totalRetrans++;
}

/** A SYN-ACK accepted in SYN_SENT (net/ipv4/tcp_input.c: tcp_rcv_synsent_state_process):
 *  tcp_try_undo_spurious_syn before tcp_ack, retrans_stamp = the first SYN's tcp_time_stamp_ts (tcp_connect),
 *  saw_tstamp from tcp_parse_options with the sysctl (estab 0). */
export function clientSynAckUndo(t: TcpHost, sk: TcpSock): void {
  undoSpuriousSyn(t, sk, Math.floor(sk.connectAt / 1e6) >>> 0, t.timestamps !== 0 && t.rx.ts);
}
