// TCP states and constants, with Linux's names and values
// (include/net/tcp_states.h, include/net/tcp.h, include/net/inet_connection_sock.h).

// include/net/tcp_states.h
export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_SYN_RECV = 3;
export const TCP_FIN_WAIT1 = 4;
export const TCP_FIN_WAIT2 = 5;
export const TCP_TIME_WAIT = 6;
export const TCP_CLOSE = 7;
export const TCP_CLOSE_WAIT = 8;
export const TCP_LAST_ACK = 9;
export const TCP_LISTEN = 10;
export const TCP_CLOSING = 11;
export const TCP_NEW_SYN_RECV = 12;

/** State names as `ss` and /proc/net/tcp readers print them (NEW_SYN_RECV shows as SYN_RECV). */
export const TCP_STATE_NAMES: readonly string[] = [
  "UNKNOWN",
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
  "SYN_RECV",
];

const MS = 1e6;
const S = 1e9;

/** include/net/tcp.h: TCP_TIMEOUT_INIT (RFC 6298 initial RTO, 1 s). */
export const TCP_TIMEOUT_INIT = 1 * S;
/** include/net/tcp.h: TCP_TIMEOUT_MIN — 2 jiffies at any HZ (2 ms at HZ=1000, 8 ms at 250): a count of jiffies. */
export const TCP_TIMEOUT_MIN_JIFFIES = 2;
/** include/net/tcp.h: TCP_RTO_MAX (120 s). */
export const TCP_RTO_MAX = 120 * S;
/** include/net/tcp.h: TCP_TIMEWAIT_LEN (60 s). */
export const TCP_TIMEWAIT_LEN = 60 * S;
/** include/net/tcp.h: TCP_MSS_DEFAULT — MSS assumed when a SYN carries none. */
export const TCP_MSS_DEFAULT = 536;
/** net/ipv6/tcp_ipv6.c: tcp_request_sock_ipv6_ops.mss_clamp / tcp_v6_connect — IPV6_MIN_MTU - tcphdr - ipv6hdr:
 *  an IPv6 SYN (or SYN-ACK) without MSS option. */
export const TCP_V6_MSS_DEFAULT = 1220;
/** include/net/tcp.h: TCP_SYNCOOKIE_VALID — cookies are checked this long after an overflow. */
export const TCP_SYNCOOKIE_VALID = 120 * S;
/** include/net/tcp.h: TCP_SYNCOOKIE_PERIOD — the cookie counter ticks once a minute. */
export const TCP_SYNCOOKIE_PERIOD = 60 * S;
/** include/net/tcp.h: MAX_SYNCOOKIE_AGE — a cookie is good for counter values c and c+1. */
export const MAX_SYNCOOKIE_AGE = 2;
/** One jiffy at HZ=1000 (the model's HZ, see src/scenario/sysctl.ts). */
export const JIFFY = 1 * MS;
/** net/ipv4/tcp_input.c: tcp_invalid_ratelimit default (500 ms) — SYN-ACK resends for retransmitted SYNs. */
export const TCP_INVALID_RATELIMIT = 500 * MS;
/** net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_syn_linear_timeouts = 4 (not in the scenario sysctl table). */
export const TCP_SYN_LINEAR_TIMEOUTS = 4;
