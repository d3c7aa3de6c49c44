// CPU time per operation (process.cpuUsage) for the wheel and event-loop
// targets, medians of interleaved rounds in one process. Wall-clock ratios
// swing by 2x on a loaded 2-core box; CPU time per op is steadier. Not a
// *.bench.js (bench/run.js does not pick it up): run it after `npm run build`:
//
//   node bench/cputime.js [rounds]            this tree's dist/
//   BASE=/path/to/other/dist node bench/cputime.js   also that build's wheel
//                                             and loop, for a same-run A/B
//
// Workloads are those of bench/wheel.bench.js (fill+drain of 2^20 timers over
// 2^28 ns in 1024 steps; hold with 2^20 pending) and bench/loop.bench.js
// (no-op hold model, 4096 pending, delays 1..65536 ns).
import FlatQueue from "flatqueue";
import { loadavg } from "node:os";
import { HOLD_OPS, N, RANGE, STEPS, loopDelays, randomTimes } from "./workloads.js";

const LOOP_EVENTS = 200_000;
const LOOP_PENDING = 4096;
let sink = 0;


const times = randomTimes(N, 12345);
const holdStart = randomTimes(N, 999);
const holdDeltas = randomTimes(1 << 16, 4242);
const delays = loopDelays(1 << 16, 7);

/** Cases on one build's dist/ (label prefixes the names). */
async function buildCases(dist, label, all) {
  const { createCore } = await import(`${dist}/core/node.js`);
  const { EventLoop } = await import(`${dist}/sim/loop.js`);
  const cases = {};

  const fd = await createCore({ skbs: 64, ringSlots: 1024, maxRings: 1, wheelEntries: N });
  const raw = fd.raw;
  const cap = fd.wheel.outCapacity;
  const outArg = fd.wheel.outArg;
  let base = 0;
  const drain = (b) => {
    let fired = 0;
    for (let s = 1; s <= STEPS; s++) {
      const now = b + (s * RANGE) / STEPS;
      let n;
      do {
        n = raw.wheel_expire(now, cap);
        for (let k = 0; k < n; k++) sink += outArg[k];
        fired += n;
      } while (n === cap);
    }
    return fired;
  };
  if (all) {
    cases[`${label}fill+drain wasm per-call`] = [N, () => {
      const b = base;
      base += RANGE;
      const sched = raw.wheel_schedule;
      for (let i = 0; i < N; i++) sched(b + times[i], 1, i);
      return drain(b);
    }];
    const w = fd.wheel;
    w.inKind.fill(1);
    const p = [raw.wheel_in_time_ptr(), raw.wheel_in_kind_ptr(), raw.wheel_in_arg_ptr()];
    cases[`${label}fill+drain wasm burst`] = [N, () => {
      const b = base;
      base += RANGE;
      for (let i = 0; i < N; i += cap) {
        const m = Math.min(cap, N - i);
        for (let k = 0; k < m; k++) {
          w.inTime[k] = b + times[i + k];
          w.inArg[k] = i + k;
        }
        raw.wheel_schedule_burst(p[0], p[1], p[2], 0, m);
      }
      return drain(b);
    }];
  }
  cases[`${label}fill+drain wasm in-WASM loop`] = [N, () => {
    const b = base;
    base += RANGE;
    return raw.wheel_bench_fill_drain(N, b, RANGE, STEPS, 777);
  }];

  const hc = await createCore({ skbs: 64, ringSlots: 1024, maxRings: 1, wheelEntries: N });
  for (let i = 0; i < N; i++) hc.raw.wheel_schedule(holdStart[i], 1, i);
  if (all) {
    let j = 0;
    const hx = hc.raw;
    const hArg = hc.wheel.outArg;
    const hCap = hc.wheel.outCapacity;
    cases[`${label}hold wasm per-call`] = [HOLD_OPS, () => {
      let fired = 0;
      while (fired < HOLD_OPS) {
        const now = hx.wheel_next_time();
        const n = hx.wheel_expire(now, hCap);
        for (let k = 0; k < n; k++) hx.wheel_schedule(now + holdDeltas[j++ & 0xffff], 1, hArg[k]);
        fired += n;
      }
      return fired;
    }];
  }
  cases[`${label}hold wasm in-WASM loop`] = [HOLD_OPS, () => hc.raw.wheel_bench_hold(HOLD_OPS, RANGE, 31337)];

  const lc = await createCore({ skbs: 64, ringSlots: 64, wheelEntries: 1 << 16 });
  const loop = new EventLoop(lc.wheel);
  let k = 0;
  const kind = loop.register("noop", (arg) => {
    loop.after(delays[k++ & 0xffff], kind, arg);
  });
  for (let i = 0; i < LOOP_PENDING; i++) loop.at(delays[i], kind, i);
  let end = 0;
  cases[`${label}loop EventLoop + WASM wheel`] = [LOOP_EVENTS, () => {
    const before = loop.events;
    end += (LOOP_EVENTS / LOOP_PENDING) * 32768.5;
    loop.run(end);
    return loop.events - before;
  }];
  return cases;
}

function baselineCases() {
  const cases = {};
  const fq = new FlatQueue(N);
  cases["fill+drain flatqueue"] = [N, () => {
    for (let i = 0; i < N; i++) fq.push(i, times[i]);
    let fired = 0;
    for (let s = 1; s <= STEPS; s++) {
      const now = (s * RANGE) / STEPS;
      while (fq.length > 0 && fq.peekValue() <= now) {
        sink += fq.pop();
        fired++;
      }
    }
    return fired;
  }];
  const hq = new FlatQueue(N);
  for (let i = 0; i < N; i++) hq.push(i, holdStart[i]);
  let hj = 0;
  cases["hold flatqueue"] = [HOLD_OPS, () => {
    for (let i = 0; i < HOLD_OPS; i++) {
      const now = hq.peekValue();
      const id = hq.pop();
      hq.push(id, now + holdDeltas[hj++ & 0xffff]);
    }
    return HOLD_OPS;
  }];
  const lq = new FlatQueue();
  let seq = 0;
  let now = 0;
  let j = 0;
  for (let i = 0; i < LOOP_PENDING; i++) lq.push(i, delays[i]);
  const handlers = [(arg) => {
    lq.push(arg, now + delays[j++ & 0xffff] + (seq++ % (1 << 20)) * 2 ** -24);
  }];
  cases["loop flatqueue loop"] = [LOOP_EVENTS, () => {
    for (let i = 0; i < LOOP_EVENTS; i++) {
      const arg = lq.peek();
      now = lq.peekValue();
      lq.pop();
      handlers[0](arg);
    }
    return LOOP_EVENTS;
  }];
  return cases;
}

const rounds = Number(process.argv[2] ?? 7);
const here = new URL("../dist", import.meta.url).href;
const cases = { ...baselineCases(), ...(await buildCases(here, "", true)) };
if (process.env.BASE) Object.assign(cases, await buildCases(new URL(`file://${process.env.BASE}`).href, "BASE ", false));
const names = Object.keys(cases);
const res = Object.fromEntries(names.map((n) => [n, []]));
const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const load0 = loadavg()[0];
for (let r = -1; r < rounds; r++) {
  // Round -1 warms the JIT up and is not counted.
  for (const n of names) {
    const [ops, fn] = cases[n];
    const t0 = cpu();
    const done = fn();
    const us = cpu() - t0;
    if (done < ops * 0.9) throw new Error(`${n}: ${done} of ${ops}`);
    if (r >= 0) res[n].push((us * 1000) / done);
  }
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const baseOf = (n) => names.find((b) => b.startsWith(n.replace(/^BASE /, "").split(" ")[0]) && /flatqueue/.test(b));
console.log(`CPU ns per op, median of ${rounds} interleaved rounds after a warm-up round; load ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
for (const n of names) {
  const m = med(res[n]);
  const b = baseOf(n);
  const ratio = b && b !== n ? `  ${(med(res[b]) / m).toFixed(2)}x ${b}` : "";
  console.log(`${n.padEnd(36)} ${m.toFixed(1).padStart(7)} ns${ratio}`);
}
if (sink === 0.5) console.error(sink);
