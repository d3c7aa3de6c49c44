// The transmit-path built-ins (scenarios/tx-*.yaml) run and show what their comments claim;
// every built-in scenario closes its packet ledger and balances the skb pool.
import { describe, expect, it } from "vitest";
import { BUILTIN_SCENARIOS, loadBuiltinScenario } from "../../src/scenario/builtin.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";
import { runWorld } from "../tcpdata/helpers.js";

const run = async (name: string) => (await runWorld(worldSpecFromScenario(loadBuiltinScenario(name)))).report;

describe("TX built-in scenarios", () => {
  it("tx-bql-on vs tx-bql-off: BQL moves the backlog from the ring into fq, where the rr flow overtakes it", async () => {
    const on = await run("tx-bql-on");
    const off = await run("tx-bql-off");
    const rr = (r: typeof on) => r.flows.find((f) => f.kind === "rr")!;
    // TSO on: with BQL the ring holds about two 45-segment descriptors (limit 2 x 45 x 1514 = 136260);
    // without it the ring holds what TSQ lets the socket put below TCP (~0.5 MB here)
    expect(on.hosts.sender!.txQueues[0]!.bql.limit).toBeLessThanOrEqual(2 * 45 * 1514);
    expect(off.hosts.sender!.txQueues[0]!.bql.inflight).toBeGreaterThan(3 * 45 * 1514);
    // at 1 Gbit each 68 KB descriptor is 0.55 ms: the rr flow waits behind ~2-3 of them with BQL, behind all without
    expect(rr(on).srttUs * 2).toBeLessThan(rr(off).srttUs);
  });

  it("tx-fq-maxrate: fq maxrate 1Gbit holds a bulk flow on a 10 Gbit link below 1 Gbit/s of payload", async () => {
    const r = await run("tx-fq-maxrate");
    const g = r.flows[0]!.goodputBps;
    expect(g).toBeLessThanOrEqual(1e9);
    expect(g).toBeGreaterThan(0.8e9);
    expect(r.hosts.sender!.qdisc.eth0!.fq!.throttled as number).toBeGreaterThan(0);
  });

  it("tx-bulk-10g-tso vs tx-bulk-10g-no-tso: the same frames on the wire, one descriptor per GSO skb with TSO", async () => {
    const tso = await run("tx-bulk-10g-tso");
    const sw = await run("tx-bulk-10g-no-tso");
    const a = tso.hosts.sender!;
    const b = sw.hosts.sender!;
    expect(a.txOffload.eth0!.tsoSkbs).toBeGreaterThan(0);
    expect(a.txOffload.eth0!.gsoSkbs).toBe(0);
    expect(b.txOffload.eth0!.gsoSkbs).toBeGreaterThan(0);
    expect(b.txOffload.eth0!.tsoSkbs).toBe(0);
    // wire frames within 2% (both fill the link); descriptors completed: one per GSO skb vs one per frame
    expect(Math.abs(a.txQueues[0]!.packets - b.txQueues[0]!.packets) / b.txQueues[0]!.packets).toBeLessThan(0.02);
    expect(a.txQueues[0]!.completions * 10).toBeLessThan(b.txQueues[0]!.completions);
    // every frame completes as it leaves the wire (tx-usecs 0): all but the one being serialized at the end
    expect(b.txQueues[0]!.completions).toBeGreaterThanOrEqual(b.txQueues[0]!.packets - 1);
  });

  it("tx-fq-fairness: 8 flows through fq get within 5% of each other", async () => {
    const r = await run("tx-fq-fairness");
    const g = r.flows.map((f) => f.goodputBps);
    expect(g).toHaveLength(8);
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    for (const x of g) expect(Math.abs(x - mean) / mean).toBeLessThan(0.05);
  });

  it.each(BUILTIN_SCENARIOS.map((s) => s.name).filter((n) => n.startsWith("tx-")))("%s: ledger closes, pool balanced", async (name) => {
    const r = await run(name);
    expect(r.ledger.unaccounted).toBe(0);
    expect(r.pool.balanced).toBe(true);
  });
});
