// A handshake injected into a listener (port 80 of host "server", 10.0.0.2): segments from a spoofed peer
// (198.51.100.7:40000) go straight into the server's tcp_v4_rcv (TcpHost.rcv); its replies are dropped by the
// client host. The listener runs a sink application, so the child gets its transfer state (tcp_init_transfer)
// at once. The server's SYN-ACKs are recorded (time, seq, TSval) for the ACK's ack and TSecr.
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { TCPHDR_ACK, TCPHDR_SYN } from "../../src/wire/tcp.js";
import type { TcpListenerConfig } from "../../src/tcp/tcp-host.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { TCP_ESTABLISHED } from "../../src/tcp/constants.js";
import { host, link, world } from "../sim/spec-helpers.js";

export const MS = 1e6;
const PEER = [198, 51, 100, 7];
const PEER_ISN = 1_000_000;
const PEER_PORT = 40000;

export interface Inject {
  at: number;
  flags: number;
  /** with a timestamp option: TSval, and TSecr as a function of the server's SYN-ACKs' TSvals so far */
  ts?: { val: number; ecr: (synAckTsvals: number[]) => number };
  /** a SYN's MSS option (1460 if not given) */
  mss?: number;
}

export interface SynAck {
  seq: number;
  tsval: number;
  at: number;
}

/** The server's SYN-ACK frames: seq and TSval (0 without timestamps). */
function synAckOf(b: Uint8Array, ip: number, at: number): SynAck | null {
  if (b[ip + 9] !== 6 || b[ip + 15] !== 2) return null;
  const th = ip + 20;
  if (b[th + 13] !== (TCPHDR_SYN | TCPHDR_ACK)) return null;
  const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  let tsval = 0;
  const end = th + (b[th + 12]! >> 4) * 4;
  for (let p = th + 20; p < end; ) {
    const kind = b[p]!;
    if (kind === 0) break;
    if (kind === 1) {
      p++;
      continue;
    }
    if (kind === 8) tsval = u32(p + 2);
    p += b[p + 1]!;
  }
  return { seq: u32(th + 4), tsval, at };
}

/** One handshake at the server's port 80: the injected SYN and later segments; the child that reached
 *  ESTABLISHED (or null), the SYN-ACKs and the server's nstat. */
export async function handshake(injects: Inject[], sysctl: Record<string, number> = {}, durationNs = 2000 * MS, rcvbuf?: number) {
  // `rcvbuf`: the listener's SO_RCVBUF
  const l: TcpListenerConfig = { port: 80, backlog: 128, accept: false, app: { kind: "sink", ...(rcvbuf !== undefined ? { rcvbuf } : {}) } };
  const spec = world([host("server", 2, { listeners: [l], sysctl }), host("client", 1)], [link("client", "server")], [], { durationNs });
  const core = await createCore(coreConfigFor(spec));
  const synacks: SynAck[] = [];
  const tap = (h: number, at: number) => {
    const s = synAckOf(core.headers, h * SKB_HEADROOM + core.skb.network[h]!, at);
    if (s !== null) synacks.push(s);
  };
  const w = new World(core, spec, tap);
  const t = w.host("server").stack.tcp;
  for (const inj of injects) {
    w.loop.at(
      inj.at,
      w.loop.register("test: inject", () => {
        const h = core.allocOne(w.loop.now);
        w.ledger.create(1);
        const s = new SegOut();
        s.src = Uint8Array.from(PEER);
        s.dst = Uint8Array.of(10, 0, 0, 2);
        s.sport = PEER_PORT;
        s.dport = 80;
        s.flags = inj.flags;
        s.window = 65535;
        if (inj.flags & TCPHDR_SYN) {
          s.seq = PEER_ISN;
          s.mss = inj.mss ?? 1460;
          s.wscale = 7;
          s.sackPerm = true;
        } else {
          s.seq = PEER_ISN + 1;
          // the last SYN-ACK's seq is snt_isn (a cookie's too)
          s.ack = (synacks[synacks.length - 1]!.seq + 1) >>> 0;
        }
        if (inj.ts !== undefined) {
          s.ts = true;
          s.tsVal = inj.ts.val;
          s.tsEcr = inj.ts.ecr(synacks.map((x) => x.tsval)) >>> 0;
        }
        writeSegment(core, h, s);
        t.rcv(h);
      }),
      0,
    );
  }
  w.run();
  const pt = t.ports.get(80)!;
  const child = [...pt.conns.values()].find((sk) => (sk as TcpSock).state === TCP_ESTABLISHED) as TcpSock | undefined;
  return { child: child ?? null, synacks, nstat: (k: string) => w.host("server").nstat.get(k) };
}

export const SYN = (at: number, ts?: Inject["ts"], mss?: number): Inject => ({ at, flags: TCPHDR_SYN, ...(ts ? { ts } : {}), ...(mss !== undefined ? { mss } : {}) });
export const ACK = (at: number, ts?: Inject["ts"]): Inject => ({ at, flags: TCPHDR_ACK, ...(ts ? { ts } : {}) });
export const last = (v: number[]) => v[v.length - 1]!;
