// The two ways a command fails. A UsageError is the user's mistake in an
// argument, an option value, a flow or an input file: one line on stderr,
// exit status 2, never a stack trace. A CliError is anything else the user
// can act on (the WASM core is not built, a write failed): exit status 1.

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    /** What was wrong: an option ("--key"), a flow text, "file:line". */
    readonly arg: string,
    /** What is wrong with it. */
    readonly problem: string,
    /** What is allowed instead. */
    readonly allowed: string,
  ) {
    super(`${arg}: ${problem} (${allowed})`);
  }
}

export class CliError extends Error {
  override name = "CliError";
}

/** The one line printed for an error, without the trailing newline. */
export function errorLine(e: UsageError | CliError): string {
  return `skbsim: ${oneLine(e.message)}`;
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
