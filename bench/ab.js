// The in-process CPU-time A/B shared by tcpbulk-ab.js and txpath-ab.js: two
// builds' worlds live in one process and run simulated slices in turn (the
// order flips every slice); each side's slices' CPU time (process.cpuUsage)
// is summed, so machine load hits both alike. Each round builds fresh worlds
// and rounds alternate which build is created first.
import { fileURLToPath } from "node:url";

/** The dist directories of this build and of the one in $BASE (exits with a
 *  usage line naming `tool` when BASE is unset). */
export function abBuilds(tool) {
  const here = fileURLToPath(new URL("../dist", import.meta.url));
  const base = process.env.BASE;
  if (!base) {
    console.error(`${tool}: set BASE to the other build's dist directory`);
    process.exit(2);
  }
  return { this: here, base };
}

/** Run `rounds` rounds: `makeWorld(k)` ("this" | "base") returns a started
 *  World; each side runs to `startNs`, then `warmSlices` + `slices` slices of
 *  `sliceNs`, the last `slices` timed. Prints per round and the median
 *  this/base of wire packets per CPU-second; `label` ends the median line. */
export async function runAb({ rounds, makeWorld, startNs, warmSlices, slices, sliceNs, label = "" }) {
  const side = async (k) => {
    const w = await makeWorld(k);
    return { k, w, end: startNs, cpu: 0, pk: 0, wire: () => w.linkDirections().reduce((n, d) => n + d.packets, 0) };
  };
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    const sides = r % 2 === 0 ? [await side("this"), await side("base")] : [await side("base"), await side("this")];
    for (const s of sides) s.w.loop.run(s.end);
    for (let i = 0; i < warmSlices; i++) for (const s of sides) s.w.loop.run((s.end += sliceNs));
    for (let i = 0; i < slices; i++) {
      for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
        const p0 = s.wire();
        const c0 = process.cpuUsage();
        s.w.loop.run((s.end += sliceNs));
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
  console.log(`median this/base: ${ratios[Math.floor(ratios.length / 2)].toFixed(3)} over ${rounds} rounds${label}`);
}
