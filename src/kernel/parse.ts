// Parsers for the text the tools print: `ss -Hlnt`, `ss -Htan`, `nstat -asz`.
// Pure functions (tested on captured samples).
import { KernelHarnessError } from "./exec.js";

/** ss's short state names → Linux's state names (include/net/tcp_states.h). */
const SS_STATES: Record<string, string> = {
  ESTAB: "ESTABLISHED",
  "SYN-SENT": "SYN_SENT",
  "SYN-RECV": "SYN_RECV",
  "FIN-WAIT-1": "FIN_WAIT1",
  "FIN-WAIT-2": "FIN_WAIT2",
  "TIME-WAIT": "TIME_WAIT",
  UNCONN: "CLOSE",
  "CLOSE-WAIT": "CLOSE_WAIT",
  "LAST-ACK": "LAST_ACK",
  LISTEN: "LISTEN",
  CLOSING: "CLOSING",
};

/** Port of an `addr:port` column (IPv4, [IPv6] or *). */
function portOf(col: string): number {
  const i = col.lastIndexOf(":");
  return i < 0 ? NaN : Number(col.slice(i + 1));
}

/** From `ss -Hlnt`: Recv-Q (accept queue length) and Send-Q (backlog) of the listener on `port`. */
export function parseSsListener(text: string, port: number): { recvQ: number; sendQ: number } {
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    // State Recv-Q Send-Q Local Peer
    if (f.length >= 5 && f[0] === "LISTEN" && portOf(f[3]!) === port) {
      return { recvQ: Number(f[1]), sendQ: Number(f[2]) };
    }
  }
  throw new KernelHarnessError(`ss -lnt: no listener on port ${port} in ${JSON.stringify(text.trim())}`);
}

/**
 * From `ss -Htan`: TCP sockets by Linux state name (request socks show as
 * SYN_RECV). With `port`, only sockets whose local or peer port is `port`.
 */
export function countSsStates(text: string, port?: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    if (port !== undefined && portOf(f[3]!) !== port && portOf(f[4]!) !== port) continue;
    const state = SS_STATES[f[0]!] ?? f[0]!;
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return counts;
}

/** From `nstat -asz` (absolute values, zeros included): counter name → value. */
export function parseNstat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)\s+(\d+)(?:\s|$)/.exec(line.trim());
    if (m) out[m[1]!] = Number(m[2]);
  }
  if (Object.keys(out).length === 0) throw new KernelHarnessError(`nstat: no counters in ${JSON.stringify(text.slice(0, 80))}`);
  return out;
}
