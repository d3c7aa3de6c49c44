// Pure ACKs from the server (10.0.0.2) injected straight into the client's
// tcp_rcv_state_process, for tests that drive a sender's loss recovery
// (RACK, undo, F-RTO) with hand-chosen ACK and SACK sequences.
import { expect } from "vitest";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import type { World } from "../../src/sim/world.js";
import type { TcpSock } from "../../src/tcp/sock.js";

export interface AckOpts {
  /** Carry the timestamp option (TSval 1000). Default true. */
  ts?: boolean;
  /** TSecr as a value of the sender's ms clock (0 = none). */
  tsecrMs?: number;
}

/** A pure ACK of `ackRel` bytes past the ISN + 1, with SACK blocks (relative); returns its skb handle. */
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
  s.seq = sk.rcvNxt;
  s.ack = (base + ackRel) >>> 0;
  s.flags = TCPHDR_ACK;
  s.window = 65535;
  if (o.ts ?? true) {
    s.ts = true;
    s.tsVal = 1000;
    const tsecr = o.tsecrMs ?? 0;
    s.tsEcr = tsecr === 0 ? 0 : (tsecr + sk.tsOff) >>> 0;
  }
  for (const [l, r] of sack) {
    s.sackL[s.sackN] = (base + l) >>> 0;
    s.sackR[s.sackN] = (base + r) >>> 0;
    s.sackN++;
  }
  writeSegment(core, h, s);
  const t = w.host("a").stack.tcp;
  t.rx.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
  tcpRcvState(t, sk, h);
  return h;
}

/** The client's only connection (host a), with its TCP host and nstat. */
export function clientConn(w: World) {
  const t = w.host("a").stack.tcp;
  const sk = [...[...t.ports.values()][0]!.conns.values()][0]! as TcpSock;
  expect(sk.conn).toBeDefined();
  return { t, sk, c: sk.conn!, n: w.host("a").nstat };
}
