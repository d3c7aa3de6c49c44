// A host's TCP: the socket tables, tcp_v4_rcv's demultiplexing (ehash:
// established, request and time-wait socks; then the listener), segment
// output, and the timers on the event loop. The protocol steps live in their
// own files (conn-request, check-req, listen-ack, req-timer, client,
// established, accept); this file wires them.
import type { Core } from "../core/core.js";
import { HASH_L4, SKB_F_OOO_OKAY, SKB_HEADROOM } from "../core/skb-fields.js";
import type { Counters } from "../sim/counters.js";
import type { EventLoop } from "../sim/loop.js";
import type { Rng } from "../sim/rng.js";
import { HZ_MODEL, jiffiesAt, jiffyNs, modTimerFireNs, nsToJiffies, timerListFireNs } from "../sim/jiffies.js";
import { SYSCTLS } from "../scenario/sysctl.js";
import type { ListenerConfig } from "../net/host.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from "../wire/tcp.js";
import { formatIPv4, formatIPv6 } from "../wire/addr.js";
import { SegIn, SegOut, addrKey, get32, writeSegment } from "./segment.js";
import { CookieSecrets, MSSTAB, cookieTime } from "./cookie.js";
import { CookieBurst } from "./cookie-burst.js";
import { IsnSecret } from "./isn-secret.js";
import { initialWindow, listenerWindows, type InitialWindow, type ListenerWindows } from "./window.js";
import { TCP_DEFAULT_SCALING_RATIO, soRcvbuf, winFromSpace } from "./buffers.js";
import { ListenSock, SockCount, TcpSock, type AcceptPolicy } from "./sock.js";
import {
  TCP_CLOSE,
  TCP_CLOSING,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_LAST_ACK,
  TCP_NEW_SYN_RECV,
  TCP_STATE_NAMES,
  TCP_SYN_SENT,
  TCP_SYN_LINEAR_TIMEOUTS,
} from "./constants.js";
import { tcpConnRequest } from "./conn-request.js";
import { tcpCheckReq } from "./check-req.js";
import { tcpListenAck } from "./listen-ack.js";
import { reqskTimer } from "./req-timer.js";
import { tcpRetransmitTimer, tcpRcvSynSent } from "./client.js";
import { tcpClose } from "./established.js";
import { tcpRcvEstablished } from "./fast-path.js";
import { tcpFinWait2Timer, tcpTimeWaitDone, tcpTimewaitRcv } from "./timewait.js";
import { acceptFire } from "./accept.js";
import { tsqWrite, TCPF_TSQ_DEFERRED } from "./data-out.js";
import { appContinue, releaseSock } from "./sock-lock.js";
import { purgeBacklog, tcpAddBacklog } from "./backlog.js";
import type { HystartParams } from "./hystart.js";
import type { TcpConn } from "./conn.js";
import { checkTimerListRan, timerFire, sendAck as sendConnAck, TIMER_DELACK, TIMER_READ, TIMER_RTO, TIMER_WRITE } from "./data-out.js";
import type { CcName } from "./data-init.js";
import type { FlowRecord } from "./flows.js";
import type { ServerApp } from "./apps.js";
import { flowKey } from "./flows.js";
import { SockTable } from "./ehash.js";
import { establishedOptions } from "./options.js";
import { StampCache, TcpStamp } from "./stamp.js";
import { TcpMemory, memReclaimFinal } from "./mem.js";
import { F64Keys, f64Fields } from "../util/f64-field.js";
import { EphemeralPorts } from "./ephemeral-ports.js";

/** What a host's TCP needs from the world. */
export interface TcpEnv {
  loop: EventLoop;
  rng: Rng;
  /** Allocate an skb counted by the ledger, or -1. */
  alloc(): number;
  /** An skb became a GSO skb of n+1 wire packets: the ledger counts n more. */
  created?(n: number): void;
  /** sk_can_gso: TCP builds GSO super-packets sized by tcp_tso_autosize (default false). */
  gso?: boolean;
  /** A kernel log line (collected as report warnings). */
  warn(msg: string): void;
  /** Connections with data, by flowKey (client side registers, server side joins). */
  flows?: Map<string, FlowRecord>;
  /** Set by a world whose alloc is core.allocOne(now) plus the ledger's create and whose deliver is the
   *  ledger's plus core.freeLater: the ledger counts n skbs delivered that were freed already. With it, a
   *  poll's cookie SYNs may go through in one WASM call (TcpHost.listenCookieRun). */
  delivered?(n: number): void;
}

/** assembly/listen.ts, called straight (no wrapper; int32 and f64 words). */
interface ListenHot {
  listen_cookie4(at: number, n: number, row0: number, me: number, port: number, slotA: number, winA: number, flagsA: number, slotB: number, winB: number, nowMs: number, count: number, now: number): number;
}

export interface TcpHostConfig {
  name: string;
  addr: Uint8Array;
  mtu: number;
  sysctl: Readonly<Record<string, number | string | readonly number[]>>;
  listeners: readonly ListenerConfig[];
}


/** A listener whose accepted connections run an application that moves data. */
export type TcpListenerConfig = ListenerConfig & { app?: ServerApp };

/** One local port: its listener (if any) and its connections keyed by peer. */
export interface PortTable {
  listener: ListenSock | null;
  conns: SockTable;
}

/** nstat ids of the counters TCP touches. */
export interface TcpMib {
  ListenOverflows: number;
  ListenDrops: number;
  SyncookiesSent: number;
  SyncookiesRecv: number;
  SyncookiesFailed: number;
  ReqQFullDoCookies: number;
  ReqQFullDrop: number;
  Timeouts: number;
  SynRetrans: number;
  RetransSegs: number;
  OutSegs: number;
  OrigDataSent: number;
  PassiveOpens: number;
  ActiveOpens: number;
  AttemptFails: number;
  EstabResets: number;
  OutRsts: number;
  EmbryonicRsts: number;
  AckSkippedSynRecv: number;
  AckSkippedChallenge: number;
  AckSkippedTimeWait: number;
  AckSkippedPAWS: number;
  AckSkippedSeq: number;
  PAWSEstab: number;
  PAWSActive: number;
  ChallengeACK: number;
  SynChallenge: number;
  InErrs: number;
  FastRetrans: number;
  SlowStartRetrans: number;
  SackRecovery: number;
  RenoRecovery: number;
  RcvQDrop: number;
  ZeroWindowDrop: number;
  DelayedACKs: number;
  DelayedACKLost: number;
  WantZeroWindowAdv: number;
  ToZeroWindowAdv: number;
  FromZeroWindowAdv: number;
  WinProbe: number;
  OFOQueue: number;
  OFODrop: number;
  PruneCalled: number;
  RcvPruned: number;
  OfoPruned: number;
  RcvCollapsed: number;
  BacklogDrop: number;
  BacklogCoalesce: number;
  RcvCoalesce: number;
  DelayedACKLocked: number;
  AckCompressed: number;
  HystartTrainDetect: number;
  HystartTrainCwnd: number;
  HystartDelayDetect: number;
  HystartDelayCwnd: number;
  DSACKOldSent: number;
  DSACKOfoSent: number;
  DSACKRecv: number;
  DSACKOfoRecv: number;
  DSACKRecvSegs: number;
  DSACKIgnoredDubious: number;
  DSACKIgnoredOld: number;
  DSACKIgnoredNoUndo: number;
  SACKDiscard: number;
  SACKReneging: number;
  OFOMerge: number;
  MemoryPressures: number;
  MemoryPressuresChrono: number;
  FullUndo: number;
  PartialUndo: number;
  DSACKUndo: number;
  LossUndo: number;
  SpuriousRTOs: number;
  LostRetransmit: number;
  SACKReorder: number;
  TSReorder: number;
  LossProbes: number;
  LossProbeRecovery: number;
  SpuriousRtxHostQueues: number;
  RetransFail: number;
  RenoReorder: number;
  SackRecoveryFail: number;
  RenoRecoveryFail: number;
  LossFailures: number;
  SackFailures: number;
  RenoFailures: number;
  AbortOnTimeout: number;
  TimeoutRehash: number;
  AbortOnMemory: number;
  AbortFailed: number;
  TimeWaited: number;
  TimeWaitKilled: number;
  TimeWaitOverflow: number;
  AckSkippedFinWait2: number;
  AbortOnData: number;
  HPHits: number;
  HPAcks: number;
  PureAcks: number;
}

function sysctlNum(s: Readonly<Record<string, unknown>>, name: keyof typeof SYSCTLS): number {
  const v = s[name];
  if (typeof v === "number") return v;
  const d = SYSCTLS[name].default;
  return typeof d === "number" ? d : Number(d);
}

function sysctlTriple(s: Readonly<Record<string, unknown>>, name: keyof typeof SYSCTLS): readonly number[] {
  const v = s[name];
  if (Array.isArray(v)) return v as number[];
  return SYSCTLS[name].default as readonly number[];
}


/** A time in ns: a double from the start (util/f64-field.ts). */
const HOST_F64 = new F64Keys(["rxTime"]);

export class TcpHost {
  readonly rx = new SegIn();
  readonly tx = new SegOut();
  readonly mib: TcpMib;
  readonly addr: Uint8Array;
  readonly addrKey: number;
  readonly v6: boolean;
  readonly listeners: ListenSock[] = [];
  readonly ports = new Map<number, PortTable>();
  /** rcvListenSyn's last port table and its port (-1: none): a flood's SYNs come for one port, so a
   *  Map lookup per SYN is skipped. Every ports.set and ports.delete clears it. */
  private synPort = -1;
  private synPt: PortTable | undefined = undefined;
  /** listenCookieRun's WASM export. */
  private readonly listenHot: ListenHot;
  /** Per destination of a connect(): the ephemeral ports taken for it (client.ts pickPort). */
  readonly ephemeral = new EphemeralPorts();
  readonly cookies: CookieSecrets;
  /** Inside a NAPI poll (Stack.rxHold): IPv4 cookie SYN-ACKs wait in cookieBurst until the poll
   *  ends or the host transmits something else (output). */
  rxBatch = false;
  readonly cookieBurst: CookieBurst;
  private readonly stamps = new StampCache();
  private readonly isnKey: IsnSecret;
  private readonly socks: (TcpSock | null)[] = [];
  /** Full sockets in `socks` (tcp_sockets_allocated without the listeners), kept by state changes. */
  private readonly sockCount = new SockCount();
  private readonly freeSlots: number[] = [];
  /** rcv's one-entry socket cache: the last socket found, its local port and peer. */
  private lastSk: TcpSock | null = null;
  private lastDport = -1;
  private lastRkey = -1;
  private lastRport = -1;
  /** Closed sockets whose skbs are still below TCP, by slot: the slot is not reused
   *  until their sk_wmem_alloc is back to 0 (a late TX completion must not credit a new socket). */
  private readonly zombies = new Map<number, { sk: TcpSock; wmem: number }>();
  readonly headers: Uint8Array;

  // sysctls (static for a run)
  readonly syncookies: number;
  readonly maxSynBacklog: number;
  readonly synackRetries: number;
  readonly synRetries: number;
  readonly synLinearTimeouts: number;
  readonly abortOnOverflow: number;
  readonly timestamps: number;
  readonly sack: number;
  readonly windowScaling: number;
  /** tcp_advertise_mss: MTU minus IP and TCP headers. */
  readonly advmss: number;
  /** A connecting socket's SYN window (tcp_connect_init, tcp_rmem[1]). */
  readonly synWin: InitialWindow;
  /** The request windows of a listener without SO_RCVBUF (sk_rcvbuf = tcp_rmem[1], not locked). */
  readonly listenWin: ListenerWindows;
  /** Buffer sysctls: tcp_rmem, tcp_wmem, rmem_max, wmem_max, tcp_moderate_rcvbuf. */
  readonly rmem: readonly number[];
  readonly wmem: readonly number[];
  readonly rmemMax: number;
  readonly wmemMax: number;
  /** net.ipv4.tcp_limit_output_bytes (TSQ cap for unpaced sockets). */
  readonly limitOutputBytes: number;
  /** net.ipv4.tcp_notsent_lowat (UINT_MAX: no limit; no TCP_NOTSENT_LOWAT socket option in the model). */
  readonly notsentLowat: number;
  /** net.ipv4.tcp_tso_win_divisor (tcp_tso_should_defer). */
  readonly tsoWinDivisor: number;
  /** net.ipv4.tcp_min_tso_segs and tcp_tso_rtt_log (tcp_tso_autosize). */
  readonly minTsoSegs: number;
  readonly tsoRttLog: number;
  /** TSQ tasklet event kind (tcp_tasklet_func) for frees outside a completion pass; argument = CPU. */
  readonly kTsq: number;
  /** The per-CPU TSQ tasklets' lists (DEFINE_PER_CPU tsq_tasklet: tcp_wfree queues the socket on the CPU
   *  that frees the skb): slots queued on CPU k, not yet handled, in tsqLists[k][0, tsqNs[k]) (typed arrays:
   *  emptying a JS array per run costs a runtime call). Grown to a CPU when it first queues. */
  private tsqLists: Int32Array[] = [];
  private tsqNs = new Int32Array(0);
  private tsqEventPending = new Uint8Array(0);
  /** Completion passes in progress (their end runs their CPU's list) and the CPU of the outermost one. */
  private tsqHeld = 0;
  private tsqCpu = 0;
  /** The CPU whose TSQ tasklet is running now (tcp_tasklet_func), -1 outside it. */
  private tsqRunCpu = -1;
  /** TCP's pacing hrtimer (tcp_pace_kick), argument = socket slot. */
  readonly kPace: number;
  readonly moderateRcvbuf: boolean;
  /** net.ipv4.tcp_congestion_control */
  readonly ccDefault: CcName = "cubic";
  /** net.ipv4.tcp_recovery (RACK bits), tcp_early_retrans (TLP at 3/4), tcp_max_reordering */
  readonly recovery: number;
  readonly earlyRetrans: number;
  /** net.ipv4.tcp_frto (F-RTO after an RTO when non-zero) */
  readonly frto: number;
  readonly maxReordering: number;
  /** net.ipv4.tcp_reordering: tp->reordering's start (tcp_init_sock), the bar of tcp_may_raise_cwnd and
   *  tcp_enter_loss's cut. */
  readonly reordering: number;
  /** net.ipv4.tcp_retries2 and tcp_orphan_retries (write-timeout.ts) */
  readonly retries2: number;
  readonly orphanRetries: number;
  /** net.core.txrehash: sk_txrehash of every socket (SOCK_TXREHASH_ENABLED = 1), for sk_rethink_txhash. */
  readonly txrehash: boolean;
  /** net.ipv4.tcp_max_orphans (out-of-resources.ts). */
  readonly maxOrphans: number;
  /** net.ipv4.tcp_slow_start_after_idle */
  readonly slowStartAfterIdle: boolean;
  /** net.ipv4.tcp_dsack */
  readonly dsack: boolean;
  /** net.ipv4.tcp_challenge_ack_limit (INT_MAX: no quota) */
  readonly challengeAckLimit: number;
  /** net.ipv4.tcp_rfc1337 (non-zero: a TIME_WAIT sock ignores an RST, timewait.ts) */
  readonly rfc1337: number;
  /** net.ipv4.tcp_max_tw_buckets: the timewait socks the host may hold (inet_twsk_alloc, timewait.ts) */
  readonly maxTwBuckets: number;
  /** net.ipv4.tcp_fin_timeout (ns): an orphan's FIN_WAIT2 lifetime (tcp_fin_time, timewait.ts) */
  readonly finTimeout: number;
  /** net->ipv4.tcp_challenge_timestamp (seconds) and tcp_challenge_count: the quota left this second. */
  challengeTimestamp = -1;
  challengeCount = 0;
  /** Draws the per-second quota; forked on first use so a host without a quota shifts no other draw. */
  challengeRng: Rng | null = null;
  /** net.ipv4.tcp_pingpong_thresh */
  readonly pingpongThresh: number;
  /** net.ipv4.tcp_backlog_ack_defer */
  readonly backlogAckDefer: boolean;
  /** net.ipv4.tcp_comp_sack_nr, tcp_comp_sack_delay_ns, tcp_comp_sack_slack_ns (comp-sack.ts). */
  readonly compSackNr: number;
  readonly compSackDelayNs: number;
  readonly compSackSlackNs: number;
  /** tcp_prot's memory accounting (net.ipv4.tcp_mem, mem.ts). */
  readonly mem: TcpMemory;
  /** The CPU running the RX softirq now (-1 outside it). */
  rxCpu: () => number = () => -1;
  /** The CPU the application thread of local port `port` runs on now. */
  appCpu: (port: number) => number = () => 0;
  /** include/net/rps.h: sock_rps_record_flow_hash — RFS learns that flow `hash`'s application runs on `cpu`
   *  (null: no rps_sock_flow_table, rfs_needed off). */
  recordFlow: ((hash: number, cpu: number) => void) | null = null;
  /** release_sock is running (process context: the application's CPU, even inside tcp_v4_rcv). */
  inRelease = 0;
  /** tcp_cubic module parameters (HyStart) and its counters. */
  readonly hystart: HystartParams;
  /** The CPU model's cost of an application socket call (cost.app) and per byte copied
   *  (cost.copyPerByte), ns; when both are 0 calls take no time and never own the socket. */
  appCostNs = 0;
  copyCostPerByte = 0;
  lockModel = false;
  /** tcp_v4_rcv is running (softirq): a woken application calls after it. */
  inSoftirq = false;
  /** The CPU clock of the softirq running tcp_v4_rcv (a NAPI poll charges its frames in turn). */
  softirqClock: (() => number) | null = null;
  /** That clock for the segment being processed (and the calls it wakes), -1 outside tcp_v4_rcv. */
  rxTime = -1;
  /** Connections whose application was woken during this segment: woken[0 .. wokenCount). The
   *  array keeps its length (its slots are cleared): emptying it with `length = 0` gave its backing
   *  store back, so the next segment's wake allocated a new one. */
  readonly woken: (TcpConn | null)[] = [];
  wokenCount = 0;

  // event kinds
  readonly kReqTimer: number;
  readonly kRtx: number;
  readonly kTimeWait: number;
  readonly kFinWait2: number;
  readonly kAccept: number;
  readonly kClose: number;
  readonly kConn: number;
  readonly kRelease: number;

  constructor(
    readonly core: Core,
    readonly config: TcpHostConfig,
    readonly nstat: Counters,
    readonly env: TcpEnv,
    /** ip_output (Stack.output): what output() sends through once the poll's cookie SYN-ACKs are out. */
    private readonly send: (h: number) => boolean,
    readonly dropSkb: (h: number, reason: string) => void,
    readonly deliverSkb: (h: number) => void,
  ) {
    f64Fields(this, HOST_F64);
    this.headers = core.headers;
    this.addr = config.addr;
    this.v6 = config.addr.length === 16;
    this.addrKey = addrKey(config.addr, 0, config.addr.length);
    const s = config.sysctl;
    this.syncookies = sysctlNum(s, "net.ipv4.tcp_syncookies");
    this.maxSynBacklog = sysctlNum(s, "net.ipv4.tcp_max_syn_backlog");
    this.synackRetries = sysctlNum(s, "net.ipv4.tcp_synack_retries");
    this.synRetries = sysctlNum(s, "net.ipv4.tcp_syn_retries");
    const lin = s["net.ipv4.tcp_syn_linear_timeouts"];
    this.synLinearTimeouts = typeof lin === "number" ? lin : TCP_SYN_LINEAR_TIMEOUTS;
    this.abortOnOverflow = sysctlNum(s, "net.ipv4.tcp_abort_on_overflow");
    this.timestamps = sysctlNum(s, "net.ipv4.tcp_timestamps");
    this.sack = sysctlNum(s, "net.ipv4.tcp_sack");
    this.windowScaling = sysctlNum(s, "net.ipv4.tcp_window_scaling");
    const somaxconn = sysctlNum(s, "net.core.somaxconn");
    const rmem = sysctlTriple(s, "net.ipv4.tcp_rmem");
    const rmemMax = sysctlNum(s, "net.core.rmem_max");
    this.advmss = config.mtu - (this.v6 ? 60 : 40);
    this.synWin = initialWindow(rmem[1]!, this.advmss, rmem[2]!, rmemMax);
    this.listenWin = listenerWindows(winFromSpace(TCP_DEFAULT_SCALING_RATIO, rmem[1]!), false, this.advmss, MSSTAB, rmem[2]!, rmemMax);
    this.rmem = rmem;
    this.wmem = sysctlTriple(s, "net.ipv4.tcp_wmem");
    this.rmemMax = rmemMax;
    this.wmemMax = sysctlNum(s, "net.core.wmem_max");
    this.limitOutputBytes = sysctlNum(s, "net.ipv4.tcp_limit_output_bytes");
    this.notsentLowat = sysctlNum(s, "net.ipv4.tcp_notsent_lowat");
    this.tsoWinDivisor = sysctlNum(s, "net.ipv4.tcp_tso_win_divisor");
    this.minTsoSegs = sysctlNum(s, "net.ipv4.tcp_min_tso_segs");
    this.tsoRttLog = sysctlNum(s, "net.ipv4.tcp_tso_rtt_log");
    this.moderateRcvbuf = sysctlNum(s, "net.ipv4.tcp_moderate_rcvbuf") !== 0;
    this.backlogAckDefer = sysctlNum(s, "net.ipv4.tcp_backlog_ack_defer") !== 0;
    this.compSackNr = sysctlNum(s, "net.ipv4.tcp_comp_sack_nr");
    this.compSackDelayNs = sysctlNum(s, "net.ipv4.tcp_comp_sack_delay_ns");
    this.compSackSlackNs = sysctlNum(s, "net.ipv4.tcp_comp_sack_slack_ns");
    this.pingpongThresh = sysctlNum(s, "net.ipv4.tcp_pingpong_thresh");
    this.dsack = sysctlNum(s, "net.ipv4.tcp_dsack") !== 0;
    this.challengeAckLimit = sysctlNum(s, "net.ipv4.tcp_challenge_ack_limit");
    this.rfc1337 = sysctlNum(s, "net.ipv4.tcp_rfc1337");
    // inet_twsk_alloc: `refcount_read(...) - 1 >= sysctl_max_tw_buckets` is an unsigned compare (a negative int is
    // 2^32 + value: no limit)
    this.maxTwBuckets = sysctlNum(s, "net.ipv4.tcp_max_tw_buckets") >>> 0;
    this.finTimeout = sysctlNum(s, "net.ipv4.tcp_fin_timeout") * 1e9;
    this.recovery = sysctlNum(s, "net.ipv4.tcp_recovery");
    this.earlyRetrans = sysctlNum(s, "net.ipv4.tcp_early_retrans");
    this.frto = sysctlNum(s, "net.ipv4.tcp_frto");
    this.maxReordering = sysctlNum(s, "net.ipv4.tcp_max_reordering");
    this.reordering = sysctlNum(s, "net.ipv4.tcp_reordering");
    this.retries2 = sysctlNum(s, "net.ipv4.tcp_retries2");
    this.orphanRetries = sysctlNum(s, "net.ipv4.tcp_orphan_retries");
    this.txrehash = sysctlNum(s, "net.core.txrehash") === 1;
    this.maxOrphans = sysctlNum(s, "net.ipv4.tcp_max_orphans");
    this.slowStartAfterIdle = sysctlNum(s, "net.ipv4.tcp_slow_start_after_idle") !== 0;
    this.mem = new TcpMemory(sysctlTriple(s, "net.ipv4.tcp_mem"), sysctlNum(s, "net.core.mem_pcpu_rsv"));
    const mibHy = { TCPHystartTrainDetect: "HystartTrainDetect", TCPHystartTrainCwnd: "HystartTrainCwnd", TCPHystartDelayDetect: "HystartDelayDetect", TCPHystartDelayCwnd: "HystartDelayCwnd" } as const;
    this.hystart = {
      hystart: sysctlNum(s, "tcp_cubic.hystart") !== 0,
      detect: sysctlNum(s, "tcp_cubic.hystart_detect"),
      lowWindow: sysctlNum(s, "tcp_cubic.hystart_low_window"),
      ackDeltaUs: sysctlNum(s, "tcp_cubic.hystart_ack_delta_us"),
      count: (name, n) => this.nstat.add(this.mib[mibHy[name]], n),
    };
    this.cookies = new CookieSecrets(env.rng, core);
    this.cookieBurst = new CookieBurst(core, () => this.flushCookies());
    this.listenHot = core.raw as unknown as ListenHot;
    this.isnKey = new IsnSecret(env.rng);
    const c = nstat;
    this.mib = {
      ListenOverflows: c.id("TcpExtListenOverflows"),
      ListenDrops: c.id("TcpExtListenDrops"),
      SyncookiesSent: c.id("TcpExtSyncookiesSent"),
      SyncookiesRecv: c.id("TcpExtSyncookiesRecv"),
      SyncookiesFailed: c.id("TcpExtSyncookiesFailed"),
      ReqQFullDoCookies: c.id("TcpExtTCPReqQFullDoCookies"),
      ReqQFullDrop: c.id("TcpExtTCPReqQFullDrop"),
      Timeouts: c.id("TcpExtTCPTimeouts"),
      SynRetrans: c.id("TcpExtTCPSynRetrans"),
      RetransSegs: c.id("TcpRetransSegs"),
      OutSegs: c.id("TcpOutSegs"),
      OrigDataSent: c.id("TcpExtTCPOrigDataSent"),
      PassiveOpens: c.id("TcpPassiveOpens"),
      ActiveOpens: c.id("TcpActiveOpens"),
      AttemptFails: c.id("TcpAttemptFails"),
      EstabResets: c.id("TcpEstabResets"),
      OutRsts: c.id("TcpOutRsts"),
      EmbryonicRsts: c.id("TcpExtEmbryonicRsts"),
      AckSkippedSynRecv: c.id("TcpExtTCPACKSkippedSynRecv"),
      AckSkippedChallenge: c.id("TcpExtTCPACKSkippedChallenge"),
      AckSkippedTimeWait: c.id("TcpExtTCPACKSkippedTimeWait"),
      AckSkippedPAWS: c.id("TcpExtTCPACKSkippedPAWS"),
      AckSkippedSeq: c.id("TcpExtTCPACKSkippedSeq"),
      PAWSEstab: c.id("TcpExtPAWSEstab"),
      PAWSActive: c.id("TcpExtPAWSActive"),
      ChallengeACK: c.id("TcpExtTCPChallengeACK"),
      SynChallenge: c.id("TcpExtTCPSYNChallenge"),
      InErrs: c.id("TcpInErrs"),
      FastRetrans: c.id("TcpExtTCPFastRetrans"),
      SlowStartRetrans: c.id("TcpExtTCPSlowStartRetrans"),
      SackRecovery: c.id("TcpExtTCPSackRecovery"),
      RenoRecovery: c.id("TcpExtTCPRenoRecovery"),
      RcvQDrop: c.id("TcpExtTCPRcvQDrop"),
      ZeroWindowDrop: c.id("TcpExtTCPZeroWindowDrop"),
      DelayedACKs: c.id("TcpExtDelayedACKs"),
      DelayedACKLost: c.id("TcpExtDelayedACKLost"),
      WantZeroWindowAdv: c.id("TcpExtTCPWantZeroWindowAdv"),
      ToZeroWindowAdv: c.id("TcpExtTCPToZeroWindowAdv"),
      FromZeroWindowAdv: c.id("TcpExtTCPFromZeroWindowAdv"),
      WinProbe: c.id("TcpExtTCPWinProbe"),
      OFOQueue: c.id("TcpExtTCPOFOQueue"),
      OFODrop: c.id("TcpExtTCPOFODrop"),
      PruneCalled: c.id("TcpExtPruneCalled"),
      RcvPruned: c.id("TcpExtRcvPruned"),
      OfoPruned: c.id("TcpExtOfoPruned"),
      RcvCollapsed: c.id("TcpExtTCPRcvCollapsed"),
      BacklogDrop: c.id("TcpExtTCPBacklogDrop"),
      BacklogCoalesce: c.id("TcpExtTCPBacklogCoalesce"),
      RcvCoalesce: c.id("TcpExtTCPRcvCoalesce"),
      DelayedACKLocked: c.id("TcpExtDelayedACKLocked"),
      AckCompressed: c.id("TcpExtTCPAckCompressed"),
      HystartTrainDetect: c.id("TcpExtTCPHystartTrainDetect"),
      HystartTrainCwnd: c.id("TcpExtTCPHystartTrainCwnd"),
      HystartDelayDetect: c.id("TcpExtTCPHystartDelayDetect"),
      HystartDelayCwnd: c.id("TcpExtTCPHystartDelayCwnd"),
      DSACKOldSent: c.id("TcpExtTCPDSACKOldSent"),
      DSACKOfoSent: c.id("TcpExtTCPDSACKOfoSent"),
      DSACKRecv: c.id("TcpExtTCPDSACKRecv"),
      DSACKOfoRecv: c.id("TcpExtTCPDSACKOfoRecv"),
      DSACKRecvSegs: c.id("TcpExtTCPDSACKRecvSegs"),
      DSACKIgnoredDubious: c.id("TcpExtTCPDSACKIgnoredDubious"),
      DSACKIgnoredOld: c.id("TcpExtTCPDSACKIgnoredOld"),
      DSACKIgnoredNoUndo: c.id("TcpExtTCPDSACKIgnoredNoUndo"),
      SACKDiscard: c.id("TcpExtTCPSACKDiscard"),
      SACKReneging: c.id("TcpExtTCPSACKReneging"),
      OFOMerge: c.id("TcpExtTCPOFOMerge"),
      MemoryPressures: c.id("TcpExtTCPMemoryPressures"),
      MemoryPressuresChrono: c.id("TcpExtTCPMemoryPressuresChrono"),
      FullUndo: c.id("TcpExtTCPFullUndo"),
      PartialUndo: c.id("TcpExtTCPPartialUndo"),
      DSACKUndo: c.id("TcpExtTCPDSACKUndo"),
      LossUndo: c.id("TcpExtTCPLossUndo"),
      SpuriousRTOs: c.id("TcpExtTCPSpuriousRTOs"),
      LostRetransmit: c.id("TcpExtTCPLostRetransmit"),
      SACKReorder: c.id("TcpExtTCPSACKReorder"),
      TSReorder: c.id("TcpExtTCPTSReorder"),
      LossProbes: c.id("TcpExtTCPLossProbes"),
      LossProbeRecovery: c.id("TcpExtTCPLossProbeRecovery"),
      SpuriousRtxHostQueues: c.id("TcpExtTCPSpuriousRtxHostQueues"),
      RetransFail: c.id("TcpExtTCPRetransFail"),
      RenoReorder: c.id("TcpExtTCPRenoReorder"),
      SackRecoveryFail: c.id("TcpExtTCPSackRecoveryFail"),
      RenoRecoveryFail: c.id("TcpExtTCPRenoRecoveryFail"),
      LossFailures: c.id("TcpExtTCPLossFailures"),
      SackFailures: c.id("TcpExtTCPSackFailures"),
      RenoFailures: c.id("TcpExtTCPRenoFailures"),
      AbortOnTimeout: c.id("TcpExtTCPAbortOnTimeout"),
      TimeoutRehash: c.id("TcpExtTcpTimeoutRehash"), // net/ipv4/proc.c: snmp4_net_list "TcpTimeoutRehash" (not TCP...)
      AbortOnMemory: c.id("TcpExtTCPAbortOnMemory"),
      AbortFailed: c.id("TcpExtTCPAbortFailed"),
      TimeWaited: c.id("TcpExtTW"),
      TimeWaitKilled: c.id("TcpExtTWKilled"),
      TimeWaitOverflow: c.id("TcpExtTCPTimeWaitOverflow"),
      AckSkippedFinWait2: c.id("TcpExtTCPACKSkippedFinWait2"),
      AbortOnData: c.id("TcpExtTCPAbortOnData"),
      HPHits: c.id("TcpExtTCPHPHits"),
      HPAcks: c.id("TcpExtTCPHPAcks"),
      PureAcks: c.id("TcpExtTCPPureAcks"),
    };
    const loop = env.loop;
    // Each socket has one timer; its handler sees sk.timer already cleared. `timerList`: a kernel timer_list
    // callback (run from the timer softirq), not an application's action.
    const timer = (name: string, fn: (t: TcpHost, sk: TcpSock) => void, timerList: boolean): number =>
      loop.register(`${config.name} ${name}`, (slot) => {
        const sk = this.socks[slot];
        if (sk === null || sk === undefined) return;
        sk.timer = -1;
        this.inTimerList = timerList;
        fn(this, sk);
        this.inTimerList = false;
      });
    this.kReqTimer = timer("reqsk timer", reqskTimer, true);
    this.kRtx = timer("tcp retransmit timer", tcpRetransmitTimer, true);
    this.kTimeWait = timer("tcp time-wait", tcpTimeWaitDone, true);
    this.kFinWait2 = timer("tcp keepalive (FIN_WAIT2)", tcpFinWait2Timer, true);
    this.kClose = timer("tcp app close", tcpClose, false);
    this.kConn = loop.register(`${config.name} tcp conn timer`, (arg) => {
      const sk = this.socks[arg >>> 3];
      if (sk === null || sk === undefined || sk.conn === null) return;
      // icsk_retransmit_timer and icsk_delack_timer are timer_lists (the read/write ticks are the application's,
      // the compressed-ACK timer an hrtimer)
      const which = arg & 7;
      const c = sk.conn;
      this.inTimerList = which === TIMER_RTO || which === TIMER_DELACK;
      timerFire(this, sk, c, which);
      this.inTimerList = false;
      // what modTimer's "due this tick, not yet run" relies on (one comparison per timer event)
      checkTimerListRan(this, c, which);
    });
    this.kRelease = loop.register(`${config.name} release_sock`, (slot) => {
      const sk = this.socks[slot];
      const c = sk?.conn ?? null;
      if (sk === null || sk === undefined || c === null) return;
      releaseSock(this, sk, c);
    });
    this.kAccept = loop.register(`${config.name} accept()`, (i) => acceptFire(this, this.listeners[i]!));
    // net/ipv4/tcp_output.c: tcp_tasklet_func -> tcp_tsq_handler — write again after TX completion freed memory
    // (this event runs the list when no completion pass is there to run it: a qdisc drop's tcp_wfree)
    this.kTsq = loop.register(`${config.name} tcp tsq`, (cpu) => {
      this.tsqEventPending[cpu] = 0;
      this.tsqRun(cpu);
    });
    // net/ipv4/tcp_output.c: tcp_pace_kick -> tcp_tsq_handler -> tcp_tsq_write
    this.kPace = loop.register(`${config.name} tcp pacing timer`, (slot) => {
      const sk = this.socks[slot];
      const c = sk?.conn ?? null;
      if (sk === null || sk === undefined || c === null) return;
      c.paceEvent = -1;
      c.paceTimerFires++;
      // tcp_tsq_handler: an owned socket writes from tcp_release_cb
      if (c.owned) {
        c.deferred |= TCPF_TSQ_DEFERRED;
        return;
      }
      tsqWrite(this, sk, c);
    });
    for (const l of config.listeners) {
      // net/socket.c: __sys_listen — (unsigned)backlog > somaxconn is clamped
      const backlog = l.backlog >>> 0 > somaxconn ? somaxconn : l.backlog;
      const accept: AcceptPolicy = l.accept === true ? { kind: "always" } : l.accept === false ? { kind: "never" } : { kind: "rate", perSec: l.accept };
      const app = (l as TcpListenerConfig).app ?? null;
      const ls = new ListenSock(this.listeners.length, l.port, backlog, accept, l.acceptDelay ?? 0, app);
      // net/core/sock.c: sk_setsockopt(SO_RCVBUF) on the listener: sk_rcvbuf doubled and SOCK_RCVBUF_LOCK, so
      // tcp_openreq_init_rwin / cookie_v4_check select the request's window from it (tcp_full_space at the
      // listener's scaling_ratio 128) and clamp it there; the child inherits (tcp_create_openreq_child)
      if (app !== null && app.rcvbuf !== undefined) {
        const full = winFromSpace(TCP_DEFAULT_SCALING_RATIO, soRcvbuf(app.rcvbuf, this.rmemMax));
        ls.win = listenerWindows(full, true, this.advmss, MSSTAB, this.rmem[2]!, this.rmemMax);
      } else ls.win = this.listenWin;
      this.listeners.push(ls);
      this.ports.set(l.port, { listener: ls, conns: new SockTable() });
      this.synPort = -1;
    }
  }

  get now(): number {
    return this.env.loop.now;
  }

  /** The HZ of the timer_list wheel (src/sim/jiffies.ts): the model's 1000. Only the wheel's rounding reads it
   *  (the other jiffy-based code assumes 1000); a test sets 250 to compare with the live HZ=250 kernel. */
  hz = HZ_MODEL;
  /** Inside a timer_list callback: the timer base's clk is jiffies + 1 (__run_timers advances it first). */
  private inTimerList = false;
  /** The segment runs on a new child in SYN_RECV (tcp_child_process -> tcp_rcv_state_process), not through
   *  tcp_rcv_established: no tcp_rcv_rtt_measure_ts for it (check-req.ts childProcess). */
  synRecvSeg = false;

  // ---- socket table ----

  newSock(): TcpSock {
    const sk = new TcpSock();
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.socks.length;
    sk.slot = slot;
    this.socks[slot] = sk;
    sk.countIn(this.sockCount);
    return sk;
  }

  /** Hash a socket into its port table (inet_ehash_insert). */
  hash(sk: TcpSock): void {
    let pt = this.ports.get(sk.lport);
    if (pt === undefined) {
      pt = { listener: null, conns: new SockTable() };
      this.ports.set(sk.lport, pt);
      this.synPort = -1;
    }
    pt.conns.set(sk.rkey, sk.rport, sk);
    if (this.ephemeral.size > 0) this.ephemeral.take(sk.rkey, sk.rport, sk.lport);
    this.lastSk = null;
  }

  /** Unhash and release a socket (inet_put_port, sk_free). */
  destroy(sk: TcpSock): void {
    if (sk.timer >= 0) {
      this.env.loop.cancel(sk.timer);
      sk.timer = -1;
    }
    const c = sk.conn;
    const wmem = c?.wmemAlloc ?? 0;
    if (c !== null) {
      // sk_stop_timer for every timer the data model armed
      const loop = this.env.loop;
      if (c.rtoEvent >= 0) loop.cancel(c.rtoEvent);
      if (c.delackEvent >= 0) loop.cancel(c.delackEvent);
      if (c.readEvent >= 0) loop.cancel(c.readEvent);
      if (c.writeEvent >= 0) loop.cancel(c.writeEvent);
      if (c.paceEvent >= 0) loop.cancel(c.paceEvent);
      if (c.releaseEvent >= 0) loop.cancel(c.releaseEvent);
      if (c.compAckEvent >= 0) loop.cancel(c.compAckEvent);
      c.rtoEvent = c.delackEvent = c.readEvent = c.writeEvent = c.paceEvent = c.releaseEvent = c.compAckEvent = -1;
      purgeBacklog(this, c);
      memReclaimFinal(this, c);
      c.rtoDeadline = c.delackDeadline = Infinity;
      sk.conn = null;
    }
    const pt = this.ports.get(sk.lport);
    if (pt !== undefined) {
      if (pt.conns.get(sk.rkey, sk.rport) === sk) {
        pt.conns.delete(sk.rkey, sk.rport);
        if (pt.listener === null && this.ephemeral.size > 0) this.ephemeral.release(sk.rkey, sk.rport, sk.lport);
      }
      this.lastSk = null;
      if (pt.listener === null && pt.conns.size === 0) {
        this.ports.delete(sk.lport);
        this.synPort = -1;
      }
    }
    sk.state = TCP_CLOSE;
    if (sk.slot >= 0 && this.socks[sk.slot] === sk) {
      this.socks[sk.slot] = null;
      sk.countIn(null);
      // net/core/sock.c: sk_free — the struct sock outlives close() until sk_wmem_alloc drops to 0
      if (wmem > 0) this.zombies.set(sk.slot, { sk, wmem });
      else this.freeSlots.push(sk.slot);
    }
    sk.slot = -1;
  }

  /** (Re)arm a socket's one timer. */
  arm(sk: TcpSock, at: number, kind: number): void {
    if (sk.timer >= 0) this.env.loop.cancel(sk.timer);
    sk.timer = this.env.loop.at(at, kind, sk.slot);
  }

  /** mod_timer(timer, jiffies + delta) of a timer_list: the socket's one timer runs at its wheel bucket's jiffy
   *  (kernel/time/timer.c: calc_wheel_index); from a timer callback the level counts from jiffies + 1. */
  armTimerList(sk: TcpSock, deltaNs: number, kind: number): void {
    this.arm(sk, timerListFireNs(this.now, nsToJiffies(deltaNs, this.hz), this.hz, this.inTimerList), kind);
  }

  /** jiffies now, at the wheel's HZ. */
  jiffies(): number {
    return jiffiesAt(this.now, this.hz);
  }

  /** tcp_jiffies32 as the ns of the current jiffy's tick (at HZ=1000 the ms clock): for the jiffy stamps and
   *  jiffy values the model keeps in ns (icsk_ack.lrcvtime, icsk_ack.ato). */
  jiffiesNs(): number {
    return this.jiffies() * jiffyNs(this.hz);
  }

  /** A delta given in ns (a kernel `when` the model keeps in ns at HZ=1000), as jiffies at the wheel's HZ
   *  (rounded up, usecs_to_jiffies). */
  toJiffies(deltaNs: number): number {
    return nsToJiffies(deltaNs, this.hz);
  }

  /** sk_reset_timer(sk, timer, expires) of one of a connection's timer_lists (expires: an absolute jiffy): the
   *  ns at which it runs (kernel/time/timer.c: __mod_timer -> calc_wheel_index). A pending timer re-armed to
   *  its own expires stays where it is (__mod_timer's `timer->expires == expires` shortcut): `pendingExp` and
   *  `pendingAt` are the timer's current expiry (ns tick) and run time (Infinity: not pending). A timer whose
   *  run time is now and that has not run yet is still pending (timer_pending: __run_timers' expire_timers
   *  detaches each timer of the batch only as it calls it), so another callback of the same tick re-arming it
   *  to its expiry leaves it in the batch; filed again from a callback (base->clk = jiffies + 1) it would run
   *  a jiffy late. (The same-index shortcut, `idx == timer_get_idx(timer)`, gives the recomputed bucket
   *  except for such a due timer re-armed from a callback exactly one level range later: not modelled.) A timer
   *  that ran has its run time cleared (data-out.ts timerListRuns), which the conn timer dispatcher checks after
   *  each of their events (checkTimerListRan). */
  modTimer(expires: number, pendingExp: number, pendingAt: number): number {
    if (pendingAt !== Infinity && pendingAt >= this.now && pendingExp === expires * jiffyNs(this.hz)) return pendingAt;
    return modTimerFireNs(this.now, expires, this.hz, this.inTimerList);
  }

  disarm(sk: TcpSock): void {
    if (sk.timer >= 0) {
      this.env.loop.cancel(sk.timer);
      sk.timer = -1;
    }
  }

  /** Socket counts by state name (ss -tan | count), listeners included. */
  states(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.listeners.length > 0) out["LISTEN"] = this.listeners.length;
    for (const sk of this.socks) {
      if (sk === null) continue;
      const name = TCP_STATE_NAMES[sk.state]!;
      out[name] = (out[name] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(out).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }

  /** Full sockets (tcp_sockets_allocated): listeners and every socket but request and time-wait socks. */
  fullSockets(): number {
    return this.listeners.length + this.sockCount.full;
  }

  /** The TCP line of /proc/net/sockstat (net/ipv4/proc.c: sockstat_seq_show). */
  sockstat(): { inuse: number; orphan: number; tw: number; alloc: number; mem: number } {
    let inuse = this.listeners.length;
    let orphan = 0;
    let tw = 0;
    let alloc = this.listeners.length;
    for (const sk of this.socks) {
      if (sk === null || sk.state === TCP_NEW_SYN_RECV) continue;
      const st = sk.state;
      if (sk.tw) {
        tw++;
        continue;
      }
      alloc++;
      // unhashed: children in CLOSE waiting for accept()
      if (st !== TCP_CLOSE) inuse++;
      // close() orphans the socket until its FIN exchange ends (or a timewait sock replaces it)
      if (sk.finSent && (st === TCP_FIN_WAIT1 || st === TCP_FIN_WAIT2 || st === TCP_CLOSING || st === TCP_LAST_ACK)) orphan++;
    }
    return { inuse, orphan, tw, alloc, mem: this.mem.memoryAllocated };
  }

  /** tcp_orphan_count: sockets close() orphaned whose FIN exchange has not ended (sockstat's `orphan`), kept
   *  by the sockets' state changes: an orphan's every RTO and probe timer asks (tcp_out_of_resources). */
  orphanCount(): number {
    return this.sockCount.orphan;
  }

  /** The host's time-wait socks (the death row's tw_refcount - 1), kept by the sockets' state changes. */
  twCount(): number {
    return this.sockCount.tw;
  }

  // ---- data transfer hooks ----

  /** Schedule one of a connection's timers (TIMER_RTO/DELACK/READ/WRITE/COMP_SACK). */
  connTimer(c: TcpConn, which: number, at: number): number {
    return this.env.loop.at(at, this.kConn, c.slot * 8 + which);
  }

  /** net/ipv4/tcp_offload.c: tcp_gso_segment — software GSO consumed an skb of socket `slot` that
   *  charged `orig` and made segments charging `segs` in all: sk_wmem_alloc grows by the difference
   *  (refcount_add(sum_truesize - gso_skb->truesize)), and the original, freed now, has left the host
   *  queue (its fclone is no longer busy for skb_still_in_host_queue). */
  txGso(slot: number, orig: number, segs: number): void {
    const sk = this.socks[slot];
    const c = sk?.conn ?? null;
    if (c === null) {
      const z = sk === null || sk === undefined ? this.zombies.get(slot) : undefined;
      if (z !== undefined) z.wmem += segs - orig;
      return;
    }
    c.wmemAlloc += segs - orig;
    c.wmemFreed += orig;
    c.wmemSegs += segs;
  }

  /** net/ipv4/tcp_output.c: tcp_wfree — an skb of socket `slot` was freed below TCP (TX completion or qdisc drop). */
  txFree(slot: number, truesize: number): void {
    const sk = this.socks[slot];
    const c = sk?.conn ?? null;
    if (c === null) {
      this.txFreeOrphan(sk, slot, truesize);
      return;
    }
    const freed = Math.min(truesize, c.wmemAlloc);
    c.wmemAlloc -= freed;
    // a software GSO segment's free: its original already counted as freed (txGso)
    const seg = Math.min(freed, c.wmemSegs);
    c.wmemSegs -= seg;
    c.wmemFreed += freed - seg;
    // __tcp_transmit_skb: a pure ACK's destructor is __sock_wfree (skb_is_tcp_pure_ack: truesize 2), which only
    // uncharges; tcp_wfree's THROTTLED -> QUEUED is for the other skbs
    // (truesize 0: a handshake skb the model did not charge, transmitSkb's owner; not tcp_wfree's either)
    if (c.tsqThrottled && !c.tsqQueued && truesize > 2) this.tsqQueue(c, slot);
  }

  // txFree runs for every skb a TX completion frees; what it rarely does is out of line, so that V8 inlines
  // the rest into the completion pass (docs/CONVENTIONS.md, hot functions).

  /** The skb of a closed socket: its sk_wmem_alloc, not the slot's next owner's; __sk_free at 0. */
  private txFreeOrphan(sk: TcpSock | null | undefined, slot: number, truesize: number): void {
    const z = sk === null || sk === undefined ? this.zombies.get(slot) : undefined;
    if (z !== undefined && (z.wmem -= truesize) <= 0) {
      this.zombies.delete(slot);
      this.freeSlots.push(slot);
    }
  }

  /** tcp_wfree: THROTTLED becomes QUEUED, the socket goes on this CPU's TSQ tasklet list: a completion
   *  pass's CPU (its tasklet runs at the pass's end, after NET_TX in the same softirq), else the CPU
   *  the freeing code runs on (a qdisc drop in the sender's context), whose tasklet is its own event. */
  private tsqQueue(c: TcpConn, slot: number): void {
    c.tsqThrottled = false;
    c.tsqQueued = true;
    const cpu = this.tsqHeld > 0 ? this.tsqCpu : this.memCpuOf(c);
    if (cpu >= this.tsqLists.length) this.tsqGrow(cpu);
    let list = this.tsqLists[cpu]!;
    const n = this.tsqNs[cpu]!;
    if (n === list.length) {
      const l = new Int32Array(n * 2);
      l.set(list);
      this.tsqLists[cpu] = list = l;
    }
    list[n] = slot;
    this.tsqNs[cpu] = n + 1;
    if (this.tsqHeld === 0 && this.tsqEventPending[cpu] === 0) {
      this.tsqEventPending[cpu] = 1;
      this.env.loop.after(0, this.kTsq, cpu);
    }
  }

  /** Per-CPU TSQ lists up to `cpu`. */
  private tsqGrow(cpu: number): void {
    while (this.tsqLists.length <= cpu) this.tsqLists.push(new Int32Array(16));
    const ns = new Int32Array(cpu + 1);
    ns.set(this.tsqNs);
    this.tsqNs = ns;
    const ev = new Uint8Array(cpu + 1);
    ev.set(this.tsqEventPending);
    this.tsqEventPending = ev;
  }

  /** A TX completion pass starts on `cpu` (its TX NAPI's): what its frees queue for TSQ runs at its end (tsqRelease). */
  tsqHold(cpu: number): void {
    if (this.tsqHeld++ === 0) this.tsqCpu = cpu;
  }

  /** The completion pass has ended (NET_TX's qdisc run included): its CPU's TSQ tasklet runs now. */
  tsqRelease(): void {
    if (--this.tsqHeld === 0 && this.tsqCpu < this.tsqLists.length && this.tsqNs[this.tsqCpu]! > 0) this.tsqRun(this.tsqCpu);
  }

  // net/ipv4/tcp_output.c: tcp_tasklet_func — the sockets queued on this CPU so far (list_splice_init), each
  // through tcp_tsq_handler; sockets queued meanwhile wait for the next run. tcp_wfree's list_add
  // puts each socket at the head, so the last one queued is handled (and transmits) first.
  private tsqRun(cpu: number): void {
    const n = this.tsqNs[cpu]!;
    const list = this.tsqLists[cpu]!;
    const outer = this.tsqRunCpu;
    this.tsqRunCpu = cpu;
    for (let i = n - 1; i >= 0; i--) {
      const sk = this.socks[list[i]!];
      const c = sk?.conn ?? null;
      if (sk === null || sk === undefined || c === null) continue;
      c.tsqQueued = false;
      // tcp_tsq_handler: an owned socket writes from tcp_release_cb
      if (c.owned) {
        c.deferred |= TCPF_TSQ_DEFERRED;
        continue;
      }
      tsqWrite(this, sk, c);
    }
    // (a transmit above may have grown this CPU's list: read it again)
    const cur = this.tsqLists[cpu]!;
    const now = this.tsqNs[cpu]!;
    if (now !== n) cur.copyWithin(0, n, now);
    this.tsqNs[cpu] = now - n;
    this.tsqRunCpu = outer;
  }

  /** The CPU whose tcp_memory_per_cpu_fw_alloc a charge of `c` goes to now (this_cpu in
   *  sk_memory_allocated_add): the softirq's in tcp_v4_rcv, else the application's. */
  memCpuOf(c: TcpConn): number {
    if (this.inSoftirq && this.inRelease === 0) {
      const cpu = this.rxCpu();
      if (cpu >= 0) return cpu;
    }
    return this.appCpu(this.socks[c.slot]?.lport ?? 0);
  }

  /** The CPU transmitting an skb of socket `slot` now (net/core/dev.c: netdev_core_pick_tx's
   *  raw_smp_processor_id(), which get_xps_queue looks up in xps_cpus): the TSQ tasklet's, the RX
   *  softirq's in tcp_v4_rcv, else the application's (process context: sendmsg, release_sock; the
   *  model also runs the socket's timers there, not on the CPU that armed them). */
  sendCpu(slot: number): number {
    if (this.tsqRunCpu >= 0) return this.tsqRunCpu;
    if (this.inSoftirq && this.inRelease === 0) {
      const cpu = this.rxCpu();
      if (cpu >= 0) return cpu;
    }
    return this.appCpu(this.socks[slot]?.lport ?? 0);
  }

  /** The data connection of socket `slot` (what a qdisc sees through skb->sk), or null. */
  connOf(slot: number): TcpConn | null {
    return this.socks[slot]?.conn ?? null;
  }

  /** The socket in `slot`, or null. */
  sockAt(slot: number): TcpSock | null {
    return this.socks[slot] ?? null;
  }

  /** sk->sk_hash stand-in: the socket's ports and peer, so a reused slot looks like a new socket. */
  sockHash(slot: number): number {
    const sk = this.socks[slot] ?? this.zombies.get(slot)?.sk;
    return sk === null || sk === undefined ? 0 : (((sk.lport << 16) | sk.rport) ^ sk.rkey) >>> 0;
  }

  /** The applications woken by the segment just processed make their socket calls. */
  private runWoken(): void {
    const w = this.woken;
    // a call may wake more applications: they run in this pass too
    for (let i = 0; i < this.wokenCount; i++) {
      const c = w[i];
      if (c === null || c === undefined) continue;
      w[i] = null;
      const sk = this.socks[c.slot];
      if (sk !== null && sk !== undefined && sk.conn === c) appContinue(this, sk, c);
      else c.wakeQueued = false;
    }
    this.wokenCount = 0;
  }

  /** The CPU model's application costs (ns per socket call, ns per byte copied). */
  setAppCost(callNs: number, perByteNs: number): void {
    this.appCostNs = callNs;
    this.copyCostPerByte = perByteNs;
    this.lockModel = callNs > 0 || perByteNs > 0;
  }

  /** skbs and wire packets waiting in socket backlogs (for the ledger). */
  backlogHeld(): { skbs: number; segs: number } {
    let skbs = 0;
    let segs = 0;
    for (const sk of this.socks) {
      const c = sk?.conn ?? null;
      if (c === null) continue;
      skbs += c.backlog.count;
      segs += c.backlog.segs;
    }
    return { skbs, segs };
  }

  /** close() by the application once its data is out. */
  closeConn(sk: TcpSock): void {
    tcpClose(this, sk);
  }

  /** The client end of a data connection: register it for the report. */
  flowSender(sk: TcpSock, c: TcpConn, rec: FlowRecord): void {
    rec.sender = c;
    rec.sport = sk.lport;
    this.env.flows?.set(flowKey(this.addrKey, sk.lport, sk.rkey, sk.rport), rec);
  }

  /** The server end: join the record its client registered. */
  flowReceiver(sk: TcpSock, c: TcpConn): void {
    const rec = this.env.flows?.get(flowKey(sk.rkey, sk.rport, this.addrKey, sk.lport));
    if (rec !== undefined) rec.receiver = c;
  }

  // ---- sequence numbers and timestamps ----

  /** secure_tcp_seq: keyed hash of the 4-tuple plus a 64 ns clock. */
  initSeq(rkey: number, lport: number, rport: number): number {
    return (this.isnKey.hash(this.addrKey | 0, rkey | 0, lport, rport, 0) + Math.floor(this.now / 64)) >>> 0;
  }

  /** secure_tcp_ts_off: random per address pair with tcp_timestamps=1, 0
   *  with 2. An int32 (the u32 mod 2^32: every use adds it and takes >>> 0). */
  /** secure_tcp_ts_off's model (IsnSecret.hash(addr, rkey, 0, 0, 1)); a cookie burst adds it in WASM
   *  (assembly/cookie.ts tsOffset, from IsnSecret.tsKey). */
  tsOffset(rkey: number): number {
    return this.timestamps === 1 ? this.isnKey.hash(this.addrKey | 0, rkey | 0, 0, 0, 1) : 0;
  }

  /** tcp_clock_ms */
  nowMs(): number {
    return Math.floor(this.now / 1e6);
  }

  // ---- output ----

  /** ip_output for a segment TCP built: the poll's waiting cookie SYN-ACKs leave first (they were
   *  built before it). A bound function, as the constructor's was (tests wrap it). */
  readonly output = (h: number): boolean => {
    const rtx = this.outRetransmit;
    this.outRetransmit = false;
    if (this.cookieBurst.n > 0) this.flushCookies();
    // TCP_MIB_OUTSEGS += tcp_skb_pcount: __tcp_transmit_skb counts new data, SYN and FIN (end_seq after snd_nxt)
    // and segments without sequence space, not retransmissions; tcp_make_synack, tcp_v4_send_reset and
    // tcp_v4_send_ack count every one of theirs
    if (!rtx) this.nstat.add(this.mib.OutSegs, Math.max(1, this.core.skb.gsoSegs[h]!));
    return this.send(h);
  };

  /** Set by the stack: Stack.outputHeldBurst (how many of hs[0..n), TCP segments of family `v6`, it
   *  sent as send() would, in order). */
  sendHeldBurst: ((hs: Int32Array, n: number, v6: boolean) => number) | null = null;

  /** output(hs[i]) for each i in order: those the stack sends in one pass (sendHeldBurst) are counted
   *  as output() counts each, the rest go through output(). */
  readonly outputBurst = (hs: Int32Array, n: number): void => {
    let k = 0;
    const b = this.sendHeldBurst;
    // output()'s flush of waiting cookie SYN-ACKs first: none (the flush calling this emptied them)
    if (b !== null && this.cookieBurst.n === 0) {
      k = b(hs, n, this.v6);
      if (k > 0) {
        // output()'s TCP_MIB_OUTSEGS per skb, one each (the pass takes only one-segment skbs:
        // NicTx.xmitHeldBurst); only the first could be a retransmission (output clears the flag)
        const rtx = this.outRetransmit;
        this.outRetransmit = false;
        this.nstat.add(this.mib.OutSegs, rtx ? k - 1 : k);
      }
    }
    for (let i = k; i < n; i++) this.output(hs[i]!);
  };

  /** The skb output() sends next is a retransmission (its end_seq is not after snd_nxt): no TcpOutSegs.
   *  Set just before output(); output() clears it. */
  outRetransmit = false;

  /** The waiting cookie SYN-ACKs: stamped in one call, then sent in order. */
  flushCookies(): void {
    // through output (its check finds the burst already emptied), as each SYN-ACK went before
    this.cookieBurst.flush(this.cookies.keyAddr4(), this.addrKey | 0, this.timestamps === 1 ? this.isnKey.tsKey : null, this.output, this.outputBurst);
  }

  /** Allocate, write `tx`, send. Handshake segments (SYN, SYN-ACK) are stamped from a per-layout
   *  template: a SYN flood answers each SYN. Whether the segment left IP and the qdisc took it (false: no
   *  skb, ENOBUFS; no route, IP_OUTNOROUTES; a qdisc drop, net_xmit_eval's NET_XMIT_DROP; the model's
   *  qdiscs have no NET_XMIT_CN, which would count as sent). */
  transmit(hash = 0, owner: TcpSock | null = null): boolean {
    const h = this.env.alloc();
    if (h < 0) {
      this.outRetransmit = false;
      return false; // ENOBUFS: the segment is not sent, as a failed alloc_skb
    }
    return this.transmitSkb(h, hash, owner);
  }

  /** transmit() for an skb `h` already allocated: false when the qdisc dropped it. `owner`: the full socket
   *  whose skb this is (skb->sk), null for one sent without a socket or through the control socket. */
  private transmitSkb(h: number, hash: number, owner: TcpSock | null = null): boolean {
    // skb_set_hash_from_sk / skb_set_hash (tcp_make_synack): the sender's txhash (0: none, as alloc left it)
    if (hash !== 0) {
      this.core.skb.hash[h] = hash;
      this.core.skb.hashFlags[h] = HASH_L4;
    }
    if (owner !== null) {
      // net/ipv4/tcp_output.c: __tcp_transmit_skb — skb->sk = sk for a connecting socket's SYN and the ACK of
      // a full socket without transfer state (fq_classify keys them on the socket, netdev_pick_tx caches the
      // queue). Not charged: the model's sk_wmem_alloc is the transfer state's (truesize 0: txFree ignores
      // it); with nothing charged, ooo_okay (sk_wmem_alloc_get < SKB_TRUESIZE(1)): the queue is picked afresh
      const skb = this.core.skb;
      skb.sk[h] = owner.slot;
      skb.truesize[h] = 0;
      skb.flags[h] = skb.flags[h]! | SKB_F_OOO_OKAY;
    }
    const tx = this.tx;
    tx.v6 = this.v6;
    if ((tx.flags & TCPHDR_SYN) !== 0 && tx.sackN === 0) this.stamps.for(tx).write(this.core, h, tx);
    else writeSegment(this.core, h, tx);
    return this.output(h);
  }

  /** cookie_synack4's template slot for a cookie SYN-ACK with these options
   *  (tcp_make_synack's layout: MSS, then SACK_PERM/timestamps, window scale
   *  `wscale` or -1), or -1: IPv6, or no WASM slot (the SegOut path then). */
  cookieSynAckSlot(tsOk: boolean, sackOk: boolean, wscale: number): number {
    // keyed by the options and the scale's value (-1..14): listeners with different SO_RCVBUF offer different
    // scales; advmss is readonly (a scenario's MTU does not change during a run)
    const i = ((tsOk ? 1 : 0) | (sackOk ? 2 : 0)) * 16 + wscale + 1;
    const slot = this.cookieSlots[i]!;
    return slot !== -2 ? slot : this.newCookieSlot(i, tsOk, sackOk, wscale);
  }

  /** The template of a layout cookieSynAckSlot meets first (its own function: the lookup above stays
   *  small enough for V8 to inline into tcp_conn_request). */
  private newCookieSlot(i: number, tsOk: boolean, sackOk: boolean, wscale: number): number {
    const s = new SegOut();
    s.v6 = this.v6;
    s.flags = TCPHDR_SYN | TCPHDR_ACK;
    s.mss = this.advmss;
    s.wscale = wscale;
    s.sackPerm = sackOk;
    s.ts = tsOk;
    return (this.cookieSlots[i] = new TcpStamp(s).wasmSlot(this.core));
  }

  /** By option layout and window scale: a template slot, -1 (none), -2 (not looked up yet). */
  private readonly cookieSlots = new Int32Array(64).fill(-2);

  /** Fill tx addresses/ports for a socket. */
  txFor(sk: TcpSock): SegOut {
    const tx = this.tx.noOptions();
    tx.src = this.addr;
    tx.srcOff = 0;
    tx.dst = sk.raddr;
    tx.dstOff = 0;
    tx.sport = sk.lport;
    tx.dport = sk.rport;
    return tx;
  }

  /** Fill tx addresses/ports to answer the segment in `rx` (still in its skb). */
  txReply(): SegOut {
    const tx = this.tx.noOptions();
    const rx = this.rx;
    tx.src = this.headers;
    tx.srcOff = rx.daddrOff;
    tx.dst = this.headers;
    tx.dstOff = rx.saddrOff;
    tx.sport = rx.dport;
    tx.dport = rx.sport;
    return tx;
  }

  /** A SYN-ACK for a request sock (tcp_make_synack with the granted options); whether it went: false for
   *  tcp_v4_send_synack's errors (no route, tcp_make_synack's NULL, ip_build_and_send_pkt's qdisc drop). */
  sendSynAck(req: TcpSock): boolean {
    const tx = this.txFor(req);
    tx.seq = req.iss;
    tx.ack = req.rcvNxt;
    tx.flags = TCPHDR_SYN | TCPHDR_ACK;
    tx.window = req.rcvWnd > 65535 ? 65535 : req.rcvWnd;
    tx.mss = this.advmss;
    if (req.sndWscale >= 0) tx.wscale = req.rcvWscale;
    tx.sackPerm = req.sackOk;
    if (req.tsOk) {
      tx.ts = true;
      tx.tsVal = (this.nowMs() + req.tsOff) >>> 0;
      tx.tsEcr = req.tsRecent;
    }
    const h = this.env.alloc();
    if (h < 0) return false;
    // net/ipv4/tcp_output.c: tcp_make_synack — the first SYN-ACK built stamps snt_synack (the RTT sample's
    // start: synack-rtt.ts); skb_set_hash(skb, tcp_rsk(req)->txhash, PKT_HASH_TYPE_L4)
    if (req.sntSynAck < 0) req.sntSynAck = this.now;
    return this.transmitSkb(h, req.txhash);
  }

  /** A pure ACK (tcp_send_ack) from `sk`; false when its skb could not be had (alloc_skb failing: nothing sent).
   *  A full socket's goes through __tcp_transmit_skb: with transfer state, data-out's sendAck (tcp_event_ack_sent,
   *  the EDT stamp, the SACK blocks); without (no data yet, so no block, and no stamp ahead of now) the same
   *  options here. A request sock's is tcp_v4_reqsk_send_ack's tcp_v4_send_ack. */
  sendAck(sk: TcpSock): boolean {
    const c = sk.conn;
    if (c !== null) return sendConnAck(this, sk, c);
    const tx = this.txFor(sk);
    tx.seq = sk.sndNxt;
    tx.ack = sk.rcvNxt;
    tx.flags = TCPHDR_ACK;
    if (sk.state === TCP_NEW_SYN_RECV) {
      // tcp_v4_reqsk_send_ack: window tcp_synack_window(req) >> rcv_wscale; tcp_v4_send_ack puts the timestamp
      // (tcp_rsk_tsval, req->ts_recent) in only when ts_recent is not 0
      const win = sk.rcvWnd < 65535 ? sk.rcvWnd : 65535;
      tx.window = sk.sndWscale >= 0 ? win >>> sk.rcvWscale : win;
      if (sk.tsOk && sk.tsRecent !== 0) {
        tx.ts = true;
        tx.tsVal = (this.nowMs() + sk.tsOff) >>> 0;
        tx.tsEcr = sk.tsRecent;
      }
    } else {
      // tcp_select_window of a socket that has not received data: its initial window; net/ipv4/tcp_output.c:
      // __tcp_select_window rounds a scaled window up (ALIGN(free_space, 1 << rcv_wscale)), e.g. 64240 -> 502 << 7
      const w = sk.sndWscale >= 0 ? Math.ceil(sk.rcvWnd / 2 ** sk.rcvWscale) : sk.rcvWnd;
      tx.window = w > 65535 ? 65535 : w;
      // __tcp_transmit_skb: tcp_wstamp_ns = max(tcp_wstamp_ns, tcp_clock_cache) is now (nothing paced yet)
      establishedOptions(tx, sk, null, this.now);
    }
    // __tcp_send_ack returns before __tcp_transmit_skb when alloc_skb fails (a socket without transfer state
    // has no delayed-ACK model: that ACK is lost, as a request's, whose tcp_v4_send_ack has no retry);
    // skb_set_hash_from_sk, or tcp_rsk(req)->txhash for a request
    const h = this.env.alloc();
    if (h < 0) return false;
    // a request's ACK leaves by the control socket (tcp_v4_send_ack: ctl_sk, TCP_CLOSE), a full socket's is
    // its own (__tcp_send_ack)
    this.transmitSkb(h, sk.txhash, sk.state !== TCP_NEW_SYN_RECV && !sk.tw ? sk : null);
    return true;
  }

  /** tcp_v4_send_reset for the segment in `rx` (never in reply to a RST); `txhash`: the socket's sk_txhash (a
   *  timewait sock's tw_txhash), 0 without a socket. */
  sendReset(txhash = 0): void {
    const rx = this.rx;
    if (rx.flags & TCPHDR_RST) return;
    const tx = this.txReply();
    if (rx.flags & TCPHDR_ACK) {
      tx.seq = rx.ack;
      tx.ack = 0;
      tx.flags = TCPHDR_RST;
    } else {
      tx.seq = 0;
      tx.ack = (rx.seq + rx.dataLen + (rx.flags & TCPHDR_SYN ? 1 : 0) + (rx.flags & TCPHDR_FIN ? 1 : 0)) >>> 0;
      tx.flags = TCPHDR_RST | TCPHDR_ACK;
    }
    tx.window = 0;
    this.nstat.add(this.mib.OutRsts);
    this.transmit(txhash);
  }

  /** include/net/tcp.h: tcp_listendrop */
  listenDrop(): void {
    this.nstat.add(this.mib.ListenDrops);
  }

  /** net/ipv4/tcp_input.c: tcp_syn_flood_action */
  synFloodAction(l: ListenSock): boolean {
    const want = this.syncookies !== 0;
    this.nstat.add(want ? this.mib.ReqQFullDoCookies : this.mib.ReqQFullDrop);
    if (!l.synfloodWarned && this.syncookies !== 2) this.synFloodWarn(l, want);
    return want;
  }

  /** tcp_syn_flood_action's one-time "Possible SYN flooding" line (its own function: the per-SYN part
   *  above stays small enough for V8 to inline into tcp_conn_request). */
  private synFloodWarn(l: ListenSock, want: boolean): void {
    l.synfloodWarned = true;
    const any = this.v6 ? "[::]" : "0.0.0.0";
    this.env.warn(`TCP: request_sock_TCP${this.v6 ? "v6" : ""}: Possible SYN flooding on port ${any}:${l.port}. ${want ? "Sending cookies" : "Dropping request"}.`);
  }

  listenerText(): string {
    return this.v6 ? formatIPv6(this.addr) : formatIPv4(this.addr);
  }

  // ---- input ----

  /** net/ipv4/tcp_ipv4.c: tcp_v4_rcv after IP delivery (TcpInSegs counted). */
  rcv(h: number): void {
    const core = this.core;
    const rx = this.rx;
    rx.parse(this.headers, h, core.skb.network[h]!, core.skb.transport[h]!, core.skb.protocol[h] === 0x86dd);
    const rkey = rx.saddrKey;
    const rport = rx.sport;
    // a flow's segments come in runs: the last socket found skips both lookups (hash() and destroy() clear it)
    const last = this.lastSk;
    if (last !== null && this.lastRport === rport && this.lastRkey === rkey && this.lastDport === rx.dport) {
      this.rcvSock(last, h);
      return;
    }
    const pt = this.ports.get(rx.dport);
    if (pt !== undefined) {
      const sk = pt.conns.size === 0 ? undefined : pt.conns.get(rkey, rport);
      if (sk !== undefined) {
        this.lastSk = sk;
        this.lastRkey = rkey;
        this.lastRport = rport;
        this.lastDport = rx.dport;
        this.rcvSock(sk, h);
        return;
      }
      const l = pt.listener;
      if (l !== null) {
        this.listenRcv(l, h, 0);
        return;
      }
    }
    // no_tcp_socket: answer with a RST (unless it is one)
    this.sendReset();
    this.dropSkb(h, "NO_SOCKET");
  }

  /** tcp_v4_rcv's segment (in rx) for listener l: tcp_v4_do_rcv -> tcp_rcv_state_process(TCP_LISTEN); `twIsn`
   *  non-zero for a SYN a TIME_WAIT sock handed over (TCP_SKB_CB(skb)->tcp_tw_isn, timewait.ts). */
  listenRcv(l: ListenSock, h: number, twIsn: number): void {
    const rx = this.rx;
    l.segments++;
    if (rx.flags & TCPHDR_ACK && !(rx.flags & TCPHDR_SYN)) tcpListenAck(this, l, h);
    else if (rx.flags & TCPHDR_ACK) {
      this.sendReset();
      this.dropSkb(h, "TCP_FLAGS");
    } else if (rx.flags & TCPHDR_RST) this.dropSkb(h, "TCP_RESET");
    else if (rx.flags & TCPHDR_SYN) {
      if (rx.flags & TCPHDR_FIN) this.dropSkb(h, "TCP_FLAGS");
      else tcpConnRequest(this, l, h, twIsn);
    } else this.dropSkb(h, "TCP_FLAGS");
  }

  /** The SYNs at core.scratch[at .. at+n) for the listener rcvListenSyn found last, in one WASM call
   *  (assembly/listen.ts listen_cookie4) while each would take tcp_conn_request's cookie branch the
   *  common way (see there), as listenRun -> rcvListenSyn -> tcpConnRequest would take them one by one:
   *  IPv4, in a NAPI poll (the cookie burst), cookies wanted (tcp_syncookies=2, or 1 with the SYN
   *  queue full and the "Possible SYN flooding" line already printed), the accept queue not full, no
   *  established socket on the port (no ehash lookup to make), the world's alloc and deliver
   *  (TcpEnv.delivered), the cookie burst's area free to take. What is constant over the run is
   *  checked and counted here: the counters x k, lastOverflow once (the clock stands still in a poll).
   *  Returns how many went, or -1 when this run cannot go this way at all (nothing called). */
  listenCookieRun(at: number, n: number, me: number): number {
    const pt = this.synPt;
    const delivered = this.env.delivered;
    if (pt === undefined || delivered === undefined || !this.rxBatch || this.v6) return -1;
    const l = pt.listener;
    if (l === null || l.acceptqIsFull()) return -1;
    const sc = this.syncookies;
    if (sc === 0 || (sc !== 2 && !(l.reqskQueueIsFull() && l.synfloodWarned))) return -1;
    const burst = this.cookieBurst;
    const row0 = burst.rowsAt();
    if (row0 < 0) return -1;
    // __inet_lookup_established first: the stretch ends before a SYN of a socket on the port
    if (pt.conns.size !== 0) n = this.beforeEstablished(pt, at, n);
    // tcp_conn_request for a SYN in Linux's layout (MSS, SACK_PERM, TS, NOP, WS) and one without options
    const lw = l.win ?? this.listenWin;
    const tsOk = this.timestamps !== 0;
    const sackOk = tsOk && this.sack !== 0;
    const wsOk = tsOk && this.windowScaling !== 0;
    const winA = tsOk ? lw.ts : lw.noTs;
    const slotA = this.cookieSlots[((tsOk ? 1 : 0) | (sackOk ? 2 : 0)) * 16 + (wsOk ? winA.wscale : -1) + 1]!;
    const slotB = this.cookieSlots[0]!;
    const now = this.now;
    const r = this.listenHot.listen_cookie4(this.core.scratchAddr(at), n, row0, me, this.synPort, slotA, winA.window, (tsOk ? 1 : 0) | (sackOk ? 2 : 0) | (wsOk ? 4 : 0), slotB, lw.noTs.window, this.nowMs(), cookieTime(now) | 0, now);
    const k = r & 0xffff;
    if (k === 0) return 0;
    const rows = r >>> 16;
    burst.took(rows);
    if (rows > 0) this.env.created?.(rows);
    delivered(k);
    l.segments += k;
    const m = this.mib;
    // tcp_syn_flood_action, then cookie_init_sequence -> tcp_synq_overflow and SyncookiesSent, per SYN
    this.nstat.add(m.ReqQFullDoCookies, k);
    l.synqOverflow(now);
    this.nstat.add(m.SyncookiesSent, k);
    return k;
  }

  /** How many of the n frames at core.scratch[at ..) come before the first whose source address and port
   *  (read as rcvListenSyn reads them) are an established socket's of port table `pt`. */
  private beforeEstablished(pt: PortTable, at: number, n: number): number {
    const b = this.headers;
    const sc = this.core.scratch;
    const skb = this.core.skb;
    for (let j = 0; j < n; j++) {
      const h = sc[at + j]!;
      // (the stretch ends at a frame that is not IPv4 anyway)
      if (skb.protocol[h] !== 0x0800) return j;
      const base = h * SKB_HEADROOM;
      const th = base + skb.transport[h]!;
      if (pt.conns.get(get32(b, base + skb.network[h]! + 12), (b[th]! << 8) | b[th + 1]!) !== undefined) return j;
    }
    return n;
  }

  /** rcv() for IPv4 skb h (TCP header at byte `th` of the headers, source address `saddr`) if it
   *  is a SYN (none of ACK, RST, FIN) to a port with a listener and matches no socket:
   *  tcp_v4_rcv -> tcp_v4_do_rcv -> tcp_rcv_state_process(TCP_LISTEN) -> tcp_conn_request, as rcv()
   *  goes for it. Else false, with nothing done: the flags, port and lookup come from the raw
   *  header before any parse, so a frame that is not one costs a few loads (Stack.listenRun). */
  rcvListenSyn(h: number, th: number, saddr: number): boolean {
    const b = this.headers;
    if ((b[th + 13]! & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST | TCPHDR_FIN)) !== TCPHDR_SYN) return false;
    const port = (b[th + 2]! << 8) | b[th + 3]!;
    let pt = this.synPt;
    if (port !== this.synPort) {
      pt = this.ports.get(port);
      this.synPort = port;
      this.synPt = pt;
    }
    if (pt === undefined) return false;
    const l = pt.listener;
    // __inet_lookup_established first (the last socket rcv() found is one of pt.conns: a miss here is one there)
    if (l === null || (pt.conns.size !== 0 && pt.conns.get(saddr, (b[th]! << 8) | b[th + 1]!) !== undefined)) return false;
    const core = this.core;
    this.rx.parse(b, h, core.skb.network[h]!, core.skb.transport[h]!, false);
    l.segments++;
    tcpConnRequest(this, l, h);
    return true;
  }

  /** tcp_v4_rcv for a segment of a hashed socket (request, SYN-sent or full socket). */
  private rcvSock(sk: TcpSock, h: number): void {
    const core = this.core;
    const rx = this.rx;
    // sk_rx_queue_update: remember the RX queue (XPS by rxqs reads it)
    sk.rxQueue = core.skb.queue[h]!;
    // tcp_v4_do_rcv / tcp_check_req's child: sock_rps_save_rxhash (a request sock becomes the child in place)
    if (!sk.tw) sk.rxhash = core.skb.hash[h]!;
    const prior = this.inSoftirq;
    this.inSoftirq = true;
    if (!prior) this.rxTime = this.softirqClock === null ? this.now : Math.max(this.now, this.softirqClock());
    const c = sk.conn;
    // the application's call ended before this frame's turn in the poll: release_sock first
    if (c !== null && c.owned && this.rxTime >= c.ownedUntil) {
      this.env.loop.cancel(c.releaseEvent);
      releaseSock(this, sk, c);
      // draining the backlog parsed its skbs into rx: this frame again
      rx.parse(this.headers, h, core.skb.network[h]!, core.skb.transport[h]!, core.skb.protocol[h] === 0x86dd);
    }
    if (sk.state === TCP_NEW_SYN_RECV) tcpCheckReq(this, sk, h);
    else if (sk.state === TCP_SYN_SENT) tcpRcvSynSent(this, sk, h);
    // tcp_v4_rcv: sk->sk_state == TCP_TIME_WAIT (a timewait sock, substate TIME_WAIT or FIN_WAIT2) -> do_time_wait
    // (no socket lock, no backlog)
    else if (sk.tw) tcpTimewaitRcv(this, sk, h);
    // tcp_v4_rcv: sock_owned_by_user -> tcp_add_backlog
    else if (c !== null && sk.conn === c && c.owned) tcpAddBacklog(this, sk, c, h);
    else tcpRcvEstablished(this, sk, h);
    this.inSoftirq = prior;
    if (!prior) {
      if (this.wokenCount > 0) this.runWoken();
      this.rxTime = -1;
    }
  }
}
