import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import { RING_NONE, RingDesc, RingError } from "../../src/core/rings.js";
import { RefRing } from "../../src/core/ref/ring.js";

const fill = (s: Uint32Array, from: number, n: number, at = 0) => {
  for (let i = 0; i < n; i++) s[at + i] = from + i;
};
const seq = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("rings", () => {
  it("descriptor layout constants match the WASM exports", async () => {
    const core = await freshCore();
    const raw = core.raw as Record<string, unknown>;
    const g = (name: string) => (raw[name] as WebAssembly.Global).value as number;
    expect(g("RING_DESC_U32")).toBe(RingDesc.U32);
    expect(g("RING_HEAD")).toBe(RingDesc.head);
    expect(g("RING_TAIL")).toBe(RingDesc.tail);
    expect(g("RING_SIZE")).toBe(RingDesc.size);
    expect(g("RING_HWM")).toBe(RingDesc.hwm);
    expect(g("RING_F64_ENQUEUED")).toBe(RingDesc.f64Enqueued);
    expect(g("RING_F64_EMPTY")).toBe(RingDesc.f64Empty);
    expect(g("RING_F64_RESET")).toBe(RingDesc.f64Reset);
    expect(g("RING_NONE") >>> 0).toBe(RING_NONE);
  });

  it("FIFO order, count/free, and head/tail visible in the descriptor view", async () => {
    const core = await freshCore();
    const r = core.rings.create(8);
    expect([r.size, r.count, r.free, r.head, r.tail]).toEqual([8, 0, 8, 0, 0]);
    fill(core.scratch, 100, 5);
    expect(r.enqueueBurst(5)).toBe(5);
    expect([r.count, r.free, r.head, r.tail]).toEqual([5, 3, 5, 0]);
    expect(core.rings.desc[r.id * RingDesc.U32 + RingDesc.head]).toBe(5);
    expect(r.peek(0)).toBe(100);
    expect(r.peek(4)).toBe(104);
    expect(r.peek(5)).toBe(RING_NONE);
    expect(r.dequeueBurst(3, 10)).toBe(3);
    expect(Array.from(core.scratch.subarray(10, 13))).toEqual([100, 101, 102]);
    expect([r.count, r.head, r.tail]).toEqual([2, 5, 3]);
  });

  it("burst partial fill: takes what fits, counts the rest as full (one event per call)", async () => {
    const core = await freshCore();
    const r = core.rings.create(16);
    fill(core.scratch, 0, 40);
    expect(r.enqueueBurst(10)).toBe(10);
    expect(r.enqueueBurst(10, 10)).toBe(6); // 16 - 10 free
    expect(r.enqueueBurst(3, 20)).toBe(0); // already full
    expect(r.enqueueBurst(0)).toBe(0); // asking for nothing is not a refusal
    expect(r.stats()).toEqual({ enqueued: 16, dequeued: 0, full: 4 + 3, fullEvents: 2, empty: 0, reset: 0, hwm: 16 });
    expect(r.dequeueBurst(32, 100)).toBe(16);
    expect(Array.from(core.scratch.subarray(100, 116))).toEqual(seq(0, 16));
    expect(r.dequeueBurst(32, 100)).toBe(0);
    expect(r.dequeueBurst(0, 100)).toBe(0); // max 0 does not count as empty
    expect(r.dequeue()).toBe(RING_NONE);
    expect(r.stats()).toMatchObject({ dequeued: 16, empty: 2 });
  });

  it("single-handle enqueue/dequeue share the same counters", async () => {
    const core = await freshCore();
    const r = core.rings.create(2);
    expect(r.enqueue(7)).toBe(true);
    expect(r.enqueue(8)).toBe(true);
    expect(r.enqueue(9)).toBe(false);
    expect([r.dequeue(), r.dequeue(), r.dequeue()]).toEqual([7, 8, RING_NONE]);
    expect(r.stats()).toEqual({ enqueued: 2, dequeued: 2, full: 1, fullEvents: 1, empty: 1, reset: 0, hwm: 2 });
  });

  it("free-running u32 indices wrap past 2^32 without losing order or count", async () => {
    const core = await freshCore();
    const r = core.rings.create(16);
    const start = 2 ** 32 - 5;
    expect(r.setIndices(start, start)).toBe(true);
    expect(r.count).toBe(0);
    fill(core.scratch, 1000, 16);
    expect(r.enqueueBurst(12)).toBe(12);
    expect(r.head).toBe(7); // (2^32 - 5 + 12) mod 2^32
    expect(r.tail).toBe(start);
    expect(r.count).toBe(12);
    expect(r.free).toBe(4);
    // slot index of 2^32-5 is 11: the burst wrapped the arena after 5 handles
    expect(r.enqueueBurst(8, 12)).toBe(4);
    expect(r.dequeueBurst(16, 50)).toBe(16);
    expect(Array.from(core.scratch.subarray(50, 66))).toEqual(seq(1000, 16));
    expect([r.head, r.tail, r.count]).toEqual([11, 11, 0]);
    // occupancy above size is refused and changes nothing
    expect(r.setIndices(20, 2 ** 32 - 1)).toBe(false);
    expect(r.head).toBe(11);
  });

  it("enqueueOne (through the views) is ring_enqueue: same slots, indices and counters, across the 2^32 wrap and a full ring", async () => {
    const core = await freshCore();
    const a = core.rings.create(8);
    const b = core.rings.create(8);
    // indices 3 below 2^32: the enqueues cross the wrap; 5, two dequeued, 5 more fill the 8 slots
    // and the eleventh finds the ring full
    for (const r of [a, b]) expect(r.setIndices(2 ** 32 - 3, 2 ** 32 - 3)).toBe(true);
    for (let i = 0; i < 11; i++) {
      expect(core.rings.enqueueOne(a.id, 500 + i)).toBe(b.enqueue(500 + i));
      if (i === 4) {
        // two out of each mid-way
        expect([a.dequeue(), a.dequeue()]).toEqual([b.dequeue(), b.dequeue()]);
      }
    }
    expect([a.head, a.tail, a.count]).toEqual([b.head, b.tail, b.count]);
    expect(a.stats()).toEqual(b.stats());
    expect(a.stats()).toMatchObject({ enqueued: 10, full: 1, fullEvents: 1, hwm: 8 });
    for (let k = 0; k < 8; k++) expect(a.peek(k)).toBe(b.peek(k));
    expect(a.peek(0)).toBe(502);
  });

  it("reset empties the ring and returns (and counts) what it held", async () => {
    const core = await freshCore();
    const r = core.rings.create(8);
    fill(core.scratch, 1, 6);
    r.enqueueBurst(6);
    r.dequeueBurst(2);
    expect(r.reset()).toBe(4);
    expect([r.head, r.tail, r.count]).toEqual([0, 0, 0]);
    const s = r.stats();
    expect(s).toMatchObject({ enqueued: 6, dequeued: 2, reset: 4, hwm: 6 });
    expect(s.enqueued).toBe(s.dequeued + s.reset + r.count);
  });

  it("rings are independent slices of the arena", async () => {
    const core = await freshCore();
    const a = core.rings.create(4);
    const b = core.rings.create(4);
    fill(core.scratch, 10, 4);
    a.enqueueBurst(4);
    fill(core.scratch, 20, 4);
    b.enqueueBurst(4);
    expect(a.dequeueBurst(4)).toBe(4);
    expect(Array.from(core.scratch.subarray(0, 4))).toEqual([10, 11, 12, 13]);
    expect(b.dequeueBurst(4)).toBe(4);
    expect(Array.from(core.scratch.subarray(0, 4))).toEqual([20, 21, 22, 23]);
    expect(core.rings.desc[b.id * RingDesc.U32 + RingDesc.slot]).toBe(4);
  });

  it("refuses sizes that are not a power of two in [2, 2^24]", async () => {
    const core = await freshCore();
    for (const bad of [0, 1, 3, 6, 1000, 2 ** 25, -4, 2.5, NaN]) {
      expect(() => core.rings.create(bad)).toThrow(RingError);
      expect(() => core.rings.create(bad)).toThrow(/size: .* must be a power of two in \[2, 2\^24\]/);
    }
    const raw = core.raw as unknown as { ring_create(s: number): number };
    expect(raw.ring_create(3)).toBe(-1);
    expect(raw.ring_create(1)).toBe(-1);
    expect(raw.ring_create(2 ** 25)).toBe(-1);
    expect(core.rings.created).toBe(0);
  });

  it("arena exhaustion names core.ringSlots; table exhaustion names core.maxRings", async () => {
    const core = await freshCore({ ringSlots: 64, maxRings: 4 });
    core.rings.create(32);
    core.rings.create(16);
    let err: unknown;
    try {
      core.rings.create(32);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RingError);
    expect((err as RingError).field).toBe("core.ringSlots");
    expect((err as Error).message).toMatch(/core\.ringSlots exhausted.*16 of 64 left/);
    const raw = core.raw as unknown as { ring_create(s: number): number };
    expect(raw.ring_create(32)).toBe(-1);
    core.rings.create(8);
    core.rings.create(8); // exactly fills the arena: 32 + 16 + 8 + 8
    expect(core.rings.slotsUsed).toBe(64);
    expect(() => core.rings.create(2)).toThrow(/core\.maxRings exhausted/);
  });

  it("invalid ring ids are refused at every WASM entry point without touching memory", async () => {
    const core = await freshCore();
    const r = core.rings.create(4);
    const raw = core.raw as unknown as Record<string, (...a: number[]) => number>;
    const before = core.rings.desc.slice(0, 2 * RingDesc.U32);
    const ptr = core.scratchPtr;
    for (const id of [1, 7, 255, 256, 65535, -1, 0x7fffffff]) {
      expect(raw.ring_enqueue_burst!(id, ptr, 4)).toBe(0);
      expect(raw.ring_dequeue_burst!(id, ptr, 4)).toBe(0);
      expect(raw.ring_enqueue!(id, 5)).toBe(0);
      expect(raw.ring_dequeue!(id) >>> 0).toBe(RING_NONE);
      expect(raw.ring_peek!(id, 0) >>> 0).toBe(RING_NONE);
      expect(raw.ring_count!(id)).toBe(0);
      expect(raw.ring_free_count!(id)).toBe(0);
      expect(raw.ring_reset!(id)).toBe(0);
      expect(raw.ring_set_indices!(id, 1, 0)).toBe(0);
    }
    expect(core.rings.desc.slice(0, 2 * RingDesc.U32)).toEqual(before);
    expect(r.stats().enqueued).toBe(0);
  });

  it("burst arguments are checked against the scratch area", async () => {
    const core = await freshCore({ ioSlots: 64 });
    const r = core.rings.create(128);
    expect(() => r.enqueueBurst(65)).toThrow(RangeError);
    expect(() => r.enqueueBurst(65)).toThrow(/^n: 65 is not an integer in \[0, 64\]/);
    expect(() => r.enqueueBurst(10, 60)).toThrow(/^n: 10 .*\[0, 4\]/);
    expect(() => r.dequeueBurst(1.5)).toThrow(/^max: 1.5/);
    expect(() => r.dequeueBurst(1, 64)).toThrow(/^at: 64 is not a scratch slot/);
    expect(() => r.dequeueBurst(1, -1)).toThrow(/^at: -1/);
    expect(r.enqueueBurst(64)).toBe(64);
  });

  it("WASM matches the TS reference under random burst sequences (incl. wraparound)", async () => {
    const core = await freshCore();
    const op = fc.oneof(
      fc.record({ k: fc.constant("enq" as const), n: fc.integer({ min: 0, max: 80 }), at: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ k: fc.constant("deq" as const), n: fc.integer({ min: 0, max: 80 }), at: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ k: fc.constant("enq1" as const), n: fc.nat(), at: fc.constant(0) }),
      fc.record({ k: fc.constant("deq1" as const), n: fc.constant(0), at: fc.constant(0) }),
      fc.record({ k: fc.constant("reset" as const), n: fc.constant(0), at: fc.constant(0) }),
    );
    const sizes = fc.constantFrom(2, 4, 8, 32, 64);
    // start indices: zero, or just below 2^32 so the run crosses the wrap
    const start = fc.oneof(fc.constant(0), fc.integer({ min: 2 ** 32 - 200, max: 2 ** 32 - 1 }));
    let next = 1;
    fc.assert(
      fc.property(sizes, start, fc.array(op, { maxLength: 80 }), (size, s0, ops) => {
        if (core.rings.slotsUsed + size > core.rings.slotsTotal || core.rings.created >= core.config.maxRings) return;
        const w = core.rings.create(size);
        const ref = new RefRing(size);
        expect(w.setIndices(s0, s0)).toBe(ref.setIndices(s0, s0));
        const out = new Uint32Array(256);
        for (const o of ops) {
          if (o.k === "enq") {
            for (let i = 0; i < o.n; i++) core.scratch[o.at + i] = next++ >>> 0;
            const src = core.scratch.slice(o.at, o.at + o.n);
            expect(w.enqueueBurst(o.n, o.at)).toBe(ref.enqueueBurst(src, o.n));
          } else if (o.k === "deq") {
            const k = w.dequeueBurst(o.n, o.at);
            expect(k).toBe(ref.dequeueBurst(out, o.n));
            expect(Array.from(core.scratch.subarray(o.at, o.at + k))).toEqual(Array.from(out.subarray(0, k)));
          } else if (o.k === "enq1") {
            expect(w.enqueue(o.n)).toBe(ref.enqueue(o.n));
          } else if (o.k === "deq1") {
            expect(w.dequeue()).toBe(ref.dequeue());
          } else {
            expect(w.reset()).toBe(ref.reset());
          }
          expect([w.head, w.tail, w.count, w.free]).toEqual([ref.head, ref.tail, ref.count, ref.free]);
          expect(w.peek(0)).toBe(ref.peek(0));
        }
        const s = w.stats();
        expect(s).toEqual(ref.stats());
        expect(s.enqueued).toBe(s.dequeued + s.reset + w.count);
      }),
      { numRuns: 200 },
    );
  });

  it("memory never grows when rings are created and used", async () => {
    const core = await freshCore();
    const buf = core.memory.buffer;
    const r = core.rings.create(1 << 12);
    for (let i = 0; i < 50; i++) {
      r.enqueueBurst(4096);
      r.dequeueBurst(4096);
    }
    expect(core.memory.buffer).toBe(buf);
    expect(r.stats().dequeued).toBe(50 * 4096);
  });
});
