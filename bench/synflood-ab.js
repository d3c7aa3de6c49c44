// In-process A/B of bench/synflood.bench.js's flood between this build and
// another: `BASE=/other/checkout/dist node bench/synflood-ab.js [rounds]
// [mlx5|defaults]` after `npm run build` in both. 10 ms simulated slices
// (50k SYNs), 20 timed per round (bench/ab.js runs them, alternated, CPU
// time). Prints wire packets (a SYN and its SYN-ACK: two per SYN) per
// CPU-second per side, this/base per round and the median; warns when the
// two builds' packet counts differ.
import { spec, MLX5_COALESCE } from "./synflood.bench.js";
import { abBuilds, runAb } from "./ab.js";

const dirs = abBuilds("synflood-ab");
const mode = process.argv[3] ?? "mlx5";
if (mode !== "mlx5" && mode !== "defaults") {
  console.error(`synflood-ab: mode ${mode} is not mlx5 or defaults`);
  process.exit(2);
}
const mods = {};
for (const k of ["this", "base"]) {
  const d = dirs[k];
  mods[k] = { core: await import(`${d}/core/node.js`), world: await import(`${d}/sim/world.js`) };
}

await runAb({
  rounds: Number(process.argv[2] ?? 4),
  startNs: 20e6,
  warmSlices: 4,
  slices: 20,
  sliceNs: 10e6,
  label: ` (${mode})`,
  makeWorld: async (k) => {
    const m = mods[k];
    const s = spec(2, mode === "mlx5" ? MLX5_COALESCE : {});
    const w = new m.world.World(await m.core.createCore(m.world.coreConfigFor(s)), s);
    for (const t of w.traffic) t.start();
    return w;
  },
});
