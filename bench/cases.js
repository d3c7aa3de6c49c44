// Case bodies of the wheel and event-loop benchmarks, shared by
// bench/wheel.bench.js and bench/loop.bench.js (wall clock, benchmark.js) and
// bench/cputime.js (CPU time per op), so that both time the very same code
// on the same workloads (bench/workloads.js). A case is
// { name, opsPerCall, fn, build }: fn() does one timed call and returns the
// number of operations it did; build is true for cases that run on the WASM
// core under test (bench/cputime.js repeats only those on a BASE build).
// Every maker takes the build's createCore (and EventLoop), so cputime.js can
// make the same cases on another checkout's dist/.
import FlatQueue from "flatqueue";
import { TimerWheel } from "timer-wheel";
import { HOLD_OPS, N, RANGE, STEPS, loopDelays, randomTimes } from "./workloads.js";

// Each case sums what it reads into a local and adds that to the sink once per
// call: `sink += x` per timer on a module-level double boxes a HeapNumber each
// time (~12 ns, as much as the wheel's own work), which every contender paid
// before, flatqueue included.
let sink = 0;
/** Keeps the sink alive (call once at the end of a run). */
export function useSink() {
  if (sink === 0.5) console.error(sink);
}

/** Wheel fill+drain: schedule N timers at random whole ns in [base, base +
 *  range), then expire them in STEPS steps of now. Case names are
 *  `${label}: <contender>`; `only` keeps the cases whose names end with one
 *  of its strings. Each case's first call checks that all N fired. */
export async function wheelFillDrainCases(createCore, { range = RANGE, label = "fill+drain", only } = {}) {
  const times = randomTimes(N, 12345, range);
  const core = await createCore({ skbs: 64, ringSlots: 1024, maxRings: 1, wheelEntries: N });
  const raw = core.raw;
  const w = core.wheel;
  const cap = w.outCapacity;
  const outArg = w.outArg;
  const sched = raw.wheel_schedule;
  const expire = raw.wheel_expire;
  const burst = raw.wheel_schedule_burst;
  const inTime = w.inTime;
  const inArg = w.inArg;
  const pTime = raw.wheel_in_time_ptr();
  const pKind = raw.wheel_in_kind_ptr();
  const pArg = raw.wheel_in_arg_ptr();
  w.inKind.fill(1);
  let base = 0; // the wheel's clock only moves forward: each run starts range later

  const drainWasm = (b) => {
    let fired = 0;
    let sum = 0;
    for (let s = 1; s <= STEPS; s++) {
      const now = b + (s * range) / STEPS;
      let n;
      do {
        n = expire(now, cap);
        for (let k = 0; k < n; k++) sum += outArg[k];
        fired += n;
      } while (n === cap);
    }
    sink += sum;
    return fired;
  };

  const fq = new FlatQueue(N);
  let cases = [
    {
      name: "flatqueue",
      fn() {
        for (let i = 0; i < N; i++) fq.push(i, times[i]);
        let fired = 0;
        let sum = 0;
        for (let s = 1; s <= STEPS; s++) {
          const now = (s * range) / STEPS;
          while (fq.length > 0 && fq.peekValue() <= now) {
            sum += fq.pop();
            fired++;
          }
        }
        sink += sum;
        return fired;
      },
    },
    {
      name: "timer-wheel",
      fn() {
        const tw = new TimerWheel();
        for (let i = 0; i < N; i++) tw.schedule(i, times[i]);
        let fired = 0;
        let sum = 0;
        for (let s = 1; s <= STEPS; s++) {
          // schedule() adds the real ms elapsed since the wheel was made; the
          // last step goes 2^20 ms further so that everything comes out.
          const now = (s * range) / STEPS + (s === STEPS ? 1 << 20 : 0);
          const out = tw.advance(now);
          for (let k = 0; k < out.length; k++) sum += out[k];
          fired += out.length;
        }
        sink += sum;
        return fired;
      },
    },
    {
      name: "wasm per-call",
      build: true,
      fn() {
        const b = base;
        base += range;
        for (let i = 0; i < N; i++) sched(b + times[i], 1, i);
        return drainWasm(b);
      },
    },
    {
      name: "wasm Wheel wrapper",
      build: true,
      fn() {
        const b = base;
        base += range;
        for (let i = 0; i < N; i++) w.schedule(b + times[i], 1, i);
        let fired = 0;
        let sum = 0;
        for (let s = 1; s <= STEPS; s++) {
          const now = b + (s * range) / STEPS;
          let n;
          do {
            n = w.expire(now);
            for (let k = 0; k < n; k++) sum += outArg[k];
            fired += n;
          } while (n === cap);
        }
        sink += sum;
        return fired;
      },
    },
    {
      name: "wasm burst",
      build: true,
      fn() {
        const b = base;
        base += range;
        for (let i = 0; i < N; i += cap) {
          const m = Math.min(cap, N - i);
          for (let k = 0; k < m; k++) {
            inTime[k] = b + times[i + k];
            inArg[k] = i + k;
          }
          burst(pTime, pKind, pArg, 0, m);
        }
        return drainWasm(b);
      },
    },
    {
      name: "wasm in-WASM loop",
      build: true,
      fn() {
        const b = base;
        base += range;
        return raw.wheel_bench_fill_drain(N, b, range, STEPS, 777);
      },
    },
  ];
  for (const c of cases) c.name = `${label}: ${c.name}`;
  if (only) cases = cases.filter((c) => only.some((o) => c.name.endsWith(o)));
  for (const c of cases) {
    c.opsPerCall = N;
    const fired = c.fn();
    if (fired !== N) throw new Error(`wheel bench ${c.name}: fired ${fired} of ${N}`);
  }
  if (w.pending !== 0 || w.stats().full !== 0) throw new Error("wheel bench: wheel not empty after the checks");
  return cases;
}

/** Wheel hold model: N timers pending; now = the earliest time, fire it,
 *  reschedule at now + U[0, RANGE). HOLD_OPS per call (about that many for
 *  the EventLoop case, which runs to a simulated time). With EventLoop given,
 *  also that case: the simulator's own path (src/sim/loop.ts, one
 *  wheel_loop_step per batch, handlers rescheduling through at()). */
export async function wheelHoldCases(createCore, EventLoop) {
  const start = randomTimes(N, 999);
  const deltas = randomTimes(1 << 16, 4242); // reused cyclically
  const DMASK = (1 << 16) - 1;

  const fq = new FlatQueue(N);
  for (let i = 0; i < N; i++) fq.push(i, start[i]);
  let fj = 0;

  const core = await createCore({ skbs: 64, ringSlots: 1024, maxRings: 1, wheelEntries: N });
  const raw = core.raw;
  const w = core.wheel;
  const cap = w.outCapacity;
  const outArg = w.outArg;
  const sched = raw.wheel_schedule;
  const expire = raw.wheel_expire;
  const nextTime = raw.wheel_next_time;
  const expireNext = raw.wheel_expire_next;
  const outTime = w.outTime;
  for (let i = 0; i < N; i++) sched(start[i], 1, i);
  let wj = 0;

  const cases = [
    {
      name: "hold: flatqueue",
      fn() {
        for (let k = 0; k < HOLD_OPS; k++) {
          const now = fq.peekValue();
          const id = fq.pop();
          fq.push(id, now + deltas[fj++ & DMASK]);
        }
        return HOLD_OPS;
      },
    },
    {
      name: "hold: wasm per-call",
      build: true,
      fn() {
        let fired = 0;
        while (fired < HOLD_OPS) {
          const now = nextTime();
          const n = expire(now, cap);
          for (let k = 0; k < n; k++) sched(now + deltas[wj++ & DMASK], 1, outArg[k]);
          fired += n;
        }
        return fired;
      },
    },
    {
      // The same with one call per step (Wheel.expireNext) instead of two.
      name: "hold: wasm expireNext",
      build: true,
      fn() {
        let fired = 0;
        while (fired < HOLD_OPS) {
          const n = expireNext(Infinity, cap);
          const now = outTime[0];
          for (let k = 0; k < n; k++) sched(now + deltas[wj++ & DMASK], 1, outArg[k]);
          fired += n;
        }
        return fired;
      },
    },
    {
      name: "hold: wasm in-WASM loop",
      build: true,
      fn() {
        return raw.wheel_bench_hold(HOLD_OPS, RANGE, 31337);
      },
    },
  ];
  let loopWheel;
  if (EventLoop) {
    // Its own wheel with the same N timers; each event reschedules itself.
    const lcore = await createCore({ skbs: 64, ringSlots: 1024, maxRings: 1, wheelEntries: N });
    loopWheel = lcore.wheel;
    const loop = new EventLoop(loopWheel);
    let lj = 0;
    const kind = loop.register("hold", (arg, t) => {
      loop.at(t + deltas[lj++ & DMASK], kind, arg);
    });
    for (let i = 0; i < N; i++) loop.at(start[i], kind, i);
    let end = 0;
    let span = HOLD_OPS * 256; // simulated ns per call, steered to about HOLD_OPS events
    cases.push({
      name: "hold: EventLoop",
      build: true,
      fn() {
        const before = loop.events;
        end += span;
        loop.run(end);
        const ran = loop.events - before;
        span = Math.max(1, Math.round((span * HOLD_OPS) / Math.max(ran, 1)));
        return ran;
      },
    });
  }
  for (const c of cases) {
    c.opsPerCall = HOLD_OPS;
    // The EventLoop case runs to a time: about HOLD_OPS events per call.
    const want = c.name === "hold: EventLoop" ? HOLD_OPS / 2 : HOLD_OPS;
    const f = c.fn();
    if (f < want) throw new Error(`wheel bench ${c.name}: fired ${f} < ${want}`);
  }
  if (w.pending !== N) throw new Error(`wheel bench hold: ${w.pending} pending, want ${N}`);
  if (loopWheel && loopWheel.pending !== N) throw new Error(`wheel bench hold EventLoop: ${loopWheel.pending} pending, want ${N}`);
  return cases;
}

/** Event-loop overhead: a no-op scenario in which LOOP_PENDING timers each
 *  reschedule themselves when they fire (delays 1..65536 ns). One op = one
 *  event dispatched; LOOP_EVENTS per call. */
const LOOP_PENDING = 4096;
const LOOP_EVENTS = 200_000;

export async function loopCases(createCore, EventLoop) {
  const core = await createCore({ skbs: 64, ringSlots: 64, wheelEntries: 1 << 16 });
  const loop = new EventLoop(core.wheel);
  const d = loopDelays(1 << 16, 7);
  let k = 0;
  const kind = loop.register("noop", (arg) => {
    loop.after(d[k++ & 0xffff], kind, arg);
  });
  for (let i = 0; i < LOOP_PENDING; i++) loop.at(d[i], kind, i);
  let end = 0;

  // Baseline: the same hold model on a binary heap.
  // Fixed capacity (typed arrays), like the wheel cases' queues: a FlatQueue on
  // plain arrays here made push/pop polymorphic for every FlatQueue in the
  // process, the wheel baselines included (~1.5x slower in a full run).
  const heap = new FlatQueue(LOOP_PENDING);
  let seq = 0;
  const SEQ_SCALE = 2 ** -24; // ties broken by insertion order within a time
  let now = 0;
  let j = 0;
  const handlers = [
    (arg) => {
      const t = now + d[j++ & 0xffff];
      heap.push(arg, t + (seq++ % (1 << 20)) * SEQ_SCALE);
    },
  ];
  for (let i = 0; i < LOOP_PENDING; i++) heap.push(i, d[i]);

  return [
    {
      name: "EventLoop + WASM wheel",
      opsPerCall: LOOP_EVENTS,
      build: true,
      fn() {
        const before = loop.events;
        // run until about LOOP_EVENTS more events were dispatched
        end += (LOOP_EVENTS / LOOP_PENDING) * 32768.5;
        loop.run(end);
        const ran = loop.events - before;
        if (ran < LOOP_EVENTS * 0.9) throw new Error(`loop bench: ${ran} events, want about ${LOOP_EVENTS}`);
        return ran;
      },
    },
    {
      name: "flatqueue loop (baseline)",
      opsPerCall: LOOP_EVENTS,
      fn() {
        for (let i = 0; i < LOOP_EVENTS; i++) {
          const arg = heap.peek();
          now = heap.peekValue();
          heap.pop();
          handlers[0](arg);
        }
        return LOOP_EVENTS;
      },
    },
  ];
}
