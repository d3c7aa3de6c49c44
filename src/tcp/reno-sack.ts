// Reno's emulated SACKs (net/ipv4/tcp_input.c, 6.12): without SACK each
// duplicate ACK stands for one segment that left the network, kept in
// TcpConn.dupAcks (the kernel's sacked_out of a non-SACK socket). Where they
// are added and cleared depends on the congestion state (recovery.ts, enterLoss).
import type { TcpHost } from "./tcp-host.js";
import type { TcpConn } from "./conn.js";

/** net/ipv4/tcp_input.c: tcp_add_reno_sack — `n` = num_dupack. */
export function addRenoSack(t: TcpHost, c: TcpConn, n: number): void {
  if (n === 0) return;
  const prior = c.dupAcks;
  c.dupAcks += n;
  checkRenoReordering(t, c, 0);
  // tcp_limit_reno_sacked may cut below the prior count: nothing was delivered then
  const delivered = c.dupAcks - prior;
  if (delivered > 0) c.delivered += delivered;
}

/** net/ipv4/tcp_input.c: tcp_remove_reno_sacks — one ACKed segment filled the hole, the rest eat duplicate ACKs. */
export function removeRenoSacks(t: TcpHost, c: TcpConn, acked: number): void {
  if (acked > 0) {
    c.delivered += Math.max(acked - c.dupAcks, 1);
    c.dupAcks -= Math.min(acked - 1, c.dupAcks);
  }
  checkRenoReordering(t, c, acked);
}

/** net/ipv4/tcp_input.c: tcp_reset_reno_sack */
export function resetRenoSack(c: TcpConn): void {
  c.dupAcks = 0;
}

// tcp_check_reno_reordering with tcp_limit_reno_sacked — more duplicate ACKs than segments out past the
// holes: the rest were reordered, not lost
function checkRenoReordering(t: TcpHost, c: TcpConn, addend: number): void {
  const holes = Math.min(Math.max(c.lostOut, 1), c.packetsOut);
  if (c.dupAcks + holes <= c.packetsOut) return;
  c.dupAcks = c.packetsOut - holes;
  c.reordering = Math.min(c.packetsOut + addend, t.maxReordering);
  c.reordSeen++;
  t.nstat.add(t.mib.RenoReorder);
}
