// GRO contexts over the WASM core (assembly/gro.ts): one per NAPI instance.
// receiveBurst runs napi_gro_receive over a burst of skb handles in
// core.scratch and writes the skbs that go up the stack now to another part of
// scratch; flush is napi_gro_flush. Views are built once; the hot calls go
// straight to the raw exports and allocate nothing.
// TS reference: src/core/ref/gro.ts.
import type { Core } from "./core.js";
import { ConfigError, checkInt } from "./config.js";

/** include/linux/netdevice.h / net/core/gro.c */
export const GRO_HASH_BUCKETS = 8;
export const MAX_GRO_SKBS = 8;
export const GRO_LEGACY_MAX_SIZE = 65536;
export const GRO_MAX_SIZE = 8 * 65535;

/** include/linux/skbuff.h: SKB_GSO_* (gso_type bits GRO sets). */
export const SKB_GSO_TCPV4 = 1 << 0;
export const SKB_GSO_DODGY = 1 << 1;
export const SKB_GSO_TCP_ECN = 1 << 2;
export const SKB_GSO_TCP_FIXEDID = 1 << 3;
export const SKB_GSO_TCPV6 = 1 << 4;

/** Why GRO stopped aggregating (stats().reasons keys), in check order. */
export const GRO_REASONS = [
  "disabled",
  "notIp",
  "udp",
  "ipOptions",
  "fragment",
  "csum",
  "badHeader",
  "tcpFlags",
  "cwr",
  "flagWord",
  "ack",
  "options",
  "ipFields",
  "ipId",
  "len",
  "seq",
  "maxSize",
  "short",
  "bucket",
  "flush",
] as const;
export type GroReason = (typeof GRO_REASONS)[number];

export const GRO_ST = { in: 0, out: 1, segsOut: 2, merged: 3, held: 4, normal: 5, completed: 6, reason: 8 } as const;

export interface GroStats {
  /** skbs into receiveBurst. */
  packetsIn: number;
  /** skbs delivered up the stack (aggregates and packets alone). */
  aggregatesOut: number;
  /** Wire packets inside the delivered skbs (sum of max(gso_segs, 1)). */
  segmentsOut: number;
  /** skbs merged into a held aggregate and freed (GRO_MERGED_FREE). */
  merged: number;
  /** skbs that started an aggregate (GRO_HELD). */
  held: number;
  /** skbs delivered alone (GRO_NORMAL). */
  normal: number;
  /** Aggregates completed (napi_gro_complete), including single packets. */
  completed: number;
  /** Aggregates held now, and the wire packets inside them. */
  heldNow: number;
  heldSegments: number;
  reasons: Record<GroReason, number>;
}

export class GroError extends ConfigError {
  constructor(field: string, message: string) {
    super(field, message);
    this.name = "GroError";
  }
}

interface GroExports {
  gro_ctx_alloc(): number;
  gro_ctx_max(): number;
  gro_stats_ptr(ctx: number): number;
  gro_stats_len(): number;
  gro_held_ptr(ctx: number): number;
  gro_bitmask(ctx: number): number;
  gro_bucket_count(ctx: number, b: number): number;
  gro_bucket_head(ctx: number, b: number, i: number): number;
  gro_bucket_seg_count(ctx: number, b: number, i: number): number;
  gro_set_enabled(ctx: number, on: number): void;
  gro_set_max_size(ctx: number, ipv4Max: number, max: number): void;
  gro_set_csum(ctx: number, on: number): void;
  gro_receive_burst(ctx: number, handles: number, n: number, out: number, outMax: number, now: number): number;
  gro_flush(ctx: number, out: number, outMax: number, olderThan: number): number;
}

export interface GroOptions {
  /** GRO contexts to allocate (one per NAPI instance; default 1). */
  contexts?: number;
}

/** One NAPI instance's GRO state (napi->gro_hash, gro_bitmask). */
export class GroContext {
  private readonly counters: Float64Array;
  private enabled = true;
  private ipv4Max = GRO_LEGACY_MAX_SIZE;
  private max = GRO_LEGACY_MAX_SIZE;

  constructor(
    readonly core: Core,
    private readonly x: GroExports,
    readonly id: number,
  ) {
    this.counters = new Float64Array(core.memory.buffer, x.gro_stats_ptr(id), x.gro_stats_len());
    // the NAPI poll asks after every receive and flush: a view, not a call
    this.held = new Uint32Array(core.memory.buffer, x.gro_held_ptr(id), 1);
  }

  private readonly held: Uint32Array;

  /** napi_gro_receive for the n skbs in core.scratch[at .. at+n). The skbs
   *  to pass up now go to core.scratch[outAt ..), in order; returns their
   *  count. Needs 2n free out slots (one input can complete an aggregate and
   *  go up itself). `now` (ns) is the age of aggregates started here. */
  receiveBurst(n: number, at: number, outAt: number, now = 0): number {
    const slots = this.core.scratch.length;
    if (!Number.isInteger(n) || n < 0 || !Number.isInteger(at) || at < 0 || at + n > slots) {
      throw new RangeError(`burst of ${n} at scratch slot ${at} exceeds the ${slots} scratch slots (core.ioSlots)`);
    }
    if (!Number.isInteger(outAt) || outAt < 0 || outAt + 2 * n > slots) {
      throw new RangeError(`out at scratch slot ${outAt} needs 2n = ${2 * n} slots, the scratch has ${slots}`);
    }
    if (outAt < at + n && at < outAt + 2 * n && n > 0) {
      throw new RangeError(`out slots [${outAt}, ${outAt + 2 * n}) overlap the input [${at}, ${at + n})`);
    }
    return this.x.gro_receive_burst(this.id, this.core.scratchAddr(at), n, this.core.scratchAddr(outAt), 2 * n, now);
  }

  /** napi_gro_flush: complete held aggregates into core.scratch[outAt ..)
   *  (at most outMax, default all 64 possible). With olderThan (ns), only
   *  those whose age is below it (napi_gro_flush(napi, true): older than the
   *  current jiffy). Returns the count written. */
  flush(outAt: number, olderThan = Infinity, outMax = GRO_HASH_BUCKETS * MAX_GRO_SKBS): number {
    const slots = this.core.scratch.length;
    if (!Number.isInteger(outAt) || outAt < 0 || !Number.isInteger(outMax) || outMax < 0 || outAt + outMax > slots) {
      throw new RangeError(`flush out [${outAt}, ${outAt + outMax}) exceeds the ${slots} scratch slots`);
    }
    if (typeof olderThan !== "number" || Number.isNaN(olderThan)) throw new GroError("olderThan", "olderThan: a time in ns (or Infinity)");
    return this.x.gro_flush(this.id, this.core.scratchAddr(outAt), outMax, olderThan);
  }

  /** ip link set DEV gro_ipv4_max_size A gro_max_size B (IPv4 up to GRO_MAX_SIZE
   *  with BIG TCP; IPv6 aggregates stay below 64 KB in this model). */
  setMaxSize(ipv4Max: number, max = ipv4Max): void {
    checkInt("gro.ipv4MaxSize", ipv4Max, 1, GRO_MAX_SIZE);
    checkInt("gro.maxSize", max, 1, GRO_MAX_SIZE);
    this.x.gro_set_max_size(this.id, ipv4Max, max);
    this.ipv4Max = ipv4Max;
    this.max = max;
  }

  get maxSize(): { ipv4: number; other: number } {
    return { ipv4: this.ipv4Max, other: this.max };
  }

  /** ethtool -K DEV gro on|off. Turning it off leaves held aggregates held:
   *  flush() them (the kernel flushes at the end of every poll). */
  setEnabled(on: boolean): void {
    if (typeof on !== "boolean") throw new GroError("gro.enabled", `gro.enabled: a boolean, got ${typeof on}`);
    this.x.gro_set_enabled(this.id, on ? 1 : 0);
    this.enabled = on;
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** Validate TCP checksums (default on; off only skips the work — every
   *  packet the model builds carries a valid checksum). */
  setChecksumValidation(on: boolean): void {
    if (typeof on !== "boolean") throw new GroError("gro.csum", `gro.csum: a boolean, got ${typeof on}`);
    this.x.gro_set_csum(this.id, on ? 1 : 0);
  }

  /** Aggregates held now. */
  get heldCount(): number {
    return this.held[0]!;
  }

  /** Held aggregates of bucket b, newest first: head skb and packet count. */
  bucket(b: number): { head: number; count: number }[] {
    checkInt("bucket", b, 0, GRO_HASH_BUCKETS - 1);
    const n = this.x.gro_bucket_count(this.id, b);
    const r: { head: number; count: number }[] = [];
    for (let i = 0; i < n; i++) r.push({ head: this.x.gro_bucket_head(this.id, b, i) >>> 0, count: this.x.gro_bucket_seg_count(this.id, b, i) });
    return r;
  }

  get bitmask(): number {
    return this.x.gro_bitmask(this.id) >>> 0;
  }

  stats(): GroStats {
    const c = this.counters;
    const reasons = {} as Record<GroReason, number>;
    GRO_REASONS.forEach((r, i) => (reasons[r] = c[GRO_ST.reason + i]!));
    let heldSegments = 0;
    for (let b = 0; b < GRO_HASH_BUCKETS; b++) {
      const n = this.x.gro_bucket_count(this.id, b);
      for (let i = 0; i < n; i++) heldSegments += this.x.gro_bucket_seg_count(this.id, b, i);
    }
    return {
      packetsIn: c[GRO_ST.in]!,
      aggregatesOut: c[GRO_ST.out]!,
      segmentsOut: c[GRO_ST.segsOut]!,
      merged: c[GRO_ST.merged]!,
      held: c[GRO_ST.held]!,
      normal: c[GRO_ST.normal]!,
      completed: c[GRO_ST.completed]!,
      heldNow: this.heldCount,
      heldSegments,
      reasons,
    };
  }
}

/** The GRO contexts of one device (napi instances), on a core. */
export class Gro {
  readonly contexts: GroContext[] = [];
  private readonly x: GroExports;

  constructor(
    readonly core: Core,
    opts: GroOptions = {},
  ) {
    for (const k of Object.keys(opts)) {
      if (k !== "contexts") throw new GroError(k, `${k}: unknown GRO option (allowed: contexts)`);
    }
    this.x = core.raw as unknown as GroExports;
    const n = checkInt("gro.contexts", opts.contexts ?? 1, 1, core.config.groContexts);
    for (let i = 0; i < n; i++) this.create();
  }

  /** One more context; GroError when core.groContexts are all in use. */
  create(): GroContext {
    const id = this.x.gro_ctx_alloc();
    if (id < 0) {
      throw new GroError("core.groContexts", `core.groContexts: all ${this.x.gro_ctx_max()} GRO contexts are in use; raise core.groContexts (max 4096)`);
    }
    const ctx = new GroContext(this.core, this.x, id);
    this.contexts.push(ctx);
    return ctx;
  }
}

export function createGro(core: Core, opts: GroOptions = {}): Gro {
  return new Gro(core, opts);
}
