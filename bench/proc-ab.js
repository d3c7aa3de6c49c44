// Child-process A/B: each measurement runs in a fresh `node` process on one
// build only, the builds alternating (order flipped every pair). The in-process
// A/Bs (ab.js, loop-ab.js) run both builds in one process, so they cannot see a
// process-wide effect such as V8's ArrayBufferDetaching protector: the first
// ArrayBuffer detach in a process (a WebAssembly memory.grow detaches the old
// buffer) makes every optimised typed-array access in all JS code check for a
// detached buffer from then on. Each child times a fixed simulated span after
// a warm-up, in CPU time (process.cpuUsage), and prints CPU ns per op.
//
//   BASE=/path/to/other/dist node bench/proc-ab.js WORKLOAD [pairs]
//   WORKLOAD: loop | tcpbulk | synflood | txpath | all
//
// loop: the no-op event loop of loop-ab.js (4096 pending, delays 1..65536 ns),
// op = event. tcpbulk, synflood (mlx5 coalescing), txpath (8 flows, fq + BQL +
// TSO): the worlds of tcpbulk.bench.js, synflood.bench.js, txpath.bench.js,
// op = wire packet. Prints per pair and the median of the pairs' base/this
// (> 1: this build is faster), with the load average.
import { execFile } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const WORKLOADS = {
  async loop(dist) {
    const { loopDelays } = await import("./workloads.js");
    const { createCore } = await import(`${dist}/core/node.js`);
    const { EventLoop } = await import(`${dist}/sim/loop.js`);
    const core = await createCore({ skbs: 64, ringSlots: 64, wheelEntries: 1 << 16 });
    const loop = new EventLoop(core.wheel);
    const d = loopDelays(1 << 16, 7);
    let k = 0;
    const kind = loop.register("noop", (arg) => {
      loop.after(d[k++ & 0xffff], kind, arg);
    });
    for (let i = 0; i < 4096; i++) loop.at(d[i], kind, i);
    let end = 0;
    // ~20K events a slice
    return { warm: 50, slices: 400, step: () => loop.run((end += (20_000 / 4096) * 32768.5)), ops: () => loop.events };
  },
  async tcpbulk(dist) {
    const { spec } = await import("./tcpbulk.bench.js");
    return worldWorkload(dist, spec(), { startNs: 30e6, sliceNs: 10e6, warm: 6, slices: 20 });
  },
  async synflood(dist) {
    const { spec, MLX5_COALESCE } = await import("./synflood.bench.js");
    return worldWorkload(dist, spec(2, MLX5_COALESCE), { startNs: 20e6, sliceNs: 10e6, warm: 4, slices: 10 });
  },
  async txpath(dist) {
    const { scenario } = await import("./txpath.bench.js");
    const { loadScenarioText } = await import(`${dist}/scenario/load.js`);
    const { worldSpecFromScenario } = await import(`${dist}/sim/from-scenario.js`);
    const s = { ...worldSpecFromScenario(loadScenarioText(scenario("{}"), "proc-ab")), timeseriesPoints: 2 };
    return worldWorkload(dist, s, { startNs: 20e6, sliceNs: 5e6, warm: 16, slices: 40 });
  },
};

async function worldWorkload(dist, spec, { startNs, sliceNs, warm, slices }) {
  const { createCore } = await import(`${dist}/core/node.js`);
  const { World, coreConfigFor } = await import(`${dist}/sim/world.js`);
  const w = new World(await createCore(coreConfigFor(spec)), spec);
  for (const t of w.traffic) t.start();
  let end = startNs;
  w.loop.run(end);
  return { warm, slices, step: () => w.loop.run((end += sliceNs)), ops: () => w.linkDirections().reduce((n, d) => n + d.packets, 0) };
}

async function child(workload, dist) {
  const wl = await WORKLOADS[workload](dist);
  for (let i = 0; i < wl.warm; i++) wl.step();
  const o0 = wl.ops();
  const c0 = process.cpuUsage();
  for (let i = 0; i < wl.slices; i++) wl.step();
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ ns: ((c.user + c.system) * 1000) / (wl.ops() - o0), ops: wl.ops() - o0 }));
}

if (process.argv[2] === "--child") {
  await child(process.argv[3], process.argv[4]);
} else {
  const run = promisify(execFile);
  const self = fileURLToPath(import.meta.url);
  const dists = { this: new URL("../dist", import.meta.url).href, base: process.env.BASE && new URL(`file://${process.env.BASE}`).href };
  if (!dists.base) {
    console.error("proc-ab: set BASE to the other build's dist directory");
    process.exit(2);
  }
  const which = process.argv[2] ?? "all";
  const names = which === "all" ? Object.keys(WORKLOADS) : [which];
  if (!names.every((n) => n in WORKLOADS)) {
    console.error(`proc-ab: workload ${which} is not one of ${Object.keys(WORKLOADS).join(", ")}, all`);
    process.exit(2);
  }
  const pairs = Number(process.argv[3] ?? 6);
  const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  for (const name of names) {
    const l0 = loadavg()[0];
    const ratios = [];
    const per = { this: [], base: [] };
    for (let p = 0; p < pairs; p++) {
      const t = {};
      for (const k of p % 2 === 0 ? ["this", "base"] : ["base", "this"]) {
        const { stdout } = await run(process.execPath, [self, "--child", name, dists[k]]);
        const r = JSON.parse(stdout.trim().split("\n").pop());
        per[k].push((t[k] = r.ns));
      }
      ratios.push(t.base / t.this);
      console.log(`${name} pair ${p + 1} (${p % 2 === 0 ? "this first" : "base first"}): this ${t.this.toFixed(1)}, base ${t.base.toFixed(1)} CPU ns per op, base/this ${(t.base / t.this).toFixed(3)}`);
    }
    console.log(`${name}: load ${l0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}; median this ${med(per.this).toFixed(1)}, base ${med(per.base).toFixed(1)} CPU ns per op; median pair base/this ${med(ratios).toFixed(3)} over ${pairs} pairs`);
  }
}
