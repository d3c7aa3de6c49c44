// skbsim's command line: `skbsim COMMAND [options]`. main() is pure over its
// io (tests call it in process); run() binds it to the real process.
// Exit status: 0 ok, 1 failure, 2 usage error (one line on stderr).
import { readFileSync } from "node:fs";
import type { CliIo, Command } from "./command.js";
import { COMMANDS } from "./commands.js";
import { readProcessStdin } from "./input.js";
import { CliError, EXIT_FAILURE, EXIT_USAGE, UsageError, errorLine } from "./errors.js";

export type { CliIo, Command } from "./command.js";

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

export function globalHelp(commands: readonly Command[] = COMMANDS): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return `Usage: skbsim COMMAND [options]
       skbsim COMMAND --help
       skbsim --version

skbsim models the Linux host network stack: where packets go between the
wire and a socket, and why.

Commands:
${commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join("\n")}

Exit status: 0 success, 1 failure, 2 bad arguments or input.
`;
}

export async function main(argv: readonly string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const names = commands.map((c) => c.name).join(", ");
  try {
    const first = argv[0];
    if (first === undefined) throw new UsageError("command", "missing", `one of ${names}; see skbsim --help`);
    if (first === "--help" || first === "-h" || first === "help") {
      const which = argv[1];
      if (which === undefined) {
        io.stdout(globalHelp(commands));
        return 0;
      }
      const c = commands.find((x) => x.name === which);
      if (!c) throw new UsageError(which, "unknown command", `one of ${names}`);
      io.stdout(c.help());
      return 0;
    }
    if (first === "--version" || first === "-V") {
      io.stdout(`skbsim ${version()}\n`);
      return 0;
    }
    if (first.startsWith("-")) throw new UsageError(first, "unknown option", `a command first (${names}), or --help, --version`);
    const cmd = commands.find((x) => x.name === first);
    if (!cmd) throw new UsageError(first, "unknown command", `one of ${names}; see skbsim --help`);
    return await cmd.run(argv.slice(1), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${errorLine(e)}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      io.stderr(`${errorLine(e)}\n`);
      return EXIT_FAILURE;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.stderr(`skbsim: ${err.message.replace(/^skbsim:\s*/, "").replace(/\s*\n\s*/g, " ")}\n`);
    if (process.env["SKBSIM_DEBUG"]) io.stderr(`${err.stack ?? ""}\n`);
    return EXIT_FAILURE;
  }
}

/** Entry of bin/skbsim.js. */
export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    // `skbsim rss --demo | head`: the reader left; stop quietly.
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  const io: CliIo = {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    readStdin: readProcessStdin,
    progress: process.stderr.isTTY ? { write: (s) => void process.stderr.write(s), columns: process.stderr.columns ?? 80 } : null,
  };
  process.exitCode = await main(argv, io);
}
