// Live-kernel oracle (Node-only): run a case in network namespaces on this
// machine's kernel and in the model, and compare the integers.
export { KERNEL_CASES, OUTCOME_KEYS, DEFAULT_CASE_SYSCTLS, findKernelCase, outcome } from "./cases.js";
export type { KernelCase, CaseTraffic, CaseSysctls, Outcome, OutcomeKey } from "./cases.js";
export { probeKernelAccess, caseBlocked, type KernelAccess } from "./access.js";
export { runKernelCase, type KernelRun } from "./run-kernel.js";
export { runModelCase, scenarioForCase, outcomeFromReport, type ModelRun } from "./model.js";
export { compareOutcomes, differing, formatComparison, type CompareRow } from "./compare.js";
export { KernelHarnessError } from "./exec.js";
export { deleteAllNamespacesSync } from "./netns.js";
