// Node-only: scenarios from files. Kept apart from load.ts so that everything
// else in src/scenario works in browsers.

import { readFile } from "node:fs/promises";
import { findBuiltinScenario, builtinScenarioNames, loadBuiltinScenario } from "./builtin.js";
import { ScenarioError } from "./errors.js";
import { loadScenarioText, MAX_SCENARIO_TEXT } from "./load.js";
import type { Scenario } from "./types.js";

/** Read and check a YAML or JSON scenario file; throws ScenarioError (also for a file that cannot be read). */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_SCENARIO_TEXT) {
      throw new ScenarioError("", `${buf.length} bytes`, `a scenario file of at most ${MAX_SCENARIO_TEXT} bytes`, { source: path });
    }
    text = buf.toString("utf8");
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    throw new ScenarioError("", path, `a readable scenario file (${code}: ${(e as Error).message})`, { source: path });
  }
  return loadScenarioText(text, path);
}

/**
 * A built-in scenario by name if there is one, else a file path.
 * Unknown names that are not readable files list the built-in names.
 */
export async function resolveScenario(nameOrPath: string): Promise<Scenario> {
  if (findBuiltinScenario(nameOrPath)) return loadBuiltinScenario(nameOrPath);
  const looksLikePath = /[\\/.]/.test(nameOrPath);
  try {
    return await loadScenarioFile(nameOrPath);
  } catch (e) {
    if (!looksLikePath && e instanceof ScenarioError && e.path === "" && e.value === nameOrPath) {
      throw new ScenarioError("", nameOrPath, `a built-in scenario (${builtinScenarioNames().join(", ")}) or a .yaml/.json file path`);
    }
    throw e;
  }
}
