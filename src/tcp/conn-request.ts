// A SYN at a listener: net/ipv4/tcp_input.c: tcp_conn_request (via
// tcp_v4_conn_request), in Linux's order of checks. Counters per refused SYN:
// queue full without cookies = TCPReqQFullDrop + ListenDrops; accept queue
// full = ListenOverflows + ListenDrops; the 3/4 rule = ListenDrops. A refused
// SYN is not a drop: tcp_rcv_state_process (TCP_LISTEN) consumes every SYN
// after conn_request (consume_skb), so the ledger counts it delivered.
import type { TcpHost } from "./tcp-host.js";
import type { ListenSock } from "./sock.js";
import { TCP_MSS_DEFAULT, TCP_V6_MSS_DEFAULT, TCP_NEW_SYN_RECV, TCP_TIMEOUT_INIT } from "./constants.js";
import { cookieSeq, cookieTime, cookieTimestamp, mssIndex } from "./cookie.js";
import { TCPHDR_ACK, TCPHDR_SYN } from "../wire/tcp.js";
import { HASH_L4 } from "../core/skb-fields.js";
import { firstTxhash, txhashOf32 } from "./txhash.js";
import { COOKIE_ROW_TS_OFF } from "./cookie-burst.js";

/** assembly/cookie.ts, called straight (no wrapper). */
interface CookieHot {
  cookie_synack4(slot: number, h: number, key: number, laddr: number, raddr: number, lport: number, rport: number, sseq: number, mssind: number, count: number, win: number, tsval: number, tsecr: number): number;
}

/** `twIsn`: TCP_SKB_CB(skb)->tcp_tw_isn, non-zero for a SYN that matched a TIME_WAIT sock (timewait.ts): no
 *  SYN-queue limit, no cookie, no 3/4 rule (a full accept queue still drops it), and that ISN. */
export function tcpConnRequest(t: TcpHost, l: ListenSock, h: number, twIsn = 0): void {
  const rx = t.rx;
  const m = t.mib;
  const now = t.now;
  let wantCookie = false;
  if (twIsn === 0 && (t.syncookies === 2 || l.reqskQueueIsFull())) {
    wantCookie = t.synFloodAction(l);
    if (!wantCookie) {
      t.listenDrop();
      t.deliverSkb(h);
      return;
    }
  }
  if (l.acceptqIsFull()) {
    t.nstat.add(m.ListenOverflows);
    t.listenDrop();
    t.deliverSkb(h);
    return;
  }
  // tcp_parse_options (not established): each option only if its sysctl allows it
  // (without an MSS option: the family's af_ops->mss_clamp, 536 or tcp_ipv6.c's 1220)
  const mss = rx.mss > 0 ? rx.mss : rx.v6 ? TCP_V6_MSS_DEFAULT : TCP_MSS_DEFAULT;
  let tsOk = rx.ts && t.timestamps !== 0;
  let sackOk = rx.sackPerm && t.sack !== 0;
  let sndWscale = rx.wscale >= 0 && t.windowScaling !== 0 ? rx.wscale : -1;
  if (wantCookie && !tsOk) {
    // tcp_clear_options: a cookie without timestamps cannot carry options
    sackOk = false;
    sndWscale = -1;
    tsOk = false;
  }
  // net/ipv4/tcp_minisocks.c: tcp_openreq_init_rwin — from the listener's sk_rcvbuf (precomputed)
  const lw = l.win ?? t.listenWin;
  const win = tsOk ? lw.ts : lw.noTs;
  if (wantCookie) {
    // include/net/tcp.h: cookie_init_sequence -> tcp_synq_overflow, SyncookiesSent
    l.synqOverflow(now);
    t.nstat.add(m.SyncookiesSent);
    // net/ipv6/syncookies.c: __cookie_v6_init_sequence has its own msstab
    const mssind = mssIndex(mss, rx.v6);
    // tcp_make_synack: the SYN-ACK's window is not scaled (min(rcv_wnd, 65535)); cookie_init_timestamp
    // encodes the options in the low bits of TSval, to which the request's ts_off is added (int32: no
    // heap number at the WASM call)
    const window = win.window > 65535 ? 65535 : win.window;
    const tsStamp = tsOk ? cookieTimestamp(t.nowMs(), sndWscale, sackOk, false) | 0 : 0;
    const slot = rx.v6 ? -1 : t.cookieSynAckSlot(tsOk, sackOk, sndWscale >= 0 ? win.wscale : -1);
    if (slot >= 0) {
      // tcp_v4_send_synack: the cookie and the SYN-ACK's headers in one WASM call (assembly/cookie.ts)
      const out = t.env.alloc();
      if (out >= 0 && t.rxBatch) {
        // in a NAPI poll: stamped and sent with the poll's others, the txhash and the timestamp offset
        // worked out there (src/tcp/cookie-burst.ts)
        t.cookieBurst.add(slot, out, rx.saddrKey | 0, rx.dport, rx.sport, rx.seq | 0, mssind, cookieTime(now) | 0, window, tsStamp, tsOk ? rx.tsVal | 0 : 0, tsOk ? COOKIE_ROW_TS_OFF : 0);
      } else if (out >= 0) {
        // tcp_conn_request: tcp_rsk(req)->txhash = net_tx_rndhash() for every request, cookie or not, so a
        // cookie SYN-ACK carries one too (tcp_make_synack: skb_set_hash)
        t.core.skb.hash[out] = txhashOf32(rx.dport, rx.sport, rx.saddrKey);
        t.core.skb.hashFlags[out] = HASH_L4;
        const tsVal = tsOk ? (tsStamp + t.tsOffset(rx.saddrKey | 0)) | 0 : 0;
        const key = t.cookies.keyAddr4();
        // u32 words as int32: a u32 above 2^31 is a heap number at the (not inlined) JS-to-WASM call
        (t.core.raw as unknown as CookieHot).cookie_synack4(slot, out, key, t.addrKey | 0, rx.saddrKey | 0, rx.dport, rx.sport, rx.seq | 0, mssind, cookieTime(now) | 0, window, tsVal, tsOk ? rx.tsVal | 0 : 0);
        t.output(out);
      }
      t.deliverSkb(h);
      return;
    }
    const tx = t.txReply();
    // int32 words (the ISN mod 2^32; the header writer takes >>> 0)
    t.cookies.tupleOf(rx, t.addrKey);
    tx.seq = cookieSeq(t.cookies, rx.seq | 0, mssind, cookieTime(now));
    tx.ack = (rx.seq + 1) >>> 0;
    tx.flags = TCPHDR_SYN | TCPHDR_ACK;
    tx.window = window;
    tx.mss = t.advmss;
    if (sndWscale >= 0) tx.wscale = win.wscale;
    tx.sackPerm = sackOk;
    if (tsOk) {
      tx.ts = true;
      tx.tsVal = (tsStamp + t.tsOffset(rx.saddrKey | 0)) >>> 0;
      tx.tsEcr = rx.tsVal;
    }
    t.transmit(txhashOf32(rx.dport, rx.sport, rx.saddrKey));
    t.deliverSkb(h);
    return;
  }
  const tsOff = tsOk ? t.tsOffset(rx.saddrKey | 0) : 0; // int32: no heap number for a u32 key
  // 3/4 rule: without cookies the last quarter of tcp_max_syn_backlog is kept
  // for proven peers (tcp_peer_is_proven; no tcp_metrics here, so none are).
  if (twIsn === 0 && t.syncookies === 0 && t.maxSynBacklog - l.qlen < t.maxSynBacklog >> 2) {
    t.listenDrop();
    t.deliverSkb(h);
    return;
  }
  const req = t.newSock();
  req.state = TCP_NEW_SYN_RECV;
  req.listener = l;
  req.v6 = rx.v6;
  req.lport = rx.dport;
  req.rport = rx.sport;
  req.raddr = t.headers.slice(rx.saddrOff, rx.saddrOff + (rx.v6 ? 16 : 4));
  req.rkey = rx.saddrKey;
  req.irs = rx.seq;
  req.rcvNxt = (rx.seq + 1) >>> 0;
  req.iss = twIsn !== 0 ? twIsn : t.initSeq(rx.saddrKey, rx.dport, rx.sport);
  req.sndNxt = (req.iss + 1) >>> 0;
  req.sndUna = req.iss;
  req.mss = mss;
  req.tsOk = tsOk;
  req.tsOff = tsOff;
  // tcp_openreq_init: req->ts_recent = saw_tstamp ? rcv_tsval : 0 (0: PAWS never rejects, tcp_paws_check)
  req.tsRecent = rx.ts && t.timestamps !== 0 ? rx.tsVal : 0;
  req.sackOk = sackOk;
  req.sndWscale = sndWscale;
  req.rcvWscale = sndWscale >= 0 ? win.wscale : 0;
  req.rcvWnd = win.window;
  req.timeout = TCP_TIMEOUT_INIT;
  // tcp_conn_request: tcp_rsk(req)->txhash = net_tx_rndhash()
  req.txhash = firstTxhash(req);
  // inet_csk_reqsk_queue_hash_add: ehash, rsk_timer, qlen++, young++
  t.hash(req);
  l.qlen++;
  l.young++;
  // reqsk_queue_hash_req: mod_timer(&req->rsk_timer, jiffies + timeout), on the timer wheel's grid
  t.armTimerList(req, req.timeout, t.kReqTimer);
  t.sendSynAck(req);
  t.deliverSkb(h);
}
