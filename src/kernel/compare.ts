// Model vs kernel, integer by integer, and the table kernel-check prints.
import { OUTCOME_KEYS, type Outcome, type OutcomeKey } from "./cases.js";

export interface CompareRow {
  key: OutcomeKey;
  model: number;
  kernel: number;
  same: boolean;
}

export function compareOutcomes(model: Outcome, kernel: Outcome): CompareRow[] {
  return OUTCOME_KEYS.map((key) => ({ key, model: model[key], kernel: kernel[key], same: model[key] === kernel[key] }));
}

export function differing(rows: readonly CompareRow[]): OutcomeKey[] {
  return rows.filter((r) => !r.same).map((r) => r.key);
}

/** A fixed-width table: counter, model, kernel, and "DIFFERS" where they do. */
export function formatComparison(rows: readonly CompareRow[]): string {
  const w = Math.max(7, ...rows.map((r) => r.key.length));
  const lines = [`  ${"counter".padEnd(w)}  ${"model".padStart(8)}  ${"kernel".padStart(8)}`];
  for (const r of rows) {
    lines.push(`  ${r.key.padEnd(w)}  ${String(r.model).padStart(8)}  ${String(r.kernel).padStart(8)}${r.same ? "" : "  DIFFERS"}`);
  }
  return lines.join("\n") + "\n";
}
