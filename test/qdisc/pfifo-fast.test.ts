import { beforeAll, describe, expect, it } from "vitest";
import type { Core } from "../../src/core/core.js";
import { freshCore } from "../helpers.js";
import { NO_SKB, PfifoFast, QdiscConfigError } from "../../src/qdisc/index.js";
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
});
