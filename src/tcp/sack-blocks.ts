// The receiver's SACK blocks as 6.12 keeps them: tp->selective_acks[4] and
// rx_opt.num_sacks, most recently changed block first. They follow the
// out-of-order queue only loosely: a new skb's block goes to the front (or the
// block it touches is extended and rotated there), the oldest falls off a full
// array, blocks below rcv_nxt go when a hole fills, and a prune or a FIN forgets
// them all. So with more out-of-order ranges than blocks, which ranges the ACKs
// report (and in what order) is this state's, not the queue's.
//
//   c.selectiveAcks (Float64Array(8), relative sequence numbers, per connection):
//   | start0 end0 | start1 end1 | start2 end2 | start3 end3 |   blocks 0..numSacks-1 in use
import type { TcpConn } from "./conn.js";
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { sackCompressSendAck } from "./comp-sack.js";

/** include/linux/tcp.h: TCP_NUM_SACKS */
export const TCP_NUM_SACKS = 4;
/** net/ipv4/tcp_input.c: TCP_SACK_BLOCKS_EXPECTED — an skb touching a block past the second, or making a third
 *  or later, sends the ACKs SACK compression holds first (they may be lost: the sender should learn the older
 *  blocks). */
const TCP_SACK_BLOCKS_EXPECTED = 2;
/** net/ipv4/tcp_output.c: tcp_established_options — the 40 option bytes leave room for 3 blocks after the
 *  12 aligned timestamp bytes ((40 - 12 - 4) / 8), 4 without ((40 - 4) / 8). */
export const SACK_BLOCKS_TS = 3;
export const SACK_BLOCKS_NO_TS = 4;

/** net/ipv4/tcp_input.c: tcp_sack_extend — grow block i over [seq, end) when the two touch or overlap. */
function sackExtend(sp: Float64Array, i: number, seq: number, end: number): boolean {
  const s = 2 * i;
  if (seq > sp[s + 1]! || sp[s]! > end) return false;
  if (seq < sp[s]!) sp[s] = seq;
  if (end > sp[s + 1]!) sp[s + 1] = end;
  return true;
}

/** net/ipv4/tcp_input.c: tcp_sack_maybe_coalesce — fold into block 0 every later block it now reaches. */
function sackMaybeCoalesce(c: TcpConn): void {
  const sp = c.selectiveAcks;
  for (let i = 1; i < c.numSacks; ) {
    if (sackExtend(sp, 0, sp[2 * i]!, sp[2 * i + 1]!)) {
      c.numSacks--;
      sp.copyWithin(2 * i, 2 * i + 2, 2 * c.numSacks + 2);
      continue;
    }
    i++;
  }
}

/** net/ipv4/tcp_input.c: tcp_data_queue_ofo's blocks — the first out-of-order skb makes the only block
 *  (`first`: the queue was empty); later, tcp_sack_new_ofo_skb: the first block [seq, end) touches is
 *  extended, rotated to the front and coalesced with the others; else a new block goes in front, the last
 *  one forgotten when all TCP_NUM_SACKS are in use. Past TCP_SACK_BLOCKS_EXPECTED, held ACKs go first
 *  (tcp_sack_compress_send_ack), with the blocks as they are then: an extended block not yet rotated, a new
 *  one not yet there. */
export function sackNewOfoSkb(t: TcpHost, sk: TcpSock, c: TcpConn, seq: number, end: number, first: boolean): void {
  const sp = c.selectiveAcks;
  if (first) c.numSacks = 0;
  for (let i = 0; i < c.numSacks; i++) {
    if (!sackExtend(sp, i, seq, end)) continue;
    if (i >= TCP_SACK_BLOCKS_EXPECTED && c.compressedAck !== 0) sackCompressSendAck(t, sk, c);
    if (i > 0) {
      const s0 = sp[2 * i]!;
      const e0 = sp[2 * i + 1]!;
      sp.copyWithin(2, 0, 2 * i);
      sp[0] = s0;
      sp[1] = e0;
      sackMaybeCoalesce(c);
    } else if (c.numSacks > 1) sackMaybeCoalesce(c);
    return;
  }
  if (c.numSacks >= TCP_SACK_BLOCKS_EXPECTED && c.compressedAck !== 0) sackCompressSendAck(t, sk, c);
  const keep = Math.min(c.numSacks, TCP_NUM_SACKS - 1);
  sp.copyWithin(2, 0, 2 * keep);
  sp[0] = seq;
  sp[1] = end;
  c.numSacks = keep + 1;
}

/** net/ipv4/tcp_input.c: tcp_sack_remove — rcv_nxt advanced (`rcvNxt`, relative, counting a FIN): an empty
 *  out-of-order queue clears them all, else the blocks starting at or below it go, the rest keep their order. */
export function sackRemove(c: TcpConn, rcvNxt: number, ofoEmpty: boolean): void {
  if (ofoEmpty) {
    c.numSacks = 0;
    return;
  }
  const sp = c.selectiveAcks;
  let n = 0;
  for (let i = 0; i < c.numSacks; i++) {
    if (rcvNxt >= sp[2 * i]!) continue;
    sp[2 * n] = sp[2 * i]!;
    sp[2 * n + 1] = sp[2 * i + 1]!;
    n++;
  }
  c.numSacks = n;
}

/** RB_EMPTY_ROOT(&tp->out_of_order_queue): no out-of-order data, and no FIN waiting there (the model keeps
 *  an out-of-order FIN as c.finRcvSeq, not as an skb of the queue). */
export function ofoEmpty(c: TcpConn): boolean {
  return c.ofo.length === 0 && (c.finRcvSeq < 0 || c.eof);
}

/** include/net/tcp.h: tcp_sack_reset — no D-SACK pending and no SACK blocks. */
export function sackReset(c: TcpConn): void {
  c.dsackPending = false;
  c.numSacks = 0;
}

/** The right-most block's end (tcp_validate_incoming's max_sack); only with numSacks > 0. */
export function sackMaxEnd(c: TcpConn): number {
  const sp = c.selectiveAcks;
  let max = sp[1]!;
  for (let i = 1; i < c.numSacks; i++) if (sp[2 * i + 1]! > max) max = sp[2 * i + 1]!;
  return max;
}
