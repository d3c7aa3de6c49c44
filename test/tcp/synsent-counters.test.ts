// review14b #2: a SYN_SENT socket's counters against the live 6.18.44 kernel (measured
// in two namespaces: listen(0) never accepting, 3 connect()s 1 ms apart; the first connects, two retry).
// net/ipv4/tcp_timer.c: tcp_retransmit_timer -> tcp_enter_loss -> tcp_timeout_mark_lost -> tcp_mark_skb_lost:
// a SYN already retransmitted (TCPCB_LOST | TCPCB_SACKED_RETRANS) counts TCPLostRetransmit at every later RTO
// that reaches tcp_enter_loss; tcp_write_err counts TCPAbortOnTimeout when connect() gives up.
import { describe, expect, it } from "vitest";
import { loadScenarioText } from "../../src/scenario/load.js";
import { runScenario } from "../../src/run-scenario.js";

async function client(synRetries: number, duration: string): Promise<Record<string, number>> {
  const doc = {
    name: "r14b-synsent",
    seed: 1,
    duration,
    hosts: {
      server: { addr: "10.200.0.1", sockets: [{ listen: 7000, backlog: 0, accept: false }] },
      client: { addr: "10.200.0.2", sysctl: { "net.ipv4.tcp_syn_retries": synRetries } },
    },
    links: [{ a: "client", b: "server", rate: "10Gbit", delay: "0s" }],
    traffic: [{ kind: "connect", from: "client", to: "server:7000", count: 3, rate: "1000/s" }],
  };
  const r = await runScenario(loadScenarioText(JSON.stringify(doc), "probe"));
  return r.hosts["client"]!.nstat;
}

describe("SYN_SENT counters vs the live kernel", () => {
  it("tcp_syn_retries=1, read at 4.5 s: 2 connect()s fail (kernel: TCPAbortOnTimeout 2, TCPLostRetransmit 2)", async () => {
    const n = await client(1, "4500ms");
    expect(n["TcpAttemptFails"]).toBe(2); // matches today
    expect(n["TcpExtTCPTimeouts"]).toBe(6); // matches today
    expect(n["TcpExtTCPAbortOnTimeout"] ?? 0).toBe(2); // before: 0
    expect(n["TcpExtTCPLostRetransmit"] ?? 0).toBe(2); // before: 0
  });
  it("default retries, read at 13 s: 7 SYN retransmissions each (kernel: TCPLostRetransmit 12)", async () => {
    const n = await client(6, "13s");
    expect(n["TcpExtTCPSynRetrans"]).toBe(14); // matches today
    expect(n["TcpExtTCPLostRetransmit"] ?? 0).toBe(12); // before: 0
  });
});
