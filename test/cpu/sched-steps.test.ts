// CpuSched's step events: a softirq session whose last round raised nothing
// ends without a step event (closeAt, settled by whatever next touches the
// CPU or by settleIdle when the loop runs dry). The times and CPU counters
// below are derived by hand from the costs: IRQ 1000 ns, net_rx_action entry
// 200 ns, one poll 500 ns that delivers 300 ns of application work.
import { describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import { EventLoop } from "../../src/sim/loop.js";
import { CpuSched, type NetRxHandler } from "../../src/cpu/sched.js";

async function setup(irqAt: number[]) {
  const core = await freshCore();
  const loop = new EventLoop(core.wheel);
  const sched = new CpuSched(1, loop, "t");
  const rx: NetRxHandler & { start: number } = {
    roundOver: false,
    start: 0,
    netRxBegin: () => 200,
    netRxStep(_cpu, now) {
      this.start = now;
      // a packet of the poll wakes the reader after 100 ns of the poll
      sched.addApp(0, 300);
      this.roundOver = true;
      return 500;
    },
    softirqNow() {
      return this.start + 100;
    },
  };
  sched.handler = rx;
  const raise = () => sched.raiseSoftirq(0);
  const kIrq = loop.register("irq", () => sched.hardirq(0, 1000, raise));
  for (const t of irqAt) loop.at(t, kIrq, 0);
  const run = () => {
    let r = loop.run(1e9);
    while (r.stoppedBy === "idle" && sched.settleIdle()) r = loop.run(1e9);
    return r;
  };
  return { loop, sched, run };
}

describe("CpuSched session ends without a step event", () => {
  it("one IRQ: the session ends at 1700, the app runs 1700-2000, the run ends at 2000", async () => {
    const { loop, sched, run } = await setup([0]);
    const r = run();
    expect(r.now).toBe(2000);
    expect([sched.irqNs[0], sched.softirqNs[0], sched.appNs[0]]).toEqual([1000, 700, 300]);
    // irq, step 1000 (session + poll), then settleIdle's steps at 1700 (close, app) and 2000 (app done)
    expect(loop.events).toBe(4);
  });

  it("an IRQ after the app slice settles the old session first; no step at 1700 or 2000", async () => {
    const { loop, sched, run } = await setup([0, 2500]);
    const r = run();
    // second IRQ 2500-3500, new session 3500-4200, app 4200-4500
    expect(r.now).toBe(4500);
    expect([sched.irqNs[0], sched.softirqNs[0], sched.appNs[0]]).toEqual([2000, 1400, 600]);
    expect(sched.ahead(0, r.now)).toBe(0);
    // irq 0, step 1000, irq 2500, step 3500, then settleIdle: steps 4200 and 4500 (a step per session end would add 1700 and 2000)
    expect(loop.events).toBe(6);
  });

  it("an IRQ inside the busy stretch finds the session running: the round restarts, the app waits", async () => {
    const { sched, run } = await setup([0, 1500]);
    const r = run();
    // IRQ at 1500 pushes the end to 2700; __do_softirq restarts net_rx_action
    // there (no new session, no entry IRQ) until 3400; the app's 600 ns then run to 4000
    expect(r.now).toBe(4000);
    expect([sched.irqNs[0], sched.softirqNs[0], sched.appNs[0]]).toEqual([2000, 1400, 600]);
  });

  it("an IRQ preempts the app slice that began at the lazy session end", async () => {
    const { sched, run } = await setup([0, 1800]);
    const r = run();
    // app 1700-1800 (100 ns), preempted; IRQ 1800-2800; session 2800-3500;
    // the rest (200) and the new 300 run 3500-4000
    expect(r.now).toBe(4000);
    expect([sched.irqNs[0], sched.softirqNs[0], sched.appNs[0]]).toEqual([2000, 1400, 600]);
  });
});
