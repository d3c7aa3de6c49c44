// Node-only: a server and a client network namespace joined by one veth pair,
// 10.200.0.1 (server) — 10.200.0.2 (client). Nothing is configured outside
// the two namespaces: the veth is created inside the server namespace with
// its peer moved straight into the client one. The server's default route
// points at the client, whose IP forwarding is off (a new netns default), so
// SYN-ACKs to spoofed sources end there and are dropped, answered by nobody.
import { spawnSync } from "node:child_process";
import { exec, KernelHarnessError, type ExecOptions, type ExecResult } from "./exec.js";

export const SERVER_ADDR = "10.200.0.1";
export const CLIENT_ADDR = "10.200.0.2";
const PREFIX_LEN = 24;
const DEV = "veth0";

/** Names of namespaces this process created and has not deleted yet. */
const live = new Set<string>();
let exitHookInstalled = false;
let seq = 0;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort (process.exit, an uncaught error): delete what is still there.
  process.once("exit", deleteAllNamespacesSync);
}

/** Delete every namespace this process still holds (synchronous; for exit and signal handlers). */
export function deleteAllNamespacesSync(): void {
  for (const name of live) {
    spawnSync("ip", ["netns", "del", name], { timeout: 3000, stdio: "ignore" });
    live.delete(name);
  }
}

/** A fresh, unused namespace name owned by this process. */
export function namespaceName(role: string): string {
  return `skbk-${process.pid}-${++seq}-${role}`;
}

export async function addNamespace(name: string): Promise<void> {
  installExitHook();
  live.add(name);
  try {
    await exec("ip", ["netns", "add", name]);
  } catch (e) {
    live.delete(name);
    throw e;
  }
}

export async function deleteNamespace(name: string): Promise<void> {
  if (!live.has(name)) return;
  await exec("ip", ["netns", "del", name], { allowFail: true, timeoutMs: 5000 }).catch(() => undefined);
  live.delete(name);
}

export class NetnsPair {
  private constructor(
    readonly server: string,
    readonly client: string,
  ) {}

  /** Two namespaces, veth between them, lo and veth up, addresses, server default route. */
  static async create(): Promise<NetnsPair> {
    const pair = new NetnsPair(namespaceName("srv"), namespaceName("cli"));
    try {
      await addNamespace(pair.server);
      await addNamespace(pair.client);
      await exec("ip", ["-n", pair.server, "link", "add", DEV, "type", "veth", "peer", "name", DEV, "netns", pair.client]);
      for (const [ns, addr] of [
        [pair.server, SERVER_ADDR],
        [pair.client, CLIENT_ADDR],
      ] as const) {
        await exec("ip", ["-n", ns, "addr", "add", `${addr}/${PREFIX_LEN}`, "dev", DEV]);
        await exec("ip", ["-n", ns, "link", "set", "lo", "up"]);
        await exec("ip", ["-n", ns, "link", "set", DEV, "up"]);
      }
      await exec("ip", ["-n", pair.server, "route", "add", "default", "via", CLIENT_ADDR, "dev", DEV]);
      // Spoofed replies must die in the client namespace, not travel on.
      await pair.sysctl(pair.client, "net.ipv4.ip_forward", 0);
    } catch (e) {
      await pair.destroy();
      throw e;
    }
    return pair;
  }

  /** Run a command inside namespace `ns`. */
  exec(ns: string, cmd: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    return exec("ip", ["netns", "exec", ns, cmd, ...args], opts);
  }

  /** The argv that runs `cmd args` inside `ns` (for background programs). */
  argv(ns: string, cmd: string, args: readonly string[]): [string, string[]] {
    return ["ip", ["netns", "exec", ns, cmd, ...args]];
  }

  async sysctl(ns: string, name: string, value: number): Promise<void> {
    await this.exec(ns, "sysctl", ["-q", "-w", `${name}=${value}`]);
    const back = await this.exec(ns, "sysctl", ["-n", name]);
    if (Number(back.stdout.trim()) !== value) {
      throw new KernelHarnessError(`${name} in ${ns}: wrote ${value}, reads back ${back.stdout.trim()}`);
    }
  }

  async destroy(): Promise<void> {
    await deleteNamespace(this.client);
    await deleteNamespace(this.server);
  }
}
