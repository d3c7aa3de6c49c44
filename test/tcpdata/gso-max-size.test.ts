// sk_gso_max_size as 6.12's sk_setup_caps stores it (net/core/sock.c: sk_dst_gso_max_size): the device's
// gso_ipv4_max_size (GSO_LEGACY_MAX_SIZE 65536 without BIG TCP) less MAX_TCP_HEADER + 1, where Debian's
// amd64 MAX_TCP_HEADER = L1_CACHE_ALIGN(128 + 128 + 48) = 320: 65536 − 321 = 65215. tcp_xmit_size_goal,
// tcp_tso_autosize and CUBIC's hystart_ack_delay read that one value.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn } from "./inject.js";
import { sizeGoal } from "../../src/tcp/data-out.js";
import { Hystart } from "../../src/tcp/hystart.js";

describe("sk_gso_max_size (sk_setup_caps -> sk_dst_gso_max_size)", () => {
  it("an established socket holds 65536 − (320 + 1) = 65215, and every reader uses it", async () => {
    const r = await runWorld(pair({ durationNs: 5e6 }, [bulk({ writeRate: 1 })]));
    const { c } = clientConn(r.w);
    expect(c.gsoMaxSize).toBe(65215);
    // tcp_xmit_size_goal: 65215 / 1448 = 45 whole MSS (the peer's window is not the bound here)
    c.maxWindow = 8 << 20;
    expect(sizeGoal(c)).toBe(45 * 1448);
    // hystart_ack_delay at sk_pacing_rate 1e9 B/s: min(1000, 65215 · 4 · 1e6 / 1e9 = 260.86) = 260 µs
    // (65536 would give 262)
    c.pacingRate = 1e9;
    expect(Hystart.ackDelay(c)).toBe(260);
    // 250 MB/s: 65215 · 16 = 1043.4 µs, capped at USEC_PER_MSEC
    c.pacingRate = 2.5e8;
    expect(Hystart.ackDelay(c)).toBe(1000);
  });
});
