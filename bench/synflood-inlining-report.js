// Which calls V8's cumulative inlining budget leaves out on the SYN flood bench's flow
// (bench/synflood.bench.js, cookies always; mlx5 moderation unless `defaults`), per optimised
// function, with the callees' bytecode sizes (bench/tcpbulk-inlining-report.js's method).
//
// TurboFan inlines callees into an optimised function (a compile root) in order of call
// frequency until --max-inlined-bytecode-size-cumulative (920 bytes in Node 20) is spent, and
// never one above --max-inlined-bytecode-size (460). This runs the flow twice in child processes
// with --trace-turbo-inlining (compiles made synchronous so each root's trace is contiguous): at
// V8's default budget and at `budget`; a callee that is a candidate but not inlined at the default,
// yet inlined at the raised budget, was left out by the budget. Lists only roots named in `filter`
// (comma-separated; all roots without it). An experiment tool (the model sets no V8 flags):
//
//   npm run build && node bench/synflood-inlining-report.js [simMs=300] [budget=10000] [filter] [mlx5|defaults]
import { printInliningReport } from "./inlining-report.js";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);

if (process.env.SYNFLOOD_INLINING_CHILD === "1") {
  const { createCore } = await import("../dist/core/node.js");
  const { World, coreConfigFor } = await import("../dist/sim/world.js");
  const { spec, MLX5_COALESCE } = await import("./synflood.bench.js");
  const s = spec(2, process.argv[3] === "defaults" ? {} : MLX5_COALESCE);
  const world = new World(await createCore(coreConfigFor(s)), s);
  for (const t of world.traffic) t.start();
  world.loop.run(Number(process.argv[2]) * 1e6);
} else {
  const simMs = Number(process.argv[2] ?? 300);
  const budget = Number(process.argv[3] ?? 10000);
  const filter = process.argv[4] ? new Set(process.argv[4].split(",")) : null;
  const mode = process.argv[5] ?? "mlx5";
  printInliningReport({ script: self, env: { SYNFLOOD_INLINING_CHILD: "1" }, args: [String(simMs), mode], budget, filter });
}
