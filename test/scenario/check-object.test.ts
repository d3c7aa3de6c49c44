// The library's entry points check a Scenario object built or edited in code (review13b #6): before, duration
// Infinity hung, NaN threw a timing-wheel error, -5 returned a report, hosts [] threw a TypeError, a link to a
// missing host threw a bare Error, a count NaN ran and created nothing, and seeds 2^32, 2^40, NaN and 1.5
// aliased seeds 0 and 1 (rng.ts: seed >>> 0) while the report printed the seed as given.
import { describe, expect, it } from "vitest";
import { loadScenarioText } from "../../src/scenario/load.js";
import { loadBuiltinScenario, builtinScenarioNames } from "../../src/scenario/builtin.js";
import { ScenarioError } from "../../src/scenario/errors.js";
import { checkScenarioObject } from "../../src/scenario/check-object.js";
import { coreConfigForScenario } from "../../src/sim/simulate.js";
import { runScenario } from "../../src/run-scenario.js";
import type { Scenario } from "../../src/scenario/types.js";

const good = loadScenarioText(`name: probe
duration: 10ms
hosts:
  server: { sockets: [{ listen: 7000 }] }
  client: {}
links:
  - { a: client, b: server }
traffic:
  - { kind: connect, from: client, to: server:7000, count: 5 }
`, "probe.yaml");

function issue(s: unknown): ScenarioError {
  try {
    checkScenarioObject(s);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("accepted");
}

const edit = (f: (s: Scenario) => unknown) => f(structuredClone(good));

describe("checkScenarioObject", () => {
  it("accepts every built-in scenario and the probe", () => {
    for (const n of builtinScenarioNames()) checkScenarioObject(loadBuiltinScenario(n));
    checkScenarioObject(good);
  });

  it.each([
    ["duration Infinity", (s: Scenario) => ({ ...s, duration: Infinity }), "duration", "a finite number ≥ 0"],
    ["duration NaN", (s: Scenario) => ({ ...s, duration: NaN }), "duration", "a finite number ≥ 0"],
    ["duration -5", (s: Scenario) => ({ ...s, duration: -5 }), "duration", "a finite number ≥ 0"],
    ["duration 0", (s: Scenario) => ({ ...s, duration: 0 }), "duration", "an integer number of ns, 1..86400000000000 (24 h)"],
    ["seed 2^32", (s: Scenario) => ({ ...s, seed: 2 ** 32 }), "seed", "an integer 0..4294967295"],
    ["seed 1.5", (s: Scenario) => ({ ...s, seed: 1.5 }), "seed", "an integer 0..4294967295"],
    ["seed NaN", (s: Scenario) => ({ ...s, seed: NaN }), "seed", "a finite number ≥ 0"],
    ["no hosts", (s: Scenario) => ({ ...s, hosts: [] }), "hosts", "at least one host"],
    ["link to a missing host", (s: Scenario) => ({ ...s, links: [{ ...s.links[0]!, b: "nobody" }] }), "links[0].b", "one of the hosts: server, client"],
    ["count NaN", (s: Scenario) => ({ ...s, traffic: [{ ...s.traffic[0]!, count: NaN }] }), "traffic[0].count", "a finite number ≥ 0"],
    ["link rate -1", (s: Scenario) => ({ ...s, links: [{ ...s.links[0]!, rate: -1 }] }), "links[0].rate", "a finite number ≥ 0"],
  ])("%s", (_n, f, path, allowed) => {
    const e = issue(edit(f));
    expect(e.path).toBe(path);
    expect(e.allowed).toBe(allowed);
  });

  it("also the model's bounds, and a non-object", () => {
    expect(issue(edit((s) => ({ ...s, links: Array.from({ length: 129 }, () => s.links[0]) }))).path).toBe("links");
    expect(issue("/etc/passwd").allowed).toMatch(/^a Scenario object/);
  });

  it("runs in coreConfigForScenario and runScenario (opts.seed too)", async () => {
    expect(() => coreConfigForScenario({ ...good, duration: Infinity })).toThrow(ScenarioError);
    await expect(runScenario({ ...good, duration: Infinity })).rejects.toThrow(/duration: Infinity is not allowed/);
    await expect(runScenario(good, { seed: 2 ** 40 })).rejects.toThrow(/seed: 1099511627776 is not allowed \(an integer 0\.\.4294967295\)/);
  });
});
