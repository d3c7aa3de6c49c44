// The CPUs of one host as servers on the event loop. Each CPU runs, in order
// of precedence: hard IRQs (they preempt anything; their time extends the
// work they interrupt), the NET_RX softirq (__do_softirq on IRQ exit, which
// restarts net_rx_action while it is re-raised, up to MAX_SOFTIRQ_RESTART
// rounds or MAX_SOFTIRQ_TIME, then hands over to ksoftirqd), and application
// work. ksoftirqd is an ordinary thread: while application work is runnable
// the two share the CPU (each ksoftirqd __do_softirq is followed by an equal
// slice of application time: the fair class's even split, EEVDF in 6.12),
// otherwise it runs back to back. Application slices are preemptible: an IRQ
// returns the unrun rest.
//
// One step event per CPU at a time: a step runs one NAPI poll (or one app
// slice) at once and makes the CPU busy for its cost; the next step starts
// when the CPU is free again. A softirq session whose last round raised
// nothing ends without a step event: the CPU notes when it ends (closeAt) and
// whatever next touches the CPU settles it first: after closeAt it closes the
// session and runs the queued application work from closeAt, as the step
// would have; at or before closeAt it puts the step on the wheel after all.
// A session whose last round charged no time ends at once, in the poll's own
// event, when its step would be the next event anyway (nothing else due then).
import { VIRTUAL_ID, type EventLoop } from "../sim/loop.js";

/** kernel/softirq.c: MAX_SOFTIRQ_RESTART, MAX_SOFTIRQ_TIME (2 ms as jiffies) */
export const MAX_SOFTIRQ_RESTART = 10;
export const MAX_SOFTIRQ_JIFFIES = 2;
/** HZ=1000: one jiffy in ns. */
export const JIFFY_NS = 1e6;

export function jiffies(ns: number): number {
  return Math.floor(ns / JIFFY_NS);
}

/** The softirq work a CPU runs: NET_RX (net_rx_action) in steps. */
export interface NetRxHandler {
  /** net_rx_action starts on cpu at time now; returns its entry cost (ns). */
  netRxBegin(cpu: number, now: number): number;
  /** Run one step of net_rx_action on cpu (one NAPI poll); returns ns spent.
   *  Sets `roundOver` when net_rx_action has returned. */
  netRxStep(cpu: number, now: number): number;
  roundOver: boolean;
  /** Inside netRxStep: the CPU's clock (step start plus the work charged so far). */
  softirqNow(): number;
}

const IDLE = 0;
const SOFTIRQ = 1;
const APP = 2;

export class CpuSched {
  /** Accounted time per class (ns). */
  readonly irqNs: Float64Array;
  readonly softirqNs: Float64Array;
  readonly appNs: Float64Array;
  /** Part of softirqNs spent in ksoftirqd (thread context). */
  readonly ksoftirqdNs: Float64Array;
  /** Application work queued and not yet run (ns). */
  readonly appPending: Float64Array;
  /** NET_RX_SOFTIRQ raised (local_softirq_pending). */
  readonly pending: Uint8Array;
  private readonly busyUntil: Float64Array;
  private readonly stepAt: Float64Array;
  /** The pending step's wheel id (u32: an Int32Array would turn ids of 2^31 and up negative, i.e. "none"); -1 = none. */
  private readonly stepId: Float64Array;
  private readonly cur: Uint8Array;
  private readonly curEnd: Float64Array;
  /** An IRQ ended outside softirq: irq_exit runs __do_softirq inline. */
  private readonly irqExit: Uint8Array;
  /** ksoftirqd woken and runnable. */
  private readonly ksoftirqd: Uint8Array;
  private readonly inSession: Uint8Array;
  private readonly sessionIsThread: Uint8Array;
  private readonly inRound: Uint8Array;
  private readonly sessionEnd: Float64Array;
  private readonly sessionStart: Float64Array;
  private readonly restarts: Int32Array;
  /** App time owed after a ksoftirqd run (fair share). */
  private readonly appCredit: Float64Array;
  private readonly kindStep: number;
  /** CPU whose NAPI poll runs right now (-1: none); its runPoll schedules the next step. */
  private polling = -1;
  /** A session's end that has no step event (-1: none), see settle(). */
  private readonly closeAt: Float64Array;
  handler: NetRxHandler | null = null;

  constructor(
    readonly cpus: number,
    private readonly loop: EventLoop,
    name: string,
  ) {
    const f = () => new Float64Array(cpus);
    const u = () => new Uint8Array(cpus);
    this.irqNs = f();
    this.softirqNs = f();
    this.appNs = f();
    this.ksoftirqdNs = f();
    this.appPending = f();
    this.pending = u();
    this.busyUntil = f();
    this.stepAt = f();
    this.stepId = new Float64Array(cpus).fill(-1);
    this.cur = u();
    this.curEnd = f();
    this.irqExit = u();
    this.ksoftirqd = u();
    this.inSession = u();
    this.sessionIsThread = u();
    this.inRound = u();
    this.sessionEnd = f();
    this.sessionStart = f();
    this.restarts = new Int32Array(cpus);
    this.appCredit = f();
    this.closeAt = f().fill(-1);
    this.kindStep = loop.register(`${name} cpu step`, (cpu) => this.step(cpu));
    // addApp's step at now is virtual (EventLoop.atVirtual) until its place in the order matters
    loop.setVirtualSink(this.kindStep, (cpu, id) => {
      this.stepId[cpu] = id;
    });
  }

  /** True while cpu is inside __do_softirq (an IRQ now must not start another). */
  inSoftirq(cpu: number): boolean {
    if (this.closeAt[cpu]! >= 0) this.settle(cpu);
    return this.inSession[cpu] === 1;
  }

  // kernel/softirq.c: __raise_softirq_irqoff(NET_RX_SOFTIRQ)
  raiseSoftirq(cpu: number): void {
    if (this.closeAt[cpu]! >= 0) this.settle(cpu);
    this.pending[cpu] = 1;
    if (this.inSession[cpu] === 0 && this.stepId[cpu]! < 0) this.ensureStep(cpu, Math.max(this.loop.now, this.busyUntil[cpu]!));
  }

  /** A hard IRQ on cpu now costing `cost` ns; `handler(a, b)` runs at once (it
   *  may schedule NAPI / raise the softirq). The two arguments spare callers a
   *  closure per IRQ. */
  hardirq(cpu: number, cost: number, handler: (a: number, b: number) => void, a = 0, b = 0): void {
    if (this.closeAt[cpu]! >= 0) this.settle(cpu, false);
    const now = this.loop.now;
    this.preemptApp(cpu, now);
    this.irqNs[cpu]! += cost;
    this.busyUntil[cpu] = Math.max(this.busyUntil[cpu]!, now) + cost;
    handler(a, b);
    if (this.inSession[cpu] === 0) this.irqExit[cpu] = 1;
    this.ensureStep(cpu, this.busyUntil[cpu]!);
  }

  /** Softirq work done outside net_rx_action's steps (a TX queue's completion NAPI): `ns` charged
   *  to cpu now; like an IRQ it preempts the application and delays what the CPU runs next. */
  softirqWork(cpu: number, ns: number): void {
    if (ns <= 0) return;
    if (this.closeAt[cpu]! >= 0) this.settle(cpu, false);
    const now = this.loop.now;
    this.preemptApp(cpu, now);
    this.softirqNs[cpu]! += ns;
    this.busyUntil[cpu] = Math.max(this.busyUntil[cpu]!, now) + ns;
    this.ensureStep(cpu, this.busyUntil[cpu]!);
  }

  /** An IRQ or softirq takes the CPU from a running application slice: give back what it has not run. */
  private preemptApp(cpu: number, now: number): void {
    if (this.cur[cpu] === APP && this.curEnd[cpu]! > now) {
      const rest = this.curEnd[cpu]! - now;
      this.appPending[cpu]! += rest;
      this.appNs[cpu]! -= rest;
      this.cur[cpu] = IDLE;
      this.busyUntil[cpu] = now;
    }
  }

  /** Queue application work on cpu (a woken thread's recvmsg). */
  addApp(cpu: number, ns: number): void {
    if (this.closeAt[cpu]! >= 0) this.settle(cpu);
    this.appPending[cpu]! += ns;
    if (this.stepId[cpu]! >= 0) return;
    // Woken by a packet of this CPU's own poll that has already cost time: the
    // poll's end schedules the next step, later than now, and that step runs
    // the app. A step at now would only find the CPU busy and move on.
    if (this.polling === cpu) {
      const now = this.loop.now;
      if (this.handler!.softirqNow() > now) return;
      // Woken by a packet of this CPU's own poll that has cost nothing so far (the zero-cost model's sink):
      // a step at now, tentatively, so that the poll's end may run it in place (runPoll) while it keeps its
      // slot in the order, in case something due at now comes first; virtual (not staged) until that slot
      // matters (EventLoop.atVirtual: most polls' ends run it in place and it never is)
      if (this.busyUntil[cpu]! <= now) {
        this.stepAt[cpu] = now;
        this.stepId[cpu] = this.loop.atVirtual(now, this.kindStep, cpu);
        return;
      }
    }
    this.ensureStep(cpu, Math.max(this.loop.now, this.busyUntil[cpu]!));
  }

  /** The event loop ran dry: sessions that end without a step event get
   *  their steps (or are closed), so the run goes on to when the CPUs are
   *  idle, as it would have with a step per session end. True if it added events. */
  settleIdle(): boolean {
    let added = false;
    for (let cpu = 0; cpu < this.cpus; cpu++) {
      if (this.closeAt[cpu]! < 0) continue;
      this.settle(cpu);
      if (this.stepId[cpu]! >= 0) added = true;
    }
    return added;
  }

  /** Before reading cpu's time counters: a session that ended (closeAt) without a step is closed. */
  observe(cpu: number): void {
    if (this.closeAt[cpu]! >= 0 && this.loop.now > this.closeAt[cpu]!) this.settle(cpu);
  }

  /** Busy time of cpu that lies in the future (work charged but not yet elapsed). */
  ahead(cpu: number, now: number): number {
    this.observe(cpu);
    return Math.max(0, this.busyUntil[cpu]! - now);
  }

  private ensureStep(cpu: number, t: number): void {
    let id = this.stepId[cpu]!;
    if (id >= 0) {
      const at = this.stepAt[cpu]!;
      // A step before the CPU is free would only move itself to busyUntil:
      // move it now (an IRQ or TX clean lengthened the busy stretch).
      if (at <= t && at >= this.busyUntil[cpu]!) return;
      if (at <= t) t = this.busyUntil[cpu]!;
      this.stepAt[cpu] = t;
      // a virtual step is staged first (in its place), then moved as any
      if (id === VIRTUAL_ID) id = this.loop.materialize();
      this.stepId[cpu] = this.loop.reschedule(id, t, this.kindStep, cpu);
      return;
    }
    this.stepAt[cpu] = t;
    // a step at now (an IRQ on an idle CPU): virtual, so that it may run at the end of this event, in
    // place, when it is next (EventLoop.atVirtual)
    this.stepId[cpu] = t === this.loop.now ? this.loop.atVirtual(t, this.kindStep, cpu) : this.loop.at(t, this.kindStep, cpu);
  }

  private step(cpu: number): void {
    this.stepId[cpu] = -1;
    const now = this.loop.now;
    if (now < this.busyUntil[cpu]!) {
      this.ensureStep(cpu, this.busyUntil[cpu]!);
      return;
    }
    this.cur[cpu] = IDLE;
    const h = this.handler!;
    if (this.inRound[cpu] === 1) {
      this.runPoll(cpu, 0);
      return;
    }
    if (this.inSession[cpu] === 1) {
      // net_rx_action returned: __do_softirq restarts while re-raised
      // (kernel/softirq.c: handle_softirqs; its !need_resched() term is not modelled: no preemption state)
      if (this.pending[cpu] === 1 && jiffies(now) < this.sessionEnd[cpu]! && --this.restarts[cpu]! > 0) {
        this.beginRound(cpu);
        return;
      }
      this.inSession[cpu] = 0;
      const thread = this.sessionIsThread[cpu] === 1;
      if (this.pending[cpu] === 1) {
        // wakeup_softirqd; a thread run earns the app an equal slice
        this.ksoftirqd[cpu] = 1;
        if (thread) this.appCredit[cpu] = now - this.sessionStart[cpu]!;
      } else if (thread) {
        this.ksoftirqd[cpu] = 0;
        this.appCredit[cpu] = 0;
      }
    }
    const pend = this.pending[cpu] === 1;
    if (pend && this.irqExit[cpu] === 1) {
      this.irqExit[cpu] = 0;
      this.beginSession(cpu, false);
      return;
    }
    this.irqExit[cpu] = 0;
    const app = this.appPending[cpu]!;
    if (pend && (app <= 0 || this.appCredit[cpu]! <= 0)) {
      // ksoftirqd's turn (or the pending softirq of a raise outside IRQ context)
      this.ksoftirqd[cpu] = 1;
      this.beginSession(cpu, true);
      return;
    }
    if (app > 0) {
      const len = pend ? Math.min(app, this.appCredit[cpu]!) : app;
      if (pend) this.appCredit[cpu]! -= len;
      this.appPending[cpu] = app - len;
      this.appNs[cpu]! += len;
      this.cur[cpu] = APP;
      this.curEnd[cpu] = now + len;
      this.busyUntil[cpu] = now + len;
      this.ensureStep(cpu, now + len);
    }
    void h;
  }

  // (beginSession, beginRound and runPoll run at loop.now and read it themselves: a double passed to a
  // function V8 does not inline is boxed, one heap number per call)

  // kernel/softirq.c: handle_softirqs (inline on irq_exit, or in ksoftirqd)
  private beginSession(cpu: number, thread: boolean): void {
    const now = this.loop.now;
    this.inSession[cpu] = 1;
    this.sessionIsThread[cpu] = thread ? 1 : 0;
    this.sessionStart[cpu] = now;
    this.sessionEnd[cpu] = jiffies(now) + MAX_SOFTIRQ_JIFFIES;
    this.restarts[cpu] = MAX_SOFTIRQ_RESTART;
    this.beginRound(cpu);
  }

  private beginRound(cpu: number): void {
    this.pending[cpu] = 0;
    this.inRound[cpu] = 1;
    const cost = this.handler!.netRxBegin(cpu, this.loop.now);
    this.runPoll(cpu, cost);
  }

  private runPoll(cpu: number, pre: number): void {
    const now = this.loop.now;
    const h = this.handler!;
    h.roundOver = false;
    this.polling = cpu;
    const cost = pre + h.netRxStep(cpu, now + pre);
    this.polling = -1;
    if (h.roundOver) this.inRound[cpu] = 0;
    this.softirqNs[cpu]! += cost;
    if (this.sessionIsThread[cpu] === 1) this.ksoftirqdNs[cpu]! += cost;
    this.cur[cpu] = SOFTIRQ;
    // IRQs taken during the poll already pushed busyUntil; the poll adds its own cost
    const end = (this.busyUntil[cpu] = Math.max(this.busyUntil[cpu]!, now) + cost);
    // net_rx_action returned with nothing raised: the session just ends at
    // `end` and the app runs from there (settle() does both), unless the CPU is touched first
    if (this.inRound[cpu] === 0 && this.pending[cpu] === 0) {
      const id = this.stepId[cpu]!;
      if (id < 0) {
        if (end > now) {
          this.closeAt[cpu] = end;
          return;
        }
        // the poll charged no time (end = now): the step that ends the session at now would be the
        // next event dispatched when nothing else is due at now (horizon), so it runs here, counted
        // as the event it replaces (EventLoop.runAhead). It only closes the session and starts the
        // queued application slice (a later step), so nothing recurses.
        if (this.loop.idleAfter(now)) {
          this.loop.runAhead(now);
          this.step(cpu);
          return;
        }
      } else if (end === now && this.stepAt[cpu] === now && (id === VIRTUAL_ID ? this.loop.takeVirtual(now) : this.loop.takeBack(id, now))) {
        // the step addApp put at now (tentatively) is the next event: it runs here instead, as above
        this.stepId[cpu] = -1;
        this.loop.runAhead(now);
        this.step(cpu);
        return;
      }
    }
    this.ensureStep(cpu, end);
  }

  /** The CPU is touched (an IRQ, a raise, work) while a session's end has no step event.
   *  `schedule` false: the caller lengthens the busy stretch and schedules the
   *  step itself (an IRQ, TX clean work), so the one the session's end or the
   *  app slice would need is not put on the wheel only to be moved. */
  private settle(cpu: number, schedule = true): void {
    const at = this.closeAt[cpu]!;
    this.closeAt[cpu] = -1;
    if (this.loop.now <= at) {
      // the session has not ended yet: its step goes on the wheel after all
      if (schedule) this.ensureStep(cpu, at);
      return;
    }
    // what step() does at `at` for a session whose round is over with nothing pending
    this.cur[cpu] = IDLE;
    this.inSession[cpu] = 0;
    if (this.sessionIsThread[cpu] === 1) {
      this.ksoftirqd[cpu] = 0;
      this.appCredit[cpu] = 0;
    }
    this.irqExit[cpu] = 0;
    const app = this.appPending[cpu]!;
    if (app <= 0) return;
    // ... then the application's slice from `at` (no softirq pending: all of its work)
    const fin = at + app;
    this.appPending[cpu] = 0;
    this.appNs[cpu]! += app;
    this.curEnd[cpu] = fin;
    this.busyUntil[cpu] = fin;
    // a slice over before now: its end step found nothing more to do
    if (this.loop.now > fin) return;
    this.cur[cpu] = APP;
    if (schedule) this.ensureStep(cpu, fin);
  }
}
