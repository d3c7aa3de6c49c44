// Instruction count (session 17): valgrind --tool=callgrind --smc-check=all node --no-liftoff proto/proto-count.mjs base|proto REPS
// x86 instructions per timer = (Collected(REPS=5) - Collected(REPS=1)) / (4 x 2^18). In-WASM fill+drain of
// 2^18 timers over 2^26 ns (the bench's density), base 2^28-aligned. PROTO=/tmp/pw17/proto.wasm, BASE=<dist>.
import { readFileSync } from "node:fs";
const which = process.argv[2], reps = Number(process.argv[3]);
const N = 1 << 18, RANGE = 2 ** 26, STEPS = 256;
let run;
if (which === "base") {
  const { createCore } = await import(`${process.env.BASE ?? "/work/wt/base17/dist"}/core/node.js`);
  const core = await createCore({ skbs: 64, ringSlots: 1024, maxRings: 1, wheelEntries: N });
  let b = 0; run = () => { const r = core.raw.wheel_bench_fill_drain(N, b, RANGE, STEPS, 777); b += 2 ** 28; return r; };
} else {
  const memory = new WebAssembly.Memory({ initial: 1200 });
  const { instance } = await WebAssembly.instantiate(readFileSync(process.env.PROTO ?? "/tmp/pw17/proto.wasm"), { env: { memory, abort() { throw 0; } } });
  const x = instance.exports; x.p_init(N);
  let b = 0; run = () => { const r = x.p_bench_fill_drain(N, b, RANGE, STEPS, 777); b += 2 ** 28; return r; };
}
run(); run();
for (let i = 0; i < reps; i++) if (run() !== N) throw new Error("count");
