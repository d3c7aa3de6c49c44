// The one place that instantiates the WASM core. Node and browsers differ only
// in how they obtain the bytes (node.ts reads the file, browser.ts fetches a
// URL); both end here. @assemblyscript/loader does the instantiation, but the
// hot paths use `instance.exports` directly: the loader's demangled wrappers
// add a JS frame per call, and strings/arrays are never lifted.
//
// The core's memory is imported and created here at its final size, so it
// never grows: a WebAssembly memory.grow detaches the memory's old
// ArrayBuffer, and in V8 the first detach of any ArrayBuffer in a process
// invalidates the process-wide ArrayBufferDetaching protector, after which
// every optimised typed-array access in all JS code checks for a detached
// buffer (README, *Benchmarks*). The size comes from core_plan_pages, run on
// a throw-away instance with a one-page memory.
import { instantiate } from "@assemblyscript/loader";
import { resolveCoreConfig, type CoreConfig } from "./config.js";
import { CoreInitError } from "./core.js";

export type WasmSource = ArrayBuffer | Uint8Array | Response | Promise<Response> | WebAssembly.Module;

/** Raw numeric exports of the core: functions taking and returning numbers,
 *  plus `memory`. Subsystem wrappers narrow this to their own interfaces. */
export interface RawCore {
  memory: WebAssembly.Memory;
  [name: string]: unknown;
}

/** asconfig.json initialMemory: the pages the module imports at least (its
 *  static data fits in them); the planning instance gets exactly these. */
const MODULE_MIN_PAGES = 1;

/** Largest memory a wasm32 module can have (4 GiB). */
const WASM32_MAX_PAGES = 65536;

type PlanExports = {
  core_plan_pages(skbs: number, io: number, maxRings: number, ringSlots: number, rssCtx: number, retaMax: number, wheel: number, gro: number, dqlQueues: number, txRingSlots: number): number;
};

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  const src = await source;
  if (src instanceof WebAssembly.Module) return src;
  if (typeof Response !== "undefined" && src instanceof Response) {
    if (typeof WebAssembly.compileStreaming === "function") return WebAssembly.compileStreaming(src);
    return WebAssembly.compile(await src.arrayBuffer());
  }
  // A Uint8Array view (a pooled Buffer) compiles its own bytes only.
  return WebAssembly.compile(src as BufferSource);
}

async function instantiateWith(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<RawCore> {
  const result = await instantiate(module, {
    env: {
      memory,
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`skbsim core: WASM assertion failed at ${line}:${column}`);
      },
    },
  });
  return result.instance.exports as unknown as RawCore;
}

/** Instantiate the core with a memory of exactly the pages that `config`'s
 *  plan needs; pass the same config to `new Core(raw, config)`. */
export async function instantiateCore(source: WasmSource, config: Partial<CoreConfig> = {}): Promise<RawCore> {
  const c = resolveCoreConfig(config);
  const module = await compile(source);
  const planner = (await instantiateWith(module, new WebAssembly.Memory({ initial: MODULE_MIN_PAGES }))) as unknown as PlanExports;
  const pages = planner.core_plan_pages(c.skbs, c.ioSlots, c.maxRings, c.ringSlots, c.rssContexts, c.retaMax, c.wheelEntries, c.groContexts, c.dqlQueues, c.txRingSlots);
  let memory: WebAssembly.Memory;
  try {
    if (pages > WASM32_MAX_PAGES) throw new RangeError(`${pages} pages`);
    // maximum = initial: a grow (there is none in the module) would fail rather than detach.
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  } catch (e) {
    throw new CoreInitError(`the memory plan (${JSON.stringify(c)}) needs ${pages} pages of 64 KiB, which WASM memory cannot have (${(e as Error).message}); lower skbs/ringSlots/wheelEntries`);
  }
  return instantiateWith(module, memory);
}
