// Shared test helpers: a fresh Core per test file (one WASM instance each).
import { createCore } from "../src/core/node.js";
import type { CoreConfig } from "../src/core/config.js";
import type { Core } from "../src/core/core.js";

export async function freshCore(config: Partial<CoreConfig> = {}): Promise<Core> {
  return createCore({ skbs: 1024, ringSlots: 1 << 16, wheelEntries: 1 << 12, ...config });
}
