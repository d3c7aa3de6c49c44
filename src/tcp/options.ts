// The options of every segment a full socket sends after the handshake: data, pure ACKs (delayed, quick,
// duplicate, challenge, tcp_fin's), FINs, window probes, loss probes, active resets. In 6.12 each goes
// through __tcp_transmit_skb, whose tcp_established_options picks them and tcp_options_write lays them out
// (segment.ts writes the bytes): the timestamp when negotiated, then the SACK option with a pending D-SACK
// first and the receiver's SACK blocks after it, as many as the 40 option bytes take. Segments that are not a
// full socket's (a request's ACK, a timewait ACK, tcp_v4_send_reset) are tcp_v4_send_ack's / send_reset's and
// have their own, simpler options (tcp-host.ts, timewait.ts).
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import type { SegOut } from "./segment.js";
import { SACK_BLOCKS_NO_TS, SACK_BLOCKS_TS } from "./sack-blocks.js";

/** net/ipv4/tcp_output.c: tcp_established_options (+ tcp_options_write's SACK part) — fill `tx`'s timestamp and
 *  SACK blocks for a segment of full socket `sk` (`c`: its transfer state, null for a socket that has
 *  received no data, so holds no block) whose skb is stamped `stampNs` (skb_mstamp_ns: tcp_wstamp_ns after
 *  __tcp_transmit_skb moved it, the EDT departure time). The D-SACK is used up once written. */
export function establishedOptions(tx: SegOut, sk: TcpSock, c: TcpConn | null, stampNs: number): void {
  tx.sackN = 0;
  if (sk.tsOk) {
    // TSval = tcp_skb_timestamp_ts (ms, TCP_TS_HZ 1000) + tsoffset; TSecr = rx_opt.ts_recent
    tx.ts = true;
    tx.tsVal = (Math.floor(stampNs / 1e6) + sk.tsOff) >>> 0;
    tx.tsEcr = sk.tsRecent;
  }
  if (c === null || !sk.sackOk) return;
  const effSacks = c.numSacks + (c.dsackPending ? 1 : 0);
  if (effSacks === 0) return;
  // eff_sacks = num_sacks + dsack, at most (MAX_TCP_OPTION_SPACE - size - TCPOLEN_SACK_BASE_ALIGNED) /
  // TCPOLEN_SACK_PERBLOCK: (40 - 12 - 4) / 8 = 3 after a timestamp, (40 - 4) / 8 = 4 without
  const n = Math.min(effSacks, sk.tsOk ? SACK_BLOCKS_TS : SACK_BLOCKS_NO_TS);
  // tcp_options_write: from duplicate_sack[0] on when a D-SACK is pending (selective_acks[] follows it in
  // tcp_sock), else from selective_acks[0], the most recently changed block first; sequence numbers on the wire
  const base = sk.irs + 1;
  if (c.dsackPending) {
    tx.sackL[0] = (base + c.dsackStart) >>> 0;
    tx.sackR[0] = (base + c.dsackEnd) >>> 0;
    tx.sackN = 1;
    c.dsackPending = false; // tcp_options_write: rx_opt.dsack = 0 once written
  }
  const sp = c.selectiveAcks;
  for (let i = 0; tx.sackN < n; i++) {
    tx.sackL[tx.sackN] = (base + sp[2 * i]!) >>> 0;
    tx.sackR[tx.sackN] = (base + sp[2 * i + 1]!) >>> 0;
    tx.sackN++;
  }
}

/** TCPOLEN_SACK_BASE_ALIGNED: the SACK option's kind and length after two NOPs. */
const TCPOLEN_SACK_BASE_ALIGNED = 4;
/** TCPOLEN_SACK_PERBLOCK */
const TCPOLEN_SACK_PERBLOCK = 8;

/** net/ipv4/tcp_output.c: tcp_current_mss — mss_cache less the option bytes the next segment carries beyond
 *  tcp_header_len's (tcp_established_options with skb NULL): the SACK option's 4 + 8 per block for
 *  eff_sacks = num_sacks + dsack blocks (at most 3 after a timestamp, 4 without), so a segment with its SACK
 *  blocks still fits the MTU. (No PMTU change, MD5 or AO in the model: mss_cache stands.) */
export function currentMss(sk: TcpSock, c: TcpConn): number {
  const effSacks = c.numSacks + (c.dsackPending ? 1 : 0);
  if (effSacks === 0 || !sk.sackOk) return c.mss;
  const n = Math.min(effSacks, sk.tsOk ? SACK_BLOCKS_TS : SACK_BLOCKS_NO_TS);
  return c.mss - (TCPOLEN_SACK_BASE_ALIGNED + n * TCPOLEN_SACK_PERBLOCK);
}
