// RSS: Toeplitz hash + indirection table (RETA), as a NIC computes them on
// receive. The kernel only configures RSS (key, RETA, hashed fields); the NIC
// hashes src|dst[|sport|dport] with the key and picks the RX queue from the
// RETA with the hash's low bits. TS reference: src/core/ref/toeplitz.ts.
//
// Table-driven Toeplitz: the hash is linear over GF(2) in the input, so it is
// the XOR over input bytes p of T[p][in[p]], where T[p][v] is the XOR of the
// 32-bit key windows starting at bits 8p+j for each set bit j (MSB first) of
// v. One u32 load per input byte instead of eight conditional XORs per byte.
//
//   ctxBase (rss_plan reserves C contexts + the stage, once)
//   +---------------------------------------------+ context 0 (ctxStride bytes)
//   | +0    u32 key_len   (0 = no key set yet)    |
//   | +4    u32 reta_size (power of two)          |
//   | +8    u32 reta_mask (reta_size - 1)         |
//   | +12   u32 l4        (1 = hash L4 ports)     |
//   | +16   ... pad to 64                         |
//   +---------------------------------------------+
//   | +64   key[64]: key_len bytes, zero padded   |  NETDEV_RSS_KEY_LEN = 52
//   +---------------------------------------------+
//   | +128  T: u32[RSS_INPUT_MAX=48][256]          |  48 KB; row p at +128 + p*1024
//   |       T[p][v] = XOR of key windows for the  |  (IPv4 4-tuple touches rows
//   |       set bits of v at input byte p         |   0..11 = 12 KB)
//   +---------------------------------------------+
//   | +49280 reta: u32[retaMax] queue indices      |  queue = reta[hash & mask]
//   +---------------------------------------------+
//   | context 1 ... C-1                           |
//   +---------------------------------------------+
//   | stage[64]: staging bytes for keys/inputs    |  rss_stage_ptr()
//   +---------------------------------------------+
//
//   static data (below __heap_base, constant addresses)
//   +---------------------------------------------+
//   | L4_PROTO[256] u8: 1 for TCP/UDP             |  by IP protocol / next header
//   | L4_NONE[256]  u8: all 0 (L4 hashing off)    |
//   | BP[64]: burst parameters (see rss_burst)    |  column/table/RETA addresses
//   +---------------------------------------------+
//
// Key bits past key_len are zero, so any input up to RSS_INPUT_MAX bytes has a
// defined hash; with a 40-byte key this is exactly the NIC's hash for inputs
// of <= 36 bytes (IPv6 4-tuple), and the 52-byte kernel key covers 48.
import { reserve, zero } from "./layout";
import {
  SKB_HEADROOM,
  SKB_NETWORK,
  SKB_TRANSPORT,
  SKB_PROTOCOL,
  SKB_HASH,
  SKB_HASH_FLAGS,
  SKB_QUEUE,
  HASH_L4,
  skb_col,
  skb_hdr,
  skb_pool_size,
} from "./skb";

/** include/linux/netdevice.h: NETDEV_RSS_KEY_LEN */
export const RSS_KEY_MAX: u32 = 52;
export const RSS_KEY_MIN: u32 = 4;
/** Longest hashable input: every window of a 52-byte key stays inside it. */
export const RSS_INPUT_MAX: u32 = 48;

export const RSS_OK: i32 = 0;
export const RSS_ERR_CTX: i32 = -1;
export const RSS_ERR_KEY_LEN: i32 = -2;
export const RSS_ERR_RETA_SIZE: i32 = -3;
export const RSS_ERR_EXHAUSTED: i32 = -4;

const ETH_P_IP: usize = 0x0800;
const ETH_P_IPV6: usize = 0x86dd;
const IPPROTO_TCP: usize = 6;
const IPPROTO_UDP: usize = 17;

const CTX_KEY_LEN: usize = 0;
const CTX_RETA_SIZE: usize = 4;
const CTX_RETA_MASK: usize = 8;
const CTX_L4: usize = 12;
const CTX_KEY: usize = 64;
const CTX_TABLE: usize = 128;
const ROW_BYTES: usize = 256 << 2;
const TABLE_BYTES: usize = <usize>RSS_INPUT_MAX * ROW_BYTES;
const CTX_RETA: usize = CTX_TABLE + TABLE_BYTES;
const STAGE_BYTES: usize = 64;

// By IP protocol / IPv6 next header: 1 where the NIC hashes ports (TCP and
// UDP; set by rss_init). L4_NONE (all 0) stands in when L4 hashing is off.
const L4_PROTO: usize = memory.data(256);
const L4_NONE: usize = memory.data(256);

let ctxMax: u32 = 0;
let ctxCount: u32 = 0;
let retaMax: u32 = 0;
let ctxStride: usize = 0;
let ctxBase: usize = 0;
let stage: usize = 0;

export function rss_plan(contexts: u32, retaEntries: u32): void {
  ctxMax = contexts;
  retaMax = retaEntries;
  ctxStride = CTX_RETA + ((<usize>retaEntries * 4 + 63) & ~(<usize>63));
  ctxBase = reserve(ctxStride * contexts);
  stage = reserve(STAGE_BYTES);
}

export function rss_init(): void {
  zero(L4_PROTO, 256);
  store<u8>(L4_PROTO + IPPROTO_TCP, 1);
  store<u8>(L4_PROTO + IPPROTO_UDP, 1);
  zero(ctxBase, ctxStride * ctxMax);
  zero(stage, STAGE_BYTES);
  ctxCount = 0;
}

@inline function ctxAt(ctx: u32): usize {
  return ctxBase + ctxStride * <usize>ctx;
}

/** Reserve the next context: no key (hash 0 until one is set), a 1-entry RETA
 *  pointing at queue 0, L4 on. Returns its id or RSS_ERR_EXHAUSTED. */
export function rss_ctx_alloc(): i32 {
  if (ctxCount >= ctxMax) return RSS_ERR_EXHAUSTED;
  const id = ctxCount++;
  const c = ctxAt(id);
  zero(c, ctxStride);
  store<u32>(c + CTX_RETA_SIZE, 1);
  store<u32>(c + CTX_RETA_MASK, 0);
  store<u32>(c + CTX_L4, 1);
  return <i32>id;
}

/** Copy len key bytes from ptr and rebuild the lookup table. */
export function rss_set_key(ctx: u32, ptr: usize, len: u32): i32 {
  if (ctx >= ctxCount) return RSS_ERR_CTX;
  if (len < RSS_KEY_MIN || len > RSS_KEY_MAX) return RSS_ERR_KEY_LEN;
  const c = ctxAt(ctx);
  const key = c + CTX_KEY;
  zero(key, 64);
  memory.copy(key, ptr, len);
  store<u32>(c + CTX_KEY_LEN, len);
  const tbl = c + CTX_TABLE;
  for (let p: usize = 0; p < <usize>RSS_INPUT_MAX; p++) {
    // Windows starting at bits 8p..8p+7 come from key bytes p..p+4.
    const hi: u32 =
      (<u32>load<u8>(key + p) << 24) |
      (<u32>load<u8>(key + p + 1) << 16) |
      (<u32>load<u8>(key + p + 2) << 8) |
      <u32>load<u8>(key + p + 3);
    const nx: u32 = <u32>load<u8>(key + p + 4);
    const row = tbl + p * ROW_BYTES;
    store<u32>(row, 0);
    for (let v: u32 = 1; v < 256; v++) {
      // The lowest set bit of v is input bit j = 7 - ctz(v) of this byte.
      const j = 7 - ctz<u32>(v);
      const w = j == 0 ? hi : (hi << j) | (nx >> (8 - j));
      store<u32>(row + (<usize>v << 2), load<u32>(row + (<usize>(v & (v - 1)) << 2)) ^ w);
    }
  }
  return RSS_OK;
}

/** Set the RETA size (power of two, 1..retaMax). Entries are not changed. */
export function rss_set_reta_size(ctx: u32, size: u32): i32 {
  if (ctx >= ctxCount) return RSS_ERR_CTX;
  if (size == 0 || size > retaMax || (size & (size - 1)) != 0) return RSS_ERR_RETA_SIZE;
  const c = ctxAt(ctx);
  store<u32>(c + CTX_RETA_SIZE, size);
  store<u32>(c + CTX_RETA_MASK, size - 1);
  return RSS_OK;
}

export function rss_set_l4(ctx: u32, on: u32): i32 {
  if (ctx >= ctxCount) return RSS_ERR_CTX;
  store<u32>(ctxAt(ctx) + CTX_L4, on != 0 ? 1 : 0);
  return RSS_OK;
}

/** Byte address of ctx's RETA (retaMax u32 entries); 0 for a bad ctx. */
export function rss_reta_ptr(ctx: u32): usize {
  return ctx < ctxCount ? ctxAt(ctx) + CTX_RETA : 0;
}
export function rss_key_ptr(ctx: u32): usize {
  return ctx < ctxCount ? ctxAt(ctx) + CTX_KEY : 0;
}
export function rss_table_ptr(ctx: u32): usize {
  return ctx < ctxCount ? ctxAt(ctx) + CTX_TABLE : 0;
}
export function rss_key_len(ctx: u32): u32 {
  return ctx < ctxCount ? load<u32>(ctxAt(ctx) + CTX_KEY_LEN) : 0;
}
export function rss_reta_size(ctx: u32): u32 {
  return ctx < ctxCount ? load<u32>(ctxAt(ctx) + CTX_RETA_SIZE) : 0;
}
export function rss_l4(ctx: u32): u32 {
  return ctx < ctxCount ? load<u32>(ctxAt(ctx) + CTX_L4) : 0;
}
export function rss_ctx_count(): u32 { return ctxCount; }
export function rss_ctx_max(): u32 { return ctxMax; }
export function rss_reta_max(): u32 { return retaMax; }
export function rss_stage_ptr(): usize { return stage; }

/** Four table rows for the input word at p. Bytes 0 and 3 come out of one
 *  u32 load (little-endian: byte k of the value is memory byte k, so no bswap),
 *  bytes 1 and 2 from byte loads, which V8 compiles to fewer instructions
 *  than shift + mask. */
@inline function word4(t: usize, p: usize): u32 {
  const v = load<u32>(p);
  return (
    load<u32>(t + (<usize>(v & 0xff) << 2)) ^
    load<u32>(t + (<usize>load<u8>(p, 1) << 2), 1024) ^
    load<u32>(t + (<usize>load<u8>(p, 2) << 2), 2048) ^
    load<u32>(t + (<usize>(v >> 24) << 2), 3072)
  );
}

/** Toeplitz hash of len bytes at ptr (len clamped to RSS_INPUT_MAX). */
export function rss_hash_bytes(ctx: u32, ptr: usize, len: u32): u32 {
  if (ctx >= ctxCount) return 0;
  const tbl = ctxAt(ctx) + CTX_TABLE;
  const n: usize = len < RSS_INPUT_MAX ? len : RSS_INPUT_MAX;
  let h: u32 = 0;
  for (let p: usize = 0; p < n; p++) {
    h ^= load<u32>(tbl + p * ROW_BYTES + (<usize>load<u8>(ptr + p) << 2));
  }
  return h;
}

// Burst parameters at constant addresses. The loop reads each with one
// [base + imm] load where it is used, instead of keeping a dozen invariants
// live across it: V8 spilled those and recomputed column addresses (imul) per
// packet, which cost ~18% of IPv4 throughput.
const BP: usize = memory.data(64, 64);
const BP_TABLE: usize = 0;
const BP_PROTO: usize = 4;
const BP_NET: usize = 8;
const BP_TH: usize = 12;
const BP_HASH: usize = 16;
const BP_FLAG: usize = 20;
const BP_QUEUE: usize = 24;
const BP_RETA: usize = 28;
const BP_MASK: usize = 32;
const BP_L4TAB: usize = 36;
const BP_HDRS: usize = 40;

/** Hash n skbs (handles at handlesPtr) as the NIC does on receive and steer
 *  each through the RETA. Writes hash, hashFlags and queue; returns how many
 *  were IPv4/IPv6 (others get hash 0, i.e. reta[0]). Handles >= the pool size
 *  are skipped.
 *  drivers: skb_set_hash(skb, hash, PKT_HASH_TYPE_L4 or _L3) + skb_record_rx_queue */
export function rss_burst(ctx: u32, handlesPtr: usize, n: u32): u32 {
  if (ctx >= ctxCount) return 0;
  const c = ctxAt(ctx);
  store<usize>(BP + BP_TABLE, c + CTX_TABLE);
  store<usize>(BP + BP_RETA, c + CTX_RETA);
  store<u32>(BP + BP_MASK, load<u32>(c + CTX_RETA_MASK));
  store<usize>(BP + BP_L4TAB, load<u32>(c + CTX_L4) != 0 ? L4_PROTO : L4_NONE);
  store<usize>(BP + BP_PROTO, skb_col(SKB_PROTOCOL));
  store<usize>(BP + BP_NET, skb_col(SKB_NETWORK));
  store<usize>(BP + BP_TH, skb_col(SKB_TRANSPORT));
  store<usize>(BP + BP_HASH, skb_col(SKB_HASH));
  store<usize>(BP + BP_FLAG, skb_col(SKB_HASH_FLAGS));
  store<usize>(BP + BP_QUEUE, skb_col(SKB_QUEUE));
  store<usize>(BP + BP_HDRS, skb_hdr(0));
  const pool = skb_pool_size();
  let hashed: u32 = 0;
  const end = handlesPtr + (<usize>n << 2);
  for (let hp = handlesPtr; hp < end; hp += 4) {
    const h = load<u32>(hp);
    if (h >= pool) continue; // a caller bug must not write outside the columns
    const o = <usize>h << 2;
    const proto = <usize>load<u32>(load<usize>(BP, BP_PROTO) + o);
    const net = <usize>load<u32>(load<usize>(BP, BP_NET) + o);
    const hdr = load<usize>(BP, BP_HDRS) + (<usize>h << 7); // SKB_HEADROOM = 128
    const t = load<usize>(BP, BP_TABLE);
    let hash: u32 = 0;
    let l4: u32 = 0;
    // Branch-free L4 choice: the port word is always looked up and masked off
    // when unused. Its offset is clamped below 128, so a bad transport offset
    // reads at most 3 bytes past this skb's headroom, never past memory.
    if ((proto == ETH_P_IP) & (net <= <usize>SKB_HEADROOM - 20)) {
      const ip = hdr + net;
      const th = <usize>load<u32>(load<usize>(BP, BP_TH) + o);
      // include/net/ip.h: ip_is_fragment — MF or offset (LE load of frag_off)
      l4 =
        <u32>load<u8>(load<usize>(BP, BP_L4TAB) + <usize>load<u8>(ip, 9)) &
        <u32>((load<u16>(ip, 6) & 0xff3f) == 0) &
        <u32>(th <= <usize>SKB_HEADROOM - 4);
      hash =
        word4(t, ip + 12) ^
        word4(t + 4 * ROW_BYTES, ip + 16) ^
        (word4(t + 8 * ROW_BYTES, hdr + (th & 0x7f)) & (0 - l4));
      hashed++;
    } else if ((proto == ETH_P_IPV6) & (net <= <usize>SKB_HEADROOM - 40)) {
      const ip = hdr + net;
      const th = <usize>load<u32>(load<usize>(BP, BP_TH) + o);
      // Extension headers before TCP/UDP: the NIC hashes L3 only, as here.
      l4 = <u32>load<u8>(load<usize>(BP, BP_L4TAB) + <usize>load<u8>(ip, 6)) & <u32>(th <= <usize>SKB_HEADROOM - 4);
      hash =
        word4(t, ip + 8) ^
        word4(t + 4 * ROW_BYTES, ip + 12) ^
        word4(t + 8 * ROW_BYTES, ip + 16) ^
        word4(t + 12 * ROW_BYTES, ip + 20) ^
        word4(t + 16 * ROW_BYTES, ip + 24) ^
        word4(t + 20 * ROW_BYTES, ip + 28) ^
        word4(t + 24 * ROW_BYTES, ip + 32) ^
        word4(t + 28 * ROW_BYTES, ip + 36) ^
        (word4(t + 32 * ROW_BYTES, hdr + (th & 0x7f)) & (0 - l4));
      hashed++;
    }
    store<u32>(load<usize>(BP, BP_HASH) + o, hash);
    // l4 is 0/1 = HASH_L4; HASH_SW cleared: the hash came from the NIC
    store<u32>(load<usize>(BP, BP_FLAG) + o, l4 * HASH_L4);
    const idx = <usize>(hash & load<u32>(BP, BP_MASK));
    store<u32>(load<usize>(BP, BP_QUEUE) + o, load<u32>(load<usize>(BP, BP_RETA) + (idx << 2)));
  }
  return hashed;
}
