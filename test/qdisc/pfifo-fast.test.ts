import { beforeAll, describe, expect, it } from "vitest";
import type { Core } from "../../src/core/core.js";
import { freshCore } from "../helpers.js";
import { NO_SKB, PfifoFast, QdiscConfigError } from "../../src/qdisc/index.js";
import { ptrRingBatch } from "../../src/qdisc/pfifo-fast.js";
import { envOf, mkSkb, Sink } from "./util.js";

let core: Core;
beforeAll(async () => {
  core = await freshCore({ skbs: 4096 });
});

describe("pfifo_fast", () => {
  it("serves band 0 (priority 6,7) before band 1 (priority 0) before band 2 (priority 1)", () => {
    // sch_default_prio2band: 1 -> band 2, 0 -> band 1, 6 -> band 0
    const socks = new Map([[1, { prio: 1 }], [2, { prio: 0 }], [3, { prio: 6 }], [4, { prio: 7 }]]);
    const q = new PfifoFast(core, new Sink(core), { env: envOf(core, socks) });
    const a = mkSkb(core, { sk: 1 });
    const b = mkSkb(core, { sk: 2 });
    const c = mkSkb(core, { sk: 3 });
    const d = mkSkb(core, { sk: 2 });
    const e = mkSkb(core, { sk: 4 });
    for (const h of [a, b, c, d, e]) expect(q.enqueue(h, 0)).toBe(true);
    const out = [q.dequeue(0), q.dequeue(0), q.dequeue(0), q.dequeue(0), q.dequeue(0), q.dequeue(0)];
    expect(out).toEqual([c, e, b, d, a, NO_SKB]);
    for (const h of out) if (h !== NO_SKB) core.freeOne(h);
  });

  it("limits each band to txqueuelen and drops with QDISC_DROP; other bands still accept", () => {
    const socks = new Map([[1, { prio: 0 }], [2, { prio: 6 }]]);
    const sink = new Sink(core);
    const q = new PfifoFast(core, sink, { txqueuelen: 4, env: envOf(core, socks) });
    for (let i = 0; i < 4; i++) expect(q.enqueue(mkSkb(core, { sk: 1, len: 100 }), 0)).toBe(true);
    expect(q.enqueue(mkSkb(core, { sk: 1, len: 100 }), 0)).toBe(false);
    expect(sink.reasons).toEqual(["QDISC_DROP"]);
    expect(q.enqueue(mkSkb(core, { sk: 2, len: 60 }), 0)).toBe(true);
    expect(q.stats(0)).toMatchObject({ qlen: 5, backlog: 460, drops: 1, packets: 0 });
    let n = 0;
    for (let h = q.dequeue(0); h !== NO_SKB; h = q.dequeue(0)) {
      n++;
      core.freeOne(h);
    }
    expect(n).toBe(5);
    expect(q.stats(0)).toMatchObject({ qlen: 0, backlog: 0, bytes: 460, packets: 5, drops: 1 });
  });

  it("refuses txqueuelen 0 as pfifo_fast_init does", () => {
    expect(() => new PfifoFast(core, new Sink(core), { txqueuelen: 0 })).toThrow(QdiscConfigError);
  });

  // include/linux/ptr_ring.h: each band is a ptr_ring; __ptr_ring_produce fails while queue[producer] is set,
  // and __ptr_ring_discard_one zeroes consumed slots only `batch` at a time (SMP_CACHE_BYTES * 2 / 8 = 16 on
  // x86_64; 1 when 16 > size / 2) or at the ring's end, where consumer_head wraps
  describe("band = ptr_ring: consumed slots come back in batches", () => {
    const fill = (q: PfifoFast, n: number) => {
      let ok = 0;
      for (let i = 0; i < n; i++) if (q.enqueue(mkSkb(core, { len: 100 }), 0)) ok++;
      return ok;
    };
    const drain = (q: PfifoFast, n: number) => {
      for (let i = 0; i < n; i++) core.freeOne(q.dequeue(0));
    };
    const empty = (q: PfifoFast) => {
      for (let h = q.dequeue(0); h !== NO_SKB; h = q.dequeue(0)) core.freeOne(h);
    };

    it("batch: 16 from a 32-entry ring up, else 1", () => {
      expect([ptrRingBatch(1000), ptrRingBatch(32), ptrRingBatch(31), ptrRingBatch(1)]).toEqual([16, 16, 1, 1]);
    });

    it("txqueuelen 1000: a full band from which 1..15 skbs left still drops; the 16th frees 16 slots", () => {
      const sink = new Sink(core);
      const q = new PfifoFast(core, sink, { txqueuelen: 1000 });
      expect(fill(q, 1000)).toBe(1000);
      drain(q, 1);
      expect(fill(q, 1)).toBe(0);
      drain(q, 14);
      expect(fill(q, 1)).toBe(0);
      expect(q.ringUnfreed[1]).toBe(15);
      drain(q, 1);
      expect(q.ringUnfreed[1]).toBe(0);
      expect(fill(q, 17)).toBe(16);
      expect(sink.reasons).toEqual(["QDISC_DROP", "QDISC_DROP", "QDISC_DROP"]);
      expect(q.stats(0)).toMatchObject({ qlen: 1000, drops: 3 });
      empty(q);
    });

    // 31 is the largest ring with batch 1 (16 > 31 / 2 = 15), 32 the smallest with batch 16: the pair pins the
    // band's use of __ptr_ring_set_size's rule (31 alone is the pre-batch behaviour; it fails if the band takes
    // 16 whatever its size, 32 fails if it frees every slot at once)
    it("txqueuelen 31 (batch 1): each dequeue frees its slot", () => {
      const q = new PfifoFast(core, new Sink(core), { txqueuelen: 31 });
      expect(fill(q, 31)).toBe(31);
      drain(q, 1);
      expect(fill(q, 2)).toBe(1);
      empty(q);
    });

    it("txqueuelen 32 (batch 16): a full band from which 15 skbs left still drops; the 16th frees 16 slots", () => {
      const q = new PfifoFast(core, new Sink(core), { txqueuelen: 32 });
      expect(fill(q, 32)).toBe(32);
      drain(q, 15);
      expect(fill(q, 1)).toBe(0);
      drain(q, 1);
      expect(fill(q, 17)).toBe(16);
      empty(q);
    });

    it("txqueuelen 40: the ring's end frees what is pending (8 < 16)", () => {
      const q = new PfifoFast(core, new Sink(core), { txqueuelen: 40 });
      expect(fill(q, 40)).toBe(40);
      // consumer_head 16 and 32: two batches freed
      drain(q, 32);
      expect(fill(q, 33)).toBe(32);
      // slots 32..38 consumed, not zeroed: the producer (at 32) finds its slot set
      drain(q, 7);
      expect(fill(q, 1)).toBe(0);
      // consumer_head reaches 40: zeroed at the end, wraps to 0
      drain(q, 1);
      expect(q.ringUnfreed[1]).toBe(0);
      expect(fill(q, 9)).toBe(8);
      empty(q);
    });
  });
});
