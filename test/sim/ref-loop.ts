// The event loop's contract on the reference heap (src/core/ref/wheel.ts), one
// schedule per call: what test/sim/loop.test.ts and loop-tentative.test.ts
// compare the EventLoop with.
import { EventQueueFullError, type EventHandler } from "../../src/sim/loop.js";
import type { RefWheel } from "../../src/core/ref/wheel.js";

/** The loop's contract on the reference heap, one schedule per call. */
export class RefLoop {
  now = 0;
  events = 0;
  private readonly handlers: EventHandler[] = [];
  private cancelledInBurst: number[] = [];
  private dispatching = false;
  constructor(private readonly w: RefWheel) {}
  register(_name: string, h: EventHandler): number {
    this.handlers.push(h);
    return this.handlers.length - 1;
  }
  at(time: number, kind: number, arg: number): number {
    const id = this.w.schedule(time < this.now ? this.now : time, kind, arg);
    if (id === -1) throw new EventQueueFullError("full");
    return id;
  }
  after(delay: number, kind: number, arg: number): number {
    return this.at(this.now + delay, kind, arg);
  }
  cancel(id: number): boolean {
    if (this.w.cancel(id)) return true;
    if (!this.dispatching) return false;
    this.cancelledInBurst.push(id);
    return true;
  }
  run(end: number): { events: number; stoppedBy: string; now: number } {
    const w = this.w;
    for (;;) {
      const t = w.nextTime();
      const n = t <= end ? w.expire(t, 256) : 0;
      if (n === 0) {
        const idle = w.nextTime() === Infinity;
        if (!idle) this.now = end;
        return { events: this.events, stoppedBy: idle ? "idle" : "duration", now: this.now };
      }
      this.dispatching = true;
      for (let i = 0; i < n; i++) {
        const at = this.cancelledInBurst.indexOf(w.outId[i]!);
        if (at >= 0) {
          this.cancelledInBurst.splice(at, 1);
          continue;
        }
        this.now = w.outTime[i]!;
        this.events++;
        this.handlers[w.outKind[i]!]!(w.outArg[i]!, this.now);
      }
      this.dispatching = false;
      this.cancelledInBurst.length = 0;
    }
  }
}

