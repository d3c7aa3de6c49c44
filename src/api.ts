// Everything the package exports except the WASM loading, shared by the Node
// entry (index.ts) and the browser entry (browser.ts).
export { Core, CoreInitError, type SkbPoolStats } from "./core/core.js";
export { ConfigError, DEFAULT_CORE_CONFIG, CORE_CONFIG_RANGES, type CoreConfig } from "./core/config.js";
export * from "./core/skb-fields.js";
export * from "./core/rss.js";
export { Rings, Ring, RingError, RING_NONE, RING_SIZE_MIN, RING_SIZE_MAX, type RingStats } from "./core/rings.js";
export { Wheel, type WheelStats } from "./core/wheel.js";
export * from "./wire/index.js";
export * from "./scenario/index.js";
export { simulate, simulateSpec, coreConfigForScenario, type SimulateOptions } from "./sim/simulate.js";
export type { WorldSpec, HostSpec as WorldHostSpec, LinkSpec as WorldLinkSpec, TrafficSpec as WorldTrafficSpec } from "./sim/world-spec.js";
export { EventLoop, type EventHandler, type RunResult } from "./sim/loop.js";
export { Rng } from "./sim/rng.js";
export { buildReport, type Report, type HostReport } from "./report/build.js";
export { renderText } from "./report/text.js";
export { Gro, GroContext, GroError, createGro } from "./core/gro.js";
export { Dql, DqlError, dqlOf, nsToJiffies, DQL_MAX_LIMIT, DQL_MAX_OBJECT, type BqlSysfs, type DqlState, type DqlTxResult } from "./core/dql.js";
export { Gso, GsoError, createGso, type GsoStats, type TsoAutosizeArgs } from "./core/gso.js";
