// TcpHost.modTimer takes a timer_list whose run time is now for one of this tick's batch not yet run (kernel/time/
// timer.c: __run_timers -> expire_timers detaches each timer only as it calls it, so __mod_timer's
// `timer->expires == expires` shortcut still applies to it). That holds only if a timer that has run no longer
// has a run time: data-out.ts timerListRuns clears it as the wheel entry of icsk_retransmit_timer or
// icsk_delack_timer fires at it, and the conn timer dispatcher checks it afterwards (checkTimerListRan). These
// tests make the consumer forget (the connection ignores the clearing write) and expect the check to stop the run.
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import { ICSK_TIME_RETRANS, rearmRto, resetXmitTimer } from "../../src/tcp/data-out.js";
import type { TcpConn } from "../../src/tcp/conn.js";

/** Make `c` drop every write of Infinity to `field` (a consumer that forgets to clear the run time). */
function forgetClearing(c: TcpConn, field: "rtoTimerAt" | "delackTimerAt"): void {
  let v = c[field];
  Object.defineProperty(c, field, {
    get: () => v,
    set: (x: number) => {
      if (x !== Infinity) v = x;
    },
  });
}

describe("a timer_list run time left at now after the timer ran is caught (checkTimerListRan)", () => {
  it("icsk_delack_timer: a 100-byte segment at 303 ms arms the delayed ACK (ato 40 ms); its run at 344 ms must clear delackTimerAt", async () => {
    const r = await quietReceiver();
    forgetClearing(r.c, "delackTimerAt");
    r.rcv(0, 100);
    // icsk_ack.timeout = jiffy 303 + 40 = 343; level 0 runs it on the next jiffy, 344 ms
    expect(r.c.delackTimerAt).toBe(344e6);
    expect(() => r.run(50e6)).toThrow(/delackTimerAt \(icsk_delack_timer\): run time 344000000 ns is not after now \(344000000 ns\)/);
  });

  it("the same without the fault: the delayed ACK goes at 344 ms and the run time is cleared", async () => {
    const r = await quietReceiver();
    r.rcv(0, 100);
    const acks = r.run(50e6);
    expect(acks.map((a) => [a.at, a.ack])).toEqual([[344e6, 100]]);
    expect(r.c.delackTimerAt).toBe(Infinity);
  });

  // quietReceiver's socket (nothing out) at 303 ms: inet_csk_reset_xmit_timer(ICSK_TIME_RETRANS, 10 ms) sets
  // icsk_timeout = jiffy 313 (level 0: runs at 314 ms); tcp_rearm_rto with packets_out 0 then clears icsk_pending
  // (inet_csk_clear_xmit_timer) but leaves the timer queued: it runs at 314 ms and finds nothing.
  const queuedEmpty = async (forget: boolean) => {
    const r = await quietReceiver();
    if (forget) forgetClearing(r.c, "rtoTimerAt");
    resetXmitTimer(r.t, r.c, ICSK_TIME_RETRANS, 10e6);
    rearmRto(r.t, r.c);
    expect([r.c.rtoDeadline, r.c.rtoTimerAt]).toEqual([Infinity, 314e6]);
    return r;
  };

  it("icsk_retransmit_timer: a timer left queued with nothing pending runs at 314 ms and must clear rtoTimerAt", async () => {
    const r = await queuedEmpty(true);
    expect(() => r.run(20e6)).toThrow(/rtoTimerAt \(icsk_retransmit_timer\): run time 314000000 ns is not after now \(314000000 ns\)/);
  });

  it("the same without the fault: the queued timer runs, finds nothing and leaves no run time", async () => {
    const r = await queuedEmpty(false);
    r.run(20e6);
    expect(r.c.rtoTimerAt).toBe(Infinity);
  });
});
