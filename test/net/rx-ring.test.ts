// The NIC RX ring (JS columns) against an array model: capacity rounded up to
// a power of two, frames land until it is full, the driver takes them oldest first.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RxRing } from "../../src/net/rx-ring.js";

type Op = { op: "push"; h: number } | { op: "pushFrom"; hs: number[] } | { op: "take"; max: number };

describe("RxRing", () => {
  it("rounds its size up to a power of two (at least 2)", () => {
    expect(new RxRing(1).size).toBe(2);
    expect(new RxRing(512).size).toBe(512);
    expect(new RxRing(513).size).toBe(1024);
  });

  it("push, pushFrom and takeInto behave as a bounded FIFO (fast-check)", () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant("push" as const), h: fc.nat(0xffffffff) }),
      fc.record({ op: fc.constant("pushFrom" as const), hs: fc.array(fc.nat(0xffffffff), { maxLength: 70 }) }),
      fc.record({ op: fc.constant("take" as const), max: fc.nat(70) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(op, { maxLength: 200 }), (minSize, ops: Op[]) => {
        const r = new RxRing(minSize);
        const model: number[] = [];
        const buf = new Uint32Array(200);
        for (const o of ops) {
          if (o.op === "push") {
            const ok = model.length < r.size;
            expect(r.push(o.h)).toBe(ok);
            if (ok) model.push(o.h);
          } else if (o.op === "pushFrom") {
            buf.set(o.hs, 5);
            const k = r.pushFrom(buf, 5, o.hs.length);
            expect(k).toBe(Math.min(o.hs.length, r.size - model.length));
            model.push(...o.hs.slice(0, k));
          } else {
            const k = r.takeInto(buf, 100, o.max);
            const want = model.splice(0, Math.min(o.max, model.length));
            expect(Array.from(buf.subarray(100, 100 + k))).toEqual(want);
          }
          expect(r.count).toBe(model.length);
        }
      }),
    );
  });
});
