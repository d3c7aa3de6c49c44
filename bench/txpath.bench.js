// End to end through the transmit path: 8 bulk TCP flows over a 10 Gbit /
// 50 us link with fq as the sender's qdisc, BQL on the driver ring and TSO on
// the NIC (issue 6's comparison shape; ns-3 does about 25-41k wire packets per
// wall second on it here, so the target is >= 4M). One op = one simulated
// wire packet (data frames plus ACKs, both directions).
import { createCore } from "../dist/core/node.js";
import { World, coreConfigFor } from "../dist/sim/world.js";
import { loadScenarioText } from "../dist/scenario/load.js";
import { worldSpecFromScenario } from "../dist/sim/from-scenario.js";
import { steadyStateWireSuite } from "./harness.js";

const SCENARIO = `
name: txpath-bench
seed: 1
duration: 24h
hosts:
  sender:
    sysctl: { net.core.default_qdisc: fq }
    nic: { rate: 10Gbit, tso: true, bql: true }
  receiver: {}
links:
  - { a: sender, b: receiver, rate: 10Gbit, delay: 50us }
traffic:
  - { kind: bulk, from: sender, to: receiver:5001, flows: 8 }
`;

export async function run(report) {
  const spec = { ...worldSpecFromScenario(loadScenarioText(SCENARIO, "txpath-bench")), timeseriesPoints: 2 };
  const world = new World(await createCore(coreConfigFor(spec)), spec);
  const perSimSecond = await steadyStateWireSuite(report, { world, suite: "tx path", name: "8 bulk flows, 10 Gbit, fq + BQL + TSO (wire packets)" });
  console.log(`txpath: ${perSimSecond.toFixed(0)} wire packets per simulated second`);
}
