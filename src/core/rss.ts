// RSS contexts over the WASM core (assembly/toeplitz.ts): key, indirection
// table (RETA) and hashed fields, as `ethtool -X/-x` and the NIC see them.
// Configuration is validated here, before it reaches WASM; the hot path is
// hashBurst, one WASM call per burst of skb handles.
import type { Core } from "./core.js";
import { ConfigError, checkInt } from "./config.js";
import { buildToeplitzTable, toeplitzTableHash, RSS_INPUT_MAX, RSS_KEY_MAX, RSS_KEY_MIN, rssInput } from "./ref/toeplitz.js";

export { RSS_INPUT_MAX, RSS_KEY_MAX, RSS_KEY_MIN, rssInput };

/** Microsoft/Intel sample RSS key (40 bytes) used by the verification vectors.
 *  Copied by every consumer; do not mutate. */
export const DEFAULT_RSS_KEY: Uint8Array = Uint8Array.from([
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
  0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
]);

/** Largest queue index a RETA entry may hold (queue_mapping is a u16). */
export const RSS_QUEUE_MAX = 0xffff;

export class RssError extends ConfigError {
  constructor(field: string, message: string) {
    super(field, message);
    this.name = "RssError";
  }
}

export interface RssOptions {
  /** Toeplitz key, 4..52 bytes (default DEFAULT_RSS_KEY, 40 bytes). */
  key?: Uint8Array;
  /** RX queues for the default fill i % queues (default 1). */
  queues?: number;
  /** RETA entries, a power of two <= core.retaMax (default 128). */
  retaSize?: number;
  /** Explicit RETA; overrides queues/retaSize. Length a power of two <= core.retaMax. */
  reta?: ArrayLike<number>;
  /** Hash TCP/UDP ports too (default true); false hashes addresses only. */
  l4?: boolean;
}

interface RssExports {
  rss_ctx_alloc(): number;
  rss_set_key(ctx: number, ptr: number, len: number): number;
  rss_set_reta_size(ctx: number, size: number): number;
  rss_set_l4(ctx: number, on: number): number;
  rss_reta_ptr(ctx: number): number;
  rss_hash_bytes(ctx: number, ptr: number, len: number): number;
  rss_burst(ctx: number, handlesPtr: number, n: number): number;
  rss_stage_ptr(): number;
}

const OPTION_FIELDS = ["key", "queues", "retaSize", "reta", "l4"];

function checkKey(field: string, key: unknown): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length < RSS_KEY_MIN || key.length > RSS_KEY_MAX) {
    const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
    throw new RssError(field, `${field}: a Uint8Array of ${RSS_KEY_MIN}..${RSS_KEY_MAX} bytes (NETDEV_RSS_KEY_LEN), got ${got}`);
  }
  return key;
}

function checkInput(field: string, bytes: unknown): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length > RSS_INPUT_MAX) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new RssError(field, `${field}: a Uint8Array of 0..${RSS_INPUT_MAX} bytes, got ${got}`);
  }
  return bytes;
}

function checkRetaSize(field: string, size: unknown, retaMax: number): number {
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > retaMax || (size & (size - 1)) !== 0) {
    throw new RssError(field, `${field}: ${String(size)} is not a power of two in [1, ${retaMax}] (core.retaMax)`);
  }
  return size;
}

function checkQueues(field: string, n: unknown): number {
  try {
    return checkInt(field, n, 1, RSS_QUEUE_MAX + 1);
  } catch (e) {
    throw new RssError(field, (e as Error).message);
  }
}

function checkEntries(field: string, entries: ArrayLike<number>, retaMax: number): void {
  checkRetaSize(`${field}.length`, entries.length, retaMax);
  for (let i = 0; i < entries.length; i++) {
    const q = entries[i];
    if (typeof q !== "number" || !Number.isInteger(q) || q < 0 || q > RSS_QUEUE_MAX) {
      throw new RssError(field, `${field}[${i}]: queue ${String(q)} is not an integer in [0, ${RSS_QUEUE_MAX}]`);
    }
  }
}

/** One RSS context: a key, a RETA and the hashed fields. */
export class RssContext {
  private keyBytes: Uint8Array;
  private retaAll: Uint32Array;
  private retaView: Uint32Array;
  private l4on: boolean;
  /** Bumped whenever the key or the L4 choice changes: a hash computed under
   *  one generation is the hash of the same header fields under it. */
  generation = 0;

  constructor(
    private readonly owner: Rss,
    private readonly x: RssExports,
    readonly id: number,
    opts: Required<Pick<RssOptions, "key" | "l4">> & { reta: ArrayLike<number> },
  ) {
    const core = owner.core;
    this.retaAll = new Uint32Array(core.memory.buffer, x.rss_reta_ptr(id), core.config.retaMax);
    this.retaView = this.retaAll.subarray(0, 1);
    this.keyBytes = new Uint8Array(0);
    this.l4on = true;
    this.setKey(opts.key);
    this.setReta(opts.reta);
    this.setL4(opts.l4);
  }

  /** A copy of the key. */
  get key(): Uint8Array {
    return this.keyBytes.slice();
  }

  /** The live RETA in WASM memory (current size). Writes go straight to the
   *  NIC model; entries must stay < 65536. Re-read after setReta/size changes. */
  get reta(): Uint32Array {
    return this.retaView;
  }

  get l4(): boolean {
    return this.l4on;
  }

  /** ethtool -X hkey: replace the key (4..52 bytes) and rebuild the table. */
  setKey(key: Uint8Array): void {
    checkKey("rss.key", key);
    this.owner.stage.set(key);
    const rc = this.x.rss_set_key(this.id, this.owner.stagePtr, key.length);
    if (rc !== 0) throw new RssError("rss.key", `rss.key: rejected by the core (code ${rc})`);
    this.keyBytes = key.slice();
    this.generation++;
  }

  /** ethtool -X ... (explicit table): size = entries.length (power of two). */
  setReta(entries: ArrayLike<number>): void {
    const retaMax = this.owner.core.config.retaMax;
    checkEntries("rss.reta", entries, retaMax);
    const rc = this.x.rss_set_reta_size(this.id, entries.length);
    if (rc !== 0) throw new RssError("rss.reta", `rss.reta: size ${entries.length} rejected by the core (code ${rc})`);
    this.retaView = this.retaAll.subarray(0, entries.length);
    this.retaView.set(entries);
  }

  /** include/linux/ethtool.h: ethtool_rxfh_indir_default — entry i = i % n,
   *  keeping the current size (or resizing first when size is given). */
  setQueues(n: number, size = this.retaView.length): void {
    checkQueues("rss.queues", n);
    const s = checkRetaSize("rss.retaSize", size, this.owner.core.config.retaMax);
    const entries = new Uint32Array(s);
    for (let i = 0; i < s; i++) entries[i] = i % n;
    this.setReta(entries);
  }

  /** ethtool -N rx-flow-hash ... sdfn vs sd: hash ports (L4) or addresses only. */
  setL4(on: boolean): void {
    if (typeof on !== "boolean") throw new RssError("rss.l4", `rss.l4: a boolean, got ${typeof on}`);
    this.x.rss_set_l4(this.id, on ? 1 : 0);
    this.l4on = on;
    this.generation++;
  }

  /** Hash and steer the n skbs whose handles are in core.scratch[at .. at+n):
   *  writes hash, hashFlags (HASH_L4 when ports were hashed) and queue.
   *  Returns how many were IPv4/IPv6 (the rest get hash 0 → reta[0]). */
  hashBurst(n: number, at = 0): number {
    const core = this.owner.core;
    if (!Number.isInteger(n) || n < 0 || !Number.isInteger(at) || at < 0 || at + n > core.scratch.length) {
      throw new RangeError(`burst of ${n} at scratch slot ${at} exceeds the ${core.scratch.length} scratch slots (core.ioSlots)`);
    }
    return this.x.rss_burst(this.id, core.scratchAddr(at), n);
  }

  /** Toeplitz hash of an arbitrary input string (0..48 bytes) with this
   *  context's key, computed in WASM. */
  hashBytes(bytes: Uint8Array): number {
    checkInput("bytes", bytes);
    this.owner.stage.set(bytes);
    return this.x.rss_hash_bytes(this.id, this.owner.stagePtr, bytes.length) >>> 0;
  }

  /** The NIC's choice for a hash: index = low bits of the hash, queue = reta[index]. */
  lookup(hash: number): { index: number; queue: number } {
    const index = (hash >>> 0) & (this.retaView.length - 1);
    return { index, queue: this.retaView[index]! };
  }
}

/** The core's RSS contexts (at most core.config.rssContexts). */
export class Rss {
  readonly contexts: RssContext[] = [];
  /** Staging bytes in WASM memory for keys and hashBytes inputs. */
  readonly stage: Uint8Array;
  readonly stagePtr: number;
  private readonly x: RssExports;

  constructor(readonly core: Core) {
    this.x = core.raw as unknown as RssExports;
    this.stagePtr = this.x.rss_stage_ptr();
    this.stage = new Uint8Array(core.memory.buffer, this.stagePtr, 64);
  }

  create(opts: RssOptions = {}): RssContext {
    for (const k of Object.keys(opts)) {
      if (!OPTION_FIELDS.includes(k)) throw new RssError(k, `${k}: unknown RSS option (allowed: ${OPTION_FIELDS.join(", ")})`);
    }
    const retaMax = this.core.config.retaMax;
    const key = checkKey("rss.key", opts.key ?? DEFAULT_RSS_KEY);
    const l4 = opts.l4 ?? true;
    if (typeof l4 !== "boolean") throw new RssError("rss.l4", `rss.l4: a boolean, got ${typeof l4}`);
    let reta: ArrayLike<number>;
    if (opts.reta !== undefined) {
      checkEntries("rss.reta", opts.reta, retaMax);
      reta = opts.reta;
    } else {
      const queues = checkQueues("rss.queues", opts.queues ?? 1);
      const size = checkRetaSize("rss.retaSize", opts.retaSize ?? defaultRetaSize(retaMax), retaMax);
      const t = new Uint32Array(size);
      for (let i = 0; i < size; i++) t[i] = i % queues; // ethtool_rxfh_indir_default
      reta = t;
    }
    const id = this.x.rss_ctx_alloc();
    if (id < 0) {
      const max = this.core.config.rssContexts;
      throw new RssError("core.rssContexts", `core.rssContexts: all ${max} RSS contexts are in use; raise core.rssContexts (max 256)`);
    }
    const ctx = new RssContext(this, this.x, id, { key, l4, reta });
    this.contexts.push(ctx);
    return ctx;
  }
}

/** 128 (a common NIC table size), or the largest power of two <= retaMax. */
function defaultRetaSize(retaMax: number): number {
  let s = 128;
  while (s > retaMax) s >>= 1;
  return s;
}

let cachedKey: Uint8Array | null = null;
let cachedTable: Uint32Array | null = null;

/** Toeplitz hash of `bytes` (0..48) under `key` (4..52 bytes), synchronous
 *  and WASM-free (table-driven TS; the table of the last key is kept). */
export function rssHash(key: Uint8Array, bytes: Uint8Array): number {
  checkKey("key", key);
  checkInput("bytes", bytes);
  if (cachedTable === null || !sameBytes(cachedKey!, key)) {
    cachedTable = buildToeplitzTable(key);
    cachedKey = key.slice();
  }
  return toeplitzTableHash(cachedTable, bytes);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
