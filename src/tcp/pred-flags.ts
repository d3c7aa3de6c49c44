// Header prediction's switch (tp->pred_flags): when tcp_rcv_established may take its fast path. The model
// keeps the predicted flag word as the one field that varies, the window: pred_flags is
// (tcp_header_len << 26) | ACK | window, so a segment is predicted when its header length is the socket's
// tcp_header_len, its flags are ACK alone (PSH ignored) and its window field is c.predWnd (-1: prediction off).
import type { TcpConn } from "./conn.js";
import type { TcpSock } from "./sock.js";
import { ofoEmpty } from "./sack-blocks.js";
import { pow2 } from "../util/pow2.js";

/** include/net/tcp.h: tcp_fast_path_on — predict the window field that gives snd_wnd (snd_wnd >> snd_wscale). */
export function fastPathOn(sk: TcpSock, c: TcpConn): void {
  c.predWnd = Math.floor(c.sndWnd / pow2(sk.sndWscale > 0 ? sk.sndWscale : 0));
}

/** include/net/tcp.h: tcp_fast_path_check — back on when nothing is queued out of order (a FIN past a hole is
 *  there too), the receive window is open and sk_rmem_alloc is below sk_rcvbuf (no urgent data in the model). */
export function fastPathCheck(sk: TcpSock, c: TcpConn): void {
  if (ofoEmpty(c) && c.rcvWnd !== 0 && c.rmemAlloc < c.rcvbuf) fastPathOn(sk, c);
}

/** The prediction at tcp_init_transfer: net/ipv4/tcp_input.c: tcp_rcv_state_process (SYN_RECV -> ESTABLISHED)
 *  turns it on (tcp_fast_path_on); tcp_finish_connect only without window scaling (__tcp_fast_path_on with
 *  the SYN-ACK's unscaled window), else pred_flags = 0 until the first window change or in-order data. */
export function fastPathInit(sk: TcpSock, c: TcpConn): void {
  if (sk.listener !== null) fastPathOn(sk, c);
  else c.predWnd = sk.sndWscale <= 0 ? c.sndWnd : -1;
}
