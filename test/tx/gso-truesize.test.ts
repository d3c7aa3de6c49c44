// Software GSO's truesize and socket accounting (net/core/skbuff.c: skb_segment, __alloc_skb,
// kmalloc_reserve; net/ipv4/tcp_offload.c: tcp_gso_segment; net/core/dev.c: validate_xmit_skb), by hand.
import { describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import { EventLoop } from "../../src/sim/loop.js";
import { NicTx, type NicTxConfig } from "../../src/net/nic-tx.js";
import type { Core } from "../../src/core/core.js";
import { gsoSegmentHeadTruesize } from "../../src/net/gso-truesize.js";
import { superPacket } from "../gso/build.js";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import { host, link, world } from "../sim/spec-helpers.js";

const MSS = 1448;

function nicTx(core: Core, over: Partial<NicTxConfig>) {
  const loop = new EventLoop(core.wheel);
  const cfg: NicTxConfig = { txQueues: 1, txRing: 256, txqueuelen: 1000, mtu: 1500, defaultQdisc: "pfifo_fast", txUsecs: 0, txFrames: 0, bql: false, tso: false, gsoSlot: 0, ...over };
  const tx = new NicTx(core, "eth0", cfg, { drop: () => {} }, loop);
  return { tx, loop };
}

describe("skb_segment's truesize", () => {
  it("__alloc_skb: SKB_HEAD_ALIGN(size) from the 704 B small-head cache or kmalloc_size_roundup, plus sk_buff (256)", () => {
    // 386 = headroom 320 + 66 header bytes: SKB_DATA_ALIGN 448 + shinfo 320 = 768 > 704 -> kmalloc-1k:
    // SKB_TRUESIZE(1024 - 320) = 704 + 256 + 320
    expect(gsoSegmentHeadTruesize(66)).toBe(1280);
    // no TCP timestamps: 320 + 54 -> 384 + 320 = 704, the small-head cache: SKB_TRUESIZE(384)
    expect(gsoSegmentHeadTruesize(54)).toBe(960);
    // IPv6 with timestamps: 320 + 86 -> 448 + 320 -> 1024
    expect(gsoSegmentHeadTruesize(86)).toBe(1280);
    // bigger heads: 320 + 1180 -> 1536 + 320 = 1856 -> kmalloc-2k: 2048 + 256; 320 + 1500 -> 1856 + 320 =
    // 2176 -> 4096 + 256
    expect(gsoSegmentHeadTruesize(1180)).toBe(2304);
    expect(gsoSegmentHeadTruesize(1500)).toBe(4352);
    // any head up to 704 with its shinfo takes the small-head cache
    expect(gsoSegmentHeadTruesize(0)).toBe(704 + 256);
  });

  it("validate_xmit_skb: the segments charge the socket their own truesize, the original is consumed at once", async () => {
    const core = await freshCore();
    const { tx } = nicTx(core, {});
    const gso: [number, number, number][] = [];
    const freed: [number, number][] = [];
    tx.onTxGso = (sk, orig, segs) => gso.push([sk, orig, segs]);
    tx.onTxFree = (sk, t) => freed.push([sk, t]);
    // one frame out and completed first (BQL off from the first completion)
    const f = superPacket(core, { payload: 100, mss: MSS });
    tx.xmit(f);
    expect(tx.txPop()).toBe(f);
    tx.frameDone();
    // a 3-segment TCP skb of socket 5: 66 header bytes, truesize 3 x 1448 + 960 (TCP's own, TCP_SKB_OVERHEAD) = 5304
    const h = superPacket(core, { payload: 3 * MSS, mss: MSS, truesize: 3 * MSS + 960 });
    core.skb.sk[h] = 5;
    tx.xmit(h);
    // bypass -> sch_direct_xmit -> validate_xmit_skb: consume_skb of the original before the driver
    expect(core.skb.live[h]).toBe(0);
    expect(tx.ringUsed(0)).toBe(3);
    // each segment: 1280 + 1448 = 2728; tcp_gso_segment charges 3 x 2728 - 5304 = 2880 more
    expect(gso).toEqual([[5, 5304, 3 * 2728]]);
    for (let i = 0; i < 3; i++) {
      expect(tx.txPop()).toBeGreaterThanOrEqual(0);
      tx.frameDone();
    }
    // sock_wfree / tcp_wfree at each segment's completion (the test frame had no socket: owner SKB_NONE)
    expect(freed.filter(([sk]) => sk === 5)).toEqual([
      [5, 2728],
      [5, 2728],
      [5, 2728],
    ]);
  });
});

describe("software GSO and TSQ through TCP", () => {
  it("sk_wmem_alloc takes the segments' truesize and returns to 0 (tso off, 1 Gbit, 64 KB tcp_limit_output_bytes)", async () => {
    const limit = 65536;
    const spec = world(
      [
        host("a", 1, { nic: { queues: 1, rateBps: 1e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000, tso: false }, sysctl: { "net.ipv4.tcp_limit_output_bytes": limit } }),
        host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] }),
      ],
      [link("a", "b", { rateBps: 1e9, delayNs: 50_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: 2_000_000, at: 0 }],
      { durationNs: 100e6 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const tx = w.hosts.get("a")!.nics[0]!.tx;
    const c = () => [...w.flows.values()][0]?.sender ?? null;
    // every GSO: the socket's sk_wmem_alloc grows by exactly sum(segment truesize) - original
    const gsoOf = tx.onTxGso;
    let checked = 0;
    tx.onTxGso = (sk, orig, segs) => {
      const s = c()!;
      const before = s.wmemAlloc;
      gsoOf(sk, orig, segs);
      expect(s.wmemAlloc - before).toBe(segs - orig);
      expect(segs - orig).toBeGreaterThan(0);
      checked++;
    };
    const result = w.run();
    const s = c()!;
    expect(checked).toBeGreaterThan(0);
    expect(s.sndUna).toBe(2_000_000);
    expect([s.wmemAlloc, s.wmemSegs]).toEqual([0, 0]);
    const report = buildReport(w, result);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });
});
