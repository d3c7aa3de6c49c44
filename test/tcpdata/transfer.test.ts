// End-to-end data transfer over real connections: ACK clocking, link
// utilisation, loss recovery, zero window, request/response; every skb
// accounted for by the ledger.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";

const closed = (r: { ledger: { unaccounted: number }; pool: { balanced: boolean } }) => {
  expect(r.ledger.unaccounted).toBe(0);
  expect(r.pool.balanced).toBe(true);
};

describe("bulk TCP", () => {
  it("a lossless bulk flow over 10 Gbit / 100 us RTT reaches >= 95% of the link rate", async () => {
    const { report } = await runWorld(pair({ durationNs: 20e6 }, [bulk()]));
    closed(report);
    const ab = report.links.find((l) => l.a === "a")!;
    // 1514-byte frames take 1538 wire bytes: 1230.4 ns each at 10 Gbit/s
    expect(ab.packets).toBeGreaterThanOrEqual(0.95 * (20e6 / 1230.4));
    const f = report.flows[0]!;
    const payloadRate = 10e9 * (1448 / 1538);
    expect(f.goodputBps).toBeGreaterThanOrEqual(0.95 * payloadRate);
    expect(f.retransmits).toBe(0);
    expect(report.ledger.dropped).toEqual({});
    // autotuning grew the receiver's buffer, the sender's followed cwnd
    expect(f.rcvbufMax).toBeGreaterThan(131072);
    expect(f.sndbufMax).toBeGreaterThan(87040);
    expect(f.srttUs).toBeGreaterThanOrEqual(100);
  });

  it("a lossy link triggers SACK fast retransmit and recovery; all data arrives; the ledger closes", async () => {
    const { report, w } = await runWorld(pair({ durationNs: 30e6, rateBps: 1e9, loss: 0.002 }, [bulk()]));
    closed(report);
    const a = report.hosts.a!.nstat;
    expect(report.ledger.dropped.LINK_LOSS).toBeGreaterThan(0);
    expect(a.TcpExtTCPFastRetrans).toBeGreaterThan(0);
    expect(a.TcpExtTCPSackRecovery).toBeGreaterThan(0);
    expect(a.TcpRetransSegs).toBeGreaterThanOrEqual(a.TcpExtTCPFastRetrans!);
    expect(report.hosts.b!.nstat.TcpExtTCPOFOQueue).toBeGreaterThan(0);
    const f = [...w.flows.values()][0]!;
    // what the receiver read is a prefix of what the sender had ACKed
    expect(f.receiver!.bytesRead).toBeGreaterThanOrEqual(f.sender!.sndUna - f.sender!.mss);
    expect(report.flows[0]!.retransmits).toBe(a.TcpRetransSegs);
  });

  it("Reno without SACK recovers from loss by duplicate ACKs", async () => {
    const sys = { "net.ipv4.tcp_sack": 0 };
    const { report } = await runWorld(pair({ durationNs: 30e6, rateBps: 1e9, loss: 0.002, sysctl: sys, clientSysctl: sys }, [bulk({ cc: "reno" })]));
    closed(report);
    expect(report.hosts.a!.nstat.TcpExtTCPRenoRecovery).toBeGreaterThan(0);
    expect(report.flows[0]!.bytes).toBeGreaterThan(1e6);
  });

  it("a finite transfer completes, both ends close, and goodput counts the bytes", async () => {
    const { report } = await runWorld(pair({ durationNs: 50e6 }, [bulk({ bytes: 1_000_000 })]));
    closed(report);
    expect(report.flows[0]!.bytes).toBe(1_000_000);
    expect(report.hosts.a!.tcpStates).toMatchObject({ TIME_WAIT: 1 });
  });

  it("a slow reader with SO_RCVBUF 64 KB: zero window, window probes, and the locked buffer never grows", async () => {
    const { report } = await runWorld(
      pair({ durationNs: 1.5e9, app: { kind: "sink", readRate: 20_000, rcvbuf: 65536 } }, [bulk()]),
    );
    closed(report);
    const b = report.hosts.b!.nstat;
    expect(b.TcpExtTCPToZeroWindowAdv).toBeGreaterThan(0);
    expect(b.TcpExtTCPFromZeroWindowAdv).toBeGreaterThan(0);
    expect(report.flows[0]!.rcvbufMax).toBe(131072);
    expect(report.flows[0]!.rcvbuf).toBe(131072);
    // ~20 kB/s for 1.5 s plus the first window
    expect(report.flows[0]!.bytes).toBeLessThan(131072 + 1.5 * 20_000 + 3 * 1448);
  });
});

describe("request/response (TCP_RR)", () => {
  it("one transaction per round trip: latency ~ RTT, no retransmits", async () => {
    const { report } = await runWorld(
      pair({ durationNs: 20e6, app: { kind: "rr", request: 100, response: 200 } }, [
        { kind: "rr", from: "a", to: "b", port: 5001, flows: 1, request: 100, response: 200, at: 0 },
      ]),
    );
    closed(report);
    const f = report.flows[0]!;
    expect(f.transactions).toBeGreaterThan(150);
    expect(f.meanLatencyUs).toBeGreaterThanOrEqual(100);
    expect(f.meanLatencyUs).toBeLessThan(130);
    expect(f.retransmits).toBe(0);
  });
});
