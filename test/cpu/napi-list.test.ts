// NapiList (the CPUs' NAPI poll lists) against a plain array model.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NapiList } from "../../src/cpu/napi-list.js";

type Op = { op: "push"; n: number } | { op: "shift" } | { op: "splice"; ns: number[] } | { op: "clear" };

const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant("push" as const), n: fc.integer({ min: 0, max: 1 << 20 }) }),
    fc.record({ op: fc.constant("shift" as const) }),
    fc.record({ op: fc.constant("splice" as const), ns: fc.array(fc.nat(1000), { maxLength: 40 }) }),
    fc.record({ op: fc.constant("clear" as const) }),
  ),
  { maxLength: 300 },
);

describe("NapiList", () => {
  it("behaves as an array FIFO: push, shift, splice onto the tail (emptying the source), clear (fast-check)", () => {
    fc.assert(
      fc.property(ops, (list: Op[]) => {
        const l = new NapiList();
        const model: number[] = [];
        for (const o of list) {
          if (o.op === "push") {
            l.push(o.n);
            model.push(o.n);
          } else if (o.op === "shift") {
            if (model.length === 0) continue;
            expect(l.shift()).toBe(model.shift());
          } else if (o.op === "splice") {
            const src = new NapiList();
            for (const n of o.ns) src.push(n);
            l.spliceTail(src);
            model.push(...o.ns);
            expect(src.length).toBe(0);
          } else {
            l.clear();
            model.length = 0;
          }
          expect(l.length).toBe(model.length);
          expect(Array.from({ length: l.length }, (_, k) => l.at(k))).toEqual(model);
        }
      }),
    );
  });
});
