// SYN-ACK retransmission and request expiry: net/ipv4/inet_connection_sock.c:
// reqsk_timer_handler (with syn_ack_recalc, no TCP_DEFER_ACCEPT); the retransmission is rtx-synack.ts.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { reqskQueueDrop, reqskTimeout } from "./check-req.js";
import { rtxSynAck } from "./rtx-synack.js";

export function reqskTimer(t: TcpHost, req: TcpSock): void {
  const l = req.listener!;
  let max = t.synackRetries;
  // Young pruning: when the queue is more than half full, old reqs get fewer
  // retries so that half the room stays for young ones.
  const qlen = l.qlen;
  if (qlen << 1 > Math.max(8, l.backlog)) {
    let young = l.young << 1;
    while (max > 2) {
      if (qlen < young) break;
      max--;
      young <<= 1;
    }
  }
  // syn_ack_recalc without TCP_DEFER_ACCEPT: expire once num_timeout reaches the retries; always resend
  const expire = req.numTimeout >= max;
  // tcp_syn_ack_timeout
  t.nstat.add(t.mib.Timeouts);
  // the request lives on only if its SYN-ACK went again (inet_rtx_syn_ack returned 0; resent even when
  // req->acked) or the handshake's ACK came while the accept queue was full (req->acked)
  if (!expire && (rtxSynAck(t, req) || req.acked)) {
    if (req.numTimeout++ === 0) l.young--;
    // mod_timer(&req->rsk_timer, jiffies + timeo) from the timer's own callback
    t.armTimerList(req, reqskTimeout(req), t.kReqTimer);
    return;
  }
  // __inet_csk_reqsk_queue_drop: expired, or a failed retransmission of a request not acked; gone without
  // a RST
  reqskQueueDrop(t, req);
}
