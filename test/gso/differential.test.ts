// Differential test: random bursts of TCP super-packets (IPv4/IPv6, any
// payload/MSS, flags, seq and IP ID near wrap, FIXEDID with and without DF,
// plain skbs, broken gso_type) through the WASM kernel and the TS reference on
// two cores fed identically, with a pool small enough to run dry (checked). Outputs,
// consumed inputs, header bytes, skb columns, counters and pool balance must
// be identical, and every output segment's checksums must verify.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import type { Core } from "../../src/core/core.js";
import { createGso, GSO_ST, SKB_GSO_TCP_FIXEDID, SKB_GSO_TCPV4, SKB_GSO_TCPV6 } from "../../src/core/gso.js";
import { RefGso } from "../../src/core/ref/gso.js";
import { parseSkb } from "../../src/wire/skb-headers.js";
import { superPacket, skbSnapshot as snapshot } from "./build.js";

const pkt = fc.record({
  v6: fc.boolean(),
  payload: fc.oneof(fc.integer({ min: 0, max: 65000 }), fc.constantFrom(4000, 65160, 1448, 1449)),
  mss: fc.oneof(fc.integer({ min: 1, max: 9000 }), fc.constantFrom(1448, 536, 0)),
  seq: fc.oneof(fc.nat(), fc.constant(0xffffff00)),
  id: fc.integer({ min: 0, max: 0xffff }),
  flags: fc.integer({ min: 0, max: 0xff }),
  df: fc.boolean(),
  ts: fc.boolean(),
  type: fc.constantFrom("ok", "ok", "ok", "fixedid", "none", "plain"),
  truesize: fc.integer({ min: 0, max: 200000 }),
});
type Pkt = typeof pkt extends fc.Arbitrary<infer T> ? T : never;

function build(core: Core, p: Pkt): number {
  const base = p.v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4;
  const gsoType = p.type === "fixedid" ? base | SKB_GSO_TCP_FIXEDID : p.type === "none" ? 0 : base;
  const h = superPacket(core, { v6: p.v6, payload: p.payload, mss: Math.max(p.mss, 1), seq: p.seq, id: p.id, flags: p.flags, df: p.df, ts: p.ts, gsoType, truesize: p.truesize });
  core.skb.gsoSize[h] = p.type === "plain" ? 0 : p.mss;
  return h;
}

const dry: Pkt = { v6: false, payload: 65160, mss: 1448, seq: 1, id: 2, flags: 0x18, df: true, ts: true, type: "ok", truesize: 70000 };

describe("gso: WASM kernel vs TS reference", () => {
  it("identical segments, bytes, columns, counters and pool", async () => {
    // 64 skbs: a 65160-byte super-packet at MSS 1448 alone needs 45, so bursts run the pool dry
    const a = await freshCore({ skbs: 64, ioSlots: 1024 });
    const b = await freshCore({ skbs: 64, ioSlots: 1024 });
    const gso = createGso(a);
    const ref = new RefGso(b);
    fc.assert(
      fc.property(fc.array(pkt, { minLength: 1, maxLength: 6 }), fc.oneof(fc.integer({ min: 0, max: 120 }), fc.constant(120)), (pkts, outMax) => {
        const ia = pkts.map((p) => build(a, p));
        const ib = pkts.map((p) => build(b, p));
        expect(ib).toEqual(ia);
        a.scratch.set(ia, 0);
        const r = gso.segmentBurst(ia.length, 0, 100, outMax);
        const outB: number[] = [];
        ref.segmentBurst(ib, outB, outMax);
        const outA = Array.from(a.scratch.subarray(100, 100 + r.out));
        expect(outA).toEqual(outB);
        expect(r.consumed).toBe(ref.consumed);
        expect(snapshot(a, outA)).toEqual(snapshot(b, outB));
        for (const h of outA) {
          if (a.skb.protocol[h] === 0) continue;
          const p = parseSkb(a, h);
          expect(p.l4CheckOk).toBe(true);
        }
        const stats = gso.stats();
        for (const [k, i] of Object.entries(GSO_ST)) expect(stats[k as keyof typeof GSO_ST]).toBe(ref.counters[i]);
        expect(a.poolStats().live).toBe(b.poolStats().live);
        // free everything that is still live (outputs and unconsumed inputs)
        for (const c of [a, b]) for (let h = 0; h < 64; h++) if (c.skb.live[h]) c.freeOne(h);
      }),
      // besides the random ones: two 45-segment super-packets, more than the pool holds
      { numRuns: 150, examples: [[[dry, dry], 120]] },
    );
    // the run covered an empty pool (else the no-skbs path went untested)
    expect(gso.stats().noMem).toBeGreaterThan(0);
  });

  it("tcp_tso_autosize agrees with the reference", async () => {
    const { refTsoAutosize } = await import("../../src/core/ref/gso.js");
    const { resolveTso } = await import("../../src/core/gso.js");
    const core = await freshCore({ skbs: 16 });
    const gso = createGso(core);
    fc.assert(
      fc.property(
        fc.record({
          pacingRate: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(12_500_000, 1.25e9)),
          minRttUs: fc.integer({ min: 0, max: 2_000_000 }),
          mss: fc.integer({ min: 1, max: 9000 }),
          gsoMaxSize: fc.constantFrom(65536, 65536 - 321, 524280, 16384),
          minSegs: fc.integer({ min: 0, max: 8 }),
          pacingShift: fc.integer({ min: 0, max: 12 }),
        }),
        (args) => {
          expect(gso.tsoAutosize(args)).toBe(refTsoAutosize(resolveTso(args)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
