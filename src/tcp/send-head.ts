// tcp_send_head (include/net/tcp.h: skb_peek of sk_write_queue, the sent skbs having moved to the
// retransmit queue): the first skb not yet sent. What is unsent is [snd_nxt, write_seq) in the write
// queue's skbs (c.wq, skb-ends.ts), and the FIN skb of its own (fin.ts) while it waits at write_seq. snd_nxt never
// passes write_seq (its only writers, tcp_write_xmit and tcp_write_wakeup in data-out.ts, stop at it, and
// the FIN skb's sequence number is not counted in c.sndNxt), so "no send head" is also
// write_seq <= snd_nxt with no FIN skb queued.
import type { TcpConn } from "./conn.js";
import { FIN_ALONE_QUEUED } from "./fin.js";

/** tcp_send_head(sk) != NULL */
export function sendHead(c: TcpConn): boolean {
  return c.writeSeq > c.sndNxt || (c.finAlone === FIN_ALONE_QUEUED && c.writeSeq === c.sndNxt);
}

/** TCP_SKB_CB(tcp_send_head(sk))->end_seq, for a head that exists: the write queue's first skb (sendmsg
 *  filled it up to size_goal, skb-ends.ts); the FIN's sequence number counts when it rides on the head or
 *  is the head. */
export function sendHeadEnd(c: TcpConn): number {
  const end = c.wq.count > 0 ? c.wq.first() : c.writeSeq;
  return end === c.writeSeq && c.finQueued ? end + 1 : end;
}
