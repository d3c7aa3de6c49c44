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
// this build is faster). A process's placement of the cores' memory moves
// its ratios more than its rounds vary (one process read an A/B 0.875x,
// the next 1.043x), so PROCS=n runs n processes, BASE's side created first
// in every other one, and prints the median of their medians per case. To
// see the noise, compare a copy of a build (its dist/ and build/) with it:
// one dist/ given twice is one module, which read 1.13x against itself.
//   [PROCS=6] [BASE_FIRST=1] BASE=/path/to/dist node bench/wheel-ab.js [rounds] [case substring ...]
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const procs = Number(process.env.PROCS ?? 1);
if (procs > 1) {
  // Each child prints one line per case: `<name> this <ns> base <ns> <ratio>x [<min>, <max>]`.
  const byCase = new Map();
  for (let p = 0; p < procs; p++) {
    const env = { ...process.env, PROCS: "1", BASE_FIRST: p % 2 === 1 ? "1" : "0" };
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { env, encoding: "utf8" });
    process.stdout.write(out);
    for (const line of out.split("\n")) {
      const m = /^(.+?)\s+this\s+[\d.]+\s+base\s+[\d.]+\s+([\d.]+)x/.exec(line);
      if (m) byCase.set(m[1], [...(byCase.get(m[1]) ?? []), Number(m[2])]);
    }
  }
  const mid = (a) => {
    const b = a.slice().sort((x, y) => x - y);
    return b.length % 2 === 1 ? b[b.length >> 1] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2;
  };
  console.log(`median of ${procs} processes' medians (base/this) [min, max]:`);
  for (const [n, r] of byCase) {
    console.log(`${n.padEnd(32)} ${mid(r).toFixed(3)}x [${Math.min(...r).toFixed(3)}, ${Math.max(...r).toFixed(3)}]`);
  }
  process.exit(0);
}

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
// BASE_FIRST=1 creates BASE's side first.
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
