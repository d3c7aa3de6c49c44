// net/ipv4/tcp_output.c: __tcp_transmit_skb (6.12): "Force a PSH flag on all (GSO) packets to expedite GRO flush
// at receiver": `if (tcp_skb_pcount(skb) > 1) tcb->tcp_flags |= TCPHDR_PSH` (not on 1-MSS skbs). tcp_gso_segment
// (and the NIC's TSO) keep PSH on the last segment only, and the receiver's tcp_gro_receive flushes its aggregate
// at a PSH segment, so a receiver GRO skb never spans two sender GSO skbs. (review11 finding 2; before, only the
// skb that ended the write queue had PSH.)
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SegIn } from "../../src/tcp/segment.js";
import { TCPHDR_PSH } from "../../src/wire/tcp.js";
import { host, link, world } from "../sim/spec-helpers.js";

const nic = (over: Record<string, unknown> = {}) => ({ queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000, ...over });
// the receiver's RX interrupt moderation (20 us, 64 frames) gives one NAPI poll to the whole first flight
const receiver = host("b", 2, { nic: nic({ rxUsecs: 20_000, rxFrames: 64 }), listeners: [{ port: 5001, backlog: 128, accept: true }] });

async function bulk(durationNs: number) {
  const spec = world(
    [host("a", 1, { nic: nic() }), receiver],
    [link("a", "b", { rateBps: 10e9, delayNs: 50_000 })],
    [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: Infinity, at: 0 }],
    { durationNs },
  );
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const seg = new SegIn();
  // sender: each data skb's segment count and PSH
  const sent: { segs: number; psh: boolean }[] = [];
  const tcpA = w.host("a").stack.tcp;
  const out = tcpA.output;
  (tcpA as unknown as { output: (h: number) => boolean }).output = (h) => {
    seg.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
    if (seg.dataLen > 0) sent.push({ segs: Math.max(1, core.skb.gsoSegs[h]!), psh: (seg.flags & TCPHDR_PSH) !== 0 });
    return out(h);
  };
  // receiver: the segment count of each data skb GRO hands to TCP
  const received: number[] = [];
  const tcpB = w.host("b").stack.tcp;
  const rcv = tcpB.rcv.bind(tcpB);
  (tcpB as unknown as { rcv: (h: number) => void }).rcv = (h) => {
    seg.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
    if (seg.dataLen > 0) received.push(Math.max(1, core.skb.gsoSegs[h]!));
    rcv(h);
  };
  w.run();
  return { sent, received };
}

describe("__tcp_transmit_skb forces PSH on every GSO skb", () => {
  it("the first flight (tcp_cwnd_test: 5 + 5 segments) reaches the receiver's TCP as two GRO skbs of 5", async () => {
    // the handshake takes 120 us (the SYN waits 20 us for its poll), the first flight arrives 50 us later and
    // waits 20 us for its poll, its first ACK is back 50 us after that: until 230 us the sender has sent the
    // first flight only and the receiver has had it
    const { sent, received } = await bulk(230_000);
    expect(sent).toEqual([{ segs: 5, psh: true }, { segs: 5, psh: true }]);
    expect(received).toEqual([5, 5]);
  });

  it("a 10 Gbit TSO bulk flow for 20 ms: every GSO skb carries PSH, 1-MSS skbs only at the write queue's end", async () => {
    const { sent } = await bulk(20e6);
    const gso = sent.filter((s) => s.segs > 1);
    expect(gso.length).toBeGreaterThan(100);
    expect(gso.filter((s) => !s.psh).length).toBe(0);
  });
});
