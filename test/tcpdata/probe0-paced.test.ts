// tcp_check_probe_timer for an internally paced socket (6.12 net/ipv4/tcp_output.c: tcp_write_xmit returns
// !packets_out && !tcp_write_queue_empty when tcp_pacing_check stopped it before anything went;
// __tcp_push_pending_frames then runs tcp_check_probe_timer: PROBE0 at tcp_probe0_base = max(icsk_rto,
// TCP_RTO_MIN) when no timer is pending). A flow paced by SO_MAX_PACING_RATE 5000 B/s (no fq: SK_PACING_NEEDED)
// over a 100 us RTT: the first 10 segments go at once (tcp_update_skb_after_send paces from data_segs_out 10, so
// the skb of the 10th moves tcp_wstamp_ns on by its length / rate, ~2.9 s); the ACK that empties the flight finds
// the head held by pacing and arms PROBE0, whose tcp_probe_timer -> tcp_send_probe0 -> tcp_write_wakeup sends one
// MSS of the head, ignoring pacing; each such segment's ACK does the same again. So one MSS per ~201 ms, faster
// than the max pacing rate (1448 B / 0.2 s = 7.2 KB/s). Before: nothing until pacing allowed it (1448 ms).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { bulk, pair } from "./helpers.js";
import { SegIn } from "../../src/tcp/segment.js";

describe("tcp_check_probe_timer: a paced socket with nothing out gets PROBE0", () => {
  it("after the first 10 segments, one MSS leaves every tcp_probe0_base (~201 ms) by tcp_write_wakeup", async () => {
    const spec = pair({ durationNs: 700e6 }, [bulk({ bytes: 14 * 1448, maxPacingRate: 5000 })]);
    const core = await createCore(coreConfigFor(spec));
    const sent: { at: number; len: number }[] = [];
    const s = new SegIn();
    const w: World = new World(core, spec, (h) => {
      s.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
      // data from the client (10.0.0.1)
      if (s.dataLen > 0 && core.headers[h * 128 + core.skb.network[h]! + 15] === 1) sent.push({ at: w.loop.now, len: s.dataLen });
    });
    w.run();
    expect(sent.slice(0, 10).every((x) => x.at < 1e6)).toBe(true);
    // then one segment (one MSS: tcp_write_wakeup) every ~201 ms, 3 by 700 ms: the ACK's ~0.1 ms plus
    // max(icsk_rto, 200 ms) after the one before (icsk_rto = srtt + max(4 rttvar, TCP_RTO_MIN) ~ 200.x ms)
    expect(sent.length).toBe(13);
    for (let i = 10; i < 13; i++) {
      expect(sent[i]!.len).toBe(1448);
      const gapMs = (sent[i]!.at - sent[i - 1]!.at) / 1e6;
      expect(gapMs).toBeGreaterThan(200);
      expect(gapMs).toBeLessThan(202);
    }
  });
});
