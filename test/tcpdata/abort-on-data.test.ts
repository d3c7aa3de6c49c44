// Data after close(): 6.12's tcp_rcv_state_process, step 7 ("RFC 793 says to queue data in these states, RFC 1122
// says we MUST send a reset"). In FIN_WAIT1 and FIN_WAIT2 with RCV_SHUTDOWN (tcp_close sets SHUTDOWN_MASK), and in
// CLOSE_WAIT / CLOSING / LAST_ACK (tcp_fin set RCV_SHUTDOWN) for a segment whose seq is before rcv_nxt, a segment
// with `end_seq != seq && after(end_seq - th->fin, rcv_nxt)` counts TCPAbortOnData, tcp_reset closes the socket
// (tcp_done: TCP_CLOSE, EstabResets only from ESTABLISHED / CLOSE_WAIT), and tcp_v4_do_rcv answers with
// tcp_v4_send_reset(sk, skb): an RST at the segment's ack_seq carrying the socket's sk_txhash; the skb is dropped
// TCP_ABORT_ON_DATA. Not only on the segment that ACKs our FIN (tcp_rcv_state_process's FIN_WAIT1 case, step 5).
// The client a sends 1000 bytes and closes (FIN_WAIT1); the server b (sink, accepted) closes at a's FIN (LAST_ACK).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { setPayloadLen } from "../../src/wire/skb-headers.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_LAST_ACK } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { pair, bulk } from "./helpers.js";

const S = 1e9;

interface Frame {
  flags: number;
  seq: number;
  ack: number;
  at: number;
  hash: number;
}

interface Case {
  /** the host whose socket takes the segment */
  to: "a" | "b";
  at: number;
  flags: number;
  /** seq = rcv_nxt + seqOff, ack = snd_nxt + ackOff */
  seqOff: number;
  ackOff: number;
  len: number;
  /** frames of the other host lost on the wire (by flags and payload length) */
  lose: (flags: number, len: number) => boolean;
  clientSysctl?: Record<string, number>;
}

async function inject(k: Case) {
  const spec = pair({ durationNs: k.at + 0.01 * S, delayNs: 50_000, clientSysctl: k.clientSysctl ?? {} }, [bulk({ bytes: 1000 })]);
  const core = await createCore(coreConfigFor(spec));
  const me = k.to === "a" ? 1 : 2;
  const frames: Frame[] = [];
  let dirs: { config: { loss: number } }[] = [];
  const tap = (h: number, at: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    const th = ip + 20;
    const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    const from = b[ip + 15]!;
    const flags = b[th + 13]!;
    if (from === me) frames.push({ flags, seq: u32(th + 4), ack: u32(th + 8), at, hash: core.skb.hash[h]! });
    const len = ((b[ip + 2]! << 8) | b[ip + 3]!) - 20 - (b[th + 12]! >> 4) * 4;
    const l = from !== me && k.lose(flags, len) ? 1 : 0;
    for (const d of dirs) d.config.loss = l;
  };
  const w = new World(core, spec, tap);
  dirs = (w as unknown as { directions: { config: { loss: number } }[] }).directions;
  const t = w.host(k.to).stack.tcp;
  const sock = (): TcpSock | null => {
    for (const pt of t.ports.values()) for (const s of pt.conns.values()) return s as TcpSock;
    return null;
  };
  let seen: { state: number; tw: boolean; rcvNxt: number; sndNxt: number; txhash: number } | null = null;
  let from = 0;
  w.loop.at(
    k.at,
    w.loop.register("test: inject", () => {
      const sk = sock()!;
      seen = { state: sk.state, tw: sk.tw, rcvNxt: sk.rcvNxt, sndNxt: sk.sndNxt, txhash: sk.txhash };
      const h = core.allocOne(w.loop.now);
      w.ledger.create(1);
      const s = new SegOut();
      s.src = Uint8Array.of(10, 0, 0, 3 - me);
      s.dst = Uint8Array.of(10, 0, 0, me);
      s.sport = sk.rport;
      s.dport = sk.lport;
      s.seq = (sk.rcvNxt + k.seqOff) >>> 0;
      s.ack = k.flags & TCPHDR_ACK ? (sk.sndNxt + k.ackOff) >>> 0 : 0;
      s.flags = k.flags;
      s.window = 65535;
      writeSegment(core, h, s);
      if (k.len > 0) setPayloadLen(core, h, k.len);
      from = frames.length;
      t.rcv(h);
    }),
    0,
  );
  // the target host's drops from the injection on
  const drops: string[] = [];
  const host = t as unknown as { dropSkb: (h: number, reason: string) => void };
  const dropSkb = host.dropSkb.bind(t);
  host.dropSkb = (h, reason) => {
    if (w.loop.now >= k.at) drops.push(reason);
    dropSkb(h, reason);
  };
  let after: number | null = -1;
  w.loop.at(k.at + 1, w.loop.register("test: after", () => (after = sock()?.state ?? null)), 0);
  const result = w.run();
  const replies = frames.slice(from).filter((f) => f.at >= k.at && f.at - k.at < 1e6);
  return { seen: seen!, after, replies, drops, nstat: w.host(k.to).nstat, dropped: result.ledger.dropped, unaccounted: result.ledger.unaccounted };
}

const serverFin = (flags: number) => (flags & TCPHDR_FIN) !== 0;
const serverAll = (flags: number) => !(flags & TCPHDR_SYN);
/** the client's pure ACKs after the handshake's (its ACK of b's FIN): b stays in LAST_ACK */
function clientLateAcks(): (flags: number, len: number) => boolean {
  let n = 0;
  return (flags, len) => flags === TCPHDR_ACK && len === 0 && n++ > 0;
}

describe("tcp_rcv_state_process step 7: new data after close() resets (TCPAbortOnData)", () => {
  it("a full FIN_WAIT2 socket (tcp_fin_timeout 61): 100 bytes at rcv_nxt -> RST at the ack with sk_txhash, socket gone", async () => {
    const r = await inject({ to: "a", at: 0.5 * S, flags: TCPHDR_ACK, seqOff: 0, ackOff: 0, len: 100, lose: serverFin, clientSysctl: { "net.ipv4.tcp_fin_timeout": 61 } });
    expect(r.seen).toMatchObject({ state: TCP_FIN_WAIT2, tw: false });
    expect(r.replies.map((f) => [f.flags, f.seq, f.hash])).toEqual([[TCPHDR_RST, r.seen.sndNxt, r.seen.txhash]]);
    expect(r.seen.txhash).not.toBe(0);
    expect(r.after).toBe(null);
    expect(r.nstat.get("TcpExtTCPAbortOnData")).toBe(1);
    expect(r.nstat.get("TcpOutRsts")).toBe(1);
    expect(r.nstat.get("TcpEstabResets")).toBe(0);
    expect(r.dropped.TCP_ABORT_ON_DATA).toBe(1);
    expect(r.unaccounted).toBe(0);
  });

  it("a full FIN_WAIT2 socket: a bare FIN out of order (rcv_nxt + 10) -> RST (\"Receive out of order FIN after close()\")", async () => {
    const r = await inject({ to: "a", at: 0.5 * S, flags: TCPHDR_ACK | TCPHDR_FIN, seqOff: 10, ackOff: 0, len: 0, lose: serverFin, clientSysctl: { "net.ipv4.tcp_fin_timeout": 61 } });
    expect(r.seen).toMatchObject({ state: TCP_FIN_WAIT2, tw: false });
    expect(r.replies.map((f) => [f.flags, f.seq])).toEqual([[TCPHDR_RST, r.seen.sndNxt]]);
    expect(r.after).toBe(null);
    expect(r.nstat.get("TcpExtTCPAbortOnData")).toBe(1);
    expect(r.dropped.TCP_ABORT_ON_DATA).toBe(1);
  });

  it("FIN_WAIT1 (our FIN not yet ACKed: ack = snd_nxt - 1): 100 bytes at rcv_nxt -> RST at that ack, socket gone", async () => {
    // every segment of b but its SYN-ACK is lost: a's data and FIN stay unacknowledged (FIN_WAIT1)
    const r = await inject({ to: "a", at: 0.1 * S, flags: TCPHDR_ACK, seqOff: 0, ackOff: -1, len: 100, lose: serverAll });
    expect(r.seen).toMatchObject({ state: TCP_FIN_WAIT1 });
    expect(r.replies.map((f) => [f.flags, f.seq, f.hash])).toEqual([[TCPHDR_RST, (r.seen.sndNxt - 1) >>> 0, r.seen.txhash]]);
    expect(r.after).toBe(null);
    expect(r.nstat.get("TcpExtTCPAbortOnData")).toBe(1);
    expect(r.nstat.get("TcpEstabResets")).toBe(0);
    expect(r.dropped.TCP_ABORT_ON_DATA).toBe(1);
  });

  it("LAST_ACK: data from before rcv_nxt reaching past the peer's FIN (seq = rcv_nxt - 1, 100 bytes) -> RST", async () => {
    // a's ACK of b's FIN is lost: b stays in LAST_ACK; the segment does not ACK b's FIN (ack = snd_nxt - 1)
    const r = await inject({ to: "b", at: 0.1 * S, flags: TCPHDR_ACK, seqOff: -1, ackOff: -1, len: 100, lose: clientLateAcks() });
    expect(r.seen).toMatchObject({ state: TCP_LAST_ACK });
    expect(r.replies.map((f) => [f.flags, f.seq, f.hash])).toEqual([[TCPHDR_RST, (r.seen.sndNxt - 1) >>> 0, r.seen.txhash]]);
    expect(r.after).toBe(null);
    expect(r.nstat.get("TcpExtTCPAbortOnData")).toBe(1);
    expect(r.nstat.get("TcpEstabResets")).toBe(0);
    expect(r.dropped.TCP_ABORT_ON_DATA).toBe(1);
  });

  it("guards: a bare ACK to a full FIN_WAIT2 socket and a bare retransmitted FIN to LAST_ACK carry nothing new: no reset", async () => {
    const r = await inject({ to: "a", at: 0.5 * S, flags: TCPHDR_ACK, seqOff: 0, ackOff: 0, len: 0, lose: serverFin, clientSysctl: { "net.ipv4.tcp_fin_timeout": 61 } });
    expect(r.seen).toMatchObject({ state: TCP_FIN_WAIT2, tw: false });
    expect(r.replies).toEqual([]);
    expect(r.after).toBe(TCP_FIN_WAIT2);
    expect(r.nstat.get("TcpExtTCPAbortOnData")).toBe(0);
    const f = await inject({ to: "b", at: 0.1 * S, flags: TCPHDR_ACK | TCPHDR_FIN, seqOff: -1, ackOff: -1, len: 0, lose: clientLateAcks() });
    expect(f.seen).toMatchObject({ state: TCP_LAST_ACK });
    expect(f.after).toBe(TCP_LAST_ACK);
    expect(f.nstat.get("TcpExtTCPAbortOnData")).toBe(0);
    expect(f.replies.every((x) => !(x.flags & TCPHDR_RST))).toBe(true);
  });
});

describe("tcp_rcv_state_process step 7: CLOSE_WAIT / CLOSING / LAST_ACK take nothing at or past rcv_nxt", () => {
  // the switch's `if (!before(seq, rcv_nxt)) break;`: not queued (queued = 0), so `discard:` tcp_drop_reason with
  // the NOT_SPECIFIED reason set after tcp_ack; no ACK is owed (tcp_ack_snd_check finds none scheduled)
  it("LAST_ACK: a pure ACK at rcv_nxt that does not ACK our FIN is dropped NOT_SPECIFIED (tcp_ack took its ACK field)", async () => {
    const r = await inject({ to: "b", at: 0.1 * S, flags: TCPHDR_ACK, seqOff: 0, ackOff: -1, len: 0, lose: clientLateAcks() });
    expect(r.seen).toMatchObject({ state: TCP_LAST_ACK });
    expect(r.replies).toEqual([]);
    expect(r.after).toBe(TCP_LAST_ACK);
    expect(r.drops).toEqual(["NOT_SPECIFIED"]);
  });

  it("LAST_ACK: 100 bytes at rcv_nxt (past the peer's FIN) are neither queued nor ACKed, no reset: dropped NOT_SPECIFIED", async () => {
    const r = await inject({ to: "b", at: 0.1 * S, flags: TCPHDR_ACK, seqOff: 0, ackOff: -1, len: 100, lose: clientLateAcks() });
    expect(r.replies).toEqual([]);
    expect(r.after).toBe(TCP_LAST_ACK);
    expect(r.nstat.get("TcpExtTCPAbortOnData")).toBe(0);
    expect(r.drops).toEqual(["NOT_SPECIFIED"]);
  });
});
