// Shared helper for bench/*.bench.js: run a set of cases through one
// benchmark.js Suite and report one row per case. Each case's `fn` should do
// a fixed, sizeable batch of work (`opsPerCall` operations, a few µs or more)
// so that benchmark.js's own per-call cost does not dominate.
//
// Timing budget: BENCH_MAX_TIME seconds per case (default 1) and at least
// BENCH_MIN_SAMPLES samples (default 8); keep a whole `npm run bench` under
// about 3 minutes on a 2-core machine.
import Benchmark from "benchmark";

export const BENCH_OPTIONS = Object.freeze({
  maxTime: Number(process.env.BENCH_MAX_TIME ?? 1),
  minSamples: Number(process.env.BENCH_MIN_SAMPLES ?? 8),
  initCount: 1,
});

/**
 * @typedef {{ name: string, fn: () => void, opsPerCall: number }} BenchCase
 * @param {string} suite      suite name (rows with the same suite are compared)
 * @param {BenchCase[]} cases
 * @param {(row: object) => void} report   the harness's report()
 * @param {{ unit?: string, baseline?: string }} [opts]  baseline: name of the case the others are divided by
 */
export function runSuite(suite, cases, report, opts = {}) {
  const unit = opts.unit ?? "Mops/s";
  return new Promise((resolve, reject) => {
    const s = new Benchmark.Suite(suite);
    for (const c of cases) {
      s.add(c.name, c.fn, { ...BENCH_OPTIONS });
    }
    s.on("cycle", (ev) => {
      const b = ev.target;
      if (b.error) {
        reject(new Error(`${suite} / ${b.name}: ${b.error.message ?? b.error}`));
        return;
      }
      const c = cases.find((x) => x.name === b.name);
      const row = {
        suite,
        name: b.name,
        opsPerSec: b.hz * c.opsPerCall,
        unit,
        rme: b.stats.rme,
        samples: b.stats.sample.length,
      };
      if (opts.baseline && opts.baseline !== b.name) row.ratioTo = opts.baseline;
      report(row);
    });
    s.on("complete", () => resolve());
    s.on("error", (ev) => reject(ev.target.error));
    s.run({ async: false });
  });
}

/**
 * Wire packets per wall second of a running World in steady state: run past
 * `warmupNs` (slow start), calibrate the wire packets of one `sliceNs` slice
 * over `calibrate` slices, then time slices with benchmark.js. Checks the
 * packet ledger afterwards and returns the wire packets per simulated second.
 */
export async function steadyStateWireSuite(report, { world, suite, name, warmupNs = 20e6, sliceNs = 2e6, calibrate = 5 }) {
  const wirePackets = () => world.linkDirections().reduce((n, d) => n + d.packets, 0);
  for (const t of world.traffic) t.start();
  let end = warmupNs;
  world.loop.run(end);
  const before = wirePackets();
  for (let i = 0; i < calibrate; i++) world.loop.run((end += sliceNs));
  const perSlice = (wirePackets() - before) / calibrate;
  await runSuite(suite, [{ name, opsPerCall: perSlice, fn: () => world.loop.run((end += sliceNs)) }], report, { unit: "Mpkt/s" });
  const r = world.ledger.report(world.inFlight());
  if (r.unaccounted !== 0) throw new Error(`${suite}: ledger has ${r.unaccounted} unaccounted packets`);
  return perSlice / (sliceNs / 1e9);
}
