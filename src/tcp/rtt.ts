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
    if (m < 0) {
      m = -m;
      m -= r.mdevUs >> 2;
      if (m > 0) m >>= 3;
    } else {
      m -= r.mdevUs >> 2;
    }
    r.mdevUs += m;
    if (r.mdevUs > r.mdevMaxUs) {
      r.mdevMaxUs = r.mdevUs;
      if (r.mdevMaxUs > r.rttvarUs) r.rttvarUs = r.mdevMaxUs;
    }
    if (sndUna > r.rttSeq) {
      if (r.mdevMaxUs < r.rttvarUs) r.rttvarUs -= (r.rttvarUs - r.mdevMaxUs) >> 2;
      r.rttSeq = sndNxt;
      r.mdevMaxUs = TCP_RTO_MIN_US;
    }
  } else {
    srtt = m << 3;
    r.mdevUs = m << 1;
    r.rttvarUs = Math.max(r.mdevUs, TCP_RTO_MIN_US);
    r.mdevMaxUs = r.rttvarUs;
    r.rttSeq = sndNxt;
  }
  r.srttUs = Math.max(1, srtt);
  // tcp_set_rto -> __tcp_set_rto, tcp_bound_rto; in jiffies (HZ=1000): rounded up to 1 ms
  const rto = (r.srttUs >> 3) + r.rttvarUs;
  r.rtoUs = Math.min(Math.ceil(rto / 1000) * 1000, TCP_RTO_MAX_US);
}
