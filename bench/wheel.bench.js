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
//   wasm expireNext         hold only: raw.wheel_expire_next (Wheel.expireNext)
//                           per step, one call instead of next_time + expire.
//   EventLoop               hold only: src/sim/loop.ts on its own wheel with the
//                           same timers, each handler rescheduling itself with
//                           at(): the simulator's path (one wheel_loop_step per
//                           batch of up to 256 events, dispatch included). Runs
//                           to a simulated time steered to ~2^16 events a call.
//
// Every case sums what it reads into a local (module-level `sink +=` per
// timer boxed a double each time: ~12 ns that every contender paid).
//
// The case bodies are in bench/cases.js (bench/cputime.js times the same ones).
// Runs under bench/run.js (`node bench/run.js wheel`) or alone
// (`node bench/wheel.bench.js`, after `npm run build`).
import { pathToFileURL } from "node:url";
import { createCore } from "../dist/core/node.js";
import { EventLoop } from "../dist/sim/loop.js";
import { runSuite } from "./harness.js";
import { useSink, wheelFillDrainCases, wheelHoldCases } from "./cases.js";

export async function run(report) {
  await runSuite("wheel", await wheelFillDrainCases(createCore), report, { baseline: "fill+drain: flatqueue" });
  // Its own instance of cases.js: the same literals with this suite's core
  // would share their type feedback with the suite above, and its per-call
  // `sched(...)` would see two wheel_schedule exports (megamorphic: a generic
  // JS -> WASM call, bench/cputime.js).
  const { wheelFillDrainCases: denseCases, useSink: denseSink } = await import("./cases.js?dense");
  const dense = await denseCases(createCore, {
    range: 1 << 20,
    label: "dense",
    only: [": flatqueue", ": wasm per-call", ": wasm in-WASM loop"],
  });
  await runSuite("wheel", dense, report, { baseline: "dense: flatqueue" });
  await runSuite("wheel", await wheelHoldCases(createCore, EventLoop), report, { baseline: "hold: flatqueue" });
  useSink();
  denseSink();
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
