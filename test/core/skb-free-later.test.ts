// Core.freeLater defers the push onto the WASM free stack; the pool must be
// indistinguishable from eager frees at every point where anything reads it.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";

describe("skb freeLater", () => {
  it("reuses handles in exactly the order eager frees would", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(3), fc.nat(40)), { minLength: 1, maxLength: 400 }), async (ops) => {
        const eager = await freshCore({ skbs: 512 });
        const lazy = await freshCore({ skbs: 512 });
        const liveE: number[] = [];
        const liveL: number[] = [];
        for (const [op, x] of ops) {
          if (op <= 1 || liveE.length === 0) {
            // alloc (one or a burst)
            const n = op === 0 ? 1 : 1 + (x % 8);
            for (const [c, live] of [[eager, liveE], [lazy, liveL]] as const) {
              const k = c.allocBurst(n, 0, 0);
              for (let i = 0; i < k; i++) live.push(c.scratch[i]!);
            }
          } else {
            const i = x % liveE.length;
            const [he] = liveE.splice(i, 1);
            const [hl] = liveL.splice(i, 1);
            expect(eager.freeOne(he!)).toBe(true);
            expect(lazy.freeLater(hl!)).toBe(true);
            expect(lazy.skb.live[hl!]).toBe(0);
          }
          expect(liveL).toEqual(liveE);
        }
        expect(lazy.poolStats()).toEqual(eager.poolStats());
      }),
      { numRuns: 40 },
    );
  });

  it("drains before a WASM free, so the free stack keeps the order of the calls", async () => {
    const c = await freshCore({ skbs: 16 });
    c.allocBurst(3);
    const [a, b, d] = Array.from(c.scratch.subarray(0, 3));
    c.freeLater(a!);
    c.freeOne(b!);
    c.freeLater(d!);
    // LIFO: the last freed comes back first
    c.allocBurst(3);
    expect(Array.from(c.scratch.subarray(0, 3))).toEqual([d, b, a]);
  });

  it("a handle that is not live is a bad free, not a second entry on the free stack", async () => {
    const c = await freshCore({ skbs: 8 });
    const h = c.allocOne();
    expect(c.freeLater(h)).toBe(true);
    expect(c.freeLater(h)).toBe(false);
    expect(c.freeLater(1 << 20)).toBe(false);
    const s = c.poolStats();
    expect(s.badFree).toBe(2);
    expect(s.freed).toBe(1);
    expect(s.live).toBe(0);
    expect(s.free).toBe(8);
  });

  it("more frees than the pending area holds drain on their own", async () => {
    const c = await freshCore({ skbs: 1024 });
    expect(c.allocBurst(1000)).toBe(1000);
    const hs = Array.from(c.scratch.subarray(0, 1000));
    for (const h of hs) c.freeLater(h);
    expect(c.poolStats()).toMatchObject({ live: 0, free: 1024, freed: 1000, badFree: 0 });
    // the last one freed is the first one reused
    expect(c.allocOne()).toBe(hs[999]);
  });

  it("skb columns do not start a power-of-two apart (no cache-set aliasing between fields)", async () => {
    const c = await freshCore({ skbs: 1 << 12 });
    const stride = c.skb.mac.byteOffset - c.skb.hdrLen.byteOffset; // adjacent columns
    expect(stride).toBeGreaterThanOrEqual((1 << 12) * 4);
    expect(stride % 4096).not.toBe(0);
  });
});
