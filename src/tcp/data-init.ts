// A socket entering ESTABLISHED with an application that moves data:
// tcp_init_transfer (tcp_init_buffer_space, tcp_init_congestion_control,
// tcp_mss_to_mtu's inverse for mss_cache, tcp_initialize_rcv_mss), then the
// application attaches (writer, reader).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { TcpConn } from "./conn.js";
import type { CongestionOps } from "./cc.js";
import { reno } from "./cc.js";
import { cubic } from "./cubic.js";
import { initRcvBufferSpace, soRcvbuf, soSndbuf, sndbufExpand, selectInitialWindow, tcpFullSpace } from "./buffers.js";
import { TCP_TIMEOUT_FALLBACK_US, rttSample } from "./rtt.js";
import { GSO_MAX_SIZE, updatePacingRate } from "./data-out.js";
import type { HystartParams } from "./hystart.js";
import { fastPathInit } from "./pred-flags.js";

/** TCPOLEN_TSTAMP_ALIGNED */
const TCPOLEN_TSTAMP_ALIGNED = 12;
/** include/net/tcp.h: TCP_MIN_MSS */
const TCP_MIN_MSS = 88;

export type CcName = "cubic" | "reno";

export function congestionOps(name: CcName, hystart?: HystartParams): CongestionOps {
  return name === "reno" ? reno() : cubic(hystart);
}

/** Socket options and the application side of one connection end. */
export interface ConnOptions {
  cc?: CcName;
  /** SO_SNDBUF / SO_RCVBUF as passed to setsockopt (doubled and locked). */
  sndbuf?: number;
  /** SO_MAX_PACING_RATE, bytes/s. */
  maxPacingRate?: number;
  /** TCP_USER_TIMEOUT (icsk_user_timeout), ms; 0 = off. */
  userTimeoutMs?: number;
  rcvbuf?: number;
  /** Receive: bytes/s the application reads (Infinity = at once). */
  readRate?: number;
}

/** tcp_init_transfer for socket sk; `peerWindow` = the window field of the
 *  segment that completed the handshake (the SYN-ACK for an active open, the
 *  ACK for a passive one); `synRttNs` an RTT sample (or -1). */
export function connInit(t: TcpHost, sk: TcpSock, o: ConnOptions, peerWindow: number, synRttNs: number): TcpConn {
  const c = new TcpConn(congestionOps(o.cc ?? t.ccDefault, t.hystart));
  // net/ipv4/tcp.c: tcp_init_sock — tp->reordering = sysctl_tcp_reordering (a child inherits its listener's)
  c.reordering = t.reordering;
  c.now = t.now;
  c.jiffyUs = 1e6 / t.hz;
  // tcp_finish_connect / tcp_rcv_state_process: lsndtime at establishment (tcp_jiffies32)
  c.lsndtime = t.jiffies();
  // tcp_ack of the handshake's last segment: rcv_tstamp = tcp_jiffies32
  c.rcvTstamp = t.jiffies();
  // net/core/sock.c: sk_setup_caps -> sk_dst_gso_max_size (size goal, TSO autosizing, HyStart's ACK delay)
  c.gsoMaxSize = t.env.gso === true ? GSO_MAX_SIZE : 0;
  c.slot = sk.slot;
  // net/ipv4/tcp.c: tcp_sock_set_user_timeout
  if (o.userTimeoutMs !== undefined) c.userTimeoutMs = o.userTimeoutMs;
  if (o.maxPacingRate !== undefined) {
    c.maxPacingRate = o.maxPacingRate;
    // net/core/sock.c: sk_setsockopt SO_MAX_PACING_RATE — any rate but ~0UL asks for pacing (NONE -> NEEDED)
    if (o.maxPacingRate !== Infinity) c.pacingNeeded = true;
  }
  const tsLen = sk.tsOk ? TCPOLEN_TSTAMP_ALIGNED : 0;
  // tcp_sync_mss: mss_cache = min(peer MSS, our MTU's MSS) minus options
  c.mss = Math.max(TCP_MIN_MSS, Math.min(sk.mss, t.advmss) - tsLen);
  c.advmss = t.advmss - tsLen;
  c.tcpHeaderLen = 20 + tsLen;
  // sk_sndbuf / sk_rcvbuf (tcp_init_sock; SO_* doubled and locked)
  if (o.sndbuf !== undefined) {
    c.sndbuf = soSndbuf(o.sndbuf, t.wmemMax);
    c.sndbufLocked = true;
  } else c.sndbuf = t.wmem[1]!;
  if (o.rcvbuf !== undefined) {
    c.rcvbuf = soRcvbuf(o.rcvbuf, t.rmemMax);
    c.rcvbufLocked = true;
  } else c.rcvbuf = t.rmem[1]!;
  c.readRate = o.readRate ?? Infinity;
  // receive window: what the handshake advertised
  c.rcvWscale = sk.sndWscale >= 0 ? sk.rcvWscale : 0;
  c.rcvWnd = sk.rcvWnd;
  c.rcvSsthresh = c.rcvWnd;
  if (c.rcvbufLocked) {
    // tcp_select_initial_window with the locked buffer: clamp = full space
    const w = selectInitialWindow(tcpFullSpace(c), c.advmss, tcpFullSpace(c), sk.sndWscale >= 0, t.rmem[2]!, t.rmemMax);
    c.windowClamp = w.windowClamp;
  } else c.windowClamp = 65535 * 2 ** c.rcvWscale;
  // tcp_initialize_rcv_mss
  c.rcvMss = Math.max(TCP_MIN_MSS, Math.min(c.advmss, c.mss, Math.floor(c.rcvWnd / 2), 536));
  // tcp_init_transfer: cwnd 1 after more than one SYN or SYN-ACK retransmission not shown spurious (RFC 5681,
  // relaxed for RFC 6298's 1 s initial RTO)
  if (sk.totalRetrans > 1 && sk.undoMarker !== 0) c.cwnd = 1;
  // tcp_init_transfer / tcp_init_buffer_space: snd_cwnd_stamp
  c.sndCwndStamp = Math.floor(t.now / 1e6);
  // tcp_init_buffer_space
  if (!c.sndbufLocked) c.sndbuf = sndbufExpand(c.sndbuf, sk.mss, c.mss, c.cwnd, c.reordering, c.cc.sndbufFactor, t.wmem[2]!);
  c.rcvq.time = Math.floor(t.now / 1000);
  c.rcvq.seq = 0;
  c.rcvq.space = initRcvBufferSpace(c);
  // snd_wnd as the handshake left it. An active open's is the SYN-ACK's window, never scaled (RFC 7323 2.2):
  // net/ipv4/tcp_input.c: tcp_rcv_synsent_state_process, snd_wnd = ntohs(th->window), and tcp_ack's
  // tcp_ack_update_window (no scaling for a SYN) set max_window to it; scaling applies from the next segment.
  // A passive open's is the completing ACK's, scaled (tcp_create_openreq_child, tcp_rcv_state_process).
  c.sndWnd = sk.listener === null ? peerWindow : peerWindow * 2 ** (sk.sndWscale >= 0 ? sk.sndWscale : 0);
  c.maxWindow = c.sndWnd;
  fastPathInit(sk, c);
  c.cc.init(c);
  // the handshake's RTT sample came before tcp_init_transfer (tcp_ack of the SYN-ACK; tcp_synack_rtt_meas)
  if (synRttNs >= 0) {
    // a whole number of µs (synack-rtt.ts, client.ts); tcp_update_rtt_min takes 0 as one jiffy
    const us = synRttNs / 1000;
    rttSample(c.rtt, us, 0, 0);
    c.minRttUs = us === 0 ? 1000 : us;
  } else {
    // net/ipv4/tcp_metrics.c: tcp_init_metrics — no sample (a retransmitted SYN or SYN-ACK, a SYN cookie) and no
    // cached metrics (not modelled): RFC 6298 5.7's conservative 3 s, rttvar = mdev = mdev_max = 3 s
    const r = c.rtt;
    r.rttvarUs = r.mdevUs = r.mdevMaxUs = TCP_TIMEOUT_FALLBACK_US;
    r.rtoUs = TCP_TIMEOUT_FALLBACK_US;
  }
  // tcp_rcv_state_process (SYN_RECV -> ESTABLISHED): tcp_update_pacing_rate unless the CC has cong_control
  // (the active open's comes from tcp_ack's tcp_cong_control, the same rule)
  if (c.cc.congControl === undefined) updatePacingRate(c);
  c.startedAt = t.now;
  c.rateStampT = t.now;
  c.sndbufMax = c.sndbuf;
  c.rcvbufMax = c.rcvbuf;
  // fq_classify may have set SK_PACING_FQ on the socket at its SYN or handshake ACK
  c.pacingFq = sk.pacingFq;
  sk.conn = c;
  return c;
}
