import { describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import { buildToeplitzTable, rssInput, toeplitzBitwise, toeplitzTableHash } from "../../src/core/ref/toeplitz.js";
import { DEFAULT_RSS_KEY, rssHash } from "../../src/core/rss.js";
import { HASH_L4 } from "../../src/core/skb-fields.js";
import { VECTORS, VECTOR_KEY } from "./vectors.js";
import { writeFrame } from "./build.js";

const cases = VECTORS.flatMap((v, i) => [
  { name: `row ${i + 1} L3 ${v.src} -> ${v.dst}`, input: rssInput(v.src, v.dst), want: v.l3, v, l4: false },
  { name: `row ${i + 1} L4 ${v.src}:${v.sport} -> ${v.dst}:${v.dport}`, input: rssInput(v.src, v.dst, v.sport, v.dport), want: v.l4, v, l4: true },
]);

describe("Toeplitz verification vectors (82599 RSS verification suite)", () => {
  it("there are 16 of them and the default key is the vectors' key", () => {
    expect(cases).toHaveLength(16);
    expect(Array.from(DEFAULT_RSS_KEY)).toEqual(Array.from(VECTOR_KEY));
  });

  it("row 1 L4 input bytes are as spec §10.1 lists them", () => {
    expect(Buffer.from(cases[1]!.input).toString("hex")).toBe("420995bba18e64500aea06e6");
  });

  it.each(cases)("bit-by-bit reference: $name", ({ input, want }) => {
    expect(toeplitzBitwise(VECTOR_KEY, input)).toBe(want);
  });

  const table = buildToeplitzTable(VECTOR_KEY);
  it.each(cases)("TS table-driven: $name", ({ input, want }) => {
    expect(toeplitzTableHash(table, input)).toBe(want);
  });

  it.each(cases)("rssHash: $name", ({ input, want }) => {
    expect(rssHash(VECTOR_KEY, input)).toBe(want);
  });

  it("WASM hashBytes gives all 16", async () => {
    const core = await freshCore();
    const ctx = core.rss.create({ key: VECTOR_KEY });
    for (const c of cases) expect(ctx.hashBytes(c.input), c.name).toBe(c.want);
  });

  it("WASM hashBurst on real headers gives all 16 and flags L4 only for the 4-tuple", async () => {
    const core = await freshCore();
    const l4 = core.rss.create();
    const l3 = core.rss.create({ l4: false });
    const n = VECTORS.length;
    expect(core.allocBurst(n)).toBe(n);
    const hs = Array.from(core.scratch.subarray(0, n));
    VECTORS.forEach((v, i) => writeFrame(core, hs[i]!, v));
    expect(l4.hashBurst(n)).toBe(n);
    VECTORS.forEach((v, i) => {
      expect(core.skb.hash[hs[i]!], `row ${i + 1} L4`).toBe(v.l4);
      expect(core.skb.hashFlags[hs[i]!]).toBe(HASH_L4);
    });
    expect(l3.hashBurst(n)).toBe(n);
    VECTORS.forEach((v, i) => {
      expect(core.skb.hash[hs[i]!], `row ${i + 1} L3`).toBe(v.l3);
      expect(core.skb.hashFlags[hs[i]!]).toBe(0);
    });
  });

  it("is asymmetric: the reverse direction of row 1 gives 0xfde799b2", async () => {
    const v = VECTORS[0]!;
    const rev = rssInput(v.dst, v.src, v.dport, v.sport);
    expect(toeplitzBitwise(VECTOR_KEY, rev)).toBe(0xfde799b2);
    expect(rssHash(VECTOR_KEY, rev)).toBe(0xfde799b2);
    const core = await freshCore();
    const ctx = core.rss.create();
    expect(ctx.hashBytes(rev)).toBe(0xfde799b2);
    core.allocBurst(1);
    const h = core.scratch[0]!;
    writeFrame(core, h, { src: v.dst, dst: v.src, sport: v.dport, dport: v.sport });
    ctx.hashBurst(1);
    expect(core.skb.hash[h]).toBe(0xfde799b2);
  });
});
