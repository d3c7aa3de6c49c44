// Event-loop overhead: a no-op scenario in which P pending timers each
// reschedule themselves when they fire (a "hold" model: constant population,
// delays spread over 1..65536 ns). One op = one event dispatched. The issue's
// target is <= 50 ns per event (>= 20 Mevents/s).
//
// Cases:
//   EventLoop + WASM wheel   src/sim/loop.ts on core.wheel, the simulator's own path
//   flatqueue loop (baseline) the same dispatch over a flatqueue binary heap
//                            with (time, seq) priority
//
// The case bodies are in bench/cases.js (bench/cputime.js times the same ones).
import { createCore } from "../dist/core/node.js";
import { EventLoop } from "../dist/sim/loop.js";
import { runSuite } from "./harness.js";
import { loopCases, useSink } from "./cases.js";

export async function run(report) {
  await runSuite("event loop", await loopCases(createCore, EventLoop), report, {
    unit: "Mevents/s",
    baseline: "flatqueue loop (baseline)",
  });
  useSink();
}
