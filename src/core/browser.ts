// Browser loading of the WASM core: fetch it from a URL (default: next to the
// package's build/ folder). Everything after the bytes is shared with Node.
import { instantiateCore } from "./loader.js";
import { Core } from "./core.js";
import type { CoreConfig } from "./config.js";

export interface BrowserLoadOptions {
  wasmUrl?: string | URL;
}

export async function createCore(config: Partial<CoreConfig> = {}, opts: BrowserLoadOptions = {}): Promise<Core> {
  const url = opts.wasmUrl ?? new URL("../../build/skbsim.wasm", import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`skbsim: cannot fetch the WASM core at ${String(url)}: HTTP ${response.status}`);
  return new Core(await instantiateCore(response, config), config);
}
