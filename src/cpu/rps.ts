// RPS and RFS state of one host: per RX queue the rps_map (rps_cpus) and the
// rps_dev_flow_table (rps_flow_cnt), the global rps_sock_flow_table
// (net.core.rps_sock_flow_entries), and get_rps_cpu / set_rps_cpu /
// rps_may_expire_flow over them. Accelerated RFS asks the NIC to steer a
// flow (ndo_rx_flow_steer) through the steer callback.
import { reciprocalScale, type FlowHasher } from "./flow-hash.js";

/** include/net/rps.h: RPS_NO_CPU, RPS_NO_FILTER */
export const RPS_NO_CPU = 0xffff;
export const RPS_NO_FILTER = 0xffff;

export interface RpsConfig {
  /** rps_cpus per RX queue index (the same for every NIC); [] = none. */
  cpus: readonly (readonly number[])[];
  /** rps_flow_cnt of every RX queue (0 = no RFS flow table). */
  flowCnt: number;
  /** Accelerated RFS: NETIF_F_NTUPLE + rx_cpu_rmap on the NICs. */
  arfs: boolean;
  /** net.core.flow_limit_cpu_bitmap as CPU numbers. */
  flowLimitCpus: readonly number[];
}

export const NO_RPS: RpsConfig = Object.freeze({ cpus: [], flowCnt: 0, arfs: false, flowLimitCpus: [] });

/** include/linux/log2.h: roundup_pow_of_two (0 stays 0). */
export function roundupPow2(n: number): number {
  if (n <= 1) return n <= 0 ? 0 : 1;
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** net/core/net-sysfs.c: store_rps_dev_flow_table_cnt — rounded up to a power of two (mask = n - 1). */
export function rpsFlowCntRounded(n: number): number {
  return n === 0 ? 0 : roundupPow2(n);
}

export class DevFlowTable {
  readonly mask: number;
  readonly cpu: Uint16Array;
  readonly filter: Uint16Array;
  readonly lastQtail: Uint32Array;
  constructor(cnt: number) {
    const n = roundupPow2(cnt);
    this.mask = n - 1;
    this.cpu = new Uint16Array(n).fill(RPS_NO_CPU);
    this.filter = new Uint16Array(n).fill(RPS_NO_FILTER);
    this.lastQtail = new Uint32Array(n);
  }
}

export interface RxQueueRps {
  /** map->cpus: rps_cpus ∩ online, ascending; null when empty. */
  map: Uint16Array | null;
  flows: DevFlowTable | null;
}

/** ndo_rx_flow_steer(dev, skb, rxq, flow_id): filter id ≥ 0 or -1. */
export type FlowSteer = (nic: number, h: number, rxq: number, flowId: number) => number;

export class RpsState {
  readonly queues: RxQueueRps[][] = [];
  /** rps_sock_flow_table ents (null when rps_sock_flow_entries = 0). */
  readonly sockTable: Uint32Array | null;
  readonly sockMask: number;
  /** rps_cpu_mask = roundup_pow_of_two(nr_cpu_ids) - 1 */
  readonly cpuMask: number;
  /** static key rps_needed: an rps_map on any queue, or the rps_sock_flow_table. */
  needed = false;
  /** The rflow get_rps_cpu chose (for enqueue_to_backlog's last_qtail): table and index, or null (voidflow). */
  rflowTable: DevFlowTable | null = null;
  rflowIndex = 0;
  /** Per NIC: the RX queue whose IRQ is affine to each CPU (cpu_rmap), or -1. */
  rmap: Int32Array[] = [];
  steer: FlowSteer | null = null;

  constructor(
    readonly cpus: number,
    readonly config: RpsConfig,
    sockFlowEntries: number,
    private readonly hasher: FlowHasher,
    /** softnet_data.input_queue_head per CPU. */
    private readonly queueHead: Uint32Array,
  ) {
    this.cpuMask = roundupPow2(cpus) - 1;
    const entries = roundupPow2(sockFlowEntries);
    this.sockTable = entries > 0 ? new Uint32Array(entries).fill(RPS_NO_CPU) : null;
    this.sockMask = entries > 0 ? entries - 1 : 0;
  }

  /** Set up RX queue state for a NIC with `queues` queues and IRQ CPUs `irqCpu(q)`. */
  addNic(queues: number, irqCpu: (q: number) => number): void {
    const list: RxQueueRps[] = [];
    for (let q = 0; q < queues; q++) {
      const want = this.config.cpus[q] ?? this.config.cpus[0] ?? [];
      // net/core/net-sysfs.c: netdev_rx_queue_set_rps_mask — mask ∩ online, ascending
      const online = [...new Set(want)].filter((c) => c >= 0 && c < this.cpus).sort((a, b) => a - b);
      const map = online.length > 0 ? Uint16Array.from(online) : null;
      const flows = this.config.flowCnt > 0 ? new DevFlowTable(this.config.flowCnt) : null;
      // net/core/net-sysfs.c: store_rps_map — static_branch_inc(&rps_needed) for a map (rps_flow_cnt alone: no)
      if (map !== null) this.needed = true;
      list.push({ map, flows });
    }
    // net/core/sysctl_net_core.c: rps_sock_flow_sysctl — a sock flow table turns rps_needed on by itself
    if (this.sockTable !== null) this.needed = true;
    this.queues.push(list);
    // lib/cpu_rmap.c: cpu_rmap_lookup_index — the queue whose IRQ is on the CPU (nearest CPU number otherwise)
    const rm = new Int32Array(this.cpus).fill(-1);
    for (let c = 0; c < this.cpus; c++) {
      let best = -1;
      let dist = Infinity;
      for (let q = 0; q < queues; q++) {
        const d = Math.abs(irqCpu(q) - c);
        if (d < dist) {
          dist = d;
          best = q;
        }
      }
      rm[c] = best;
    }
    this.rmap.push(rm);
  }

  // net/core/dev.c: get_rps_cpu
  getRpsCpu(nic: number, q: number, h: number): number {
    this.rflowTable = null;
    const rxq = this.queues[nic]![q];
    if (rxq === undefined) return -1;
    const flows = rxq.flows;
    const map = rxq.map;
    if (flows === null && map === null) return -1;
    const hash = this.hasher.get(h);
    if (hash === 0) return -1;
    const sock = this.sockTable;
    if (flows !== null && sock !== null) {
      const ident = sock[hash & this.sockMask]!;
      if (((ident ^ hash) & ~this.cpuMask) === 0) {
        const nextCpu = ident & this.cpuMask;
        let table = flows;
        let idx = hash & flows.mask;
        let tcpu = table.cpu[idx]!;
        if (tcpu !== nextCpu && (tcpu >= this.cpus || ((this.queueHead[tcpu]! - table.lastQtail[idx]!) | 0) >= 0)) {
          tcpu = nextCpu;
          // set_rps_cpu may move the rflow to another queue's table (aRFS)
          this.setRpsCpu(nic, q, h, hash, table, idx, nextCpu);
          table = this.rflowTable!;
          idx = this.rflowIndex;
        }
        if (tcpu < this.cpus) {
          this.rflowTable = table;
          this.rflowIndex = idx;
          return tcpu;
        }
        this.rflowTable = null;
      }
    }
    if (map !== null) return map[reciprocalScale(hash, map.length)]!;
    return -1;
  }

  // net/core/dev.c: set_rps_cpu
  private setRpsCpu(nic: number, q: number, h: number, hash: number, table: DevFlowTable, idx: number, nextCpu: number): void {
    if (nextCpu < this.cpus) {
      if (this.config.arfs && this.steer !== null) {
        const rxq = this.rmap[nic]![nextCpu]!;
        const target = rxq >= 0 && rxq !== q ? this.queues[nic]![rxq]!.flows : null;
        if (target !== null) {
          const flowId = hash & target.mask;
          const rc = this.steer(nic, h, rxq, flowId);
          if (rc >= 0) {
            const oldFilter = table.filter[idx]!;
            target.filter[flowId] = rc;
            if (oldFilter === rc) table.filter[idx] = RPS_NO_FILTER;
            table = target;
            idx = flowId;
          }
        }
      }
      table.lastQtail[idx] = this.queueHead[nextCpu]!;
    }
    table.cpu[idx] = nextCpu;
    this.rflowTable = table;
    this.rflowIndex = idx;
  }

  // include/net/rps.h: sock_rps_record_flow_hash (from recvmsg on `cpu`)
  recordFlow(hash: number, cpu: number): void {
    const t = this.sockTable;
    if (t === null || hash === 0) return;
    const i = hash & this.sockMask;
    const val = ((hash & ~this.cpuMask) | cpu) >>> 0;
    if (t[i] !== val) t[i] = val;
  }

  // net/core/dev.c: rps_may_expire_flow
  mayExpireFlow(nic: number, rxq: number, flowId: number, filterId: number): boolean {
    const t = this.queues[nic]?.[rxq]?.flows;
    if (t === null || t === undefined || flowId > t.mask) return true;
    const cpu = t.cpu[flowId]!;
    if (t.filter[flowId] === filterId && cpu < this.cpus && ((this.queueHead[cpu]! - t.lastQtail[flowId]!) | 0) < 10 * t.mask) return false;
    return true;
  }
}
