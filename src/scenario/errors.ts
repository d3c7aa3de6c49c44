// The one error type of scenario loading. Every refusal names where (a path
// into the file, e.g. `hosts.server.sockets[0].backlog`), what was found, and
// what would have been accepted, so a user can fix the file without reading
// the source. Several problems found in one pass travel together in `issues`.

/** One problem: where, what was found, what is allowed. */
export interface ScenarioIssue {
  /** Dotted path into the scenario: `hosts.server.sockets[0].backlog`; "" = the whole document. */
  readonly path: string;
  /** The offending value as found in the file (undefined = missing). */
  readonly value: unknown;
  /** Human description of what is accepted: `integer 0..65535`. */
  readonly allowed: string;
}

export class ScenarioError extends Error implements ScenarioIssue {
  readonly path: string;
  readonly value: unknown;
  readonly allowed: string;
  /** Name of the file or text the problem was found in, if known. */
  readonly source: string | undefined;
  /** Every problem found (this error's own first); length ≥ 1. */
  readonly issues: readonly ScenarioIssue[];

  constructor(path: string, value: unknown, allowed: string, options: { source?: string; more?: readonly ScenarioIssue[] } = {}) {
    const first: ScenarioIssue = { path, value, allowed };
    const issues = [first, ...(options.more ?? [])];
    const prefix = options.source !== undefined ? `${options.source}: ` : "";
    const lines = issues.map(formatIssue);
    super(prefix + lines[0] + (lines.length > 1 ? `\n${lines.slice(1).map((l) => `  also: ${l}`).join("\n")}` : ""));
    this.name = "ScenarioError";
    this.path = path;
    this.value = value;
    this.allowed = allowed;
    this.source = options.source;
    this.issues = issues;
  }

  /** Several issues as one error (the first becomes path/value/allowed). */
  static of(issues: readonly ScenarioIssue[], source?: string): ScenarioError {
    if (issues.length === 0) throw new Error("ScenarioError.of: no issues");
    const [first, ...more] = issues;
    return new ScenarioError(first!.path, first!.value, first!.allowed, { source, more });
  }

  /** The same problems, attributed to a source (file name). */
  withSource(source: string): ScenarioError {
    return ScenarioError.of(this.issues, source);
  }
}

/** `path: value is not allowed (allowed)`; a missing value reads `path is missing (allowed)`. */
export function formatIssue(issue: ScenarioIssue): string {
  const where = issue.path === "" ? "(document)" : issue.path;
  if (issue.value === undefined) return `${where} is missing (${issue.allowed})`;
  return `${where}: ${formatValue(issue.value)} is not allowed (${issue.allowed})`;
}

const MAX_SHOWN = 60;

/** Short, unambiguous rendering of a value found in a file. */
export function formatValue(value: unknown): string {
  let s: string;
  if (typeof value === "number") s = Object.is(value, -0) ? "-0" : String(value);
  else if (typeof value === "string") s = JSON.stringify(value);
  else if (typeof value === "bigint") s = `${value}`;
  else if (value === null || typeof value === "boolean") s = String(value);
  else if (value === undefined) s = "missing";
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = Array.isArray(value) ? "[…]" : "{…}";
    }
  }
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 1)}…` : s;
}

/** Join path segments: `hosts.server.sockets[0]`; keys that are not plain names are quoted: `sysctl["net.core.somaxconn"]`. */
export function joinPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const key = String(seg);
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out === "" ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}
