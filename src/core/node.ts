// Node loading of the WASM core: read the bytes from the package's build/.
import { readFile } from "node:fs/promises";
import { instantiateCore } from "./loader.js";
import { Core } from "./core.js";
import type { CoreConfig } from "./config.js";

export interface NodeLoadOptions {
  /** Use the debug build (assertions on, slower). */
  debug?: boolean;
  /** Explicit path or URL of a .wasm file. */
  wasmPath?: string | URL;
}

export function defaultWasmUrl(debug = false): URL {
  return new URL(debug ? "../../build/skbsim.debug.wasm" : "../../build/skbsim.wasm", import.meta.url);
}

export async function createCore(config: Partial<CoreConfig> = {}, opts: NodeLoadOptions = {}): Promise<Core> {
  const where = opts.wasmPath ?? defaultWasmUrl(opts.debug);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(where);
  } catch (e) {
    throw new Error(`skbsim: cannot read the WASM core at ${String(where)} (run \`npm run build\`): ${(e as Error).message}`);
  }
  return new Core(await instantiateCore(bytes, config), config);
}
