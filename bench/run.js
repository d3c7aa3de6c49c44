#!/usr/bin/env node
// Benchmark runner: `npm run bench` (builds first) or `node bench/run.js
// [name ...]` after `npm run build`. Runs bench/<name>.bench.js (all of
// bench/*.bench.js when no name is given); each exports
// `async function run(report)` and calls report(row) once per measured case:
//
//   { suite, name, opsPerSec, unit, ratioTo?, ratio?, rme?, samples? }
//
// opsPerSec is raw operations per second; unit says how to print it
// ('Mops/s' prints opsPerSec / 1e6, 'Mhash/s' likewise, 'Kops/s' / 1e3 ...).
// ratioTo names another row of the same suite; ratio = opsPerSec / theirs is
// filled in here when the bench did not set it. At the end: a markdown table,
// the machine, and bench/results.json.
import { readdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import os from "node:os";

const here = dirname(fileURLToPath(import.meta.url));

function unitScale(unit) {
  const p = unit[0];
  if (p === "G") return 1e9;
  if (p === "M") return 1e6;
  if (p === "K" || p === "k") return 1e3;
  return 1;
}

function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  return x >= 100 ? x.toFixed(0) : x.toPrecision(digits);
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: cpus.length,
    node: process.version,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

export function markdownTable(rows) {
  const lines = ["| suite | case | throughput | unit | ± % | ratio |", "|---|---|---:|---|---:|---:|"];
  for (const r of rows) {
    const ratio = r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}x vs ${r.ratioTo}`;
    const rme = r.rme === undefined ? "" : r.rme.toFixed(1);
    lines.push(`| ${r.suite} | ${r.name} | ${fmt(r.opsPerSec / unitScale(r.unit))} | ${r.unit} | ${rme} | ${ratio} |`);
  }
  return lines.join("\n");
}

async function benchFiles(names) {
  const all = (await readdir(here)).filter((f) => f.endsWith(".bench.js")).sort();
  if (names.length === 0) return all;
  return names.map((n) => {
    const f = n.endsWith(".bench.js") ? n : `${n}.bench.js`;
    if (!all.includes(f)) {
      throw new Error(`no bench/${f} (available: ${all.map((x) => x.replace(/\.bench\.js$/, "")).join(", ") || "none"})`);
    }
    return f;
  });
}

async function main(argv) {
  if (!existsSync(join(here, "..", "dist", "index.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first (or `npm run bench`)");
  }
  const files = await benchFiles(argv);
  const rows = [];
  const failures = [];
  for (const file of files) {
    const report = (row) => {
      for (const k of ["suite", "name", "unit"]) {
        if (typeof row?.[k] !== "string" || row[k] === "") throw new TypeError(`${file}: report(row).${k} must be a non-empty string`);
      }
      if (typeof row.opsPerSec !== "number" || !(row.opsPerSec > 0) || !Number.isFinite(row.opsPerSec)) {
        throw new TypeError(`${file}: report(row).opsPerSec must be a positive finite number (got ${row.opsPerSec})`);
      }
      const r = { bench: file.replace(/\.bench\.js$/, ""), ...row };
      rows.push(r);
      const rme = r.rme === undefined ? "" : ` ±${r.rme.toFixed(1)}%`;
      console.error(`  ${r.suite} / ${r.name}: ${fmt(r.opsPerSec / unitScale(r.unit))} ${r.unit}${rme}`);
    };
    console.error(`# ${file}`);
    const t0 = performance.now();
    try {
      const mod = await import(pathToFileURL(join(here, file)).href);
      if (typeof mod.run !== "function") throw new TypeError(`${file} does not export async function run(report)`);
      await mod.run(report);
    } catch (e) {
      failures.push(`${file}: ${e?.stack ?? e}`);
      console.error(`  FAILED: ${e?.message ?? e}`);
    }
    console.error(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  for (const r of rows) {
    if (r.ratioTo === undefined || r.ratio !== undefined) continue;
    const base = rows.find((b) => b.suite === r.suite && b.name === r.ratioTo);
    if (base) r.ratio = r.opsPerSec / base.opsPerSec;
  }
  const m = machine();
  console.log(markdownTable(rows));
  console.log(`\nMachine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}`);
  await writeFile(join(here, "results.json"), JSON.stringify({ machine: m, benches: files, rows }, null, 2) + "\n");
  console.error(`wrote bench/results.json (${rows.length} rows)`);
  if (failures.length) {
    console.error(`\n${failures.length} bench file(s) failed:\n${failures.join("\n")}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e?.message ?? e);
    process.exitCode = 1;
  });
}
