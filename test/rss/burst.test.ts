import { describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import { HASH_L4, HASH_SW } from "../../src/core/skb-fields.js";
import { VECTORS } from "./vectors.js";
import { writeFrame, type Frame } from "./build.js";

const v4 = VECTORS[0]!; // l3 0x323e8fc2, l4 0x51ccc178
const v6 = VECTORS[5]!; // l3 0x2cc18cd5, l4 0x40207d3d

async function hashOne(frame: Frame, opts: { l4?: boolean } = {}) {
  const core = await freshCore();
  const ctx = core.rss.create({ queues: 4, ...opts });
  core.allocBurst(1);
  const h = core.scratch[0]!;
  writeFrame(core, h, frame);
  core.skb.hashFlags[h] = HASH_SW; // a stale software hash must be replaced
  const hashed = ctx.hashBurst(1);
  return { hashed, hash: core.skb.hash[h], flags: core.skb.hashFlags[h], queue: core.skb.queue[h], core, ctx };
}

describe("rss_burst field selection", () => {
  it("IPv4 TCP and UDP hash the 4-tuple (L4), clear sw_hash", async () => {
    for (const proto of [6, 17]) {
      const r = await hashOne({ ...v4, proto });
      expect(r).toMatchObject({ hashed: 1, hash: 0x51ccc178, flags: HASH_L4, queue: 0 });
    }
  });

  it.each([
    ["MF set (first fragment)", 0x2000],
    ["offset != 0 (later fragment)", 0x00b9],
    ["last fragment: offset only", 0x0001],
    ["MF and DF", 0x6000],
  ])("IPv4 fragment, %s, hashes L3 only", async (_, fragOff) => {
    const r = await hashOne({ ...v4, fragOff });
    expect(r).toMatchObject({ hashed: 1, hash: 0x323e8fc2, flags: 0 });
  });

  it("IPv4 DF alone is not a fragment", async () => {
    expect((await hashOne({ ...v4, fragOff: 0x4000 })).hash).toBe(0x51ccc178);
  });

  it.each([1, 47, 50, 132])("IPv4 protocol %i (not TCP/UDP) hashes L3 only", async (proto) => {
    const r = await hashOne({ ...v4, proto });
    expect(r).toMatchObject({ hash: 0x323e8fc2, flags: 0 });
  });

  it("IPv6 TCP hashes L4; ICMPv6 and extension headers hash L3 only", async () => {
    expect(await hashOne(v6)).toMatchObject({ hash: 0x40207d3d, flags: HASH_L4, queue: 1 });
    expect(await hashOne({ ...v6, proto: 17 })).toMatchObject({ hash: 0x40207d3d, flags: HASH_L4 });
    for (const proto of [58, 0, 43, 44]) expect(await hashOne({ ...v6, proto })).toMatchObject({ hash: 0x2cc18cd5, flags: 0 });
  });

  it("l4: false hashes addresses only, and setL4 switches it back", async () => {
    const r = await hashOne(v4, { l4: false });
    expect(r).toMatchObject({ hash: 0x323e8fc2, flags: 0 });
    r.ctx.setL4(true);
    r.ctx.hashBurst(1);
    expect(r.core.skb.hash[r.core.scratch[0]!]).toBe(0x51ccc178);
    expect((await hashOne(v6, { l4: false })).hash).toBe(0x2cc18cd5);
  });

  it("unknown ethertype or unset network offset: hash 0, not counted, queue reta[0]", async () => {
    const arp = await hashOne({ ...v4, ethertype: 0x0806 });
    expect(arp).toMatchObject({ hashed: 0, hash: 0, flags: 0, queue: 0 });
    const r = await hashOne(v4);
    const h = r.core.scratch[0]!;
    r.ctx.reta[0] = 3;
    r.core.skb.network[h] = 0xff;
    expect(r.ctx.hashBurst(1)).toBe(0);
    expect([r.core.skb.hash[h], r.core.skb.queue[h]]).toEqual([0, 3]);
  });

  it("uses the network/transport offsets, not fixed positions (VLAN-tagged frame)", async () => {
    const core = await freshCore();
    const ctx = core.rss.create();
    core.allocBurst(1);
    const h = core.scratch[0]!;
    writeFrame(core, h, v4);
    const b = core.headers.subarray(h * 128, h * 128 + 128);
    b.copyWithin(18, 14, 100); // make room for an 802.1Q tag
    core.skb.network[h] = 18;
    core.skb.transport[h] = 38;
    ctx.hashBurst(1);
    expect(core.skb.hash[h]).toBe(0x51ccc178);
  });

  it("skips out-of-range handles and hashes a burst at a scratch offset", async () => {
    const core = await freshCore({ skbs: 64 });
    const ctx = core.rss.create();
    core.allocBurst(2, 0, 10);
    const [a, b] = [core.scratch[10]!, core.scratch[11]!];
    writeFrame(core, a, v4);
    writeFrame(core, b, v6);
    core.scratch[12] = 1_000_000;
    expect(ctx.hashBurst(3, 10)).toBe(2);
    expect([core.skb.hash[a], core.skb.hash[b]]).toEqual([0x51ccc178, 0x40207d3d]);
    expect(() => ctx.hashBurst(10, core.scratch.length - 5)).toThrow(/scratch slots/);
  });
});
