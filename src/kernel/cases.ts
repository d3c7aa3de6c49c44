// The kernel-check cases (issue 4 part 8): the setups run both on the live
// kernel and in the model. What a 6.18 kernel gives for each is the table in
// test/kernel/kernel.test.ts and README.md (kernel-check). Plain data.

/** The integers compared between the live kernel and the model, in table order. */
export const OUTCOME_KEYS = [
  "backlog",
  "acceptQueue",
  "synRecv",
  "serverEstablished",
  "clientEstablished",
  "clientSynSent",
  "TcpPassiveOpens",
  "TcpExtListenOverflows",
  "TcpExtListenDrops",
  "TcpExtTCPReqQFullDrop",
  "TcpExtTCPReqQFullDoCookies",
  "TcpExtSyncookiesSent",
  "TcpExtSyncookiesRecv",
  "TcpExtSyncookiesFailed",
] as const;
export type OutcomeKey = (typeof OUTCOME_KEYS)[number];

/**
 * One side's result: `ss -lnt` Send-Q (backlog) and Recv-Q (acceptQueue) of
 * the listener, SYN_RECV request socks and ESTABLISHED sockets on the server,
 * the clients' ESTABLISHED / SYN_SENT sockets, and server nstat counters.
 */
export type Outcome = Record<OutcomeKey, number>;

/** The sysctls a case sets in the server namespace (all per-netns). */
export interface CaseSysctls {
  "net.core.somaxconn": number;
  "net.ipv4.tcp_syncookies": number;
  "net.ipv4.tcp_max_syn_backlog": number;
  "net.ipv4.tcp_synack_retries": number;
  "net.ipv4.tcp_abort_on_overflow": number;
}

/** Linux defaults (6.x; tcp_max_syn_backlog with 262144 ehash buckets). */
export const DEFAULT_CASE_SYSCTLS: CaseSysctls = {
  "net.core.somaxconn": 4096,
  "net.ipv4.tcp_syncookies": 1,
  "net.ipv4.tcp_max_syn_backlog": 2048,
  "net.ipv4.tcp_synack_retries": 5,
  "net.ipv4.tcp_abort_on_overflow": 0,
};

export type CaseTraffic =
  /** `count` real connect()s, one every gapUs. */
  | { kind: "connect"; count: number; gapUs: number }
  /**
   * `count` bare SYNs from hping3, one every gapUs, spoofed sources (random:
   * a new one per SYN, multicast ones die in IP before TCP; fixed: 10.99.0.1,
   * source port +1 per SYN, all reach TCP).
   */
  | { kind: "syn-flood"; count: number; gapUs: number; spoof: "random" | "fixed" };

export interface KernelCase {
  /** `[a-z0-9-]+`, for --case. */
  name: string;
  /** One line. */
  summary: string;
  port: number;
  /** listen() backlog, ≥ 0 (python passes it unchanged). */
  backlog: number;
  sysctl: CaseSysctls;
  traffic: CaseTraffic;
  /** Time from the end of the traffic to the measurement. */
  settleMs: number;
}

const ZERO: Outcome = Object.fromEntries(OUTCOME_KEYS.map((k) => [k, 0])) as Outcome;

/** An Outcome: zeros except the given keys. */
export function outcome(partial: Partial<Outcome>): Outcome {
  return { ...ZERO, ...partial };
}

const PORT = 7000;
/** 1 ms between packets. On veth each handshake completes inside connect(), so back-to-back connects give the same counts. */
const GAP_US = 1000;
/**
 * Measured this long after the last connect(): long enough for the last
 * handshake, well short of the first SYN retransmission (1 s after the first
 * overflowed SYN) that would count the overflow again.
 */
const CONNECT_SETTLE_MS = 200;
/** hping3 waits 1 s for replies after its last SYN before it exits. */
const FLOOD_SETTLE_MS = 1000;
const FLOOD_COUNT = 50;

/** listen(b), never accept, b+10 clients: more than the accept queue's b+1. */
function backlogCase(b: number): KernelCase {
  const clients = b + 10;
  return {
    name: `backlog-${b}`,
    summary: `listen(${b}), no accept(), ${clients} clients connect 1 ms apart`,
    port: PORT,
    backlog: b,
    sysctl: DEFAULT_CASE_SYSCTLS,
    traffic: { kind: "connect", count: clients, gapUs: GAP_US },
    settleMs: CONNECT_SETTLE_MS,
  };
}

/**
 * tcp_syncookies=2 with real clients: every SYN is answered with a cookie and
 * no request sock is made, the clients' ACKs are validated statelessly
 * (cookie_v4_check) and the accept queue fills as in backlogCase(b).
 */
function cookiesAlwaysCase(b: number): KernelCase {
  const c = backlogCase(b);
  return {
    ...c,
    name: `cookies-always-${b}`,
    summary: `tcp_syncookies=2, ${c.summary}`,
    sysctl: { ...DEFAULT_CASE_SYSCTLS, "net.ipv4.tcp_syncookies": 2 },
  };
}

/** FLOOD_COUNT bare SYNs from random spoofed sources (or one, `fixed`), 1 ms apart. */
function floodCase(name: string, summary: string, backlog: number, sysctl: Partial<CaseSysctls>, spoof: "random" | "fixed" = "random"): KernelCase {
  return {
    name,
    summary: `${summary}, ${FLOOD_COUNT} SYNs from ${spoof === "random" ? "random spoofed sources" : "one spoofed source, port +1 per SYN"}`,
    port: PORT,
    backlog,
    sysctl: { ...DEFAULT_CASE_SYSCTLS, ...sysctl },
    traffic: { kind: "syn-flood", count: FLOOD_COUNT, gapUs: GAP_US, spoof },
    settleMs: FLOOD_SETTLE_MS,
  };
}

export const KERNEL_CASES: readonly KernelCase[] = [
  backlogCase(0),
  backlogCase(1),
  backlogCase(8),
  backlogCase(128),
  cookiesAlwaysCase(8),
  floodCase("flood-cookies-0", "tcp_syncookies=0, listen(8)", 8, { "net.ipv4.tcp_syncookies": 0 }),
  floodCase("flood-cookies-1", "tcp_syncookies=1, listen(8)", 8, { "net.ipv4.tcp_syncookies": 1 }),
  floodCase("flood-cookies-2", "tcp_syncookies=2, listen(8)", 8, { "net.ipv4.tcp_syncookies": 2 }),
  floodCase("max-syn-backlog-16", "tcp_syncookies=0, tcp_max_syn_backlog=16, listen(1000)", 1000, {
    "net.ipv4.tcp_syncookies": 0,
    "net.ipv4.tcp_max_syn_backlog": 16,
  }),
  floodCase("flood-backlog-0", "tcp_syncookies=0, listen(0)", 0, { "net.ipv4.tcp_syncookies": 0 }),
  floodCase("flood-fixed-cookies-1", "tcp_syncookies=1, listen(8)", 8, { "net.ipv4.tcp_syncookies": 1 }, "fixed"),
];

export function findKernelCase(name: string): KernelCase | undefined {
  return KERNEL_CASES.find((c) => c.name === name);
}
