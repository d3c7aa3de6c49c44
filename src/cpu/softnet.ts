// Per-CPU softnet_data: the /proc/net/softnet_stat counters, the backlog
// (input_pkt_queue + process_queue) in one WASM ring, input_queue_head/tail
// (RFS's in-order rule), the RPS IPI list, and the flow-limit tables.
//
// The ring holds process_queue first, then input_pkt_queue: `processLen`
// counts the head part. Splicing input_pkt_queue into process_queue is then
// just processLen = ring count (process_queue is empty when Linux splices).
// Each part is at most netdev_max_backlog + 1, so the ring has room for
// 2 * (max + 1).
import type { Core } from "../core/core.js";
import { createRing } from "../net/ring-ops.js";

/** net/core/dev.c: FLOW_LIMIT_HISTORY */
export const FLOW_LIMIT_HISTORY = 128;

export class BacklogTooLargeError extends Error {
  override name = "BacklogTooLargeError";
}

/** Ring slots one CPU's backlog needs for a netdev_max_backlog. */
export function backlogRingSlots(maxBacklog: number): number {
  let s = 2;
  while (s < 2 * (maxBacklog + 1)) s *= 2;
  return s;
}

export class FlowLimit {
  readonly buckets: Uint32Array;
  readonly history = new Uint32Array(FLOW_LIMIT_HISTORY);
  head = 0;
  count = 0;
  constructor(readonly numBuckets: number) {
    this.buckets = new Uint32Array(numBuckets);
  }
}

export class Softnet {
  readonly processed: Float64Array;
  readonly dropped: Float64Array;
  readonly timeSqueeze: Float64Array;
  readonly receivedRps: Float64Array;
  /** input_queue_head / input_queue_tail (u32, wrapping). */
  readonly queueHead: Uint32Array;
  readonly queueTail: Uint32Array;
  readonly ring: Uint32Array;
  readonly processLen: Uint32Array;
  /** sd->flow_limit, only for CPUs in flow_limit_cpu_bitmap. */
  readonly flowLimit: (FlowLimit | null)[];
  /** rps_ipi_list: remote CPUs whose backlog this CPU must kick, in scheduling order (the kernel's list
   *  is that order reversed: sendIpis walks it from the end). */
  readonly ipiList: number[][];

  constructor(core: Core, cpus: number, maxBacklog: number, flowLimitCpus: readonly number[], flowLimitLen: number) {
    const f = () => new Float64Array(cpus);
    this.processed = f();
    this.dropped = f();
    this.timeSqueeze = f();
    this.receivedRps = f();
    this.queueHead = new Uint32Array(cpus);
    this.queueTail = new Uint32Array(cpus);
    this.processLen = new Uint32Array(cpus);
    this.ring = new Uint32Array(cpus);
    const slots = backlogRingSlots(maxBacklog);
    if (slots > 1 << 22) {
      throw new BacklogTooLargeError(`net.core.netdev_max_backlog: ${maxBacklog} is not supported by the model (its per-CPU backlog ring would need ${slots} slots; at most ${(1 << 21) - 1})`);
    }
    for (let c = 0; c < cpus; c++) this.ring[c] = createRing(core, slots, `cpu${c} backlog`);
    this.flowLimit = [];
    this.ipiList = [];
    const fl = new Set(flowLimitCpus);
    for (let c = 0; c < cpus; c++) {
      this.flowLimit.push(fl.has(c) ? new FlowLimit(flowLimitLen) : null);
      this.ipiList.push([]);
    }
  }

  flowLimitCount(cpu: number): number {
    return this.flowLimit[cpu]?.count ?? 0;
  }
}

// net/core/dev.c: skb_flow_limit (on the enqueuing CPU's table)
export function skbFlowLimit(fl: FlowLimit | null, hash: number, qlen: number, maxBacklog: number): boolean {
  if (qlen < maxBacklog >> 1 || fl === null) return false;
  const newFlow = hash & (fl.numBuckets - 1);
  const oldFlow = fl.history[fl.head]!;
  fl.history[fl.head] = newFlow;
  fl.head = (fl.head + 1) & (FLOW_LIMIT_HISTORY - 1);
  if (fl.buckets[oldFlow]! > 0) fl.buckets[oldFlow]! -= 1;
  fl.buckets[newFlow]! += 1;
  if (fl.buckets[newFlow]! > FLOW_LIMIT_HISTORY >> 1) {
    fl.count++;
    return true;
  }
  return false;
}
