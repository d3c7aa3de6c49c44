// The parent side of bench/*-inlining-report.js: runs a bench's flow twice in child processes with
// --trace-turbo-inlining (compiles made synchronous so each root's trace is contiguous), at V8's default
// cumulative inlining budget and at `budget`, and prints, per compile root, the callees that were candidates
// but not inlined at the default yet inlined at the raised budget: those the budget left out.
import { execFileSync } from "node:child_process";

/** root name -> { inlined: Set, candidates: Map(name -> "size[+inlined size of its own optimised code]") } */
function parseInliningTrace(text) {
  const roots = new Map();
  let cur = null;
  const sfi = /<SharedFunctionInfo ?([^>]*)>/;
  for (const line of text.split("\n")) {
    const c = /^\[compiling method \S+ <JSFunction ?(.*?) \(sfi = /.exec(line);
    if (c) {
      const name = c[1] || "(anonymous)";
      if (!roots.has(name)) roots.set(name, { inlined: new Set(), candidates: new Map() });
      cur = roots.get(name);
      continue;
    }
    if (cur === null) continue;
    const t = /^\s*- target: .*?<SharedFunctionInfo ?([^>]*)>\}, bytecode size: (\d+)(?:, existing opt code's inlined bytecode size: (\d+))?/.exec(line);
    if (t) {
      cur.candidates.set(t[1] || "(anonymous)", t[3] ? `${t[2]}+${t[3]}` : t[2]);
      continue;
    }
    if (line.startsWith("Inlining ") && line.includes(" into ")) {
      const m = sfi.exec(line.slice(0, line.indexOf(" into ")));
      if (m) cur.inlined.add(m[1] || "(anonymous)");
    }
  }
  return roots;
}

/** script: the child's file; env: what makes it run the flow; args: its arguments; filter: root names or null. */
export function printInliningReport({ script, env, args, budget, filter }) {
  const trace = (flags) =>
    execFileSync(process.execPath, ["--trace-opt", "--trace-turbo-inlining", "--no-concurrent-recompilation", ...flags, script, ...args], {
      env: { ...process.env, ...env },
      encoding: "utf8",
      maxBuffer: 1 << 30,
    });
  const def = parseInliningTrace(trace([]));
  const raised = parseInliningTrace(trace([`--max-inlined-bytecode-size-cumulative=${budget}`]));
  for (const [root, r] of def) {
    if (filter !== null && !filter.has(root)) continue;
    const hi = raised.get(root);
    if (hi === undefined) continue;
    const left = [...r.candidates].filter(([n]) => !r.inlined.has(n) && hi.inlined.has(n));
    if (left.length === 0) continue;
    console.log(`${root}: left out by the budget: ${left.map(([n, s]) => `${n} (${s} B)`).join(", ")}`);
  }
}
