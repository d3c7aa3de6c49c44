// In-process A/B of the txpath bench's shape (bench/txpath.bench.js: 8 bulk
// flows, 10 Gbit / 50 us, fq + BQL + TSO) between this build and another:
// `BASE=/other/checkout/dist node bench/txpath-ab.js [rounds] [rxUsecsNs]`
// after `npm run build` in both. Both worlds live in one process and run
// 5 ms simulated slices in turn (the order flips every slice); the CPU time
// (process.cpuUsage) of each side's slices is summed, so machine load hits
// both alike. Each round builds fresh worlds; rounds alternate which build
// is created first. Prints wire packets per CPU-second per side, this/base
// per round and the median; warns when the two builds' wire packet counts
// differ (a speed-up must not change what the model does).
import { fileURLToPath } from "node:url";
import { scenario } from "./txpath.bench.js";

const here = fileURLToPath(new URL("../dist", import.meta.url));
const base = process.env.BASE;
if (!base) {
  console.error("txpath-ab: set BASE to the other build's dist directory");
  process.exit(2);
}
const rounds = Number(process.argv[2] ?? 4);
const rxUsecs = Number(process.argv[3] ?? 0);
const SLICES = 40;
const SLICE_NS = 5e6;

const mods = {};
for (const [k, d] of [["this", here], ["base", base]]) {
  mods[k] = {
    core: await import(`${d}/core/node.js`),
    world: await import(`${d}/sim/world.js`),
    load: await import(`${d}/scenario/load.js`),
    from: await import(`${d}/sim/from-scenario.js`),
  };
}

async function side(k) {
  const m = mods[k];
  const text = scenario(rxUsecs > 0 ? `{ nic: { rxUsecs: ${rxUsecs}ns } }` : "{}");
  const spec = { ...m.from.worldSpecFromScenario(m.load.loadScenarioText(text, "txpath-ab")), timeseriesPoints: 2 };
  const w = new m.world.World(await m.core.createCore(m.world.coreConfigFor(spec)), spec);
  for (const t of w.traffic) t.start();
  return { k, w, end: 20e6, cpu: 0, pk: 0, wire: () => w.linkDirections().reduce((n, d) => n + d.packets, 0) };
}

const ratios = [];
for (let r = 0; r < rounds; r++) {
  const sides = r % 2 === 0 ? [await side("this"), await side("base")] : [await side("base"), await side("this")];
  for (const s of sides) s.w.loop.run(s.end);
  for (let i = 0; i < 16; i++) for (const s of sides) s.w.loop.run((s.end += SLICE_NS));
  for (let i = 0; i < SLICES; i++) {
    for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
      const p0 = s.wire();
      const c0 = process.cpuUsage();
      s.w.loop.run((s.end += SLICE_NS));
      const c = process.cpuUsage(c0);
      s.cpu += c.user + c.system;
      s.pk += s.wire() - p0;
    }
  }
  const rate = (k) => {
    const s = sides.find((x) => x.k === k);
    return s.pk / s.cpu;
  };
  const same = sides[0].pk === sides[1].pk ? "" : " (the two builds sent different packet counts)";
  ratios.push(rate("this") / rate("base"));
  console.log(`round ${r + 1}: this ${rate("this").toFixed(3)}, base ${rate("base").toFixed(3)} M wire packets per CPU-second, ratio ${ratios[r].toFixed(3)}${same}`);
}
ratios.sort((a, b) => a - b);
console.log(`median this/base: ${ratios[Math.floor(ratios.length / 2)].toFixed(3)} over ${rounds} rounds (rx-usecs ${rxUsecs} ns)`);
