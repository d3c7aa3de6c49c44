// CPU-time A/B of the no-op event loop (the workload of bench/cases.js
// loopCases: 4096 pending, each event reschedules itself 1..65536 ns later),
// this build against BASE's, in one process. Short slices (~20K events)
// alternate between the builds, order flipped every pair, and the median of
// the pairs' ratios is reported: on a shared machine the neighbours' load
// changes faster than a 200K-event round, and a pair sees about the same.
//   BASE=/path/to/dist node bench/loop-ab.js [pairs]
import { loadavg } from "node:os";
import { loopDelays } from "./workloads.js";

const PENDING = 4096;
const SLICE_EVENTS = 20_000;
const pairs = Number(process.argv[2] ?? 200);

async function side(dist) {
  const { createCore } = await import(`${dist}/core/node.js`);
  const { EventLoop } = await import(`${dist}/sim/loop.js`);
  const core = await createCore({ skbs: 64, ringSlots: 64, wheelEntries: 1 << 16 });
  const loop = new EventLoop(core.wheel);
  const d = loopDelays(1 << 16, 7);
  let k = 0;
  const kind = loop.register("noop", (arg) => {
    loop.after(d[k++ & 0xffff], kind, arg);
  });
  for (let i = 0; i < PENDING; i++) loop.at(d[i], kind, i);
  let end = 0;
  return () => {
    const before = loop.events;
    end += (SLICE_EVENTS / PENDING) * 32768.5;
    loop.run(end);
    return loop.events - before;
  };
}
const here = new URL("../dist", import.meta.url).href;
if (!process.env.BASE) throw new Error("set BASE to the other build's dist directory");
const fns = { this: await side(here), base: await side(new URL(`file://${process.env.BASE}`).href) };
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
console.log(`load ${l0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}; this ${(med(per.this) * 1000).toFixed(1)} ns, base ${(med(per.base) * 1000).toFixed(1)} ns per event; median pair base/this ${med(ratios).toFixed(3)} over ${pairs} pairs`);
