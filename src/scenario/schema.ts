// The shape of a scenario file as a zod schema. Objects are strict (an
// unknown key is an error listing the allowed keys); every leaf runs one of
// the strict unit parsers, and the parser's description of the accepted
// forms becomes the issue message, which toIssues() turns into the `allowed`
// of a ScenarioError. Defaults of single fields are applied here; defaults and
// checks that need other fields (addresses, sysctl merge, host references)
// are in validate.ts.
//
// To add a field: add it to the object below (with its parser and default),
// to types.ts, to validate.ts's build step, and to README.md, "Scenario files".

import { z } from "zod";
import { ScenarioError, joinPath, type ScenarioIssue } from "./errors.js";
import { parseSysctl, type SysctlName, type Sysctls } from "./sysctl.js";
import { parseByteRate, parseDuration, parseEventRate, parseRate, parseSize, type Bounds } from "./units.js";
import { parseIPv6 } from "../wire/addr.js";
import type { AcceptPolicy, CcName, Endpoint, ReadPolicy, TcpReadPolicy, UdpRate } from "./types.js";

const DAY_NS = 86_400e9;
const INT_MAX = 2 ** 31 - 1;
/** net.ipv4.ip_local_port_range default 32768..60999: ephemeral ports one sender can use at once. */
const EPHEMERAL_PORTS = 60999 - 32768 + 1;

export const NAME_RE = /^[a-z0-9-]+$/;
export const HOST_NAME_RE = /^[a-z][a-z0-9-]{0,63}$/;
const HOST_NAME_ALLOWED = "host name: a letter a-z, then a-z, 0-9 or -; at most 64 characters";

// ---- leaves ----------------------------------------------------------------

interface LeafOptions<T> {
  /** Value used when the key is absent; without it the key is required (and its absence reported). */
  default: T;
}

/** `allowed` of the error a parser throws, or rethrow anything else. */
function allowedOf(e: unknown): string {
  if (e instanceof ScenarioError) return e.allowed;
  throw e;
}

/**
 * A field checked by `parse`, which throws ScenarioError (its `allowed`
 * becomes the message). An absent key takes the default if there is one;
 * otherwise the parser sees undefined and reports it missing.
 */
function leaf<T>(parse: (v: unknown) => T): z.ZodPipe<z.ZodUnknown, z.ZodTransform<T, unknown>>;
function leaf<T>(parse: (v: unknown) => T, options: LeafOptions<T>): z.ZodDefault<z.ZodPipe<z.ZodUnknown, z.ZodTransform<T, unknown>>>;
function leaf<T>(parse: (v: unknown) => T, options?: LeafOptions<T>) {
  const base = z.unknown().transform((v, ctx): T => {
    try {
      return parse(v);
    } catch (e) {
      ctx.issues.push({ code: "custom", message: allowedOf(e), input: v });
      return z.NEVER;
    }
  });
  if (!options || !Object.prototype.hasOwnProperty.call(options, "default")) return base;
  // An absent key takes the default without running the parser (zod's ZodDefault); objects are copied per use.
  const d = options.default as T;
  return base.default(() => (d !== null && typeof d === "object" ? structuredClone(d) : d) as never);
}

function fail(v: unknown, allowed: string): never {
  throw new ScenarioError("", v, allowed);
}

function intIn(min: number, max: number, extra = "") {
  const allowed = `integer ${min}..${max}${extra}`;
  // `+ 0` turns -0 (YAML `-0`) into 0, so the Scenario round-trips through JSON
  return (v: unknown): number => (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? v + 0 : fail(v, allowed));
}

function pow2In(min: number, max: number) {
  const check = intIn(min, max, ", a power of 2");
  return (v: unknown): number => {
    const n = check(v);
    return (n & (n - 1)) === 0 ? n : fail(v, `integer ${min}..${max}, a power of 2`);
  };
}

function probability(v: unknown): number {
  return typeof v === "number" && v >= 0 && v <= 1 ? v + 0 : fail(v, "probability: a number 0..1");
}

const duration = (b: Bounds) => (v: unknown) => parseDuration(v, "", b);
const rate = (b: Bounds) => (v: unknown) => parseRate(v, "", b);
const size = (b: Bounds) => (v: unknown) => parseSize(v, "", b);
const eventRate = (b: Bounds) => (v: unknown) => parseEventRate(v, "", b);
const positive: Bounds = { min: 0, minExclusive: true };

function scenarioName(v: unknown): string {
  return typeof v === "string" && NAME_RE.test(v) && v.length <= 64 ? v : fail(v, "name: 1..64 characters a-z, 0-9, -");
}

function description(v: unknown): string {
  return typeof v === "string" && !/[\r\n]/.test(v) && v.length <= 200 ? v : fail(v, "one line of text, at most 200 characters");
}

const IPV4 = z.ipv4();
const IPV6 = z.ipv6();

export interface ParsedAddr {
  addr: string;
  family: 4 | 6;
}

/** A unicast address a host can own on its NIC: not unspecified, broadcast or multicast, and not one that
 *  6.12 drops when it arrives on a non-loopback device: 127.0.0.0/8 (net/ipv4/route.c: ip_route_input_slow,
 *  martian source/destination), ::1 (net/ipv6/ip6_input.c: ip6_rcv_core). The rest of 0.0.0.0/8 is unicast
 *  since 5.3 (ipv4_is_zeronet is addr == 0; two hosts at 0.1.2.3 and 0.1.2.4 connect over veth on 6.18.44). */
export function parseAddr(v: unknown): ParsedAddr {
  const allowed = "IPv4 or IPv6 unicast address, e.g. 10.0.0.2 or fd00::2";
  const local = `${allowed}; not 127.0.0.0/8 or ::1 (6.12 drops them as martians on a non-loopback device; lo is not modelled)`;
  if (typeof v !== "string") return fail(v, allowed);
  if (IPV4.safeParse(v).success) {
    const first = Number(v.split(".")[0]);
    if (v === "0.0.0.0" || v === "255.255.255.255" || (first >= 224 && first <= 239)) return fail(v, allowed);
    if (first === 127) return fail(v, local);
    return { addr: v, family: 4 };
  }
  if (IPV6.safeParse(v).success) {
    if (/^[:0]*$/.test(v) || /^ff/i.test(v)) return fail(v, allowed);
    const b = parseIPv6(v);
    if (b !== null && b[15] === 1 && b.subarray(0, 15).every((x) => x === 0)) return fail(v, local);
    return { addr: v, family: 6 };
  }
  return fail(v, allowed);
}

function acceptPolicy(v: unknown): AcceptPolicy {
  if (v === true) return { kind: "always" };
  if (v === false) return { kind: "never" };
  const allowed = "true (accept at once), false (never accept) or an event rate like 100/s";
  if (typeof v !== "string") return fail(v, allowed);
  try {
    return { kind: "rate", perSec: parseEventRate(v, "", positive) };
  } catch (e) {
    return fail(v, `${allowed}; ${allowedOf(e)}`);
  }
}

function readPolicy(v: unknown): ReadPolicy {
  if (v === true) return { kind: "always" };
  if (v === false) return { kind: "never" };
  const allowed = "true (read each datagram at once), false (never read) or a rate like 100k/s";
  if (typeof v !== "string") return fail(v, allowed);
  try {
    return { kind: "rate", perSec: parseEventRate(v, "", positive) };
  } catch (e) {
    return fail(v, `${allowed}; ${allowedOf(e)}`);
  }
}

function tcpReadPolicy(v: unknown): TcpReadPolicy {
  if (v === true) return { kind: "always" };
  if (v === false) return { kind: "never" };
  const allowed = "true (read everything at once), false (never read: the window closes) or a byte rate like 10MB/s";
  if (typeof v !== "string") return fail(v, allowed);
  try {
    return { kind: "rate", bytesPerSec: parseByteRate(v, "", positive) };
  } catch (e) {
    return fail(v, `${allowed}; ${allowedOf(e)}`);
  }
}

function ccName(v: unknown): CcName {
  return v === "cubic" || v === "reno" ? v : fail(v, "one of cubic (Linux's default), reno");
}

/** incast senders: a list of distinct host names (existence and links are checked in validate.ts). */
function senderList(v: unknown): string[] {
  const allowed = `a list of sender host names, e.g. [s1, s2, s3] (${HOST_NAME_ALLOWED})`;
  if (!Array.isArray(v) || v.length === 0 || v.length > 1024) return fail(v, `${allowed}; 1..1024 senders`);
  return v.map((h) => (typeof h === "string" && HOST_NAME_RE.test(h) ? h : fail(v, allowed)));
}

/** `host:port`, port 1..65535. Whether the host exists is checked in validate.ts. */
export function parseEndpoint(v: unknown): Endpoint {
  const m = typeof v === "string" ? /^([a-z][a-z0-9-]*):(\d{1,5})$/.exec(v) : null;
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) return fail(v, "host:port with a host name and a port 1..65535, e.g. server:7000");
  return { host: m[1]!, port };
}

function udpRate(v: unknown): UdpRate {
  const allowed = "packets per second like 14M/s, or a bit rate like 10Gbit (frame bits)";
  if (typeof v !== "string") return fail(v, allowed);
  if (v.includes("/")) {
    try {
      return { unit: "pps", value: parseEventRate(v, "", positive) };
    } catch (e) {
      return fail(v, `${allowed}; ${allowedOf(e)}`);
    }
  }
  try {
    return { unit: "bit/s", value: parseRate(v, "", positive) };
  } catch (e) {
    return fail(v, `${allowed}; ${allowedOf(e)}`);
  }
}

function spoof(v: unknown): "random" | "fixed" | "none" {
  return v === "random" || v === "fixed" || v === "none" ? v : fail(v, "one of random, fixed, none");
}

// ---- objects ---------------------------------------------------------------

/** A strict object: unknown keys name the allowed ones; a non-object names its keys. */
function obj<S extends z.ZodRawShape>(what: string, shape: S) {
  const keys = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (iss) => (iss.code === "unrecognized_keys" ? `unknown key; allowed keys: ${keys}` : `${what}: a mapping with keys ${keys}`),
  });
}

function list<T extends z.ZodType>(what: string, item: T) {
  return z.array(item, { error: `a list of ${what}` }).default(() => []);
}

const sysctlBlock = z
  .record(z.string(), z.unknown(), { error: "a mapping of sysctl name (e.g. net.core.somaxconn) to value" })
  .transform((rec, ctx): Partial<Sysctls> => {
    const out: Partial<Record<SysctlName, unknown>> = {};
    for (const [name, value] of Object.entries(rec)) {
      try {
        out[name as SysctlName] = parseSysctl(name, value, "");
      } catch (e) {
        ctx.issues.push({ code: "custom", message: allowedOf(e), input: value, path: [name] });
      }
    }
    return out as Partial<Sysctls>;
  })
  .default(() => ({}));

const nicSchema = obj("nic", {
  queues: leaf(intIn(1, 1024), { default: 1 }),
  rate: leaf(rate(positive), { default: 10e9 }),
  mtu: leaf(size({ min: 68, max: 65535 }), { default: 1500 }),
  rxRing: leaf(pow2In(8, 65536), { default: 1024 }),
  txRing: leaf(pow2In(8, 65536), { default: 1024 }),
  // include/net/pkt_sched.h: DEFAULT_TX_QUEUE_LEN 1000; net/core/dev.c: dev_change_tx_queue_len (> S16_MAX: ERANGE)
  // dev->tx_queue_len; 0 is refused: 6.12's pfifo_fast_init refuses a zero-length ring and
  // attach_default_qdiscs falls back to noqueue, which the model does not have (and its TCP gate, README
  // *Transmit path*, reads txqueuelen for fq too). 32767 is the model's bound (Linux takes a u32).
  txqueuelen: leaf(intIn(1, 32767, "; 0 would be noqueue in 6.12 (pfifo_fast_init refuses a zero-length ring), not modelled"), { default: 1000 }),
  // ethtool -C rx-usecs / rx-frames (0 = interrupt at once / no frame limit)
  rxUsecs: leaf(duration({ min: 0, max: 1e9 }), { default: 0 }),
  rxFrames: leaf(intIn(0, 65535), { default: 0 }),
  // /proc/irq/N/smp_affinity_list per RX queue; [] = queue % cpus (checked against cpus in validate.ts)
  irqAffinity: leaf(cpuList, { default: [] as number[] }),
  // ethtool -K rxhash / -N rx-flow-hash: the hash the NIC puts in the skb
  rxhash: leaf(rxhashMode, { default: "l4" as const }),
  // ethtool -K gro on|off (NETIF_F_GRO; on by default, net/core/dev.c: NETIF_F_SOFT_FEATURES)
  gro: leaf((v) => (typeof v === "boolean" ? v : fail(v, "true or false")), { default: true }),
  // /sys/class/net/DEV/gro_flush_timeout (ns, an unsigned long in Linux; the model takes up to 1 s)
  groFlushTimeout: leaf(duration({ min: 0, max: 1e9 }), { default: 0 }),
  // /sys/class/net/DEV/napi_defer_hard_irqs (net/core/net-sysfs.c: change_napi_defer_hard_irqs, > S32_MAX is ERANGE)
  napiDeferHardIrqs: leaf(intIn(0, 2147483647), { default: 0 }),
  // ethtool -C tx-usecs / tx-frames: TX completion interrupt coalescing (0 = complete each frame as it leaves)
  txUsecs: leaf(duration({ min: 0, max: 1e9 }), { default: 0 }),
  txFrames: leaf(intIn(0, 65535), { default: 0 }),
  // ethtool -K tso on|off (NETIF_F_TSO; on by default): the NIC segments TCP's GSO skbs, else software GSO
  tso: leaf((v) => (typeof v === "boolean" ? v : fail(v, "true or false")), { default: true }),
  // byte queue limits on every TX queue (off = limit_min "max", as `echo max > limit_min` disables it)
  bql: leaf((v) => (typeof v === "boolean" ? v : fail(v, "true or false")), { default: true }),
  // tc qdisc ... fq maxrate RATE on each TX queue's fq (0 = no cap); used when net.core.default_qdisc is fq
  fqMaxrate: leaf(fqMaxrate, { default: 0 }),
  // /sys/class/net/DEV/queues/tx-N/xps_cpus and xps_rxqs: per TX queue a CPU list / RX queue list ([] = XPS off)
  xps: leaf(xpsMaps, { default: { cpus: [] as number[][], rxqs: [] as number[][] } }),
});

/**
 * nic.fqMaxrate in bit/s. TCA_FQ_FLOW_MAX_RATE is a u32 of bytes/s (net/sched/sch_fq.c: fq_change, ~0U =
 * unlimited) and tc's get_rate truncates bits / 8 to whole bytes and refuses what does not fit a u32, so
 * 34359738367 bit/s (4294967295 B/s, unlimited) is the most; from-scenario floors to bytes/s as tc does.
 */
export const FQ_MAXRATE_MAX_BITS = 0xffffffff * 8 + 7;
function fqMaxrate(v: unknown): number {
  if (v === 0 || v === "0") return 0;
  try {
    return parseRate(v, "", { min: 0, minExclusive: true, max: FQ_MAXRATE_MAX_BITS });
  } catch (e) {
    return fail(v, `${allowedOf(e)}; or 0 for none (fq's maxrate is a u32 of bytes/s: tc floors bit/s to whole bytes/s)`);
  }
}

/** nic.xps: { cpus: [[0], [1]], rxqs: [[0], [1]] } — entry i is TX queue i's mask. */
function xpsMaps(v: unknown): { cpus: number[][]; rxqs: number[][] } {
  const allowed = "a mapping { cpus: [[...], ...], rxqs: [[...], ...] } with one list per TX queue";
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(v, allowed);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== "cpus" && k !== "rxqs") return fail(v, allowed);
  const lists = (x: unknown): number[][] => (x === undefined ? [] : Array.isArray(x) && x.length <= 1024 ? x.map((l) => cpuList(l)) : fail(v, allowed));
  return { cpus: lists(o.cpus), rxqs: lists(o.rxqs) };
}

/** A CPU list: [0, 2, 3]. */
function cpuList(v: unknown): number[] {
  const allowed = "a list of CPU numbers, e.g. [0, 1, 2, 3]";
  if (!Array.isArray(v) || v.length > 1024) return fail(v, allowed);
  return v.map((c) => (typeof c === "number" && Number.isInteger(c) && c >= 0 && c < 1024 ? c + 0 : fail(v, allowed)));
}

/** A cpumask as sysfs takes it (hex, comma-separated 32-bit groups, e.g. "f" or "ff,00000000") or a CPU list. */
export function parseCpuMask(v: unknown): number[] {
  if (Array.isArray(v)) return cpuList(v);
  const allowed = 'a hex cpumask like "f" or "ff,ffffffff", or a list of CPU numbers like [0, 1]';
  if (typeof v !== "string" || !/^[0-9a-fA-F]{1,8}(,[0-9a-fA-F]{1,8})*$/.test(v)) return fail(v, allowed);
  const groups = v.split(",").reverse();
  const out: number[] = [];
  groups.forEach((g, gi) => {
    const n = parseInt(g, 16);
    for (let b = 0; b < 32; b++) if ((n >>> b) & 1) out.push(gi * 32 + b);
  });
  if (out.some((c) => c >= 1024)) return fail(v, allowed);
  return out;
}

function rxhashMode(v: unknown): "l4" | "l3" | "off" {
  return v === "l4" || v === "l3" || v === "off" ? v : fail(v, "one of l4 (addresses and ports), l3 (addresses only), off (no hash in the skb)");
}

/** rps.cpus: one mask for every RX queue, or a list with one mask per queue. */
function rpsCpus(v: unknown): { all: number[] } | { perQueue: number[][] } {
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string" || Array.isArray(x))) {
    return { perQueue: v.map((x) => parseCpuMask(x)) };
  }
  return { all: parseCpuMask(v) };
}

const rpsSchema = obj("rps", {
  cpus: leaf(rpsCpus, { default: { all: [] as number[] } as { all: number[] } | { perQueue: number[][] } }),
  // net/core/net-sysfs.c: store_rps_dev_flow_table_cnt — rounded up to a power of 2
  flowCnt: leaf(intIn(0, 2 ** 29), { default: 0 }),
  arfs: leaf((v) => (typeof v === "boolean" ? v : fail(v, "true or false")), { default: false }),
  // net.core.flow_limit_cpu_bitmap
  flowLimit: leaf(parseCpuMask, { default: [] as number[] }),
});

/** A cost: a bare number of ns, or a duration; either way 0..1 s. */
const nsCost = leaf((v) =>
  typeof v === "number" ? (Number.isFinite(v) && v >= 0 && v <= 1e9 ? v + 0 : fail(v, "a number of ns 0..1000000000 (at most 1 s), or a duration like 300ns or 1.5us")) : parseDuration(v, "", { min: 0, max: 1e9 }),
);
const costSchema = obj("cost", {
  irq: nsCost.optional(),
  ipi: nsCost.optional(),
  ipiLatency: nsCost.optional(),
  softirq: nsCost.optional(),
  driver: nsCost.optional(),
  gro: nsCost.optional(),
  ip: nsCost.optional(),
  tcp: nsCost.optional(),
  udp: nsCost.optional(),
  backlogEnqueue: nsCost.optional(),
  backlogDequeue: nsCost.optional(),
  app: nsCost.optional(),
  copyPerByte: nsCost.optional(),
  remote: nsCost.optional(),
  txClean: nsCost.optional(),
});

const appSchema = obj("app", {
  port: leaf(intIn(1, 65535)),
  cpu: leaf(intIn(0, 1023), { default: null as number | null }),
  cpus: leaf(cpuList, { default: [] as number[] }),
  every: leaf(duration({ min: 0, max: DAY_NS }), { default: 0 }),
  connected: leaf((v) => (typeof v === "boolean" ? v : fail(v, "true or false")), { default: false }),
});

const socketSchema = obj("socket", {
  listen: leaf(intIn(1, 65535)),
  backlog: leaf(intIn(0, 65535), { default: 4096 }),
  accept: leaf(acceptPolicy, { default: { kind: "always" } as AcceptPolicy }),
  acceptDelay: leaf(duration({ min: 0, max: DAY_NS }), { default: 0 }),
  // SO_RCVBUF on the listener, inherited by accepted sockets (net/core/sock.c: sk_setsockopt; locks autotuning)
  rcvbuf: leaf(size({ min: 0, max: INT_MAX }), { default: null as number | null }),
  // how fast the application on accepted connections reads (bulk/incast sinks, rr responders)
  readRate: leaf(tcpReadPolicy, { default: { kind: "always" } as TcpReadPolicy }),
});

const udpSocketSchema = obj("udp socket", {
  udp: leaf(intIn(1, 65535)),
  // net/core/sock.c: sk_setsockopt SO_RCVBUF takes an int; negatives become SOCK_MIN_RCVBUF, refused here
  rcvbuf: leaf(size({ min: 0, max: INT_MAX }), { default: null as number | null }),
  readRate: leaf(readPolicy, { default: { kind: "always" } as ReadPolicy }),
});

/** A `sockets` entry: a UDP socket when it has a `udp` key, else a TCP listener. */
const anySocketSchema = z.unknown().transform((v, ctx) => {
  const isUdp = v !== null && typeof v === "object" && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, "udp");
  const r = isUdp ? udpSocketSchema.safeParse(v) : socketSchema.safeParse(v);
  if (r.success) return r.data as z.output<typeof socketSchema> | z.output<typeof udpSocketSchema>;
  for (const iss of r.error.issues) ctx.issues.push({ ...iss, input: (iss as { input?: unknown }).input } as never);
  return z.NEVER;
});

const hostSchema = z.preprocess(
  (v) => (v === null ? {} : v),
  obj("host", {
    cpus: leaf(intIn(1, 1024), { default: 1 }),
    // the machine's RAM: sizes net.ipv4.tcp_mem (and tcp_rmem[2]/tcp_wmem[2]) as tcp_init does at boot
    memory: leaf(size({ min: 64 * 2 ** 20, max: 2 ** 44 }), { default: 16 * 2 ** 30 }),
    nic: z.preprocess((v) => (v === undefined ? {} : v), nicSchema),
    addr: leaf((v) => parseAddr(v), { default: null as ParsedAddr | null }),
    sysctl: sysctlBlock,
    sockets: list("sockets like { listen: 7000, backlog: 128 } or { udp: 9000, rcvbuf: 4M, readRate: 100k/s }", anySocketSchema),
    rps: z.preprocess((v) => (v === undefined ? {} : v), rpsSchema),
    cost: z.preprocess((v) => (v === undefined ? {} : v), costSchema),
    apps: list("application threads like { port: 9000, cpu: 2 } or { port: 9000, cpus: [1, 3], every: 5ms }", appSchema),
  }),
);

const linkSchema = obj("link", {
  a: leaf(hostRef),
  b: leaf(hostRef),
  rate: leaf(rate(positive), { default: 10e9 }),
  delay: leaf(duration({ min: 0, max: DAY_NS }), { default: 0 }),
  loss: leaf(probability, { default: 0 }),
  reorder: leaf(probability, { default: 0 }),
  // how long a reordered frame is held back (null: two serialization times of that frame); needs reorder > 0
  reorderDelay: leaf(duration({ min: 0, minExclusive: true, max: 1e9 }), { default: null as number | null }),
});

function hostRef(v: unknown): string {
  return typeof v === "string" && HOST_NAME_RE.test(v) ? v : fail(v, `a host name from hosts: (${HOST_NAME_ALLOWED})`);
}

const at = leaf(duration({ min: 0, max: DAY_NS }), { default: 0 });
const from = leaf(hostRef);
const to = leaf(parseEndpoint);
const count = leaf(intIn(1, INT_MAX));
const optionalEventRate = leaf(eventRate(positive), { default: null as number | null });
const flows = leaf(intIn(1, EPHEMERAL_PORTS, " (ephemeral ports 32768..60999)"), { default: 1 });
// TCP sender options shared by bulk, rr and incast
const cc = leaf(ccName, { default: "cubic" as CcName });
const writeRate = leaf((v) => parseByteRate(v, "", positive), { default: null as number | null });
// net/core/sock.c: sk_setsockopt SO_SNDBUF takes an int (capped at net.core.wmem_max, then doubled)
const sndbuf = leaf(size({ min: 0, max: INT_MAX }), { default: null as number | null });
// net/core/sock.c: SO_MAX_PACING_RATE caps sk_pacing_rate (bytes/s in the kernel; a bit rate here)
const maxPacingRate = leaf(rate(positive), { default: null as number | null });
// net/ipv4/tcp.c: tcp_sock_set_user_timeout — TCP_USER_TIMEOUT is an int of ms, negatives EINVAL; 0 = off
const userTimeout = leaf(
  (v: unknown): number => {
    const ns = parseDuration(v, "", { min: 0, max: INT_MAX * 1e6 });
    return ns % 1e6 === 0 ? ns / 1e6 : fail(v, "a duration in whole milliseconds, 0ms..2147483647ms (0 = off)");
  },
  { default: null as number | null },
);

export const TRAFFIC_KINDS = ["connect", "syn-flood", "bulk", "rr", "incast", "udp"] as const;

const trafficSchema = z.discriminatedUnion(
  "kind",
  [
    obj("connect traffic", { kind: z.literal("connect"), from, to, count: leaf(intIn(1, INT_MAX), { default: 1 }), rate: optionalEventRate, at }),
    obj("syn-flood traffic", {
      kind: z.literal("syn-flood"),
      from,
      to,
      count,
      rate: optionalEventRate,
      spoof: leaf(spoof, { default: "random" as const }),
      at,
    }),
    obj("bulk traffic", { kind: z.literal("bulk"), from, to, flows, bytes: leaf(size({ min: 1 }), { default: null as number | null }), cc, writeRate, sndbuf, maxPacingRate, userTimeout, at }),
    obj("rr traffic", {
      kind: z.literal("rr"),
      from,
      to,
      flows,
      // netperf TCP_RR: -r 1,1 by default
      request: leaf(size({ min: 1, max: INT_MAX }), { default: 1 }),
      response: leaf(size({ min: 1, max: INT_MAX }), { default: 1 }),
      count: leaf(intIn(1, INT_MAX), { default: null as number | null }),
      cc,
      sndbuf,
      maxPacingRate,
      userTimeout,
      at,
    }),
    obj("incast traffic", { kind: z.literal("incast"), from: leaf(senderList), to, bytes: leaf(size({ min: 1 })), cc, writeRate, sndbuf, maxPacingRate, userTimeout, at }),
    obj("udp traffic", { kind: z.literal("udp"), from, to, flows, size: leaf(size({ min: 0, max: 65507 }), { default: 18 }), rate: leaf(udpRate), at }),
  ],
  {
    error: (iss) =>
      iss.code === "invalid_union" ? `kind: one of ${TRAFFIC_KINDS.join(", ")}` : `a traffic mapping with kind: ${TRAFFIC_KINDS.join(", ")}`,
  },
);

export const scenarioSchema = obj("scenario", {
  name: leaf(scenarioName),
  description: leaf(description, { default: "" }),
  seed: leaf(intIn(0, 2 ** 32 - 1), { default: 1 }),
  duration: leaf(duration({ min: 0, minExclusive: true, max: DAY_NS })),
  hosts: z.record(z.string().regex(HOST_NAME_RE, { error: HOST_NAME_ALLOWED }), hostSchema, { error: "a mapping of host name to host, e.g. { server: { cpus: 4 }, client: {} }" }),
  links: list("links like { a: client, b: server, rate: 10Gbit }", linkSchema),
  traffic: list("traffic items with kind: connect, syn-flood, bulk, rr, incast or udp", trafficSchema),
});

/** The scenario after the schema: single fields parsed and defaulted, references not yet checked. */
export type ParsedScenario = z.output<typeof scenarioSchema>;
export type ParsedHost = ParsedScenario["hosts"][string];
export type ParsedTraffic = ParsedScenario["traffic"][number];

// ---- zod issues -> ScenarioIssue -------------------------------------------

/** The value at `path` in the document as written (undefined if absent). */
export function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = doc;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** Convert zod's issues into path/value/allowed triples, in document order of discovery. */
export function toIssues(doc: unknown, issues: readonly z.core.$ZodIssue[]): ScenarioIssue[] {
  const out: ScenarioIssue[] = [];
  for (const iss of issues) {
    const path = iss.path as PropertyKey[];
    if (iss.code === "unrecognized_keys") {
      for (const key of iss.keys) {
        const p = [...path, key];
        out.push({ path: joinPath(p), value: valueAt(doc, p), allowed: iss.message });
      }
    } else if (iss.code === "invalid_key") {
      // z.record's key check: the value shown is the key itself
      const inner = iss.issues[0]?.message ?? iss.message;
      out.push({ path: joinPath(path), value: path[path.length - 1], allowed: inner });
    } else {
      out.push({ path: joinPath(path), value: valueAt(doc, path), allowed: iss.message });
    }
  }
  return out;
}
