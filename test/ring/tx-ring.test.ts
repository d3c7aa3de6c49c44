// assembly/tx-ring.ts against its plain-TS reference (src/core/ref/tx-ring.ts):
// random sequences of posts, wire takes and cleans over several rings of odd
// sizes must leave the same records, descriptors and outputs. The driver's
// one-descriptor steps through the views (postOne, cleanOne) are checked the
// same way, against the reference's burst of one, and so is the wire's take of one
// (takeOne, and peekOne before it), the step nic-tx.ts uses, and the wire's
// quiet run (peekPlain, which stops before a GSO skb, then takeRun of a prefix).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import { TXD, TXD_U32, TXR, TXR_CLEAN_MAX, TXR_REC_U32, TXR_STAGE, txRingsOf, TxRingError } from "../../src/core/tx-rings.js";
import { RefTxRings } from "../../src/core/ref/tx-ring.js";
import { SKB_NONE } from "../../src/core/skb-fields.js";

type Op =
  | { k: "post"; r: number; n: number; seed: number }
  | { k: "take"; r: number; max: number }
  | { k: "clean"; r: number; n: number }
  | { k: "postOne"; r: number; seed: number }
  | { k: "cleanOne"; r: number }
  | { k: "takeOne"; r: number }
  | { k: "run"; r: number; max: number; frac: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant("post" as const), r: fc.nat(2), n: fc.integer({ min: 0, max: TXR_STAGE }), seed: fc.nat(1000) }),
  fc.record({ k: fc.constant("take" as const), r: fc.nat(2), max: fc.integer({ min: 0, max: 300 }) }),
  fc.record({ k: fc.constant("clean" as const), r: fc.nat(2), n: fc.integer({ min: 0, max: 300 }) }),
  fc.record({ k: fc.constant("postOne" as const), r: fc.nat(2), seed: fc.nat(1000) }),
  fc.record({ k: fc.constant("cleanOne" as const), r: fc.nat(2) }),
  fc.record({ k: fc.constant("takeOne" as const), r: fc.nat(2) }),
  fc.record({ k: fc.constant("run" as const), r: fc.nat(2), max: fc.integer({ min: 0, max: 300 }), frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

/** Segments of skb h in the test: every fifth a GSO one (the wire splits it, so a plain run stops there). */
const segsOf = (h: number): number => (h % 5 === 2 ? 2 + (h % 3) : 1);

describe("TX descriptor rings (WASM vs reference)", () => {
  it("layout constants match the WASM exports", async () => {
    const core = await freshCore();
    const raw = core.raw as Record<string, unknown>;
    const g = (name: string) => (raw[name] as WebAssembly.Global).value as number;
    expect(g("TXR_REC_U32")).toBe(TXR_REC_U32);
    expect(g("TXD_U32")).toBe(TXD_U32);
    expect(g("TXR_STAGE")).toBe(TXR_STAGE);
    expect(g("TXR_CLEAN_MAX")).toBe(TXR_CLEAN_MAX);
  });

  it("posts, takes and cleans as the reference", async () => {
    const sizes = [7, 64, 300];
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 200 }), async (ops) => {
        // a fresh core per run, so a counterexample replays from empty rings
        const core = await freshCore({ skbs: 4096, txRingSlots: 1024 });
        const skbs = core.config.skbs;
        const t = txRingsOf(core);
        const ids = sizes.map((s) => t.create(s));
        const ref = new RefTxRings(t.x.txring_max(), t.x.txring_slots(), core.skb.sk, core.skb.truesize);
        for (const s of sizes) ref.create(s);
        for (let h = 0; h < skbs; h++) core.skb.gsoSegs[h] = segsOf(h);
        const runOut = new Uint32Array(300);
        for (const o of ops) {
          const id = ids[o.r]!;
          if (o.k === "post") {
            for (let j = 0; j < o.n; j++) {
              const h = (o.seed * 31 + j * 17) % skbs;
              // some skbs have no socket (the descriptor credits nobody at completion)
              core.skb.sk[h] = (h & 3) === 0 ? SKB_NONE : h * 7;
              core.skb.truesize[h] = 1000 + h;
              t.stage[2 * j] = h;
              t.stage[2 * j + 1] = 60 + ((h * 13) % 65000);
            }
            const want = ref.postBurst(o.r, t.stage, o.n);
            expect(t.x.txring_post_burst(id, t.stagePtr, o.n)).toBe(want);
          } else if (o.k === "postOne") {
            const h = (o.seed * 29) % skbs;
            core.skb.sk[h] = (h & 3) === 1 ? SKB_NONE : h * 5;
            core.skb.truesize[h] = 700 + h;
            const bytes = 60 + ((h * 11) % 65000);
            const want = ref.postBurst(o.r, [h, bytes], 1);
            expect(t.postOne(id, h, bytes, core.skb.sk[h]!, core.skb.truesize[h]!)).toBe(want === 1);
          } else if (o.k === "cleanOne") {
            const want = ref.clean(o.r, 1);
            expect(t.cleanOne(id)).toBe(want);
            if (want === 1) {
              expect(t.owners[0]).toBe(ref.owners[0]);
              expect(t.owners[TXR_CLEAN_MAX]).toBe(ref.owners[TXR_CLEAN_MAX]);
            }
          } else if (o.k === "takeOne") {
            const want = ref.takeBurst(o.r, 1);
            const h = want.length === 0 ? -1 : want[0]!;
            expect(t.peekOne(id)).toBe(h);
            expect(t.takeOne(id)).toBe(h);
          } else if (o.k === "run") {
            // the plain prefix of what the wire would take next, then the wire takes part of it
            const next = ref.peekBurst(o.r, o.max);
            let plain = next.findIndex((h) => segsOf(h) > 1);
            if (plain < 0) plain = next.length;
            const n = t.peekPlain(id, runOut, o.max, core.skb.gsoSegs);
            expect(Array.from(runOut.subarray(0, n))).toEqual(next.slice(0, plain));
            const k = Math.min(n, Math.floor(o.frac * (n + 1)));
            t.takeRun(id, k);
            ref.takeBurst(o.r, k);
          } else if (o.k === "take") {
            const want = ref.takeBurst(o.r, o.max);
            const k = t.x.txring_take_burst(id, core.scratchPtr, o.max);
            expect(Array.from(core.scratch.subarray(0, k))).toEqual(want);
          } else {
            const want = ref.clean(o.r, o.n);
            expect(t.x.txring_clean(id, o.n)).toBe(want);
            expect(Array.from(t.owners.subarray(0, want))).toEqual(Array.from(ref.owners.subarray(0, want)));
            expect(Array.from(t.owners.subarray(TXR_CLEAN_MAX, TXR_CLEAN_MAX + want))).toEqual(Array.from(ref.owners.subarray(TXR_CLEAN_MAX, TXR_CLEAN_MAX + want)));
          }
          const r = o.r * TXR_REC_U32;
          expect(Array.from(t.recs.subarray(r, r + TXR_REC_U32))).toEqual(Array.from(ref.recs.subarray(r, r + TXR_REC_U32)));
          // invariants: unsent <= used <= size
          expect(t.recs[r + TXR.unsent]!).toBeLessThanOrEqual(t.recs[r + TXR.used]!);
          expect(t.recs[r + TXR.used]!).toBeLessThanOrEqual(t.recs[r + TXR.size]!);
        }
        const used = ref.slotsUsed * TXD_U32;
        expect(Array.from(t.descs.subarray(0, used))).toEqual(Array.from(ref.descs.subarray(0, used)));
      }),
      { numRuns: 100 },
    );
  });

  it("a descriptor keeps its owner after the wire takes the handle; clean never frees an unsent one", async () => {
    const core = await freshCore({ txRingSlots: 16 });
    const t = txRingsOf(core);
    const id = t.create(4);
    const r = id * TXR_REC_U32;
    core.skb.sk[5] = 42;
    core.skb.truesize[5] = 2304;
    core.skb.sk[6] = SKB_NONE;
    t.stage.set([5, 1514, 6, 66]);
    expect(t.x.txring_post_burst(id, t.stagePtr, 2)).toBe(2);
    expect(t.descs[t.recs[r + TXR.base]! * TXD_U32 + TXD.sk]).toBe(42);
    // nothing taken yet: nothing to clean
    expect(t.x.txring_clean(id, 2)).toBe(0);
    expect(t.recs[r + TXR.freed]).toBe(0);
    expect(t.x.txring_take_burst(id, core.scratchPtr, 1)).toBe(1);
    expect(core.scratch[0]).toBe(5);
    core.skb.sk[5] = SKB_NONE; // the receiver's now
    expect(t.x.txring_clean(id, 2)).toBe(1);
    expect([t.owners[0], t.owners[TXR_CLEAN_MAX], t.recs[r + TXR.cleaned], t.recs[r + TXR.freed]]).toEqual([42, 2304, 1514, 1]);
    expect([t.recs[r + TXR.used], t.recs[r + TXR.unsent]]).toEqual([1, 1]);
    // a full ring takes no more
    t.stage.set([7, 60, 8, 60, 9, 60, 10, 60]);
    expect(t.x.txring_post_burst(id, t.stagePtr, 4)).toBe(3);
  });

  it("refuses rings it cannot hold, naming the field", async () => {
    const core = await freshCore({ txRingSlots: 10, dqlQueues: 2 });
    const t = txRingsOf(core);
    expect(() => t.create(0)).toThrow(/txRing: 0 is not an integer in \[1, 16777216\]/);
    t.create(6);
    expect(() => t.create(5)).toThrow(TxRingError);
    expect(() => t.create(5)).toThrow(/core\.txRingSlots exhausted/);
    t.create(4);
    expect(() => t.create(1)).toThrow(/core\.dqlQueues exhausted/);
  });
});
