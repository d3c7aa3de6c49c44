// The receive queue ring against a plain array model: FIFO order, in-place
// truesize updates (tcp_collapse) and growth past the initial capacity
// while wrapped.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RcvQueue } from "../../src/tcp/rcv-queue.js";

describe("RcvQueue", () => {
  it("behaves as a FIFO of [end_seq, truesize] under any push/shift/update mix", () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant("push" as const), n: fc.integer({ min: 1, max: 700 }) }),
      fc.record({ k: fc.constant("shift" as const), n: fc.integer({ min: 1, max: 700 }) }),
      fc.record({ k: fc.constant("set" as const), n: fc.integer({ min: 0, max: 2000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const q = new RcvQueue();
        const model: [number, number][] = [];
        let seq = 2 ** 32 - 5000; // end_seq values past 2^32 stay exact
        for (const o of ops) {
          if (o.k === "push") {
            for (let j = 0; j < o.n; j++) {
              seq += 1448;
              q.push(seq, 2304 + j);
              model.push([seq, 2304 + j]);
            }
          } else if (o.k === "shift") {
            for (let j = 0; j < o.n && model.length > 0; j++) expect(q.shift()).toBe(model.shift()![1]);
          } else if (model.length > 0) {
            const i = o.n % model.length;
            q.setTruesizeAt(i, o.n);
            model[i]![1] = o.n;
          }
          expect(q.length).toBe(model.length);
          for (let i = 0; i < model.length; i++) {
            expect(q.endAt(i)).toBe(model[i]![0]);
            expect(q.truesizeAt(i)).toBe(model[i]![1]);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
