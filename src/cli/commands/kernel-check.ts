// skbsim kernel-check: run the kernel cases (issue 4 part 8) on this
// machine's kernel, in two network namespaces per case, and in the model,
// and print the integers side by side. Needs root and `ip netns`.
import { release } from "node:os";
import { caseBlocked, compareOutcomes, deleteAllNamespacesSync, differing, formatComparison, KERNEL_CASES, probeKernelAccess, runKernelCase, runModelCase } from "../../kernel/index.js";
import type { CompareRow, KernelCase } from "../../kernel/index.js";
import { formatOptions, parseArgs, type OptionSpec } from "../args.js";
import type { CliIo, Command } from "../command.js";
import { CliError, UsageError } from "../errors.js";

const OPTIONS: readonly OptionSpec[] = [
  { name: "case", value: "NAME", help: "run only these cases (comma-separated names; see --list)" },
  { name: "list", help: "list the cases and exit" },
  { name: "json", help: "print the results as JSON instead of tables" },
  { name: "help", short: "h", help: "show this help" },
];

const HELP = `Usage: skbsim kernel-check [--case NAME[,NAME...]] [--list] [--json]

Run each case (a listener that never accepts, with clients connecting or
spoofed SYNs arriving) on this machine's Linux kernel and in the model, and
print model vs kernel per integer: ss -lnt Recv-Q/Send-Q, SYN_RECV and
ESTABLISHED sockets, and the server's nstat counters (ListenOverflows,
ListenDrops, TCPReqQFullDrop, TCPReqQFullDoCookies, SyncookiesSent, ...).

Each case creates two network namespaces joined by a veth pair
(10.200.0.1 server, 10.200.0.2 client) and deletes them afterwards; no
traffic leaves them. Needs root, iproute2 (ip, ss, nstat), python3, and
hping3 for the SYN-flood cases. A case takes 0.5-1.5 s.

Exit status: 0 every case matches, 1 some differ (or could not run), 2 bad arguments.

Options:
${formatOptions(OPTIONS)}
`;

export const kernelCheckCommand: Command = {
  name: "kernel-check",
  summary: "compare the model with the live kernel (root, network namespaces)",
  help: () => HELP,
  run,
};

interface CaseResult {
  case: string;
  summary: string;
  status: "match" | "differ" | "skipped" | "error";
  /** Why skipped, or the error. */
  reason?: string;
  /** Flood cases: SYNs that reached the kernel's TCP. */
  synsDelivered?: number;
  /** Flood cases: SYNs hping3 sent, those the kernel's IP dropped as martian sources, and the SYNs the model sent. */
  synsSent?: number;
  martians?: number;
  modelSynsSent?: number;
  rows?: CompareRow[];
  differing?: string[];
}

function selectCases(spec: string | undefined): KernelCase[] {
  if (spec === undefined) return [...KERNEL_CASES];
  const names = spec.split(",").map((s) => s.trim());
  return names.map((n) => {
    const c = KERNEL_CASES.find((k) => k.name === n);
    if (!c) throw new UsageError("--case", `no case ${JSON.stringify(n)}`, KERNEL_CASES.map((k) => k.name).join(", "));
    return c;
  });
}

async function runCase(c: KernelCase): Promise<CaseResult> {
  const base = { case: c.name, summary: c.summary };
  let kernel;
  try {
    kernel = await runKernelCase(c);
  } catch (e) {
    return { ...base, status: "error", reason: `kernel: ${(e as Error).message}` };
  }
  let model;
  try {
    model = await runModelCase(c, kernel.synsDelivered);
  } catch (e) {
    return { ...base, status: "error", reason: `model: ${(e as Error).message}`, synsDelivered: kernel.synsDelivered };
  }
  const rows = compareOutcomes(model.outcome, kernel.outcome);
  const diff = differing(rows);
  const syns = c.traffic.kind === "syn-flood" ? { synsSent: kernel.synsSent, martians: kernel.martians, modelSynsSent: model.synsSent } : {};
  return { ...base, status: diff.length === 0 ? "match" : "differ", synsDelivered: kernel.synsDelivered, ...syns, rows, differing: diff };
}

function renderCase(r: CaseResult): string {
  let s = `${r.case}: ${r.summary}\n`;
  if (r.synsDelivered !== undefined && r.modelSynsSent !== undefined && r.rows) {
    s += `  (hping3 sent ${r.synsSent} SYNs: ${r.synsDelivered} reached the kernel's TCP, ${r.martians} had martian sources;\n`;
    s += `   the model sent ${r.modelSynsSent} for the same ${r.synsDelivered} at its TCP)\n`;
  }
  if (r.rows) s += formatComparison(r.rows);
  if (r.status === "match") s += "  => match\n";
  else if (r.status === "differ") s += `  => DIFFER: ${r.differing!.join(", ")}\n`;
  else s += `  => ${r.status}: ${r.reason}\n`;
  return s;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS, { command: "skbsim kernel-check" });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return 0;
  }
  const cases = selectCases(args.values.get("case"));
  if (args.flags.has("list")) {
    const w = Math.max(...KERNEL_CASES.map((c) => c.name.length));
    for (const c of KERNEL_CASES) io.stdout(`${c.name.padEnd(w)}  ${c.summary}\n`);
    return 0;
  }
  const json = args.flags.has("json");

  const access = await probeKernelAccess();
  if (access.blocked !== null) throw new CliError(`kernel-check cannot run here: ${access.blocked} (it needs root and ip netns to create network namespaces)`);
  if (args.values.has("case")) {
    const blocked = cases.map((c) => [c.name, caseBlocked(c, access)] as const).find(([, b]) => b !== null);
    if (blocked) throw new CliError(`kernel-check cannot run case ${blocked[0]} here: ${blocked[1]}`);
  }

  // Ctrl-C mid-case: delete the namespaces before leaving.
  const onSignal = (): void => {
    deleteAllNamespacesSync();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const results: CaseResult[] = [];
  try {
    if (!json) io.stdout(`kernel-check: ${cases.length} case${cases.length === 1 ? "" : "s"}, model vs live kernel (Linux ${release()})\n\n`);
    for (const c of cases) {
      const blocked = caseBlocked(c, access);
      const r: CaseResult = blocked !== null ? { case: c.name, summary: c.summary, status: "skipped", reason: blocked } : await runCase(c);
      results.push(r);
      if (!json) io.stdout(renderCase(r) + "\n");
    }
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  const matched = results.filter((r) => r.status === "match").length;
  if (json) io.stdout(JSON.stringify({ kernel: release(), cases: results }, null, 2) + "\n");
  else io.stdout(`${matched} of ${results.length} cases match\n`);
  return matched === results.length ? 0 : 1;
}
