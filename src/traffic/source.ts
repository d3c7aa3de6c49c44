// What every traffic generator needs from the world: allocation of skbs that
// the ledger counts, the sending host's output path, the clock and the RNG.
import type { Core } from "../core/core.js";
import type { EventLoop } from "../sim/loop.js";
import type { Rng } from "../sim/rng.js";
import type { Host } from "../net/host.js";

export interface TrafficContext {
  core: Core;
  loop: EventLoop;
  rng: Rng;
  /** Allocate one skb (counted as created), or -1 when the pool is empty. */
  alloc(): number;
  /** Send a built packet from a host (counts, qdisc, NIC). */
  send(host: Host, h: number): boolean;
  /** The quiet step (LinkDirection.sendQuiet) that send() would reach first for a raw IPv4 TCP packet
   *  from `host` to `dst` (its route's NIC's quietWire, set only where that NIC can ever take it:
   *  NicTx.quietCapable); null otherwise. A generator may call it first and fall back to send() when it returns false: for such
   *  a packet without GSO that is exactly what send() does (ip_output's route, no fragment, __dev_queue_xmit). */
  quietLane?(host: Host, dst: Uint8Array): QuietLane | null;
}

/** A link direction's quiet step: xmit's bypass, post and the wire's take for a frame in one step, or false
 *  having done nothing. */
export interface QuietLane {
  sendQuiet(h: number): boolean;
}

export interface TrafficStats {
  kind: string;
  from: string;
  to: string;
  packets: number;
  bytes: number;
  /** Packets not sent because the skb pool was empty (ENOBUFS). */
  allocFailures: number;
}

/** Linux's default net.ipv4.ip_local_port_range. */
export const EPHEMERAL_LOW = 32768;
export const EPHEMERAL_HIGH = 60999;
