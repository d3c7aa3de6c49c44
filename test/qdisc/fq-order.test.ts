// fq dequeue order on hand-built cases; expected sequences derived by hand
// from net/sched/sch_fq.c (fq_fastpath_check, fq_dequeue's DRR and bands).
import { beforeAll, describe, expect, it } from "vitest";
import type { Core } from "../../src/core/core.js";
import { freshCore } from "../helpers.js";
import { FqQdisc, NO_SKB } from "../../src/qdisc/index.js";
import { envOf, mkSkb, Sink } from "./util.js";

let core: Core;
beforeAll(async () => {
  core = await freshCore({ skbs: 4096 });
});

function drain(q: FqQdisc, now: number, names: Map<number, string>): string[] {
  const out: string[] = [];
  for (let h = q.dequeue(now); h !== NO_SKB; h = q.dequeue(now)) {
    out.push(names.get(h)!);
    core.freeOne(h);
  }
  return out;
}

describe("fq dequeue order", () => {
  it("fast path, initial quantum, new flows before old, quantum rotation (spec 8.16)", () => {
    const q = new FqQdisc(core, new Sink(core));
    const names = new Map<number, string>();
    for (let i = 1; i <= 20; i++) {
      const h = mkSkb(core, { sk: 1 });
      names.set(h, `A${i}`);
      q.enqueue(h, 0);
    }
    for (let i = 1; i <= 20; i++) {
      const h = mkSkb(core, { sk: 2 });
      names.set(h, `B${i}`);
      q.enqueue(h, 0);
    }
    const s = q.stats(0).fq;
    expect(s.fastpath_packets).toBe(8);
    expect(s.flows).toBe(2);
    const seq = (p: string, a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => `${p}${a + i}`);
    expect(drain(q, 0, names)).toEqual([
      ...seq("A", 1, 8), // internal queue first
      ...seq("A", 9, 18), // initial_quantum 15140 = 10 x 1514
      ...seq("B", 1, 10), // new flow B before old A
      ...seq("A", 19, 20), // quantum 3028 = 2 x 1514
      ...seq("B", 11, 12),
      ...seq("B", 13, 20), // A found empty on old_flows: detached
    ]);
    expect(q.stats(0)).toMatchObject({ qlen: 0, backlog: 0, packets: 40, bytes: 40 * 1514 });
    expect(q.stats(0).fq.inactive_flows).toBe(2);
  });

  it("6.12 quirk: a new flow's first activation lands on band 0's list (fq_flow_add_tail reads f->band before it is set)", () => {
    const socks = new Map([[10, { prio: 6 }], [11, { prio: 0 }], [12, { prio: 1 }], [13, { prio: 0 }]]);
    const q = new FqQdisc(core, new Sink(core), {}, { env: envOf(core, socks) });
    const names = new Map<number, string>();
    q.enqueue(mkSkb(core, { sk: 13, tstamp: 9e9 }), 0); // closes the fast path
    for (const [sk, n] of [[10, "a"], [11, "b"], [12, "c"]] as const) {
      for (let i = 0; i < 14; i++) {
        const h = mkSkb(core, { sk });
        names.set(h, n);
        q.enqueue(h, 0);
      }
    }
    expect(q.stats(0).fq.band_pkt_count).toEqual([14, 15, 14]); // counted by the skb's own band
    // all three share band 0 for their initial quantum (10 packets each); the
    // rotation to old_flows then uses the real band, so band 0 finishes a,
    // band 1 b, band 2 c
    expect(drain(q, 0, names).join("")).toBe("a".repeat(10) + "b".repeat(10) + "c".repeat(10) + "aaaabbbbcccc");
    q.reset();
  });

  it("bands: weighted DRR 589824/196608/65536 once flows sit in their own bands", () => {
    // priority 6 -> band 0, 0 -> band 1, 1 -> band 2
    const socks = new Map([[10, { prio: 6 }], [11, { prio: 0 }], [12, { prio: 1 }], [13, { prio: 0 }]]);
    const q = new FqQdisc(core, new Sink(core), { flowLimit: 1000 }, { env: envOf(core, socks) });
    const band = new Map<number, string>();
    q.enqueue(mkSkb(core, { sk: 13, tstamp: 9e9 }), 0);
    // warm-up: one packet each, then a dequeue that detaches the emptied flows
    for (const sk of [10, 11, 12]) q.enqueue(mkSkb(core, { sk }), 0);
    expect(drain(q, 0, new Map()).length).toBe(3);
    expect(q.stats(0).fq.inactive_flows).toBe(3);
    for (let i = 0; i < 600; i++) {
      for (const [sk, b] of [[10, "0"], [11, "1"], [12, "2"]] as const) {
        const h = mkSkb(core, { sk });
        band.set(h, b);
        expect(q.enqueue(h, 0)).toBe(true);
      }
    }
    // only detached/throttled flows hold packets: the next 8 take the fast path
    expect(q.stats(0).fq.fastpath_packets).toBe(8);
    const out = drain(q, 0, band).join("");
    // internal queue first, then DRR: the warm-up left band_nr at 2. Band credit 65536 lasts 44 packets of 1514
    // (43 x 1514 < 65536), band 0 589824 -> 390, band 1 196608 -> 130,
    // band 2 again min(-1080 + 65536, 65536) -> 43, band 0 again 589188 -> 390
    const want = "01201201" + "2".repeat(44) + "0".repeat(390) + "1".repeat(130) + "2".repeat(43) + "0".repeat(100);
    expect(out.slice(0, want.length)).toBe(want);
    expect(q.qlen).toBe(1);
    expect(q.stats(0).fq.throttled).toBe(1);
    q.reset();
  });

  it("flow_refill_delay (40 ms): a flow re-attached after it gets max(credit, quantum)", () => {
    const q = new FqQdisc(core, new Sink(core), { initialQuantum: 1000 });
    const F = q.flows;
    for (const [at, want] of [[41e6, 2514], [42e6, 3028]] as const) {
      q.enqueue(mkSkb(core, { sk: 99, tstamp: 9e9 }), 0); // closes the fast path
      // credit 1000 - 1514 = -514, then +3028 = 2514 on the rotation that finds it empty
      q.enqueue(mkSkb(core, { sk: 1 }), 0);
      expect(drain(q, 0, new Map()).length).toBe(1);
      const a = F.find(F.bucketOf(2), 2);
      expect(F.credit[a]).toBe(2514);
      expect(F.detached[a]).toBe(1);
      // detached at jiffies 0 (age 1): at 41 ms nothing changes, at 42 ms (42 > 1 + 40) the refill
      // applies; a tstamp 1 ns ahead keeps the skb off the fast path
      q.enqueue(mkSkb(core, { sk: 1, tstamp: at + 1 }), at);
      expect(F.credit[a]).toBe(want);
      q.reset();
    }
  });
});
