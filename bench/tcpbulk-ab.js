// In-process A/B of the tcpbulk bench's flow (bench/tcpbulk.bench.js) between
// this build and another one: `BASE=/other/checkout/dist node bench/tcpbulk-ab.js [rounds]`
// after `npm run build` in both. 10 ms simulated slices, 40 timed per round
// (bench/ab.js runs them). Prints wire packets per CPU-second per side and
// this/base per round, then the median ratio.
import { spec } from "./tcpbulk.bench.js";
import { abBuilds, runAb } from "./ab.js";

const dirs = abBuilds("tcpbulk-ab");
const mods = {};
for (const k of ["this", "base"]) {
  mods[k] = { core: await import(`${dirs[k]}/core/node.js`), world: await import(`${dirs[k]}/sim/world.js`) };
}

await runAb({
  rounds: Number(process.argv[2] ?? 4),
  startNs: 30e6,
  warmSlices: 6,
  slices: 40,
  sliceNs: 10e6,
  makeWorld: async (k) => {
    const s = spec();
    const w = new mods[k].world.World(await mods[k].core.createCore(mods[k].world.coreConfigFor(s)), s);
    for (const t of w.traffic) t.start();
    return w;
  },
});
