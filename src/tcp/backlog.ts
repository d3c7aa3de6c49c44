// The socket backlog (sk->sk_backlog): while the application owns the socket
// (lock_sock in recvmsg/sendmsg), softirq may not touch TCP state, so
// tcp_v4_rcv appends each segment here (tcp_add_backlog: coalesce into the
// tail if possible, else queue unless the memory limit is hit) and
// release_sock runs them through the normal receive path.
//
// The queue holds skb handles; a coalesced tail keeps its own header but its
// payload length, ack_seq and window move on, so the payload length is kept
// beside the handle (the IP length field is not rewritten: a coalesced skb
// can exceed 64 KB, as in the kernel).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import { rxTruesize, skbRxTruesize } from "./data-in.js";
import { get32, put16, put32 } from "../wire/bytes.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from "../wire/tcp.js";
import { SKB_HEADROOM } from "../core/skb-fields.js";
import { rxFrags, rxTailroom, skbTryCoalesce, type SkbShape } from "./skb-coalesce.js";

const TCPHDR_URG = 0x20;
const TCPHDR_ECE = 0x40;
const TCPHDR_CWR = 0x80;

export class SockBacklog {
  /** skb handles in arrival order, their payload bytes and layout (nr_frags, tailroom: skb-coalesce.ts):
   *  entries [0, count) are queued; the arrays only grow (entries are overwritten, never pushed or cut). */
  readonly skb: number[] = [];
  readonly len: number[] = [];
  readonly frags: number[] = [];
  readonly room: number[] = [];
  /** Queued skbs. */
  count = 0;
  /** sk_backlog.len: truesize queued (zeroed only at the end of __release_sock). */
  bytes = 0;
  /** The tail's end_seq (wire). */
  tailEndSeq = 0;
  /** Wire packets the queued skbs carry (for the ledger). */
  segs = 0;
  /** The tail's layout while a merge is tried. */
  readonly tail: SkbShape = { frags: 0, tailroom: 0 };
}

function segsOf(t: TcpHost, h: number): number {
  const s = t.core.skb.gsoSegs[h]!;
  return s > 1 ? s : 1;
}

// net/ipv4/tcp_ipv4.c: tcp_add_backlog — true if the skb was dropped (TCPBacklogDrop)
export function tcpAddBacklog(t: TcpHost, sk: TcpSock, c: TcpConn, h: number): boolean {
  const rx = t.rx;
  const bl = c.backlog;
  const skb = t.core.skb;
  const segs = segsOf(t, h);
  // skb_condense: a linear skb's truesize is recomputed from its buffer
  if (segs === 1) skb.truesize[h] = rxTruesize(skb.len[h]!);
  else if (skb.truesize[h] === 0) skb.truesize[h] = skbRxTruesize(t, h, rx.dataLen);
  const truesize = skb.truesize[h]!;
  const flags = rx.flags;
  const endSeq = (rx.seq + rx.dataLen + (flags & TCPHDR_SYN ? 1 : 0) + (flags & TCPHDR_FIN ? 1 : 0)) >>> 0;
  const n = bl.count;
  // coalesce into the tail even above the limit
  if (n > 0) {
    const tail = bl.skb[n - 1]!;
    if (canCoalesce(t, tail, h, bl.tailEndSeq, flags)) {
      const hb = t.core.headers;
      const th = tail * SKB_HEADROOM + skb.transport[tail]!;
      // skb_try_coalesce: copy into a linear tail's tailroom, else steal the head as a frag
      // (skb_tailroom is 0 for a nonlinear tail, so a pure ACK always fits)
      const tl = bl.tail;
      tl.frags = bl.frags[n - 1]!;
      tl.tailroom = bl.room[n - 1]!;
      const delta = skbTryCoalesce(tl, rx.dataLen, rxFrags(segs), truesize);
      if (delta >= 0) {
        bl.frags[n - 1] = tl.frags;
        bl.room[n - 1] = tl.tailroom;
        bl.tailEndSeq = endSeq;
        if (((rx.ack - get32(hb, th + 8)) | 0) >= 0) {
          put32(hb, th + 8, rx.ack);
          put16(hb, th + 14, rx.window);
        }
        hb[th + 13] = hb[th + 13]! | (flags & TCPHDR_FIN);
        // gso_size: the larger segment size; gso_segs: the sum
        const gsoSize = skb.gsoSegs[h]! > 1 ? skb.gsoSize[h]! : rx.dataLen;
        const tailSegs = segsOf(t, tail);
        const tailGso = skb.gsoSegs[tail]! > 1 ? skb.gsoSize[tail]! : bl.len[n - 1]!;
        skb.gsoSize[tail] = Math.max(gsoSize, tailGso);
        skb.gsoSegs[tail] = Math.min(tailSegs + segs, 0xffff);
        bl.len[n - 1] = bl.len[n - 1]! + rx.dataLen;
        skb.truesize[tail] = skb.truesize[tail]! + delta;
        bl.bytes += delta;
        c.backlogLen = bl.bytes;
        bl.segs += segs;
        t.nstat.add(t.mib.BacklogCoalesce);
        // kfree_skb_partial: the tail now carries its wire packets (gso_segs) for the ledger
        t.core.freeOne(h);
        return false;
      }
    }
  }
  // sk_add_backlog with limit 2·sk_rcvbuf + sk_sndbuf/2 + 64 KB; the new skb itself is not counted
  const limit = Math.min(2 * c.rcvbuf + (c.sndbuf >>> 1) + 65536, 0xffffffff);
  if (bl.bytes + c.rmemAlloc > limit) {
    t.nstat.add(t.mib.BacklogDrop);
    t.dropSkb(h, "SOCKET_BACKLOG");
    return true;
  }
  bl.skb[n] = h;
  bl.len[n] = rx.dataLen;
  bl.bytes += truesize;
  bl.segs += segs;
  bl.tailEndSeq = endSeq;
  const frags = rxFrags(segs);
  bl.frags[n] = frags;
  bl.room[n] = rxTailroom(frags, truesize, skb.len[h]!);
  bl.count = n + 1;
  c.backlogLen = bl.bytes;
  return false;
}

/** The header tests of tcp_add_backlog's coalescing: contiguous, same DS field,
 *  no SYN/RST/URG, both ACK, same ECE/CWR, same header length and options. */
function canCoalesce(t: TcpHost, tail: number, h: number, tailEndSeq: number, flags: number): boolean {
  const rx = t.rx;
  if (tailEndSeq !== rx.seq) return false;
  const skb = t.core.skb;
  const hb = t.core.headers;
  const nt = tail * SKB_HEADROOM + skb.network[tail]!;
  const nh = h * SKB_HEADROOM + skb.network[h]!;
  if (dsfield(hb, nt) !== dsfield(hb, nh)) return false;
  const th = tail * SKB_HEADROOM + skb.transport[tail]!;
  const tf = hb[th + 13]!;
  if ((tf | flags) & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_URG)) return false;
  if (!(tf & flags & TCPHDR_ACK)) return false;
  if ((tf ^ flags) & (TCPHDR_ECE | TCPHDR_CWR)) return false;
  const ts = h * SKB_HEADROOM + skb.transport[h]!;
  const doff = hb[th + 12]! >> 4;
  if (doff !== hb[ts + 12]! >> 4) return false;
  for (let i = 20; i < doff * 4; i++) if (hb[th + i] !== hb[ts + i]) return false;
  return true;
}

/** ip_dsfield: IPv4 TOS, or IPv6 traffic class. */
function dsfield(hb: Uint8Array, ip: number): number {
  const v = hb[ip]! >> 4;
  return v === 4 ? hb[ip + 1]! : ((hb[ip]! & 0x0f) << 4) | (hb[ip + 1]! >> 4);
}

/** net/core/sock.c: __release_sock — each queued skb through tcp_v4_do_rcv, then sk_backlog.len = 0. */
export function releaseBacklog(t: TcpHost, sk: TcpSock, c: TcpConn, rcv: (sk: TcpSock, h: number, dataLen: number, frags: number, tailroom: number) => void): void {
  const bl = c.backlog;
  // the list is detached first (sk_backlog.head = tail = NULL; len stays until the end): a socket destroyed
  // by one of these skbs purges nothing, and the rest reach the closed socket below, each dropped once
  const n = bl.count;
  bl.count = 0;
  // nothing is queued while these run (processing takes no simulated time); 6.12 appends to the detached
  // list's successor, which this one-array backlog cannot hold apart from the entries still being read
  for (let i = 0; i < n; i++) {
    const h = bl.skb[i]!;
    bl.segs -= segsOf(t, h);
    if (sk.conn !== c) {
      // the socket closed while draining: tcp_rcv_state_process(TCP_CLOSE) discards
      t.dropSkb(h, "TCP_CLOSE");
      continue;
    }
    rcv(sk, h, bl.len[i]!, bl.frags[i]!, bl.room[i]!);
  }
  bl.segs = 0;
  bl.bytes = 0;
  c.backlogLen = 0;
}

/** Drop what a destroyed socket still had queued. */
export function purgeBacklog(t: TcpHost, c: TcpConn): void {
  const bl = c.backlog;
  for (let i = 0; i < bl.count; i++) t.dropSkb(bl.skb[i]!, "TCP_CLOSE");
  bl.count = 0;
  bl.segs = 0;
  bl.bytes = 0;
  c.backlogLen = 0;
}
