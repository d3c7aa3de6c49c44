import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { coreConfigForScenario, loadScenarioText, simulate } from "../../src/api.js";
import { loadBuiltinScenario } from "../../src/scenario/builtin.js";

const yaml = (socket: string, size = 18, rate = "100k/s", duration = "2ms") => `
name: t
duration: ${duration}
hosts:
  server:
    sockets:
      - ${socket}
  client: {}
links:
  - { a: client, b: server }
traffic:
  - { kind: udp, from: client, to: server:9000, size: ${size}, rate: ${rate} }
`;

async function runText(text: string) {
  const s = loadScenarioText(text, "t.yaml");
  const core = await createCore(coreConfigForScenario(s));
  return { s, report: simulate(core, s) };
}

describe("UDP sockets in scenario files", () => {
  it("parses { udp, rcvbuf, readRate } into udpSockets and leaves TCP sockets alone", async () => {
    const { s, report } = await runText(yaml("{ udp: 9000, rcvbuf: 1MiB, readRate: false }"));
    expect(s.hosts[0]!.sockets).toEqual([]);
    expect(s.hosts[0]!.udpSockets).toEqual([{ udp: 9000, rcvbuf: 1048576, readRate: { kind: "never" } }]);
    // SO_RCVBUF 1 MiB capped at rmem_max 212992, doubled
    expect(report.hosts.server!.udpSockets[0]).toMatchObject({ port: 9000, rcvbuf: 425984, reads: 0 });
    // 2 ms at 100k/s = 200 datagrams (201 with the one at t = 2 ms), all fit (332 would)
    expect(report.hosts.server!.udpSockets[0]!.queued).toBe(report.hosts.server!.nstat.IpInReceives);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });

  it("sizes above the MTU are accepted on IPv4 and fragmented", async () => {
    const { report } = await runText(yaml("{ udp: 9000 }", 3000, "10k/s", "1ms"));
    // 3008 B of IP payload: 1480 + 1480 + 48
    const c = report.hosts.client!.nstat;
    expect(c.IpFragCreates).toBe(3 * c.IpFragOKs!);
    expect(report.hosts.server!.nstat.IpReasmOKs).toBe(report.hosts.server!.nstat.UdpInDatagrams);
    expect(report.ledger.unaccounted).toBe(0);
  });
});

describe("built-in UDP scenarios", () => {
  it("udp-rcvbuf-overflow: the queue holds 167, UdpInDatagrams follows the read rate", async () => {
    const s = loadBuiltinScenario("udp-rcvbuf-overflow");
    const report = simulate(await createCore(coreConfigForScenario(s)), s);
    const sock = report.hosts.server!.udpSockets[0]!;
    expect(sock).toMatchObject({ rcvbuf: 212992, queued: 167, rmemAlloc: 167 * 1280 });
    // one read every 5 us for 50 ms, from the first arrival
    expect(Math.abs(sock.reads - 10_000)).toBeLessThanOrEqual(2);
    const n = report.hosts.server!.nstat;
    expect(n.UdpInDatagrams).toBe(sock.reads);
    expect(n.UdpRcvbufErrors).toBe(n.IpInReceives! - sock.reads - 167);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });

  it("udp-fragments-loss: timeouts after 30 s, and ReasmFails from timeouts and from the memory limit", async () => {
    const s = loadBuiltinScenario("udp-fragments-loss");
    const report = simulate(await createCore(coreConfigForScenario(s)), s);
    const n = report.hosts.server!.nstat;
    expect(n.IpReasmTimeout).toBeGreaterThan(0);
    expect(n.IpReasmFails).toBeGreaterThan(n.IpReasmTimeout!);
    expect(n.IpReasmOKs).toBe(n.UdpInDatagrams);
    expect(report.ledger.dropped.FRAG_REASM_TIMEOUT).toBeGreaterThan(0);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });
});
