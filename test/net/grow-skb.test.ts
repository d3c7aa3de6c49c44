// tcp_grow_skb (6.12 net/ipv4/tcp_output.c): tcp_write_xmit takes cwnd_quota = min(tcp_cwnd_test, max_segs)
// and, when the send head is shorter than cwnd_quota * mss and not the write queue's last skb, moves the missing
// bytes from the next skb into it (skb_shift), eating the next skb when it empties (tcp_eat_one_skb); only then
// tcp_set_skb_tso_segs / tcp_mss_split_point size it. So the remainder tso_fragment leaves of a size-goal skb
// (45 MSS here) is topped up from the next one instead of going out short.
// Flow: tcp_min_tso_segs 8 and tcp_tso_rtt_log 0 (tcp_tso_autosize: 1e6 >> 10 = 976 bytes + 65215 >> 100 us:
// nothing -> max(0, 8) = 8 = max_segs), SO_MAX_PACING_RATE 1e6 B/s through pfifo_fast (SK_PACING_NEEDED: one skb
// per len / rate, ~10 ms, on a 100 us path, so nothing is in flight at each send). First flight: cwnd 10,
// tcp_cwnd_test's half cwnd: 5 + 5 segments, unpaced (pacing starts at data_segs_out 10); that flight fills cwnd,
// so tcp_cwnd_validate latches cwnd-limited and its ACKs double cwnd to 20 (slow start); later skbs leave with 8
// of 20 out (not cwnd-limited, 20 >= 2 x max_packets_out 8: no more growth). cwnd_quota = min(8, 20 >> 1, 20) = 8:
// every skb has 8 segments but the write queue's last.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { host, link, world } from "../sim/spec-helpers.js";

const MSS = 1448;
const nic = { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000 };

async function paced(bytes: number, durationNs: number) {
  const spec = world(
    [
      host("a", 1, { nic, sysctl: { "net.ipv4.tcp_tso_rtt_log": 0, "net.ipv4.tcp_min_tso_segs": 8 } }),
      host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] }),
    ],
    [link("a", "b", { rateBps: 10e9, delayNs: 50_000 })],
    [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes, at: 0, maxPacingRate: 1e6 }],
    { durationNs },
  );
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const tcp = w.host("a").stack.tcp;
  const out = tcp.output;
  // the data segments of each skb TCP sends
  const segs: number[] = [];
  (tcp as unknown as { output: (h: number) => boolean }).output = (h) => {
    if (core.skb.len[h]! > 200) segs.push(Math.max(1, core.skb.gsoSegs[h]!));
    return out(h);
  };
  w.run();
  return { segs, c: [...w.flows.values()][0]!.sender! };
}

describe("tcp_grow_skb: the send head is topped up to the cwnd quota from the next skb", () => {
  it("an unbounded write: 5 + 5, then only 8-segment skbs (the first size-goal skb's 3-segment remainder takes 5 from the second)", async () => {
    const { segs, c } = await paced(Infinity, 200e6);
    expect(c.mss).toBe(MSS);
    expect(c.cwnd).toBe(20);
    expect(segs.length).toBeGreaterThan(15);
    expect(segs.slice(0, 2)).toEqual([5, 5]);
    expect(segs.slice(2).filter((n) => n !== 8)).toEqual([]);
  });

  it("137 MSS written: the 5-segment remainder of the third 45-MSS skb eats the 2-segment tail skb (one 7-segment skb, not 5 + 2)", async () => {
    const { segs, c } = await paced(137 * MSS, 300e6);
    expect(c.cwnd).toBe(20);
    // skbs of 45, 45, 45, 2 MSS: 45 = 5 + 5 + 4 x 8 + 3, the 3 grown by 5 from the second (before: 3); the second,
    // 40 = 5 x 8; the third, 45 = 5 x 8 + 5, grown by the tail's 2 (eaten: the last skb): 7 (before: 5 + 2)
    expect(segs).toEqual([5, 5, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 7]);
    expect(c.sndUna).toBe(137 * MSS);
  });
});
