// The FIN's own skb in sk_wmem_queued (net/ipv4/tcp_output.c: tcp_send_fin, 6.12): with everything
// sent when the application closes, the FIN gets an skb of its own, alloc_skb_fclone(MAX_TCP_HEADER):
// SKB_TRUESIZE(SKB_WITH_OVERHEAD(704)) = 384 + 256 + 320 = 960 bytes (TCP_SKB_OVERHEAD), charged with
// sk_forced_mem_schedule and queued (tcp_queue_skb: sk_wmem_queued_add) until the ACK of the FIN frees it.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { TCP_SKB_OVERHEAD } from "../../src/tcp/buffers.js";

describe("tcp_send_fin: the FIN's own skb", () => {
  // 10 ms one way: established at 20 ms, the 1000 bytes and then the FIN leave at once, ACKed at 40 ms
  const spec = (durationNs: number) => pair({ durationNs, delayNs: 10e6 }, [bulk({ bytes: 1000 })]);

  it("in flight: sk_wmem_queued = 1000 + 960 (the data skb) + 960 (the FIN skb), all charged", async () => {
    const { w } = await runWorld(spec(30e6));
    const c = [...w.flows.values()][0]!.sender!;
    expect(TCP_SKB_OVERHEAD).toBe(960);
    expect(c.finQueued).toBe(true);
    expect(c.finSkb).toBe(true);
    expect(c.wmemQueued(TCP_SKB_OVERHEAD)).toBe(1000 + 2 * 960);
    expect(c.sndMem).toBe(1000 + 2 * 960);
  });

  it("the ACK of the FIN frees it", async () => {
    const { w } = await runWorld(spec(45e6));
    const c = [...w.flows.values()][0]!.sender!;
    expect(c.finSkb).toBe(false);
    expect(c.wmemQueued(TCP_SKB_OVERHEAD)).toBe(0);
  });
});
