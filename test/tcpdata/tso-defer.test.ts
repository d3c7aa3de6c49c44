// tcp_tso_should_defer (net/ipv4/tcp_output.c, 6.12) on hand-built socket states, and in a transfer.
import { describe, expect, it } from "vitest";
import { TcpConn } from "../../src/tcp/conn.js";
import { congestionOps } from "../../src/tcp/data-init.js";
import { TCP_CA_Loss, TCP_CA_Recovery } from "../../src/tcp/cc.js";
import { DEFER_APP, DEFER_CWND, DEFER_NO, DEFER_RWND, tsoShouldDefer } from "../../src/tcp/data-out.js";
import type { TcpHost } from "../../src/tcp/tcp-host.js";
import { bulk, pair, runWorld } from "./helpers.js";

const NOW = 10e6;
const MSS = 1000;
const MAX_SEGS = 10;

/** Base state: mss 1000, cwnd 20 with 16 in flight (cong_win 4000), snd_una 0, snd_wnd 100000, send head
 *  at 16000 (send_win 84000), last transmit 0.5 ms ago, srtt 2 ms, the head of the retransmit queue sent
 *  1.8 ms ago (its ACK is due in 0.2 ms, within min(srtt/2, 1 ms) = 1 ms). */
function state(over: { cwnd?: number; inFlight?: number; sndWnd?: number; wstamp?: number; srttUs?: number; headAge?: number; empty?: boolean; ca?: number } = {}) {
  const c = new TcpConn(congestionOps("cubic"));
  c.mss = MSS;
  c.cwnd = over.cwnd ?? 20;
  c.packetsOut = over.inFlight ?? 16;
  c.sndUna = 0;
  c.sndWnd = over.sndWnd ?? 100_000;
  c.wstampNs = over.wstamp ?? NOW - 500_000;
  c.rtt.srttUs = (over.srttUs ?? 2000) * 8;
  c.caState = over.ca ?? 0;
  if (over.empty !== true) c.rtx.push(0, MSS, NOW - (over.headAge ?? 1_800_000));
  return c;
}

const host = (div = 3) => ({ now: NOW, tsoWinDivisor: div }) as unknown as TcpHost;
const defer = (c: TcpConn, skbLen = 10_000, isTail = false, div = 3, start = 16_000) => tsoShouldDefer(host(div), c, start, skbLen, isTail, MAX_SEGS);

describe("tcp_tso_should_defer", () => {
  it("base case: 4000 B of cwnd for a 10-segment skb, ACK due in 0.2 ms -> defer, cwnd-limited", () => {
    // limit = min(84000, 4000) = 4000 < 10 x 1000; not all of the skb fits; chunk = min(100000, 20 x 1000) / 3 = 6666 > 4000
    expect(defer(state())).toBe(DEFER_CWND);
  });

  it("never in Recovery or Loss", () => {
    expect(defer(state({ ca: TCP_CA_Recovery }))).toBe(DEFER_NO);
    expect(defer(state({ ca: TCP_CA_Loss }))).toBe(DEFER_NO);
  });

  it("only when the last transmit was at most 1 ms ago (tcp_clock_cache - tcp_wstamp_ns - 1 ms > 0: send)", () => {
    expect(defer(state({ wstamp: NOW - 1_000_000 }))).toBe(DEFER_CWND);
    expect(defer(state({ wstamp: NOW - 1_000_001 }))).toBe(DEFER_NO);
    // an EDT stamp in the future still allows deferring
    expect(defer(state({ wstamp: NOW + 5_000_000 }))).toBe(DEFER_CWND);
  });

  it("a full-sized TSO skb that fits goes now", () => {
    // cwnd 100 (chunk 100000 / 3 = 33333 stays out of reach): 90 in flight -> cong_win 10000 = max_segs x mss
    expect(defer(state({ cwnd: 100, inFlight: 90 }))).toBe(DEFER_NO);
    expect(defer(state({ cwnd: 100, inFlight: 91 }))).toBe(DEFER_CWND);
  });

  it("a skb in the middle of the queue that fits whole goes; the tail does not", () => {
    expect(defer(state(), 4000, false)).toBe(DEFER_NO);
    // tail: cong_win 4000 <= skb->len 4000 -> cwnd-limited
    expect(defer(state(), 4000, true)).toBe(DEFER_CWND);
  });

  it("tcp_tso_win_divisor 3: send once a third of min(snd_wnd, cwnd x mss) is free", () => {
    // cwnd 20: chunk 20000 / 3 = 6666; 13 in flight: limit 7000 >= 6666 -> send; 14: 6000 -> defer
    expect(defer(state({ inFlight: 13 }))).toBe(DEFER_NO);
    expect(defer(state({ inFlight: 14 }))).toBe(DEFER_CWND);
    // snd_wnd the smaller: snd_wnd 19000 -> chunk 6333; 10 in flight: cong_win 10000, send_win 3000 = limit
    // < 6333 -> defer, and send_win <= skb->len: rwnd-limited
    expect(defer(state({ sndWnd: 19_000, inFlight: 10 }))).toBe(DEFER_RWND);
  });

  it("tcp_tso_win_divisor 0: send once more than tcp_max_tso_deferred_mss (3) MSS are free", () => {
    expect(defer(state(), 10_000, false, 0)).toBe(DEFER_NO); // 4000 > 3000
    expect(defer(state({ inFlight: 17 }), 10_000, false, 0)).toBe(DEFER_CWND); // 3000, not > 3000
  });

  it("send when the next ACK is more than min(srtt/2, 1 ms) away, or nothing is in the retransmit queue", () => {
    // srtt 2 ms: threshold 1 ms; head sent 1 ms - 1 ns ago -> ACK due in 1 ms + 1 ns
    expect(defer(state({ headAge: 999_999 }))).toBe(DEFER_NO);
    expect(defer(state({ headAge: 1_000_000 }))).toBe(DEFER_CWND);
    // srtt 600 us: threshold 300 us; ACK due in 300 us -> defer, 300 us + 1 ns -> send
    expect(defer(state({ srttUs: 600, headAge: 300_000 }))).toBe(DEFER_CWND);
    expect(defer(state({ srttUs: 600, headAge: 299_999 }))).toBe(DEFER_NO);
    expect(defer(state({ empty: true }))).toBe(DEFER_NO);
  });

  it("rwnd-limited and application-limited deferrals", () => {
    // snd_wnd 20000, head at 16000: send_win 4000 <= cong_win 14000 (cwnd 30); chunk min(20000, 30000)/3 = 6666
    expect(defer(state({ sndWnd: 20_000, cwnd: 30 }))).toBe(DEFER_RWND);
    // the tail skb of 3000 B, cong_win 4000 < send_win and > skb->len: waits for more data
    expect(defer(state(), 3000, true)).toBe(DEFER_APP);
  });
});

describe("tcp_tso_should_defer in a transfer", () => {
  it("a GSO bulk flow defers during slow start and still delivers everything it wrote (the last sub-MSS segment's ACK is delayed: 100 ms)", async () => {
    const { w, report } = await runWorld(pair({ rateBps: 10e9, delayNs: 50_000, durationNs: 100e6 }, [bulk({ bytes: 4_000_000 })]));
    const c = [...w.flows.values()][0]!.sender!;
    expect(c.tsoDeferrals).toBeGreaterThan(0);
    expect(c.sndUna).toBe(4_000_000);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });
});
