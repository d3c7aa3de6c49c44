// A digest of every frame pushed onto a world's wire FIFOs (pushTrain, pushRun, pushOne), for tests that
// compare a fast path with the general one it must equal: same frames, same bytes, same times.
import type { Core } from "../../src/core/core.js";
import type { World } from "../../src/sim/world.js";

/** What one push onto a wire FIFO leaves: each frame's handle and first bytes, then the push's end. */
function digestOf(core: Core, d: { v: number }, hs: ArrayLike<number>, k: number, end: number): void {
  const b = core.headers;
  for (let j = 0; j < k; j++) {
    const h = hs[j]!;
    d.v = (Math.imul(d.v, 31) + h) | 0;
    const n = Math.min(core.skb.len[h]!, 128);
    for (let i = h * 128; i < h * 128 + n; i++) d.v = (Math.imul(d.v, 31) + b[i]!) | 0;
  }
  d.v = (Math.imul(d.v, 31) + Math.round(end * 1000)) | 0;
}

type Fifo = {
  times: Float64Array;
  pushTrain(buf: Uint32Array, k: number, ...r: unknown[]): void;
  pushRun(buf: Uint32Array, k: number, ...r: unknown[]): number;
  pushOne(h: number, ...r: unknown[]): void;
};

/** Wrap every wire FIFO of `w` (before it runs); the returned function describes what was pushed so far. */
export function watchWire(core: Core, w: World): () => string {
  const d = { v: 0 };
  let pushes = 0;
  for (const dir of (w as unknown as { directions: object[] }).directions) {
    const f = (dir as unknown as { fifo: Fifo }).fifo;
    const tm = f.times;
    const train = f.pushTrain.bind(f);
    const runP = f.pushRun.bind(f);
    const one = f.pushOne.bind(f);
    f.pushTrain = (buf, k, ...r) => {
      train(buf, k, ...r);
      pushes++;
      digestOf(core, d, buf, k, tm[0]!);
    };
    f.pushRun = (buf, k, ...r) => {
      const m = runP(buf, k, ...r);
      pushes++;
      digestOf(core, d, buf, m, tm[0]!);
      return m;
    };
    f.pushOne = (h, ...r) => {
      one(h, ...r);
      pushes++;
      digestOf(core, d, [h], 1, tm[0]!);
    };
  }
  return () => `${pushes} pushes, digest ${d.v}`;
}
