// HyStart, CUBIC's hybrid slow start (net/ipv4/tcp_cubic.c, 6.12): per
// round of data (until snd_una passes the snd_nxt the round started with) it
// watches the ACKs; slow start ends (ssthresh = cwnd) once cwnd ≥
// hystart_low_window and either
//  - ACK train: ACKs keep arriving at most hystart_ack_delta_us apart for
//    longer than delay_min (+ a TSO/GRO cushion; halved when the socket is not
//    paced) since the round started — the pipe is full; or
//  - delay: the round's minimum RTT over its first 8 samples exceeds delay_min
//    by clamp(delay_min/8, 4 ms, 16 ms) — a queue is building.
// The tcp_cubic module parameters are scenario knobs (sysctl table names
// tcp_cubic.hystart*, as on the kernel command line).
import type { CcSock } from "./cc.js";

/** tcp_cubic.c: HYSTART_ACK_TRAIN, HYSTART_DELAY */
export const HYSTART_ACK_TRAIN = 1;
export const HYSTART_DELAY = 2;
const HYSTART_MIN_SAMPLES = 8;
const HYSTART_DELAY_MIN = 4000;
const HYSTART_DELAY_MAX = 16000;
const USEC_PER_MSEC = 1000;

export interface HystartParams {
  /** module_param hystart (1) */
  hystart: boolean;
  /** module_param hystart_detect (HYSTART_ACK_TRAIN | HYSTART_DELAY) */
  detect: number;
  /** module_param hystart_low_window (16) */
  lowWindow: number;
  /** module_param hystart_ack_delta_us (2000) */
  ackDeltaUs: number;
  /** Counts LINUX_MIB_TCPHYSTART* (nstat names without TcpExt). */
  count?(name: "TCPHystartTrainDetect" | "TCPHystartTrainCwnd" | "TCPHystartDelayDetect" | "TCPHystartDelayCwnd", n: number): void;
}

export const HYSTART_DEFAULTS: HystartParams = { hystart: true, detect: HYSTART_ACK_TRAIN | HYSTART_DELAY, lowWindow: 16, ackDeltaUs: 2000 };

/** The socket view HyStart needs beyond the congestion-control one. */
export interface HystartSock extends CcSock {
  sndUna: number;
  sndNxt: number;
  /** sk_pacing_rate, bytes/s */
  pacingRate: number;
  /** sk_gso_max_size (0 when the socket cannot GSO) */
  gsoMaxSize?: number;
  /** sk_pacing_status != SK_PACING_NONE */
  pacingFq?: boolean;
  pacingNeeded?: boolean;
}

/** bictcp_clock_us: tcp_mstamp in µs */
const clockUs = (sk: CcSock): number => Math.floor(sk.now / 1000);

export class Hystart {
  found = false;
  roundStart = 0;
  lastAck = 0;
  endSeq = 0;
  currRtt = Infinity;
  sampleCnt = 0;

  constructor(private readonly p: HystartParams) {}

  // bictcp_hystart_reset
  reset(sk: CcSock): void {
    const s = sk as HystartSock;
    this.roundStart = this.lastAck = clockUs(sk);
    this.endSeq = s.sndNxt ?? 0;
    this.currRtt = Infinity;
    this.sampleCnt = 0;
  }

  // hystart_ack_delay: room for one TSO packet in flight and one in the qdisc at twice the rate, ≤ 1 ms
  static ackDelay(s: HystartSock): number {
    const rate = s.pacingRate;
    if (!(rate > 0) || rate === Infinity) return 0;
    return Math.min(USEC_PER_MSEC, Math.floor(((s.gsoMaxSize ?? 0) * 4 * 1e6) / rate));
  }

  // hystart_update (delay = this ACK's RTT sample in µs, delayMin = ca->delay_min)
  update(sk: CcSock, delay: number, delayMin: number): void {
    const s = sk as HystartSock;
    const p = this.p;
    if (s.sndUna > this.endSeq) this.reset(sk);
    if (sk.cwnd < p.lowWindow) return;
    if (p.detect & HYSTART_ACK_TRAIN) {
      const now = clockUs(sk);
      if (now - this.lastAck <= p.ackDeltaUs) {
        this.lastAck = now;
        let threshold = delayMin + Hystart.ackDelay(s);
        // an unpaced flow's ACK train lasts half the RTT
        if (!s.pacingFq && !s.pacingNeeded) threshold >>>= 1;
        if (now - this.roundStart > threshold) {
          this.found = true;
          p.count?.("TCPHystartTrainDetect", 1);
          p.count?.("TCPHystartTrainCwnd", sk.cwnd);
          sk.ssthresh = sk.cwnd;
        }
      }
    }
    if (p.detect & HYSTART_DELAY) {
      if (this.currRtt > delay) this.currRtt = delay;
      if (this.sampleCnt < HYSTART_MIN_SAMPLES) this.sampleCnt++;
      else if (this.currRtt > delayMin + Math.min(Math.max(delayMin >>> 3, HYSTART_DELAY_MIN), HYSTART_DELAY_MAX)) {
        this.found = true;
        p.count?.("TCPHystartDelayDetect", 1);
        p.count?.("TCPHystartDelayCwnd", sk.cwnd);
        sk.ssthresh = sk.cwnd;
      }
    }
  }
}
