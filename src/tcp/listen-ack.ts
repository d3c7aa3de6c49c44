// An ACK (no SYN) at a listener with no matching socket: the SYN cookie check
// (net/ipv4/syncookies.c: cookie_v4_check via tcp_v4_cookie_check), else the
// listener answers with a RST (tcp_rcv_state_process, TCP_LISTEN: th->ack).
import type { TcpHost } from "./tcp-host.js";
import type { ListenSock } from "./sock.js";
import { JIFFY, TCP_SYNCOOKIE_VALID } from "./constants.js";
import { cookieCheckSet, cookieDecodeOptions, mssIndex, type CookieOptions } from "./cookie.js";
import { childEstablished, childProcess, synRecvSockRoom } from "./check-req.js";
import { TCPHDR_RST } from "../wire/tcp.js";
import { ktimeGetSeconds } from "./paws.js";
import { firstTxhash } from "./txhash.js";
import { tsoptSynAckRttNs } from "./synack-rtt.js";

const opts: CookieOptions = { ok: false, tsOk: false, sackOk: false, sndWscale: -1 };

/** tcp_synq_no_recent_overflow: no overflow within [-1 s, +TCP_SYNCOOKIE_VALID]. */
export function synqNoRecentOverflow(l: ListenSock, now: number): boolean {
  return !(now >= l.lastOverflow - 1000 * JIFFY && now <= l.lastOverflow + TCP_SYNCOOKIE_VALID);
}

export function tcpListenAck(t: TcpHost, l: ListenSock, h: number): void {
  const rx = t.rx;
  if (rx.flags & TCPHDR_RST) {
    t.dropSkb(h, "TCP_RESET");
    return;
  }
  const now = t.now;
  if (t.syncookies === 0 || synqNoRecentOverflow(l, now)) {
    t.sendReset();
    t.dropSkb(h, "TCP_FLAGS");
    return;
  }
  t.cookies.tupleOf(rx, t.addrKey);
  const mss = cookieCheckSet(t.cookies, (rx.ack - 1) >>> 0, (rx.seq - 1) >>> 0, now, rx.v6); // __cookie_v6_check: msstab6
  if (mss === 0) {
    t.nstat.add(t.mib.SyncookiesFailed);
    t.sendReset();
    t.dropSkb(h, "TCP_FLAGS");
    return;
  }
  t.nstat.add(t.mib.SyncookiesRecv);
  const sawTs = rx.ts && t.timestamps !== 0;
  const tsOff = sawTs ? t.tsOffset(rx.saddrKey) : 0;
  const tsecr = sawTs && rx.tsEcr !== 0 ? (rx.tsEcr - tsOff) >>> 0 : rx.tsEcr;
  cookieDecodeOptions(opts, sawTs, tsecr, t.timestamps, t.sack, t.windowScaling);
  if (!opts.ok) {
    t.sendReset();
    t.dropSkb(h, "TCP_FLAGS");
    return;
  }
  if (!synRecvSockRoom(t, l)) {
    // net/ipv4/syncookies.c: cookie_v4_check — tcp_get_cookie_sock made no child: out_drop with NO_SOCKET
    t.dropSkb(h, "NO_SOCKET");
    return;
  }
  const child = t.newSock();
  child.v6 = rx.v6;
  child.lport = rx.dport;
  child.rport = rx.sport;
  child.raddr = t.headers.slice(rx.saddrOff, rx.saddrOff + (rx.v6 ? 16 : 4));
  child.rkey = rx.saddrKey;
  child.irs = (rx.seq - 1) >>> 0;
  child.rcvNxt = rx.seq;
  child.iss = (rx.ack - 1) >>> 0;
  child.sndNxt = rx.ack;
  child.sndUna = rx.ack;
  child.mss = mss;
  child.tsOk = opts.tsOk;
  child.tsOff = tsOff;
  // cookie_tcp_reqsk_init's ts_recent; tcp_create_openreq_child stamps it (ts_recent_stamp) when tstamp_ok
  child.tsRecent = sawTs ? rx.tsVal : 0;
  child.tsRecentStamp = opts.tsOk ? ktimeGetSeconds(t) : 0;
  child.sackOk = opts.sackOk;
  child.sndWscale = opts.sndWscale;
  // net/ipv4/syncookies.c: cookie_v4_check — tcp_select_initial_window again over the listener's
  // tcp_full_space, with req->mss (the cookie's msstab MSS, timestamps or not)
  const lw = l.win ?? t.listenWin;
  const win = rx.v6 ? lw.cookie6[mssIndex(mss, true)]! : lw.cookie[mssIndex(mss)]!;
  child.rcvWscale = opts.sndWscale >= 0 ? win.wscale : 0;
  child.rcvWnd = win.window;
  // net/ipv4/syncookies.c: cookie_tcp_reqsk_init — treq->txhash = net_tx_rndhash(), which the child takes
  // (tcp_create_openreq_child: sk_txhash), so its ACKs and FIN before any data carry it too
  child.txhash = firstTxhash(child);
  t.hash(child);
  // a cookie child has no request to time (tcp_check_req is not on its path): tcp_rcv_state_process's
  // TCP_SYN_RECV takes the sample from the ACK's TSecr, the cookie's TSval (synack-rtt.ts)
  child.synRttNs = tsoptSynAckRttNs(t, child);
  childEstablished(t, l, child);
  // net/ipv4/tcp_ipv4.c: tcp_v4_do_rcv — nsk != sk (tcp_get_cookie_sock's child): tcp_child_process
  childProcess(t, child, h);
}
