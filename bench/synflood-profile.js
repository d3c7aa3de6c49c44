// What one spoofed SYN costs on bench/synflood.bench.js's mlx5 case, as
// counts: events by kind, calls into WASM by export, skbs allocated, and CPU
// time per SYN (process.cpuUsage). Not a benchmark.js case; run after
// `npm run build`:
//
//   node bench/synflood-profile.js [defaults|mlx5] [simMs=100]
//
// COUNT=0 times the run alone (the counting wraps every export and handler).
import { readFile } from "node:fs/promises";
import { Core } from "../dist/core/core.js";
import { instantiateCore } from "../dist/core/loader.js";
import { countingExports } from "./count-calls.js";
import { EventLoop } from "../dist/sim/loop.js";
import { World, coreConfigFor } from "../dist/sim/world.js";
import { spec, MLX5_COALESCE } from "./synflood.bench.js";

const mode = process.argv[2] ?? "mlx5";
const simMs = Number(process.argv[3] ?? 100);
const counting = process.env.COUNT !== "0";

const wasmCalls = new Map();
const eventsByKind = new Map();
let measuring = false;

const s = spec(2, mode === "mlx5" ? MLX5_COALESCE : {});
let raw = await instantiateCore(await readFile(new URL("../build/skbsim.wasm", import.meta.url)), coreConfigFor(s));
if (counting) {
  raw = countingExports(raw, wasmCalls, () => measuring);
  const register = EventLoop.prototype.register;
  EventLoop.prototype.register = function (name, handler) {
    return register.call(this, name, (a) => {
      if (measuring) eventsByKind.set(name, (eventsByKind.get(name) ?? 0) + 1);
      return handler(a);
    });
  };
}

const core = new Core(raw, coreConfigFor(s));
const world = new World(core, s);
for (const t of world.traffic) t.start();
world.loop.run(20e6);
const syns = () => world.traffic[0].stats.packets;
const n0 = syns();
const a0 = core.stats[0];
console.log("=== measuring");
measuring = true;
const c0 = process.cpuUsage();
world.loop.run(20e6 + simMs * 1e6);
const cpu = process.cpuUsage(c0);
measuring = false;
const n = syns() - n0;
const per = (x) => (x / n).toFixed(3);
console.log(`${mode}, ${simMs} ms simulated: ${n} SYNs, ${(((cpu.user + cpu.system) * 1e3) / n).toFixed(0)} ns CPU per SYN${counting ? " (with counting)" : ""}`);
console.log(`skbs allocated ${per(core.stats[0] - a0)} per SYN`);
const table = (title, m) => {
  const rows = [...m].sort((x, y) => y[1] - x[1]);
  const total = rows.reduce((s, r) => s + r[1], 0);
  console.log(`${title}: ${per(total)} per SYN`);
  for (const [k, v] of rows) if (v / n >= 0.005) console.log(`  ${per(v).padStart(7)}  ${k}`);
};
if (counting) {
  table("events", eventsByKind);
  table("calls into WASM", wasmCalls);
}
