// The model side of a kernel case: the same setup as a skbsim scenario
// (server 10.200.0.1 with the listener and sysctls, client 10.200.0.2, one
// zero-delay link like a veth pair), run, and read back as the same integers.
import { loadScenarioText } from "../scenario/load.js";
import type { Scenario } from "../scenario/types.js";
import type { Report } from "../report/build.js";
import { runScenario } from "../run-scenario.js";
import { OUTCOME_KEYS, type KernelCase, type Outcome } from "./cases.js";
import { CLIENT_ADDR, SERVER_ADDR } from "./netns.js";

/** The scenario for case `c`; `synCount` replaces the flood's SYN count. */
export function scenarioForCase(c: KernelCase, synCount?: number): Scenario {
  const t = c.traffic;
  const count = t.kind === "syn-flood" && synCount !== undefined ? synCount : t.count;
  const perSec = Math.round(1e6 / t.gapUs);
  const durationUs = Math.round(count * t.gapUs + c.settleMs * 1000);
  const traffic =
    t.kind === "connect"
      ? { kind: "connect", from: "client", to: `server:${c.port}`, count, rate: `${perSec}/s` }
      : { kind: "syn-flood", from: "client", to: `server:${c.port}`, count, rate: `${perSec}/s`, spoof: t.spoof };
  const doc = {
    name: `kernel-${c.name}`,
    description: c.summary,
    seed: 1,
    duration: `${durationUs}us`,
    hosts: {
      server: {
        addr: SERVER_ADDR,
        sysctl: c.sysctl,
        sockets: [{ listen: c.port, backlog: c.backlog, accept: false }],
      },
      client: { addr: CLIENT_ADDR },
    },
    links: [{ a: "client", b: "server", rate: "10Gbit", delay: "0s" }],
    traffic: [traffic],
  };
  return loadScenarioText(JSON.stringify(doc), `kernel-check ${c.name}`);
}

/** The case's integers from a model report. */
export function outcomeFromReport(report: Report, c: KernelCase): Outcome {
  const server = report.hosts["server"];
  const client = report.hosts["client"];
  const listener = server?.listeners.find((l) => l.port === c.port);
  const out = {} as Outcome;
  for (const k of OUTCOME_KEYS) out[k] = server?.nstat[k] ?? 0;
  out.backlog = listener?.backlog ?? 0;
  out.acceptQueue = listener?.acceptQueue ?? 0;
  out.synRecv = server?.tcpStates["SYN_RECV"] ?? 0;
  out.serverEstablished = server?.tcpStates["ESTABLISHED"] ?? 0;
  out.clientEstablished = client?.tcpStates["ESTABLISHED"] ?? 0;
  out.clientSynSent = client?.tcpStates["SYN_SENT"] ?? 0;
  return out;
}

export interface ModelRun {
  outcome: Outcome;
  report: Report;
  /** SYNs the model's flood sent (for connect cases, the connect count). */
  synsSent: number;
  /** Of those, how many reached the server's TCP (TcpInSegs). */
  synsDelivered: number;
}

/**
 * Run case `c` in the model. For a flood, `synsAtTcp` is the number of SYNs
 * that reached the kernel's TCP: random spoofed sources include martian ones
 * that IP drops before TCP (src/net/martian.ts), in the kernel and in the
 * model alike, but not the same ones. So the model's flood is made as long as
 * it takes for as many of its SYNs to reach its TCP: each SYN added at the end
 * adds at most one, so adding the shortfall never overshoots.
 */
export async function runModelCase(c: KernelCase, synsAtTcp?: number): Promise<ModelRun> {
  const t = c.traffic;
  if (t.kind !== "syn-flood" || synsAtTcp === undefined) {
    const report = await runScenario(scenarioForCase(c));
    const delivered = report.hosts["server"]?.nstat["TcpInSegs"] ?? 0;
    return { outcome: outcomeFromReport(report, c), report, synsSent: t.count, synsDelivered: t.kind === "connect" ? t.count : delivered };
  }
  // each round adds at least one SYN; the bound only stops a flood whose sources never reach TCP
  for (let sent = Math.max(1, synsAtTcp), round = 0; ; round++) {
    const report = await runScenario(scenarioForCase(c, sent));
    const delivered = report.hosts["server"]?.nstat["TcpInSegs"] ?? 0;
    if (delivered >= synsAtTcp) return { outcome: outcomeFromReport(report, c), report, synsSent: sent, synsDelivered: delivered };
    if (round >= 64) throw new Error(`the model's flood of ${sent} SYNs got ${delivered} to TCP, not ${synsAtTcp}`);
    sent += synsAtTcp - delivered;
  }
}
