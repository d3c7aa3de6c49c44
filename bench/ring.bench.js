// Ring throughput: bursts of B handles enqueued then dequeued through a ring
// of 1024 slots. One op = one handle enqueued and dequeued. Each timed call
// moves HANDLES_PER_CALL handles (HANDLES_PER_CALL / B bursts) so that
// benchmark.js's per-call cost is amortised the same way for every case.
//
// Cases (same work, same suite):
//   wasm raw, 1 call/burst   core.raw.ring_enqueue_burst + ring_dequeue_burst
//                            (one JS->WASM call per burst, handles in scratch)
//   wasm Ring wrapper        Ring.enqueueBurst / dequeueBurst (argument checks)
//   wasm in-WASM loop        ring_bench_cycle: all bursts in one call (bench
//                            entry point; measures the ring without the boundary)
//   ts RefRing               src/core/ref/ring.ts over Uint32Arrays
//   denque push/shift        the baseline: B push() then B shift() of numbers
import Denque from "denque";
import { createCore } from "../dist/core/node.js";
import { RefRing } from "../dist/core/ref/ring.js";
import { runSuite } from "./harness.js";

const RING_SIZE = 1024;
const HANDLES_PER_CALL = 8192;
const BURSTS = [32, 256];

let sink = 0;

export async function run(report) {
  const core = await createCore({ skbs: 1024, ringSlots: 1 << 16, wheelEntries: 1 << 12 });
  const raw = core.raw;
  for (const B of BURSTS) {
    const rounds = HANDLES_PER_CALL / B;
    const ring = core.rings.create(RING_SIZE);
    const id = ring.id;
    const ptr = core.scratchAddr(0);
    for (let i = 0; i < B; i++) core.scratch[i] = i;
    const enq = raw.ring_enqueue_burst;
    const deq = raw.ring_dequeue_burst;
    const cycle = raw.ring_bench_cycle;

    const ref = new RefRing(RING_SIZE);
    const refBuf = new Uint32Array(B);
    for (let i = 0; i < B; i++) refBuf[i] = i;

    const dq = new Denque();
    const src = new Uint32Array(B);
    const dst = new Uint32Array(B);
    for (let i = 0; i < B; i++) src[i] = i;

    const cases = [
      {
        name: "denque push/shift",
        opsPerCall: HANDLES_PER_CALL,
        fn() {
          for (let r = 0; r < rounds; r++) {
            for (let i = 0; i < B; i++) dq.push(src[i]);
            for (let i = 0; i < B; i++) dst[i] = dq.shift();
          }
          sink += dst[B - 1];
        },
      },
      {
        name: "wasm raw, 1 call/burst",
        opsPerCall: HANDLES_PER_CALL,
        fn() {
          let k = 0;
          for (let r = 0; r < rounds; r++) {
            enq(id, ptr, B);
            k += deq(id, ptr, B);
          }
          sink += k;
        },
      },
      {
        name: "wasm Ring wrapper",
        opsPerCall: HANDLES_PER_CALL,
        fn() {
          let k = 0;
          for (let r = 0; r < rounds; r++) {
            ring.enqueueBurst(B);
            k += ring.dequeueBurst(B);
          }
          sink += k;
        },
      },
      {
        name: "wasm in-WASM loop",
        opsPerCall: HANDLES_PER_CALL,
        fn() {
          sink += cycle(id, ptr, B, rounds);
        },
      },
      {
        name: "ts RefRing",
        opsPerCall: HANDLES_PER_CALL,
        fn() {
          let k = 0;
          for (let r = 0; r < rounds; r++) {
            ref.enqueueBurst(refBuf, B);
            k += ref.dequeueBurst(refBuf, B);
          }
          sink += k;
        },
      },
    ];
    // Every case must actually move the handles, in order.
    for (const c of cases) c.fn();
    for (let i = 0; i < B; i++) {
      if (core.scratch[i] !== i || dst[i] !== i || refBuf[i] !== i) throw new Error(`ring bench: burst ${B} lost order at ${i}`);
    }
    if (ring.count !== 0 || ref.count !== 0 || dq.length !== 0) throw new Error(`ring bench: burst ${B} left handles behind`);
    await runSuite(`ring burst ${B} (ring ${RING_SIZE})`, cases, report, { unit: "Mops/s", baseline: "denque push/shift" });
  }
  if (sink === 42) console.error("");
}
