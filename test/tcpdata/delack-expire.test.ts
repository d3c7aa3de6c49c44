// tcp_send_delayed_ack (6.12 net/ipv4/tcp_output.c) with a delayed-ACK timer already pending: "If delack timer
// is about to expire, send ACK now" when time_before_eq(icsk_ack.timeout, jiffies + (ato >> 2)) — ato in
// jiffies (HZ 1000), so ato >> 2 is whole ms: ato 21 ms gives 5 ms, not 5.25. Otherwise the older, earlier
// timeout stays. The test schedules, on the receiving socket of a 10 Mbit bulk flow at 50 ms, a pending timer
// `left` ns ahead and calls the model's tcp_send_delayed_ack with ato 21 ms (below TCP_DELACK_MIN, so not
// clamped to the RTT).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { sendDelayedAck } from "../../src/tcp/data-out.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { pair, bulk } from "./helpers.js";

async function pending(left: number) {
  const spec = pair({ durationNs: 51e6, rateBps: 10e6 }, [bulk()]);
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const t = w.host("b").stack.tcp;
  let out = { deadline: 0, now: 0, acksBefore: 0, acksAfter: 0 };
  w.loop.at(
    50e6,
    w.loop.register("test: delayed ACK", () => {
      const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
      const c = sk.conn!;
      const now = w.loop.now;
      c.delackDeadline = now + left; // icsk_ack.timeout of a pending ICSK_ACK_TIMER
      c.ato = 21e6;
      const acksBefore = w.host("b").nstat.get("TcpOutSegs") ?? 0;
      sendDelayedAck(t, sk, c);
      out = { deadline: c.delackDeadline, now, acksBefore, acksAfter: w.host("b").nstat.get("TcpOutSegs") ?? 0 };
    }),
    0,
  );
  w.run();
  return out;
}

describe("tcp_send_delayed_ack: 'about to expire' is ato >> 2 in whole jiffies", () => {
  it("timer 5.2 ms ahead, ato 21 ms (ato >> 2 = 5 ms): not about to expire, the earlier timeout stays, no ACK now", async () => {
    const r = await pending(5.2e6);
    expect(r.acksAfter).toBe(r.acksBefore);
    expect(r.deadline).toBe(r.now + 5.2e6);
  });

  it("timer 5 ms ahead: about to expire, the ACK goes now", async () => {
    const r = await pending(5e6);
    expect(r.acksAfter).toBe(r.acksBefore + 1);
  });
});
