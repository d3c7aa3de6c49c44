// The CPU cost model: nanoseconds each stage of the receive path (and of TX completion) takes on the
// CPU that runs it, so a CPU can saturate. Defaults are plausible numbers for
// a ~3 GHz x86-64 server core with a modern 10/25G driver, picked from
// published per-packet measurements (see README.md, "CPUs, NAPI, RPS/RFS" for sources and
// the reasoning); every one can be overridden per host (`hosts.X.cost`).

export interface CostModel {
  /** Hard IRQ entry + handler + exit, per interrupt (also an IPI's handler). */
  irq: number;
  /** Sending one RPS IPI (smp_call_function_single_async), on the sender. */
  ipi: number;
  /** Delay from sending an IPI to its handler starting on the target CPU. */
  ipiLatency: number;
  /** net_rx_action entry/exit, per softirq round. */
  softirq: number;
  /** Driver RX poll per packet: descriptor, DMA unmap, build_skb. */
  driver: number;
  /** napi_gro_receive per packet (flow lookup, even when nothing merges);
   *  not charged on a NIC with GRO off (netif_elide_gro returns at once). */
  gro: number;
  /** ip_rcv .. ip_local_deliver per packet. */
  ip: number;
  /** tcp_v4_rcv per segment (socket lookup, state machine, queueing). */
  tcp: number;
  /** udp_rcv per datagram (socket lookup, __udp_queue_rcv_skb). */
  udp: number;
  /** enqueue_to_backlog per packet (remote lock, list append). */
  backlogEnqueue: number;
  /** process_backlog per packet (dequeue, cold skb on the target CPU). */
  backlogDequeue: number;
  /** Application recvmsg() per packet (syscall, wakeup, socket dequeue). */
  app: number;
  /** Application copy to user space per payload byte. */
  copyPerByte: number;
  /** Extra application cost per packet when the app runs on another CPU
   *  than the one that did protocol processing (skb, socket and payload
   *  cache lines are cold: the locality RFS exists for). */
  remote: number;
  /** TX completion per descriptor, in the TX queue's NAPI on its IRQ CPU: DMA unmap,
   *  napi_consume_skb (skb free, sock_wfree / tcp_wfree), the BQL accounting of
   *  netdev_tx_completed_queue. The completion interrupt (tx-usecs > 0) costs `irq`. */
  txClean: number;
}

/** Defaults (ns); see README.md, "CPUs, NAPI, RPS/RFS" for where each comes from. */
export const DEFAULT_COST: Readonly<CostModel> = Object.freeze({
  irq: 1000,
  ipi: 300,
  ipiLatency: 1500,
  softirq: 200,
  driver: 80,
  gro: 40,
  ip: 80,
  tcp: 300,
  udp: 200,
  backlogEnqueue: 60,
  backlogDequeue: 40,
  app: 600,
  copyPerByte: 0.1,
  remote: 200,
  txClean: 60,
});

/** An ideal CPU: every stage free. The engine's default for a HostSpec built
 *  in code without `cost` (so tests of other layers see no CPU delays);
 *  scenario files get DEFAULT_COST unless they say otherwise. */
export const ZERO_COST: Readonly<CostModel> = Object.freeze(
  Object.fromEntries(Object.keys(DEFAULT_COST).map((k) => [k, 0])) as unknown as CostModel,
);

export const COST_KEYS = Object.keys(DEFAULT_COST) as (keyof CostModel)[];

export class CostError extends Error {
  override name = "CostError";
}

/** Fill a partial cost model with the defaults; each value must be a finite number ≥ 0. */
export function resolveCost(over: Partial<CostModel> = {}): CostModel {
  const out = { ...DEFAULT_COST };
  for (const [k, v] of Object.entries(over)) {
    if (!(k in DEFAULT_COST)) throw new CostError(`cost.${k}: unknown stage; allowed: ${COST_KEYS.join(", ")}`);
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new CostError(`cost.${k}: ${String(v)} is not allowed (a number of ns ≥ 0)`);
    out[k as keyof CostModel] = v;
  }
  return out;
}
