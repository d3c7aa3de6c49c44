// net/ipv4/tcp_output.c: tcp_cwnd_test (6.12): "For better scheduling, ensure we have at least 2 GSO packets in
// flight": 0 when in_flight >= cwnd, else min(max(cwnd >> 1, 1), cwnd - in_flight); tcp_write_xmit takes
// min(that, tcp_tso_segs) and tcp_mss_split_point cuts the skb to it. With the initial cwnd 10 (nothing in flight)
// and tcp_tso_segs 45 (10 Gbit), the first skb carries min(5, 10) = 5 segments and the second min(5, 10 - 5) = 5;
// then the cwnd is full. (tcp_tso_should_defer lets both go: 10 x 1448 B >= min(snd_wnd, cwnd x mss) / 3.)
// (review11 finding 9; before, the model sent one 10-segment skb.)
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { host, link, world } from "../sim/spec-helpers.js";

const nic = (over: Record<string, unknown> = {}) => ({ queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000, ...over });
const receiver = host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] });

describe("tcp_cwnd_test caps the cwnd quota at half the cwnd", () => {
  it("the initial window (cwnd 10) leaves as two GSO skbs of 5 segments", async () => {
    const spec = world(
      [host("a", 1, { nic: nic() }), receiver],
      [link("a", "b", { rateBps: 10e9, delayNs: 50_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: Infinity, at: 0 }],
      // the first flight only: the handshake takes the first 100 us, the first data ACK is back 100 us later
      { durationNs: 150_000 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const tcp = w.host("a").stack.tcp;
    const out = tcp.output;
    const segs: number[] = [];
    (tcp as unknown as { output: (h: number) => boolean }).output = (h) => {
      if (core.skb.len[h]! > 200) segs.push(Math.max(1, core.skb.gsoSegs[h]!));
      return out(h);
    };
    w.run();
    const c = [...w.flows.values()][0]!.sender!;
    expect(c.cwnd).toBe(10);
    expect(c.packetsOut).toBe(10);
    expect(segs).toEqual([5, 5]);
  });
});
