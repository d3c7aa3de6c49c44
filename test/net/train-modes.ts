// Shared by the train-mode tests: a scenario run with the link in train mode and
// in per-frame mode (forced by a capture tap that records nothing).
import { createCore } from "../../src/core/node.js";
import { simulate, coreConfigForScenario } from "../../src/sim/simulate.js";
import type { Scenario } from "../../src/scenario/types.js";

/** The report without `events` (the simulator's own event count, which train mode lowers). */
function modelJson(r: ReturnType<typeof simulate>): { json: string; events: number } {
  const { events, ...rest } = r;
  return { json: JSON.stringify(rest), events };
}

export async function trainAndPerFrame(s: Scenario) {
  const core1 = await createCore(coreConfigForScenario(s));
  const train = modelJson(simulate(core1, s));
  const core2 = await createCore(coreConfigForScenario(s));
  const perFrame = modelJson(simulate(core2, s, { tap: () => () => {} }));
  return { train, perFrame };
}
