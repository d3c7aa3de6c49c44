// fq drops (flow_limit, per-band limit) and flow garbage collection.
import { beforeAll, describe, expect, it } from "vitest";
import type { Core } from "../../src/core/core.js";
import { freshCore } from "../helpers.js";
import { FqQdisc, NO_SKB, SockState } from "../../src/qdisc/index.js";
import { envOf, mkSkb, Sink } from "./util.js";

let core: Core;
beforeAll(async () => {
  core = await freshCore({ skbs: 1 << 14 });
});

describe("fq limits and gc", () => {
  it("the 101st packet of a flow is dropped with FQ_FLOW_LIMIT (flows_plimit 1)", () => {
    const sink = new Sink(core);
    const q = new FqQdisc(core, sink);
    q.enqueue(mkSkb(core, { sk: 99, tstamp: 9e9 }), 0); // closes the fast path
    for (let i = 0; i < 100; i++) expect(q.enqueue(mkSkb(core, { sk: 1 }), 0)).toBe(true);
    expect(q.enqueue(mkSkb(core, { sk: 1 }), 0)).toBe(false);
    expect(sink.reasons).toEqual(["FQ_FLOW_LIMIT"]);
    expect(q.stats(0)).toMatchObject({ drops: 1, qlen: 101 });
    expect(q.stats(0).fq.flows_plimit).toBe(1);
    q.reset();
  });

  it("the 10001st packet of a band is dropped with FQ_BAND_LIMIT; other bands still accept", () => {
    const socks = new Map<number, { prio: number }>([[5000, { prio: 6 }]]);
    const sink = new Sink(core);
    const q = new FqQdisc(core, sink, {}, { env: envOf(core, socks) });
    q.enqueue(mkSkb(core, { sk: 99, tstamp: 9e9 }), 0);
    let n = 1;
    for (let sk = 0; n < 10000; sk++) for (let i = 0; i < 100 && n < 10000; i++, n++) q.enqueue(mkSkb(core, { sk }), 0);
    expect(q.stats(0).fq.band_pkt_count).toEqual([0, 10000, 0]);
    expect(q.enqueue(mkSkb(core, { sk: 4000 }), 0)).toBe(false);
    expect(sink.reasons).toEqual(["FQ_BAND_LIMIT"]);
    expect(q.stats(0).fq.band_drops).toEqual([0, 1, 0]);
    expect(q.enqueue(mkSkb(core, { sk: 5000 }), 0)).toBe(true);
    q.reset();
    expect(core.poolStats().live).toBe(0);
  });

  it("orphans (no socket, listeners) and unconnected sockets are keyed by hash & orphan_mask", () => {
    const socks = new Map([[7, { state: SockState.UNCONNECTED }], [8, { state: SockState.LISTENER }]]);
    const orphaned: number[] = [];
    const env = { ...envOf(core, socks), orphan: (h: number) => void orphaned.push(h) };
    const q = new FqQdisc(core, new Sink(core), { orphanMask: 3 }, { env });
    q.enqueue(mkSkb(core, { sk: 99, tstamp: 9e9 }), 0);
    const l = mkSkb(core, { sk: 8, hash: 5 });
    q.enqueue(l, 0);
    q.enqueue(mkSkb(core, { sk: 7, hash: 1 }), 0); // 5 & 3 == 1 & 3: same flow
    q.enqueue(mkSkb(core, { hash: 9 }), 0); // 9 & 3 == 1: same flow
    expect(orphaned).toEqual([l]);
    expect(core.skb.sk[l]).toBe(0xffffffff);
    expect(q.stats(0).fq.flows).toBe(2);
    q.reset();
  });

  it("gc frees detached flows idle over 3 s in the looked-up bucket, at most 8 per call", () => {
    const q = new FqQdisc(core, new Sink(core));
    const F = q.flows;
    // sockets whose key lands in one bucket
    const target = F.bucketOf(2 * 1000);
    const same: number[] = [];
    for (let sk = 1000; same.length < 13; sk++) if (F.bucketOf(2 * sk) === target) same.push(sk);
    q.enqueue(mkSkb(core, { sk: 1, tstamp: 9e9 }), 0); // keeps the qdisc non-empty
    for (const sk of same.slice(0, 10)) q.enqueue(mkSkb(core, { sk, tstamp: 1000 }), 0);
    let n = 0;
    for (let h = q.dequeue(1000); h !== NO_SKB; h = q.dequeue(1000)) {
      core.freeOne(h);
      n++;
    }
    expect(n).toBe(10);
    expect(q.stats(1000).fq).toMatchObject({ flows: 11, inactive_flows: 10, throttled_flows: 1 });
    // detached at jiffies 0 (age 1): candidates once jiffies > 3001
    q.enqueue(mkSkb(core, { sk: same[10]!, tstamp: 3.001e9 + 1 }), 3.001e9);
    expect(q.stats(3.001e9).fq.gc_flows).toBe(0);
    q.enqueue(mkSkb(core, { sk: same[11]!, tstamp: 3.002e9 + 1 }), 3.002e9);
    expect(q.stats(3.002e9).fq).toMatchObject({ gc_flows: 8, flows: 13 - 8 });
    // the lookup stops at its own key; a third new socket meets the last 2 candidates
    q.enqueue(mkSkb(core, { sk: same[12]!, tstamp: 3.002e9 + 1 }), 3.002e9);
    expect(q.stats(3.002e9).fq).toMatchObject({ gc_flows: 10, flows: 4 });
    q.reset();
  });

  it("allocation failure (maxFlows) sends the skb to the internal queue", () => {
    const q = new FqQdisc(core, new Sink(core), { maxFlows: 2 });
    for (const sk of [1, 2, 3]) q.enqueue(mkSkb(core, { sk, tstamp: 5 }), 0);
    expect(q.stats(0).fq).toMatchObject({ flows: 2, allocation_errors: 1 });
    const first = q.dequeue(0); // the internal queue ignores time
    expect(core.skb.sk[first]).toBe(3);
    core.freeOne(first);
    q.reset();
  });
});
