import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import { createCore } from "../../src/core/node.js";
import { ConfigError } from "../../src/core/config.js";
import { SkbCol, SKB_NONE } from "../../src/core/skb-fields.js";

describe("skb pool", () => {
  it("column indices match the WASM exports", async () => {
    const core = await freshCore();
    const raw = core.raw as Record<string, unknown>;
    const wasmIndex = (name: string) => (raw[name] as WebAssembly.Global).value as number;
    expect(wasmIndex("SKB_LEN")).toBe(SkbCol.len);
    expect(wasmIndex("SKB_HASH")).toBe(SkbCol.hash);
    expect(wasmIndex("SKB_QUEUE")).toBe(SkbCol.queue);
    expect(wasmIndex("SKB_NEXT")).toBe(SkbCol.next);
    expect(wasmIndex("SKB_LIVE")).toBe(SkbCol.live);
    expect(wasmIndex("SKB_U32_COLS")).toBe(Object.keys(SkbCol).length);
  });

  it("allocates distinct live handles and resets their metadata", async () => {
    const core = await freshCore({ skbs: 64 });
    expect(core.allocBurst(10, 5)).toBe(10);
    const hs = Array.from(core.scratch.subarray(0, 10));
    expect(new Set(hs).size).toBe(10);
    for (const h of hs) {
      expect(core.skb.live[h]).toBe(1);
      expect(core.skb.next[h]).toBe(SKB_NONE);
      expect(core.skbTime.born[h]).toBe(5);
      core.skb.hash[h] = 0xdeadbeef;
    }
    expect(core.freeBurst(10)).toBe(10);
    expect(core.allocBurst(10)).toBe(10);
    for (const h of core.scratch.subarray(0, 10)) expect(core.skb.hash[h]).toBe(0);
  });

  it("exhaustion returns fewer handles and counts the shortfall", async () => {
    const core = await freshCore({ skbs: 16 });
    expect(core.allocBurst(10)).toBe(10);
    expect(core.allocBurst(10, 0, 10)).toBe(6);
    expect(core.allocBurst(3, 0, 20)).toBe(0);
    const s = core.poolStats();
    expect(s).toMatchObject({ size: 16, live: 16, free: 0, allocated: 16, allocFail: 7 });
  });

  it("double free and out-of-range handles are counted, not applied", async () => {
    const core = await freshCore({ skbs: 8 });
    core.allocBurst(2);
    const [a] = core.scratch;
    core.scratch[0] = a!;
    core.scratch[1] = a!;
    core.scratch[2] = 999;
    expect(core.freeBurst(3)).toBe(1);
    expect(core.poolStats()).toMatchObject({ live: 1, freed: 1, badFree: 2 });
  });

  it("frees a list linked through next", async () => {
    const core = await freshCore({ skbs: 8 });
    core.allocBurst(3);
    const [a, b, c] = core.scratch;
    core.skb.next[a!] = b!;
    core.skb.next[b!] = c!;
    expect(core.freeList(a!)).toBe(3);
    expect(core.poolStats().live).toBe(0);
  });

  it("allocated = freed + live under any sequence of bursts", async () => {
    const core = await freshCore({ skbs: 128 });
    const held: number[] = [];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 50 })), { maxLength: 60 }), (ops) => {
        for (const [alloc, n] of ops) {
          if (alloc) {
            const k = core.allocBurst(n);
            for (let i = 0; i < k; i++) held.push(core.scratch[i]!);
          } else {
            const m = Math.min(n, held.length);
            for (let i = 0; i < m; i++) core.scratch[i] = held.pop()!;
            core.freeBurst(m);
          }
          const s = core.poolStats();
          expect(s.allocated).toBe(s.freed + s.live);
          expect(s.live).toBe(held.length);
          expect(s.live + s.free).toBe(s.size);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("memory never grows after init", async () => {
    const core = await freshCore({ skbs: 256 });
    const buf = core.memory.buffer;
    for (let i = 0; i < 20; i++) {
      core.allocBurst(200);
      core.freeBurst(200);
    }
    expect(core.memory.buffer).toBe(buf);
    expect(core.headers.byteLength).toBe(256 * 128);
  });

  it("refuses out-of-range config naming the field", async () => {
    await expect(createCore({ skbs: 0 })).rejects.toThrow(ConfigError);
    await expect(createCore({ skbs: 0 })).rejects.toThrow(/core\.skbs: 0 is not an integer in \[1, 2097152\]/);
    await expect(createCore({ bogus: 1 } as never)).rejects.toThrow(/bogus: unknown core config field/);
  });

  it("rejects bursts larger than the scratch area", async () => {
    const core = await freshCore({ ioSlots: 64 });
    expect(() => core.allocBurst(65)).toThrow(/scratch slots/);
  });
});
