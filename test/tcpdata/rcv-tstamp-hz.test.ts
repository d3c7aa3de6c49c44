// tp->rcv_tstamp is a jiffy stamp (net/ipv4/tcp_input.c: tcp_ack sets it to tcp_jiffies32) and its one use in
// the model, tcp_rtx_probe0_timed_out (net/ipv4/tcp_timer.c, 6.12), compares it with icsk_timeout, also in
// jiffies: rcv_delta = icsk_timeout - rcv_tstamp against timeout = TCP_RTO_MAX * 2 (120 * HZ * 2 = 60000 jiffies
// at HZ=250) or msecs_to_jiffies(user_timeout) if less; then msecs_to_jiffies(rtx_delta) > timeout, rtx_delta in
// ms (tcp_time_stamp_ts since retrans_stamp). At HZ=1000 jiffies are ms and nothing changes.
import { describe, expect, it } from "vitest";
import type { TcpHost } from "../../src/tcp/tcp-host.js";
import type { TcpConn } from "../../src/tcp/conn.js";
import { rtxProbe0TimedOut } from "../../src/tcp/write-timeout.js";
import { jiffiesAt } from "../../src/sim/jiffies.js";
import { bulk, deadLinkWorld, pair, reordering, smallMtu } from "./helpers.js";

/** The host fields tcp_rtx_probe0_timed_out reads: the ms clock, HZ and its jiffy conversions. */
function host(hz: number, nowNs: number): TcpHost {
  return { hz, now: nowNs, nowMs: () => Math.floor(nowNs / 1e6), toJiffies: (ns: number) => Math.ceil(ns / (1e9 / hz) - 1e-9) } as unknown as TcpHost;
}
/** A connection whose head was first retransmitted at `retransStamp` ms, last ACKed in jiffy `rcvTstamp`. */
const conn = (retransStamp: number, rcvTstamp: number, userTimeoutMs = 0) => ({ retransStamp, rcvTstamp, userTimeoutMs }) as unknown as TcpConn;

describe("tcp_rtx_probe0_timed_out at HZ=250: rcv_tstamp and icsk_timeout in jiffies", () => {
  // now 244004 ms (jiffy 61001), retrans_stamp 4003 ms: rtx_delta = 240001 ms, msecs_to_jiffies = ceil(240001 / 4)
  // = 60001 > 60000. Last ACK in jiffy 1000 (4000..4003 ms).
  it("icsk_timeout jiffy 61001: rcv_delta 60001 > 60000 and 60001 > 60000: timed out", () => {
    expect(rtxProbe0TimedOut(host(250, 244_004e6), conn(4003, 1000), 61_001)).toBe(true);
  });

  it("icsk_timeout jiffy 61000 (the timer ran a jiffy late): rcv_delta 60000, not above: not timed out", () => {
    expect(rtxProbe0TimedOut(host(250, 244_004e6), conn(4003, 1000), 61_000)).toBe(false);
  });

  it("user timeout 240002 ms: rtx_delta 240001 is not above it; timeout = min(60000, msecs_to_jiffies(240002) = 60001) = 60000: timed out", () => {
    expect(rtxProbe0TimedOut(host(250, 244_004e6), conn(4003, 1000, 240_002), 61_001)).toBe(true);
  });

  it("user timeout 10001 ms: timeout msecs_to_jiffies = 2501 jiffies; rtx_delta 10001 is not above it, ceil(10001 / 4) = 2501 is not above 2501: not timed out", () => {
    // now 14004 ms, retrans_stamp 4003; last ACK in jiffy 1000, due jiffy 3502: rcv_delta 2502 > 2501
    expect(rtxProbe0TimedOut(host(250, 14_004e6), conn(4003, 1000, 10_001), 3502)).toBe(false);
    // one ms more of waiting: rtx_delta 10002 > 10001: timed out whatever the ACKs
    expect(rtxProbe0TimedOut(host(250, 14_005e6), conn(4003, 3500, 10_001), 3502)).toBe(true);
  });
});

describe("a zero-window sender at HZ=250 whose peer goes silent at 10 s", () => {
  // test/tcpdata/write-timeout's world (a receiver that never reads, an 8 KB buffer, MTU 300, 5% reordering):
  // data out, snd_wnd 0, the RTOs are zero-window probes; both hosts at HZ=250.
  it("every rcv_tstamp written is tcp_jiffies32 at HZ=250; the abort is the first RTO due > 60000 jiffies after it", async () => {
    const spec = reordering(smallMtu(pair({ durationNs: 1500e9, delayNs: 1e6, app: { kind: "sink", readRate: 0 }, sysctl: { "net.ipv4.tcp_rmem": [4096, 8192, 8192] } }, [bulk()])), 0.05);
    const w = await deadLinkWorld(spec, 10e9);
    for (const name of ["a", "b"]) w.host(name).stack.tcp.hz = 250;
    const n = w.host("a").nstat;
    const abortId = n.id("TcpExtTCPAbortOnTimeout");
    const aborts: number[] = [];
    const add = n.add.bind(n);
    n.add = (id: number, v = 1) => {
      if (id === abortId) aborts.push(w.loop.now);
      add(id, v);
    };
    // watch the sender's rcv_tstamp from 50 ms on (the connection is up by then)
    const writes: [number, number][] = [];
    const watch = w.loop.register("test: watch rcv_tstamp", () => {
      const c = [...w.flows.values()][0]!.sender! as TcpConn & { rcvTstamp: number };
      let v = c.rcvTstamp;
      Object.defineProperty(c, "rcvTstamp", {
        get: () => v,
        set: (x: number) => {
          writes.push([w.loop.now, x]);
          v = x;
        },
      });
    });
    w.loop.at(50e6, watch, 0);
    w.run();
    const c = [...w.flows.values()][0]!.sender!;
    expect(c.sndWnd).toBe(0);
    expect(writes.length).toBeGreaterThan(3);
    // the ACKs of the probes arrive 2 ms into a jiffy (66 ms: jiffy 16, 278 ms: 69, ...): the stamp is the jiffy
    for (const [at, v] of writes) expect(v).toBe(jiffiesAt(at, 250));
    expect(writes.slice(0, 2).map(([at, v]) => [Math.floor(at / 1e6), v])).toEqual([[66, 16], [278, 69]]);
    const last = writes[writes.length - 1]!;
    expect(last[0]).toBeLessThan(10e9);
    expect(c.rcvTstamp).toBe(last[1]);
    expect(aborts.length).toBe(1);
    // the aborting RTO ran at its bucket's jiffy, at or after its icsk_timeout: more than 60000 jiffies after the
    // last ACK's; RTOs come every 120 s (30000 jiffies, TCP_RTO_MAX) by then, filed at level 3 (below
    // LVL_START(4) = 32256 jiffies: 512-jiffy buckets), so the one before ran at most 60000 jiffies after the ACK
    const sinceAckJ = jiffiesAt(aborts[0]!, 250) - c.rcvTstamp;
    expect(sinceAckJ).toBeGreaterThan(60_000);
    expect(sinceAckJ).toBeLessThanOrEqual(60_000 + 30_000 + 512);
    expect(c.sockErr).toBe(110);
    expect(n.get("TcpExtTCPTimeouts")).toBe(0);
  });
});
