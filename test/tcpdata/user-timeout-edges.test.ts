// Two edges of net/ipv4/tcp_timer.c (6.12) that a whole run does not reach (the wheel runs a clamped timer after
// its expiry, so time has always moved past the bounds by then): checked on the functions, at HZ=1000 (a jiffy
// is a ms, so the kernel's jiffy counts are the numbers below).
import { describe, expect, it } from "vitest";
import type { TcpHost } from "../../src/tcp/tcp-host.js";
import type { TcpConn } from "../../src/tcp/conn.js";
import { clampRtoToUserTimeoutUs, rtxProbe0TimedOut } from "../../src/tcp/write-timeout.js";
import { NO_STAMP } from "../../src/tcp/undo.js";

/** The host fields the two functions read: the ms clock, HZ and its ns -> jiffies conversion. */
function host(nowMs: number, hz = 1000): TcpHost {
  const nowNs = nowMs * 1e6;
  return { hz, now: nowNs, nowMs: () => nowMs, toJiffies: (ns: number) => Math.ceil(ns / (1e9 / hz) - 1e-9) } as unknown as TcpHost;
}
const conn = (o: { userTimeoutMs: number; retransStamp: number; rtoUs?: number; rcvTstamp?: number }) =>
  ({ rcvTstamp: 0, ...o, icskRtoUs: () => o.rtoUs ?? 201_000 }) as unknown as TcpConn;

describe("tcp_clamp_rto_to_user_timeout: remaining = user_timeout - (now - retrans_stamp); <= 0 returns 1 (jiffy)", () => {
  // elapsed = tcp_time_stamp_ts - retrans_stamp (ms); remaining = user_timeout - elapsed (s32);
  // remaining <= 0: return 1 ("user timeout has passed; fire ASAP"), else min(icsk_rto, msecs_to_jiffies(remaining))
  it("user timeout 5000 ms, retrans_stamp 1000, now 6000: remaining 0 -> 1 jiffy = 1 ms (not icsk_rto's 201 ms)", () => {
    expect(clampRtoToUserTimeoutUs(host(6000), conn({ userTimeoutMs: 5000, retransStamp: 1000 }))).toBe(1000);
  });

  it("now 6500: remaining -500 -> 1 ms as well", () => {
    expect(clampRtoToUserTimeoutUs(host(6500), conn({ userTimeoutMs: 5000, retransStamp: 1000 }))).toBe(1000);
  });

  it("now 5900: remaining 100 -> min(201 ms, 100 ms) = 100 ms; now 4000: remaining 2000 -> icsk_rto 201 ms", () => {
    expect(clampRtoToUserTimeoutUs(host(5900), conn({ userTimeoutMs: 5000, retransStamp: 1000 }))).toBe(100_000);
    expect(clampRtoToUserTimeoutUs(host(4000), conn({ userTimeoutMs: 5000, retransStamp: 1000 }))).toBe(201_000);
  });

  it("no retrans_stamp (0 in the kernel): elapsed is the whole ms clock, 6000 > 5000 -> 1 ms; no user timeout: icsk_rto", () => {
    expect(clampRtoToUserTimeoutUs(host(6000), conn({ userTimeoutMs: 5000, retransStamp: NO_STAMP }))).toBe(1000);
    expect(clampRtoToUserTimeoutUs(host(6000), conn({ userTimeoutMs: 0, retransStamp: 1000 }))).toBe(201_000);
  });
});

describe("tcp_rtx_probe0_timed_out at its bounds: each comparison is strict (> timeout), equality is not timed out", () => {
  // timeout = TCP_RTO_MAX * 2 = 240000 jiffies; with a user timeout: rtx_delta > user_timeout -> true, timeout =
  // min(timeout, msecs_to_jiffies(user_timeout)); rcv_delta = icsk_timeout - rcv_tstamp <= timeout -> false;
  // return msecs_to_jiffies(rtx_delta) > timeout. rtx_delta = now - retrans_stamp (ms).
  it("no user timeout, rcv_delta exactly 240000 (ACK at jiffy 1000, due at 241000), rtx_delta 300000: not timed out", () => {
    expect(rtxProbe0TimedOut(host(301_000), conn({ userTimeoutMs: 0, retransStamp: 1000, rcvTstamp: 1000 }), 241_000)).toBe(false);
    // one jiffy more since the ACK: timed out
    expect(rtxProbe0TimedOut(host(301_000), conn({ userTimeoutMs: 0, retransStamp: 1000, rcvTstamp: 1000 }), 241_001)).toBe(true);
  });

  it("no user timeout, rcv_delta 240001, rtx_delta exactly 240000: not timed out; 240001: timed out", () => {
    expect(rtxProbe0TimedOut(host(241_000), conn({ userTimeoutMs: 0, retransStamp: 1000, rcvTstamp: 999 }), 241_000)).toBe(false);
    expect(rtxProbe0TimedOut(host(241_001), conn({ userTimeoutMs: 0, retransStamp: 1000, rcvTstamp: 999 }), 241_000)).toBe(true);
  });

  it("user timeout 5000 ms: rtx_delta exactly 5000 is not above it, and msecs_to_jiffies(5000) = 5000 is not above timeout 5000: not timed out; 5001: timed out, ACKs or not", () => {
    // the last ACK 6000 jiffies before the expiry: rcv_delta 6000 > 5000, so the last comparison decides
    expect(rtxProbe0TimedOut(host(6000), conn({ userTimeoutMs: 5000, retransStamp: 1000, rcvTstamp: 0 }), 6000)).toBe(false);
    // an ACK at the expiry's jiffy (rcv_delta 0) does not save it once rtx_delta is above the user timeout
    expect(rtxProbe0TimedOut(host(6001), conn({ userTimeoutMs: 5000, retransStamp: 1000, rcvTstamp: 6000 }), 6000)).toBe(true);
  });
});

describe("tcp_clamp_rto_to_user_timeout at HZ=250: a jiffy is 4 ms", () => {
  // the same formulas with msecs_to_jiffies(remaining) = ceil(remaining / 4) and the spent case's 1 jiffy = 4 ms
  it("remaining 0 -> 1 jiffy = 4000 µs; remaining 101 ms -> 26 jiffies = 104 ms (min with icsk_rto 204 ms)", () => {
    expect(clampRtoToUserTimeoutUs(host(6000, 250), conn({ userTimeoutMs: 5000, retransStamp: 1000, rtoUs: 204_000 }))).toBe(4000);
    expect(clampRtoToUserTimeoutUs(host(5899, 250), conn({ userTimeoutMs: 5000, retransStamp: 1000, rtoUs: 204_000 }))).toBe(104_000);
  });
});
