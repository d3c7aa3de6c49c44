// Node-only: scenarios from files. Kept apart from load.ts so that everything
// else in src/scenario works in browsers.

import { readFileBounded } from "../util/read-bounded.js";
import { findBuiltinScenario, builtinScenarioNames, loadBuiltinScenario } from "./builtin.js";
import { ScenarioError } from "./errors.js";
import { loadScenarioText, MAX_SCENARIO_TEXT } from "./load.js";
import type { Scenario } from "./types.js";

/** Read and check a YAML or JSON scenario file; throws ScenarioError (also for a file that cannot be read). */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    // read at most one byte past the limit: /dev/zero or an endless pipe is refused, not read to the end
    const r = await readFileBounded(path, MAX_SCENARIO_TEXT);
    if (r.tooLarge) {
      throw new ScenarioError("", `more than ${MAX_SCENARIO_TEXT} bytes`, `a scenario file of at most ${MAX_SCENARIO_TEXT} bytes`, { source: path });
    }
    text = r.bytes.toString("utf8");
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError("", path, `a readable scenario file: ${readProblem(e, true)}`, { source: path });
  }
  return loadScenarioText(text, path);
}

/** An fs error in a few words: "no such file", with its code "no such file (ENOENT)". */
export function readProblem(e: unknown, withCode = false): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { ENOENT: "no such file", EISDIR: "is a directory", EACCES: "permission denied", ENOTDIR: "a path component is not a directory" };
  const w = code !== undefined ? words[code] : undefined;
  if (w !== undefined) return withCode ? `${w} (${code})` : w;
  const msg = e instanceof Error ? e.message : String(e);
  return code !== undefined && !msg.startsWith(code) ? `${code}: ${msg}` : msg;
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
