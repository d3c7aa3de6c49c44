// Differential test: random driver sequences (sends, xmit_more batches,
// completions of part of what is in flight, sysfs writes, stall detection,
// time jumps, counters started near 2^32; the driver's per-packet sentUnchecked) on the WASM kernel and the TS
// reference; every field of struct dql must agree after every step.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import type { Core } from "../../src/core/core.js";
import { DQL_HZ, dqlOf } from "../../src/core/dql.js";
import { RefDql } from "../../src/core/ref/dql.js";

const J = 1e6;
const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant("sent" as const), bytes: fc.constantFrom(60, 1514, 1514, 9000, 65226, 0) }) },
  // the driver's per-packet step (Dql.sentUnchecked: in TS over the record's words unless stall_thrs is set)
  { weight: 4, arbitrary: fc.record({ k: fc.constant("sentUnchecked" as const), bytes: fc.constantFrom(60, 1514, 9000, 65226, 0) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("burst" as const), lens: fc.array(fc.constantFrom(60, 1514, 4000), { minLength: 1, maxLength: 8 }) }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant("done" as const), frac: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  // the driver's per-completion step (Dql.txCompletedUnchecked: in TS over the record's words unless stall_thrs is set)
  { weight: 5, arbitrary: fc.record({ k: fc.constant("doneUnchecked" as const), frac: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant("tick" as const), dj: fc.constantFrom(0, 1, 1, 1, 2, 3, 5, 70, 300, 1000) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("limit" as const), v: fc.integer({ min: 0, max: 200000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("limitMin" as const), v: fc.constantFrom(0, 0, 1514, 30000, 200000) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("limitMax" as const), v: fc.constantFrom(1879048192, 1879048192, 3000, 60000, 500000) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("stall" as const), v: fc.constantFrom(0, 4, 10, 128) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("hold" as const), v: fc.constantFrom(0, 1, 2, 3, 1000) }) },
);

let core: Core;
beforeAll(async () => {
  core = await freshCore({ dqlQueues: 8 });
});

describe("dql: WASM kernel vs TS reference", () => {
  it("agree on every field after every step", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 300, size: "max" }), fc.constantFrom(0, 0xffffffff - 20000, 0x7fffffff - 3000), fc.constantFrom(0, 0, 2 ** 32 - 40, 2 ** 41 + 7), (ops, base, j0) => {
        // j0: a start in jiffies past 2^32 puts slack_start_time in both words of its u64
        const d = dqlOf(core, 0);
        d.init(j0 * J);
        d.shiftCounters(base);
        const r = new RefDql(DQL_HZ, j0);
        r.shiftCounters(base);
        let j = j0;
        const at = 200;
        for (const o of ops) {
          switch (o.k) {
            case "sent":
              expect(d.sent(o.bytes, j * J)).toBe(r.sent(o.bytes, j));
              break;
            case "sentUnchecked":
              expect(d.sentUnchecked(o.bytes, j)).toBe(r.sent(o.bytes, j));
              break;
            case "burst": {
              const n = core.allocBurst(o.lens.length, 0, at);
              for (let i = 0; i < n; i++) core.skb.len[core.scratch[at + i]!] = o.lens[i]!;
              expect(d.sentBurst(n, at, j * J)).toBe(r.sentBurst(o.lens, j));
              core.freeBurst(n, at);
              break;
            }
            case "done": {
              const b = Math.floor(d.inflight * o.frac);
              expect(d.txCompleted(b, j * J)).toBe(r.txCompleted(b, j));
              break;
            }
            case "doneUnchecked": {
              const b = Math.floor(d.inflight * o.frac);
              expect(d.txCompletedUnchecked(b, j)).toBe(r.txCompleted(b, j) === "woken");
              break;
            }
            case "tick":
              j += o.dj;
              break;
            case "limit":
              d.write("limit", o.v);
              r.limit = o.v;
              break;
            case "limitMin":
              d.write("limit_min", o.v);
              r.minLimit = o.v;
              break;
            case "limitMax":
              d.write("limit_max", o.v);
              r.maxLimit = o.v;
              break;
            case "hold":
              d.write("hold_time", o.v);
              r.slackHoldTime = o.v;
              break;
            case "stall":
              d.write("stall_thrs", o.v, j * J);
              r.setStallThrs(o.v, j);
              break;
          }
          expect(d.state()).toEqual(r.state());
        }
      }),
      { numRuns: 200 },

    );
  });
  it("agree on the driver's per-packet steps alone (sentUnchecked, txCompletedUnchecked) at short hold times", () => {
    // short hold times and ticks of 0-2 jiffies: the busy interval's hold_time check
    // (time_after(jiffies, slack_start_time + slack_hold_time)) meets its boundary often
    const step = fc.oneof(
      fc.record({ k: fc.constant("sent" as const), bytes: fc.constantFrom(60, 1514, 1514, 9000) }),
      fc.record({ k: fc.constant("done" as const), frac: fc.constantFrom(0, 0.25, 0.5, 0.9, 1) }),
      fc.record({ k: fc.constant("tick" as const), dj: fc.constantFrom(0, 1, 2) }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 200 }), fc.constantFrom(0, 1, 2, 3), fc.constantFrom(0, 0xffffffff - 6000), (ops, hold, base) => {
        const d = dqlOf(core, 1);
        d.init(0, hold);
        d.shiftCounters(base);
        const r = new RefDql(hold, 0);
        r.shiftCounters(base);
        let j = 0;
        for (const o of ops) {
          if (o.k === "sent") expect(d.sentUnchecked(o.bytes, j)).toBe(r.sent(o.bytes, j));
          else if (o.k === "done") {
            const b = Math.floor(d.inflight * o.frac);
            expect(d.txCompletedUnchecked(b, j)).toBe(r.txCompleted(b, j) === "woken");
          } else j += o.dj;
          expect(d.state()).toEqual(r.state());
        }
      }),
      { numRuns: 200 },
    );
  });
});
