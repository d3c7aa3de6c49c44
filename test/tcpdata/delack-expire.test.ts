// tcp_send_delayed_ack (6.12 net/ipv4/tcp_output.c) with a delayed-ACK timer already pending: "If delack timer
// is about to expire, send ACK now" when time_before_eq(icsk_ack.timeout, jiffies + (ato >> 2)) — all in
// jiffies (HZ 1000): ato 21 ms gives ato >> 2 = 5 jiffies. Otherwise the older, earlier timeout stays, and
// sk_reset_timer files icsk_delack_timer at its wheel bucket (kernel/time/timer.c: calc_wheel_index: a delta
// below 63 jiffies is level 0, run on the jiffy after the expiry). The test schedules, on the receiving socket
// of a 10 Mbit bulk flow at 50 ms (jiffy 50), a pending timeout `left` jiffies ahead and calls the model's
// tcp_send_delayed_ack with ato 21 ms (below TCP_DELACK_MIN, so not clamped to the RTT).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { sendDelayedAck } from "../../src/tcp/data-out.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { pair, bulk } from "./helpers.js";

async function pending(left: number, o: { ato?: number; srttUs?: number } = {}) {
  const spec = pair({ durationNs: 51e6, rateBps: 10e6 }, [bulk()]);
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const t = w.host("b").stack.tcp;
  let out = { deadline: 0, timerAt: 0, now: 0, acksBefore: 0, acksAfter: 0 };
  w.loop.at(
    50e6,
    w.loop.register("test: delayed ACK", () => {
      const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
      const c = sk.conn!;
      const now = w.loop.now;
      c.delackDeadline = now + left; // icsk_ack.timeout of a pending ICSK_ACK_TIMER
      c.ato = o.ato ?? 21e6;
      if (o.srttUs !== undefined) c.rtt.srttUs = o.srttUs;
      const acksBefore = w.host("b").nstat.get("TcpOutSegs") ?? 0;
      sendDelayedAck(t, sk, c);
      out = { deadline: c.delackDeadline, timerAt: c.delackTimerAt, now, acksBefore, acksAfter: w.host("b").nstat.get("TcpOutSegs") ?? 0 };
    }),
    0,
  );
  w.run();
  return out;
}

describe("tcp_send_delayed_ack: 'about to expire' is icsk_ack.timeout <= jiffies + (ato >> 2)", () => {
  it("timer 6 jiffies ahead, ato 21 ms (ato >> 2 = 5): not about to expire, the earlier timeout stays, no ACK now; the timer runs at jiffy 57", async () => {
    const r = await pending(6e6);
    expect(r.now).toBe(50e6);
    expect(r.acksAfter).toBe(r.acksBefore);
    expect(r.deadline).toBe(r.now + 6e6);
    expect(r.timerAt).toBe(57e6);
  });

  it("timer 5 jiffies ahead: about to expire, the ACK goes now", async () => {
    const r = await pending(5e6);
    expect(r.acksAfter).toBe(r.acksBefore + 1);
  });
});

describe("tcp_send_delayed_ack's RTT bound: max_ato = max(usecs_to_jiffies(srtt_us >> 3), TCP_DELACK_MIN)", () => {
  it("srtt_us 480004 (8 x 60000.5 us): srtt_us >> 3 is 60000 us, 60 jiffies (not 61), so ato 80 ms becomes 60", async () => {
    // no timer pending (Infinity): timeout = jiffies + ato. ato 80 ms > TCP_DELACK_MIN; max_ato HZ/2 = 500 ms
    // (not pingpong, not pushed) is above the RTT bound, which is usecs_to_jiffies(60000) = 60 (the shift
    // truncates the half microsecond before the rounding up to jiffies): min(80, 60) = 60 jiffies at HZ 1000
    const r = await pending(Infinity, { ato: 80e6, srttUs: 480004 });
    expect(r.now).toBe(50e6);
    expect(r.acksAfter).toBe(r.acksBefore);
    expect(r.deadline - r.now).toBe(60e6);
  });
});
