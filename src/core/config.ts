// Validation of the core's memory plan. Every field has a range; a value out
// of range is refused with an error that names the field and the range, before
// anything reaches WASM (where a bad size could exhaust memory).

export interface CoreConfig {
  /** skb pool size (packets alive at once). */
  skbs: number;
  /** u32 slots of scratch memory for burst in/out arrays. */
  ioSlots: number;
  /** Most rings that can exist at once (NIC RX/TX rings, per-CPU backlogs). */
  maxRings: number;
  /** Total u32 slots shared by all rings (sum of ring sizes). */
  ringSlots: number;
  /** Most RSS contexts (key + lookup table + RETA) at once. */
  rssContexts: number;
  /** Largest RETA (indirection table) size. */
  retaMax: number;
  /** Timing-wheel capacity: pending timers/events at once. */
  wheelEntries: number;
  /** Most GRO contexts (one per NAPI instance, i.e. per RX queue). */
  groContexts: number;
  /** BQL state records (struct dql), one per TX queue; also the most TX descriptor rings. */
  dqlQueues: number;
  /** TX descriptors shared by all TX rings (sum of ethtool -G tx sizes). */
  txRingSlots: number;
}

export const DEFAULT_CORE_CONFIG: Readonly<CoreConfig> = Object.freeze({
  skbs: 65536,
  ioSlots: 8192,
  maxRings: 256,
  ringSlots: 1 << 20,
  rssContexts: 8,
  retaMax: 2048,
  wheelEntries: 1 << 18,
  groContexts: 64,
  dqlQueues: 256,
  txRingSlots: 1 << 16,
});

interface Range {
  min: number;
  max: number;
  pow2?: boolean;
}

export const CORE_CONFIG_RANGES: Readonly<Record<keyof CoreConfig, Range>> = Object.freeze({
  skbs: { min: 1, max: 1 << 21 },
  ioSlots: { min: 64, max: 1 << 20 },
  maxRings: { min: 1, max: 65536 },
  ringSlots: { min: 0, max: 1 << 25 },
  rssContexts: { min: 1, max: 256 },
  retaMax: { min: 1, max: 65536 },
  wheelEntries: { min: 16, max: 1 << 24 },
  groContexts: { min: 1, max: 4096 },
  dqlQueues: { min: 1, max: 65536 },
  txRingSlots: { min: 0, max: 1 << 24 },
});

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Check one integer against a named range; throws ConfigError naming the field. */
export function checkInt(field: string, value: unknown, min: number, max: number, pow2 = false): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `${field}: ${String(value)} is not an integer in [${min}, ${max}]`);
  }
  if (pow2 && (value & (value - 1)) !== 0) {
    throw new ConfigError(field, `${field}: ${value} is not a power of two`);
  }
  return value;
}

export function resolveCoreConfig(partial: Partial<CoreConfig> = {}): CoreConfig {
  const out = { ...DEFAULT_CORE_CONFIG } as CoreConfig;
  for (const key of Object.keys(partial) as (keyof CoreConfig)[]) {
    if (!(key in CORE_CONFIG_RANGES)) {
      throw new ConfigError(String(key), `${String(key)}: unknown core config field (allowed: ${Object.keys(CORE_CONFIG_RANGES).join(", ")})`);
    }
    if (partial[key] === undefined) continue;
    const r = CORE_CONFIG_RANGES[key];
    out[key] = checkInt(`core.${key}`, partial[key], r.min, r.max, r.pow2);
  }
  return out;
}
