// The event loop: a simulated clock in f64 ns and dispatch by event kind over
// bursts of due entries from the WASM timing wheel (the only event queue).
// Handlers are registered once per kind; an event carries one u32 argument
// (an skb handle, a queue index, an object index), so no event allocates.
import type { Wheel } from "../core/wheel.js";

/** The two wheel exports the loop calls per event, straight (no wrapper). */
interface WheelHot {
  wheel_schedule(time: number, kind: number, arg: number): number;
  wheel_expire_next(limit: number, max: number): number;
}

export type EventHandler = (arg: number, time: number) => void;

export interface RunResult {
  /** Events dispatched. */
  events: number;
  /** Why the run ended: reached the end time, or nothing left to do. */
  stoppedBy: "duration" | "idle";
  /** Simulated time at the end (ns). */
  now: number;
}

export class EventQueueFullError extends Error {
  override name = "EventQueueFullError";
}

const BURST = 256;

export class EventLoop {
  now = 0;
  events = 0;
  private readonly handlers: EventHandler[] = [];
  private readonly names: string[] = [];
  /** Ids cancelled while their entry sat, already expired, in the burst being
   *  dispatched: the wheel has released them, so the loop must skip them. */
  private cancelledInBurst: number[] = [];
  private dispatching = false;
  private readonly x: WheelHot;

  constructor(private readonly wheel: Wheel) {
    this.x = wheel.core.raw as unknown as WheelHot;
  }

  /** Register a handler and get its kind number. */
  register(name: string, handler: EventHandler): number {
    this.handlers.push(handler);
    this.names.push(name);
    return this.handlers.length - 1;
  }

  kindName(kind: number): string {
    return this.names[kind] ?? `kind${kind}`;
  }

  /** Schedule at an absolute time (ns); returns the entry id for cancel(). */
  at(time: number, kind: number, arg: number): number {
    // wheel_schedule returns u32 0xffffffff (the i32 -1 here) when it refuses
    const id = this.x.wheel_schedule(time < this.now ? this.now : time, kind, arg);
    if (id === -1) {
      throw new EventQueueFullError(
        `cannot schedule ${this.kindName(kind)} at ${time} ns: the timing wheel refused it (${this.wheel.pending} pending events; a full wheel needs a larger core.wheelEntries)`,
      );
    }
    return id >>> 0;
  }

  /** Schedule after a delay (ns) from now. */
  after(delay: number, kind: number, arg: number): number {
    return this.at(this.now + delay, kind, arg);
  }

  cancel(id: number): boolean {
    if (this.wheel.cancel(id)) return true;
    if (!this.dispatching) return false;
    this.cancelledInBurst.push(id);
    return true;
  }

  /** Run until `end` (ns) or until no event is pending. `onProgress` is
   *  called about every `progressEvery` events with the current time. */
  run(end: number, onProgress?: (now: number) => void, progressEvery = 1 << 16): RunResult {
    const w = this.wheel;
    const x = this.x;
    const handlers = this.handlers;
    const outTime = w.outTime;
    const outKind = w.outKind;
    const outArg = w.outArg;
    const outId = w.outId;
    let sinceProgress = 0;
    for (;;) {
      const n = x.wheel_expire_next(end, BURST);
      if (n === 0) {
        const idle = w.nextTime() === Infinity;
        if (!idle) this.now = end;
        return { events: this.events, stoppedBy: idle ? "idle" : "duration", now: this.now };
      }
      this.dispatching = true;
      for (let i = 0; i < n; i++) {
        if (this.cancelledInBurst.length !== 0 && this.skipCancelled(outId[i]!)) continue;
        const t = outTime[i]!;
        this.now = t;
        handlers[outKind[i]!]!(outArg[i]!, t);
      }
      this.dispatching = false;
      if (this.cancelledInBurst.length !== 0) this.cancelledInBurst.length = 0;
      this.events += n;
      sinceProgress += n;
      if (onProgress !== undefined && sinceProgress >= progressEvery) {
        sinceProgress = 0;
        onProgress(this.now);
      }
    }
  }

  private skipCancelled(id: number): boolean {
    const at = this.cancelledInBurst.indexOf(id);
    if (at < 0) return false;
    this.cancelledInBurst.splice(at, 1);
    return true;
  }
}
