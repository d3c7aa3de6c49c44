// The handshake's RTT sample: net/ipv4/tcp_input.c: tcp_synack_rtt_meas through tcp_ack_update_rtt
// (FLAG_SYN_ACKED), as a ns sample for connInit (data-init.ts), or -1 for none; its TS-ECR path serves the
// active side too (client.ts).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";

/** net/ipv4/tcp_input.c: tcp_synack_rtt_meas(child, req) from tcp_check_req — the first SYN-ACK's
 *  snt_synack to now (tcp_stamp_us_delta of µs clocks) when no SYN-ACK was retransmitted (num_retrans 0);
 *  else no sample there (the child's rx_opt.saw_tstamp is the listener's, never set). */
export function reqSynAckRttNs(t: TcpHost, req: TcpSock): number {
  if (req.numRetrans !== 0 || req.sntSynAck < 0) return -1;
  const us = Math.floor(t.now / 1000) - Math.floor(req.sntSynAck / 1000);
  return us > 0 ? us * 1000 : 0;
}

/** net/ipv4/tcp_input.c: tcp_rcv_state_process (TCP_SYN_RECV) — a child with no srtt_us yet calls
 *  tcp_synack_rtt_meas(sk, NULL) (req is tp->fastopen_rsk): tcp_ack_update_rtt's TS-ECR path,
 *  tcp_rtt_tsopt_us(tp, 1), when the ACK carries a timestamp with a non-zero TSecr (tcp_fast_parse_options
 *  with the child's tstamp_ok; TSecr less tsoffset): ms of tcp_time_stamp_ts - TSecr (at least 1), or none
 *  when that is negative (a u32 at or above INT_MAX / 1000). The same path serves a client whose SYN was
 *  retransmitted (tcp_rcv_synsent_state_process's tcp_ack; its tsOk is then the sysctl and the SYN-ACK's
 *  timestamp option: tcp_parse_options with estab 0). */
export function tsoptSynAckRttNs(t: TcpHost, child: TcpSock): number {
  const rx = t.rx;
  if (!child.tsOk || !rx.ts || rx.tsEcr === 0) return -1;
  const delta = (t.nowMs() - ((rx.tsEcr - child.tsOff) >>> 0)) >>> 0;
  if (delta >= Math.floor(0x7fffffff / 1000)) return -1;
  return (delta === 0 ? 1 : delta) * 1e6;
}
