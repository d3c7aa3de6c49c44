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
    // allowed "": the problem is a whole message already (a ScenarioError's, which names its source and field)
    super(allowed === "" ? (arg === "" ? problem : `${arg}: ${problem}`) : `${arg}: ${problem} (${allowed})`);
  }
}

export class CliError extends Error {
  override name = "CliError";
}

/** The line printed for an error, without the trailing newline: one line, plus one indented line per further
 *  problem of a scenario (`  also: …`). Control characters (an argument's terminal escapes) are shown escaped. */
export function errorLine(e: UsageError | CliError): string {
  return `skbsim: ${oneLine(e.message)}`;
}

function oneLine(s: string): string {
  const lines = s.split(/[\r\n]+/).map((l) => escapeControls(l.trim())).filter((l) => l !== "");
  return lines.map((l, i) => (i === 0 ? l : l.startsWith("also: ") ? `\n  ${l}` : ` ${l}`)).join("");
}

function escapeControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
