// Every built-in scenario (now through the full TX path: qdisc, GSO/TSO, BQL, TSQ) closes its
// packet ledger and balances the skb pool. flood-with-clients (~6 s) is left to its own tests.
import { describe, expect, it } from "vitest";
import { BUILTIN_SCENARIOS, loadBuiltinScenario } from "../../src/scenario/builtin.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";
import { runWorld } from "../tcpdata/helpers.js";

describe("every built-in scenario conserves packets", () => {
  it.each(BUILTIN_SCENARIOS.map((s) => s.name).filter((n) => n !== "flood-with-clients"))("%s: created = delivered + dropped + in flight; pool balanced", async (name) => {
    const { report } = await runWorld(worldSpecFromScenario(loadBuiltinScenario(name)));
    const l = report.ledger;
    const dropped = Object.values(l.dropped).reduce((a, b) => a + b, 0);
    expect(l.created).toBe(l.delivered + dropped + l.inFlight);
    expect(l.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });
});
