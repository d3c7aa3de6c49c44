// Output of `skbsim rss`: an aligned table (one row per flow) and a
// per-queue spread, or one JSON object per line.
import type { FlowResult } from "./rss-compute.js";

export function hex32(h: number): string {
  return `0x${(h >>> 0).toString(16).padStart(8, "0")}`;
}

export function jsonLines(results: readonly FlowResult[]): string {
  let s = "";
  for (const r of results) {
    s += JSON.stringify({ flow: r.flow.text, hash: hex32(r.hash), index: r.index, queue: r.queue }) + "\n";
  }
  return s;
}

export function flowTable(results: readonly FlowResult[]): string {
  const w = Math.max(4, ...results.map((r) => r.flow.text.length));
  const wi = Math.max(5, ...results.map((r) => String(r.index).length));
  const wq = Math.max(5, ...results.map((r) => String(r.queue).length));
  const row = (f: string, h: string, i: string, q: string): string => `${f.padEnd(w)}  ${h.padEnd(10)}  ${i.padStart(wi)}  ${q.padStart(wq)}\n`;
  let s = row("FLOW", "HASH", "INDEX", "QUEUE");
  for (const r of results) s += row(r.flow.text, hex32(r.hash), String(r.index), String(r.queue));
  return s;
}

const BAR = 40;

/** Flows per queue over every queue the RETA can steer to (a queue absent
 *  from the table cannot receive, so it is not listed). */
export function queueSpread(results: readonly FlowResult[], reta: ArrayLike<number>): string {
  const counts = new Map<number, number>();
  for (let i = 0; i < reta.length; i++) counts.set(reta[i]!, 0);
  for (const r of results) counts.set(r.queue, (counts.get(r.queue) ?? 0) + 1);
  const queues = [...counts.keys()].sort((a, b) => a - b);
  const max = Math.max(1, ...counts.values());
  const wq = Math.max(5, ...queues.map((q) => String(q).length));
  const wf = Math.max(5, ...[...counts.values()].map((c) => String(c).length));
  let s = `${"QUEUE".padStart(wq)}  ${"FLOWS".padStart(wf)}  ${"SHARE".padStart(6)}\n`;
  for (const q of queues) {
    const c = counts.get(q)!;
    const pct = `${((100 * c) / results.length).toFixed(1)}%`;
    s += `${String(q).padStart(wq)}  ${String(c).padStart(wf)}  ${pct.padStart(6)}  ${"#".repeat(Math.round((BAR * c) / max))}`.trimEnd() + "\n";
  }
  return s;
}
