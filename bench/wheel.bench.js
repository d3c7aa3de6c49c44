// Timing wheel (assembly/wheel.ts) against a binary heap (flatqueue, typed
// arrays) and the `timer-wheel` npm package, on 1M (2^20) timers.
//
// Workloads (one op = one timer scheduled and fired):
//   fill+drain  schedule 2^20 timers at random whole ns in [base, base + 2^28)
//               (~0.27 s of simulated time: ~1 timer per 256 ns, ~16 per
//               4 us level-0 granule), then expire them in 1024 steps of now.
//               Every timed call does the whole 2^20.
//   dense       the same over [base, base + 2^20): ~1 timer per ns (three
//               cases only, to keep the bench short).
//   hold        a DES in steady state (the classic priority-queue "hold"
//               model): 2^20 timers pending; now = the earliest time, fire it,
//               reschedule at now + U[0, 2^28). Every timed call does 2^16.
//
// Cases:
//   flatqueue               push / peekValue / pop on FlatQueue(2^20) (typed
//                           arrays). The baseline (ratio column). Ties come out
//                           in no particular order.
//   timer-wheel             TimerWheel.schedule(i, delay) / advance(now) with
//                           the times read as ms (its unit); it keeps ~1 s
//                           buckets, so it orders nothing inside a bucket, and
//                           schedule() reads Date.now(). fill+drain only: it has
//                           no way to schedule at a simulated time.
//   wasm per-call           raw.wheel_schedule per timer, raw.wheel_expire per
//                           step (and raw.wheel_next_time in hold), reading
//                           outArg: the honest per-call cost from JS.
//   wasm Wheel wrapper      core.wheel.schedule / expire (src/core/wheel.ts).
//   wasm burst              4096 timers per raw.wheel_schedule_burst call.
//   wasm in-WASM loop       wheel_bench_fill_drain / wheel_bench_hold: the same
//                           loops inside WASM (bench entry points, no boundary).
//
// Runs under bench/run.js (`node bench/run.js wheel`) or alone
// (`node bench/wheel.bench.js`, after `npm run build`).
import FlatQueue from "flatqueue";
import { TimerWheel } from "timer-wheel";
import { pathToFileURL } from "node:url";
import { createCore } from "../dist/core/node.js";
import { runSuite } from "./harness.js";
import { HOLD_OPS, N, RANGE, STEPS, randomTimes } from "./workloads.js";


let sink = 0;



function check(name, fired, want) {
  if (fired !== want) throw new Error(`wheel bench ${name}: fired ${fired} of ${want}`);
}

async function fillDrainCases(range, label, only) {
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
    for (let s = 1; s <= STEPS; s++) {
      const now = b + (s * range) / STEPS;
      let n;
      do {
        n = expire(now, cap);
        for (let k = 0; k < n; k++) sink += outArg[k];
        fired += n;
      } while (n === cap);
    }
    return fired;
  };

  const fq = new FlatQueue(N);
  let cases = [
    {
      name: "fill+drain: flatqueue",
      fn() {
        for (let i = 0; i < N; i++) fq.push(i, times[i]);
        let fired = 0;
        for (let s = 1; s <= STEPS; s++) {
          const now = (s * range) / STEPS;
          while (fq.length > 0 && fq.peekValue() <= now) {
            sink += fq.pop();
            fired++;
          }
        }
        return fired;
      },
    },
    {
      name: "fill+drain: timer-wheel",
      fn() {
        const tw = new TimerWheel();
        for (let i = 0; i < N; i++) tw.schedule(i, times[i]);
        let fired = 0;
        for (let s = 1; s <= STEPS; s++) {
          // schedule() adds the real ms elapsed since the wheel was made; the
          // last step goes 2^20 ms further so that everything comes out.
          const now = (s * range) / STEPS + (s === STEPS ? 1 << 20 : 0);
          const out = tw.advance(now);
          for (let k = 0; k < out.length; k++) sink += out[k];
          fired += out.length;
        }
        return fired;
      },
    },
    {
      name: "fill+drain: wasm per-call",
      fn() {
        const b = base;
        base += range;
        for (let i = 0; i < N; i++) sched(b + times[i], 1, i);
        return drainWasm(b);
      },
    },
    {
      name: "fill+drain: wasm Wheel wrapper",
      fn() {
        const b = base;
        base += range;
        for (let i = 0; i < N; i++) w.schedule(b + times[i], 1, i);
        let fired = 0;
        for (let s = 1; s <= STEPS; s++) {
          const now = b + (s * range) / STEPS;
          let n;
          do {
            n = w.expire(now);
            for (let k = 0; k < n; k++) sink += outArg[k];
            fired += n;
          } while (n === cap);
        }
        return fired;
      },
    },
    {
      name: "fill+drain: wasm burst",
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
      name: "fill+drain: wasm in-WASM loop",
      fn() {
        const b = base;
        base += range;
        return raw.wheel_bench_fill_drain(N, b, range, STEPS, 777);
      },
    },
  ];
  if (only) cases = cases.filter((c) => only.some((o) => c.name.endsWith(o)));
  for (const c of cases) {
    c.name = c.name.replace("fill+drain", label);
    check(c.name, c.fn(), N);
  }
  if (w.pending !== 0 || w.stats().full !== 0) throw new Error("wheel bench: wheel not empty after the checks");
  return cases.map((c) => ({ name: c.name, opsPerCall: N, fn: c.fn }));
}

async function holdCases() {
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
      name: "hold: wasm in-WASM loop",
      fn() {
        return raw.wheel_bench_hold(HOLD_OPS, RANGE, 31337);
      },
    },
  ];
  for (const c of cases) {
    const f = c.fn();
    if (f < HOLD_OPS) throw new Error(`wheel bench ${c.name}: fired ${f} < ${HOLD_OPS}`);
  }
  if (w.pending !== N) throw new Error(`wheel bench hold: ${w.pending} pending, want ${N}`);
  return cases.map((c) => ({ name: c.name, opsPerCall: HOLD_OPS, fn: c.fn }));
}

export async function run(report) {
  await runSuite("wheel", await fillDrainCases(RANGE, "fill+drain"), report, { baseline: "fill+drain: flatqueue" });
  await runSuite("wheel", await fillDrainCases(1 << 20, "dense", [": flatqueue", ": wasm per-call", ": wasm in-WASM loop"]), report, {
    baseline: "dense: flatqueue",
  });
  await runSuite("wheel", await holdCases(), report, { baseline: "hold: flatqueue" });
  if (sink === 0.5) console.error(sink); // keep the sink alive
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = [];
  await run((row) => {
    rows.push(row);
    const ratio = row.ratioTo ? rows.find((r) => r.name === row.ratioTo) : undefined;
    const x = ratio ? `  ${(row.opsPerSec / ratio.opsPerSec).toFixed(2)}x ${row.ratioTo}` : "";
    console.log(`${row.name.padEnd(34)} ${(row.opsPerSec / 1e6).toFixed(2).padStart(7)} Mops/s ±${row.rme.toFixed(1)}%${x}`);
  });
}
