// Differential test of assembly/napi-gro.ts (napi_gro_poll: RX ring pop,
// GRO over the burst and, for a poll under budget, the flush of every held
// aggregate, in one call) against its TS reference (src/core/ref/napi-gro.ts,
// the ring and GRO references composed): random arrivals on the ring and
// polls of random budgets, clocks and flush choices, on two cores fed
// identically. Frames taken, skbs out, header bytes, skb columns, ring and
// GRO state and counters must be identical.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import type { Core } from "../../src/core/core.js";
import { createGro, GRO_HASH_BUCKETS, type GroContext } from "../../src/core/gro.js";
import { RefGroContext } from "../../src/core/ref/gro.js";
import { RefRing } from "../../src/core/ref/ring.js";
import { refNapiGroPoll } from "../../src/core/ref/napi-gro.js";
import type { Ring } from "../../src/core/rings.js";
import { ACK, FIN, PSH, seg } from "./build.js";

type Poll = (ring: number, handles: number, budget: number, ctx: number, out: number, outMax: number, stepStart: number, cost: number, perFrame: number, flushAll: number) => number;

const RING = 64;
const OUT = 256;

const arrival = fc.record({
  flow: fc.integer({ min: 0, max: 9 }),
  move: fc.constantFrom("next", "next", "next", "next", "gap", "dup"),
  len: fc.constantFrom(1448, 1448, 1448, 1448, 500, 0),
  flags: fc.constantFrom(ACK, ACK, ACK, ACK, ACK, ACK | PSH, ACK | FIN),
});
const step = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("arrive" as const), segs: fc.array(arrival, { minLength: 1, maxLength: 70 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("poll" as const),
      budget: fc.constantFrom(64, 64, 64, 1, 2, 8, 33),
      flushAll: fc.boolean(),
      stepStart: fc.double({ min: 0, max: 1e9, noNaN: true }),
      cost: fc.double({ min: 0, max: 1e5, noNaN: true }),
      perFrame: fc.constantFrom(0, 150, 250.5, 1 / 3),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("flushOld" as const), olderThan: fc.double({ min: 0, max: 1.1e9, noNaN: true }) }) },
);

function sameState(cw: Core, cr: Core, w: GroContext, r: RefGroContext, ring: Ring, rr: RefRing): void {
  for (let b = 0; b < GRO_HASH_BUCKETS; b++) expect(w.bucket(b)).toEqual(r.buckets[b]!.map((e) => ({ head: e.head, count: e.count })));
  expect(w.stats()).toEqual(r.stats());
  expect(cw.poolStats()).toEqual(cr.poolStats());
  expect(ring.count).toBe(rr.head - rr.tail);
  const ws = ring.stats();
  const rs = rr.stats();
  expect([ws.enqueued, ws.dequeued, ws.empty]).toEqual([rs.enqueued, rs.dequeued, rs.empty]);
}

function sameSkbs(cw: Core, cr: Core, hs: number[]): void {
  for (const h of hs) {
    for (const f of ["len", "gsoSize", "gsoSegs", "gsoType", "truesize", "live"] as const) expect([h, f, cw.skb[f][h]]).toEqual([h, f, cr.skb[f][h]]);
    expect(Array.from(cw.headers.subarray(h * 128, h * 128 + 128))).toEqual(Array.from(cr.headers.subarray(h * 128, h * 128 + 128)));
  }
}

describe("napi_gro_poll: WASM vs TS reference", () => {
  it("random arrivals and polls give identical frames taken, outputs, headers, ring and GRO state", async () => {
    const cw = await freshCore({ skbs: 512, ioSlots: 1024, groContexts: 512 });
    const cr = await freshCore({ skbs: 512, ioSlots: 1024 });
    const poll = (cw.raw as unknown as { napi_gro_poll: Poll }).napi_gro_poll;
    const gw = createGro(cw);
    let first = true;
    const seen = { polls: 0, flushedInPoll: 0, fullPolls: 0, merged: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
        // fresh ring and GRO context per run; the pool starts empty (every run frees what it made)
        const ring = cw.rings.create(RING);
        const rr = new RefRing(RING);
        const w = first ? gw.contexts[0]! : gw.create();
        first = false;
        const r = new RefGroContext(cr);
        const seq = Array.from({ length: 10 }, (_, f) => 1000 * f);
        const free = (hs: number[]): void => {
          for (const h of hs) {
            cw.freeOne(h);
            cr.freeOne(h);
          }
        };
        for (const s of steps) {
          if (s.kind === "arrive") {
            const hs: number[] = [];
            for (const a of s.segs) {
              let q = seq[a.flow]!;
              if (a.move === "gap") q += 1448;
              if (a.move === "dup") q -= 1448;
              q >>>= 0;
              if (a.move !== "dup") seq[a.flow] = (q + a.len) >>> 0;
              const spec = { flow: a.flow, seq: q, len: a.len, flags: a.flags };
              const h = seg(cw, spec);
              expect(seg(cr, spec)).toBe(h);
              hs.push(h);
            }
            cw.scratch.set(hs, 0);
            const k = ring.enqueueBurst(hs.length, 0);
            expect(rr.enqueueBurst(hs, hs.length)).toBe(k);
            // what did not fit is dropped (rx_missed)
            free(hs.slice(k));
          } else if (s.kind === "poll") {
            const held0 = w.heldCount;
            const res = poll(ring.id, cw.scratchAddr(0), s.budget, w.id, cw.scratchAddr(OUT), 2 * 64, s.stepStart, s.cost, s.perFrame, s.flushAll ? 1 : 0);
            expect(res).not.toBe(-1);
            const k = res & 0xffff;
            const ow = Array.from(cw.scratch.subarray(OUT, OUT + (res >>> 16)));
            const ref = refNapiGroPoll(rr, r, s.budget, s.stepStart, s.cost, s.perFrame, s.flushAll);
            expect([k, ow]).toEqual([ref.k, ref.out]);
            sameSkbs(cw, cr, ow);
            sameState(cw, cr, w, r, ring, rr);
            seen.polls++;
            if (k < s.budget && s.flushAll && held0 + k > 0) seen.flushedInPoll++;
            if (k === s.budget) seen.fullPolls++;
            free(ow);
          } else {
            const k = w.flush(OUT, s.olderThan);
            const ow = Array.from(cw.scratch.subarray(OUT, OUT + k));
            expect(ow).toEqual(r.flush(s.olderThan));
            sameState(cw, cr, w, r, ring, rr);
            free(ow);
          }
        }
        // leave the cores empty for the next run
        seen.merged += w.stats().merged;
        const last = Array.from({ length: w.flush(OUT) }, (_, i) => cw.scratch[OUT + i]!);
        expect(last).toEqual(r.flush());
        free(last);
        const left: number[] = [];
        const dequeue = (cw.raw as unknown as { ring_dequeue: (id: number) => number }).ring_dequeue;
        while (ring.count > 0) left.push(dequeue(ring.id) >>> 0);
        for (const h of left) expect(rr.dequeue()).toBe(h);
        free(left);
        expect(cw.poolStats().live).toBe(0);
        expect(cr.poolStats().live).toBe(0);
      }),
      { numRuns: 120 },
    );
    // the generator reaches polls that flush, full polls and merges
    expect(seen.flushedInPoll).toBeGreaterThan(0);
    expect(seen.fullPolls).toBeGreaterThan(0);
    expect(seen.merged).toBeGreaterThan(0);
  });

  it("refuses a budget the out list cannot hold (nothing taken off the ring)", async () => {
    const core = await freshCore({ skbs: 64, ioSlots: 512 });
    const poll = (core.raw as unknown as { napi_gro_poll: Poll }).napi_gro_poll;
    const ring = core.rings.create(16);
    const ctx = createGro(core).contexts[0]!;
    core.scratch[0] = seg(core, { seq: 1 });
    ring.enqueueBurst(1, 0);
    // outMax must be at least max(2 * budget, budget + 64)
    expect(poll(ring.id, core.scratchAddr(8), 64, ctx.id, core.scratchAddr(200), 127, 0, 0, 0, 1)).toBe(-1);
    expect(poll(ring.id, core.scratchAddr(8), 8, ctx.id, core.scratchAddr(200), 71, 0, 0, 0, 1)).toBe(-1);
    expect(poll(ring.id, core.scratchAddr(8), 8, ctx.id + 1, core.scratchAddr(200), 72, 0, 0, 0, 1)).toBe(-1);
    expect(ring.count).toBe(1);
    const res = poll(ring.id, core.scratchAddr(8), 8, ctx.id, core.scratchAddr(200), 72, 0, 0, 0, 1);
    // one frame taken; held by GRO, then flushed (under budget): one skb up
    expect([res & 0xffff, res >>> 16, ctx.heldCount, ring.count]).toEqual([1, 1, 0, 0]);
  });
});
