// What one simulated wire packet of the tcpbulk bench's flow (bench/tcpbulk.bench.js: one bulk
// TCP flow, 10 Gbit / 50 us, MTU 1500, no offloads) costs, as counts rather than time: events by
// kind (run-ahead steps and staging-area dispatches apart), calls into WASM by export and, with
// CALLS=1, JS function calls by function (V8's precise call counts through the inspector, which
// counts inlined calls too). Not a benchmark.js case; run after `npm run build`:
//
//   node bench/tcpbulk-profile.js [simMs=100]        CALLS=1 for the JS call census
import { readFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { Core } from "../dist/core/core.js";
import { instantiateCore } from "../dist/core/loader.js";
import { countingExports } from "./count-calls.js";
import { EventLoop } from "../dist/sim/loop.js";
import { World, coreConfigFor } from "../dist/sim/world.js";
import { spec } from "./tcpbulk.bench.js";

const simMs = Number(process.argv[2] ?? 100);
const jsCalls = process.env.CALLS === "1";
const wasmCalls = new Map();
const eventsByKind = new Map();
let measuring = false;

let session = null;
if (jsCalls) {
  session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: false });
}

const s = spec();
let raw = await instantiateCore(await readFile(new URL("../build/skbsim.wasm", import.meta.url)), coreConfigFor(s));
raw = countingExports(raw, wasmCalls, () => measuring);
const register = EventLoop.prototype.register;
EventLoop.prototype.register = function (name, handler) {
  const kind = name.replace(/^(\S+) /, "");
  return register.call(this, name, (a, b) => {
    if (measuring) eventsByKind.set(kind, (eventsByKind.get(kind) ?? 0) + 1);
    return handler(a, b);
  });
};
const core = new Core(raw, coreConfigFor(s));
const world = new World(core, s);
const wire = () => world.linkDirections().reduce((n, d) => n + d.packets, 0);
for (const t of world.traffic) t.start();
world.loop.run(30e6);
const take = async () => {
  if (!session) return new Map();
  const { result } = await session.post("Profiler.takePreciseCoverage");
  const m = new Map();
  for (const sc of result) {
    if (!sc.url.includes("/dist/")) continue;
    const file = sc.url.replace(/^.*\/dist\//, "");
    for (const f of sc.functions) {
      if (!f.functionName) continue;
      const key = `${f.functionName} (${file})`;
      m.set(key, (m.get(key) ?? 0) + f.ranges[0].count);
    }
  }
  return m;
};
await take(); // resets the counters (precise coverage counts since the last take)
const p0 = wire();
const a0 = core.stats[0];
const e0 = world.loop.events, r0 = world.loop.ranAhead, f0 = world.loop.fromStaging;
const dirs0 = world.linkDirections().map((d) => d.packets);
measuring = true;
world.loop.run(30e6 + simMs * 1e6);
measuring = false;
const calls = await take();
const p = wire() - p0;
const per = (x) => (x / p).toFixed(3);
console.log(`${simMs} ms simulated: ${p} wire packets; skbs allocated ${per(core.stats[0] - a0)} per wire packet`);
const dirs = world.linkDirections().map((d, i) => [`${d.fromName}->${d.toName}`, d.packets - dirs0[i]]);
console.log(`wire packets by direction: ${dirs.map(([k, v]) => `${k} ${v}`).join(", ")}`);
console.log(`loop events ${per(world.loop.events - e0)} per wire packet, of which run-ahead steps ${per(world.loop.ranAhead - r0)}, dispatched from staging ${per(world.loop.fromStaging - f0)}`);
const table = (title, m, min = 0.005) => {
  const rows = [...m].sort((x, y) => y[1] - x[1]);
  const total = rows.reduce((t, r) => t + r[1], 0);
  console.log(`${title}: ${per(total)} per wire packet`);
  for (const [k, v] of rows) if (v / p >= min) console.log(`  ${per(v).padStart(7)}  ${k}`);
};
table("handler dispatches", eventsByKind);
table("calls into WASM", wasmCalls);
if (jsCalls) table("JS function calls (dist/ functions, inlined calls counted)", calls, 0.05);
