// The write-queue skb's truesize on the live kernel against the model's formula
// (writeQueueSkbOverhead). The live kernel's config differs from Debian's 6.12
// (6.18.44 here: no WLAN or tunnels, so MAX_HEADER 32 and a 576 B small-head
// cache, 832 B per skb, measured), so the formula gets the live slab sizes and
// the model's constant keeps 6.12's (960). Skips without root, netns, python3 or
// SLUB's sysfs.
import { describe, expect, it } from "vitest";
import { probeKernelAccess } from "../../src/kernel/index.js";
import { measureWriteQueueTruesize, slabObjectSize } from "../../src/kernel/wmem-probe.js";
import { SHINFO_ALIGNED, TCP_SKB_OVERHEAD, writeQueueSkbOverhead } from "../../src/tcp/buffers.js";
import { GSO_MAX_SIZE, sizeGoal, tcpSkbTruesize } from "../../src/tcp/data-out.js";
import { TcpConn } from "../../src/tcp/conn.js";
import { congestionOps } from "../../src/tcp/data-init.js";

const access = await probeKernelAccess();
const smallHead = slabObjectSize("skbuff_small_head");
const skbHead = slabObjectSize("skbuff_head_cache");
const blocked = access.blocked ?? (smallHead === null || skbHead === null ? "no /sys/kernel/slab (SLUB sysfs)" : null);

describe(`write-queue skb truesize on the live kernel${blocked ? ` (skipped: ${blocked})` : ""}`, () => {
  it("model on 6.12: SKB_TRUESIZE(SKB_WITH_OVERHEAD(704)) = 960 + payload", () => {
    expect(TCP_SKB_OVERHEAD).toBe(960);
    expect(tcpSkbTruesize(1)).toBe(961);
    expect(tcpSkbTruesize(1448)).toBe(2408);
  });

  it.skipIf(blocked !== null)("sk_wmem_queued grows by the formula's truesize per new skb (1 B, 1 MSS, 16 KB)", async () => {
    const sizes = [1, 1448, 16384];
    const got = await measureWriteQueueTruesize(sizes);
    // the small head always holds SKB_HEAD_ALIGN(MAX_TCP_HEADER) (SKB_SMALL_HEAD_SIZE's max), so any
    // MAX_TCP_HEADER up to its room gives the same; SKB_DATA_ALIGN(sizeof(struct sk_buff)) from the slab
    const skbAligned = Math.ceil(skbHead! / 64) * 64;
    const overhead = writeQueueSkbOverhead(smallHead! - SHINFO_ALIGNED, smallHead!, skbAligned, SHINFO_ALIGNED);
    // each write starts one skb, whatever part of it send() took
    expect(got.map((w) => w.growth)).toEqual(got.map((w) => w.sent + overhead));
    expect(got[0]!.sent).toBe(1);
  });

  it.skipIf(blocked !== null)("a 64 KB write over loopback makes three skbs of size_goal: 65536 + 3 × the overhead", async () => {
    // loopback: MTU 65536, the peer's SYN window 65495; tcp_sync_mss bounds the MSS to half of it
    // (tcp_bound_to_half_wnd: 32747), so tcp_xmit_size_goal gives one such MSS (65215 / 32747 = 1 segment)
    // and 65536 bytes fill 32747 + 32747 + 42. The model's size_goal for that socket:
    const c = new TcpConn(congestionOps("cubic"));
    c.mss = 32747;
    c.maxWindow = 65495;
    c.gsoMaxSize = GSO_MAX_SIZE;
    expect(sizeGoal(c)).toBe(32747);
    const [got] = await measureWriteQueueTruesize([65536]);
    // send() may take less than asked on a loaded machine: the skbs are those of what it took
    const skbs = Math.ceil(got!.sent / sizeGoal(c));
    const skbAligned = Math.ceil(skbHead! / 64) * 64;
    const overhead = writeQueueSkbOverhead(smallHead! - SHINFO_ALIGNED, smallHead!, skbAligned, SHINFO_ALIGNED);
    expect(got!.sent).toBeGreaterThan(0);
    expect(got!.growth).toBe(got!.sent + skbs * overhead);
  });
});
