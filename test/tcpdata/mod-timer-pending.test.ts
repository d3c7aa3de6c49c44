// __mod_timer's `timer->expires == expires` shortcut for a timer due this very tick (kernel/time/timer.c, 6.12):
// __run_timers collects every bucket due at base->clk (collect_expired_timers), increments base->clk and only
// then runs the batch (expire_timers), detaching each timer as it calls it. A timer of the batch not yet called
// is still timer_pending(), so another callback of the same tick that re-arms it to its own expiry returns at
// once: it stays in the batch and runs this tick. Filed again, from a callback (base->clk = jiffies + 1) its
// expiry in the past would go to base->clk: a jiffy late.
// TcpHost.modTimer(expires, pendingExp, pendingAt) on quietReceiver's host at 303 ms (HZ=1000: jiffy 303), for
// a timer armed with expiry 302 from jiffy 301 (delta 1, level 0: bucket 303, run time 303 ms = now).
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import type { TcpHost } from "../../src/tcp/tcp-host.js";

/** Run `fn` as if from a timer_list callback (the host's dispatcher sets inTimerList around one). */
function fromCallback<T>(t: TcpHost, fn: () => T): T {
  const h = t as unknown as { inTimerList: boolean };
  h.inTimerList = true;
  try {
    return fn();
  } finally {
    h.inTimerList = false;
  }
}

describe("__mod_timer on a timer due this tick and not yet run (pendingAt == now)", () => {
  it("re-armed to its own expiry from another callback of the tick: stays, runs at 303 ms (before: filed at base->clk 304)", async () => {
    const { t, w } = await quietReceiver();
    expect(w.loop.now).toBe(303e6);
    expect(fromCallback(t, () => t.modTimer(302, 302e6, 303e6))).toBe(303e6);
  });

  it("the other cases are unchanged: from process context (clk 303, delta -1: bucket 303), a new expiry (310 from clk 304: level 0, bucket 311), a timer that already ran (expiry 302 again from clk 304: delta -2, bucket 304)", async () => {
    const { t } = await quietReceiver();
    expect(t.modTimer(302, 302e6, 303e6)).toBe(303e6);
    expect(fromCallback(t, () => t.modTimer(310, 302e6, 303e6))).toBe(311e6);
    expect(fromCallback(t, () => t.modTimer(302, 302e6, Infinity))).toBe(304e6);
    // pending, due later: the shortcut as before
    expect(fromCallback(t, () => t.modTimer(310, 310e6, 311e6))).toBe(311e6);
  });
});
