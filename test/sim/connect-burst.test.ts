// 20000 connect() calls at one instant: each SYN-SENT socket holds its retransmit timer (and the server's
// request sockets theirs), so the timing wheel is sized for the connections a traffic item can open at once
// (review13b #2). Before: the wheel was sized from the queues only and refused the 18360th pending event
// ("a full wheel needs a larger core.wheelEntries", a field no scenario can set).
import { expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { loadScenarioText } from "../../src/scenario/load.js";
import { simulate, coreConfigForScenario } from "../../src/sim/simulate.js";

it("20000 connects started at once run and close the ledger", async () => {
  const s = loadScenarioText(`name: probe
duration: 10ms
hosts:
  server:
    sockets: [{ listen: 7000 }]
  client: {}
links:
  - { a: client, b: server }
traffic:
  - { kind: connect, from: client, to: server:7000, count: 20000 }
`, "probe.yaml");
  const core = await createCore(coreConfigForScenario(s));
  const r = simulate(core, s);
  expect(r.ledger.unaccounted).toBe(0);
  // every connect() sent its SYN
  expect(r.traffic[0]!.packets).toBe(20000);
});
