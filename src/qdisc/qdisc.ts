// What every qdisc model offers the device's TX path (dev_queue_xmit /
// __qdisc_run): enqueue a handle (accepted, or dropped with a Linux drop
// reason through the sink), dequeue the next eligible handle, and say when
// something becomes eligible if nothing is now (fq's watchdog time).
import { SKB_NONE } from "../core/skb-fields.js";

/** dequeue() result when no skb is eligible (a u32 SKB_NONE seen as i32 -1). */
export const NO_SKB = -1;
/** skb.sk value meaning "no owning socket" (skb->sk == NULL). */
export const SK_NONE = SKB_NONE;
/** include/uapi/linux/pkt_sched.h: TC_PRIO_MAX */
export const TC_PRIO_MAX = 15;
/** net/sched/sch_generic.c: sch_default_prio2band (skb->priority -> band; pfifo_fast and fq). */
export const SCH_DEFAULT_PRIO2BAND: readonly number[] = Object.freeze([1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);

/** Where a qdisc sends what it drops (the owner frees the skb and books the reason). */
export interface QdiscDropSink {
  drop(h: number, reason: string): void;
}

/** include/net/sock.h: sk_pacing_status */
export const SK_PACING_NONE = 0;
export const SK_PACING_NEEDED = 1;
export const SK_PACING_FQ = 2;

/** How fq_classify sees the owning socket. */
export const SockState = {
  /** A full, connected socket: its own flow. */
  FULL: 0,
  /** A listener or request sock (SYN-ACKs): treated as no socket, skb orphaned. */
  LISTENER: 1,
  /** Unconnected (sk_state TCP_CLOSE, e.g. UDP sendto): flow keyed by the skb hash. */
  UNCONNECTED: 2,
} as const;

/** What a qdisc may ask about an skb's socket and priority; the host supplies it. */
export interface QdiscEnv {
  /** skb->priority (from SO_PRIORITY / sk_priority); 0 by default. */
  priority(h: number): number;
  sockState(sk: number): number;
  /** sk_is_tcp */
  isTcp(sk: number): boolean;
  /** sk->sk_hash: a changed value under the same key means the socket was reused. */
  sockHash(sk: number): number;
  /** sk->sk_pacing_rate in bytes/s; Infinity for ~0UL (unlimited). */
  pacingRate(sk: number): number;
  /** sk->sk_max_pacing_rate (SO_MAX_PACING_RATE) in bytes/s; Infinity for ~0UL. */
  maxPacingRate(sk: number): number;
  /** sk->sk_pacing_status = SK_PACING_FQ (fq paces this socket; TCP stops internal pacing). */
  setPacingStatusFq(sk: number): void;
  /** skb_orphan: the skb no longer charges socket sk (its destructor runs now). */
  orphan(h: number, sk: number): void;
  /** skb_get_hash: the skb's hash, computed from its flow keys first when it has none (neither l4_hash
   *  nor sw_hash); without it, the skb's hash as it is. */
  skbGetHash?(h: number): number;
}

/** Every socket a connected TCP socket with no pacing rate; priority 0. */
export const DEFAULT_QDISC_ENV: QdiscEnv = Object.freeze({
  priority: () => 0,
  sockState: () => SockState.FULL,
  isTcp: () => true,
  sockHash: () => 0,
  pacingRate: () => Infinity,
  maxPacingRate: () => Infinity,
  setPacingStatusFq: () => {},
  orphan: () => {},
});

/** The generic part of `tc -s qdisc show` (gnet_stats_basic + gnet_stats_queue). */
export interface QdiscStats {
  kind: string;
  /** Sent ... bytes (qdisc_pkt_len of dequeued skbs). */
  bytes: number;
  /** Sent ... pkt (a GSO skb counts its gso_segs). */
  packets: number;
  drops: number;
  overlimits: number;
  requeues: number;
  /** backlog ...b */
  backlog: number;
  /** backlog ...p */
  qlen: number;
}

/** What waits on q->gso_skb (dev_requeue_skb): the device's TX path holds the skbs and keeps
 *  these counts; they are still part of the queue, so `tc -s` adds them to qlen and backlog. */
export class GsoSkbStats {
  /** qstats.requeues: one per skb put back (a requeued segment list counts each segment). */
  requeues = 0;
  qlen = 0;
  backlog = 0;
}

export interface Qdisc {
  readonly kind: "pfifo_fast" | "fq";
  /** The requeued skbs (q->gso_skb) the TX path keeps on this qdisc's behalf. */
  readonly gsoSkb: GsoSkbStats;
  /** Queue skb h at time now (ns). false: dropped, the sink got it with the reason. */
  enqueue(h: number, now: number): boolean;
  /** The next skb to send at time now, or NO_SKB. */
  dequeue(now: number): number;
  /** Packets held. */
  readonly qlen: number;
  /** Bytes held (qdisc_pkt_len). */
  readonly backlog: number;
  /** When qlen > 0 but dequeue gives nothing: the earliest time something is
   *  eligible (the armed watchdog); Infinity otherwise. */
  nextEligible(): number;
  stats(now: number): QdiscStats;
  /** qdisc_reset: drop every held skb through the sink with `reason`. */
  reset(reason?: string): void;
}

export class QdiscConfigError extends Error {
  override name = "QdiscConfigError";
}

export class QdiscNotModelledError extends Error {
  override name = "QdiscNotModelledError";
}
