// One build's side of bench/loop-ab.js: the no-op event loop of bench/cases.js
// loopCases (PENDING timers, each event reschedules itself 1..65536 ns later)
// on that build's EventLoop, run in slices of about `sliceEvents` events.
// loop-ab.js imports this module once per build (with a query string), so
// that each build's handler and slice closures have their own type feedback:
// made from one function literal, both builds' `loop.after(...)` and
// `loop.run(...)` call sites saw two EventLoop classes, and the build
// against itself read 0.87x at load 9.
import { loopDelays } from "./workloads.js";

const PENDING = 4096;

/** A function that runs one slice and returns the events it dispatched. */
export async function loopSide(dist, sliceEvents) {
  const { createCore } = await import(`${dist}/core/node.js`);
  const { EventLoop } = await import(`${dist}/sim/loop.js`);
  const core = await createCore({ skbs: 64, ringSlots: 64, wheelEntries: 1 << 16 });
  const loop = new EventLoop(core.wheel);
  const d = loopDelays(1 << 16, 7);
  let k = 0;
  const kind = loop.register("noop", (arg) => {
    loop.after(d[k++ & 0xffff], kind, arg);
  });
  for (let i = 0; i < PENDING; i++) loop.at(d[i], kind, i);
  let end = 0;
  return () => {
    const before = loop.events;
    end += (sliceEvents / PENDING) * 32768.5;
    loop.run(end);
    return loop.events - before;
  };
}
