// Prototype harness (session 17, perf-wheel17; not part of the build or the tests):
//   node proto/proto-ab.mjs check            differential check of proto vs the base wheel
//   node proto/proto-ab.mjs time [rounds]    CPU-time A/B, in-WASM fill+drain and hold
// PROTO=/tmp/pw17/proto.wasm (default), BASE=/work/wt/base17/dist (default).
import { readFileSync } from "node:fs";

const BASE = process.env.BASE ?? "/work/wt/base17/dist";
const PROTO = process.env.PROTO ?? "/tmp/pw17/proto.wasm";
const { createCore } = await import(`${BASE}/core/node.js`);

async function proto(entries) {
  const memory = new WebAssembly.Memory({ initial: 3200 });
  const { instance } = await WebAssembly.instantiate(readFileSync(PROTO), {
    env: { memory, abort: () => { throw new Error("abort"); } },
  });
  const x = instance.exports;
  x.p_init(entries);
  const buf = memory.buffer;
  return {
    x,
    outTime: new Float64Array(buf, x.outTime.value, 4096),
    outKind: new Uint32Array(buf, x.outKind.value, 4096),
    outArg: new Uint32Array(buf, x.outArg.value, 4096),
  };
}

const mode = process.argv[2] ?? "time";
if (mode === "check") {
  // Random programs: ties, fractions, far times, cancels, interleaved expires.
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let trial = 0; trial < 40; trial++) {
    const N = 1 << (8 + (trial % 8));
    const core = await createCore({ skbs: 64, ringSlots: 1024, maxRings: 1, wheelEntries: N });
    const raw = core.raw;
    const w = core.wheel;
    const P = await proto(N);
    let now = Math.floor(rnd() * 2 ** 30);
    const idsB = [], idsP = [];
    let fired = 0;
    for (let step = 0; step < 20000; step++) {
      const r = rnd();
      if (r < 0.6 && w.pending < N - 1) {
        const scale = [1, 2 ** 12, 2 ** 20, 2 ** 28, 2 ** 33][Math.floor(rnd() * 5)];
        let t = now + Math.floor(rnd() * scale) - (rnd() < 0.05 ? Math.floor(rnd() * 2 ** 16) : 0);
        if (t < 0) t = 0;
        if (rnd() < 0.2) t += rnd();
        if (rnd() < 0.3) t = Math.floor(t / 4096) * 4096;
        const kind = (rnd() * 2 ** 32) >>> 0, arg = step;
        const a = raw.wheel_schedule(t, kind, arg), b = P.x.p_schedule(t, kind, arg);
        if ((a === 0xffffffff) !== (b === 0xffffffff)) throw new Error(`schedule result differs at ${step}`);
        idsB.push(a);
        idsP.push(b);
      } else if (r < 0.65 && idsB.length > 0) {
        const j = Math.floor(rnd() * idsB.length);
        const a = raw.wheel_cancel(idsB[j]), b = P.x.p_cancel(idsP[j]);
        if (!!a !== !!b) throw new Error(`cancel differs at ${step}: ${a} ${b}`);
      } else {
        now += Math.floor(rnd() * [4096, 2 ** 20, 2 ** 26][Math.floor(rnd() * 3)]);
        const max = 1 + Math.floor(rnd() * 300);
        const a = raw.wheel_expire(now, max), b = P.x.p_expire(now, max);
        if (a !== b) throw new Error(`trial ${trial} step ${step}: expire count ${a} vs ${b}`);
        for (let k = 0; k < a; k++) {
          if (w.outTime[k] !== P.outTime[k] || w.outArg[k] !== P.outArg[k] || w.outKind[k] !== P.outKind[k])
            throw new Error(`trial ${trial} step ${step}: entry ${k} differs`);
        }
        fired += a;
        if (rnd() < 0.1) {
          const ta = raw.wheel_next_time(), tb = P.x.p_next_time();
          if (ta !== tb) throw new Error(`next_time differs ${ta} ${tb}`);
        }
      }
    }
    if (w.pending !== P.x.p_pending()) throw new Error("pending differs");
    process.stdout.write(`trial ${trial} N=${N} ok (${fired} fired)\n`);
  }
} else {
  const rounds = Number(process.argv[3] ?? 10);
  const N = 1 << 20, RANGE = 2 ** 28, STEPS = 1024, HOLD = 1 << 16;
  const core = await createCore({ skbs: 64, ringSlots: 1024, maxRings: 1, wheelEntries: N });
  const raw = core.raw;
  const P = await proto(N);
  const coreH = await createCore({ skbs: 64, ringSlots: 1024, maxRings: 1, wheelEntries: N });
  const PH = await proto(N);
  // hold: the same 1M start times on both
  let s = 999;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < N; i++) {
    const t = Math.floor(rnd() * RANGE);
    coreH.raw.wheel_schedule(t, 1, i);
    PH.x.p_schedule(t, 1, i);
  }
  const unaligned = process.env.UNALIGNED === "1";
  let bB = unaligned ? 1e9 * 0.37 : 0, bP = bB;
  const cpu = () => { const c = process.cpuUsage(); return c.user + c.system; };
  const cases = {
    "fill+drain in-WASM": {
      base: () => { const b = bB; bB += RANGE; return raw.wheel_bench_fill_drain(N, b, RANGE, STEPS, 777); },
      proto: () => { const b = bP; bP += RANGE; return P.x.p_bench_fill_drain(N, b, RANGE, STEPS, 777); },
    },
    "hold in-WASM": {
      base: () => coreH.raw.wheel_bench_hold(HOLD, RANGE, 31337),
      proto: () => PH.x.p_bench_hold(HOLD, RANGE, 31337),
    },
  };
  const time = (f) => { const t0 = cpu(); const ops = f(); return ((cpu() - t0) * 1000) / ops; };
  for (const c of Object.values(cases)) for (let i = 0; i < 2; i++) { time(c.base); time(c.proto); }
  const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  for (const [name, c] of Object.entries(cases)) {
    const rb = [], rp = [], ratio = [];
    for (let r = 0; r < rounds; r++) {
      let tb, tp;
      if (r % 2) { tb = time(c.base); tp = time(c.proto); } else { tp = time(c.proto); tb = time(c.base); }
      rb.push(tb); rp.push(tp); ratio.push(tb / tp);
    }
    console.log(`${name.padEnd(22)} base ${med(rb).toFixed(1)} proto ${med(rp).toFixed(1)} ns/op  base/proto ${med(ratio).toFixed(3)}x [${Math.min(...ratio).toFixed(2)}, ${Math.max(...ratio).toFixed(2)}]`);
  }
}
