// include/net/tcp.h: tcp_reset_xmit_timer arms the xmit timer at `when + tcp_pacing_delay(sk)`, tcp_pacing_delay
// being tcp_wstamp_ns - tcp_clock_cache when positive, in whole jiffies (nsecs_to_jiffies truncates; HZ 1000).
// A flow paced by SO_MAX_PACING_RATE 5000 B/s (no fq: SK_PACING_NEEDED) over a 100 us RTT: cwnd 10 goes at once
// as two 5-segment skbs (tcp_cwnd_test: half the cwnd per TSO skb); tcp_update_skb_after_send paces from
// data_segs_out 10, so the second skb moves tcp_wstamp_ns on by 7240 B / 5000 B/s = 1448 ms (no credit: both
// left at the same instant). tcp_schedule_loss_probe arms the TLP at 2 srtt + TCP_TIMEOUT_MIN (~0.2 + 2 ms,
// rounded up to 3 jiffies) + 1448 ms. The ACK that empties the flight finds the head held by tcp_pacing_check
// (tcp_write_xmit returns true, __tcp_push_pending_frames runs tcp_check_probe_timer): PROBE0 at tcp_probe0_base
// (icsk_rto 201 ms) + the pacing delay (1447 whole ms left), ~1648 ms. So the pacing hrtimer (1448.1 ms) fires
// first and sends the other 4 segments; the probe never runs. (Without the delay PROBE0 fired at ~201 ms and
// tcp_write_wakeup sent one MSS per ~201 ms, ignoring pacing.) icsk_timeout is jiffies + when, armed in jiffy 0:
// 1648 (PROBE0), 1451 (TLP); the timer_list runs at its wheel bucket (kernel/time/timer.c: calc_wheel_index),
// both level 2 (504 <= delta < 4032): the next multiple of 64 jiffies, 1664 and 1472.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { bulk, pair } from "./helpers.js";
import { SegIn } from "../../src/tcp/segment.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import type { TcpConn } from "../../src/tcp/conn.js";
import { ICSK_TIME_LOSS_PROBE, ICSK_TIME_PROBE0 } from "../../src/tcp/data-out.js";

async function run(durationNs: number): Promise<{ sent: number[]; c: TcpConn }> {
  const spec = pair({ durationNs }, [bulk({ bytes: 14 * 1448, maxPacingRate: 5000 })]);
  const core = await createCore(coreConfigFor(spec));
  const sent: number[] = [];
  const s = new SegIn();
  const w: World = new World(core, spec, (h) => {
    s.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
    // data from the client (10.0.0.1)
    if (s.dataLen > 0 && core.headers[h * 128 + core.skb.network[h]! + 15] === 1) sent.push(w.loop.now);
  });
  w.run();
  let c: TcpConn | null = null;
  for (const pt of w.host("a").stack.tcp.ports.values()) for (const k of pt.conns.values()) c = (k as TcpSock).conn;
  return { sent, c: c! };
}

describe("tcp_reset_xmit_timer: a paced socket's xmit timer waits for its pacing time (tcp_pacing_delay)", () => {
  it("nothing leaves between the first 10 segments and the pacing time: the probe timer is pushed past it", async () => {
    const { sent, c } = await run(1000e6);
    expect(sent.length).toBe(10);
    expect(sent.every((at) => at < 1e6)).toBe(true);
    // PROBE0 pending at ack time (~0.21 ms: jiffy 0) + 201 + 1447 jiffies
    expect(c.xmitPending).toBe(ICSK_TIME_PROBE0);
    expect([c.rtoDeadline, c.rtoTimerAt]).toEqual([1648e6, 1664e6]);
  });

  it("the pacing timer sends the remaining 4 segments at the pacing time (1448 ms), the probe never runs", async () => {
    const { sent } = await run(3000e6);
    expect(sent.length).toBe(14);
    expect(sent.slice(0, 10).every((at) => at < 1e6)).toBe(true);
    for (const at of sent.slice(10)) {
      expect(at).toBeGreaterThan(1448e6);
      expect(at).toBeLessThan(1449e6);
    }
  });

  it("tcp_schedule_loss_probe: the TLP of the first flight is 3 ms after the pacing time, not 3 ms after the send", async () => {
    // stop at 0.12 ms: the flight sent (~0.10 ms), its ACKs not back yet
    const { sent, c } = await run(0.12e6);
    expect(sent.length).toBe(10);
    expect(c.xmitPending).toBe(ICSK_TIME_LOSS_PROBE);
    // sent at ~0.1 ms (jiffy 0): 3 + 1448 jiffies
    expect([c.rtoDeadline, c.rtoTimerAt]).toEqual([1451e6, 1472e6]);
  });
});
