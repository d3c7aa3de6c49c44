// A strict command-line parser: every option is declared, an unknown option
// or a missing value is a UsageError naming it. Forms: --name VALUE,
// --name=VALUE, -x VALUE for a declared short letter, flags without values,
// and "--" to end the options. A value option given twice is refused rather
// than silently taking the last one.
import { UsageError } from "./errors.js";
import { editDistance } from "../util/edit-distance.js";

export interface OptionSpec {
  /** Long name without the dashes: "key" for --key. */
  readonly name: string;
  /** One-letter short form without the dash: "h" for -h. */
  readonly short?: string;
  /** Placeholder of the value ("HEX", "N"); absent for a flag. */
  readonly value?: string;
  /** One line for --help. */
  readonly help: string;
}

export interface ParsedArgs {
  /** Values of value options, by long name. */
  readonly values: ReadonlyMap<string, string>;
  /** Flags that were given, by long name. */
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

export interface ParseOptions {
  /** Placeholder of positional arguments for messages ("FLOW"); absent when
   *  the command takes none. */
  readonly positionals?: string;
  /** Where the options belong, for messages ("skbsim rss"). */
  readonly command: string;
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], opts: ParseOptions): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positionals: string[] = [];

  const addPositional = (a: string): void => {
    if (opts.positionals === undefined) {
      throw new UsageError(JSON.stringify(a), "unexpected argument", `${opts.command} takes options only; see ${opts.command} --help`);
    }
    positionals.push(a);
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      for (const rest of argv.slice(i + 1)) addPositional(rest);
      break;
    }
    if (a === "-" || !a.startsWith("-")) {
      addPositional(a);
      continue;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    let shown: string;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      shown = `--${name}`;
      if (eq >= 0) inline = a.slice(eq + 1);
      spec = byLong.get(name);
    } else {
      shown = a;
      spec = a.length === 2 ? byShort.get(a[1]!) : undefined;
    }
    if (!spec) throw unknownOption(shown, specs, opts.command);
    const label = `--${spec.name}`;
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(label, `takes no value, got "${inline}"`, `give ${label} alone`);
      flags.add(spec.name);
      continue;
    }
    let v = inline;
    if (v === undefined) {
      const next = argv[i + 1];
      // A following "--option" means the value was forgotten; "-1" is a value.
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(label, "needs a value", `${label} ${spec.value}`);
      }
      v = next;
      i++;
    }
    if (values.has(spec.name)) throw new UsageError(label, "given more than once", `give ${label} ${spec.value} once`);
    values.set(spec.name, v);
  }
  return { values, flags, positionals };
}

function unknownOption(shown: string, specs: readonly OptionSpec[], command: string): UsageError {
  const names = specs.map((s) => `--${s.name}`);
  const near = closest(shown, names);
  const hint = near ? `did you mean ${near}? ` : "";
  return new UsageError(shown, "unknown option", `${hint}${command} options: ${names.join(" ")}`);
}

/** The option name within edit distance 2 of what was typed, if one is. */
function closest(typed: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const n of names) {
    const d = editDistance(typed, n);
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best;
}


/** The options block of a --help text, one aligned line per option. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const left = specs.map((s) => `${s.short ? `-${s.short}, ` : "    "}--${s.name}${s.value ? ` ${s.value}` : ""}`);
  const w = Math.max(...left.map((l) => l.length));
  return specs.map((s, i) => `  ${left[i]!.padEnd(w)}  ${s.help}`).join("\n");
}

/** Parse a decimal integer option value in [min, max]; UsageError otherwise. */
export function intOption(label: string, text: string, min: number, max: number, extra = ""): number {
  if (!/^[0-9]+$/.test(text)) {
    throw new UsageError(label, `"${text}" is not a decimal integer`, `an integer ${min}..${max}${extra}`);
  }
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(label, `${text} is out of range`, `an integer ${min}..${max}${extra}`);
  }
  return v;
}
