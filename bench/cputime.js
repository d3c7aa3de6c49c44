// CPU time per operation (process.cpuUsage) for the wheel and event-loop
// targets, medians of interleaved rounds in one process. Wall-clock ratios
// swing by 2x on a loaded 2-core box; CPU time per op is steadier. Not a
// *.bench.js (bench/run.js does not pick it up): run it after `npm run build`:
//
//   node bench/cputime.js [rounds]            this tree's dist/
//   BASE=/path/to/other/dist node bench/cputime.js   also that build's wheel
//                                             and loop cases, for a same-run A/B
//
// The cases are bench/cases.js's, which bench/wheel.bench.js and
// bench/loop.bench.js time by wall clock (fill+drain of 2^20 timers over
// 2^28 ns in 1024 steps; hold with 2^20 pending; the no-op event loop with
// 4096 pending, delays 1..65536 ns); the timer-wheel case is left out here.
//
// Each build's cases come from their own instance of cases.js (imported with
// a query string): closures made from one function literal share its type
// feedback, so with one instance the per-call case's `sched(...)` saw two
// builds' wheel_schedule exports, went megamorphic, and both builds paid a
// generic JS -> WASM call (~30 CPU ns per timer at load 18, README *Timing
// wheel*) that a program calling one build's export does not pay.
import { loadavg } from "node:os";

/** Each cases.js instance's useSink, called at the end. */
const sinks = [];

/** The suites on one build's dist/: { baseline, cases } each. */
async function buildSuites(dist, tag) {
  const { createCore } = await import(`${dist}/core/node.js`);
  const { EventLoop } = await import(`${dist}/sim/loop.js`);
  const { loopCases, useSink, wheelFillDrainCases, wheelHoldCases } = await import(`./cases.js?${tag}`);
  sinks.push(useSink);
  const only = [": flatqueue", ": wasm per-call", ": wasm Wheel wrapper", ": wasm burst", ": wasm in-WASM loop"];
  return [
    { baseline: "fill+drain: flatqueue", cases: await wheelFillDrainCases(createCore, { only }) },
    { baseline: "hold: flatqueue", cases: await wheelHoldCases(createCore, EventLoop) },
    { baseline: "flatqueue loop (baseline)", cases: await loopCases(createCore, EventLoop) },
  ];
}

const rounds = Number(process.argv[2] ?? 7);
const here = new URL("../dist", import.meta.url).href;
const suites = await buildSuites(here, "this");
// name -> [ops, fn, baseline name]
const cases = new Map();
for (const s of suites) for (const c of s.cases) cases.set(c.name, [c.opsPerCall, c.fn, s.baseline]);
if (process.env.BASE) {
  // Every case of the other build on its own cores, against this run's
  // baselines. All of them, not only its in-WASM loops: the hold cases share
  // one wheel per build and each leaves it in the state the next one starts
  // from (the in-WASM hold restarts its RNG every call), so a build that ran
  // only some of them timed another workload (hold in WASM ~25 % slower for
  // the very same build).
  const other = await buildSuites(new URL(`file://${process.env.BASE}`).href, "base");
  for (const s of other) {
    for (const c of s.cases) {
      if (c.build) cases.set(`BASE ${c.name}`, [c.opsPerCall, c.fn, s.baseline]);
    }
  }
}
const names = [...cases.keys()];
const res = new Map(names.map((n) => [n, []]));
const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const load0 = loadavg()[0];
for (let r = -1; r < rounds; r++) {
  // Round -1 warms the JIT up and is not counted.
  for (const n of names) {
    const [ops, fn] = cases.get(n);
    const t0 = cpu();
    const done = fn();
    const us = cpu() - t0;
    if (done < ops * 0.9) throw new Error(`${n}: ${done} of ${ops}`);
    if (r >= 0) res.get(n).push((us * 1000) / done);
  }
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
console.log(`CPU ns per op, median of ${rounds} interleaved rounds after a warm-up round; load ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
for (const n of names) {
  const m = med(res.get(n));
  const b = cases.get(n)[2];
  const ratio = b !== n ? `  ${(med(res.get(b)) / m).toFixed(2)}x ${b}` : "";
  console.log(`${n.padEnd(40)} ${m.toFixed(1).padStart(7)} ns${ratio}`);
}
for (const f of sinks) f();
