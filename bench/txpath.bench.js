// End to end through the transmit path: 8 bulk TCP flows over a 10 Gbit /
// 50 us link with fq as the sender's qdisc, BQL on the driver ring and TSO on
// the NIC (issue 6's comparison shape; ns-3 does about 25-41k wire packets per
// wall second on it here, so the target is >= 4M). One op = one simulated
// wire packet (data frames plus ACKs, both directions).
//
// A second case runs the same shape with RX interrupt coalescing on the
// receiver (rx-usecs 8 us, in the range of common NIC defaults): the link
// then hands most frames to a NIC whose IRQ is masked or whose coalescing
// timer runs, with no event of their own, and GRO merges what each poll
// finds. It is a different workload (fewer ACKs), reported separately.
import { createCore } from "../dist/core/node.js";
import { World, coreConfigFor } from "../dist/sim/world.js";
import { loadScenarioText } from "../dist/scenario/load.js";
import { worldSpecFromScenario } from "../dist/sim/from-scenario.js";
import { steadyStateWireSuite } from "./harness.js";

export const scenario = (receiver) => `
name: txpath-bench
seed: 1
duration: 60s
hosts:
  sender:
    sysctl: { net.core.default_qdisc: fq }
    nic: { rate: 10Gbit, tso: true, bql: true }
  receiver: ${receiver}
links:
  - { a: sender, b: receiver, rate: 10Gbit, delay: 50us }
traffic:
  - { kind: bulk, from: sender, to: receiver:5001, flows: 8 }
`;

async function world(receiver) {
  const spec = { ...worldSpecFromScenario(loadScenarioText(scenario(receiver), "txpath-bench")), timeseriesPoints: 2 };
  return new World(await createCore(coreConfigFor(spec)), spec);
}

export async function run(report) {
  const plain = await steadyStateWireSuite(report, { world: await world("{}"), suite: "tx path", name: "8 bulk flows, 10 Gbit, fq + BQL + TSO (wire packets)" });
  console.log(`txpath: ${plain.toFixed(0)} wire packets per simulated second`);
  const coalesced = await steadyStateWireSuite(report, {
    world: await world("{ nic: { rxUsecs: 8us } }"),
    suite: "tx path",
    name: "same, receiver rx-usecs 8 us (wire packets)",
  });
  console.log(`txpath (rx-usecs 8 us): ${coalesced.toFixed(0)} wire packets per simulated second`);
}
