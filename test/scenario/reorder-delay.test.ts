// The link field reorderDelay: a duration (the scenario's unit parser, strict), > 0 and ≤ 1 s, only with
// reorder > 0 (a hold for frames that are never held would be silently dead: refused). Unset: no key in the
// validated link and none in the world spec, so the link keeps its default hold (two serialization times).
import { describe, expect, it } from "vitest";
import { ScenarioError } from "../../src/scenario/errors.js";
import { loadScenarioText } from "../../src/scenario/load.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";

const text = (link: string) =>
  `name: t\nduration: 1s\nhosts:\n  a: {}\n  b: {}\nlinks:\n  - { a: a, b: b, ${link} }\n`;

function errorOf(link: string): ScenarioError {
  try {
    loadScenarioText(text(link), "bad.yaml");
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

describe("link reorderDelay in a scenario", () => {
  it("parses a duration into ns and carries it to the world spec", () => {
    const s = loadScenarioText(text("reorder: 0.01, reorderDelay: 50us"), "ok.yaml");
    expect(s.links[0]).toEqual({ a: "a", b: "b", rate: 10e9, delay: 0, loss: 0, reorder: 0.01, reorderDelay: 50_000 });
    expect(worldSpecFromScenario(s).links[0]!.reorderDelayNs).toBe(50_000);
    expect(loadScenarioText(text("reorder: 1, reorderDelay: 1s"), "ok.yaml").links[0]!.reorderDelay).toBe(1e9);
    expect(loadScenarioText(text("reorder: 1, reorderDelay: 1ns"), "ok.yaml").links[0]!.reorderDelay).toBe(1);
  });

  it("unset: no key, in the scenario or the world spec (the default hold)", () => {
    const s = loadScenarioText(text("reorder: 0.01"), "ok.yaml");
    expect("reorderDelay" in s.links[0]!).toBe(false);
    expect("reorderDelayNs" in worldSpecFromScenario(s).links[0]!).toBe(false);
  });

  it.each([
    ["zero", "reorder: 0.01, reorderDelay: 0us", "0us", /> 0ns, ≤ 1s$/],
    ["negative", "reorder: 0.01, reorderDelay: -5us", "-5us", /> 0ns, ≤ 1s$/],
    ["over 1 s", "reorder: 0.01, reorderDelay: 2s", "2s", /> 0ns, ≤ 1s$/],
    ["a bare number", "reorder: 0.01, reorderDelay: 50", 50, /^duration: a number and a unit/],
    ["an unknown unit", "reorder: 0.01, reorderDelay: 50usec", "50usec", /^duration: a number and a unit/],
  ])("%s is refused, naming the field and the range", (_l, link, value, allowed) => {
    const e = errorOf(link);
    expect(e.path).toBe("links[0].reorderDelay");
    expect(e.value).toEqual(value);
    expect(e.allowed).toMatch(allowed);
  });

  it("without reorder > 0 it is refused (nothing would be held)", () => {
    for (const link of ["reorderDelay: 50us", "reorder: 0, reorderDelay: 50us"]) {
      const e = errorOf(link);
      expect(e.path).toBe("links[0].reorderDelay");
      expect(e.value).toBe("50us");
      expect(e.allowed).toBe("only with reorder > 0 (the probability a frame is held back); set reorder or remove reorderDelay");
      expect(e.message).toBe("bad.yaml: links[0].reorderDelay: \"50us\" is not allowed (only with reorder > 0 (the probability a frame is held back); set reorder or remove reorderDelay)");
    }
  });
});
