// skbsim run: simulate a scenario (a built-in name or a YAML/JSON file) and
// print the report; --json and --pcap write the machine-readable forms.
import { closeSync, openSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import { createCore } from "../../core/node.js";
import { readProblem, resolveScenario } from "../../scenario/file.js";
import { ScenarioError } from "../../scenario/errors.js";
import { simulate, coreConfigForScenario } from "../../sim/simulate.js";
import { renderText } from "../../report/text.js";
import { PcapFileWriter } from "../../wire/pcap-node.js";
import { formatOptions, parseArgs, type OptionSpec } from "../args.js";
import type { CliIo, Command } from "../command.js";
import { CliError, UsageError } from "../errors.js";
import { ProgressBar } from "../progress.js";

const OPTIONS: readonly OptionSpec[] = [
  { name: "seed", value: "N", help: "override the scenario's seed (integer 0..4294967295)" },
  { name: "json", value: "FILE", help: "write the report as JSON to FILE (- for standard output, replacing the text)" },
  { name: "pcap", value: "FILE", help: "write every frame that crosses a link to FILE (libpcap, headers only; a file path, not -)" },
  { name: "quiet", short: "q", help: "no progress bar and no text report" },
  { name: "help", short: "h", help: "show this help" },
];

const HELP = `Usage: skbsim run SCENARIO [options]

Simulate SCENARIO, a built-in scenario name (see skbsim scenarios) or a YAML or
JSON scenario file, and print the report: per host the nstat counters, ss -lnt
listeners, RX/TX queue and softnet_stat tables, then the packet ledger.

Options:
${formatOptions(OPTIONS)}

Examples:
  skbsim run default
  skbsim run my-scenario.yaml --seed 7 --json report.json --pcap run.pcap
`;

export const runCommand: Command = {
  name: "run",
  summary: "simulate a scenario (built-in name or file) and print the report",
  help: () => HELP,
  run,
};

function parseSeed(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) {
    throw new UsageError("--seed", `${JSON.stringify(text)} is not a valid seed`, "an integer 0..4294967295");
  }
  return Number(text);
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS, { command: "skbsim run", positionals: "SCENARIO" });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return 0;
  }
  if (args.positionals.length !== 1) {
    throw new UsageError("SCENARIO", args.positionals.length === 0 ? "missing" : "more than one given", "one built-in name or scenario file; see skbsim scenarios");
  }
  const quiet = args.flags.has("quiet");
  const jsonPath = args.values.get("json");
  const pcapPath = args.values.get("pcap");
  const seedText = args.values.get("seed");

  if (pcapPath === "-") throw new UsageError("--pcap", "standard output is not supported", "a file path; then e.g. tshark -r FILE");
  if (jsonPath !== undefined && pcapPath !== undefined && jsonPath !== "-" && resolve(jsonPath) === resolve(pcapPath)) {
    throw new UsageError("--pcap", `${JSON.stringify(pcapPath)} is also the --json file`, "a path other than --json's");
  }
  const seed = seedText !== undefined ? parseSeed(seedText) : undefined;

  let scenario;
  try {
    scenario = await resolveScenario(args.positionals[0]!);
  } catch (e) {
    // the ScenarioError's message names its source (the file) and the field already
    if (e instanceof ScenarioError) throw new UsageError("", e.message, "");
    throw e;
  }
  if (seed !== undefined) scenario = { ...scenario, seed };

  const core = await createCore(coreConfigForScenario(scenario));
  // both output files are opened before the run: a path that cannot be written is a bad argument (exit 2)
  // found now, not after a long simulation
  const cannotOpen = (opt: string, path: string, e: unknown) =>
    new UsageError(opt, `cannot write ${JSON.stringify(path)}: ${readProblem(e)}`, opt === "--json" ? "a writable file path, or - for standard output" : "a writable file path");
  let jsonFd = -1;
  if (jsonPath !== undefined && jsonPath !== "-") {
    try {
      jsonFd = openSync(jsonPath, "w");
    } catch (e) {
      throw cannotOpen("--json", jsonPath, e);
    }
  }
  let pcap: PcapFileWriter | null = null;
  if (pcapPath !== undefined) {
    try {
      pcap = new PcapFileWriter(pcapPath, {});
    } catch (e) {
      throw cannotOpen("--pcap", pcapPath, e);
    }
  }
  const writeFailed = (opt: string, path: string, e: unknown) => new CliError(`${opt} ${path}: cannot write: ${readProblem(e)}`);
  const bar = new ProgressBar(quiet ? null : io.progress ?? null);
  const report = simulate(core, scenario, {
    tap: pcap
      ? (c) => (h, t) => {
          try {
            pcap!.writeSkb(c, h, t);
          } catch (e) {
            throw writeFailed("--pcap", pcapPath!, e);
          }
        }
      : undefined,
    onProgress: (now, duration) => bar.update(now / duration),
  });
  bar.done();
  try {
    pcap?.close();
  } catch (e) {
    throw writeFailed("--pcap", pcapPath!, e);
  }

  if (jsonPath !== undefined) {
    const text = JSON.stringify(report, null, 2) + "\n";
    if (jsonPath === "-") io.stdout(text);
    else {
      try {
        const b = Buffer.from(text);
        let off = 0;
        while (off < b.length) off += writeSync(jsonFd, b, off, b.length - off);
        closeSync(jsonFd);
      } catch (e) {
        throw writeFailed("--json", jsonPath, e);
      }
    }
  }
  if (!quiet && jsonPath !== "-") io.stdout(renderText(report));
  return report.ledger.unaccounted === 0 && report.pool.balanced ? 0 : 1;
}
