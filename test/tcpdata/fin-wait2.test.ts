// An orphan whose FIN was ACKed becomes a timewait sock of substate FIN_WAIT2 (6.12: tcp_rcv_state_process,
// case TCP_FIN_WAIT1 -> tcp_time_wait(sk, TCP_FIN_WAIT2, tmo), tmo = tcp_fin_time = max(tcp_fin_timeout, 3.5 RTO);
// tcp_time_wait: timeo = max(tmo, 3.5 RTO); __inet_twsk_schedule counts TWKilled if timeo <= 4 s, else TW), and
// tcp_timewait_state_process's FIN_WAIT2 branch handles its segments, hand-derived from that function:
// - out of window (tcp_in_window against rcv_nxt .. rcv_nxt + tw_rcv_wnd): ACK, one per 500 ms for a segment
//   without data (TCPACKSkippedFinWait2);
// - RST in window: killed, no answer; SYN at or past rcv_nxt: TCP_TW_RST (an RST answers, the sock goes);
// - no ACK, or nothing past rcv_nxt: a duplicate, dropped silently (TCP_TW_SUCCESS);
// - data (or a FIN not at rcv_nxt): TCP_TW_RST; the FIN at rcv_nxt: substate TIME_WAIT, rcv_nxt + 1, the timer
//   re-armed to TCP_TIMEWAIT_LEN (not counted again), ACKed.
// Every segment ends at tcp_v4_rcv's discard_it (NOT_SPECIFIED). The client a sends 1000 bytes and closes; every
// FIN from the server b is lost on the wire, so a stays in FIN_WAIT2 (b's retransmitted FINs never arrive).
// The server's ACK of the client's FIN is a delayed one (tcp_fin: CLOSE_WAIT, pingpong mode) that rides its FIN
// (its application closes at EOF), lost with it: the client's FIN goes again as its loss probe (PTO 2 srtt +
// 200 ms capped at the RTO, srtt + 200 ms), a duplicate at the server (LAST_ACK) answered at once with an ACK,
// which takes the client to FIN_WAIT2 one RTT (~100 us) after that probe. The probe's timer is a timer_list
// (kernel/time/timer.c: calc_wheel_index): the FIN leaves in jiffy 0, PTO 201 jiffies, level 1 (63 <= delta <
// 504): it runs at the next multiple of 8 after 201, jiffy 208, so entry is ~208.1 ms into the run.
// The handshake's RTT (~100 us) gives an RTO of 200 ms: 3.5 RTO = 700 ms, below every tcp_fin_timeout used here.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { setPayloadLen } from "../../src/wire/skb-headers.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { TCP_FIN_WAIT2, TCP_TIME_WAIT } from "../../src/tcp/constants.js";
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

interface Inject {
  at: number;
  flags: number;
  seqOff: number;
  len?: number;
}

async function finWait2(injects: Inject[], probes: number[], clientSysctl: Record<string, number> = {}, durationNs = 200 * S) {
  const spec = pair({ durationNs, delayNs: 50_000, clientSysctl }, [bulk({ bytes: 1000 })]);
  const core = await createCore(coreConfigFor(spec));
  const frames: Frame[] = [];
  let dirs: { config: { loss: number } }[] = [];
  const tap = (h: number, at: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    const th = ip + 20;
    const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    const from = b[ip + 15]!;
    const flags = b[th + 13]!;
    if (from === 1) frames.push({ flags, seq: u32(th + 4), ack: u32(th + 8), at, hash: core.skb.hash[h]! });
    // every FIN of the server is lost
    const l = from === 2 && flags & TCPHDR_FIN ? 1 : 0;
    for (const d of dirs) d.config.loss = l;
  };
  const w = new World(core, spec, tap);
  dirs = (w as unknown as { directions: { config: { loss: number } }[] }).directions;
  const t = w.host("a").stack.tcp;
  const arms: number[] = [];
  const arm = t.arm.bind(t);
  t.arm = (s, at, kind) => {
    if (kind === t.kTimeWait) arms.push(at);
    arm(s, at, kind);
  };
  const clientSock = (): TcpSock | null => {
    for (const pt of t.ports.values()) for (const s of pt.conns.values()) return s as TcpSock;
    return null;
  };
  const states: (number | null)[] = [];
  for (const p of probes) w.loop.at(p, w.loop.register("test: probe", () => states.push(clientSock()?.state ?? null)), 0);
  let sk: TcpSock | null = null;
  const before: number[] = [];
  for (const inj of injects) {
    w.loop.at(
      inj.at,
      w.loop.register("test: inject", () => {
        sk ??= clientSock();
        expect(sk!.state).toBe(TCP_FIN_WAIT2);
        const h = core.allocOne(w.loop.now);
        w.ledger.create(1);
        const s = new SegOut();
        s.src = Uint8Array.of(10, 0, 0, 2);
        s.dst = Uint8Array.of(10, 0, 0, 1);
        s.sport = sk!.rport;
        s.dport = sk!.lport;
        s.seq = (sk!.rcvNxt + inj.seqOff) >>> 0;
        s.ack = inj.flags & TCPHDR_ACK ? sk!.sndNxt : 0;
        s.flags = inj.flags;
        s.window = 65535;
        writeSegment(core, h, s);
        if ((inj.len ?? 0) > 0) setPayloadLen(core, h, inj.len!);
        before.push(frames.length);
        t.rcv(h);
      }),
      0,
    );
  }
  // the client's socket after the ACK of its FIN (the answer to its loss probe, ~208 ms)
  let entered: { tw: boolean; state: number; rcvNxt: number; sndNxt: number; txhash: number } | null = null;
  w.loop.at(
    0.3 * S,
    w.loop.register("test: entered", () => {
      const s = clientSock()!;
      entered = { tw: s.tw, state: s.state, rcvNxt: s.rcvNxt, sndNxt: s.sndNxt, txhash: s.txhash };
    }),
    0,
  );
  const result = w.run();
  const replies = injects.map((inj, i) => frames.slice(before[i]!).filter((f) => f.at >= inj.at && f.at - inj.at < 1e6));
  // the client's FINs (its first, then the loss probe whose answer ACKs it) as they left
  const fins = frames.filter((f) => f.flags & TCPHDR_FIN).map((f) => f.at);
  return { w, t, arms, fins, states, replies, entered: entered!, nstat: w.host("a").nstat, dropped: result.ledger.dropped, ledger: result.ledger };
}

describe("tcp_time_wait(sk, TCP_FIN_WAIT2, tmo): the orphan's FIN_WAIT2 timewait sock", () => {
  it("default tcp_fin_timeout 60 s: a timewait sock (sockstat tw, no orphan) counted TW at entry, gone 60 s later", async () => {
    const r = await finWait2([], [61.4 * S, 61.5 * S]);
    expect(r.entered).toMatchObject({ tw: true, state: TCP_FIN_WAIT2 });
    // the loss probe: 201 jiffies after the first FIN (the RTO, ~100 us of srtt above rto_min), on the wheel: 208
    expect(r.fins.length).toBe(2);
    expect(r.fins.map((f) => Math.floor(f / 1e6))).toEqual([0, 208]);
    // one arm, at the ACK of the FIN (one RTT after the probe left, jiffy 208): tmo = 60 s (before: within 1 ms
    // of the start, the server's bare ACK of the FIN). The timer is a timer_list (kernel/time/timer.c:
    // calc_wheel_index): 208 + 60000 jiffies is level 4 (4096-jiffy granule) -> 61440 ms
    expect(r.arms.length).toBe(1);
    expect(r.arms[0]!).toBe(61_440e6);
    expect(r.states).toEqual([TCP_FIN_WAIT2, null]);
    expect(r.nstat.get("TcpExtTW")).toBe(1);
    expect(r.nstat.get("TcpExtTWKilled")).toBe(0);
    expect(r.ledger.unaccounted).toBe(0);
  });

  it("the sockstat line while it lives: tw 1, orphan 0", async () => {
    const { w, t } = await finWait2([], [], {}, 1 * S);
    void w;
    expect(t.sockstat()).toMatchObject({ tw: 1, orphan: 0 });
    expect(t.orphanCount()).toBe(0);
    expect(t.states()).toEqual({ FIN_WAIT2: 1 });
  });

  it("tcp_fin_timeout 3: timeo 3 s <= 4 s counts TWKilled (not TW); the sock goes 3 s after entry", async () => {
    // entry at jiffy 208 (the probe at 208 ms, plus one RTT): 208 + 3000 is level 2 on the timer wheel
    // (504 <= delta < 4032, 64-jiffy granule) -> 3264 ms
    const r = await finWait2([], [3.26 * S, 3.27 * S], { "net.ipv4.tcp_fin_timeout": 3 });
    expect(r.arms.length).toBe(1);
    expect(r.arms[0]!).toBe(3_264e6);
    expect(r.states).toEqual([TCP_FIN_WAIT2, null]);
    expect(r.nstat.get("TcpExtTWKilled")).toBe(1);
    expect(r.nstat.get("TcpExtTW")).toBe(0);
  });

  it("tcp_fin_timeout 61: tmo > TCP_TIMEWAIT_LEN keeps the full socket (an orphan) on the keepalive timer; after 1 s it becomes a timewait sock with timeo 60 s", async () => {
    const r = await finWait2([], [0.9 * S, 1.1 * S, 60.9 * S, 61.1 * S], { "net.ipv4.tcp_fin_timeout": 61 });
    expect(r.entered).toMatchObject({ tw: false, state: TCP_FIN_WAIT2 });
    // tcp_keepalive_timer 1 s after entry: tcp_time_wait(sk, TCP_FIN_WAIT2, 61 - 60 = 1 s) -> timeo max(1 s, 700 ms)
    // = 1 s. Both on the timer wheel (64-jiffy granule at level 2): the keepalive timer armed at jiffy 208 for
    // 1000 runs at 1216; the timewait timer armed there for 1000 at 2240
    expect(r.arms.length).toBe(1);
    expect(r.arms[0]!).toBe(2_240e6);
    expect(r.states).toEqual([TCP_FIN_WAIT2, TCP_FIN_WAIT2, null, null]);
    expect(r.nstat.get("TcpExtTWKilled")).toBe(1);
  });
});

describe("tcp_timewait_state_process, substate FIN_WAIT2", () => {
  it("the FIN at rcv_nxt: TIME_WAIT, rcv_nxt + 1, ACKed, the timer re-armed to 60 s (TW not counted again)", async () => {
    // re-armed for TCP_TIMEWAIT_LEN at jiffy 10000: 70000, level 4 (4096-jiffy granule) -> 73728 ms
    const r = await finWait2([{ at: 10 * S, flags: TCPHDR_FIN | TCPHDR_ACK, seqOff: 0 }], [10 * S + 1, 73.7 * S, 73.8 * S]);
    expect(r.states).toEqual([TCP_TIME_WAIT, TCP_TIME_WAIT, null]);
    expect(r.replies[0]!.map((f) => [f.flags, f.seq, f.ack])).toEqual([[TCPHDR_ACK, r.entered.sndNxt, (r.entered.rcvNxt + 1) >>> 0]]);
    expect(r.arms.slice(1)).toEqual([73_728e6]);
    expect(r.nstat.get("TcpExtTW")).toBe(1);
    expect(r.dropped.NOT_SPECIFIED).toBe(1);
  });

  it("data at rcv_nxt after the half-duplex close: TCP_TW_RST (RST at the segment's ack, with tw_txhash), the sock goes", async () => {
    const r = await finWait2([{ at: 10 * S, flags: TCPHDR_ACK, seqOff: 0, len: 100 }], [10 * S + 1]);
    expect(r.replies[0]!.map((f) => [f.flags, f.seq, f.hash])).toEqual([[TCPHDR_RST, r.entered.sndNxt, r.entered.txhash]]);
    expect(r.entered.txhash).not.toBe(0);
    expect(r.states).toEqual([null]);
    expect(r.nstat.get("TcpOutRsts")).toBe(1);
    expect(r.dropped.NOT_SPECIFIED).toBe(1);
  });

  it("a SYN at rcv_nxt: TCP_TW_RST (RST|ACK of seq + 1), the sock goes", async () => {
    const r = await finWait2([{ at: 10 * S, flags: TCPHDR_SYN, seqOff: 0 }], [10 * S + 1]);
    expect(r.replies[0]!.map((f) => [f.flags, f.seq, f.ack])).toEqual([[TCPHDR_RST | TCPHDR_ACK, 0, (r.entered.rcvNxt + 1) >>> 0]]);
    expect(r.states).toEqual([null]);
  });

  it("an RST at rcv_nxt kills it, unanswered", async () => {
    const r = await finWait2([{ at: 10 * S, flags: TCPHDR_RST, seqOff: 0 }], [10 * S + 1]);
    expect(r.replies[0]).toEqual([]);
    expect(r.states).toEqual([null]);
    expect(r.dropped.NOT_SPECIFIED).toBe(1);
  });

  it("a bare ACK at rcv_nxt is a duplicate: dropped, no answer, the timer untouched", async () => {
    const r = await finWait2([{ at: 10 * S, flags: TCPHDR_ACK, seqOff: 0 }], [10 * S + 1]);
    expect(r.replies[0]).toEqual([]);
    expect(r.states).toEqual([TCP_FIN_WAIT2]);
    expect(r.arms.length).toBe(1);
    expect(r.dropped.NOT_SPECIFIED).toBe(1);
  });

  it("old ACKs out of window: answered, one 200 ms later skipped (TCPACKSkippedFinWait2), one 600 ms after the first answered", async () => {
    const r = await finWait2(
      [
        { at: 10 * S, flags: TCPHDR_ACK, seqOff: -1000 },
        { at: 10.2 * S, flags: TCPHDR_ACK, seqOff: -1000 },
        { at: 10.6 * S, flags: TCPHDR_ACK, seqOff: -1000 },
      ],
      [10.7 * S],
    );
    expect(r.replies.map((x) => x.map((f) => f.flags))).toEqual([[TCPHDR_ACK], [], [TCPHDR_ACK]]);
    expect(r.nstat.get("TcpExtTCPACKSkippedFinWait2")).toBe(1);
    expect(r.nstat.get("TcpExtTCPACKSkippedTimeWait")).toBe(0);
    expect(r.states).toEqual([TCP_FIN_WAIT2]);
    expect(r.arms.length).toBe(1);
  });
});
