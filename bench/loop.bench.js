// Event-loop overhead: a no-op scenario in which P pending timers each
// reschedule themselves when they fire (a "hold" model: constant population,
// delays spread over 1..65536 ns). One op = one event dispatched. The issue's
// target is <= 50 ns per event (>= 20 Mevents/s).
//
// Cases:
//   EventLoop + WASM wheel   src/sim/loop.ts on core.wheel, the simulator's own path
//   flatqueue loop (baseline) the same dispatch over a flatqueue binary heap
//                            with (time, seq) priority
import FlatQueue from "flatqueue";
import { createCore } from "../dist/core/node.js";
import { EventLoop } from "../dist/sim/loop.js";
import { runSuite } from "./harness.js";
import { loopDelays } from "./workloads.js";

const PENDING = 4096;
const EVENTS_PER_CALL = 200_000;


export async function run(report) {
  const core = await createCore({ skbs: 64, ringSlots: 64, wheelEntries: 1 << 16 });
  const loop = new EventLoop(core.wheel);
  const d = loopDelays(1 << 16, 7);
  let k = 0;
  const kind = loop.register("noop", (arg) => {
    loop.after(d[k++ & 0xffff], kind, arg);
  });
  for (let i = 0; i < PENDING; i++) loop.at(d[i], kind, i);
  let end = 0;

  // Baseline: the same hold model on a binary heap.
  const heap = new FlatQueue();
  let seq = 0;
  const SEQ_SCALE = 2 ** -24; // ties broken by insertion order within a time
  let now = 0;
  let j = 0;
  const handlers = [(arg) => {
    const t = now + d[j++ & 0xffff];
    heap.push(arg, t + (seq++ % (1 << 20)) * SEQ_SCALE);
  }];
  for (let i = 0; i < PENDING; i++) heap.push(i, d[i]);

  await runSuite(
    "event loop",
    [
      {
        name: "EventLoop + WASM wheel",
        opsPerCall: EVENTS_PER_CALL,
        fn: () => {
          const before = loop.events;
          // run until EVENTS_PER_CALL more events were dispatched
          end += (EVENTS_PER_CALL / PENDING) * 32768.5;
          loop.run(end);
          if (loop.events - before < EVENTS_PER_CALL * 0.9) throw new Error("too few events");
        },
      },
      {
        name: "flatqueue loop (baseline)",
        opsPerCall: EVENTS_PER_CALL,
        fn: () => {
          for (let i = 0; i < EVENTS_PER_CALL; i++) {
            const arg = heap.peek();
            now = heap.peekValue();
            heap.pop();
            handlers[0](arg);
          }
        },
      },
    ],
    report,
    { unit: "Mevents/s", baseline: "flatqueue loop (baseline)" },
  );
}
