// Node-only: can this process run kernel cases? Root, `ip netns`, and the
// tools each case needs. Each missing piece is a one-line reason.
import { exec } from "./exec.js";
import { addNamespace, deleteNamespace, namespaceName } from "./netns.js";
import { python3 } from "./programs.js";
import type { KernelCase } from "./cases.js";

export interface KernelAccess {
  /** Why no case can run here (not root, no netns, …); null when they can. */
  blocked: string | null;
  /** Why SYN-flood cases cannot run (hping3 missing); null when they can. */
  floodBlocked: string | null;
}

async function has(cmd: string, args: string[]): Promise<boolean> {
  try {
    await exec(cmd, args, { timeoutMs: 5000, allowFail: true });
    return true;
  } catch {
    return false;
  }
}

export async function probeKernelAccess(): Promise<KernelAccess> {
  const floodBlocked = (await has("hping3", ["--version"])) ? null : "hping3 missing";
  if (process.platform !== "linux") return { blocked: `not Linux (${process.platform})`, floodBlocked };
  if (typeof process.getuid === "function" && process.getuid() !== 0) return { blocked: "not root", floodBlocked };
  for (const [cmd, args] of [
    ["ip", ["-V"]],
    ["ss", ["-V"]],
    ["nstat", ["-V"]],
    ["sysctl", ["-V"]],
    [python3(), ["-V"]],
  ] as const) {
    if (!(await has(cmd, [...args]))) return { blocked: `${cmd === python3() ? "python3" : cmd} missing`, floodBlocked };
  }
  const name = namespaceName("probe");
  try {
    await addNamespace(name);
  } catch (e) {
    return { blocked: `ip netns unavailable (${(e as Error).message.split(": ").slice(-1)[0]})`, floodBlocked };
  } finally {
    await deleteNamespace(name);
  }
  return { blocked: null, floodBlocked };
}

/** Why `c` cannot run here, or null. */
export function caseBlocked(c: KernelCase, access: KernelAccess): string | null {
  return access.blocked ?? (c.traffic.kind === "syn-flood" ? access.floodBlocked : null);
}
