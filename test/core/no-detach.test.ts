// The core never grows its memory and so never detaches an ArrayBuffer. In V8
// the first detach of any ArrayBuffer in a process (a WebAssembly memory.grow
// detaches the memory's old buffer) invalidates the process-wide
// ArrayBufferDetaching protector, and every optimised typed-array access in
// all JS code then pays a detached-buffer check (README, *Benchmarks*).
// src/core/loader.ts creates the imported memory at the plan's size instead.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { instantiateCore } from "../../src/core/loader.js";
import { Core, CoreInitError } from "../../src/core/core.js";
import { resolveCoreConfig } from "../../src/core/config.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const wasm = () => readFile(`${root}build/skbsim.wasm`);
const PAGE = 65536;

describe("core memory: created at the plan's size, never grown", () => {
  it("neither build of the module contains a memory.grow", () => {
    for (const wat of ["build/skbsim.wat", "build/skbsim.debug.wat"]) {
      const text = readFileSync(`${root}${wat}`, "utf8");
      expect(text).toMatch(/\(import "env" "memory" \(memory \$0 1\)\)/);
      expect(text.includes("memory.grow"), wat).toBe(false);
    }
  });

  it("the buffer seen right after instantiation is the core's buffer after init, exactly the plan's pages", async () => {
    const config = { skbs: 512, ringSlots: 4096, wheelEntries: 1024 };
    const raw = await instantiateCore(await wasm(), config);
    const buf = raw.memory.buffer;
    const pagesBefore = buf.byteLength / PAGE;
    const core = new Core(raw, config);
    // A grow would have detached buf (byteLength 0) and made a new buffer.
    expect(core.memory.buffer).toBe(buf);
    expect(buf.byteLength).toBe(pagesBefore * PAGE);
    expect(pagesBefore).toBe(Math.ceil(core.memoryBytes() / PAGE));
    expect(core.skb.len.buffer).toBe(buf);
    core.allocBurst(100);
    core.freeBurst(100);
    expect(raw.memory.buffer).toBe(buf);
  });

  it("a memory planned for a smaller config is refused, not grown", async () => {
    const raw = await instantiateCore(await wasm(), { skbs: 64 });
    const buf = raw.memory.buffer;
    const bigger = { skbs: 65536 };
    expect(() => new Core(raw, bigger)).toThrow(CoreInitError);
    expect(() => new Core(raw, bigger)).toThrow(/needs more than this instance's \d+ pages/);
    expect(raw.memory.buffer).toBe(buf);
    expect(buf.byteLength).toBeGreaterThan(0);
    // The same instance still takes the config it was planned for.
    const core = new Core(raw, { skbs: 64 });
    expect(core.poolStats().size).toBe(64);
    expect(resolveCoreConfig({ skbs: 64 }).skbs).toBe(64);
  });

  // The whole process, as V8 sees it: a scenario run (core creation, a SYN
  // flood, TCP, the report) must leave the protector intact. Needs the built
  // dist/ (npm test builds first).
  it.skipIf(!existsSync(`${root}dist/cli/main.js`))("a scenario run never invalidates V8's ArrayBufferDetaching protector", async () => {
    const run = promisify(execFile);
    const out = await run(process.execPath, ["--trace-protector-invalidation", "bin/skbsim.js", "run", "accept-queue-overflow", "--quiet"], { cwd: root });
    // The flag works: this process's own detach is reported.
    const probe = await run(process.execPath, ["--trace-protector-invalidation", "-e", "new WebAssembly.Memory({ initial: 1 }).grow(1)"]);
    expect(probe.stdout).toMatch(/Invalidating protector cell ArrayBufferDetaching/);
    expect(out.stdout + out.stderr).not.toMatch(/Invalidating protector cell ArrayBufferDetaching/);
  });
});
