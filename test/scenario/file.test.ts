import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { builtinScenarioNames, loadBuiltinScenario } from "../../src/scenario/builtin.js";
import { ScenarioError } from "../../src/scenario/errors.js";
import { loadScenarioFile, resolveScenario } from "../../src/scenario/file.js";

const dir = mkdtempSync(join(tmpdir(), "skbsim-scenario-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const YAML = "name: f\nduration: 10ms\nhosts:\n  a: {}\n";

async function rejection(p: Promise<unknown>): Promise<ScenarioError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

describe("loadScenarioFile", () => {
  it("reads YAML and JSON files", async () => {
    const y = join(dir, "f.yaml");
    const j = join(dir, "f.json");
    writeFileSync(y, YAML);
    writeFileSync(j, JSON.stringify({ name: "f", duration: "10ms", hosts: { a: {} } }));
    const fromYaml = await loadScenarioFile(y);
    expect(fromYaml.duration).toBe(10_000_000);
    expect(await loadScenarioFile(j)).toEqual(fromYaml);
  });

  it("names the file in errors", async () => {
    const p = join(dir, "bad.yaml");
    writeFileSync(p, YAML.replace("10ms", "10"));
    const e = await rejection(loadScenarioFile(p));
    expect(e.source).toBe(p);
    expect(e.path).toBe("duration");
    expect(e.message.startsWith(`${p}: duration: 10 is not allowed`)).toBe(true);
  });

  it("turns a missing file into a ScenarioError", async () => {
    const p = join(dir, "missing.yaml");
    const e = await rejection(loadScenarioFile(p));
    expect(e.allowed).toBe("a readable scenario file: no such file (ENOENT)");
  });
});

describe("resolveScenario", () => {
  it("prefers built-ins", async () => {
    expect(await resolveScenario("default")).toEqual(loadBuiltinScenario("default"));
  });

  it("falls back to a path", async () => {
    const p = join(dir, "g.yaml");
    writeFileSync(p, YAML.replace("name: f", "name: g"));
    expect((await resolveScenario(p)).name).toBe("g");
  });

  it("lists the built-ins for an unknown name", async () => {
    const e = await rejection(resolveScenario("no-such-scenario"));
    expect(e.value).toBe("no-such-scenario");
    expect(e.allowed).toBe(`a built-in scenario (${builtinScenarioNames().join(", ")}) or a .yaml/.json file path`);
  });

  it("reports an unreadable path as such", async () => {
    const e = await rejection(resolveScenario(join(dir, "nope.yaml")));
    expect(e.allowed).toMatch(/ENOENT/);
  });
});
