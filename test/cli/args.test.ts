import { describe, expect, it } from "vitest";
import { formatOptions, intOption, parseArgs, type OptionSpec } from "../../src/cli/args.js";
import { UsageError } from "../../src/cli/errors.js";
import { usage } from "./usage.js";

const SPECS: OptionSpec[] = [
  { name: "key", value: "HEX", help: "k" },
  { name: "queues", value: "N", help: "q" },
  { name: "json", help: "j" },
  { name: "help", short: "h", help: "h" },
];
const p = (...argv: string[]) => parseArgs(argv, SPECS, { command: "skbsim t", positionals: "FLOW" });


describe("parseArgs", () => {
  it("reads values in both forms, flags, short flags and positionals", () => {
    const a = p("a", "--key", "6d5a", "--queues=4", "--json", "b", "-h");
    expect(a.values.get("key")).toBe("6d5a");
    expect(a.values.get("queues")).toBe("4");
    expect([...a.flags].sort()).toEqual(["help", "json"]);
    expect(a.positionals).toEqual(["a", "b"]);
  });
  it("takes everything after -- as positionals", () => {
    expect(p("--", "--json", "-x").positionals).toEqual(["--json", "-x"]);
  });
  it("accepts a value starting with a single dash (range checks come later)", () => {
    expect(p("--queues", "-1").values.get("queues")).toBe("-1");
  });
  it("names an unknown option and suggests a near one", () => {
    const e = usage(() => p("--queue", "4"));
    expect(e.arg).toBe("--queue");
    expect(e.problem).toBe("unknown option");
    expect(e.allowed).toContain("did you mean --queues?");
    expect(usage(() => p("-x")).arg).toBe("-x");
    expect(usage(() => p("--zzzzzzzz")).allowed).not.toContain("did you mean");
  });
  it("refuses a missing value, at the end or before another option", () => {
    expect(usage(() => p("--key")).message).toBe("--key: needs a value (--key HEX)");
    expect(usage(() => p("--key", "--json")).arg).toBe("--key");
  });
  it("refuses a value on a flag and a value option given twice", () => {
    expect(usage(() => p("--json=yes")).arg).toBe("--json");
    expect(usage(() => p("--queues", "1", "--queues=2")).problem).toContain("more than once");
  });
  it("refuses positionals when the command takes none", () => {
    const e = usage(() => parseArgs(["x"], SPECS, { command: "skbsim t" }));
    expect(e.problem).toBe("unexpected argument");
  });
  it("formats an aligned options block", () => {
    const lines = formatOptions(SPECS).split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^ {2}-h, --help +h$/);
    expect(new Set(lines.map((l) => l.lastIndexOf(" ") ))).toHaveProperty("size", 1);
  });
});

describe("intOption", () => {
  it("accepts decimal integers in range only", () => {
    expect(intOption("--n", "65535", 1, 65535)).toBe(65535);
    expect(usage(() => intOption("--n", "0", 1, 9)).message).toBe("--n: 0 is out of range (an integer 1..9)");
    for (const bad of ["", "1.5", "0x10", "-1", "1e3", " 3"]) expect(usage(() => intOption("--n", bad, 1, 9)).problem).toContain("not a decimal integer");
  });
});
