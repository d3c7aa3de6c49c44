// One run of a scenario on a core, as the library exposes it: build the world,
// run it, return the report. Node and browsers share it; only the core's
// creation (and the pcap file) differ.
import type { Core } from "../core/core.js";
import type { Scenario } from "../scenario/types.js";
import { buildReport, type Report } from "../report/build.js";
import { worldSpecFromScenario } from "./from-scenario.js";
import { World, coreConfigFor } from "./world.js";
import type { WireTap } from "../net/link.js";
import type { CoreConfig } from "../core/config.js";
import type { WorldSpec } from "./world-spec.js";
import { checkScenarioObject } from "../scenario/check-object.js";

export interface SimulateOptions {
  /** Called with every frame as it leaves a sender (e.g. a pcap writer). */
  tap?: (core: Core) => WireTap;
  /** Called now and then with the simulated time (ns). */
  onProgress?: (now: number, duration: number) => void;
}

/** The core memory plan a scenario needs. */
export function coreConfigForScenario(s: Scenario): Partial<CoreConfig> {
  checkScenarioObject(s);
  return coreConfigFor(worldSpecFromScenario(s));
}

export function simulateSpec(core: Core, spec: WorldSpec, opts: SimulateOptions = {}): Report {
  const world = new World(core, spec, opts.tap ? opts.tap(core) : null);
  const progress = opts.onProgress;
  const result = world.run(progress ? (now) => progress(now, spec.durationNs) : undefined);
  return buildReport(world, result);
}

/** Run a validated scenario on a fresh core (create it with coreConfigForScenario). An object built or edited
 *  in code is checked again (checkScenarioObject): a bad one throws ScenarioError naming the field. */
export function simulate(core: Core, scenario: Scenario, opts: SimulateOptions = {}): Report {
  checkScenarioObject(scenario);
  return simulateSpec(core, worldSpecFromScenario(scenario), opts);
}
