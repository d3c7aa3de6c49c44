// Reading the files a command is given. A file that cannot be read is the
// user's mistake (exit 2), reported with the option and the path.
import { readFileBounded, readStreamBounded } from "../util/read-bounded.js";
import { readProblem } from "../scenario/file.js";
import type { CliIo } from "./command.js";
import { UsageError } from "./errors.js";

/** The most an input file (--flows-file, --ethtool, standard input) may hold. */
export const MAX_INPUT_BYTES = 64 * 2 ** 20;

export async function readTextInput(label: string, path: string, io: CliIo, what: string, max = MAX_INPUT_BYTES): Promise<string> {
  const tooLarge = () => new UsageError(label, `${JSON.stringify(path)} holds more than ${max} bytes`, `a file of at most ${max} bytes, ${what}`);
  if (path === "-") {
    if (!io.readStdin) throw new UsageError(label, "cannot read standard input here", `a file path, ${what}`);
    const text = await io.readStdin(max);
    if (text === null) throw tooLarge();
    return text;
  }
  let r;
  try {
    r = await readFileBounded(path, max);
  } catch (e) {
    throw new UsageError(label, `cannot read ${JSON.stringify(path)}: ${readProblem(e)}`, `a readable file, ${what}`);
  }
  if (r.tooLarge) throw tooLarge();
  return r.bytes.toString("utf8");
}

/** CliIo.readStdin for a process: at most max bytes, else null. */
export async function readProcessStdin(max: number): Promise<string | null> {
  const r = await readStreamBounded(process.stdin, max);
  return r.tooLarge ? null : r.bytes.toString("utf8");
}
