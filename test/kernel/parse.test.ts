// The ss / nstat parsers and the model scenarios of the kernel cases; runs
// everywhere (no namespaces needed). Samples captured on iproute2 6.1.
import { describe, expect, it } from "vitest";
import { countSsStates, parseNstat, parseSsListener } from "../../src/kernel/parse.js";
import { KERNEL_CASES, scenarioForCase } from "../../src/kernel/index.js";

const SS_LISTEN = `LISTEN 9      8         10.200.0.1:7000      0.0.0.0:*          \nLISTEN 0 4096 127.0.0.1:53 0.0.0.0:*\n`;
const SS_TAN_SERVER = [
  "LISTEN   9      8         10.200.0.1:7000       0.0.0.0:*",
  "ESTAB    0      0         10.200.0.1:7000    10.200.0.2:41234",
  "ESTAB    0      0         10.200.0.1:7000    10.200.0.2:41236",
  "SYN-RECV 0      0         10.200.0.1:7000   43.12.9.200:1234",
  "ESTAB    0      0         10.200.0.1:22      10.200.0.2:5000",
].join("\n");
const NSTAT = `#kernel
IpInReceives                    200                0.0
TcpPassiveOpens                 0                  0.0
TcpInSegs                       182                0.0
TcpExtListenDrops               173                0.0
TcpExtTCPReqQFullDrop           173                0.0
`;

describe("kernel-check parsers", () => {
  it("reads Recv-Q and Send-Q of the listener on the port", () => {
    expect(parseSsListener(SS_LISTEN, 7000)).toEqual({ recvQ: 9, sendQ: 8 });
    expect(() => parseSsListener(SS_LISTEN, 80)).toThrow(/no listener on port 80/);
  });
  it("counts sockets by Linux state name, optionally for one port", () => {
    expect(countSsStates(SS_TAN_SERVER, 7000)).toEqual({ LISTEN: 1, ESTABLISHED: 2, SYN_RECV: 1 });
    expect(countSsStates(SS_TAN_SERVER)).toEqual({ LISTEN: 1, ESTABLISHED: 3, SYN_RECV: 1 });
  });
  it("reads absolute nstat values", () => {
    expect(parseNstat(NSTAT)).toEqual({ IpInReceives: 200, TcpPassiveOpens: 0, TcpInSegs: 182, TcpExtListenDrops: 173, TcpExtTCPReqQFullDrop: 173 });
    expect(() => parseNstat("#kernel\n")).toThrow(/no counters/);
  });
});

describe("kernel-check model scenarios", () => {
  it("every case is a valid scenario with the case's listener, sysctls and traffic", () => {
    for (const c of KERNEL_CASES) {
      const s = scenarioForCase(c, 41);
      const server = s.hosts.find((h) => h.name === "server")!;
      expect(server.addr).toBe("10.200.0.1");
      expect(server.sockets).toHaveLength(1);
      expect(server.sockets[0]).toMatchObject({ listen: 7000, backlog: c.backlog, accept: { kind: "never" }, acceptDelay: 0 });
      for (const [k, v] of Object.entries(c.sysctl)) expect(server.sysctl[k as keyof typeof server.sysctl]).toBe(v);
      const t = s.traffic[0]!;
      expect(t.kind).toBe(c.traffic.kind);
      if (t.kind === "connect" || t.kind === "syn-flood") {
        expect(t.count).toBe(c.traffic.kind === "connect" ? c.traffic.count : 41);
        expect(t.rate).toBe(1000);
      }
      // Duration: the traffic (1 ms apart) plus the settle time, in ns.
      expect(s.duration).toBe(((c.traffic.kind === "connect" ? c.traffic.count : 41) + c.settleMs) * 1e6);
    }
  });
});
