// Reading the files a command is given. A file that cannot be read is the
// user's mistake (exit 2), reported with the option and the path.
import { readFile } from "node:fs/promises";
import type { CliIo } from "./command.js";
import { UsageError } from "./errors.js";

export async function readTextInput(label: string, path: string, io: CliIo, what: string): Promise<string> {
  if (path === "-") {
    if (!io.readStdin) throw new UsageError(label, "cannot read standard input here", `a file path, ${what}`);
    return io.readStdin();
  }
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (e as Error).message;
    throw new UsageError(label, `cannot read "${path}": ${why}`, `a readable file, ${what}`);
  }
}
