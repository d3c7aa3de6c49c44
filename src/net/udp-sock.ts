// A bound UDP socket's receive side: sk_rcvbuf, sk_rmem_alloc charged with
// each skb's truesize, the receive queue, and an application that calls
// recvmsg() at a configured rate (or at once, or never). The admission test
// is __udp_enqueue_schedule_skb's; UdpInDatagrams is counted by udp_recvmsg,
// i.e. when the application reads, not when the datagram is queued.
import type { EventLoop } from "../sim/loop.js";
import { NET_SKB_PAD, SHINFO_ALIGNED, SKB_ALIGNED } from "./skb-size.js";

/** How the application reads: at once (blocked in recvmsg), never, or at most `n` datagrams per second. */
export type UdpReadPolicy = true | false | number;

export interface UdpSocketConfig {
  port: number;
  /** SO_RCVBUF as passed to setsockopt(); undefined = never set (sk_rcvbuf = net.core.rmem_default). */
  rcvbuf?: number;
  /** Default true. */
  readRate?: UdpReadPolicy;
}

// include/linux/skbuff.h on x86-64: SMP_CACHE_BYTES 64, sizeof(struct sk_buff) 232, sizeof(struct skb_shared_info) 320
const SMP_CACHE_BYTES = 64;
// arch/x86/include/asm/processor.h: NET_IP_ALIGN 0
const NET_IP_ALIGN = 0;
const PAGE_SIZE = 4096;
const INT_MAX = 2 ** 31 - 1;
// include/net/sock.h: SOCK_MIN_RCVBUF (TCP_SKB_MIN_TRUESIZE = 2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff)))
const SOCK_MIN_RCVBUF = 2048 + SKB_ALIGNED;

const dataAlign = (x: number): number => Math.ceil(x / SMP_CACHE_BYTES) * SMP_CACHE_BYTES;

/** include/linux/skbuff.h: SKB_TRUESIZE(X) */
export function skbTruesize(x: number): number {
  return x + SKB_ALIGNED + SHINFO_ALIGNED;
}

/**
 * truesize of the skb a driver builds for a received frame of `frameLen`
 * bytes (FCS stripped): a copying driver calling napi_alloc_skb(napi, len)
 * (net/core/skbuff.c) on x86-64 with 4 KiB pages. len + NET_SKB_PAD up to
 * SKB_WITH_OVERHEAD(1K) = 704 comes from the 1 KiB small-frag cache; up to
 * SKB_WITH_OVERHEAD(PAGE_SIZE) = 3776 from a page frag of SKB_HEAD_ALIGN(len);
 * above that __alloc_skb's kmalloc, whose size is rounded up to a power of 2.
 * 60-byte frame -> 1280, 1514-byte frame -> 2176.
 */
export function rxTruesize(frameLen: number): number {
  const len = frameLen + NET_SKB_PAD + NET_IP_ALIGN;
  if (len <= 1024 - SHINFO_ALIGNED) return skbTruesize(1024 - SHINFO_ALIGNED);
  if (len <= PAGE_SIZE - SHINFO_ALIGNED) return skbTruesize(dataAlign(len));
  // net/core/skbuff.c: __alloc_skb -> kmalloc_reserve (kmalloc_size_roundup)
  const alloc = 2 ** Math.ceil(Math.log2(dataAlign(len) + SHINFO_ALIGNED));
  return skbTruesize(alloc - SHINFO_ALIGNED);
}

/** sk_rcvbuf of a new UDP socket: net.core.rmem_default, or SO_RCVBUF doubled
 *  after the clamp to net.core.rmem_max (net/core/sock.c: sk_setsockopt, __sock_set_rcvbuf). */
export function udpRcvbuf(setsockopt: number | undefined, rmemDefault: number, rmemMax: number): number {
  if (setsockopt === undefined) return rmemDefault;
  const val = Math.min(Math.min(setsockopt, rmemMax), Math.floor(INT_MAX / 2));
  return Math.max(val * 2, SOCK_MIN_RCVBUF);
}

/** What the socket needs from its stack: free a datagram (and any fragment skbs
 *  it carries) as read, and the counters to bump. */
export interface UdpSockEnv {
  loop: EventLoop;
  /** The application consumed it: count it delivered and free it. */
  consume(h: number): void;
  /** UdpInDatagrams (or Udp6InDatagrams). */
  countRead(): void;
}

export class UdpSock {
  readonly port: number;
  readonly rcvbuf: number;
  readonly read: UdpReadPolicy;
  /** sk_rmem_alloc: truesize of everything on the receive queue. */
  rmemAlloc = 0;
  /** sk_drops. */
  drops = 0;
  /** Datagrams read by the application (recvmsg). */
  reads = 0;
  /** Queue of skb handles with their charged truesize (a ring that grows). */
  private q: Uint32Array = new Uint32Array(64);
  private qSize: Uint32Array = new Uint32Array(64);
  private qHead = 0;
  private qLen = 0;
  /** skbs held by the queued datagrams (fragments included). */
  heldSkbs = 0;
  private readScheduled = false;
  private nextRead = 0;
  private readonly interval: number;

  constructor(
    config: UdpSocketConfig,
    rmemDefault: number,
    rmemMax: number,
    private readonly env: UdpSockEnv,
    private readonly kindRead: number,
    private readonly index: number,
  ) {
    this.port = config.port;
    this.rcvbuf = udpRcvbuf(config.rcvbuf, rmemDefault, rmemMax);
    this.read = config.readRate ?? true;
    this.interval = typeof this.read === "number" ? 1e9 / this.read : 0;
  }

  /** Datagrams waiting in the receive queue. */
  get queued(): number {
    return this.qLen;
  }

  /**
   * net/ipv4/udp.c: __udp_enqueue_schedule_skb. Returns false when the
   * queue is full (-ENOMEM: the caller counts RcvbufErrors/InErrors and drops
   * with SOCKET_RCVBUFF). `skbs` = skbs the datagram holds (its fragments).
   */
  enqueue(h: number, truesize: number, skbs: number): boolean {
    const rmem = this.rmemAlloc;
    const rcvbuf = this.rcvbuf;
    if (rmem + truesize > rcvbuf) {
      // "Always allow at least one packet for small buffer."
      if (rcvbuf > INT_MAX >> 1 || rmem > rcvbuf) {
        this.drops++;
        return false;
      }
    }
    // skb_condense() above rcvbuf/2 changes nothing here: napi_alloc_skb skbs are linear.
    if (this.read === true) {
      // The application is blocked in recvmsg(): the datagram is read at once.
      this.reads++;
      this.env.countRead();
      this.env.consume(h);
      return true;
    }
    this.rmemAlloc = rmem + truesize;
    this.push(h, truesize);
    this.heldSkbs += skbs;
    if (this.read !== false && !this.readScheduled) this.scheduleRead();
    return true;
  }

  /** The application's recvmsg(): one datagram. `skbs` of the head comes back from the stack. */
  readOne(skbsOf: (h: number) => number): void {
    this.readScheduled = false;
    if (this.qLen === 0) return;
    const i = this.qHead;
    const h = this.q[i]!;
    const size = this.qSize[i]!;
    this.qHead = (i + 1) % this.q.length;
    this.qLen--;
    // net/ipv4/udp.c: udp_rmem_release
    this.rmemAlloc -= size;
    this.heldSkbs -= skbsOf(h);
    this.reads++;
    this.env.countRead();
    this.env.consume(h);
    this.nextRead = this.env.loop.now + this.interval;
    if (this.qLen > 0) this.scheduleRead();
  }

  private scheduleRead(): void {
    this.readScheduled = true;
    this.env.loop.at(Math.max(this.env.loop.now, this.nextRead), this.kindRead, this.index);
  }

  private push(h: number, size: number): void {
    if (this.qLen === this.q.length) {
      const n = this.q.length * 2;
      const q = new Uint32Array(n);
      const s = new Uint32Array(n);
      for (let k = 0; k < this.qLen; k++) {
        const j = (this.qHead + k) % this.q.length;
        q[k] = this.q[j]!;
        s[k] = this.qSize[j]!;
      }
      this.q = q;
      this.qSize = s;
      this.qHead = 0;
    }
    const j = (this.qHead + this.qLen) % this.q.length;
    this.q[j] = h;
    this.qSize[j] = size;
    this.qLen++;
  }
}
