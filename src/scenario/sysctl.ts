// The sysctls a scenario may set, with Linux's default and the range the
// kernel's proc handler accepts. Names are Linux's, verbatim; values are in
// the kernel's own units (bytes, packets, seconds, microseconds), exactly as
// `sysctl -w` takes them. Defaults and ranges were checked against
// linux-source-6.12 (6.12.117); the file and symbol are cited per entry.
//
// Model assumptions: HZ=1000 (the kernel default; Debian builds HZ=250, which
// would make netdev_budget_usecs 8000), a host with enough memory that the
// memory-scaled defaults reach their caps (tcp_rmem[2], tcp_wmem[2]) and an
// ehash of 262144 buckets (tcp_max_syn_backlog).
//
// Where the kernel accepts a wider range than has a meaning (a u8 boolean
// accepts 0..255 and treats every non-zero as 1), the table takes only the
// meaningful values, so a typo is refused rather than silently "on".

import { ScenarioError } from "./errors.js";
import { editDistance } from "../util/edit-distance.js";

const INT_MAX = 2 ** 31 - 1;
const UINT_MAX = 2 ** 32 - 1;

// include/net/sock.h: SOCK_MIN_RCVBUF = TCP_SKB_MIN_TRUESIZE = 2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff)) (256 on x86-64)
const SOCK_MIN_RCVBUF = 2304;
// include/net/sock.h: SOCK_MIN_SNDBUF = 2 * TCP_SKB_MIN_TRUESIZE
const SOCK_MIN_SNDBUF = 4608;

export interface IntSysctlDef {
  readonly kind: "int";
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** Kernel refuses (EINVAL) values that are not a power of two. */
  readonly pow2?: boolean;
  /** Kernel rounds the stored value up to a power of two (0 stays 0). */
  readonly roundPow2?: boolean;
  /** Why max is below the kernel's (the model's bound), shown with the range. */
  readonly bound?: string;
  readonly doc: string;
}

export interface TripleSysctlDef {
  readonly kind: "triple";
  readonly default: readonly [number, number, number];
  /** Each of the three values must lie in min..max. */
  readonly min: number;
  readonly max: number;
  readonly doc: string;
}

export interface EnumSysctlDef {
  readonly kind: "enum";
  readonly default: string;
  readonly values: readonly string[];
  readonly doc: string;
}

export type SysctlDef = IntSysctlDef | TripleSysctlDef | EnumSysctlDef;

export const SYSCTLS = {
  // ---- net.core --------------------------------------------------------
  // include/linux/socket.h: SOMAXCONN 4096; net/core/net_namespace.c: setup_net; sysctl_net_core.c: extra1 SYSCTL_ZERO
  "net.core.somaxconn": { kind: "int", default: 4096, min: 0, max: INT_MAX, doc: "listen() backlog clamp" },
  // net/core/hotdata.c: .max_backlog = 1000; sysctl_net_core.c: proc_dointvec (negatives accepted by Linux, refused here)
  // the model's bound: a per-CPU ring of 2·(max + 1) slots rounded up to a power of two, at most 2^22 (src/cpu/softnet.ts)
  "net.core.netdev_max_backlog": { kind: "int", default: 1000, min: 0, max: 2 ** 21 - 1, bound: "the model's bound; Linux takes up to 2147483647", doc: "per-CPU backlog queue length (packets)" },
  // net/core/hotdata.c: .netdev_budget = 300; sysctl_net_core.c: proc_dointvec
  "net.core.netdev_budget": { kind: "int", default: 300, min: 0, max: INT_MAX, doc: "packets per net_rx_action run" },
  // net/core/hotdata.c: .netdev_budget_usecs = 2 * USEC_PER_SEC / HZ; sysctl_net_core.c: extra1 netdev_budget_usecs_min (same, HZ=1000)
  "net.core.netdev_budget_usecs": { kind: "int", default: 2000, min: 2000, max: INT_MAX, doc: "µs per net_rx_action run" },
  // net/core/dev.c: weight_p = 64; sysctl_net_core.c: proc_do_dev_weight, extra1 SYSCTL_ONE
  "net.core.dev_weight": { kind: "int", default: 64, min: 1, max: INT_MAX, doc: "backlog NAPI quota; × dev_weight_tx_bias: __qdisc_run's quota" },
  // net/core/dev.c: dev_weight_rx_bias = 1; sysctl_net_core.c: extra1 SYSCTL_ONE
  "net.core.dev_weight_rx_bias": { kind: "int", default: 1, min: 1, max: INT_MAX, doc: "dev_rx_weight = dev_weight × bias" },
  // net/core/dev.c: dev_weight_tx_bias = 1; sysctl_net_core.c: extra1 SYSCTL_ONE
  "net.core.dev_weight_tx_bias": { kind: "int", default: 1, min: 1, max: INT_MAX, doc: "dev_tx_weight = dev_weight × bias" },
  // net/core/sysctl_net_core.c: rps_sock_flow_sysctl — 0 = RFS off, > 1<<29 EINVAL, stored rounded up to a power of 2
  "net.core.rps_sock_flow_entries": { kind: "int", default: 0, min: 0, max: 2 ** 29, roundPow2: true, doc: "RFS global flow table size" },
  // net/core/dev.c: netdev_flow_limit_table_len = 1 << 12; sysctl_net_core.c: flow_limit_table_len_sysctl (power of 2 or EINVAL)
  "net.core.flow_limit_table_len": { kind: "int", default: 4096, min: 1, max: 2 ** 30, pow2: true, doc: "flow limit buckets per CPU" },
  // net/core/net_namespace.c: sysctl_txrehash = SOCK_TXREHASH_ENABLED; sysctl_net_core.c: u8, SYSCTL_ZERO..SYSCTL_ONE
  "net.core.txrehash": { kind: "int", default: 1, min: 0, max: 1, doc: "sockets may pick a new sk_txhash: each RTO, a SYN's too (TcpTimeoutRehash); each SYN-ACK retransmission a new request txhash" },
  // net/core/hotdata.c: .gro_normal_batch = 8; sysctl_net_core.c: extra1 SYSCTL_ONE
  "net.core.gro_normal_batch": { kind: "int", default: 8, min: 1, max: INT_MAX, doc: "GRO segments batched before delivery" },
  // include/net/proto_memory.h: SK_MEMORY_PCPU_RESERVE (1 MB in pages); sysctl_net_core.c: extra1 min_mem_pcpu_rsv (the same)
  "net.core.mem_pcpu_rsv": { kind: "int", default: 256, min: 256, max: INT_MAX, doc: "per-CPU reserve of protocol memory (pages)" },
  // net/core/sock.c: sysctl_rmem_default = SK_RMEM_MAX = SKB_TRUESIZE(256) * 256 = 832 * 256; sysctl_net_core.c: extra1 min_rcvbuf
  "net.core.rmem_default": { kind: "int", default: 212992, min: SOCK_MIN_RCVBUF, max: INT_MAX, doc: "default SO_RCVBUF (not TCP)" },
  // net/core/sock.c: sysctl_rmem_max = SK_RMEM_MAX (212992 through 6.17; 6.18 raised it to 4 MiB — we model 6.12)
  "net.core.rmem_max": { kind: "int", default: 212992, min: SOCK_MIN_RCVBUF, max: INT_MAX, doc: "SO_RCVBUF ceiling" },
  // net/core/sock.c: sysctl_wmem_default = SK_WMEM_MAX; sysctl_net_core.c: extra1 min_sndbuf
  "net.core.wmem_default": { kind: "int", default: 212992, min: SOCK_MIN_SNDBUF, max: INT_MAX, doc: "default SO_SNDBUF (not TCP)" },
  // net/core/sock.c: sysctl_wmem_max = SK_WMEM_MAX (212992 through 6.17; 6.18 raised it to 4 MiB — we model 6.12)
  "net.core.wmem_max": { kind: "int", default: 212992, min: SOCK_MIN_SNDBUF, max: INT_MAX, doc: "SO_SNDBUF ceiling" },
  // net/sched/sch_generic.c: default_qdisc_ops = &pfifo_fast_ops; sysctl_net_core.c: set_default_qdisc (any registered qdisc; we take the modelled ones)
  "net.core.default_qdisc": { kind: "enum", default: "pfifo_fast", values: ["pfifo_fast", "fq", "fq_codel"], doc: "qdisc attached to new devices" },

  // ---- net.ipv4 TCP: listen, SYN handling -------------------------------
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_syncookies = 1; u8, 0 never, 1 when the SYN queue overflows, 2 always
  "net.ipv4.tcp_syncookies": { kind: "int", default: 1, min: 0, max: 2, doc: "0 off, 1 on overflow, 2 always" },
  // net/ipv4/tcp_ipv4.c: tcp_set_hashinfo max(128, ehash_entries / 128) — 2048 with 262144 ehash buckets; proc_dointvec
  "net.ipv4.tcp_max_syn_backlog": { kind: "int", default: 2048, min: 0, max: INT_MAX, doc: "SYN queue 3/4 rule when cookies are off" },
  // include/net/tcp.h: TCP_SYNACK_RETRIES 5; sysctl_net_ipv4.c: u8, no bounds
  "net.ipv4.tcp_synack_retries": { kind: "int", default: 5, min: 0, max: 255, doc: "SYN-ACK retransmissions" },
  // include/net/tcp.h: TCP_SYN_RETRIES 6; sysctl_net_ipv4.c: tcp_syn_retries_min 1, max MAX_TCP_SYNCNT 127
  "net.ipv4.tcp_syn_retries": { kind: "int", default: 6, min: 1, max: 127, doc: "SYN retransmissions by connect()" },
  // net/ipv4/sysctl_net_ipv4.c: u8 boolean, zero-initialised (not set in tcp_sk_init)
  "net.ipv4.tcp_abort_on_overflow": { kind: "int", default: 0, min: 0, max: 1, doc: "RST instead of drop on accept-queue overflow" },

  // ---- net.ipv4 TCP: options, buffers, TSO/TSQ ---------------------------
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_timestamps = 1; ip-sysctl.rst: 2 = without random offsets
  "net.ipv4.tcp_timestamps": { kind: "int", default: 1, min: 0, max: 2, doc: "0 off, 1 on with random offset, 2 on without" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_sack = 1
  "net.ipv4.tcp_sack": { kind: "int", default: 1, min: 0, max: 1, doc: "selective ACK" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_window_scaling = 1
  "net.ipv4.tcp_window_scaling": { kind: "int", default: 1, min: 0, max: 1, doc: "RFC 7323 window scaling" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_moderate_rcvbuf = 1
  "net.ipv4.tcp_moderate_rcvbuf": { kind: "int", default: 1, min: 0, max: 1, doc: "receive buffer autotuning" },
  // net/ipv4/tcp.c: tcp_init rmem = {PAGE_SIZE, 131072, max(131072, min(6 MiB, limit))}; sysctl_net_ipv4.c: extra1 tcp_min_rcvbuf 4096
  "net.ipv4.tcp_rmem": { kind: "triple", default: [4096, 131072, 6291456], min: 4096, max: INT_MAX, doc: "min default max receive buffer" },
  // net/ipv4/tcp.c: tcp_init wmem = {PAGE_SIZE, 16384, max(64 KiB, min(4 MiB, limit))}; sysctl_net_ipv4.c: extra1 SYSCTL_ONE
  "net.ipv4.tcp_wmem": { kind: "triple", default: [4096, 16384, 4194304], min: 1, max: INT_MAX, doc: "min default max send buffer" },
  // net/ipv4/tcp.c: tcp_init_mem — L = max(128, nr_free_buffer_pages / 16), {3/4 L, L, 3/2 L} pages; the default is
  // for the default host memory (16 GiB, hosts.X.memory), a host with another memory gets its own; proc_doulongvec_minmax
  // net/ipv4/tcp.c: tcp_init — sysctl_tcp_max_orphans = half the established hash's buckets (memory-scaled:
  // validate.ts, this default is a 16 GiB host's); sysctl_net_ipv4.c: proc_dointvec (negatives refused here)
  "net.ipv4.tcp_max_orphans": { kind: "int", default: 65536, min: 0, max: INT_MAX, doc: "orphaned sockets before an orphan's RTO or probe aborts it (TCPAbortOnMemory)" },
  "net.ipv4.tcp_mem": { kind: "triple", default: [196608, 262144, 393216], min: 0, max: 2 ** 53 - 1, doc: "TCP memory low, pressure, high (pages)" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_min_tso_segs = 2; sysctl_net_ipv4.c: u8, extra1 SYSCTL_ONE
  "net.ipv4.tcp_min_tso_segs": { kind: "int", default: 2, min: 1, max: 255, doc: "minimum segments per TSO frame" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_tso_rtt_log = 9; sysctl_net_ipv4.c: u8, extra2 tcp_tso_rtt_log_max 31
  "net.ipv4.tcp_tso_rtt_log": { kind: "int", default: 9, min: 0, max: 31, doc: "TSO autosizing RTT scale (2^9 us)" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_tso_win_divisor = 3; sysctl_net_ipv4.c: u8 (proc_dou8vec_minmax)
  "net.ipv4.tcp_tso_win_divisor": { kind: "int", default: 3, min: 0, max: 255, doc: "tcp_tso_should_defer: send once 1/N of the window is free (0: once > 3 MSS)" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init 16 * 65536 (6.16 raised it to 4 MiB — we model 6.12); proc_dointvec takes any
  // int, and tcp_small_queue_check's min_t(unsigned long, ...) makes a negative one no cap
  "net.ipv4.tcp_limit_output_bytes": { kind: "int", default: 1048576, min: -INT_MAX - 1, max: INT_MAX, doc: "TSQ limit for unpaced flows (negative: no cap)" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_backlog_ack_defer = 1; sysctl_net_ipv4.c: u8, 0..1
  "net.ipv4.tcp_backlog_ack_defer": { kind: "int", default: 1, min: 0, max: 1, doc: "ACK once after draining the socket backlog" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_comp_sack_nr = 44; sysctl_net_ipv4.c: u8, proc_dou8vec_minmax, extra1 SYSCTL_ZERO
  "net.ipv4.tcp_comp_sack_nr": { kind: "int", default: 44, min: 0, max: 255, doc: "SACK compression: ACKs held at most before one goes (0: off)" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_comp_sack_delay_ns = NSEC_PER_MSEC; proc_doulongvec_minmax, no bounds
  "net.ipv4.tcp_comp_sack_delay_ns": { kind: "int", default: 1000000, min: 0, max: Number.MAX_SAFE_INTEGER, doc: "SACK compression timer's longest delay (ns; else 5 % of the RTT)" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_comp_sack_slack_ns = 100 * NSEC_PER_USEC; proc_doulongvec_minmax, no bounds
  "net.ipv4.tcp_comp_sack_slack_ns": { kind: "int", default: 100000, min: 0, max: Number.MAX_SAFE_INTEGER, doc: "SACK compression timer's hrtimer slack (ns), added to its delay" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_challenge_ack_limit = INT_MAX (no host-wide quota); proc_dointvec
  "net.ipv4.tcp_challenge_ack_limit": { kind: "int", default: INT_MAX, min: 0, max: INT_MAX, doc: "RFC 5961 challenge ACKs per second, host-wide (INT_MAX: no limit)" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init leaves sysctl_tcp_rfc1337 at 0; sysctl_net_ipv4.c: u8 (proc_dou8vec_minmax without
  // bounds; tcp_timewait_state_process tests it for non-zero)
  // net/ipv4/tcp_ipv4.c: tcp_set_hashinfo sysctl_max_tw_buckets = ehash_entries / 2 — 131072 with 262144 ehash buckets;
  // proc_dointvec takes any int (inet_twsk_alloc compares it with the unsigned refcount: a negative value is no limit)
  "net.ipv4.tcp_max_tw_buckets": { kind: "int", default: 131072, min: -INT_MAX - 1, max: INT_MAX, doc: "timewait socks a host may hold (negative: no limit); tcp_time_wait beyond it closes the socket (TCPTimeWaitOverflow)" },
  // include/net/tcp.h: TCP_FIN_TIMEOUT = TCP_TIMEWAIT_LEN (60 s); tcp_ipv4.c: tcp_sk_init; proc_dointvec_jiffies (seconds, ≤ INT_MAX / HZ)
  "net.ipv4.tcp_fin_timeout": { kind: "int", default: 60, min: 0, max: Math.floor(INT_MAX / 1000), doc: "an orphan's FIN_WAIT2 lifetime (seconds; at least 3.5 RTO): tcp_fin_time" },
  "net.ipv4.tcp_rfc1337": { kind: "int", default: 0, min: 0, max: 255, doc: "non-zero: a TIME_WAIT socket ignores an RST (RFC 1337); 0: the RST kills it" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_dsack = 1; sysctl_net_ipv4.c: u8 (any non-zero is on)
  "net.ipv4.tcp_dsack": { kind: "int", default: 1, min: 0, max: 1, doc: "send D-SACK blocks for duplicate segments" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_recovery = TCP_RACK_LOSS_DETECTION; sysctl_net_ipv4.c: u8, bits 0x1 RACK,
  // 0x2 static reo_wnd, 0x4 no dupthresh (higher bits have no meaning)
  "net.ipv4.tcp_recovery": { kind: "int", default: 1, min: 0, max: 7, doc: "RACK loss detection bits: 1 RACK, 2 static reo_wnd, 4 no dupthresh" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_early_retrans = 3; sysctl_net_ipv4.c: u8, extra1 0, extra2 4
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_frto = 2; sysctl_net_ipv4.c: u8, proc_dou8vec_minmax without bounds
  "net.ipv4.tcp_frto": { kind: "int", default: 2, min: 0, max: 255, doc: "F-RTO (RFC 5682) after an RTO when non-zero" },
  "net.ipv4.tcp_early_retrans": { kind: "int", default: 3, min: 0, max: 4, doc: "tail loss probes with 3 or 4" },
  // include/net/tcp.h: TCP_RETR2 15 (tcp_sk_init); sysctl_net_ipv4.c: u8, proc_dou8vec_minmax without bounds
  "net.ipv4.tcp_retries2": { kind: "int", default: 15, min: 0, max: 255, doc: "RTO budget (tcp_model_timeout) and zero-window probes before an established connection aborts" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_orphan_retries = 0 (tcp_orphan_retries reads 0 as 8 while icsk_rto < 120 s); u8, no bounds
  "net.ipv4.tcp_orphan_retries": { kind: "int", default: 0, min: 0, max: 255, doc: "tcp_retries2 for a closed (orphaned) socket; 0 = 8 while the RTO is below 120 s" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_reordering = TCP_FASTRETRANS_THRESH (3); sysctl_net_ipv4.c: extra1
  // SYSCTL_ONE, extra2 tcp_max_reordering (checked across fields)
  "net.ipv4.tcp_reordering": { kind: "int", default: 3, min: 1, max: INT_MAX, doc: "initial reordering degree (tp->reordering, in segments): the duplicate-ACK threshold until SACKs raise it; at most tcp_max_reordering" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_max_reordering = 300; sysctl_net_ipv4.c: extra1 SYSCTL_ONE
  "net.ipv4.tcp_max_reordering": { kind: "int", default: 300, min: 1, max: INT_MAX, doc: "largest reordering degree learnt from SACKs" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_slow_start_after_idle = 1; sysctl_net_ipv4.c: u8, proc_dou8vec_minmax
  "net.ipv4.tcp_slow_start_after_idle": { kind: "int", default: 1, min: 0, max: 255, doc: "cwnd restarts after an idle RTO (RFC 2861) when non-zero" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_pingpong_thresh = 1; sysctl_net_ipv4.c: u8, extra1 SYSCTL_ONE
  "net.ipv4.tcp_pingpong_thresh": { kind: "int", default: 1, min: 1, max: 255, doc: "replies within ato before delayed ACKs turn interactive" },
  // tcp_cubic module parameters (/sys/module/tcp_cubic/parameters/, named as on the kernel
  // command line); net/ipv4/tcp_cubic.c: module_param int, every non-zero value is "on"
  "tcp_cubic.hystart": { kind: "int", default: 1, min: 0, max: 1, doc: "CUBIC hybrid slow start" },
  // net/ipv4/tcp_cubic.c: hystart_detect = HYSTART_ACK_TRAIN (1) | HYSTART_DELAY (2)
  "tcp_cubic.hystart_detect": { kind: "int", default: 3, min: 0, max: 3, doc: "HyStart detectors: 1 ACK train, 2 delay, 3 both" },
  // net/ipv4/tcp_cubic.c: hystart_low_window = 16
  "tcp_cubic.hystart_low_window": { kind: "int", default: 16, min: 0, max: INT_MAX, doc: "cwnd below which HyStart does not act" },
  // net/ipv4/tcp_cubic.c: hystart_ack_delta_us = 2000
  "tcp_cubic.hystart_ack_delta_us": { kind: "int", default: 2000, min: 0, max: INT_MAX, doc: "largest ACK spacing (us) inside an ACK train" },
  // net/ipv4/tcp_ipv4.c: tcp_sk_init sysctl_tcp_notsent_lowat = UINT_MAX; proc_douintvec
  "net.ipv4.tcp_notsent_lowat": { kind: "int", default: UINT_MAX, min: 0, max: UINT_MAX, doc: "unsent bytes before the socket stops being writable" },

  // ---- net.ipv4 IP fragments ---------------------------------------------
  // net/ipv4/ip_fragment.c: ipv4_frags_init_net high_thresh = 4 * 1024 * 1024; extra1 = low_thresh (checked across fields)
  "net.ipv4.ipfrag_high_thresh": { kind: "int", default: 4194304, min: 0, max: Number.MAX_SAFE_INTEGER, doc: "reassembly memory high mark (bytes)" },
  // net/ipv4/ip_fragment.c: ipv4_frags_init_net low_thresh = 3 * 1024 * 1024; extra2 = high_thresh
  "net.ipv4.ipfrag_low_thresh": { kind: "int", default: 3145728, min: 0, max: Number.MAX_SAFE_INTEGER, doc: "reassembly memory low mark (bytes)" },
  // include/net/ip.h: IP_FRAG_TIME (30 * HZ); ip_fragment.c: proc_dointvec_jiffies (seconds, ≤ INT_MAX / HZ)
  "net.ipv4.ipfrag_time": { kind: "int", default: 30, min: 0, max: Math.floor(INT_MAX / 1000), doc: "reassembly timeout (seconds)" },
} as const satisfies Record<string, SysctlDef>;

export type SysctlName = keyof typeof SYSCTLS;

type ValueOf<D> = D extends { kind: "int" }
  ? number
  : D extends { kind: "triple" }
    ? [number, number, number]
    : D extends { kind: "enum"; values: readonly (infer V)[] }
      ? V
      : never;

/** Every known sysctl of one host, defaults filled in. */
export type Sysctls = { [K in SysctlName]: ValueOf<(typeof SYSCTLS)[K]> };

export const SYSCTL_NAMES: readonly SysctlName[] = Object.keys(SYSCTLS) as SysctlName[];

export function isSysctlName(name: string): name is SysctlName {
  return Object.prototype.hasOwnProperty.call(SYSCTLS, name);
}

/** A fresh, fully-defaulted sysctl set (Linux 6.12 defaults). */
export function defaultSysctls(): Sysctls {
  const out: Record<string, unknown> = {};
  for (const name of SYSCTL_NAMES) {
    const def: SysctlDef = SYSCTLS[name];
    out[name] = def.kind === "triple" ? [...def.default] : def.default;
  }
  return out as Sysctls;
}

/** What the table accepts for one sysctl, for error messages. */
export function describeSysctl(def: SysctlDef): string {
  switch (def.kind) {
    case "int":
      return `integer ${def.min}..${def.max}${def.pow2 ? ", a power of 2" : ""}${def.bound ? ` (${def.bound})` : ""}`;
    case "triple":
      return `three integers ${def.min}..${def.max} as "min default max" or [min, default, max]`;
    case "enum":
      return `one of ${def.values.join(", ")}`;
  }
}

function isIntIn(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

function roundUpPow2(n: number): number {
  return n <= 1 ? n + 0 : 2 ** Math.ceil(Math.log2(n));
}

/**
 * Check one sysctl value and return it as the kernel would store it.
 * `path` names the value in the file (for the error).
 */
export function parseSysctl(name: string, value: unknown, path: string): Sysctls[SysctlName] {
  if (!isSysctlName(name)) throw new ScenarioError(path, value, unknownSysctlHint(name));
  const def: SysctlDef = SYSCTLS[name];
  const allowed = describeSysctl(def);
  switch (def.kind) {
    case "int": {
      if (!isIntIn(value, def.min, def.max)) throw new ScenarioError(path, value, allowed);
      if (def.pow2 && (value & (value - 1)) !== 0) throw new ScenarioError(path, value, allowed);
      // net/core/sysctl_net_core.c: rps_sock_flow_sysctl — size = roundup_pow_of_two(size)
      return def.roundPow2 ? roundUpPow2(value) : value + 0; // -0 -> 0
    }
    case "triple": {
      let parts: unknown[];
      if (typeof value === "string") {
        const words = value.trim().split(/\s+/);
        parts = words.map((w) => (/^\d+$/.test(w) ? Number(w) : w));
      } else if (Array.isArray(value)) parts = value;
      else throw new ScenarioError(path, value, allowed);
      if (parts.length !== 3 || !parts.every((p) => isIntIn(p, def.min, def.max))) throw new ScenarioError(path, value, allowed);
      return (parts as number[]).map((p) => p + 0) as [number, number, number];
    }
    case "enum": {
      if (typeof value !== "string" || !def.values.includes(value)) throw new ScenarioError(path, value, allowed);
      return value as Sysctls[SysctlName];
    }
  }
}

/** "unknown sysctl; did you mean …?" with the closest known names. */
export function unknownSysctlHint(name: string): string {
  const close = closeSysctlNames(name);
  if (close.length) return `unknown sysctl; did you mean ${close.join(" or ")}?`;
  return `unknown sysctl; known: ${SYSCTL_NAMES.length} names under net.core.* and net.ipv4.* (see README.md, "Scenario files")`;
}

/** Up to three known names close to `name` (edit distance, or the same last component). */
export function closeSysctlNames(name: string): SysctlName[] {
  const lower = name.toLowerCase().replace(/\//g, ".");
  const leaf = lower.slice(lower.lastIndexOf(".") + 1);
  const scored = SYSCTL_NAMES.map((known) => {
    const knownLeaf = known.slice(known.lastIndexOf(".") + 1);
    let score = Math.min(editDistance(lower, known), editDistance(leaf, knownLeaf) + 1);
    if (leaf.length >= 4 && knownLeaf.includes(leaf)) score = Math.min(score, 2);
    return { known, score };
  });
  const limit = Math.max(2, Math.floor(leaf.length / 3));
  return scored
    .filter((s) => s.score <= limit)
    .sort((x, y) => x.score - y.score || (x.known < y.known ? -1 : 1))
    .slice(0, 3)
    .map((s) => s.known);
}

export { editDistance };
