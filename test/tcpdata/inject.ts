// Hand-built segments between the pair's hosts, injected straight into TCP:
// pure ACKs from the server (10.0.0.2) into the client's tcp_rcv_state_process,
// for tests that drive a sender's loss recovery (RACK, undo, F-RTO), and data
// segments from the client (10.0.0.1) parsed for the server's receive path.
import { expect } from "vitest";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { setPayloadLen } from "../../src/wire/skb-headers.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { tcpRcvEstablished } from "../../src/tcp/fast-path.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import type { World } from "../../src/sim/world.js";
import type { TcpSock } from "../../src/tcp/sock.js";

export interface AckOpts {
  /** Carry the timestamp option (TSval: the socket's ts_recent, which passes PAWS). Default true. */
  ts?: boolean;
  /** TSecr as a value of the sender's ms clock (0 = none). */
  tsecrMs?: number;
  /** The 16-bit window field (default 65535). */
  window?: number;
  /** gso_segs of the skb: that many identical pure ACKs coalesced by tcp_add_backlog (default 0: one). */
  segs?: number;
  /** Carry this many payload bytes at the socket's rcv_nxt + `seqOff` (default 0 and 0: a pure ACK). */
  payload?: number;
  seqOff?: number;
  /** The flags (default ACK). */
  flags?: number;
  /** Hand it to tcp_v4_do_rcv's tcp_rcv_established (header prediction first) instead of the slow path. */
  established?: boolean;
}

/** An ACK of `ackRel` bytes past the ISN + 1, with SACK blocks (relative) and, optionally, data; returns its skb
 *  handle. */
export function injectAck(w: World, sk: TcpSock, ackRel: number, sack: [number, number][] = [], o: AckOpts = {}): number {
  const core = w.core;
  const h = core.allocOne(w.loop.now);
  w.ledger.create(1);
  const base = sk.iss + 1;
  const s = new SegOut();
  s.src = Uint8Array.of(10, 0, 0, 2);
  s.dst = Uint8Array.of(10, 0, 0, 1);
  s.sport = sk.rport;
  s.dport = sk.lport;
  s.seq = (sk.rcvNxt + (o.seqOff ?? 0)) >>> 0;
  s.ack = (base + ackRel) >>> 0;
  s.flags = o.flags ?? TCPHDR_ACK;
  s.window = o.window ?? 65535;
  if (o.ts ?? true) {
    s.ts = true;
    s.tsVal = sk.tsRecent; // the peer's last TSval: passes PAWS (tcp_paws_discard)
    const tsecr = o.tsecrMs ?? 0;
    s.tsEcr = tsecr === 0 ? 0 : (tsecr + sk.tsOff) >>> 0;
  }
  for (const [l, r] of sack) {
    s.sackL[s.sackN] = (base + l) >>> 0;
    s.sackR[s.sackN] = (base + r) >>> 0;
    s.sackN++;
  }
  writeSegment(core, h, s);
  if ((o.payload ?? 0) > 0) setPayloadLen(core, h, o.payload!);
  core.skb.gsoSegs[h] = o.segs ?? 0;
  const t = w.host("a").stack.tcp;
  t.rx.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
  if (o.established === true) tcpRcvEstablished(t, sk, h);
  else tcpRcvState(t, sk, h);
  return h;
}

/** The client's only connection (host a), with its TCP host and nstat. */
export function clientConn(w: World) {
  const t = w.host("a").stack.tcp;
  const sk = [...[...t.ports.values()][0]!.conns.values()][0]! as TcpSock;
  expect(sk.conn).toBeDefined();
  return { t, sk, c: sk.conn!, n: w.host("a").nstat };
}

/** A segment from the client to the server's socket `sk`: `len` payload bytes
 *  at rcv_nxt + off, with a TS option when tsVal is given; parsed into the
 *  server's rx view but not yet processed; `ack` as given (default snd_nxt). Returns its skb handle. */
export function clientSegment(w: World, sk: TcpSock, off: number, len: number, flags = TCPHDR_ACK, tsVal?: number, ack = sk.sndNxt, window = 1000): number {
  const core = w.core;
  const h = core.allocOne(w.loop.now);
  w.ledger.create(1);
  const s = new SegOut();
  s.src = Uint8Array.of(10, 0, 0, 1);
  s.dst = Uint8Array.of(10, 0, 0, 2);
  s.sport = sk.rport;
  s.dport = sk.lport;
  s.seq = (sk.rcvNxt + off) >>> 0;
  s.ack = ack;
  s.flags = flags;
  s.window = window;
  if (tsVal !== undefined) {
    s.ts = true;
    s.tsVal = tsVal;
    s.tsEcr = 0;
  }
  writeSegment(core, h, s);
  if (len > 0) setPayloadLen(core, h, len);
  const t = w.host("b").stack.tcp;
  t.rx.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
  return h;
}
