// Segments to a request sock (net/ipv4/tcp_minisocks.c: tcp_check_req, 6.12), numbers derived from that
// function's order of checks:
// - a pure retransmitted SYN (seq rcv_isn, flags SYN only) resends the SYN-ACK;
// - an ACK without RST that does not ack snt_isn + 1 returns the listener, which resets it;
// - out of window (tcp_in_window over [rcv_nxt, rcv_nxt + min(rsk_rcv_wnd, 65535)]): an ACK unless it is an
//   RST, and NULL: an out-of-window RST leaves the request alone;
// - an in-window RST not at rcv_nxt: tcp_reqsk_send_challenge_ack (__tcp_oow_rate_limited on the request's
//   last_oow_ack_time: TCPACKSkippedChallenge; tcp_challenge_ack_allowed, INT_MAX by default: always;
//   TCPChallengeACK and the request's ACK), NULL: the request stays;
// - an RST (with or without ACK, whatever its ack) at rcv_nxt: AttemptFails, embryonic_reset: no RST back,
//   inet_csk_reqsk_queue_drop, EmbryonicRsts.
// The request: one bare SYN (syn-flood, a fixed spoofed source whose SYN-ACKs nobody answers) at 10.0.0.2:80;
// its SYN-ACK timer fires at 1 s, 3 s, ... Segments are injected through the server's tcp_v4_rcv (TcpHost.rcv).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { TCPHDR_ACK, TCPHDR_RST, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { TCP_NEW_SYN_RECV } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { serverWorld, synFlood } from "./helpers.js";
import { segmentToSock, sendPeerSegment } from "../tcpdata/peer-segment.js";

const S = 1e9;

interface Frame {
  flags: number;
  seq: number;
  ack: number;
  at: number;
}

interface Inject {
  at: number;
  flags: number;
  /** seq relative to the request's rcv_nxt */
  seqOff: number;
  /** ack relative to the request's snt_isn + 1 (default 0: the right one) */
  ackOff?: number;
  len?: number;
}

/** The server's frames (from 10.0.0.2) and, at each of `probes`, whether the request is still there. */
async function request(injects: Inject[], probes: number[] = [], sysctl: Record<string, number> = {}, durationNs = 2 * S) {
  const spec = serverWorld({ durationNs, sysctl }, [synFlood(1)]);
  const core = await createCore(coreConfigFor(spec));
  const frames: Frame[] = [];
  const tap = (h: number, at: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    if (b[ip + 9] !== 6 || b[ip + 15] !== 2) return;
    const th = ip + 20;
    const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    frames.push({ flags: b[th + 13]!, seq: u32(th + 4), ack: u32(th + 8), at });
  };
  const w = new World(core, spec, tap);
  const t = w.host("server").stack.tcp;
  const reqSock = (): TcpSock | null => {
    const pt = t.ports.get(80)!;
    const sk = [...pt.conns.values()][0] as TcpSock | undefined;
    return sk !== undefined && sk.state === TCP_NEW_SYN_RECV ? sk : null;
  };
  const alive: boolean[] = [];
  for (const p of probes) w.loop.at(p, w.loop.register("test: probe", () => alive.push(reqSock() !== null)), 0);
  let req: TcpSock | null = null;
  const before: number[] = [];
  for (const inj of injects) {
    w.loop.at(
      inj.at,
      w.loop.register("test: inject", () => {
        req ??= reqSock();
        expect(req).not.toBeNull();
        const seg = segmentToSock(req!, inj.flags, { seqOff: inj.seqOff, ackOff: inj.ackOff ?? 0, len: inj.len ?? 0 });
        before.push(frames.length);
        sendPeerSegment(t, seg);
      }),
      0,
    );
  }
  const result = w.run();
  // the server's frames sent at each injection's instant
  const replies = injects.map((inj, i) => frames.slice(before[i]).filter((f) => f.at >= inj.at && f.at - inj.at < 1e6));
  const n = w.host("server").nstat;
  const synacks = frames.filter((f) => f.flags === (TCPHDR_SYN | TCPHDR_ACK)).map((f) => f.at);
  return { req: req as TcpSock | null, frames, replies, alive, synacks, nstat: (k: string) => n.get(k), dropped: result.ledger.dropped, ledger: result.ledger };
}

describe("tcp_check_req: an RST to a request sock", () => {
  it("out of window (rcv_nxt + 10^7): ignored, no reply, the request stays and its SYN-ACK is retransmitted at 1 s", async () => {
    const r = await request([{ at: 0.5 * S, flags: TCPHDR_RST, seqOff: 10_000_000 }], [0.6 * S, 1.5 * S]);
    expect(r.replies[0]).toEqual([]);
    expect(r.alive).toEqual([true, true]);
    expect(r.nstat("TcpExtEmbryonicRsts")).toBe(0);
    expect(r.nstat("TcpAttemptFails")).toBe(0);
    // the first SYN-ACK at ~0 and its timer's retransmission at 1 s
    expect(r.synacks.length).toBe(2);
    expect(r.synacks[1]).toBeGreaterThanOrEqual(1 * S);
    expect(r.nstat("TcpExtTCPSynRetrans")).toBe(1);
  });

  it("in window but not at rcv_nxt (rcv_nxt + 10): one challenge ACK (snt_isn + 1, rcv_nxt), TCPChallengeACK 1, the request stays", async () => {
    const r = await request([{ at: 0.5 * S, flags: TCPHDR_RST, seqOff: 10 }], [0.6 * S]);
    const req = r.req!;
    expect(r.replies[0]).toEqual([{ flags: TCPHDR_ACK, seq: (req.iss + 1) >>> 0, ack: req.rcvNxt >>> 0, at: r.replies[0]![0]!.at }]);
    expect(r.nstat("TcpExtTCPChallengeACK")).toBe(1);
    expect(r.nstat("TcpExtEmbryonicRsts")).toBe(0);
    expect(r.alive).toEqual([true]);
    expect(r.nstat("TcpExtTCPSynRetrans")).toBe(1);
  });

  it("a second such RST 100 ms later is not answered: the request's last_oow_ack_time, TCPACKSkippedChallenge 1", async () => {
    const r = await request([
      { at: 0.5 * S, flags: TCPHDR_RST, seqOff: 10 },
      { at: 0.6 * S, flags: TCPHDR_RST, seqOff: 20 },
    ]);
    expect(r.replies.map((x) => x.length)).toEqual([1, 0]);
    expect(r.nstat("TcpExtTCPChallengeACK")).toBe(1);
    expect(r.nstat("TcpExtTCPACKSkippedChallenge")).toBe(1);
  });

  it("at rcv_nxt: the request is reset (AttemptFails 1, EmbryonicRsts 1), no reply", async () => {
    const r = await request([{ at: 0.5 * S, flags: TCPHDR_RST, seqOff: 0 }], [0.6 * S]);
    expect(r.replies[0]).toEqual([]);
    expect(r.alive).toEqual([false]);
    expect(r.nstat("TcpAttemptFails")).toBe(1);
    expect(r.nstat("TcpExtEmbryonicRsts")).toBe(1);
    expect(r.synacks.length).toBe(1);
  });

  it("RST|ACK with a wrong ack is not the listener's (no RST back): in window off rcv_nxt a challenge ACK, at rcv_nxt the reset", async () => {
    const off = await request([{ at: 0.5 * S, flags: TCPHDR_RST | TCPHDR_ACK, seqOff: 10, ackOff: 1000 }], [0.6 * S]);
    expect(off.replies[0]!.map((f) => f.flags)).toEqual([TCPHDR_ACK]);
    expect(off.nstat("TcpOutRsts")).toBe(0);
    expect(off.nstat("TcpExtTCPChallengeACK")).toBe(1);
    expect(off.alive).toEqual([true]);
    const at = await request([{ at: 0.5 * S, flags: TCPHDR_RST | TCPHDR_ACK, seqOff: 0, ackOff: 1000 }], [0.6 * S]);
    expect(at.replies[0]).toEqual([]);
    expect(at.nstat("TcpOutRsts")).toBe(0);
    expect(at.nstat("TcpExtEmbryonicRsts")).toBe(1);
    expect(at.alive).toEqual([false]);
  });
});

describe("tcp_check_req: one rate limit per request (tcp_rsk(req)->last_oow_ack_time, __tcp_oow_rate_limited in jiffies)", () => {
  it("two out-of-window pure ACKs 100 ms apart: one ACK back, TCPACKSkippedSynRecv 1", async () => {
    const r = await request([
      { at: 0.5 * S, flags: TCPHDR_ACK, seqOff: 1_000_000 },
      { at: 0.6 * S, flags: TCPHDR_ACK, seqOff: 1_000_000 },
    ]);
    expect(r.replies.map((x) => x.map((f) => f.flags))).toEqual([[TCPHDR_ACK], []]);
    expect(r.nstat("TcpExtTCPACKSkippedSynRecv")).toBe(1);
  });

  it("out-of-window data (no SYN) is never limited: two 100-byte segments 100 ms apart get an ACK each", async () => {
    const r = await request([
      { at: 0.5 * S, flags: TCPHDR_ACK, seqOff: 1_000_000, len: 100 },
      { at: 0.6 * S, flags: TCPHDR_ACK, seqOff: 1_000_000, len: 100 },
    ]);
    expect(r.replies.map((x) => x.length)).toEqual([1, 1]);
    expect(r.nstat("TcpExtTCPACKSkippedSynRecv")).toBe(0);
  });

  it("the retransmitted SYN's SYN-ACK and the out-of-window ACK share the stamp, both ways", async () => {
    const synFirst = await request([
      { at: 0.5 * S, flags: TCPHDR_SYN, seqOff: -1 },
      { at: 0.6 * S, flags: TCPHDR_ACK, seqOff: 1_000_000 },
    ]);
    expect(synFirst.replies.map((x) => x.map((f) => f.flags))).toEqual([[TCPHDR_SYN | TCPHDR_ACK], []]);
    expect(synFirst.nstat("TcpExtTCPACKSkippedSynRecv")).toBe(1);
    const ackFirst = await request([
      { at: 0.5 * S, flags: TCPHDR_ACK, seqOff: 1_000_000 },
      { at: 0.6 * S, flags: TCPHDR_SYN, seqOff: -1 },
    ]);
    expect(ackFirst.replies.map((x) => x.map((f) => f.flags))).toEqual([[TCPHDR_ACK], []]);
    expect(ackFirst.nstat("TcpExtTCPACKSkippedSynRecv")).toBe(1);
    // and with the challenge ACK's: a retransmitted SYN 100 ms after one is skipped (TCPACKSkippedSynRecv)
    const chal = await request([
      { at: 0.5 * S, flags: TCPHDR_RST, seqOff: 10 },
      { at: 0.6 * S, flags: TCPHDR_SYN, seqOff: -1 },
    ]);
    expect(chal.replies.map((x) => x.map((f) => f.flags))).toEqual([[TCPHDR_ACK], []]);
    expect(chal.nstat("TcpExtTCPACKSkippedSynRecv")).toBe(1);
  });

  it("jiffies, not ns: retransmitted SYNs at 100.9 ms (jiffy 100) and 600.0 ms (jiffy 600) are 500 jiffies apart, both answered", async () => {
    const r = await request([
      { at: 100.9e6, flags: TCPHDR_SYN, seqOff: -1 },
      { at: 600e6, flags: TCPHDR_SYN, seqOff: -1 },
    ]);
    expect(r.replies.map((x) => x.map((f) => f.flags))).toEqual([[TCPHDR_SYN | TCPHDR_ACK], [TCPHDR_SYN | TCPHDR_ACK]]);
    expect(r.nstat("TcpExtTCPACKSkippedSynRecv")).toBe(0);
  });

  it("the child does not inherit the request's stamp: a challenge ACK 10 ms after the request's is sent", async () => {
    const r = await request([
      { at: 0.5 * S, flags: TCPHDR_RST, seqOff: 10 },
      // the final ACK: the request becomes an ESTABLISHED child in the accept queue
      { at: 0.505 * S, flags: TCPHDR_ACK, seqOff: 0 },
      // an in-window RST off rcv_nxt to the child: tcp_validate_incoming's tcp_send_challenge_ack
      { at: 0.51 * S, flags: TCPHDR_RST, seqOff: 10 },
    ]);
    expect(r.replies.map((x) => x.map((f) => f.flags))).toEqual([[TCPHDR_ACK], [], [TCPHDR_ACK]]);
    expect(r.nstat("TcpPassiveOpens")).toBe(1);
    expect(r.nstat("TcpExtTCPChallengeACK")).toBe(2);
    expect(r.nstat("TcpExtTCPACKSkippedChallenge")).toBe(0);
  });
});

// Every NULL return of tcp_check_req ends in tcp_v4_rcv's discard_and_relse -> discard_it with drop_reason still
// 0 (SKB_NOT_DROPPED_YET, from tcp_inbound_hash), which SKB_DR_OR turns into SKB_DROP_REASON_NOT_SPECIFIED; an ACK
// it hands back to the listener (a wrong ack) is dropped by tcp_rcv_state_process's TCP_LISTEN case (TCP_FLAGS).
// The request's SYN-ACKs go to the spoofed source, which the client host drops (IP_INADDRERRORS).
describe("tcp_check_req: the ledger's reason for a segment it returns NULL for", () => {
  const reasons = (r: { dropped: Record<string, number> }) => Object.fromEntries(Object.entries(r.dropped).filter(([k]) => k !== "IP_INADDRERRORS"));

  it("a retransmitted SYN, answered with a SYN-ACK: NOT_SPECIFIED (not consumed)", async () => {
    const r = await request([{ at: 0.5 * S, flags: TCPHDR_SYN, seqOff: -1 }]);
    expect(r.replies[0]!.map((f) => f.flags)).toEqual([TCPHDR_SYN | TCPHDR_ACK]);
    expect(reasons(r)).toEqual({ NOT_SPECIFIED: 1 });
  });

  it("out of window (an ACK answers it) and PAWS-rejected alike: NOT_SPECIFIED (not TCP_OVERWINDOW)", async () => {
    const r = await request([{ at: 0.5 * S, flags: TCPHDR_ACK, seqOff: 1_000_000 }]);
    expect(r.replies[0]!.map((f) => f.flags)).toEqual([TCPHDR_ACK]);
    expect(reasons(r)).toEqual({ NOT_SPECIFIED: 1 });
  });

  it("an RST at rcv_nxt (embryonic reset): NOT_SPECIFIED (not TCP_RESET)", async () => {
    const r = await request([{ at: 0.5 * S, flags: TCPHDR_RST, seqOff: 0 }], [0.6 * S]);
    expect(r.alive).toEqual([false]);
    expect(reasons(r)).toEqual({ NOT_SPECIFIED: 1 });
  });

  it("a SYN in window past rcv_isn (embryonic reset, an RST back): NOT_SPECIFIED (not TCP_INVALID_SYN)", async () => {
    const r = await request([{ at: 0.5 * S, flags: TCPHDR_SYN, seqOff: 10 }], [0.6 * S]);
    // tcp_v4_send_reset to a segment without ACK: RST|ACK
    expect(r.replies[0]!.map((f) => f.flags)).toEqual([TCPHDR_RST | TCPHDR_ACK]);
    expect(r.alive).toEqual([false]);
    expect(r.nstat("TcpExtEmbryonicRsts")).toBe(1);
    expect(reasons(r)).toEqual({ NOT_SPECIFIED: 1 });
  });

  it("in-window data without ACK: silently NULL, NOT_SPECIFIED (not TCP_FLAGS); the request stays", async () => {
    const r = await request([{ at: 0.5 * S, flags: 0x08, seqOff: 0, len: 100 }], [0.6 * S]);
    expect(r.replies[0]).toEqual([]);
    expect(r.alive).toEqual([true]);
    expect(reasons(r)).toEqual({ NOT_SPECIFIED: 1 });
  });

  it("an in-window RST off rcv_nxt (challenge ACK): NOT_SPECIFIED; an ACK with a wrong ack: the listener's RST, TCP_FLAGS", async () => {
    const chal = await request([{ at: 0.5 * S, flags: TCPHDR_RST, seqOff: 10 }]);
    expect(reasons(chal)).toEqual({ NOT_SPECIFIED: 1 });
    const bad = await request([{ at: 0.5 * S, flags: TCPHDR_ACK, seqOff: 0, ackOff: 1000 }]);
    expect(bad.replies[0]!.map((f) => f.flags)).toEqual([TCPHDR_RST]);
    expect(reasons(bad)).toEqual({ TCP_FLAGS: 1 });
  });
});
