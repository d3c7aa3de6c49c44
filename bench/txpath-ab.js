// In-process A/B of the txpath bench's shape (bench/txpath.bench.js: 8 bulk
// flows, 10 Gbit / 50 us, fq + BQL + TSO) between this build and another:
// `BASE=/other/checkout/dist node bench/txpath-ab.js [rounds] [rxUsecsNs]`
// after `npm run build` in both. 5 ms simulated slices, 40 timed per round
// (bench/ab.js runs them). Prints wire packets per CPU-second per side,
// this/base per round and the median; warns when the two builds' wire packet
// counts differ (a speed-up must not change what the model does).
import { scenario } from "./txpath.bench.js";
import { abBuilds, runAb } from "./ab.js";

const dirs = abBuilds("txpath-ab");
const rxUsecs = Number(process.argv[3] ?? 0);
const mods = {};
for (const k of ["this", "base"]) {
  const d = dirs[k];
  mods[k] = {
    core: await import(`${d}/core/node.js`),
    world: await import(`${d}/sim/world.js`),
    load: await import(`${d}/scenario/load.js`),
    from: await import(`${d}/sim/from-scenario.js`),
  };
}

await runAb({
  rounds: Number(process.argv[2] ?? 4),
  startNs: 20e6,
  warmSlices: 16,
  slices: 40,
  sliceNs: 5e6,
  label: ` (rx-usecs ${rxUsecs} ns)`,
  makeWorld: async (k) => {
    const m = mods[k];
    const text = scenario(rxUsecs > 0 ? `{ nic: { rxUsecs: ${rxUsecs}ns } }` : "{}");
    const spec = { ...m.from.worldSpecFromScenario(m.load.loadScenarioText(text, "txpath-ab")), timeseriesPoints: 2 };
    const w = new m.world.World(await m.core.createCore(m.world.coreConfigFor(spec)), spec);
    for (const t of w.traffic) t.start();
    return w;
  },
});
