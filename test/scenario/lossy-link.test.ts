// The built-in tcp-lossy-link: 1 % random loss each way on a 1 Gbit / 1 ms link shows TCP's SACK loss
// recovery (bulk flow) and the tail loss probe (rr responses), and every lost frame is a LINK_LOSS drop.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { loadBuiltinScenario } from "../../src/scenario/builtin.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";
import { coreConfigForScenario, simulate } from "../../src/sim/simulate.js";
import { runWorld } from "../tcpdata/helpers.js";

describe("built-in tcp-lossy-link", () => {
  it("is a bulk flow and an rr flow over one 1 Gbit / 1 ms link losing 1 % of frames", () => {
    const s = loadBuiltinScenario("tcp-lossy-link");
    expect(s.links).toEqual([{ a: "sender", b: "receiver", rate: 1e9, delay: 1e6, loss: 0.01, reorder: 0 }]);
    expect(s.traffic.map((t) => t.kind)).toEqual(["bulk", "rr"]);
  });

  it("closes its ledger: the only drops are LINK_LOSS, one per frame the link lost", async () => {
    const { w, report } = await runWorld(worldSpecFromScenario(loadBuiltinScenario("tcp-lossy-link")));
    const l = report.ledger;
    expect(l.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
    expect(Object.keys(l.dropped)).toEqual(["LINK_LOSS"]);
    expect(l.created).toBe(l.delivered + l.dropped.LINK_LOSS! + l.inFlight);
    // Per direction, the frames that left the transmitter either reached the far NIC (its RX queue
    // packets and rx_missed), are still on the wire, or were lost: counted independently of the ledger.
    let lost = 0;
    let sent = 0;
    for (const d of w.linkDirections()) {
      const far = report.hosts[d.toName]!;
      const arrived = far.rxQueues.reduce((a, q) => a + q.packets + q.drops, 0);
      sent += d.packets;
      lost += d.packets - arrived - d.inTransit;
    }
    expect(lost).toBe(l.dropped.LINK_LOSS);
    // Bernoulli(0.01) per frame: ~10 000 frames give ~100 +- 10 losses; 4 sigma either side
    const sigma = Math.sqrt(sent * 0.01 * 0.99);
    expect(Math.abs(lost - 0.01 * sent)).toBeLessThan(4 * sigma);
  });

  it("shows SACK recovery, fast retransmits, tail loss probes, cwnd cuts and goodput far below the link rate", async () => {
    const { report } = await runWorld(worldSpecFromScenario(loadBuiltinScenario("tcp-lossy-link")));
    const tx = report.hosts.sender!.nstat;
    const rx = report.hosts.receiver!.nstat;
    // the bulk sender: holes SACKed by later segments -> Recovery and fast retransmits
    expect(tx.TcpExtTCPSackRecovery).toBeGreaterThan(0);
    expect(tx.TcpExtTCPFastRetrans).toBeGreaterThan(0);
    // the rr responder: a lost last segment of a response has nothing after it to SACK it -> TLP
    expect(rx.TcpExtTCPLossProbes).toBeGreaterThan(0);
    // no reordering on this link, so no retransmission without a lost frame before it (a data segment, or
    // the ACK a probe waited for): retransmissions <= link losses
    const retrans = (tx.TcpRetransSegs ?? 0) + (rx.TcpRetransSegs ?? 0);
    expect(retrans).toBeGreaterThan(0);
    expect(retrans).toBeLessThanOrEqual(report.ledger.dropped.LINK_LOSS!);
    const bulk = report.flows.find((f) => f.kind === "bulk")!;
    expect(bulk.retransmits).toBeGreaterThan(0);
    // each recovery sets ssthresh = 0.7 cwnd (CUBIC beta 717/1024): the flow ends well below its peak
    expect(bulk.ssthresh).toBeLessThan(bulk.cwndMax);
    // Mathis et al.: MSS / RTT x sqrt(3/2) / sqrt(p) = 1448 x 8 / 2 ms x 1.22 / 0.1 = ~70.7 Mbit/s at the
    // 2 ms base RTT (less with queueing): twice that is still < 16 % of the 941 Mbit/s payload rate
    // (1 Gbit x 1448 / 1538 wire bytes)
    expect(bulk.goodputBps).toBeGreaterThan(0);
    expect(bulk.goodputBps).toBeLessThan(2 * 70.7e6);
  });

  it("is deterministic: the same seed gives a byte-identical JSON report", async () => {
    const s = loadBuiltinScenario("tcp-lossy-link");
    const json = async () => JSON.stringify(simulate(await createCore(coreConfigForScenario(s)), s));
    expect(await json()).toBe(await json());
  });
});
