// The event loop: a simulated clock in f64 ns and dispatch by event kind over
// batches of due entries from the WASM timing wheel (the only event queue).
// Handlers are registered once per kind; an event carries one u32 argument
// (an skb handle, a queue index, an object index), so no event allocates.
//
// One WASM call (wheel_loop_step) serves a whole batch: up to BURST due
// entries, over many times, in (time, insertion) order. They stay pending in
// the wheel until the next call says how many were dispatched, so when a
// handler schedules something earlier than the batch's next entry the loop
// simply stops there, and the rest comes out again after it. Schedules made
// by handlers are staged in the wheel's in arrays and filed by that same
// call, before it releases the dispatched entries: at() still returns the
// entry's id, because the wheel hands out ids from a stack in its memory
// (free[top - 1], then free[top - 2], ...) that nothing touches during a
// batch. Anything else that touches the wheel (cancel, a flush) syncs first:
// files what is staged and releases what was dispatched; the ids the wheel
// gave are checked against the ones at() returned.
import type { Wheel } from "../core/wheel.js";
import { F64Keys, f64Fields } from "../util/f64-field.js";

/** The wheel exports the loop calls, straight (no wrapper). */
interface WheelHot {
  wheel_schedule(time: number, kind: number, arg: number): number;
  wheel_schedule_burst(times: number, kinds: number, args: number, ids: number, n: number): number;
  wheel_loop_step(n: number, done: number, limit: number, max: number): number;
  wheel_loop_sync(n: number, done: number): void;
  wheel_in_time_ptr(): number;
  wheel_in_kind_ptr(): number;
  wheel_in_arg_ptr(): number;
  wheel_in_id_ptr(): number;
  wheel_free_stack_ptr(): number;
  wheel_free_top_ptr(): number;
  wheel_free_stack_capacity(): number;
  wheel_pending_ptr(): number;
  wheel_next_bound_ptr(): number;
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
const noSink = (): void => {};
/** atVirtual's id for a schedule not staged yet (above every u32 id the wheel gives). */
export const VIRTUAL_ID = 2 ** 32;
/** assembly/wheel.ts WHEEL_KIND_CONSUMED: a staged schedule the loop has
 *  dispatched itself; filing it only uses its id up. */
const KIND_CONSUMED = 0xfffffffe;
/** Staged schedules the loop looks through for the next event (more: the
 *  batch ends and they are filed). */
const TAIL_MAX = 32;
/** ns times: doubles from the start (util/f64-field.ts). */
const LOOP_F64 = new F64Keys(["now", "runEnd"]);

export class EventLoop {
  now = 0;
  /** Events dispatched, run-ahead steps (runAhead) included. */
  events = 0;
  /** Of those, run-ahead steps: events a handler ran in place of its own
   *  next event, without a schedule or a dispatch. */
  ranAhead = 0;
  /** Of those, events dispatched from the staging area (stagedNext): staged
   *  and dispatched without a trip through the wheel. */
  fromStaging = 0;
  private readonly handlers: EventHandler[] = [];
  private readonly names: string[] = [];
  /** Ids cancelled during dispatch: those still ahead in the batch are
   *  skipped when reached. */
  private cancelledInBurst: number[] = [];
  /** Entries of the current batch dispatched (or skipped) so far. */
  private done = 0;
  /** Entries in the current batch (outTime/outKind/outArg/outId[0, batchSize)). */
  private batchSize = 0;
  /** Earliest time staged since the batch began: an entry of the batch later
   *  than this must wait. */
  private stagedMin = Infinity;
  private dispatching = false;
  /** horizon()'s wheel peek at a batch's end for the event being
   *  dispatched (NaN: not made yet), and the end of the run in progress. */
  private peeked = NaN;
  private runEnd = 0;
  private readonly x: WheelHot;
  /** Schedules staged in inTime/inKind/inArg[0, staged) during dispatch. */
  private staged = 0;
  /** The wheel's free-stack top when the first of them was staged. */
  private stagedTop = 0;
  /** How many may be staged: ids on the free stack, and room below the
   *  wheel's capacity (it has more indices than entries: cancelled entries
   *  hold theirs until the wheel meets them). */
  private stagedRoom = 0;
  /** The id at() returned for the last one staged. */
  private stagedLast = 0;
  private readonly inTime: Float64Array;
  private readonly inKind: Uint32Array;
  private readonly inArg: Uint32Array;
  private readonly inId: Uint32Array;
  private readonly freeStack: Uint32Array;
  private readonly freeTop: Uint32Array;
  /** The wheel's pending count, published in its memory on every change
   *  (read once per staging restart, with no call). */
  private readonly pendingNow: Uint32Array;
  /** wheel_loop_step's lower bound on the times of the pending entries
   *  outside the batch it returned (assembly/wheel.ts publishBound). */
  private readonly nextBound: Float64Array;
  private readonly stageMax: number;
  /** The last atTentative schedule, while it is still the last one staged
   *  (-1: none): its id, its index among the staged, and stagedMin and
   *  stagedLast from before it, for takeBack. */
  private tentId = -1;
  private tentIdx = 0;
  /** A virtual schedule (atVirtual) not staged yet: its time (NaN: none), kind and argument. */
  private virtTime = NaN;
  private virtKind = 0;
  private virtArg = 0;
  /** Per kind: told the id a virtual schedule of that kind got when it was staged after all. */
  private readonly virtSinks: ((arg: number, id: number) => void)[] = [];
  /** The earliest time filed into the wheel since the batch began (staged
   *  schedules a sync filed, or one at() scheduled directly): neither in the
   *  batch nor under the wheel's published bound. stagedMin counts it. */
  private flushedMin = Infinity;

  constructor(private readonly wheel: Wheel) {
    f64Fields(this, LOOP_F64);
    const x = (this.x = wheel.core.raw as unknown as WheelHot);
    const buf = wheel.core.memory.buffer;
    this.inTime = wheel.inTime;
    this.inKind = wheel.inKind;
    this.inArg = wheel.inArg;
    this.inId = wheel.inId;
    this.stageMax = wheel.outCapacity;
    this.freeStack = new Uint32Array(buf, x.wheel_free_stack_ptr(), x.wheel_free_stack_capacity());
    this.freeTop = new Uint32Array(buf, x.wheel_free_top_ptr(), 1);
    this.pendingNow = new Uint32Array(buf, x.wheel_pending_ptr(), 1);
    this.nextBound = new Float64Array(buf, x.wheel_next_bound_ptr(), 1);
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
    const t = time < this.now ? this.now : time;
    // a virtual schedule comes before anything scheduled after it for the same time or earlier
    if (t <= this.virtTime) this.materialize();
    if (this.dispatching) {
      const k = this.staged;
      if (k === 0) {
        const top = (this.stagedTop = this.freeTop[0]!);
        const room = this.wheel.capacity - this.pendingNow[0]!;
        this.stagedRoom = Math.min(top, room, this.stageMax);
      }
      const free = this.stagedTop - k;
      // Staged only what the wheel will take (NaN and a full wheel go the
      // direct way, which refuses and throws).
      if (k < this.stagedRoom && t >= 0) {
        if (t < this.stagedMin) this.stagedMin = t;
        this.inTime[k] = t;
        this.inKind[k] = kind;
        this.inArg[k] = arg;
        this.staged = k + 1;
        return (this.stagedLast = this.freeStack[free - 1]!);
      }
      this.flush();
      if (t < this.flushedMin) this.flushedMin = t;
      if (t < this.stagedMin) this.stagedMin = t;
    }
    // wheel_schedule returns u32 0xffffffff (the i32 -1 here) when it refuses
    const id = this.x.wheel_schedule(t, kind, arg);
    if (id === -1) {
      throw new EventQueueFullError(
        `cannot schedule ${this.kindName(kind)} at ${time} ns: the timing wheel refused it (${this.wheel.pending} pending events; a full wheel needs a larger core.wheelEntries)`,
      );
    }
    return id >>> 0;
  }

  /** at(), for an event a handler may take back (takeBack) while it is still
   *  the last thing staged: e.g. a CPU step at now that the handler may end
   *  up running in its own event (the step's own slot in the order, kept:
   *  what is staged after it comes after it either way). */
  atTentative(time: number, kind: number, arg: number): number {
    const k = this.staged;
    const id = this.at(time, kind, arg);
    if (this.dispatching && this.staged === k + 1) {
      this.tentId = id;
      this.tentIdx = k;
    } else this.tentId = -1;
    return id;
  }

  /** How atVirtual tells kind `kind`'s owner the id its virtual schedule got once staged after all
   *  (materialize): the owner's id field then holds it, as atTentative would have returned it. */
  setVirtualSink(kind: number, sink: (arg: number, id: number) => void): void {
    while (this.virtSinks.length <= kind) this.virtSinks.push(noSink);
    this.virtSinks[kind] = sink;
  }

  /** atTentative(time, kind, arg) for an event at `time` = now that the handler will most likely run in
   *  place (takeVirtual) before its dispatch: it is not staged unless it has to be (materialize), which
   *  is when its place in the order matters: before anything scheduled after it for the same time or
   *  earlier (at()), before a sync with the wheel (flush), before horizon() or idleAfter() answer, and
   *  at the end of the handler's event unless it is the next event of all, when it runs at once instead
   *  (settleVirtual: its owner sees its handler called with its id not given). Staged, it goes with
   *  atTentative in the place it would have had: what was staged after it is later, which order does
   *  not see. Returns VIRTUAL_ID (outside
   *  dispatch or at another time than now: the id atTentative gives). `kind` must have a sink
   *  (setVirtualSink). One at a time: a second one stages the first. */
  atVirtual(time: number, kind: number, arg: number): number {
    if (!this.dispatching || time !== this.now) return this.atTentative(time, kind, arg);
    if (this.virtTime === this.virtTime) this.materialize();
    this.virtTime = time;
    this.virtKind = kind;
    this.virtArg = arg;
    return VIRTUAL_ID;
  }

  /** takeBack for the virtual schedule, not staged: it is the next event when nothing pending is due by
   *  `t` (its time): nothing staged or filed since the batch began (what was scheduled after it is later
   *  than t, or it would have been staged), nor the batch's rest or the wheel's other entries. False:
   *  nothing changed (the caller leaves it; it is staged at the end of the event at the latest). */
  takeVirtual(t: number): boolean {
    if (this.virtTime !== t || this.stagedMin <= t) return false;
    if (this.done < this.batchSize ? this.wheel.outTime[this.done]! <= t : this.nextBound[0]! <= t) return false;
    this.virtTime = NaN;
    return true;
  }

  /** Stage the virtual schedule (atTentative) and tell its owner the id; that id. */
  materialize(): number {
    if (this.virtTime !== this.virtTime) return -1;
    const t = this.virtTime;
    this.virtTime = NaN;
    const id = this.atTentative(t, this.virtKind, this.virtArg);
    const sink = this.virtSinks[this.virtKind];
    if (sink === undefined || sink === noSink) throw new Error(`event loop: atVirtual of ${this.kindName(this.virtKind)}, which has no virtual sink (setVirtualSink)`);
    sink(this.virtArg, id);
    return id;
  }

  /** Unschedule `id`, an atTentative event at `t` (<= every time staged
   *  after it), when it would be the next event dispatched: nothing pending
   *  before it in (time, insertion) order is due by t (the batch's rest, the
   *  wheel's other entries by its published bound, what was staged before
   *  it); what was staged after it comes after it anyway. Then the caller
   *  acts for it now (runAhead), as its dispatch would. False (nothing
   *  changed) otherwise, or when only a wheel call could tell.
   *  The schedules staged after it move down one place, in order, and keep
   *  the ids at() returned for them: those ids move down the wheel's free
   *  stack with them, and the freed id goes where the last one was (the
   *  stack holds the free indices' next ids in any order). */
  takeBack(id: number, t: number): boolean {
    const j = this.tentIdx;
    const m = this.staged;
    if (id !== this.tentId || !this.dispatching || m <= j) return false;
    // a virtual schedule not staged yet may come before it (false is always safe: the event stays)
    if (this.virtTime <= t) return false;
    const inTime = this.inTime;
    const inKind = this.inKind;
    if (this.flushedMin <= t) return false;
    for (let k = 0; k < j; k++) if (inKind[k] !== KIND_CONSUMED && inTime[k]! <= t) return false;
    if (this.done < this.batchSize ? this.wheel.outTime[this.done]! <= t : this.nextBound[0]! <= t) return false;
    this.unstage(j, id);
    return true;
  }

  /** Staged schedule j (id `id`) leaves the staging area: those after it move
   *  down one place, in order, keeping their ids (which move down the free
   *  stack with them); the freed id goes where the last one was, so the next
   *  at() gets it. */
  private unstage(j: number, id: number): void {
    const m = this.staged;
    const inTime = this.inTime;
    const inKind = this.inKind;
    const fs = this.freeStack;
    // staged index k gets freeStack[top - 1 - k] when filed
    const top = this.stagedTop;
    for (let k = j; k < m - 1; k++) {
      inTime[k] = inTime[k + 1]!;
      inKind[k] = inKind[k + 1]!;
      this.inArg[k] = this.inArg[k + 1]!;
      fs[top - 1 - k] = fs[top - 2 - k]!;
    }
    fs[top - m] = id;
    this.staged = m - 1;
    this.stagedMin = this.liveStagedMin();
    // the last one staged keeps its id (or, if it was this one, the one before has the last)
    if (m - 1 === j && j > 0) this.stagedLast = fs[top - j]!;
    if (this.tentId === id) this.tentId = -1;
    else if (this.tentId >= 0 && this.tentIdx > j) this.tentIdx--;
  }

  /** cancel(id), then at(time, kind, arg), for an id at() returned that no
   *  one else holds (a CPU's one step): a schedule still staged and not
   *  dispatched leaves the staging area instead of being filed and
   *  cancelled, and the new one is staged last, in the same order as the
   *  cancel and the at() would give, with the same id. */
  reschedule(id: number, time: number, kind: number, arg: number): number {
    if (this.dispatching && this.staged !== 0) {
      const fs = this.freeStack;
      const top = this.stagedTop;
      for (let k = 0; k < this.staged; k++) {
        if (fs[top - 1 - k] === id) {
          if (this.inKind[k] === KIND_CONSUMED) break;
          this.unstage(k, id);
          return this.at(time, kind, arg);
        }
      }
    }
    this.cancel(id);
    return this.at(time, kind, arg);
  }

  /** Dispatch staged schedule j (stagedNext's): its kind is marked used up. */
  private dispatchStaged(j: number): void {
    const t = this.inTime[j]!;
    const kind = this.inKind[j]!;
    this.inKind[j] = KIND_CONSUMED;
    this.stagedMin = this.liveStagedMin();
    this.fromStaging++;
    this.now = t;
    this.peeked = NaN;
    this.handlers[kind]!(this.inArg[j]!, t);
    if (this.virtTime === this.virtTime) this.settleVirtual();
  }

  /** The event's handler left a virtual schedule: when it is the next event of all (takeVirtual) it
   *  runs at once, in place, counted as the event it replaces (runAhead), and so on for one it leaves
   *  in turn; else it is staged (materialize). */
  private settleVirtual(): void {
    while (this.virtTime === this.virtTime) {
      const t = this.virtTime;
      const kind = this.virtKind;
      const arg = this.virtArg;
      if (!this.takeVirtual(t)) {
        this.materialize();
        return;
      }
      this.runAhead(t);
      this.peeked = NaN;
      this.handlers[kind]!(arg, t);
    }
  }

  /** stagedMin: the earliest time staged and not dispatched, or filed since
   *  the batch began (Infinity: none). */
  private liveStagedMin(): number {
    let min = this.flushedMin;
    const inTime = this.inTime;
    const inKind = this.inKind;
    for (let k = 0; k < this.staged; k++) if (inKind[k] !== KIND_CONSUMED && inTime[k]! < min) min = inTime[k]!;
    return min;
  }

  /** The staged schedule that is the next event of all, if one is known to
   *  be without a wheel call: the earliest staged (time, then order of at()),
   *  before `t` (the batch's next entry, which was inserted earlier: a tie is
   *  the batch's), by the run's end, and with the batch used up before the
   *  wheel's published bound on its other entries. -1: none. */
  private stagedNext(t: number, batchLeft: boolean, end: number): number {
    const m = this.staged;
    if (m > TAIL_MAX) return -1;
    const inTime = this.inTime;
    const inKind = this.inKind;
    let j = -1;
    let tj = Infinity;
    for (let k = 0; k < m; k++) {
      if (inKind[k] !== KIND_CONSUMED && inTime[k]! < tj) {
        tj = inTime[k]!;
        j = k;
      }
    }
    if (j < 0 || !(tj < t) || !(tj < this.flushedMin) || tj > end) return -1;
    if (!batchLeft && !(tj < this.nextBound[0]!)) return -1;
    return j;
  }

  /** Schedule after a delay (ns) from now. */
  after(delay: number, kind: number, arg: number): number {
    return this.at(this.now + delay, kind, arg);
  }

  cancel(id: number): boolean {
    if (!this.dispatching) return this.wheel.cancel(id);
    // Staged schedules must be filed first if the id is one of theirs; the
    // batch's dispatched entries need not be released first: a cancelled
    // due entry stays in place until the release drops it.
    if (this.staged !== 0 && this.isStaged(id)) this.flush();
    this.wheel.cancel(id);
    // An entry still ahead in the batch is skipped when reached. Cancel
    // reports true, as the one-burst-at-a-time loop always did for ids the
    // wheel refused during dispatch (one of a batch it released at once).
    const outId = this.wheel.outId;
    for (let j = this.done; j < this.batchSize; j++) {
      if (outId[j] === id) {
        this.cancelledInBurst.push(id);
        break;
      }
    }
    return true;
  }

  /** While a handler runs: the time before which nothing else is due. Any
   *  event the handler would schedule for itself earlier than this would be
   *  the next one dispatched, so it may act for it at once (runAhead). That
   *  is before the batch's next entry, before anything staged since the
   *  batch began, and before the run's end; -Infinity outside dispatch. At a
   *  batch's last entry what follows is not fetched yet: the loop syncs with
   *  the wheel (files what is staged, releases the batch) and asks it, once
   *  per event. */
  horizon(): number {
    if (!this.dispatching) return -Infinity;
    if (this.virtTime === this.virtTime) this.materialize();
    let next: number;
    if (this.done < this.batchSize) next = this.wheel.outTime[this.done]!;
    else {
      if (this.peeked !== this.peeked) {
        this.flush();
        const t = this.wheel.nextTime();
        // an event at exactly the end is dispatched; a run-ahead step stays before it
        this.peeked = t < this.runEnd ? t : this.runEnd;
      }
      next = this.peeked;
    }
    return next < this.stagedMin ? next : this.stagedMin;
  }

  /** Whether `id` is one that at() returned for a schedule still staged
   *  (staged index k has freeStack[stagedTop - 1 - k]). */
  private isStaged(id: number): boolean {
    const fs = this.freeStack;
    const top = this.stagedTop;
    for (let k = 0; k < this.staged; k++) if (fs[top - 1 - k] === id) return true;
    return false;
  }

  /** horizon() > t, without a wheel call when the batch's rest, what was
   *  staged, or the wheel's published bound on its other entries already
   *  tells (the common case: only a batch's last entry needs the bound). */
  idleAfter(t: number): boolean {
    if (this.virtTime === this.virtTime) this.materialize();
    if (!this.dispatching || this.stagedMin <= t) return false;
    if (this.done < this.batchSize) return this.wheel.outTime[this.done]! > t;
    if (this.peeked === this.peeked) return this.peeked > t;
    if (this.runEnd <= t) return false;
    if (this.nextBound[0]! > t) return true;
    return this.horizon() > t;
  }

  /** A handler acts now for its own next event at `t` (< horizon()): the
   *  clock moves there and the step counts as the event it replaces. */
  runAhead(t: number): void {
    this.now = t;
    this.events++;
    this.ranAhead++;
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
    this.runEnd = end;
    try {
      for (;;) {
        // Files what the last batch's handlers staged, releases what it
        // dispatched, and peeks at the next batch.
        const staged = this.staged;
        const n = x.wheel_loop_step(staged, this.done, end, BURST);
        this.done = 0;
        this.tentId = -1;
        if (staged !== 0) this.checkStaged(staged);
        if (n === 0) {
          const idle = w.nextTime() === Infinity;
          if (!idle) this.now = end;
          return { events: this.events, stoppedBy: idle ? "idle" : "duration", now: this.now };
        }
        this.dispatching = true;
        this.batchSize = n;
        this.stagedMin = Infinity;
        this.flushedMin = Infinity;
        let i = 0;
        let ran = 0;
        while (i < n) {
          const t = outTime[i]!;
          if (this.stagedMin < t) {
            // Something was scheduled before this entry: dispatched from the
            // staging area when it is the next event of all (its id is used
            // up when the staged schedules are filed), else the batch ends
            // here and it comes out of the next one.
            const j = this.stagedNext(t, true, end);
            if (j < 0) break;
            this.dispatchStaged(j);
            ran++;
            continue;
          }
          if (this.cancelledInBurst.length !== 0 && this.skipCancelled(outId[i]!)) {
            i++;
            continue;
          }
          this.now = t;
          this.done = ++i;
          this.peeked = NaN;
          handlers[outKind[i - 1]!]!(outArg[i - 1]!, t);
          if (this.virtTime === this.virtTime) this.settleVirtual();
          ran++;
        }
        // The batch used up: what was staged is next of all while it comes
        // before the wheel's published bound on everything else.
        if (i === n) {
          while (this.stagedMin < this.nextBound[0]!) {
            const j = this.stagedNext(Infinity, false, end);
            if (j < 0) break;
            this.dispatchStaged(j);
            ran++;
          }
        }
        this.done = i;
        this.dispatching = false;
        if (this.cancelledInBurst.length !== 0) this.cancelledInBurst.length = 0;
        this.events += ran;
        sinceProgress += ran;
        if (onProgress !== undefined && sinceProgress >= progressEvery) {
          sinceProgress = 0;
          onProgress(this.now);
        }
      }
    } finally {
      // Normally a no-op (the step above synced); after a throw from a
      // handler it files what was staged and releases what was dispatched,
      // the throwing event included, so that the wheel stays whole. A virtual
      // schedule the throwing handler left is staged first, while the loop
      // still stages (filed straight into the wheel it would take the ids
      // at() gave the staged ones, and checkStaged's error would replace the
      // handler's).
      if (this.virtTime === this.virtTime) this.materialize();
      this.dispatching = false;
      this.cancelledInBurst.length = 0;
      this.flush();
      this.done = 0;
    }
  }

  /** Sync with the wheel (one WASM call): file the staged schedules and
   *  release the batch's entries dispatched so far. */
  flush(): void {
    if (this.virtTime === this.virtTime) this.materialize();
    const n = this.staged;
    const done = this.done;
    if (n === 0 && done === 0) return;
    this.tentId = -1;
    if (this.dispatching && this.stagedMin < this.flushedMin) this.flushedMin = this.stagedMin;
    this.x.wheel_loop_sync(n, done);
    if (n !== 0) this.checkStaged(n);
  }

  /** The wheel gave the n staged schedules the ids at() returned for them:
   *  the last is checked (they come off one stack in order, so a release or
   *  schedule in between would have shifted it). */
  private checkStaged(n: number): void {
    this.staged = 0;
    if (this.inId[n - 1] !== this.stagedLast) {
      throw new Error(
        `event loop: ${n} staged schedules got other ids than at() returned; the wheel was used directly (not through the EventLoop) during dispatch`,
      );
    }
  }

  private skipCancelled(id: number): boolean {
    const at = this.cancelledInBurst.indexOf(id);
    if (at < 0) return false;
    this.cancelledInBurst.splice(at, 1);
    return true;
  }
}
