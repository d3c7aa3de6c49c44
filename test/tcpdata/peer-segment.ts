// A segment from a peer, built by hand and handed to a host's tcp_v4_rcv (TcpHost.rcv): for tests that drive a
// request sock (tcp_check_req), a listener's cookie check or a socket lookup with segments no modelled peer
// sends. One skb per call, counted created in the ledger (it ends delivered to a socket or dropped).
// inject.ts has the other injectors: ACKs into an established client's tcp_rcv_state_process, and data
// segments parsed for the server's receive path.
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { setPayloadLen } from "../../src/wire/skb-headers.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import type { TcpHost } from "../../src/tcp/tcp-host.js";
import type { TcpSock } from "../../src/tcp/sock.js";

export interface PeerSegment {
  src: ArrayLike<number>;
  /** Default 10.0.0.2 (the server of the tcp and tcpdata test worlds). */
  dst?: ArrayLike<number>;
  sport: number;
  dport: number;
  seq: number;
  /** Default 0. */
  ack?: number;
  flags: number;
  /** The 16-bit window field (default 65535). */
  window?: number;
  /** An MSS option (a SYN's). */
  mss?: number;
  /** Payload bytes (zero-filled; default none). */
  len?: number;
  /** A timestamps option [TSval, TSecr] (NOP, NOP, TS; default none). */
  ts?: [number, number];
}

/** Build `p` into a new skb and hand it to `t`'s tcp_v4_rcv; returns its handle. */
export function sendPeerSegment(t: TcpHost, p: PeerSegment): number {
  const core = t.core;
  const h = t.env.alloc();
  const s = new SegOut();
  s.src = Uint8Array.from(p.src);
  s.dst = Uint8Array.from(p.dst ?? [10, 0, 0, 2]);
  s.sport = p.sport;
  s.dport = p.dport;
  s.seq = p.seq >>> 0;
  s.ack = (p.ack ?? 0) >>> 0;
  s.flags = p.flags;
  s.window = p.window ?? 65535;
  if (p.mss !== undefined) s.mss = p.mss;
  if (p.ts !== undefined) {
    s.ts = true;
    s.tsVal = p.ts[0] >>> 0;
    s.tsEcr = p.ts[1] >>> 0;
  }
  writeSegment(core, h, s);
  if ((p.len ?? 0) > 0) setPayloadLen(core, h, p.len!);
  t.rcv(h);
  return h;
}

/** A segment from `sk`'s peer (a request sock's or a full socket's) to `sk`: seq = rcv_nxt + `seqOff`; with ACK,
 *  ack = snt_isn + 1 + `ackOff` (a full socket: pass ackOff = snd_nxt − iss − 1 for its snd_nxt), else 0. */
export function segmentToSock(sk: TcpSock, flags: number, o: { seqOff?: number; ackOff?: number; len?: number; window?: number } = {}): PeerSegment {
  return {
    src: sk.raddr,
    sport: sk.rport,
    dport: sk.lport,
    seq: sk.rcvNxt + (o.seqOff ?? 0),
    ack: flags & TCPHDR_ACK ? sk.iss + 1 + (o.ackOff ?? 0) : 0,
    flags,
    ...(o.window !== undefined ? { window: o.window } : {}),
    ...(o.len !== undefined ? { len: o.len } : {}),
  };
}
