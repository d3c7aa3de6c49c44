// fast-check invariants of fq and pfifo_fast: conservation against the skb
// pool, per-socket FIFO for non-EDT traffic, no skb before its tstamp,
// stats consistent with what was held; plus mq and default_qdisc.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Core } from "../../src/core/core.js";
import { freshCore } from "../helpers.js";
import {
  FqQdisc,
  Mq,
  NO_SKB,
  PfifoFast,
  QdiscNotModelledError,
  QdiscConfigError,
  attachDefaultQdiscs,
  parseDefaultQdisc,
  type Qdisc,
} from "../../src/qdisc/index.js";
import { envOf, mkSkb, Sink } from "./util.js";

let core: Core;
beforeAll(async () => {
  core = await freshCore({ skbs: 4096 });
});

const op = fc.oneof(
  fc.record({ k: fc.constant("enq" as const), sk: fc.integer({ min: 0, max: 5 }), len: fc.integer({ min: 60, max: 9000 }), ahead: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 3e6 })) }),
  fc.record({ k: fc.constant("deq" as const), n: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ k: fc.constant("tick" as const), dt: fc.integer({ min: 1, max: 2e6 }) }),
);

function check(make: (sink: Sink) => Qdisc, edt: boolean, ops: { k: string; sk?: number; len?: number; ahead?: number; n?: number; dt?: number }[]): void {
  const sink = new Sink(core);
  const q = make(sink);
  const live0 = core.poolStats().live;
  let now = 0;
  let enq = 0;
  let deq = 0;
  const seq = new Map<number, number>();
  const lastBySock = new Map<number, number>();
  const tts = new Map<number, number>();
  let counter = 0;
  for (const o of ops) {
    if (o.k === "enq") {
      const ts = edt && o.ahead! >= 0 ? now + o.ahead! + 1 : 0;
      const h = mkSkb(core, { sk: o.sk!, len: o.len!, tstamp: ts, hash: o.sk! * 7 });
      seq.set(h, counter++);
      tts.set(h, ts);
      enq++;
      q.enqueue(h, now);
    } else if (o.k === "deq") {
      for (let i = 0; i < o.n!; i++) {
        const h = q.dequeue(now);
        if (h === NO_SKB) break;
        deq++;
        if (tts.get(h)! > now) throw new Error(`skb left at ${now} before its tstamp ${tts.get(h)}`);
        if (!edt) {
          const sk = core.skb.sk[h]!;
          const s = seq.get(h)!;
          if ((lastBySock.get(sk) ?? -1) > s) throw new Error(`socket ${sk}: FIFO order broken`);
          lastBySock.set(sk, s);
        }
        core.freeOne(h);
      }
    } else {
      now += o.dt!;
    }
  }
  const st = q.stats(now);
  expect(enq).toBe(deq + sink.reasons.length + q.qlen);
  expect(core.poolStats().live - live0).toBe(q.qlen);
  expect(st.packets).toBe(deq);
  expect(st.drops).toBe(sink.reasons.length);
  if (q instanceof FqQdisc) {
    const x = (st as ReturnType<FqQdisc["stats"]>).fq;
    expect(x.band_pkt_count.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(q.qlen);
    expect(x.inactive_flows + x.throttled_flows).toBeLessThanOrEqual(x.flows);
    expect(x.flows).toBe(q.flows.used - 1);
  }
  q.reset();
  expect(core.poolStats().live).toBe(live0);
  expect(q.stats(now)).toMatchObject({ qlen: 0, backlog: 0 });
}

describe("qdisc invariants (fast-check)", () => {
  const socks = new Map([[1, { prio: 6 }], [2, { prio: 1 }], [3, { prio: 0 }]]);
  it("fq, non-EDT: conservation, per-socket FIFO, stats", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.boolean(), (ops, paced) => {
        check((s) => new FqQdisc(core, s, { flowLimit: 20, limit: 50, maxrate: paced ? 5e8 : Infinity }, { env: envOf(core, socks) }), false, ops);
      }),
      { numRuns: 150 },
    );
  });

  it("fq, EDT: nothing leaves before its tstamp; conservation", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        check((s) => new FqQdisc(core, s, { flowLimit: 20, horizonNs: 2e6 }, { env: envOf(core, socks) }), true, ops);
      }),
      { numRuns: 150 },
    );
  });

  it("pfifo_fast: conservation and per-socket FIFO", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        check((s) => new PfifoFast(core, s, { txqueuelen: 16, env: envOf(core, socks) }), false, ops);
      }),
      { numRuns: 100 },
    );
  });
});

describe("default_qdisc and mq", () => {
  it("a multi-queue device gets mq with one default qdisc per TX queue; one queue gets it as root", () => {
    const sink = new Sink(core);
    const d = attachDefaultQdiscs(core, sink, { name: "eth0", queues: 4, txqueuelen: 1000, mtu: 1500, defaultQdisc: "fq" });
    expect(d.root).toBeInstanceOf(Mq);
    expect(d.perQueue.map((q) => q.kind)).toEqual(["fq", "fq", "fq", "fq"]);
    const h = mkSkb(core, { sk: 1 });
    d.perQueue[2]!.enqueue(h, 0);
    expect((d.root as Mq).stats(0)).toMatchObject({ kind: "mq", qlen: 1, backlog: 1514 });
    expect((d.perQueue[2] as FqQdisc).p).toMatchObject({ quantum: 3028, initialQuantum: 15140, limit: 10000, flowLimit: 100 });
    core.freeOne(d.perQueue[2]!.dequeue(0));
    const one = attachDefaultQdiscs(core, sink, { name: "lo1", queues: 1, txqueuelen: 1000, mtu: 1500 });
    expect(one.root).toBeInstanceOf(PfifoFast);
  });

  it("net.core.default_qdisc: fq_codel is refused as not modelled, nonsense as not a qdisc", () => {
    expect(parseDefaultQdisc("fq")).toBe("fq");
    expect(() => parseDefaultQdisc("fq_codel")).toThrow(QdiscNotModelledError);
    expect(() => parseDefaultQdisc("fq_codel")).toThrow(/not modelled/);
    expect(() => parseDefaultQdisc("fqq")).toThrow(QdiscConfigError);
    expect(() => new FqQdisc(core, new Sink(core), { weights: [100, 65536, 65536] })).toThrow(/weights\[0\]=100/);
    expect(() => new FqQdisc(core, new Sink(core), { bucketsLog: 19 })).toThrow(/bucketsLog/);
  });
});
