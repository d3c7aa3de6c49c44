// Where the SYN flood's garbage comes from: V8's sampling heap profiler with
// the objects scavenges collected kept (the inspector's
// includeObjectsCollectedByMinorGC), over bench/synflood.bench.js's flow.
// Prints bytes per SYN by allocating function (with its caller). Not a
// benchmark.js case; after `npm run build`:
//
//   node bench/synflood-alloc.js [mlx5|defaults] [simMs=100]
import { Session } from "node:inspector/promises";
import { createCore } from "../dist/core/node.js";
import { World, coreConfigFor } from "../dist/sim/world.js";
import { spec, MLX5_COALESCE } from "./synflood.bench.js";

const mode = process.argv[2] ?? "mlx5";
const simMs = Number(process.argv[3] ?? 100);
const s = spec(2, mode === "mlx5" ? MLX5_COALESCE : {});
const world = new World(await createCore(coreConfigFor(s)), s);
for (const t of world.traffic) t.start();
world.loop.run(20e6);
const n0 = world.traffic[0].stats.packets;
const session = new Session();
session.connect();
await session.post("HeapProfiler.startSampling", { samplingInterval: 64, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
world.loop.run(20e6 + simMs * 1e6);
const { profile } = await session.post("HeapProfiler.stopSampling");
const n = world.traffic[0].stats.packets - n0;
const by = new Map();
const walk = (node, caller) => {
  const f = node.callFrame;
  const name = `${f.functionName || "(anonymous)"} ${f.url.replace(/.*\/dist\//, "")}:${f.lineNumber + 1}`;
  if (node.selfSize > 0) {
    const k = `${name}  <- ${caller}`;
    by.set(k, (by.get(k) ?? 0) + node.selfSize);
  }
  for (const c of node.children) walk(c, f.functionName || "(anonymous)");
};
walk(profile.head, "");
let total = 0;
for (const v of by.values()) total += v;
console.log(`${mode}, ${simMs} ms simulated: ${n} SYNs, ${(total / n).toFixed(1)} B allocated per SYN (sampled)`);
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(v / n).toFixed(1).padStart(7)} B  ${k}`);
