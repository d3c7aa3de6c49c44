// One answer per tcp_invalid_ratelimit to out-of-window segments, per socket, request or timewait sock: the
// challenge ACK's, tcp_check_req's and TIME_WAIT's shared limiter; and the host-wide challenge-ACK quota.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { JIFFY, TCP_INVALID_RATELIMIT } from "./constants.js";
import { TCPHDR_SYN } from "../wire/tcp.js";

/** net/ipv4/tcp_input.c: __tcp_oow_rate_limited — limited (counting `mib`) when the last answer went less
 *  than tcp_invalid_ratelimit ago in jiffies; otherwise the answer's jiffies are stored (0 = none yet). */
export function oowRateLimited(t: TcpHost, sk: TcpSock, mib: number): boolean {
  const jiffies = Math.floor(t.now / JIFFY) >>> 0;
  const last = sk.lastOowAckTime;
  if (last !== 0) {
    const elapsed = (jiffies - last) | 0;
    if (elapsed >= 0 && elapsed < TCP_INVALID_RATELIMIT / JIFFY) {
      t.nstat.add(mib);
      return true;
    }
  }
  sk.lastOowAckTime = jiffies;
  return false;
}

/** net/ipv4/tcp_input.c: tcp_oow_rate_limited — for the segment in t.rx (sequence space up to `endSeq`): one
 *  with data or a FIN and without SYN is never limited; else __tcp_oow_rate_limited on `sk`'s stamp. */
export function segOowRateLimited(t: TcpHost, sk: TcpSock, endSeq: number, mib: number): boolean {
  if (t.rx.seq !== endSeq && !(t.rx.flags & TCPHDR_SYN)) return false;
  return oowRateLimited(t, sk, mib);
}

/** net/ipv4/tcp_input.c: tcp_challenge_ack_allowed — one slot of the host-wide quota (a random count in
 *  [limit/2, limit*3/2) per second), always allowed when tcp_challenge_ack_limit is INT_MAX (the default). */
export function challengeAckAllowed(t: TcpHost): boolean {
  const limit = t.challengeAckLimit;
  if (limit === 2 ** 31 - 1) return true;
  const jiffies = Math.floor(t.now / JIFFY) >>> 0;
  const sec = Math.floor(jiffies / (1e9 / JIFFY)); // jiffies / HZ
  if (sec !== t.challengeTimestamp) {
    const half = (limit + 1) >>> 1;
    t.challengeTimestamp = sec;
    t.challengeRng ??= t.env.rng.fork();
    t.challengeCount = t.challengeRng.int(half, (limit + half - 1) >>> 0); // u32: limit 0 wraps to no limit
  }
  if (t.challengeCount <= 0) return false;
  t.challengeCount--;
  return true;
}
