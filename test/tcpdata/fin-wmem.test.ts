// The FIN's own skb in sk_wmem_queued (net/ipv4/tcp_output.c: tcp_send_fin, 6.12): with everything
// sent when the application closes, the FIN gets an skb of its own, alloc_skb_fclone(MAX_TCP_HEADER):
// SKB_TRUESIZE(SKB_WITH_OVERHEAD(704)) = 384 + 256 + 320 = 960 bytes (TCP_SKB_OVERHEAD), charged with
// sk_forced_mem_schedule and queued (tcp_queue_skb: sk_wmem_queued_add) until the ACK of the FIN frees it.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { TCP_SKB_OVERHEAD } from "../../src/tcp/buffers.js";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { memCharge, rmemSchedule } from "../../src/tcp/mem.js";
import { FIN_ALONE_QUEUED } from "../../src/tcp/fin.js";

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
    // charged against whole pages: one page, what is left of it forward-allocated
    expect(c.fwdAlloc).toBe(4096 - (1000 + 2 * 960));
  });

  it("the ACK of the FIN frees it", async () => {
    const { w } = await runWorld(spec(45e6));
    const c = [...w.flows.values()][0]!.sender!;
    expect(c.finSkb).toBe(false);
    expect(c.wmemQueued(TCP_SKB_OVERHEAD)).toBe(0);
  });
});

describe("tcp_write_wakeup -> tcp_fragment: the FIN cut off at the window gets an skb of its own, charged by force", () => {
  // The receiver reads nothing; the application writes 83118 B at 200 kB/s (a 1 ms write tick: 200 B each)
  // and closes. 6.12's tcp_write_xmit fills a window to its edge (tcp_mss_split_point keeps a sub-MSS tail
  // unless tcp_nagle_check holds), so a FIN is cut off only where the sender itself stops short of the edge:
  // here Nagle. The receiver's last opening, its ACK of 78638 at 397 ms with window 35 << 7 = 4480, puts
  // tcp_wnd_end at 83118 (the byte count is chosen to end there). The 560 B written since the last segment go
  // at 398 ms (the ACK covered the small segment before: Minshall clear), then two full segments as the writer
  // fills them (79198 -> 82094, 7.24 ms each). The last 1024 B wait: tcp_nagle_check (partial,
  // packets out, tcp_minshall_check: the 560 B segment unACKed); the close puts the FIN on that skb, which
  // tcp_nagle_test lets through, but tcp_snd_wnd_test stops: end_seq 83119 after tcp_wnd_end 83118. The
  // delayed ACK of 82094 (440 ms: icsk_delack_timer, a timer_list, runs on the jiffy after its expiry) cannot
  // shrink the window: ALIGN(83118 - 82094, 1 << 7) = 1024 (window 8), nothing is out, so the probe timer runs
  // (icsk_rto then: 231 ms; 440 + 231 = 671 jiffies, level 1 of the timer wheel: the next multiple of 8, 672).
  // At 672 ms tcp_write_wakeup's seg_size tcp_wnd_end - seq = 1024 < end_seq - seq = 1025: tcp_fragment(1024)
  // moves the FIN to a new skb, tcp_stream_alloc_skb(sk, gfp, true) -> sk_forced_mem_schedule, then
  // sk_mem_charge of its 960 B. The run ends at 673 ms, before that data's ACK (673.001 ms).
  const spec = pair(
    { durationNs: 673e6, delayNs: 1e6, app: { kind: "sink", readRate: 0 }, clientSysctl: { "net.ipv4.tcp_wmem": [4096, 1048576, 4194304] } },
    [bulk({ bytes: 83_118, writeRate: 200e3 })],
  );

  it("with 2000 B of unread received data on the same socket (sk_forward_alloc shared): a page is forced, sk_forward_alloc stays >= 0", async () => {
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec, () => {});
    const t = w.host("a").stack.tcp;
    const seen: number[] = [];
    w.loop.at(
      500e6,
      w.loop.register("test: rx memory", () => {
        const c = [...w.flows.values()][0]!.sender!;
        seen.push(c.sndMem, c.fwdAlloc, c.finAlone);
        // what tcp_data_queue would charge for received bytes the application has not read
        if (!rmemSchedule(t, c, 2000)) throw new Error("test: rmem refused");
        memCharge(c, 2000);
        c.rmemAlloc += 2000;
      }),
      0,
    );
    w.run();
    const c = [...w.flows.values()][0]!.sender!;
    // before (500 ms): the 1024 B skb unsent, one page charged: 4096 - 1024 - 960 = 2112 B forward-allocated,
    // 112 B after the 2000 B, less than the FIN skb's 960
    expect(seen).toEqual([1024 + 960, 4096 - 1024 - 960, 0]);
    expect(c.sndNxt).toBe(c.writeSeq);
    expect(c.finAlone).toBe(FIN_ALONE_QUEUED);
    expect(c.sndMem).toBe(1024 + 2 * 960);
    expect(c.fwdAlloc).toBeGreaterThanOrEqual(0);
    // the socket's pages cover what it holds, whole: 2 pages for 2944 + 2000 B
    expect(c.fwdAlloc + c.sndMem + c.rmemAlloc).toBe(2 * 4096);
  });
});
