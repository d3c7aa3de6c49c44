// The receive queue ring against a plain array model: FIFO order, the
// records tcp_collapse reads and writes back (toRecords / setRecords: here a
// rebuild keeping the first i skbs, with the new tail's layout) and growth
// past the initial capacity while wrapped.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RcvQueue } from "../../src/tcp/rcv-queue.js";

describe("RcvQueue", () => {
  it("behaves as a FIFO of [seq, end_seq, truesize] under any push/shift/rebuild mix", () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant("push" as const), n: fc.integer({ min: 1, max: 700 }) }),
      fc.record({ k: fc.constant("shift" as const), n: fc.integer({ min: 1, max: 700 }) }),
      fc.record({ k: fc.constant("set" as const), n: fc.integer({ min: 0, max: 2000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const q = new RcvQueue();
        const model: [number, number, number][] = [];
        let seq = 2 ** 32 - 5000; // end_seq values past 2^32 stay exact
        for (const o of ops) {
          if (o.k === "push") {
            for (let j = 0; j < o.n; j++) {
              seq += 1448;
              q.push(seq - 1448 - (j % 3), seq, 2304 + j);
              model.push([seq - 1448 - (j % 3), seq, 2304 + j]);
            }
          } else if (o.k === "shift") {
            for (let j = 0; j < o.n && model.length > 0; j++) expect(q.shift()).toBe(model.shift()![2]);
          } else if (model.length > 0) {
            const i = o.n % model.length;
            const recs = q.toRecords().slice(0, 5 * (i + 1));
            recs[5 * i + 3] = 0; // the new tail: linear, o.n bytes of tailroom
            recs[5 * i + 4] = o.n;
            q.setRecords(recs);
            model.length = i + 1;
            expect([q.frags, q.tailroom]).toEqual([0, o.n]);
          }
          expect(q.length).toBe(model.length);
          // one comparison per step (an expect per skb made this test slow)
          const got: [number, number, number][] = [];
          for (let i = 0; i < q.length; i++) got.push([q.seqAt(i), q.endAt(i), q.truesizeAt(i)]);
          expect(got).toEqual(model);
        }
      }),
      { numRuns: 150 },
    );
  });
});
