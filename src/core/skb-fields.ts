// Column indices of the skb pool; must match assembly/skb.ts (a test checks
// them against the WASM exports).
export const SKB_HEADROOM = 128;
export const SKB_NONE = 0xffffffff;

export const SkbCol = {
  len: 0,
  hdrLen: 1,
  mac: 2,
  network: 3,
  transport: 4,
  protocol: 5,
  hash: 6,
  hashFlags: 7,
  queue: 8,
  cpu: 9,
  gsoSize: 10,
  gsoSegs: 11,
  gsoType: 12,
  flags: 13,
  truesize: 14,
  sk: 15,
  next: 16,
  mark: 17,
  live: 18,
} as const;
export const SKB_U32_COLS = 19;

export const SkbF64Col = { tstamp: 0, born: 1 } as const;
export const SKB_F64_COLS = 2;

/** skb.flags bits: skb->ooo_okay (the TX queue may change without reordering the socket's packets). */
export const SKB_F_OOO_OKAY = 1;
export const HASH_L4 = 1;
export const HASH_SW = 2;

/** Offsets unset (0xff) as in skb->*_header == ~0U. */
export const SKB_OFFSET_UNSET = 0xff;

export type SkbU32Field = keyof typeof SkbCol;
export type SkbF64Field = keyof typeof SkbF64Col;
