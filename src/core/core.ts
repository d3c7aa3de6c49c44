// Core: the WASM module after core_init, with typed-array views built once
// over its memory. The memory never grows (src/core/loader.ts creates it at
// the plan's size), so the views stay valid for the life of the Core. Per-packet work never creates JS objects: callers
// read and write the skb columns by handle.
import type { RawCore } from "./loader.js";
import { resolveCoreConfig, type CoreConfig } from "./config.js";
import {
  SKB_HEADROOM,
  SKB_F64_COLS,
  SKB_U32_COLS,
  SkbCol,
  SkbF64Col,
  type SkbF64Field,
  type SkbU32Field,
} from "./skb-fields.js";
import { Rings } from "./rings.js";
import { Rss } from "./rss.js";
import { Wheel } from "./wheel.js";

interface SkbExports {
  core_init(skbs: number, io: number, maxRings: number, ringSlots: number, rssCtx: number, retaMax: number, wheel: number, gro: number, dqlQueues: number, txRingSlots: number): number;
  core_scratch_ptr(): number;
  core_scratch_slots(): number;
  layout_bytes(): number;
  skb_alloc_burst(out: number, n: number, now: number): number;
  skb_free_burst(inp: number, n: number): number;
  skb_free_list(head: number): number;
  skb_alloc_one(now: number): number;
  skb_free_one(h: number): number;
  skb_pool_size(): number;
  skb_live_count(): number;
  skb_free_count(): number;
  skb_u32_cols_ptr(): number;
  skb_u32_col_stride(): number;
  skb_f64_cols_ptr(): number;
  skb_f64_col_stride(): number;
  skb_headers_ptr(): number;
  skb_stats_ptr(): number;
  skb_pending_ptr(): number;
  skb_free_pending(): number;
}

/** assembly/skb.ts: SKB_PENDING_CAP */
const SKB_PENDING_CAP = 256;

export interface SkbPoolStats {
  size: number;
  live: number;
  free: number;
  allocated: number;
  freed: number;
  allocFail: number;
  badFree: number;
}

export class CoreInitError extends Error {
  override name = "CoreInitError";
}

export class Core {
  readonly config: CoreConfig;
  readonly raw: RawCore;
  readonly memory: WebAssembly.Memory;
  /** skb u32 metadata columns, indexed by handle. */
  readonly skb: Readonly<Record<SkbU32Field, Uint32Array>>;
  /** skb f64 columns (ns times), indexed by handle. */
  readonly skbTime: Readonly<Record<SkbF64Field, Float64Array>>;
  /** All header bytes: skb h's headroom is headers[h*128 .. h*128+127]. */
  readonly headers: Uint8Array;
  /** Byte offset of the headers area in linear memory. */
  readonly headersPtr: number;
  /** Scratch u32 slots for burst arguments; scratchPtr is its byte offset. */
  readonly scratch: Uint32Array;
  readonly scratchPtr: number;
  readonly rings: Rings;
  readonly rss: Rss;
  readonly wheel: Wheel;
  private readonly x: SkbExports;
  private readonly stats: Float64Array;
  /** assembly/skb.ts pending-free area: [0] = count, then handles. */
  private readonly pending: Uint32Array;
  private readonly live: Uint32Array;

  constructor(raw: RawCore, config: Partial<CoreConfig> = {}) {
    this.config = resolveCoreConfig(config);
    this.raw = raw;
    this.memory = raw.memory;
    this.x = raw as unknown as SkbExports;
    const c = this.config;
    const rc = this.x.core_init(c.skbs, c.ioSlots, c.maxRings, c.ringSlots, c.rssContexts, c.retaMax, c.wheelEntries, c.groContexts, c.dqlQueues, c.txRingSlots);
    if (rc === -1) throw new CoreInitError("this WASM instance is already initialised; create a new Core");
    if (rc !== 0) {
      throw new CoreInitError(`the memory plan (${JSON.stringify(c)}) needs more than this instance's ${this.memory.buffer.byteLength >>> 16} pages: instantiate it with instantiateCore(source, config) for the same config`);
    }
    const buf = this.memory.buffer;
    const n = c.skbs;
    const u32Base = this.x.skb_u32_cols_ptr();
    const u32Stride = this.x.skb_u32_col_stride();
    const skb = {} as Record<SkbU32Field, Uint32Array>;
    for (const [name, col] of Object.entries(SkbCol) as [SkbU32Field, number][]) {
      skb[name] = new Uint32Array(buf, u32Base + col * u32Stride, n);
    }
    this.skb = Object.freeze(skb);
    const f64Base = this.x.skb_f64_cols_ptr();
    const f64Stride = this.x.skb_f64_col_stride();
    const skbTime = {} as Record<SkbF64Field, Float64Array>;
    for (const [name, col] of Object.entries(SkbF64Col) as [SkbF64Field, number][]) {
      skbTime[name] = new Float64Array(buf, f64Base + col * f64Stride, n);
    }
    this.skbTime = Object.freeze(skbTime);
    this.headersPtr = this.x.skb_headers_ptr();
    this.headers = new Uint8Array(buf, this.headersPtr, n * SKB_HEADROOM);
    this.scratchPtr = this.x.core_scratch_ptr();
    this.scratch = new Uint32Array(buf, this.scratchPtr, this.x.core_scratch_slots());
    this.stats = new Float64Array(buf, this.x.skb_stats_ptr(), 8);
    this.pending = new Uint32Array(buf, this.x.skb_pending_ptr(), SKB_PENDING_CAP + 1);
    this.live = this.skb.live;
    this.rings = new Rings(this);
    this.rss = new Rss(this);
    this.wheel = new Wheel(this);
    void SKB_U32_COLS;
    void SKB_F64_COLS;
  }

  /** Byte address of scratch slot i, for passing burst arrays to WASM. */
  scratchAddr(slot: number): number {
    return this.scratchPtr + slot * 4;
  }

  /** Allocate up to n skbs into scratch[at .. at+k); returns k (< n when the
   *  pool is exhausted, counted as allocFail). */
  allocBurst(n: number, now = 0, at = 0): number {
    return this.x.skb_alloc_burst(this.scratchAddr(at), this.checkBurst(n, at), now);
  }

  /** Free the n handles in scratch[at .. at+n); returns how many were live. */
  freeBurst(n: number, at = 0): number {
    return this.x.skb_free_burst(this.scratchAddr(at), this.checkBurst(n, at));
  }

  /** Allocate one skb; -1 when the pool is exhausted (counted as allocFail). */
  allocOne(now = 0): number {
    // A u32 SKB_NONE comes back from WASM as the i32 -1.
    const h = this.x.skb_alloc_one(now);
    return h < 0 ? -1 : h;
  }

  /** Free one skb; false if it was not live (counted as badFree). */
  freeOne(h: number): boolean {
    return this.x.skb_free_one(h) !== 0;
  }

  /** Free one skb without a call into WASM: it stops being live now, and
   *  its handle joins the free stack (in this order) before the pool is next
   *  used, so handle reuse is exactly as with freeOne. A handle that is not
   *  live goes through freeOne (counted as badFree); returns false then. */
  freeLater(h: number): boolean {
    const live = this.live;
    if (live[h] !== 1) return this.freeOne(h);
    live[h] = 0;
    const p = this.pending;
    const k = p[0]! + 1;
    p[k] = h;
    p[0] = k;
    if (k === SKB_PENDING_CAP) this.x.skb_free_pending();
    return true;
  }

  /** Free a list linked through the `next` column. */
  freeList(head: number): number {
    return this.x.skb_free_list(head);
  }

  /** Byte offset of skb h's header bytes within `headers`. */
  headerOffset(h: number): number {
    return h * SKB_HEADROOM;
  }

  poolStats(): SkbPoolStats {
    this.x.skb_free_pending();
    return {
      size: this.x.skb_pool_size(),
      live: this.x.skb_live_count(),
      free: this.x.skb_free_count(),
      allocated: this.stats[0]!,
      freed: this.stats[1]!,
      allocFail: this.stats[2]!,
      badFree: this.stats[3]!,
    };
  }

  /** Bytes of linear memory reserved by the plan. */
  memoryBytes(): number {
    return this.x.layout_bytes();
  }

  private checkBurst(n: number, at: number): number {
    if (!Number.isInteger(n) || n < 0 || !Number.isInteger(at) || at < 0 || at + n > this.scratch.length) {
      throw new RangeError(`burst of ${n} at scratch slot ${at} exceeds the ${this.scratch.length} scratch slots (core.ioSlots)`);
    }
    return n;
  }
}
