// Scenario files: units, schema, validation, built-in registry. Browser-safe;
// loadScenarioFile/resolveScenario (Node) are in ./file.js.

export { ScenarioError, formatIssue, formatValue, joinPath, type ScenarioIssue } from "./errors.js";
export {
  parseDuration,
  parseRate,
  parseSize,
  parseEventRate,
  DURATION_FORMS,
  RATE_FORMS,
  SIZE_FORMS,
  EVENT_RATE_FORMS,
  type Bounds,
} from "./units.js";
export {
  SYSCTLS,
  SYSCTL_NAMES,
  defaultSysctls,
  describeSysctl,
  isSysctlName,
  parseSysctl,
  closeSysctlNames,
  type SysctlDef,
  type IntSysctlDef,
  type TripleSysctlDef,
  type EnumSysctlDef,
} from "./sysctl.js";
export type * from "./types.js";
export { scenarioSchema, TRAFFIC_KINDS, type ParsedScenario } from "./schema.js";
export { validateScenario } from "./validate.js";
export { checkScenarioObject } from "./check-object.js";
export { loadScenarioText, parseScenarioDocument, MAX_SCENARIO_TEXT } from "./load.js";
export {
  BUILTIN_SCENARIOS,
  DEFAULT_SCENARIO,
  builtinScenarioNames,
  findBuiltinScenario,
  loadBuiltinScenario,
  type BuiltinScenarioText,
} from "./builtin.js";
