import { describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import { RssError } from "../../src/core/rss.js";
import { ConfigError } from "../../src/core/config.js";
import { VECTORS } from "./vectors.js";
import { writeFrame } from "./build.js";

describe("RETA (indirection table)", () => {
  // spec §10.2 prediction 1: 128 entries, default fill for 4 rings, low-bit index
  const prediction = [
    { hash: 0x51ccc178, index: 120, queue: 0 },
    { hash: 0xc626b0ea, index: 106, queue: 2 },
    { hash: 0xafc7327f, index: 127, queue: 3 },
    { hash: 0x40207d3d, index: 61, queue: 1 },
  ];

  it("default fill is ethtool_rxfh_indir_default (i % n) over 128 entries", async () => {
    const core = await freshCore();
    const ctx = core.rss.create({ queues: 4 });
    expect(ctx.reta.length).toBe(128);
    expect(Array.from(ctx.reta.subarray(0, 6))).toEqual([0, 1, 2, 3, 0, 1]);
    const one = core.rss.create();
    expect(one.reta.length).toBe(128);
    expect(one.reta.every((q) => q === 0)).toBe(true);
  });

  it.each(prediction)("lookup($hash) -> index $index, queue $queue", async ({ hash, index, queue }) => {
    const core = await freshCore();
    const ctx = core.rss.create({ queues: 4 });
    expect(ctx.lookup(hash)).toEqual({ index, queue });
  });

  it("hashBurst writes the same queues for the vectors' packets", async () => {
    const core = await freshCore();
    const ctx = core.rss.create({ queues: 4 });
    const rows = [0, 1, 3, 5]; // the rows whose L4 hashes are in prediction 1
    core.allocBurst(rows.length);
    const hs = Array.from(core.scratch.subarray(0, rows.length));
    rows.forEach((r, i) => writeFrame(core, hs[i]!, VECTORS[r]!));
    ctx.hashBurst(rows.length);
    prediction.forEach((p, i) => {
      expect(core.skb.hash[hs[i]!]).toBe(p.hash);
      expect(core.skb.queue[hs[i]!]).toBe(p.queue);
    });
  });

  it("explicit tables, setReta, setQueues and writes through the view steer bursts", async () => {
    const core = await freshCore();
    const ctx = core.rss.create({ reta: [7, 9] });
    expect(Array.from(ctx.reta)).toEqual([7, 9]);
    core.allocBurst(1);
    const h = core.scratch[0]!;
    writeFrame(core, h, VECTORS[0]!); // 0x51ccc178: low bit 0
    ctx.hashBurst(1);
    expect(core.skb.queue[h]).toBe(7);
    ctx.setReta([3, 5, 11, 13]); // index 0x78 & 3 = 0
    ctx.reta[0] = 42;
    ctx.hashBurst(1);
    expect(core.skb.queue[h]).toBe(42);
    ctx.setQueues(3, 256); // 0x78 = 120 -> 120 % 3 = 0; index 0x178 & 255 = 0x78
    expect(ctx.reta.length).toBe(256);
    expect(ctx.lookup(0x51ccc178)).toEqual({ index: 120, queue: 0 });
    ctx.setQueues(7); // size kept: 120 % 7 = 1
    ctx.hashBurst(1);
    expect(core.skb.queue[h]).toBe(1);
    const full = core.rss.create({ retaSize: 1, queues: 1 });
    expect(full.lookup(0xffffffff)).toEqual({ index: 0, queue: 0 });
  });

  it("rejects non-power-of-two and oversized tables naming the field and range", async () => {
    const core = await freshCore({ retaMax: 512 });
    expect(() => core.rss.create({ retaSize: 100 })).toThrow(RssError);
    expect(() => core.rss.create({ retaSize: 100 })).toThrow(/rss\.retaSize: 100 is not a power of two in \[1, 512\]/);
    expect(() => core.rss.create({ retaSize: 1024 })).toThrow(/rss\.retaSize: 1024 .*\[1, 512\]/);
    expect(() => core.rss.create({ reta: [0, 1, 2] })).toThrow(/rss\.reta\.length: 3 is not a power of two/);
    expect(() => core.rss.create({ reta: [] })).toThrow(/rss\.reta\.length: 0/);
    expect(() => core.rss.create({ reta: [0, 65536] })).toThrow(/rss\.reta\[1\]: queue 65536 is not an integer in \[0, 65535\]/);
    expect(() => core.rss.create({ queues: 0 })).toThrow(/rss\.queues: 0 is not an integer in \[1, 65536\]/);
    const ctx = core.rss.create();
    expect(() => ctx.setReta([1, 2, 3])).toThrow(RssError);
    expect(() => ctx.setQueues(2, 48)).toThrow(/rss\.retaSize: 48/);
    expect(ctx.reta.length).toBe(128); // a refused change leaves the table alone
  });

  it("default size shrinks to the largest power of two <= core.retaMax", async () => {
    const core = await freshCore({ retaMax: 100 });
    expect(core.rss.create({ queues: 2 }).reta.length).toBe(64);
  });
});

describe("RSS contexts and keys", () => {
  it("refuses more contexts than core.rssContexts, without consuming one on bad options", async () => {
    const core = await freshCore({ rssContexts: 2 });
    expect(() => core.rss.create({ key: new Uint8Array(3) })).toThrow(RssError);
    const a = core.rss.create();
    const b = core.rss.create();
    expect([a.id, b.id]).toEqual([0, 1]);
    expect(() => core.rss.create()).toThrow(ConfigError);
    expect(() => core.rss.create()).toThrow(/core\.rssContexts: all 2 RSS contexts are in use/);
  });

  it("refuses keys outside 4..52 bytes and unknown options", async () => {
    const core = await freshCore();
    expect(() => core.rss.create({ key: new Uint8Array(3) })).toThrow(/rss\.key: a Uint8Array of 4\.\.52 bytes \(NETDEV_RSS_KEY_LEN\), got 3 bytes/);
    expect(() => core.rss.create({ key: new Uint8Array(53) })).toThrow(/got 53 bytes/);
    expect(() => core.rss.create({ key: [1, 2, 3, 4] as never })).toThrow(/got object/);
    expect(() => core.rss.create({ queue: 4 } as never)).toThrow(/queue: unknown RSS option/);
    const ctx = core.rss.create();
    expect(() => ctx.setKey(new Uint8Array(60))).toThrow(RssError);
    expect(() => ctx.hashBytes(new Uint8Array(49))).toThrow(/bytes: a Uint8Array of 0\.\.48 bytes, got 49 bytes/);
    expect(Array.from(ctx.key.subarray(0, 2))).toEqual([0x6d, 0x5a]); // unchanged
  });

  it("setKey rebuilds the table; the WASM raw export refuses bad lengths with a code", async () => {
    const core = await freshCore();
    const ctx = core.rss.create();
    const input = Uint8Array.from([0x80]);
    expect(ctx.hashBytes(input)).toBe(0x6d5a56da); // first bit set -> first key window
    ctx.setKey(Uint8Array.from([1, 2, 3, 4]));
    expect(ctx.hashBytes(input)).toBe(0x01020304);
    expect(ctx.hashBytes(Uint8Array.from([0, 0, 0, 0, 0x80]))).toBe(0); // key bits past the end are 0
    const raw = core.raw as unknown as { rss_set_key(c: number, p: number, l: number): number; rss_set_reta_size(c: number, s: number): number };
    expect(raw.rss_set_key(ctx.id, core.rss.stagePtr, 53)).toBe(-2);
    expect(raw.rss_set_key(99, core.rss.stagePtr, 40)).toBe(-1);
    expect(raw.rss_set_reta_size(ctx.id, 3)).toBe(-3);
  });
});
