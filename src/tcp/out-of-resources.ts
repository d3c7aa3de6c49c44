// What an orphan's RTO or probe timer does when TCP is short of resources (net/ipv4/tcp_timer.c:
// tcp_out_of_resources, 6.12): too many orphaned sockets (net.ipv4.tcp_max_orphans) or, for a socket
// still holding more than SOCK_MIN_SNDBUF of write queue, tcp_memory_allocated above tcp_mem[2]. The
// socket is then reset (when it sent recently or the peer's window is shut) and closed at once:
// TCPAbortOnMemory. Only sockets the application has closed (SOCK_DEAD) are asked.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import { SOCK_MIN_SNDBUF, TCP_SKB_OVERHEAD } from "./buffers.js";
import { TCP_RTO_MAX, TCP_TIMEWAIT_LEN } from "./constants.js";
import { XMIT_OK, transmit, unwrap } from "./data-out.js";
import { tcpDone } from "./established.js";
import { TCPHDR_ACK, TCPHDR_RST } from "../wire/tcp.js";


/** net/ipv4/tcp_timer.c: tcp_out_of_resources — true: the socket was aborted (the caller must stop). */
export function outOfResources(t: TcpHost, sk: TcpSock, c: TcpConn, doReset: boolean): boolean {
  // (s32)(tcp_jiffies32 - lsndtime) against TCP_RTO_MAX and TCP_TIMEWAIT_LEN, all jiffies at the host's HZ
  const sinceSent = t.jiffies() - c.lsndtime;
  // a peer that kept the window shut or heard nothing from us for long is penalized (sk_err_soft, the
  // second penalty, needs ICMP: none here)
  const shift = sinceSent > 2 * t.toJiffies(TCP_RTO_MAX) || !doReset ? 1 : 0;
  if (!checkOom(t, c, shift)) return false;
  // the exceptions that still get a reset: sent recently, or the window is closed with nothing out
  if (sinceSent <= t.toJiffies(TCP_TIMEWAIT_LEN) || (c.sndWnd === 0 && c.packetsOut === 0)) doReset = true;
  if (doReset) sendActiveReset(t, sk, c);
  tcpDone(t, sk);
  t.nstat.add(t.mib.AbortOnMemory);
  // (check_net: the namespace never goes away here)
  return true;
}

/** net/ipv4/tcp.c: tcp_check_oom — tcp_too_many_orphans(shift) or tcp_out_of_memory. tcp_orphan_cache (the
 *  per-CPU orphan counts summed every 100 ms by tcp_orphan_update) is read as the count now. */
function checkOom(t: TcpHost, c: TcpConn, shift: number): boolean {
  if (t.orphanCount() * 2 ** shift > t.maxOrphans) return true;
  return c.wmemQueued(TCP_SKB_OVERHEAD) > SOCK_MIN_SNDBUF && t.mem.memoryAllocated > t.mem.limits[2]!;
}

/** net/ipv4/tcp_output.c: tcp_send_active_reset — an RST|ACK at tcp_acceptable_seq (TcpOutRsts; an skb that
 *  cannot be had: TCPAbortFailed). */
export function sendActiveReset(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  t.nstat.add(t.mib.OutRsts);
  // tcp_acceptable_seq: snd_nxt unless it is past the window's end by a scaled unit or more. snd_nxt
  // counts the FIN's sequence number once the FIN has gone (tcp_send_fin -> tcp_write_xmit), c.sndNxt not
  const sndNxt = unwrap(sk.iss + 1, sk.sndNxt, c.sndNxt);
  const wndEnd = c.sndUna + c.sndWnd;
  const scaled = sk.sndWscale >= 0 && sndNxt - wndEnd < 2 ** sk.rcvWscale;
  const seq = wndEnd >= sndNxt || scaled ? sndNxt : wndEnd;
  // tcp_send_active_reset: no skb, or tcp_transmit_skb failed (a qdisc drop too): TCPAbortFailed
  if (transmit(t, sk, c, seq, seq, TCPHDR_ACK | TCPHDR_RST, 0) !== XMIT_OK) t.nstat.add(t.mib.AbortFailed);
}
