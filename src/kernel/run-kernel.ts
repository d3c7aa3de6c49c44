// Node-only: run one case on the live kernel in two fresh namespaces and read
// the integers back with ss and nstat. Every command has a timeout and the
// namespaces are deleted whatever happens.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { OUTCOME_KEYS, type KernelCase, type Outcome } from "./cases.js";
import { Background, exec, KernelHarnessError } from "./exec.js";
import { CLIENT_ADDR, NetnsPair, SERVER_ADDR } from "./netns.js";
import { countSsStates, parseNstat, parseSsListener } from "./parse.js";
import { CLIENTS_PY, LISTENER_PY, python3 } from "./programs.js";

/** Source of fixed-spoof SYNs: no host has it; the client namespace drops the SYN-ACKs. */
export const FIXED_SPOOF_ADDR = "10.99.0.1";
/** hping3 waits this long after its last packet (COUNTREACHED_TIMEOUT) before exiting. */
const HPING_TAIL_MS = 1000;
/** How long the server's counters may take to account for every SYN hping3 sent, and how often they are read. */
const FLOOD_POLL_LIMIT_MS = 3000;
const FLOOD_POLL_EVERY_MS = 20;

export interface KernelRun {
  outcome: Outcome;
  /** SYNs that reached the server's TCP (TcpInSegs); for connect cases the number of connect()s. */
  synsDelivered: number;
  /** SYNs hping3 sent (flood cases; for connect cases the number of connect()s). */
  synsSent: number;
  /** Flood SYNs IP dropped for their martian source (IpInReceives − IpInDelivers at the server); 0 for connect cases. */
  martians: number;
  /** Every server nstat counter, absolute (the namespace is fresh, so these are the case's deltas). */
  nstat: Record<string, number>;
  /** Wall-clock ms from the first packet to the measurement. */
  elapsedMs: number;
}

export async function runKernelCase(c: KernelCase): Promise<KernelRun> {
  if (!Number.isInteger(c.backlog) || c.backlog < 0) throw new KernelHarnessError(`case ${c.name}: backlog ${c.backlog} (python passes only 0..INT_MAX unchanged)`);
  const py = python3();
  const pair = await NetnsPair.create();
  const programs: Background[] = [];
  const start = (ns: string, cmd: string, args: string[]): Background => {
    const [c0, a0] = pair.argv(ns, cmd, args);
    const b = new Background(c0, a0);
    programs.push(b);
    return b;
  };
  try {
    for (const [name, value] of Object.entries(c.sysctl)) await pair.sysctl(pair.server, name, value);

    const listener = start(pair.server, py, ["-c", LISTENER_PY, SERVER_ADDR, String(c.port), String(c.backlog)]);
    await listener.waitForLine("ready", 5000);

    // NSTAT_HISTORY names a file that is never written (-s): no history anywhere.
    const nstatEnv = { ...process.env, NSTAT_HISTORY: join(tmpdir(), `skbk-nstat-${process.pid}.none`) };
    const trafficMs = (c.traffic.count * c.traffic.gapUs) / 1000;
    const t0 = performance.now();
    if (c.traffic.kind === "connect") {
      const clients = start(pair.client, py, ["-c", CLIENTS_PY, SERVER_ADDR, String(c.port), String(c.traffic.count), String(c.traffic.gapUs)]);
      await clients.waitForLine("done", trafficMs * 2 + 5000);
      await sleep(c.settleMs);
    } else {
      const spoof = c.traffic.spoof === "random" ? ["--rand-source"] : ["-a", FIXED_SPOOF_ADDR];
      const args = ["-q", "-S", "-p", String(c.port), "-c", String(c.traffic.count), "-i", `u${c.traffic.gapUs}`, ...spoof, SERVER_ADDR];
      // Exit status is 1 when nothing answered — the normal outcome here.
      const r = await pair.exec(pair.client, "hping3", args, { timeoutMs: trafficMs * 2 + HPING_TAIL_MS + 5000, allowFail: true });
      const sent = /(\d+) packets transmitted/.exec(r.stdout + r.stderr);
      if (!sent || Number(sent[1]) !== c.traffic.count) {
        throw new KernelHarnessError(`hping3 sent ${sent ? sent[1] : "?"} of ${c.traffic.count} SYNs: ${(r.stderr || r.stdout).trim().split("\n")[0]}`);
      }
      await sleep(Math.max(0, c.settleMs - HPING_TAIL_MS));
      await waitForSyns(pair, nstatEnv, c.traffic.count);
    }
    const elapsedMs = performance.now() - t0;

    const [listen, serverSocks, clientSocks, nstatOut] = await Promise.all([
      pair.exec(pair.server, "ss", ["-Hlnt"]),
      pair.exec(pair.server, "ss", ["-Htan"]),
      pair.exec(pair.client, "ss", ["-Htan"]),
      pair.exec(pair.server, "nstat", ["-asz"], { env: nstatEnv }),
    ]);
    const l = parseSsListener(listen.stdout, c.port);
    const srv = countSsStates(serverSocks.stdout, c.port);
    const cli = countSsStates(clientSocks.stdout, c.port);
    const nstat = parseNstat(nstatOut.stdout);
    const outcome = {} as Outcome;
    for (const k of OUTCOME_KEYS) outcome[k] = nstat[k] ?? 0;
    outcome.backlog = l.sendQ;
    outcome.acceptQueue = l.recvQ;
    outcome.synRecv = srv["SYN_RECV"] ?? 0;
    outcome.serverEstablished = srv["ESTABLISHED"] ?? 0;
    outcome.clientEstablished = cli["ESTABLISHED"] ?? 0;
    outcome.clientSynSent = cli["SYN_SENT"] ?? 0;
    const flood = c.traffic.kind === "syn-flood";
    const synsDelivered = flood ? (nstat["TcpInSegs"] ?? 0) : c.traffic.count;
    const martians = flood ? (nstat["IpInReceives"] ?? 0) - (nstat["IpInDelivers"] ?? 0) : 0;
    return { outcome, synsDelivered, synsSent: c.traffic.count, martians, nstat, elapsedMs };
  } finally {
    for (const p of programs) p.kill();
    await Promise.all(programs.map((p) => p.waitForExit(2000).catch(() => undefined)));
    await pair.destroy();
  }
}

export { CLIENT_ADDR, SERVER_ADDR };

/**
 * hping3 can return before the server's kernel has taken all its SYNs up the
 * stack: read the server's nstat until IP has received every one
 * (IpInReceives: martian sources included), TCP is inside none
 * (ip_protocol_deliver_rcu counts IpInDelivers after tcp_v4_rcv returns, and
 * tcp_v4_rcv counts TcpInSegs first, so they are equal between SYNs), and two
 * reads in a row agree; at most FLOOD_POLL_LIMIT_MS.
 */
async function waitForSyns(pair: NetnsPair, env: NodeJS.ProcessEnv, sent: number): Promise<void> {
  const deadline = performance.now() + FLOOD_POLL_LIMIT_MS;
  let last = "";
  for (;;) {
    const r = await pair.exec(pair.server, "nstat", ["-asz", "IpInReceives", "IpInDelivers", "TcpInSegs"], { env });
    const n = parseNstat(r.stdout);
    const [rcv, dlv, tcp] = [n["IpInReceives"] ?? 0, n["IpInDelivers"] ?? 0, n["TcpInSegs"] ?? 0];
    const now = `${rcv}/${dlv}/${tcp}`;
    if (rcv >= sent && dlv === tcp && now === last) return;
    if (performance.now() > deadline) {
      throw new KernelHarnessError(`the server's IP received ${rcv} of ${sent} SYNs (IpInDelivers ${dlv}, TcpInSegs ${tcp}) after ${FLOOD_POLL_LIMIT_MS} ms`);
    }
    last = now;
    await sleep(FLOOD_POLL_EVERY_MS);
  }
}
