// Everything the package exports except the WASM loading, shared by the Node
// entry (index.ts) and the browser entry (browser.ts).
export { Core, CoreInitError, type SkbPoolStats } from "./core/core.js";
export { ConfigError, DEFAULT_CORE_CONFIG, CORE_CONFIG_RANGES, type CoreConfig } from "./core/config.js";
export * from "./core/skb-fields.js";
