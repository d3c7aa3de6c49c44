// A SYN-ACK retransmission (inet_rtx_syn_ack -> tcp_rtx_synack), from the request timer (req-timer.ts)
// and for a retransmitted SYN (tcp_check_req: check-req.ts).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { rethinkTxhash } from "./txhash.js";

/** net/ipv4/tcp_output.c: tcp_rtx_synack from inet_rtx_syn_ack — while the listener's sk_txrehash is on, the
 *  request picks a new txhash (no counter of its own; the child inherits it: tcp_create_openreq_child), so the
 *  SYN-ACK may leave by another TX queue; then the SYN-ACK again, and only if it went (send_synack returned 0)
 *  RetransSegs, TCPSynRetrans and num_retrans. Whether it went (inet_rtx_syn_ack's 0). */
export function rtxSynAck(t: TcpHost, req: TcpSock): boolean {
  if (t.txrehash) req.txhash = rethinkTxhash(req.txhash, req.numRetrans);
  if (!t.sendSynAck(req)) return false;
  t.nstat.add(t.mib.RetransSegs);
  t.nstat.add(t.mib.SynRetrans);
  req.numRetrans++;
  return true;
}
