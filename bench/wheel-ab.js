// CPU-time A/B of the timing wheel, this build against BASE's, in one process
// (the wheel's counterpart of bench/loop-ab.js; bench/ab.js's harness for
// worlds). The cases are bench/cases.js's, the ones bench/wheel.bench.js and
// bench/cputime.js time: fill+drain of 2^20 timers over 2^28 ns per call
// from JS and in WASM, hold with 2^20 pending per call, with expireNext and
// in WASM. Each build's cases come from their own instance of cases.js (one
// instance's per-call `sched(...)` would see both builds' exports and go
// megamorphic: README *Timing wheel*, Session 9). In each round every case
// runs once on each build, back to back, the order flipped every round; the
// median of the rounds' base/this CPU-time ratios is reported per case (> 1:
// this build is faster). Run this build against itself first to see the
// noise (BASE=$PWD/dist), and run each A/B in both creation orders.
//   [BASE_FIRST=1] BASE=/path/to/dist node bench/wheel-ab.js [rounds] [case substring ...]
import { loadavg } from "node:os";

const rounds = Number(process.argv[2] ?? 15);
const pick = process.argv.slice(3);
const WANT = [
  "fill+drain: wasm per-call",
  "fill+drain: wasm in-WASM loop",
  "hold: wasm per-call",
  "hold: wasm expireNext",
  "hold: wasm in-WASM loop",
];
const names = pick.length === 0 ? WANT : WANT.filter((n) => pick.some((p) => n.includes(p)));
if (names.length === 0) throw new Error(`no case matches ${pick.join(", ")}; cases: ${WANT.join(", ")}`);

const sinks = [];
/** name -> case of one build's dist/. */
async function side(dist, tag) {
  const { createCore } = await import(`${dist}/core/node.js`);
  const { useSink, wheelFillDrainCases, wheelHoldCases } = await import(`./cases.js?${tag}`);
  sinks.push(useSink);
  const fill = names.some((n) => n.startsWith("fill+drain"));
  const hold = names.some((n) => n.startsWith("hold"));
  const cases = [
    ...(fill ? await wheelFillDrainCases(createCore, { only: [": wasm per-call", ": wasm in-WASM loop"] }) : []),
    ...(hold ? await wheelHoldCases(createCore) : []),
  ];
  return new Map(cases.filter((c) => names.includes(c.name)).map((c) => [c.name, c]));
}

if (!process.env.BASE) throw new Error("set BASE to the other build's dist directory");
// BASE_FIRST=1 creates BASE's side first (its cores get the lower
// addresses): running both orders rules out a placement effect. (Both sides
// must be separate copies of a build: one dist/ given twice is one module,
// and its in-WASM case read 1.13x against itself.)
const baseFirst = process.env.BASE_FIRST === "1";
const builds = {};
for (const b of baseFirst ? ["base", "this"] : ["this", "base"]) {
  builds[b] = await side(b === "this" ? new URL("../dist", import.meta.url).href : new URL(`file://${process.env.BASE}`).href, b);
}
const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
/** CPU ns per op of one call. */
const time = (c) => {
  const t0 = cpu();
  const ops = c.fn();
  return ((cpu() - t0) * 1000) / ops;
};
const l0 = loadavg()[0];
// Warm-up: each case twice on each build.
for (let i = 0; i < 2; i++) for (const n of names) for (const b of ["this", "base"]) time(builds[b].get(n));
const ratios = new Map(names.map((n) => [n, []]));
const per = { this: new Map(names.map((n) => [n, []])), base: new Map(names.map((n) => [n, []])) };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? ["this", "base"] : ["base", "this"];
  for (const n of names) {
    const t = {};
    for (const b of order) per[b].get(n).push((t[b] = time(builds[b].get(n))));
    ratios.get(n).push(t.base / t.this);
  }
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
console.log(`load ${l0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}; ${rounds} rounds, ${baseFirst ? "BASE" : "this"} side created first; CPU ns per op (medians), base/this median of the rounds' ratios [min, max]`);
for (const n of names) {
  const r = ratios.get(n);
  console.log(
    `${n.padEnd(32)} this ${med(per.this.get(n)).toFixed(1).padStart(6)}  base ${med(per.base.get(n)).toFixed(1).padStart(6)}  ${med(r).toFixed(3)}x [${Math.min(...r).toFixed(2)}, ${Math.max(...r).toFixed(2)}]`,
  );
}
for (const f of sinks) f();
