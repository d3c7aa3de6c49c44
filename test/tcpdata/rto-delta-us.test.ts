// tcp_rto_delta_us (include/net/tcp.h, 6.12): tcp_skb_timestamp_us(head) + jiffies_to_usecs(icsk_rto) -
// tcp_mstamp, where tcp_skb_timestamp_us is div_u64(skb_mstamp_ns, 1000) and tcp_mstamp is
// div_u64(tcp_clock_ns(), 1000) (tcp_mstamp_refresh): two µs stamps, not a ns difference cut to µs. tcp_rearm_rto
// with a loss probe pending then re-arms the RTO usecs_to_jiffies(max(delta, 1)) ahead (rounded up).
// World: the client of a bulk flow 50 ms from its server, 103 ms in (its initial window out, no ACK yet), run
// 500 ns on (tcp_mstamp 103000 µs, jiffy 103 at HZ=1000); icsk_rto set to 201 ms; the head's send stamp set to
// 102_001_200 ns (102001 µs).
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn } from "./inject.js";
import { ICSK_TIME_LOSS_PROBE, rearmRto, rtoDeltaUs } from "../../src/tcp/data-out.js";

describe("tcp_rto_delta_us from µs stamps", () => {
  it("102001 + 201000 - 103000 = 200001 µs (before: floor(-999.3 µs) + 201000 = 200000); tcp_rearm_rto: 201 jiffies, not 200", async () => {
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
    const { t, c } = clientConn(r.w);
    r.w.loop.run(r.w.loop.now + 500);
    expect(t.now).toBe(103_000_500);
    expect(c.packetsOut).toBeGreaterThan(0);
    c.rtt.rtoUs = 201_000;
    c.backoff = 0;
    c.rtx.sentAt[c.rtx.at(0)] = 102_001_200;
    expect(rtoDeltaUs(t, c)).toBe(200_001);
    // tcp_rearm_rto: usecs_to_jiffies(200001) = 201; icsk_timeout = 103 + 201 = 304 (no pacing delay: the
    // initial window left long ago)
    c.xmitPending = ICSK_TIME_LOSS_PROBE;
    rearmRto(t, c);
    expect(c.rtoDeadline).toBe(304e6);
  });
});
