// One answer per tcp_invalid_ratelimit to out-of-window segments, per socket (or timewait sock): the
// challenge ACK's and TIME_WAIT's shared limiter.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { JIFFY, TCP_INVALID_RATELIMIT } from "./constants.js";

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
