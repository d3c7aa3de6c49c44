// What one simulated wire packet costs on bench/txpath.bench.js's shape (8
// bulk TCP flows, 10 Gbit / 50 us, fq + BQL + TSO), as counts rather than
// time, so runs on a busy machine still compare: events by kind, calls into
// WASM by export, skbs allocated, GRO skbs handed up, and CPU time per wire
// packet (process.cpuUsage, noisy under load). Not a benchmark.js case; run
// after `npm run build`:
//
//   node bench/txpath-profile.js [rxUsecsNs=0] [simMs=200]
//
// The counting wraps every WASM export and every event handler, so its own
// CPU figure is slower than the bench's; run with COUNT=0 for the time alone.
// TIME=1 adds each event kind's inclusive handler time (performance.now
// around every handler, per host and kind: the stages of the path), which
// slows the run further; compare shares, not absolute figures.
import { readFile } from "node:fs/promises";
import { Core } from "../dist/core/core.js";
import { instantiateCore } from "../dist/core/loader.js";
import { countingExports } from "./count-calls.js";
import { EventLoop } from "../dist/sim/loop.js";
import { World, coreConfigFor } from "../dist/sim/world.js";
import { loadScenarioText } from "../dist/scenario/load.js";
import { worldSpecFromScenario } from "../dist/sim/from-scenario.js";
import { scenario } from "./txpath.bench.js";

const rxUsecs = Number(process.argv[2] ?? 0);
const simMs = Number(process.argv[3] ?? 200);
const counting = process.env.COUNT !== "0";
const timing = process.env.TIME === "1";

const receiver = rxUsecs > 0 ? `{ nic: { rxUsecs: ${rxUsecs}ns } }` : "{}";
const text = scenario(receiver);

const wasmCalls = new Map();
const eventsByKind = new Map();
const timeByEvent = new Map();
let measuring = false;

const spec = { ...worldSpecFromScenario(loadScenarioText(text, "txpath-profile")), timeseriesPoints: 2 };
let raw = await instantiateCore(await readFile(new URL("../build/skbsim.wasm", import.meta.url)), coreConfigFor(spec));
if (counting) {
  raw = countingExports(raw, wasmCalls, () => measuring);
  const register = EventLoop.prototype.register;
  EventLoop.prototype.register = function (name, handler) {
    const kind = name.replace(/^(\S+) /, "");
    if (timing) {
      return register.call(this, name, (a, b) => {
        if (!measuring) return handler(a, b);
        eventsByKind.set(kind, (eventsByKind.get(kind) ?? 0) + 1);
        const t0 = performance.now();
        const r = handler(a, b);
        timeByEvent.set(name, (timeByEvent.get(name) ?? 0) + (performance.now() - t0));
        return r;
      });
    }
    return register.call(this, name, (a, b) => {
      if (measuring) eventsByKind.set(kind, (eventsByKind.get(kind) ?? 0) + 1);
      return handler(a, b);
    });
  };
}

const core = new Core(raw, coreConfigFor(spec));
const world = new World(core, spec);
const wire = () => world.linkDirections().reduce((n, d) => n + d.packets, 0);
const gro = () => [...world.hosts.values()].reduce((s, h) => s + h.groCounts().packetsOut, 0);
for (const t of world.traffic) t.start();
world.loop.run(20e6);
const p0 = wire();
const a0 = core.stats[0];
const g0 = gro();
const dirs0 = world.linkDirections().map((d) => d.packets);
const hostGro = () => [...world.hosts.entries()].map(([n, h]) => [n, h.groCounts()]);
const hg0 = hostGro();
measuring = true;
const c0 = process.cpuUsage();
world.loop.run(20e6 + simMs * 1e6);
const cpu = process.cpuUsage(c0);
measuring = false;
const p = wire() - p0;
const per = (x) => (x / p).toFixed(3);
const cpuNs = ((cpu.user + cpu.system) * 1e3) / p;
console.log(`receiver rx-usecs ${rxUsecs} ns, ${simMs} ms simulated: ${p} wire packets, ${cpuNs.toFixed(0)} ns CPU per wire packet${counting ? " (with counting)" : ""}`);
console.log(`skbs allocated ${per(core.stats[0] - a0)}, GRO skbs up ${per(gro() - g0)} per wire packet`);
const dirs = world.linkDirections().map((d, i) => [`${d.fromName}->${d.toName}`, d.packets - dirs0[i]]);
console.log(`wire packets by direction: ${dirs.map(([k, v]) => `${k} ${v}`).join(", ")}; ACKs per data frame ${(dirs[1][1] / dirs[0][1]).toFixed(3)}`);
for (const [i, [n, g]] of hostGro().entries()) {
  const g0h = hg0[i][1];
  const fin = g.packetsIn - g0h.packetsIn, out = g.packetsOut - g0h.packetsOut;
  console.log(`GRO on ${n}: ${fin} frames in, ${out} skbs up, ${(fin / out).toFixed(2)} frames per skb up`);
}
const table = (title, m) => {
  const rows = [...m].sort((x, y) => y[1] - x[1]);
  const total = rows.reduce((s, r) => s + r[1], 0);
  console.log(`${title}: ${per(total)} per wire packet`);
  for (const [k, v] of rows) if (v / p >= 0.005) console.log(`  ${per(v).padStart(7)}  ${k}`);
};
if (counting) {
  table("events", eventsByKind);
  table("calls into WASM", wasmCalls);
}
if (timing) {
  const total = [...timeByEvent.values()].reduce((x, y) => x + y, 0);
  console.log(`handler time by event (inclusive, ns per wire packet; the rest of the ${cpuNs.toFixed(0)} ns is the loop, the wheel and the timing itself):`);
  for (const [k, v] of [...timeByEvent].sort((x, y) => y[1] - x[1])) {
    if (v / total >= 0.005) console.log(`  ${((v * 1e6) / p).toFixed(0).padStart(6)}  ${(100 * v / total).toFixed(1).padStart(5)} %  ${k}`);
  }
}
