// net.ipv4.tcp_notsent_lowat (review13a #4: the sysctl was accepted but never read). 6.12:
// - tcp_sendmsg_locked asks sk_stream_memory_free before each new skb (include/net/sock.h
//   __sk_stream_memory_free(sk, 0): sk_wmem_queued < sk_sndbuf, then net/ipv4/tcp_ipv4.c tcp_stream_memory_free:
//   (write_seq − snd_nxt) << 0 < tcp_notsent_lowat). With the sysctl at 1 a new skb starts only when nothing is
//   unsent, so at most one skb (<= size_goal) waits unsent.
// - the wake, net/core/stream.c sk_stream_write_space: __sk_stream_is_writeable(sk, 1) — free space >=
//   wmem_queued / 2 and tcp_stream_memory_free(sk, 1): (write_seq − snd_nxt) << 1 < tcp_notsent_lowat.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn } from "./inject.js";
import { checkSpace, sizeGoal } from "../../src/tcp/data-out.js";
import { TCP_SKB_OVERHEAD } from "../../src/tcp/buffers.js";

describe("tcp_notsent_lowat", () => {
  it("with tcp_notsent_lowat 1 the writer keeps at most one unsent skb, and wakes only below lowat / 2", async () => {
    // 50 ms one-way: 150 ms in (the handshake took 100 ms) only the initial window is out
    const r = await runWorld(pair({ durationNs: 150e6, delayNs: 50e6, clientSysctl: { "net.ipv4.tcp_notsent_lowat": 1 } }, [bulk()]));
    const { sk, c, t } = clientConn(r.w);
    expect(c.packetsOut).toBe(10);
    const notsent = c.writeSeq - c.sndNxt;
    expect(notsent).toBeGreaterThan(0);
    expect(notsent).toBeLessThanOrEqual(sizeGoal(c));
    // blocked by the low-water mark, not by sk_sndbuf
    expect(c.nospace).toBe(true);
    expect(c.wmemQueued(TCP_SKB_OVERHEAD)).toBeLessThan(c.sndbuf);
    // a sk_sndbuf with free space >= wmem_queued / 2 (as after tcp_sndbuf_expand), locked so that
    // tcp_new_space does not change it: only the low-water mark decides the wake
    c.sndbuf = 4 * c.wmemQueued(TCP_SKB_OVERHEAD);
    c.sndbufLocked = true;
    // sk_stream_write_space: 2·notsent < lowat is false at lowat = 2·notsent, true one byte above
    const host = t as unknown as { notsentLowat: number };
    host.notsentLowat = 2 * notsent;
    checkSpace(t, sk, c);
    expect(c.nospace).toBe(true);
    host.notsentLowat = 2 * notsent + 1;
    const written = c.writeSeq;
    checkSpace(t, sk, c);
    // woken: the writer writes again (its new skb passes sendmsg's notsent < lowat test) until blocked anew
    expect(c.writeSeq).toBeGreaterThan(written);
  });
});
