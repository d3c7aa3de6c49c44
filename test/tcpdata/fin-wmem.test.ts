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
  // the receiver reads nothing: its window shuts with 256 bytes of the 90032 left, exactly the last skb's
  // data; the FIN does not fit (tcp_snd_wnd_test). The loss probe (63 ms) of the last data segment is old
  // data at the receiver; its ACK is tcp_ack_snd_check's, where __tcp_select_window (free space below half)
  // clears quick-ack mode, so it is delayed (87 ms). The probe timer armed on it fires at 300.0 ms:
  // tcp_write_wakeup sends the data and tcp_fragment moves the FIN to a new skb: tcp_stream_alloc_skb(sk, gfp,
  // true) -> sk_forced_mem_schedule, then sk_mem_charge of its 960 B. The run ends at 302 ms, before that
  // data's ACK (at 302.0x ms: its last new data came at 46 ms, more than its RTO of 201 ms from the
  // handshake's sample before, so the receiver is in quick-ack mode, tcp_event_data_recv, and ACKs at once)
  const spec = pair(
    { durationNs: 302e6, delayNs: 1e6, app: { kind: "sink", readRate: 0 }, clientSysctl: { "net.ipv4.tcp_wmem": [4096, 1048576, 4194304] } },
    [bulk({ bytes: 90_032 })],
  );

  it("with 2000 B of unread received data on the same socket (sk_forward_alloc shared): a page is forced, sk_forward_alloc stays >= 0", async () => {
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec, () => {});
    const t = w.host("a").stack.tcp;
    const seen: number[] = [];
    w.loop.at(
      200e6,
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
    // before: the last 256 B skb unsent, 880 B forward-allocated after the 2000 B, less than the FIN skb's 960
    expect(seen).toEqual([256 + 960, 4096 - 256 - 960, 0]);
    expect(c.finAlone).toBe(FIN_ALONE_QUEUED);
    expect(c.sndMem).toBe(256 + 2 * 960);
    expect(c.fwdAlloc).toBeGreaterThanOrEqual(0);
    // the socket's pages cover what it holds, whole: 2 pages for 2176 + 2000 B
    expect(c.fwdAlloc + c.sndMem + c.rmemAlloc).toBe(2 * 4096);
  });
});
