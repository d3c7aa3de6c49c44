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
  const expire = req.numTimeout >= max;
  // tcp_syn_ack_timeout
  t.nstat.add(t.mib.Timeouts);
  if (!expire) {
    // inet_rtx_syn_ack (resent even when req->acked)
    rtxSynAck(t, req);
    if (req.numTimeout++ === 0) l.young--;
    t.arm(req, t.now + reqskTimeout(req), t.kReqTimer);
    return;
  }
  // inet_csk_reqsk_queue_drop_and_put: gone without a RST
  reqskQueueDrop(t, req);
}
