// Node-only: run the host's tools (ip, ss, nstat, hping3, python3) with a
// hard timeout each, so a kernel case can never hang. Foreground commands
// resolve to their output; background programs (listener, clients, hping3)
// are handles that are killed by pid when the case ends.
import { execFile, spawn, type ChildProcess } from "node:child_process";

/** Something on the host went wrong while running a kernel case (not a model mismatch). */
export class KernelHarnessError extends Error {
  override name = "KernelHarnessError";
}

export interface ExecResult {
  /** Exit status; -1 when killed by the timeout or a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Kill (SIGKILL) after this long; default 5000 ms. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Resolve with a non-zero status instead of throwing. */
  allowFail?: boolean;
}

const DEFAULT_TIMEOUT_MS = 5000;

export function describeCommand(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

/** Run a command to completion (bounded by timeoutMs). */
export function exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout, killSignal: "SIGKILL", maxBuffer: 16 << 20, env: opts.env ?? process.env, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string };
        if (e.code === "ENOENT") return reject(new KernelHarnessError(`${cmd}: not found`));
        const timedOut = e.killed === true || e.signal === "SIGKILL";
        const code = typeof e.code === "number" ? e.code : -1;
        if (opts.allowFail && !timedOut) return resolve({ code, stdout, stderr });
        const why = timedOut ? `timed out after ${timeout} ms` : `exit ${code}`;
        const detail = stderr.trim().split("\n")[0] ?? "";
        reject(new KernelHarnessError(`${describeCommand(cmd, args)}: ${why}${detail ? `: ${detail}` : ""}`));
      },
    );
  });
}

/** A program left running while the case measures; kill() is idempotent. */
export class Background {
  readonly child: ChildProcess;
  private out = "";
  private err = "";
  private exitCode: number | null | undefined = undefined;
  private waiters: (() => void)[] = [];

  constructor(
    readonly cmd: string,
    readonly args: readonly string[],
  ) {
    this.child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      this.out += s;
      this.wake();
    });
    this.child.stderr!.setEncoding("utf8").on("data", (s: string) => {
      this.err += s;
    });
    this.child.on("error", (e) => {
      this.err += String(e.message);
      this.exitCode = -1;
      this.wake();
    });
    this.child.on("exit", (code) => {
      this.exitCode = code ?? -1;
      this.wake();
    });
    // stdin stays open: the helper programs exit when it closes.
    this.child.stdin!.on("error", () => {});
  }

  get stdout(): string {
    return this.out;
  }
  get stderr(): string {
    return this.err;
  }
  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new KernelHarnessError(`${describeCommand(this.cmd, this.args)}: no ${what} within ${timeoutMs} ms${this.err ? `: ${this.err.trim().split("\n")[0]}` : ""}`));
      }, timeoutMs);
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else if (this.exited && what !== "exit") {
          clearTimeout(timer);
          reject(new KernelHarnessError(`${describeCommand(this.cmd, this.args)}: exited (${this.exitCode}) before ${what}${this.err ? `: ${this.err.trim().split("\n")[0]}` : ""}`));
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Resolve once a stdout line equals `line`. */
  waitForLine(line: string, timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.out.split("\n").includes(line), timeoutMs, `"${line}" line`);
  }

  /** Resolve with the exit status (killing the program after timeoutMs). */
  async waitForExit(timeoutMs: number): Promise<number> {
    try {
      await this.waitUntil(() => this.exited, timeoutMs, "exit");
    } catch (e) {
      this.kill();
      throw e;
    }
    return this.exitCode ?? -1;
  }

  kill(): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}
