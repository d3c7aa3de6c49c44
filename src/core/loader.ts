// The one place that instantiates the WASM core. Node and browsers differ only
// in how they obtain the bytes (node.ts reads the file, browser.ts fetches a
// URL); both end here. @assemblyscript/loader does the instantiation, but the
// hot paths use `instance.exports` directly: the loader's demangled wrappers
// add a JS frame per call, and strings/arrays are never lifted.
import { instantiate } from "@assemblyscript/loader";

export type WasmSource = ArrayBuffer | Uint8Array | Response | Promise<Response> | WebAssembly.Module;

/** Raw numeric exports of the core: functions taking and returning numbers,
 *  plus `memory`. Subsystem wrappers narrow this to their own interfaces. */
export interface RawCore {
  memory: WebAssembly.Memory;
  [name: string]: unknown;
}

export async function instantiateCore(source: WasmSource): Promise<RawCore> {
  const src = source instanceof Uint8Array ? source.slice().buffer : source;
  const result = await instantiate(src as never, {
    env: {
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`skbsim core: WASM assertion failed at ${line}:${column}`);
      },
    },
  });
  return result.instance.exports as unknown as RawCore;
}
