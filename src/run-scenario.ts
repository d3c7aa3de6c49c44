// Node convenience: resolve a scenario (built-in name, file path, or an
// already-validated Scenario), create a core sized for it, run, report.
import { createCore } from "./core/node.js";
import { resolveScenario } from "./scenario/file.js";
import type { Scenario } from "./scenario/types.js";
import { simulate, coreConfigForScenario, type SimulateOptions } from "./sim/simulate.js";
import type { Report } from "./report/build.js";

export async function runScenario(scenario: string | Scenario, opts: SimulateOptions & { seed?: number } = {}): Promise<Report> {
  let s = typeof scenario === "string" ? await resolveScenario(scenario) : scenario;
  if (opts.seed !== undefined) s = { ...s, seed: opts.seed };
  const core = await createCore(coreConfigForScenario(s));
  return simulate(core, s, opts);
}
