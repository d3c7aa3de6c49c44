// TcpOutSegs and TcpExtTCPOrigDataSent (6.12). net/ipv4/tcp_output.c: __tcp_transmit_skb adds tcp_skb_pcount(skb)
// to TCP_MIB_OUTSEGS only `if (after(tcb->end_seq, tp->snd_nxt) || tcb->seq == tcb->end_seq)`: new data, a first
// SYN or FIN, ACKs and window probes; a retransmission counts in RetransSegs alone. tcp_make_synack,
// tcp_v4_send_reset and tcp_v4_send_ack count each of theirs. tcp_event_new_data_sent adds every new data skb's
// tcp_skb_pcount (the FIN skb's 1 too) to LINUX_MIB_TCPORIGDATASENT. (review11 findings 11, 12: before, TcpOutSegs
// counted every TCP skb at ip_output and TCPOrigDataSent did not exist.)
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SegIn } from "../../src/tcp/segment.js";
import { TCPHDR_FIN, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { host, link, world } from "../sim/spec-helpers.js";

const receiver = host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] });

describe("TcpOutSegs leaves retransmissions out; TCPOrigDataSent counts new data segments", () => {
  it("a 1 % lossy bulk flow of 3 MB: OutSegs by __tcp_transmit_skb's rule, OrigDataSent = ceil(3e6 / 1448)", async () => {
    const spec = world(
      [host("a", 1, {}), receiver],
      [link("a", "b", { rateBps: 1e9, delayNs: 50_000, loss: 0.01 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: 3_000_000, at: 0 }],
      // 1 s: the flow ends in ~30 ms unless a recovery's last ACK is lost with the window full (no loss probe
      // in Recovery: it then waits for the RTO, 200 ms, as this seed does at ~16 ms)
      { durationNs: 1e9 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const tcp = w.host("a").stack.tcp;
    const out = tcp.output;
    // the sender's segments by 6.12's rule, from the wire: snd_nxt is the highest end_seq sent so far
    let counted = 0;
    let retrans = 0;
    let newData = 0;
    let sndNxt = -1;
    let fins = 0;
    const s = new SegIn();
    (tcp as unknown as { output: (h: number) => boolean }).output = (h) => {
      s.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
      const segs = Math.max(1, core.skb.gsoSegs[h]!);
      const end = (s.seq + s.dataLen + (s.flags & TCPHDR_SYN ? 1 : 0) + (s.flags & TCPHDR_FIN ? 1 : 0)) >>> 0;
      if (sndNxt < 0) sndNxt = s.seq;
      const after = ((end - sndNxt) | 0) > 0;
      if (after || end === s.seq) counted += segs;
      else retrans += segs;
      if (after && !(s.flags & TCPHDR_SYN)) newData += segs;
      if (after && s.flags & TCPHDR_FIN) fins++;
      if (after) sndNxt = end;
      return out(h);
    };
    w.run();
    const n = w.host("a").nstat;
    expect(retrans).toBeGreaterThan(10);
    expect(n.get("TcpRetransSegs")).toBe(retrans);
    expect(n.get("TcpOutSegs")).toBe(counted);
    // every byte was sent once as new data: ceil(3e6 / 1448) = 2072 MSS pieces (the last 1 192 B); the FIN rode on
    // the last (tcp_send_fin found it unsent), so no skb of its own
    expect(fins).toBe(1);
    expect(newData).toBe(2072);
    expect(n.get("TcpExtTCPOrigDataSent")).toBe(newData);
  });

  it("SYN retransmissions are not OutSegs: a lost SYN sent at 0 s, resent at 1, 2, 3 s (tcp_syn_linear_timeouts 4)", async () => {
    const spec = world(
      [host("a", 1, {}), receiver],
      [link("a", "b", { rateBps: 1e9, delayNs: 50_000, loss: 1 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: 3_000_000, at: 0 }],
      { durationNs: 3.5e9 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    w.run();
    const n = w.host("a").nstat;
    expect(n.get("TcpExtTCPSynRetrans")).toBe(3);
    expect(n.get("TcpRetransSegs")).toBe(3);
    expect(n.get("TcpOutSegs")).toBe(1);
  });
});
