// A host: CPUs, one NIC per link (eth0, eth1, … in link order), an nstat
// counter set, and a socket table. Receive: a NIC queue's IRQ schedules that
// queue's NAPI poll on the CPU the IRQ is affine to (queue % cpus); the poll
// hands each frame to the stack. Transmit: the stack counts the packet, picks
// the NIC by a host route to the destination (or the default route, eth0)
// and queues it on that NIC's qdisc. Later models (per-CPU backlogs, GRO,
// RPS, TCP) replace the pieces, not the shape.
import type { Core } from "../core/core.js";
import type { EventLoop } from "../sim/loop.js";
import { Counters } from "../sim/counters.js";
import type { Nic, DropSink, NicConfig } from "./nic.js";
import { Stack, type Listener } from "./stack.js";
import type { TcpEnv } from "../tcp/tcp-host.js";

/** net/core/dev.c: NAPI_POLL_WEIGHT */
export const NAPI_POLL_WEIGHT = 64;

export interface ListenerConfig {
  port: number;
  backlog: number;
  /** accept() behaviour of the application: true, false, or a rate (per s). */
  accept: boolean | number;
  /** Time between a child being queued and accept() returning it (ns, default 0). */
  acceptDelay?: number;
}

export interface HostConfig {
  name: string;
  addr: Uint8Array;
  cpus: number;
  /** Every NIC of the host is built from this. */
  nic: NicConfig;
  sysctl: Readonly<Record<string, number | string | readonly number[]>>;
  listeners: readonly ListenerConfig[];
  udpPorts: readonly number[];
}

/** The /proc/net/softnet_stat columns this model fills, per CPU. */
export interface SoftnetStat {
  processed: number;
  dropped: number;
  time_squeeze: number;
  received_rps: number;
  flow_limit_count: number;
}

export class Host {
  readonly nstat = new Counters();
  readonly stack: Stack;
  readonly softnetProcessed: Float64Array;
  readonly softnetDropped: Float64Array;
  readonly softnetTimeSqueeze: Float64Array;
  readonly nics: Nic[] = [];
  private readonly kindPoll: number;
  private readonly pollSlot: number;
  private readonly txRoomWaiters: (() => void)[] = [];
  /** Host routes: peer address -> the NIC whose link reaches it (IPv4 keyed
   *  by the address as a u32 so the per-packet lookup allocates nothing). */
  private readonly routes4 = new Map<number, Nic>();
  private readonly routes6 = new Map<string, Nic>();

  constructor(
    private readonly core: Core,
    readonly config: HostConfig,
    private readonly loop: EventLoop,
    drops: DropSink,
    deliver: (h: number) => void,
    pollSlot: number,
    env: TcpEnv,
  ) {
    this.pollSlot = pollSlot;
    this.softnetProcessed = new Float64Array(config.cpus);
    this.softnetDropped = new Float64Array(config.cpus);
    this.softnetTimeSqueeze = new Float64Array(config.cpus);
    this.stack = new Stack(core, config, this.nstat, (h) => this.route(h), drops, deliver, env);
    this.kindPoll = loop.register(`${config.name} napi poll`, (arg) => this.napiPoll(arg >>> 16, arg & 0xffff));
  }

  get name(): string {
    return this.config.name;
  }

  /** Attach the NIC of a link whose far end has address peer. */
  addNic(nic: Nic, peer: Uint8Array): void {
    const index = this.nics.length;
    this.nics.push(nic);
    nic.onRxIrq = (q) => this.rxIrq(index, q);
    nic.onTxRoom = () => this.wakeTxWaiters();
    if (peer.length === 4) this.routes4.set(key4(peer, 0), nic);
    else this.routes6.set(key6(peer, 0), nic);
  }

  /** The NIC a packet to `dst` leaves by: a host route, else eth0. */
  nicFor(dst: Uint8Array): Nic {
    const nic = dst.length === 4 ? this.routes4.get(key4(dst, 0)) : this.routes6.get(key6(dst, 0));
    return nic ?? this.nics[0];
  }

  // net/ipv4/route.c: ip_route_output_key — host routes, then the default route
  private route(h: number): Nic | undefined {
    if (this.nics.length <= 1) return this.nics[0];
    const b = this.core.headers;
    const net = h * 128 + this.core.skb.network[h]!;
    const nic = this.core.skb.protocol[h] === 0x86dd ? this.routes6.get(key6(b, net + 24)) : this.routes4.get(key4(b, net + 16));
    return nic ?? this.nics[0];
  }

  /** The CPU that queue q's IRQ is affine to (a round-robin smp_affinity). */
  irqCpu(q: number): number {
    return q % this.config.cpus;
  }

  listeners(): Listener[] {
    return this.stack.listenerList();
  }

  /** An application wants to be called when the qdisc has room. */
  waitTxRoom(cb: () => void): void {
    this.txRoomWaiters.push(cb);
  }

  private wakeTxWaiters(): void {
    if (this.txRoomWaiters.length === 0) return;
    const waiters = this.txRoomWaiters.splice(0);
    for (const cb of waiters) cb();
  }

  // net/core/dev.c: napi_schedule (from the driver's IRQ handler)
  private rxIrq(nicIndex: number, q: number): void {
    this.loop.after(this.config.nic.rxUsecs ?? 0, this.kindPoll, (nicIndex << 16) | q);
  }

  // net/core/dev.c: __napi_poll -> driver poll -> napi_complete_done
  private napiPoll(nicIndex: number, q: number): void {
    const nic = this.nics[nicIndex]!;
    const cpu = this.irqCpu(q);
    const n = nic.rxPoll(q, this.pollSlot, NAPI_POLL_WEIGHT);
    const scratch = this.core.scratch;
    for (let i = 0; i < n; i++) {
      this.softnetProcessed[cpu]! += 1;
      this.stack.receive(scratch[this.pollSlot + i]!);
    }
    if (n === NAPI_POLL_WEIGHT) this.loop.after(0, this.kindPoll, (nicIndex << 16) | q);
    else nic.rxIrqEnable(q);
  }

  softnet(cpu: number): SoftnetStat {
    return {
      processed: this.softnetProcessed[cpu]!,
      dropped: this.softnetDropped[cpu]!,
      time_squeeze: this.softnetTimeSqueeze[cpu]!,
      received_rps: 0,
      flow_limit_count: 0,
    };
  }
}

function key4(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

function key6(b: Uint8Array, off: number): string {
  let k = "";
  for (let i = 0; i < 16; i++) k += String.fromCharCode(b[off + i]!);
  return k;
}
