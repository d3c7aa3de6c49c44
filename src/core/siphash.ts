// SipHash key slots in the WASM core (assembly/siphash.ts). A slot holds four
// siphash_key_t; its owner writes them. Slots go round-robin, and an owner
// whose slot another has since taken writes its keys again before hashing,
// so any number of hosts (or worlds on one core) hash under their own keys.
import type { Core } from "./core.js";

export interface SiphashRaw {
  siphash_4u32(key: number, a: number, b: number, c: number, d: number): number;
  siphash_bytes(key: number, ptr: number, len: number): number;
  siphash_keys_ptr(): number;
  siphash_key_slots(): number;
  siphash_msg_ptr(): number;
  /** The full 64-bit hashes (tests: BigInt). */
  siphash_4u32_64(key: number, a: number, b: number, c: number, d: number): bigint;
  siphash_bytes_64(key: number, ptr: number, len: number): bigint;
}

/** assembly/siphash.ts: SIPHASH_SLOT_BYTES, SIPHASH_MSG_BYTES */
export const SIPHASH_SLOT_BYTES = 64;
export const SIPHASH_MSG_BYTES = 64;

interface SlotTable {
  owners: unknown[];
  next: number;
  keys: Uint32Array;
  msg: Uint8Array;
  /** All of linear memory, for copies from the skb header bytes. */
  mem: Uint8Array;
}

const tables = new WeakMap<Core, SlotTable>();

function siphashTable(core: Core): SlotTable {
  let t = tables.get(core);
  if (t === undefined) {
    const x = core.raw as unknown as SiphashRaw;
    const buf = core.memory.buffer;
    const n = x.siphash_key_slots();
    t = {
      owners: new Array<unknown>(n).fill(null),
      next: 0,
      keys: new Uint32Array(buf, x.siphash_keys_ptr(), (n * SIPHASH_SLOT_BYTES) / 4),
      msg: new Uint8Array(buf, x.siphash_msg_ptr(), SIPHASH_MSG_BYTES),
      mem: new Uint8Array(buf),
    };
    tables.set(core, t);
  }
  return t;
}

/** Four SipHash keys (16 u32 words, little-endian k0/k1 pairs) held in a
 *  WASM key slot. `keyAddr(i)` is key i's byte address for the raw exports;
 *  call `claim()` before a run of hashes. */
export class SiphashKeys {
  readonly raw: SiphashRaw;
  readonly table: SlotTable;
  readonly msgPtr: number;
  private slot: number;
  private base: number;

  constructor(
    core: Core,
    readonly words: Uint32Array,
  ) {
    if (words.length !== SIPHASH_SLOT_BYTES / 4) throw new RangeError(`SiphashKeys: words must hold ${SIPHASH_SLOT_BYTES / 4} u32 (4 keys), got ${words.length}`);
    this.raw = core.raw as unknown as SiphashRaw;
    this.table = siphashTable(core);
    this.msgPtr = this.raw.siphash_msg_ptr();
    const t = this.table;
    this.slot = t.next;
    t.next = (t.next + 1) % t.owners.length;
    this.base = this.raw.siphash_keys_ptr() + this.slot * SIPHASH_SLOT_BYTES;
    this.write();
  }

  /** Byte address of key i (0..3) in WASM memory; valid until another owner
   *  takes the slot, which `claim()` undoes. */
  keyAddr(i: number): number {
    return this.base + i * 16;
  }

  /** Make sure the slot holds these keys (one array read when it does). */
  claim(): void {
    if (this.table.owners[this.slot] !== this) this.write();
  }

  private write(): void {
    this.table.owners[this.slot] = this;
    this.table.keys.set(this.words, this.slot * (SIPHASH_SLOT_BYTES / 4));
  }
}
