// Pluggable congestion control (include/net/tcp.h: struct tcp_congestion_ops).
// The hooks are the kernel's: ssthresh on loss, cong_avoid per ACK, state
// changes, cwnd_event, and sndbuf_expand. A model that owns the whole
// per-ACK update (BBR's cong_control) sets `congControl` instead of
// `congAvoid`; the ACK path then skips Reno-style growth and PRR.

/** What a congestion control sees and changes on its socket. */
export interface CcSock {
  cwnd: number;
  ssthresh: number;
  /** tp->snd_cwnd_cnt: ACKed packets towards the next +1 in CA. */
  cwndCnt: number;
  mss: number;
  /** tcp_packets_in_flight */
  inFlight: number;
  /** tp->srtt_us (8× scaled µs); 0 before the first sample. */
  srttUs: number;
  /** Simulated time (ns). */
  now: number;
  /** tp->lsndtime: the jiffy (tcp_jiffies32 at the host's HZ) data was last sent; CA_EVENT_TX_START is raised
   *  before it moves. */
  lsndtime: number;
  /** One jiffy of the host's clock (TcpHost.hz), µs: 1000 at HZ=1000, 4000 at HZ=250. */
  jiffyUs: number;
  /** tcp_is_cwnd_limited */
  cwndLimited: boolean;
  /** tp->prior_cwnd: cwnd when the last reduction began (tcp_reno_undo_cwnd's floor). */
  priorCwnd: number;
  /** Rate sample of the last ACK (for rate-based models): delivered packets and interval (µs). */
  delivered: number;
  deliveryRateBps: number;
}

export const TCP_CA_Open = 0;
export const TCP_CA_Disorder = 1;
export const TCP_CA_CWR = 2;
export const TCP_CA_Recovery = 3;
export const TCP_CA_Loss = 4;

/** include/net/tcp.h: enum tcp_ca_event (the events the model raises) */
export const CA_EVENT_TX_START = 0;
export const CA_EVENT_CWND_RESTART = 1;
export const CA_EVENT_COMPLETE_CWR = 2;
export const CA_EVENT_LOSS = 3;

export interface CongestionOps {
  readonly name: string;
  /** ca->sndbuf_expand factor (2 when absent). */
  readonly sndbufFactor: number;
  init(sk: CcSock): void;
  /** New ssthresh on loss. */
  ssthresh(sk: CcSock): number;
  /** Reno-style growth per ACK (`acked` packets newly delivered). */
  congAvoid?(sk: CcSock, acked: number): void;
  /** Whole-update models (BBR): called instead of congAvoid/PRR on every ACK; `losses` is the rate sample's
   *  (rs->losses: packets marked lost by this ACK, retransmissions lost again included). */
  congControl?(sk: CcSock, acked: number, caState: number, losses: number): void;
  setState?(sk: CcSock, newState: number): void;
  /** cwnd_event (tcp_ca_event): CA_EVENT_TX_START, CA_EVENT_COMPLETE_CWR, CA_EVENT_LOSS. */
  cwndEvent?(sk: CcSock, ev: number): void;
  /** undo_cwnd: the cwnd to restore after a spurious loss event. */
  undoCwnd?(sk: CcSock): number;
  /** Per-ACK RTT sample (µs), as pkts_acked. */
  pktsAcked?(sk: CcSock, acked: number, rttUs: number): void;
}

export type CcFactory = () => CongestionOps;

/** include/net/tcp.h: tcp_in_slow_start */
export function inSlowStart(sk: CcSock): boolean {
  return sk.cwnd < sk.ssthresh;
}

/** net/ipv4/tcp_cong.c: tcp_slow_start — returns the ACKed packets left over. */
export function tcpSlowStart(sk: CcSock, acked: number): number {
  const cwnd = Math.min(sk.cwnd + acked, sk.ssthresh);
  acked -= cwnd - sk.cwnd;
  sk.cwnd = cwnd;
  return acked;
}

/** net/ipv4/tcp_cong.c: tcp_cong_avoid_ai — +1 per w ACKed packets. */
export function tcpCongAvoidAi(sk: CcSock, w: number, acked: number): void {
  if (sk.cwndCnt >= w) {
    sk.cwndCnt = 0;
    sk.cwnd++;
  }
  sk.cwndCnt += acked;
  if (sk.cwndCnt >= w) {
    const delta = Math.floor(sk.cwndCnt / w);
    sk.cwndCnt -= delta * w;
    sk.cwnd += delta;
  }
}

/** net/ipv4/tcp_cong.c: tcp_reno_undo_cwnd (6.12: max(cwnd, prior_cwnd)) */
export function renoUndoCwnd(sk: CcSock): number {
  return Math.max(sk.cwnd, sk.priorCwnd);
}

/** net/ipv4/tcp_cong.c: tcp_reno_cong_avoid, tcp_reno_ssthresh, tcp_reno_undo_cwnd */
export function reno(): CongestionOps {
  return {
    name: "reno",
    sndbufFactor: 2,
    init() {},
    ssthresh(sk) {
      return Math.max(sk.cwnd >> 1, 2);
    },
    congAvoid(sk, acked) {
      if (!sk.cwndLimited) return;
      if (inSlowStart(sk)) {
        acked = tcpSlowStart(sk, acked);
        if (acked === 0) return;
      }
      tcpCongAvoidAi(sk, sk.cwnd, acked);
    },
    undoCwnd: renoUndoCwnd,
  };
}
