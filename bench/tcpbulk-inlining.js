// How V8's cumulative inlining budget (--max-inlined-bytecode-size-cumulative,
// 920 bytes of bytecode per optimised function in Node 20) moves the tcpbulk
// bench's flow. A V8 flag is process-wide, so the two sides cannot share a
// process as in tcpbulk-ab.js: each round runs one child process with V8's
// default and one with `budget`, in alternating order; each child reports wire
// packets per CPU-second (process.cpuUsage: compile threads included) over
// `simMs` simulated after `warmMs`. Prints every round and the median ratio.
// An experiment tool (the model sets no V8 flags): after `npm run build`,
//
//   node bench/tcpbulk-inlining.js [rounds=6] [simMs=300] [budget=10000] [warmMs=100]
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);

if (process.env.TCPBULK_INLINING_CHILD === "1") {
  const { createCore } = await import("../dist/core/node.js");
  const { World, coreConfigFor } = await import("../dist/sim/world.js");
  const { spec } = await import("./tcpbulk.bench.js");
  const s = spec();
  const world = new World(await createCore(coreConfigFor(s)), s);
  const wire = () => world.linkDirections().reduce((n, d) => n + d.packets, 0);
  for (const t of world.traffic) t.start();
  const warm = Number(process.argv[3]) * 1e6;
  world.loop.run(warm);
  const p0 = wire();
  const c0 = process.cpuUsage();
  world.loop.run(warm + Number(process.argv[2]) * 1e6);
  const c = process.cpuUsage(c0);
  process.stdout.write(String((wire() - p0) / (c.user + c.system)));
} else {
  const rounds = Number(process.argv[2] ?? 6);
  const simMs = Number(process.argv[3] ?? 300);
  const budget = Number(process.argv[4] ?? 10000);
  const warmMs = Number(process.argv[5] ?? 100);
  const side = (flags) =>
    Number(execFileSync(process.execPath, [...flags, self, String(simMs), String(warmMs)], { env: { ...process.env, TCPBULK_INLINING_CHILD: "1" }, encoding: "utf8" }));
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    const rate = {};
    for (const k of r % 2 === 0 ? ["raised", "default"] : ["default", "raised"]) rate[k] = side(k === "raised" ? [`--max-inlined-bytecode-size-cumulative=${budget}`] : []);
    ratios.push(rate.raised / rate.default);
    console.log(`round ${r + 1}: budget ${budget} ${rate.raised.toFixed(3)}, default ${rate.default.toFixed(3)} M wire packets per CPU-second, ratio ${ratios[r].toFixed(3)}`);
  }
  ratios.sort((a, b) => a - b);
  console.log(`median ${budget}/default: ${ratios[Math.floor(ratios.length / 2)].toFixed(3)} over ${rounds} rounds`);
}
