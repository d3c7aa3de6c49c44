// skbsim scenarios: the built-in scenarios, one line each.
import { BUILTIN_SCENARIOS } from "../../scenario/builtin.js";
import { formatOptions, parseArgs, type OptionSpec } from "../args.js";
import type { CliIo, Command } from "../command.js";

const OPTIONS: readonly OptionSpec[] = [
  { name: "show", value: "NAME", help: "print the scenario file of a built-in scenario" },
  { name: "help", short: "h", help: "show this help" },
];

const HELP = `Usage: skbsim scenarios [--show NAME]

List the built-in scenarios (run one with skbsim run NAME), or print one's
file to start your own from.

Options:
${formatOptions(OPTIONS)}
`;

export const scenariosCommand: Command = {
  name: "scenarios",
  summary: "list the built-in scenarios",
  help: () => HELP,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, OPTIONS, { command: "skbsim scenarios" });
    if (args.flags.has("help")) {
      io.stdout(HELP);
      return 0;
    }
    const show = args.values.get("show");
    if (show !== undefined) {
      const s = BUILTIN_SCENARIOS.find((b) => b.name === show);
      if (!s) {
        const { UsageError } = await import("../errors.js");
        throw new UsageError("--show", `no built-in scenario ${JSON.stringify(show)}`, BUILTIN_SCENARIOS.map((b) => b.name).join(", "));
      }
      io.stdout(s.text.endsWith("\n") ? s.text : s.text + "\n");
      return 0;
    }
    const w = Math.max(...BUILTIN_SCENARIOS.map((b) => b.name.length));
    for (const b of BUILTIN_SCENARIOS) io.stdout(`${b.name.padEnd(w)}  ${b.description}\n`);
    return 0;
  },
};
