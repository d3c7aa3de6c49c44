// A TIME_WAIT sock's segments (net/ipv4/tcp_ipv4.c: tcp_v4_rcv, do_time_wait -> net/ipv4/tcp_minisocks.c:
// tcp_timewait_state_process, 6.12), hand-derived from that function:
// - a bare ACK or an RST at rcv_nxt is "in window": the RST kills the sock with net.ipv4.tcp_rfc1337 = 0
//   (inet_twsk_deschedule_put) and is ignored with 1; a bare ACK re-arms TCP_TIMEWAIT_LEN, unanswered;
// - anything else is out of window: re-arm the 60 s timer if it has ACK set, then TCP_TW_ACK unless
//   tcp_oow_rate_limited skips it (only a segment without data or with SYN: one per 500 ms,
//   TcpExtTCPACKSkippedTimeWait) — a retransmitted FIN or data always gets its ACK;
// - a SYN without ACK beyond rcv_nxt opens a new connection at a listener with ISN tw_snd_nxt + 65537
//   (TCP_TW_SYN), below rcv_nxt it is an out-of-window segment (ACK, timer not re-armed);
// every segment ends at tcp_v4_rcv's discard_it with SKB_DROP_REASON_NOT_SPECIFIED.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { setPayloadLen } from "../../src/wire/skb-headers.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { TCP_NEW_SYN_RECV, TCP_TIME_WAIT } from "../../src/tcp/constants.js";
import { ListenSock, type TcpSock } from "../../src/tcp/sock.js";
import type { LinkConfig } from "../../src/net/link.js";
import { pair, bulk } from "./helpers.js";

const S = 1e9;
// The TIME_WAIT timer is a timer_list (kernel/time/timer.c: calc_wheel_index): TCP_TIMEWAIT_LEN is 60000
// jiffies at HZ=1000, level 4 (32256 <= delta < 258048, a 4096-jiffy granule), so it runs at the next multiple
// of 4096 ms after expiry: armed in the first ms, 60000 -> 61440 ms; armed at 10..10.6 s, 70000..70600 -> 73728 ms.
const TW_FIRST = 61_440e6;
const TW_AT_10S = 73_728e6;

/** A TCP frame host a (the client, 10.0.0.1) sent, as the tap sees it. */
interface Frame {
  flags: number;
  seq: number;
  ack: number;
  window: number;
  at: number;
}

/** A segment b -> a as a test sends it: flags, seq relative to the TIME_WAIT sock's rcv_nxt, payload bytes, at. */
interface Inject {
  at: number;
  flags: number;
  seqOff: number;
  len?: number;
  /** carry a timestamp option with this TSval */
  tsVal?: number;
}

/** A 1000-byte transfer a -> b (50 us one way): the client closes first and is in TIME_WAIT within ~1 ms.
 *  The segments of `injects` go through host a's tcp_v4_rcv (TcpHost.rcv) at their times; `probes` record
 *  the client socket's state; `arms` the TIME_WAIT timer's deadlines as armed. */
async function timeWait(injects: Inject[], probes: number[], clientSysctl: Record<string, number> = {}, setup?: (w: World, sk: TcpSock) => void) {
  const spec = pair({ durationNs: 200e9, delayNs: 50_000, clientSysctl }, [bulk({ bytes: 1000 })]);
  const core = await createCore(coreConfigFor(spec));
  const frames: Frame[] = [];
  const tap = (h: number, at: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    if (b[ip + 15] !== 1) return;
    const th = ip + 20;
    const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    frames.push({ flags: b[th + 13]!, seq: u32(th + 4), ack: u32(th + 8), window: (b[th + 14]! << 8) | b[th + 15]!, at });
  };
  const w = new World(core, spec, tap);
  // from 1 s every frame b -> a is lost: b, its socket gone, answers the client's ACKs with an RST at rcv_nxt that
  // would kill the TIME_WAIT sock (tcp_rfc1337 = 0) before the next injection
  w.loop.at(
    1 * S,
    w.loop.register("test: b->a dead", () => {
      const ba = w.linkDirections()[1] as unknown as { config: LinkConfig };
      ba.config = { ...ba.config, loss: 1 };
    }),
    0,
  );
  const t = w.host("a").stack.tcp;
  let sk: TcpSock | null = null;
  const arms: number[] = [];
  const arm = t.arm.bind(t);
  t.arm = (s, at, kind) => {
    // (TIME_WAIT's only: a FIN_WAIT2 timewait sock's arm would not count)
    if (kind === t.kTimeWait && s.state === TCP_TIME_WAIT) arms.push(at);
    arm(s, at, kind);
  };
  const states: (number | null)[] = [];
  const clientSock = (): TcpSock | null => {
    const pt = [...t.ports.values()][0];
    return pt === undefined ? null : (([...pt.conns.values()][0] as TcpSock | undefined) ?? null);
  };
  for (const p of probes) w.loop.at(p, w.loop.register("test: probe", () => states.push(clientSock()?.state ?? null)), 0);
  const out: { h: number; before: number }[] = [];
  for (const inj of injects) {
    w.loop.at(
      inj.at,
      w.loop.register("test: inject", () => {
        if (sk === null) {
          sk = clientSock();
          expect(sk?.state).toBe(TCP_TIME_WAIT);
          setup?.(w, sk!);
        }
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
        if (inj.tsVal !== undefined) {
          s.ts = true;
          s.tsVal = inj.tsVal;
          s.tsEcr = 0;
        }
        writeSegment(core, h, s);
        if ((inj.len ?? 0) > 0) setPayloadLen(core, h, inj.len!);
        out.push({ h, before: frames.length });
        t.rcv(h);
      }),
      0,
    );
  }
  const result = w.run();
  // the client's frames sent at each injection's instant
  const replies = injects.map((inj, i) => frames.slice(out[i]!.before).filter((f) => f.at - inj.at < 1e6 && f.at >= inj.at));
  return { w, frames, replies, arms, states, sk: sk as TcpSock | null, dropped: result.ledger.dropped, nstat: w.host("a").nstat, ledger: result.ledger };
}

describe("tcp_timewait_state_process: a retransmitted FIN", () => {
  it("is ACKed (snd_nxt, rcv_nxt, the window of the ACK that closed) and restarts the 60 s timer; the sock dies 60 s after it", async () => {
    const r = await timeWait([{ at: 10 * S, flags: TCPHDR_FIN | TCPHDR_ACK, seqOff: -1 }], [], {});
    // the deadline tcp_time_wait set: 60 s after the client's close ended (within 1 ms of the start), on the wheel
    const first = r.arms[0]!;
    expect(first).toBe(TW_FIRST);
    const { states } = await timeWait(
      [{ at: 10 * S, flags: TCPHDR_FIN | TCPHDR_ACK, seqOff: -1 }],
      [first + 1e6, TW_AT_10S - 1e6, TW_AT_10S + 1e6],
    );
    // re-armed at the FIN: alive past the first deadline, gone after the second
    expect(r.arms).toEqual([first, TW_AT_10S]);
    expect(states).toEqual([TCP_TIME_WAIT, TCP_TIME_WAIT, null]);
    const sk = r.sk!;
    expect(r.replies[0]!.length).toBe(1);
    const ack = r.replies[0]![0]!;
    // the ACK that took the client to TIME_WAIT: its last frame before the injection
    const last = r.frames.filter((f) => f.at < 10 * S).at(-1)!;
    expect(ack).toMatchObject({ flags: TCPHDR_ACK, seq: sk.sndNxt >>> 0, ack: sk.rcvNxt >>> 0, window: last.window });
    expect(last.ack).toBe(sk.rcvNxt >>> 0);
    // the peer's FIN|ACK (its application closes at EOF: tcp_fin's delayed ACK rides its FIN) reached the full
    // FIN_WAIT1 socket, which tcp_fin took to TIME_WAIT: consumed, not dropped (before, a bare ACK first made a
    // FIN_WAIT2 timewait sock, which dropped that FIN: NOT_SPECIFIED 2)
    expect(r.dropped.NOT_SPECIFIED).toBe(1);
    expect(r.ledger.unaccounted).toBe(0);
  });

  it("a second FIN 100 ms later is ACKed again (it occupies sequence space: tcp_oow_rate_limited never limits it)", async () => {
    const r = await timeWait(
      [
        { at: 10 * S, flags: TCPHDR_FIN | TCPHDR_ACK, seqOff: -1 },
        { at: 10.1 * S, flags: TCPHDR_FIN | TCPHDR_ACK, seqOff: -1 },
      ],
      [],
    );
    expect(r.replies.map((x) => x.length)).toEqual([1, 1]);
    expect(r.nstat.get("TcpExtTCPACKSkippedTimeWait")).toBe(0);
    expect(r.arms.slice(1)).toEqual([TW_AT_10S, TW_AT_10S]);
  });
});

describe("tcp_timewait_state_process: out-of-window ACKs are rate limited (tcp_invalid_ratelimit 500 ms)", () => {
  it("an old pure ACK is answered; another 200 ms later is skipped (TCPACKSkippedTimeWait); one 600 ms after the first is answered", async () => {
    const r = await timeWait(
      [
        { at: 10 * S, flags: TCPHDR_ACK, seqOff: -1000 },
        { at: 10.2 * S, flags: TCPHDR_ACK, seqOff: -1000 },
        { at: 10.6 * S, flags: TCPHDR_ACK, seqOff: -1000 },
      ],
      [],
    );
    expect(r.replies.map((x) => x.length)).toEqual([1, 0, 1]);
    expect(r.nstat.get("TcpExtTCPACKSkippedTimeWait")).toBe(1);
    // each one has ACK set: the timer restarts, answered or not
    expect(r.arms.slice(1)).toEqual([TW_AT_10S, TW_AT_10S, TW_AT_10S]);
    expect(r.dropped.NOT_SPECIFIED).toBe(3);
  });

  it("a bare ACK at rcv_nxt is in window: the timer restarts, no ACK", async () => {
    const r = await timeWait([{ at: 10 * S, flags: TCPHDR_ACK, seqOff: 0 }], []);
    expect(r.replies[0]).toEqual([]);
    expect(r.arms.slice(1)).toEqual([TW_AT_10S]);
  });

  it("in-window data is ACKed (never rate limited) and restarts the timer", async () => {
    const r = await timeWait(
      [
        { at: 10 * S, flags: TCPHDR_ACK, seqOff: 0, len: 100 },
        { at: 10.1 * S, flags: TCPHDR_ACK, seqOff: 0, len: 100 },
      ],
      [],
    );
    expect(r.replies.map((x) => x.length)).toEqual([1, 1]);
    expect(r.replies[0]![0]).toMatchObject({ flags: TCPHDR_ACK, ack: r.sk!.rcvNxt >>> 0 });
    expect(r.arms.slice(1)).toEqual([TW_AT_10S, TW_AT_10S]);
    expect(r.nstat.get("TcpExtTCPACKSkippedTimeWait")).toBe(0);
  });
});

describe("tcp_timewait_state_process: RST at rcv_nxt (net.ipv4.tcp_rfc1337)", () => {
  it("0 (default): the RST kills the sock at once (inet_twsk_deschedule_put), unanswered, dropped NOT_SPECIFIED", async () => {
    const r = await timeWait([{ at: 10 * S, flags: TCPHDR_RST, seqOff: 0 }], [10 * S + 1]);
    expect(r.states).toEqual([null]);
    expect(r.replies[0]).toEqual([]);
    expect(r.dropped).toEqual({ NOT_SPECIFIED: 1 });
  });

  it("1: the RST is ignored and does not restart the timer: the sock lives until its first deadline", async () => {
    const first = (await timeWait([], [])).arms[0]!;
    const r = await timeWait([{ at: 10 * S, flags: TCPHDR_RST, seqOff: 0 }], [10 * S + 1, first - 1e6, first + 1e6], {
      "net.ipv4.tcp_rfc1337": 1,
    });
    expect(r.states).toEqual([TCP_TIME_WAIT, TCP_TIME_WAIT, null]);
    expect(r.arms).toEqual([first]);
    expect(r.replies[0]).toEqual([]);
    expect(r.dropped).toEqual({ NOT_SPECIFIED: 1 });
  });

  it("an RST off rcv_nxt is ignored either way", async () => {
    const r = await timeWait([{ at: 10 * S, flags: TCPHDR_RST, seqOff: 5 }], [10 * S + 1]);
    expect(r.states).toEqual([TCP_TIME_WAIT]);
    expect(r.replies[0]).toEqual([]);
  });
});

describe("tcp_timewait_state_process: a SYN", () => {
  it("below rcv_nxt (no timestamp): an out-of-window segment, ACKed, the timer not restarted (no ACK flag)", async () => {
    const r = await timeWait([{ at: 10 * S, flags: TCPHDR_SYN, seqOff: -5000 }], []);
    expect(r.replies[0]!.map((f) => f.flags)).toEqual([TCPHDR_ACK]);
    expect(r.arms.length).toBe(1);
  });

  it("beyond rcv_nxt without a listener: TCP_TW_SYN finds none and falls through to the ACK", async () => {
    const r = await timeWait([{ at: 10 * S, flags: TCPHDR_SYN, seqOff: 100000 }], [10 * S + 1]);
    expect(r.replies[0]!.map((f) => f.flags)).toEqual([TCPHDR_ACK]);
    expect(r.states).toEqual([TCP_TIME_WAIT]);
  });

  it("beyond rcv_nxt with a listener on the port: the sock goes, a request answers with ISN tw_snd_nxt + 65537", async () => {
    let sndNxt = 0;
    const r = await timeWait([{ at: 10 * S, flags: TCPHDR_SYN, seqOff: 100000 }], [10 * S + 1], {}, (w, sk) => {
      sndNxt = sk.sndNxt;
      w.host("a").stack.tcp.ports.get(sk.lport)!.listener = new ListenSock(9, sk.lport, 128, { kind: "never" }, 0, null);
    });
    const synack = r.replies[0]!;
    expect(synack.map((f) => f.flags)).toEqual([TCPHDR_SYN | TCPHDR_ACK]);
    expect(synack[0]!.seq).toBe((sndNxt + 65537) >>> 0);
    // the port's only socket is now the request
    expect(r.states).toEqual([TCP_NEW_SYN_RECV]);
    expect(r.nstat.get("TcpExtTCPACKSkippedTimeWait")).toBe(0);
  });
});

// net/ipv4/inet_timewait_sock.c: __inet_twsk_schedule counts a timewait sock once, when
// inet_twsk_hashdance_schedule first arms its timer (rearm false): TcpExtTWKilled if timeo <= 4 * HZ, else
// TcpExtTW; tcp_time_wait(sk, TCP_TIME_WAIT, 0) sets timeo = TCP_TIMEWAIT_LEN (60 s), so TW. Re-arms
// (inet_twsk_reschedule: the FIN below) count nothing; the passive closer (b: LAST_ACK -> tcp_done) no timewait sock.
describe("TcpExtTW / TcpExtTWKilled (__inet_twsk_schedule)", () => {
  it("the active closer counts TW once, re-arms add nothing, TWKilled stays 0; the passive closer counts neither", async () => {
    const r = await timeWait(
      [
        { at: 10 * S, flags: TCPHDR_FIN | TCPHDR_ACK, seqOff: -1 },
        { at: 10.1 * S, flags: TCPHDR_FIN | TCPHDR_ACK, seqOff: -1 },
      ],
      [],
    );
    expect(r.arms.length).toBe(3);
    expect(r.nstat.get("TcpExtTW")).toBe(1);
    expect(r.nstat.get("TcpExtTWKilled")).toBe(0);
    const b = r.w.host("b").nstat;
    expect(b.get("TcpExtTW")).toBe(0);
    expect(b.get("TcpExtTWKilled")).toBe(0);
  });
});
