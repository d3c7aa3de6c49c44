// Random input never escapes as anything but ScenarioError, and whatever is
// accepted is a well-formed Scenario.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { BUILTIN_SCENARIOS } from "../../src/scenario/builtin.js";
import { ScenarioError } from "../../src/scenario/errors.js";
import { loadScenarioText } from "../../src/scenario/load.js";
import type { Scenario } from "../../src/scenario/types.js";
import { validateScenario } from "../../src/scenario/validate.js";

/** Load; return the Scenario or the ScenarioError; rethrow anything else (fails the property). */
function attempt(fn: () => Scenario): Scenario | ScenarioError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ScenarioError) {
      expect(e.issues.length).toBeGreaterThan(0);
      expect(typeof e.message).toBe("string");
      return e;
    }
    throw e;
  }
}

/** Invariants of every accepted Scenario. */
function checkScenario(s: Scenario): void {
  expect(s.hosts.length).toBeGreaterThan(0);
  expect(s.duration).toBeGreaterThan(0);
  const names = new Set(s.hosts.map((h) => h.name));
  expect(names.size).toBe(s.hosts.length);
  expect(new Set(s.hosts.map((h) => h.addr)).size).toBe(s.hosts.length);
  for (const l of s.links) expect(names.has(l.a) && names.has(l.b) && l.a !== l.b).toBe(true);
  for (const t of s.traffic) {
    const senders = t.kind === "incast" ? t.from : [t.from];
    expect(senders.every((f) => names.has(f)) && names.has(t.to.host)).toBe(true);
    expect(t.at).toBeLessThan(s.duration);
  }
  expect(JSON.parse(JSON.stringify(s))).toEqual(s);
}

const YAML_BITS = ["name: x\n", "duration: 2s\n", "hosts:\n", "  a: {}\n", "  b:\n", "    cpus: 2\n", "links:\n", "  - { a: a, b: b }\n", "traffic:\n",
  "  - { kind: connect, from: a, to: b:80 }\n", "    sockets: [ { listen: 80 } ]\n", "- ", ": ", "{", "}", "[", "]", "&x ", "*x", "!!str ", "? ", "|\n", ">\n", "'", '"', "#", "\t", "\n", "  ", "---\n", "...\n", "%YAML 1.2\n", "__proto__: 1\n", "<<: *x\n"];

describe("fuzz: garbage never throws anything but ScenarioError", () => {
  it("random strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: "binary" }), (text) => {
        const r = attempt(() => loadScenarioText(text, "fuzz"));
        if (!(r instanceof ScenarioError)) checkScenario(r);
      }),
      { numRuns: 1000 },
    );
  });

  it("random splices of YAML fragments", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...YAML_BITS), { maxLength: 40 }), (parts) => {
        const r = attempt(() => loadScenarioText(parts.join(""), "fuzz"));
        if (!(r instanceof ScenarioError)) checkScenario(r);
      }),
      { numRuns: 1000 },
    );
  });

  it("random JS values, as YAML, as JSON, and as objects", () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4, withNullPrototype: true, withObjectString: true }), (v) => {
        attempt(() => validateScenario(v));
        let json: string | undefined;
        try {
          json = JSON.stringify(v);
        } catch {
          json = undefined; // BigInt etc.
        }
        if (json !== undefined) attempt(() => loadScenarioText(json, "fuzz.json"));
        let yaml: string | undefined;
        try {
          yaml = stringify(v);
        } catch {
          yaml = undefined;
        }
        if (yaml !== undefined) attempt(() => loadScenarioText(yaml, "fuzz.yaml"));
      }),
      { numRuns: 500 },
    );
  });

  it("built-in scenarios with one value replaced at a random place", () => {
    const docs = BUILTIN_SCENARIOS.map((s) => parse(s.text) as unknown);
    /** Every path to a value in a document. */
    const paths = (v: unknown, at: (string | number)[] = []): (string | number)[][] => {
      if (v === null || typeof v !== "object") return [at];
      const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
      return [at, ...keys.flatMap((k) => paths((v as Record<string | number, unknown>)[k], [...at, k]))];
    };
    const all = docs.flatMap((d, i) => paths(d).map((p) => ({ doc: i, path: p })));
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom("2s", "-1", "10Gbit", "1/s", "server:80", "a:0", "", "__proto__", "constructor", 0, -0, -1, 65536, 2 ** 53, 1.5, true, null, "1e309", "0x10", Number.NaN, Infinity),
    );
    fc.assert(
      fc.property(fc.constantFrom(...all), value, fc.boolean(), ({ doc, path }, v, asKey) => {
        const copy = structuredClone(docs[doc]) as Record<string | number, any>;
        if (path.length === 0) return;
        let parent: Record<string | number, unknown> = copy;
        for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
        const last = path[path.length - 1]!;
        if (asKey && !Array.isArray(parent) && typeof v === "string") {
          const inner = parent[last];
          delete parent[last];
          parent[v] = inner;
        } else parent[last] = v;
        const r = attempt(() => loadScenarioText(stringify(copy), "mutant.yaml"));
        if (!(r instanceof ScenarioError)) checkScenario(r);
      }),
      { numRuns: 1000 },
    );
  });
});
