// sch_fq's struct fq_flow as columns indexed by flow number, plus the
// lookup table (fq_root: 2^log buckets keyed by socket or orphan key). Flow 0
// is q->internal, the fast-path queue, never hashed. Columns double when
// full, up to maxFlows; beyond that an allocation fails as
// kmem_cache_zalloc can (allocation_errors). Packets of a flow are a list
// linked through the skb `next` column (head/tail) plus, for an skb whose
// time_to_send is earlier than the tail's, a second list sorted by
// time_to_send (the kernel's per-flow t_root rb-tree, equal times FIFO).
import { SKB_NONE } from "../core/skb-fields.js";

export const FQ_INTERNAL = 0;
/** f->next of a throttled flow (the kernel's &throttled marker). */
export const FLOW_THROTTLED = -2;
export const FLOW_NIL = -1;

export class FqFlows {
  capacity: number;
  /** Flows in use, internal included. */
  used = 1;
  /** fq_flow.sk: socket id * 2, or ((hash & orphan_mask) << 1) | 1. */
  key!: Float64Array;
  socketHash!: Uint32Array;
  head!: Uint32Array;
  tail!: Uint32Array;
  /** First skb of the time-sorted out-of-order list (t_root), SKB_NONE if empty. */
  tHead!: Uint32Array;
  /** fq_flow_is_detached (age | 1 in the kernel's union). */
  detached!: Uint8Array;
  /** jiffies | 1 when detached */
  age!: Float64Array;
  qlen!: Int32Array;
  credit!: Int32Array;
  band!: Uint8Array;
  /** next flow in its new/old list, FLOW_NIL, or FLOW_THROTTLED. */
  next!: Int32Array;
  /** time_next_packet (ns), 0 = none */
  tnp!: Float64Array;
  /** hash-chain link in its bucket; also the free-list link */
  chain!: Int32Array;
  readonly buckets: Int32Array;
  private freeHead = FLOW_NIL;
  private readonly mask: number;

  constructor(
    initial: number,
    readonly maxFlows: number,
    readonly log: number,
  ) {
    this.capacity = Math.max(2, Math.min(initial, maxFlows + 1));
    this.alloc(this.capacity, 0);
    this.buckets = new Int32Array(1 << log).fill(FLOW_NIL);
    this.mask = (1 << log) - 1;
  }

  private alloc(n: number, keep: number): void {
    const old = keep > 0 ? this : null;
    const f64 = (a: Float64Array | undefined): Float64Array => {
      const r = new Float64Array(n);
      if (old && a) r.set(a);
      return r;
    };
    const u32 = (a: Uint32Array | undefined, fill: number): Uint32Array => {
      const r = new Uint32Array(n).fill(fill);
      if (old && a) r.set(a);
      return r;
    };
    const i32 = (a: Int32Array | undefined, fill: number): Int32Array => {
      const r = new Int32Array(n).fill(fill);
      if (old && a) r.set(a);
      return r;
    };
    const u8 = (a: Uint8Array | undefined): Uint8Array => {
      const r = new Uint8Array(n);
      if (old && a) r.set(a);
      return r;
    };
    this.key = f64(this.key);
    this.socketHash = u32(this.socketHash, 0);
    this.head = u32(this.head, SKB_NONE);
    this.tail = u32(this.tail, SKB_NONE);
    this.tHead = u32(this.tHead, SKB_NONE);
    this.detached = u8(this.detached);
    this.age = f64(this.age);
    this.qlen = i32(this.qlen, 0);
    this.credit = i32(this.credit, 0);
    this.band = u8(this.band);
    this.next = i32(this.next, FLOW_NIL);
    this.tnp = f64(this.tnp);
    this.chain = i32(this.chain, FLOW_NIL);
    this.capacity = n;
  }

  /** include/linux/hash.h: hash_ptr on the key's low 32 bits (golden-ratio multiply). */
  bucketOf(key: number): number {
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296) >>> 0;
    return (Math.imul(lo ^ Math.imul(hi, 0x9e3779b9), 0x61c88647) >>> (32 - this.log)) & this.mask;
  }

  /** Flow with this key in its bucket, or FLOW_NIL. */
  find(bucket: number, key: number): number {
    for (let f = this.buckets[bucket]!; f !== FLOW_NIL; f = this.chain[f]!) if (this.key[f] === key) return f;
    return FLOW_NIL;
  }

  /** A zeroed flow linked into the bucket; FLOW_NIL when maxFlows are in use.
   *  Returns the (possibly grown) capacity through `capacity`. */
  create(bucket: number, key: number): number {
    let f = this.freeHead;
    if (f !== FLOW_NIL) {
      this.freeHead = this.chain[f]!;
    } else {
      if (this.used - 1 >= this.maxFlows) return FLOW_NIL;
      if (this.used >= this.capacity) this.alloc(Math.min(this.capacity * 2, this.maxFlows + 1), this.used);
      f = this.used;
    }
    this.used++;
    this.key[f] = key;
    this.socketHash[f] = 0;
    this.head[f] = SKB_NONE;
    this.tail[f] = SKB_NONE;
    this.tHead[f] = SKB_NONE;
    this.detached[f] = 0;
    this.age[f] = 0;
    this.qlen[f] = 0;
    this.credit[f] = 0;
    this.band[f] = 0;
    this.next[f] = FLOW_NIL;
    this.tnp[f] = 0;
    this.chain[f] = this.buckets[bucket]!;
    this.buckets[bucket] = f;
    return f;
  }

  /** Unlink flow f from bucket and free it (kmem_cache_free). */
  free(bucket: number, f: number): void {
    let p = this.buckets[bucket]!;
    if (p === f) {
      this.buckets[bucket] = this.chain[f]!;
    } else {
      while (p !== FLOW_NIL && this.chain[p] !== f) p = this.chain[p]!;
      if (p === FLOW_NIL) return;
      this.chain[p] = this.chain[f]!;
    }
    this.chain[f] = this.freeHead;
    this.freeHead = f;
    this.used--;
  }
}
