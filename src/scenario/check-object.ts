// A Scenario object handed to the library (simulate, runScenario) rather than
// loaded from text: an embedder may have built or edited it (`{ ...s,
// duration: ms * 1e6 }`), so before a core is sized for it the fields the
// run depends on are checked again: the shape, every number finite and not
// negative, the seed and duration ranges, host references, and the model's
// bounds (model-bounds.ts). Throws ScenarioError naming the field.

import { ScenarioError, joinPath, type ScenarioIssue } from "./errors.js";
import { checkModelBounds } from "./model-bounds.js";
import type { Scenario } from "./types.js";

/** The scenario format's duration bound: 24 h in ns. */
const MAX_DURATION_NS = 24 * 3600 * 1e9;

/** Throws ScenarioError (every problem found) unless s is a well-formed Scenario the model can run. */
export function checkScenarioObject(s: unknown, source = "<scenario object>"): asserts s is Scenario {
  const issues: ScenarioIssue[] = [];
  const report = (path: PropertyKey[], allowed: string, value: unknown) => issues.push({ path: joinPath(path), value, allowed });
  if (s === null || typeof s !== "object" || Array.isArray(s)) throw new ScenarioError("", s, "a Scenario object (from loadScenarioText, validateScenario or loadBuiltinScenario)", { source });
  const o = s as Record<string, unknown>;
  // every number in the object: finite and ≥ 0 (a validated Scenario holds no other; JSON round-trips it)
  const walk = (v: unknown, path: PropertyKey[], depth: number): void => {
    if (typeof v === "number") {
      if (!Number.isFinite(v) || v < 0) report(path, "a finite number ≥ 0", v);
    } else if (v !== null && typeof v === "object" && depth < 16) {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i], depth + 1));
      else for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...path, k], depth + 1);
    }
  };
  walk(o, [], 0);
  if (typeof o.seed !== "number" || !Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) report(["seed"], "an integer 0..4294967295", o.seed);
  if (typeof o.duration !== "number" || !Number.isInteger(o.duration) || o.duration <= 0 || o.duration > MAX_DURATION_NS) {
    report(["duration"], `an integer number of ns, 1..${MAX_DURATION_NS} (24 h)`, o.duration);
  }
  const arrays = ["hosts", "links", "traffic"] as const;
  for (const k of arrays) if (!Array.isArray(o[k])) report([k], "a list", o[k]);
  if (issues.length) throw ScenarioError.of(issues, source);
  const sc = o as unknown as Scenario;
  if (sc.hosts.length === 0) report(["hosts"], "at least one host", sc.hosts);
  const names = new Set<string>();
  sc.hosts.forEach((h, i) => {
    if (h === null || typeof h !== "object" || typeof h.name !== "string" || typeof h.nic !== "object" || h.nic === null || typeof h.sysctl !== "object" || h.sysctl === null) {
      report(["hosts", i], "a HostSpec with name, nic, sysctl, … (as validateScenario returns)", h);
    } else if (names.has(h.name)) report(["hosts", i, "name"], "a name no other host has", h.name);
    else names.add(h.name);
  });
  const known = (name: unknown, path: PropertyKey[]) => {
    if (typeof name !== "string" || !names.has(name)) report(path, `one of the hosts: ${[...names].join(", ")}`, name);
  };
  sc.links.forEach((l, i) => {
    known(l?.a, ["links", i, "a"]);
    known(l?.b, ["links", i, "b"]);
  });
  sc.traffic.forEach((t, i) => {
    if (t === null || typeof t !== "object") return report(["traffic", i], "a TrafficSpec", t);
    if (Array.isArray(t.from)) t.from.forEach((f, j) => known(f, ["traffic", i, "from", j]));
    else known(t.from, ["traffic", i, "from"]);
    known(t.to?.host, ["traffic", i, "to", "host"]);
    // a start at or after the end is allowed here (an embedder may shorten a run: that item then does not start)
  });
  if (issues.length) throw ScenarioError.of(issues, source);
  checkModelBounds(sc, (path, allowed, value) => report(path, allowed, value));
  if (issues.length) throw ScenarioError.of(issues, source);
}
