// RTT estimation and the retransmission timeout (net/ipv4/tcp_input.c:
// tcp_rtt_estimator, tcp_set_rto). Values in µs; srtt and mdev are kept
// scaled as in struct tcp_sock (srtt_us = 8·SRTT, mdev_us = 4·MDEV).
import { F64Keys, f64Fields } from "../util/f64-field.js";

/** include/net/tcp.h: TCP_RTO_MIN (HZ/5) in µs. */
export const TCP_RTO_MIN_US = 200_000;
/** include/net/tcp.h: TCP_RTO_MAX in µs. */
export const TCP_RTO_MAX_US = 120_000_000;
/** include/net/tcp.h: TCP_TIMEOUT_INIT in µs. */
export const TCP_TIMEOUT_INIT_US = 1_000_000;
/** include/net/tcp.h: TCP_TIMEOUT_FALLBACK in µs (RFC 1122's initial RTO). */
export const TCP_TIMEOUT_FALLBACK_US = 3_000_000;

export interface RttState {
  srttUs: number;
  mdevUs: number;
  mdevMaxUs: number;
  rttvarUs: number;
  /** rtt_seq: snd_nxt when the current rttvar period began (relative sequence). */
  rttSeq: number;
  /** icsk_rto without backoff (µs). */
  rtoUs: number;
}

const RTT_F64 = new F64Keys(["rttSeq"]);

export function newRttState(): RttState {
  const r = { srttUs: 0, mdevUs: 0, mdevMaxUs: 0, rttvarUs: 0, rttSeq: 0, rtoUs: TCP_TIMEOUT_INIT_US };
  // a sequence number: a double field from the start (util/f64-field.ts)
  f64Fields(r, RTT_F64);
  return r;
}

/** net/ipv4/tcp_input.c: tcp_rtt_estimator then tcp_set_rto. */
export function rttSample(r: RttState, mrttUs: number, sndUna: number, sndNxt: number): void {
  let m = Math.floor(mrttUs);
  let srtt = r.srttUs;
  if (srtt !== 0) {
    m -= srtt >> 3;
    srtt += m;
    const mdev4 = r.mdevUs >> 2;
    if (m < 0) {
      m = -m - mdev4;
      if (m > 0) m >>= 3;
    } else m -= mdev4;
    const mdev = (r.mdevUs += m);
    if (mdev > r.mdevMaxUs) mdevMaxRaise(r, mdev);
    if (sndUna > r.rttSeq) rttvarPeriodEnd(r, sndNxt);
  } else srtt = rttFirst(r, m, sndNxt);
  if (srtt < 1) srtt = 1;
  r.srttUs = srtt;
  // tcp_set_rto -> __tcp_set_rto, tcp_bound_rto; in jiffies (HZ=1000): rounded up to 1 ms
  const rto = (srtt >> 3) + r.rttvarUs;
  r.rtoUs = Math.min(Math.ceil(rto / 1000) * 1000, TCP_RTO_MAX_US);
}

// The branches of tcp_rtt_estimator that run once per round trip, once per connection or when mdev jumps
// past mdev_max (at most TCP_RTO_MIN per round trip, so rarely), out of line:
// rttSample runs on every ACK and stays small enough to be inlined there (docs/CONVENTIONS.md, hot functions).

/** tcp_rtt_estimator: mdev above mdev_max raises it, and rttvar with it. */
function mdevMaxRaise(r: RttState, mdev: number): void {
  r.mdevMaxUs = mdev;
  if (mdev > r.rttvarUs) r.rttvarUs = mdev;
}

/** tcp_rtt_estimator: a window of data ACKed (snd_una past rtt_seq): rttvar decays toward mdev_max. */
function rttvarPeriodEnd(r: RttState, sndNxt: number): void {
  if (r.mdevMaxUs < r.rttvarUs) r.rttvarUs -= (r.rttvarUs - r.mdevMaxUs) >> 2;
  r.rttSeq = sndNxt;
  r.mdevMaxUs = TCP_RTO_MIN_US;
}

/** tcp_rtt_estimator: the first measurement sets srtt (returned, 8× scaled) and mdev. */
function rttFirst(r: RttState, m: number, sndNxt: number): number {
  r.mdevUs = m << 1;
  r.rttvarUs = Math.max(r.mdevUs, TCP_RTO_MIN_US);
  r.mdevMaxUs = r.rttvarUs;
  r.rttSeq = sndNxt;
  return m << 3;
}
