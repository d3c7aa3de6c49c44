// End to end through the transmit path: 8 bulk TCP flows over a 10 Gbit /
// 50 us link with fq as the sender's qdisc, BQL on the driver ring and TSO on
// the NIC (issue 6's comparison shape; ns-3 does about 25-41k wire packets per
// wall second on it here, so the target is >= 4M). One op = one simulated
// wire packet (data frames plus ACKs, both directions).
import { createCore } from "../dist/core/node.js";
import { World, coreConfigFor } from "../dist/sim/world.js";
import { loadScenarioText } from "../dist/scenario/load.js";
import { worldSpecFromScenario } from "../dist/sim/from-scenario.js";
import { runSuite } from "./harness.js";

const SLICE_NS = 2e6;
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

const wirePackets = (w) => w.linkDirections().reduce((n, d) => n + d.packets, 0);

export async function run(report) {
  const spec = { ...worldSpecFromScenario(loadScenarioText(SCENARIO, "txpath-bench")), timeseriesPoints: 2 };
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  for (const t of w.traffic) t.start();
  let end = 20e6; // past slow start
  w.loop.run(end);
  const before = wirePackets(w);
  for (let i = 0; i < 5; i++) w.loop.run((end += SLICE_NS));
  const perSlice = (wirePackets(w) - before) / 5;
  await runSuite(
    "tx path",
    [
      {
        name: "8 bulk flows, 10 Gbit, fq + BQL + TSO (wire packets)",
        opsPerCall: perSlice,
        fn: () => {
          w.loop.run((end += SLICE_NS));
        },
      },
    ],
    report,
    { unit: "Mpkt/s" },
  );
  const r = w.ledger.report(w.inFlight());
  if (r.unaccounted !== 0) throw new Error(`ledger: ${r.unaccounted} unaccounted`);
  console.log(`txpath: ${(perSlice / (SLICE_NS / 1e9)).toFixed(0)} wire packets per simulated second`);
}
