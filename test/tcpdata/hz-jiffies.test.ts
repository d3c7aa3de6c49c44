// The jiffy-based TCP values at an HZ other than the model's default 1000 (TcpHost.hz; src/sim/jiffies.ts).
// At HZ=1000 a jiffy is a millisecond, so the kernel's jiffy counts and the model's ms clock agree; at HZ=250 a
// jiffy is 4 ms and every constant the kernel gives in jiffies is 4 times as long.
import { describe, expect, it } from "vitest";
import type { TcpHost } from "../../src/tcp/tcp-host.js";
import type { TcpConn } from "../../src/tcp/conn.js";
import { clampProbe0ToUserTimeoutNs } from "../../src/tcp/write-timeout.js";
import { jiffiesAt, msecsToJiffies } from "../../src/sim/jiffies.js";

/** The host fields tcp_clamp_probe0_to_user_timeout reads: the clock (tcp_jiffies32 at `hz`). */
function host(hz: number, nowNs: number): TcpHost {
  return { hz, now: nowNs, jiffies: () => jiffiesAt(nowNs, hz), nowMs: () => Math.floor(nowNs / 1e6) } as unknown as TcpHost;
}
const conn = (userTimeoutMs: number, probesTstamp: number) => ({ userTimeoutMs, probesTstamp }) as unknown as TcpConn;

describe("msecs_to_jiffies (include/linux/jiffies.h: _msecs_to_jiffies, HZ dividing 1000: rounded up)", () => {
  it("10 ms is 10 jiffies at HZ=1000, 3 at 250 ((10 + 3) / 4), 1 at 100; 8 ms is 2 at 250", () => {
    expect([1000, 250, 100].map((hz) => msecsToJiffies(10, hz))).toEqual([10, 3, 1]);
    expect(msecsToJiffies(8, 250)).toBe(2);
    expect(msecsToJiffies(0, 250)).toBe(0);
  });
});

describe("tcp_clamp_probe0_to_user_timeout at HZ=250: TCP_TIMEOUT_MIN is 2 jiffies (8 ms), not 2 ms", () => {
  // net/ipv4/tcp_timer.c (6.12): elapsed = tcp_jiffies32 - icsk_probes_tstamp; remaining =
  // msecs_to_jiffies(user_timeout) - elapsed; remaining = max(remaining, TCP_TIMEOUT_MIN) (include/net/tcp.h: 2U,
  // jiffies); return min(remaining, when).
  it("user timeout 10 ms, probing began at jiffy 100, now jiffy 102 (408 ms): 3 - 2 = 1 -> 2 jiffies = 8 ms", () => {
    const t = host(250, 408e6);
    expect(clampProbe0ToUserTimeoutNs(t, conn(10, 100), 200e6)).toBe(8e6);
  });

  it("the same at jiffy 100 (403 ms, nothing elapsed in jiffies): all of msecs_to_jiffies(10) = 3 jiffies, 12 ms", () => {
    expect(clampProbe0ToUserTimeoutNs(host(250, 403e6), conn(10, 100), 200e6)).toBe(12e6);
  });

  it("a `when` below what is left stays (min(remaining, when)); no user timeout or no probing: `when`", () => {
    expect(clampProbe0ToUserTimeoutNs(host(250, 403e6), conn(10_000, 100), 200e6)).toBe(200e6);
    expect(clampProbe0ToUserTimeoutNs(host(250, 403e6), conn(0, 100), 200e6)).toBe(200e6);
    expect(clampProbe0ToUserTimeoutNs(host(250, 403e6), conn(10, -1), 200e6)).toBe(200e6);
  });

  it("HZ=1000 keeps 2 ms: user timeout 10 ms from jiffy 400, now 409 ms: 10 - 9 = 1 -> 2 jiffies = 2 ms", () => {
    expect(clampProbe0ToUserTimeoutNs(host(1000, 409.5e6), conn(10, 400), 200e6)).toBe(2e6);
  });
});
