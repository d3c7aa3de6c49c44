// tcp_slow_start_after_idle_check at HZ=250 (6.12 include/net/tcp.h, net/ipv4/tcp_output.c: tcp_cwnd_restart):
// `delta = tcp_jiffies32 - tp->lsndtime` and icsk_rto are jiffies; a restart when delta > icsk_rto, then
// cwnd halves while `(delta -= icsk_rto) > 0`, down to min(TCP_INIT_CWND, cwnd). At HZ=250 an RTO of 201 ms is
// usecs_to_jiffies: 51 jiffies (204 ms). Idle from jiffy 75 (lsndtime 300 ms) to jiffy 126 (506 ms) is 51
// jiffies: no restart, though 206 ms > 204 ms; to jiffy 127 (509 ms) it is 52: restart, 52 - 51 = 1 > 0 halves
// cwnd 40 -> 20, then -50: stop. Connection: quietReceiver's receiver (it never sent data: packets_out 0).
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import { slowStartAfterIdleCheck } from "../../src/tcp/data-out.js";

async function idleTo(ns: number) {
  const r = await quietReceiver();
  r.t.hz = 250;
  r.c.jiffyUs = 4000;
  r.c.rtt.rtoUs = 201_000;
  expect(r.c.icskRtoUs()).toBe(204_000);
  expect(Math.floor(r.w.loop.now / 4e6)).toBe(75);
  r.c.lsndtime = 75; // a jiffy stamp (tcp_jiffies32)
  r.c.cwnd = 40;
  r.run(ns);
  expect(r.c.packetsOut).toBe(0);
  const jiffy = Math.floor(r.w.loop.now / 4e6);
  slowStartAfterIdleCheck(r.t, r.c);
  return { jiffy, cwnd: r.c.cwnd };
}

describe("tcp_slow_start_after_idle_check on jiffies at HZ=250", () => {
  it("idle 51 jiffies (jiffy 75 -> 126, 206 ms): not above icsk_rto (51): cwnd kept (before: 206 > 204 ms, cwnd 20)", async () => {
    expect(await idleTo(203e6)).toEqual({ jiffy: 126, cwnd: 40 });
  });

  it("idle 52 jiffies (jiffy 75 -> 127): restart, cwnd 40 -> 20", async () => {
    expect(await idleTo(206e6)).toEqual({ jiffy: 127, cwnd: 20 });
  });
});
