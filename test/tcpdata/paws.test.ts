// RFC 7323 PAWS as 6.12 applies it, hand-derived from include/net/tcp.h (tcp_paws_check, tcp_paws_reject,
// TCP_PAWS_WRAP = INT_MAX / USEC_PER_SEC = 2147 s, TCP_PAWS_MSL = 60 s, TCP_PAWS_WINDOW = 1) and
// net/ipv4/tcp_input.c (tcp_validate_incoming, tcp_paws_discard, tcp_disordered_ack, tcp_send_dupack,
// tcp_replace_ts_recent, tcp_rcv_synsent_state_process), net/ipv4/tcp_minisocks.c (tcp_check_req,
// tcp_timewait_state_process). The model's hosts have been up UP = 300 s when a run starts:
// ktime_get_seconds() = UP + floor(now / 1 s).
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { setPayloadLen } from "../../src/wire/skb-headers.js";
import { TCPHDR_ACK, TCPHDR_RST, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { TCP_ESTABLISHED, TCP_NEW_SYN_RECV, TCP_SYN_SENT, TCP_TIME_WAIT } from "../../src/tcp/constants.js";
import { ListenSock, type TcpSock } from "../../src/tcp/sock.js";
import type { TcpHost } from "../../src/tcp/tcp-host.js";
import type { LinkConfig } from "../../src/net/link.js";

import { HOST_UPTIME_AT_START_S as UP } from "../../src/tcp/paws.js";

const S = 1e9;

/** What host `t` sends (its TCP output) and drops from now on. */
function spy(t: TcpHost) {
  const sent: number[] = [];
  const drops: string[] = [];
  const host = t as unknown as { output: (h: number) => boolean; dropSkb: (h: number, reason: string) => void };
  const output = host.output;
  const dropSkb = host.dropSkb;
  host.output = (h) => {
    sent.push(t.core.skb.len[h]!);
    return output(h);
  };
  host.dropSkb = (h, reason) => {
    drops.push(reason);
    dropSkb(h, reason);
  };
  return { sent, drops };
}

/** A segment from 10.0.0.`from` to 10.0.0.`to` through host `t`'s tcp_v4_rcv (TcpHost.rcv). */
function inject(w: World, t: TcpHost, from: number, to: number, sport: number, dport: number, seq: number, ack: number, flags: number, ts: [number, number] | null, len = 0): void {
  const core = w.core;
  const h = core.allocOne(w.loop.now);
  w.ledger.create(1);
  const s = new SegOut();
  s.src = Uint8Array.of(10, 0, 0, from);
  s.dst = Uint8Array.of(10, 0, 0, to);
  s.sport = sport;
  s.dport = dport;
  s.seq = seq >>> 0;
  s.ack = ack >>> 0;
  s.flags = flags;
  s.window = 1000;
  if (ts !== null) {
    s.ts = true;
    s.tsVal = ts[0] >>> 0;
    s.tsEcr = ts[1] >>> 0;
  }
  writeSegment(core, h, s);
  if (len > 0) setPayloadLen(core, h, len);
  t.rcv(h);
}

/** The server's socket of a bulk flow a -> b stopped after 2 ms (its reader stopped), with spies. */
async function established() {
  const r = await runWorld(pair({ durationNs: 2e6 }, [bulk()]));
  const t = r.w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  const c = sk.conn!;
  c.readRate = 0;
  const nstat = r.w.host("b").nstat;
  const n0 = (name: string) => nstat.get(name);
  const base = { estab: n0("TcpExtPAWSEstab"), skipped: n0("TcpExtTCPACKSkippedPAWS"), lost: n0("TcpExtDelayedACKLost"), dsack: n0("TcpExtTCPDSACKOldSent") };
  const s = spy(t);
  /** `len` bytes at rcv_nxt + off with TSval ts_recent - `age`; flags default ACK. */
  const seg = (off: number, len: number, age: number, flags = TCPHDR_ACK) => tcpRcvState(t, sk, clientSegment(r.w, sk, off, len, flags, (sk.tsRecent - age) >>> 0));
  return {
    w: r.w,
    t,
    sk,
    c,
    ...s,
    seg,
    estab: () => nstat.get("TcpExtPAWSEstab") - base.estab,
    skipped: () => nstat.get("TcpExtTCPACKSkippedPAWS") - base.skipped,
    lost: () => nstat.get("TcpExtDelayedACKLost") - base.lost,
    dsack: () => nstat.get("TcpExtTCPDSACKOldSent") - base.dsack,
  };
}

describe("tcp_validate_incoming: PAWS on an established socket (tcp_paws_discard)", () => {
  it("data at rcv_nxt with TSval ts_recent - 2 (beyond TCP_PAWS_WINDOW 1): PAWSEstab, a dup ACK, dropped TCP_RFC7323_PAWS, nothing queued", async () => {
    const e = await established();
    const nxt = e.c.rcvNxt;
    e.seg(0, 1000, 2);
    expect(e.estab()).toBe(1);
    expect(e.sent.length).toBe(1);
    expect(e.drops).toEqual(["TCP_RFC7323_PAWS"]);
    expect(e.c.rcvNxt).toBe(nxt);
    // tcp_send_dupack: seq is not below rcv_nxt, so no DelayedACKLost and no D-SACK
    expect(e.lost()).toBe(0);
  });

  it("TSval ts_recent - 1 is within TCP_PAWS_WINDOW: queued; tcp_replace_ts_recent's tcp_paws_check(0) keeps ts_recent", async () => {
    const e = await established();
    const nxt = e.c.rcvNxt;
    const ts = e.sk.tsRecent;
    e.seg(0, 1000, 1);
    expect(e.estab()).toBe(0);
    expect(e.drops).toEqual([]);
    expect(e.c.rcvNxt).toBe(nxt + 1000);
    expect(e.sk.tsRecent).toBe(ts);
  });

  it("an old retransmission below rcv_nxt: tcp_send_dupack counts DelayedACKLost and D-SACKs it", async () => {
    const e = await established();
    e.seg(-1000, 1000, 5);
    expect(e.estab()).toBe(1);
    expect(e.lost()).toBe(1);
    expect(e.dsack()).toBe(1);
    expect(e.sent.length).toBe(1);
    expect(e.drops).toEqual(["TCP_RFC7323_PAWS"]);
  });

  it("pure ACKs: the dup ACK is rate limited (tcp_oow_rate_limited, 500 ms: TCPACKSkippedPAWS); data never is", async () => {
    const e = await established();
    // window 1000 << snd_wscale differs from snd_wnd: tcp_may_update_window, so never a disordered ACK
    e.seg(0, 0, 10);
    e.seg(0, 0, 10);
    expect(e.estab()).toBe(2);
    expect(e.skipped()).toBe(1);
    expect(e.sent.length).toBe(1);
    e.seg(0, 100, 10);
    expect(e.estab()).toBe(3);
    expect(e.sent.length).toBe(2);
    expect(e.drops).toEqual(["TCP_RFC7323_PAWS", "TCP_RFC7323_PAWS", "TCP_RFC7323_PAWS"]);
  });

  it("tcp_disordered_ack: a pure duplicate ACK that updates no window passes within icsk_rto * 1200 / HZ ticks, not beyond", async () => {
    const e = await established();
    // a first pure ACK with a fresh TSval sets snd_wl1 = rcv_nxt and snd_wnd = 1000 << snd_wscale
    e.seg(0, 0, 0);
    expect(e.c.sndWl1).toBe(e.c.rcvNxt);
    // icsk_rto: the server's sample from the handshake (tcp_synack_rtt_meas, ~100 us over the 50 us links): 100 us
    // + TCP_RTO_MIN, rounded up to 201 jiffies; tcp_tsval_replay = 201 * 1200 / HZ = 241 (u32 division)
    expect(Math.floor(e.c.icskRtoUs() / 1000)).toBe(201);
    e.seg(0, 0, 241);
    expect(e.estab()).toBe(0);
    expect(e.drops).toEqual([]);
    e.seg(0, 0, 242);
    expect(e.estab()).toBe(1);
    expect(e.drops).toEqual(["TCP_RFC7323_PAWS"]);
  });

  it("an RST is accepted even if it did not pass PAWS: it resets the connection", async () => {
    const e = await established();
    e.seg(0, 0, 1000, TCPHDR_RST | TCPHDR_ACK);
    expect(e.estab()).toBe(0);
    expect(e.t.states().ESTABLISHED ?? 0).toBe(0);
  });

  it("TCP_PAWS_WRAP: at 2147 s after ts_recent_stamp (the host's uptime at the run's start here) the old TSval passes and becomes ts_recent; 1 ms before, it is rejected", async () => {
    const e = await established();
    expect(e.sk.tsRecentStamp).toBe(UP);
    const old = (e.sk.tsRecent - 5000) >>> 0;
    e.w.loop.now = 2147 * S - 1e6;
    e.seg(0, 100, 5000);
    expect(e.estab()).toBe(1);
    e.w.loop.now = 2147 * S;
    const nxt = e.c.rcvNxt;
    e.seg(0, 100, 5000);
    expect(e.estab()).toBe(1);
    expect(e.c.rcvNxt).toBe(nxt + 100);
    // tcp_replace_ts_recent (seq at rcv_wup): tcp_paws_check(0) holds by the expiry: stored, stamped 2147 s later
    expect(e.sk.tsRecent).toBe(old);
    expect(e.sk.tsRecentStamp).toBe(UP + 2147);
  });
});

describe("tcp_rcv_synsent_state_process: PAWSActive", () => {
  /** A client 10 us after connect(): its SYN is in flight (50 us one way). */
  async function synSent() {
    const r = await runWorld(pair({ durationNs: 10_000 }, [bulk()]));
    const t = r.w.host("a").stack.tcp;
    const sk = [...[...t.ports.values()][0]!.conns.values()][0]! as TcpSock;
    expect(sk.state).toBe(TCP_SYN_SENT);
    const s = spy(t);
    const nstat = r.w.host("a").nstat;
    const synack = (tsecrMs: number) => inject(r.w, t, 2, 1, 5001, sk.lport, 7777, sk.sndNxt, TCPHDR_SYN | TCPHDR_ACK, [1, (tsecrMs + sk.tsOff) >>> 0]);
    return { w: r.w, sk, ...s, nstat, synack };
  }

  it("a SYN-ACK echoing a TSval from before connect() (retrans_stamp 0 ms): PAWSActive, an RST, dropped TCP_RFC7323_PAWS, still SYN_SENT", async () => {
    const s = await synSent();
    const rsts = s.nstat.get("TcpOutRsts");
    s.synack(-1);
    expect(s.nstat.get("TcpExtPAWSActive")).toBe(1);
    expect(s.nstat.get("TcpOutRsts")).toBe(rsts + 1);
    expect(s.sent.length).toBe(1);
    expect(s.drops).toEqual(["TCP_RFC7323_PAWS"]);
    expect(s.sk.state).toBe(TCP_SYN_SENT);
  });

  it("one echoing a TSval from the future (now is 0 ms): the same", async () => {
    const s = await synSent();
    s.synack(1);
    expect(s.nstat.get("TcpExtPAWSActive")).toBe(1);
    expect(s.sk.state).toBe(TCP_SYN_SENT);
  });

  it("one echoing the SYN's TSval (0 ms): established, ts_recent stored and stamped", async () => {
    const s = await synSent();
    s.synack(0);
    expect(s.nstat.get("TcpExtPAWSActive")).toBe(0);
    expect(s.sk.state).toBe(TCP_ESTABLISHED);
    expect([s.sk.tsRecent, s.sk.tsRecentStamp]).toEqual([1, UP]);
  });
});

describe("tcp_check_req: paws_reject against req->ts_recent", () => {
  /** The server 120 us in: the client's SYN arrived at 50 us, its final ACK arrives at 150 us. */
  async function synRecv() {
    const r = await runWorld(pair({ durationNs: 120_000 }, [bulk()]));
    const t = r.w.host("b").stack.tcp;
    const req = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
    expect(req.state).toBe(TCP_NEW_SYN_RECV);
    const s = spy(t);
    const ack = (age: number) => inject(r.w, t, 1, 2, req.rport, 5001, req.rcvNxt, req.iss + 1, TCPHDR_ACK, [(req.tsRecent - age) >>> 0, (req.tsOff + 0) >>> 0]);
    return { r, t, req, ...s, nstat: r.w.host("b").nstat, ack };
  }

  it("the final ACK with TSval ts_recent - 1: an ACK back, PAWSEstab, dropped NOT_SPECIFIED; the request stays", async () => {
    const s = await synRecv();
    // (at jiffies 0 the stored last_oow_ack_time would read as "never": the ACKs go at 100 ms)
    s.r.w.loop.now = 0.1 * S;
    s.ack(1);
    expect(s.nstat.get("TcpExtPAWSEstab")).toBe(1);
    expect(s.sent.length).toBe(1);
    expect(s.drops).toEqual(["NOT_SPECIFIED"]);
    expect(s.req.state).toBe(TCP_NEW_SYN_RECV);
    // a second one within 500 ms: tcp_oow_rate_limited (TCPACKSkippedSynRecv), no ACK
    s.ack(1);
    expect(s.nstat.get("TcpExtTCPACKSkippedSynRecv")).toBe(1);
    expect(s.sent.length).toBe(1);
  });

  it("with TSval ts_recent: the child is established", async () => {
    const s = await synRecv();
    s.ack(0);
    expect(s.nstat.get("TcpExtPAWSEstab")).toBe(0);
    expect(s.req.state).toBe(TCP_ESTABLISHED);
  });
});

describe("tcp_timewait_state_process: paws_reject against tw_ts_recent", () => {
  /** A 1000-byte transfer a -> b from 2 s: the client closes first and is in TIME_WAIT by ~2.001 s with
   *  tw_ts_recent_stamp uptime + 2. From 2.5 s every frame b -> a is
   *  lost (b's RST answer to the client's ACKs would kill the sock). */
  async function timeWait(listener = false, startNs = 2 * S) {
    const spec = pair({ durationNs: startNs + 0.5 * S, delayNs: 50_000 }, [bulk({ bytes: 1000, at: startNs })]);
    const w = new World(await createCore(coreConfigFor(spec)), spec, () => {});
    w.run();
    for (const d of w.linkDirections()) (d as unknown as { config: LinkConfig }).config.loss = 1;
    const t = w.host("a").stack.tcp;
    const sk = [...[...t.ports.values()][0]!.conns.values()][0]! as TcpSock;
    expect(sk.state).toBe(TCP_TIME_WAIT);
    expect(sk.tsRecentStamp).toBe(UP + startNs / S);
    if (listener) t.ports.get(sk.lport)!.listener = new ListenSock(9, sk.lport, 128, { kind: "never" }, 0, null);
    const arms: number[] = [];
    const arm = t.arm.bind(t);
    t.arm = (s, at, kind) => {
      if (kind === t.kTimeWait) arms.push(at);
      arm(s, at, kind);
    };
    const s = spy(t);
    const seg = (at: number, flags: number, seqOff: number, age: number) => {
      w.loop.now = at;
      inject(w, t, 2, 1, sk.rport, sk.lport, sk.rcvNxt + seqOff, flags & TCPHDR_ACK ? sk.sndNxt : 0, flags, [(sk.tsRecent - age) >>> 0, 0]);
    };
    return { w, t, sk, arms, ...s, seg, nstat: w.host("a").nstat };
  }

  it("a bare ACK at rcv_nxt with an old TSval is out of window: PAWSEstab, the timer restarts, answered with an ACK", async () => {
    const s = await timeWait();
    const ts = s.sk.tsRecent;
    s.seg(3 * S, TCPHDR_ACK, 0, 1);
    expect(s.nstat.get("TcpExtPAWSEstab")).toBe(1);
    expect(s.sent.length).toBe(1);
    // mod_timer_pending(jiffies + TCP_TIMEWAIT_LEN) at 3 s: 63000 jiffies, level 4 (4096-jiffy granule) -> 65536 ms
    expect(s.arms).toEqual([65_536e6]);
    expect(s.drops).toEqual(["NOT_SPECIFIED"]);
    expect(s.sk.tsRecent).toBe(ts);
  });

  it("the same with TSval tw_ts_recent: in window, unanswered; ts_recent and its stamp stored", async () => {
    const s = await timeWait();
    s.seg(3 * S, TCPHDR_ACK, 0, 0);
    expect(s.nstat.get("TcpExtPAWSEstab")).toBe(0);
    expect(s.sent.length).toBe(0);
    expect(s.sk.tsRecentStamp).toBe(UP + 3);
  });

  it("an RST at rcv_nxt with an old TSval: rejected (PAWSEstab, the sock lives) until tw_ts_recent_stamp + TCP_PAWS_MSL, then it kills", async () => {
    const s = await timeWait();
    s.seg(3 * S, TCPHDR_RST, 0, 1);
    expect(s.nstat.get("TcpExtPAWSEstab")).toBe(1);
    expect(s.sk.state).toBe(TCP_TIME_WAIT);
    expect(s.arms).toEqual([]);
    expect(s.sent.length).toBe(0);
    s.seg(62 * S, TCPHDR_RST, 0, 1);
    expect(s.nstat.get("TcpExtPAWSEstab")).toBe(1);
    expect(s.t.states().TIME_WAIT ?? 0).toBe(0);
  });

  it("a SYN beyond rcv_nxt with an old TSval does not reopen (no TCP_TW_SYN): PAWSEstab, an ACK, the timer restarts", async () => {
    const s = await timeWait(true);
    s.seg(3 * S, TCPHDR_SYN, 100000, 1);
    expect(s.nstat.get("TcpExtPAWSEstab")).toBe(1);
    expect(s.sk.state).toBe(TCP_TIME_WAIT);
    expect(s.sent.length).toBe(1);
    // mod_timer_pending(jiffies + TCP_TIMEWAIT_LEN) at 3 s: 63000 jiffies, level 4 (4096-jiffy granule) -> 65536 ms
    expect(s.arms).toEqual([65_536e6]);
  });

  it("a SYN below rcv_nxt with a newer TSval reopens (TCP_TW_SYN): the port's socket is a request", async () => {
    const s = await timeWait(true);
    s.seg(3 * S, TCPHDR_SYN, -100000, -1);
    expect(s.nstat.get("TcpExtPAWSEstab")).toBe(0);
    expect([...s.t.ports.get(s.sk.lport)!.conns.values()].map((x) => (x as TcpSock).state)).toEqual([TCP_NEW_SYN_RECV]);
  });

  it("in the run's first second too (review10b finding 8: a ts_recent_stamp of 0 read as 'no timestamps'): a SYN below rcv_nxt with a newer TSval reopens", async () => {
    const s = await timeWait(true, 0);
    s.seg(0.8 * S, TCPHDR_SYN, -100000, -1);
    expect([...s.t.ports.get(s.sk.lport)!.conns.values()].map((x) => (x as TcpSock).state)).toEqual([TCP_NEW_SYN_RECV]);
  });
});
