// CPU-time A/B of the no-op event loop (the workload of bench/cases.js
// loopCases: 4096 pending, each event reschedules itself 1..65536 ns later),
// this build against BASE's, in one process. Short slices (~20K events)
// alternate between the builds, order flipped every pair, and the median of
// the pairs' ratios is reported: on a shared machine the neighbours' load
// changes faster than a 200K-event round, and a pair sees about the same.
//   [BASE_FIRST=1] BASE=/path/to/dist node bench/loop-ab.js [pairs]
import { loadavg } from "node:os";

const SLICE_EVENTS = 20_000;
const pairs = Number(process.argv[2] ?? 200);

const here = new URL("../dist", import.meta.url).href;
if (!process.env.BASE) throw new Error("set BASE to the other build's dist directory");
// Each build's side from its own instance of loop-side.js (bench/loop-side.js
// says why); BASE_FIRST=1 creates BASE's side first.
const side = async (dist, tag) => (await import(`./loop-side.js?${tag}`)).loopSide(dist, SLICE_EVENTS);
const baseFirst = process.env.BASE_FIRST === "1";
const fns = {};
for (const b of baseFirst ? ["base", "this"] : ["this", "base"]) {
  fns[b] = await side(b === "this" ? here : new URL(`file://${process.env.BASE}`).href, b);
}
const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const time = (fn) => {
  const t0 = cpu();
  const n = fn();
  return (cpu() - t0) / n;
};
const l0 = loadavg()[0];
for (let i = 0; i < 50; i++) { fns.this(); fns.base(); }
const ratios = [];
const per = { this: [], base: [] };
for (let p = 0; p < pairs; p++) {
  const order = p % 2 === 0 ? ["this", "base"] : ["base", "this"];
  const t = {};
  for (const n of order) per[n].push((t[n] = time(fns[n])));
  ratios.push(t.base / t.this);
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
console.log(`load ${l0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}; ${baseFirst ? "BASE" : "this"} side created first; this ${(med(per.this) * 1000).toFixed(1)} ns, base ${(med(per.base) * 1000).toFixed(1)} ns per event; median pair base/this ${med(ratios).toFixed(3)} over ${pairs} pairs`);
