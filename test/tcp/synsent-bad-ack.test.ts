// An unacceptable ACK in SYN_SENT (net/ipv4/tcp_input.c: tcp_rcv_synsent_state_process, 6.12): an ACK outside
// (snd_una, snd_nxt] resets the SYN timer to TCP_TIMEOUT_MIN (2 jiffies) while icsk_retransmits is 0 ("Previous
// FIN/ACK or RST/ACK might be ignored"), then reset_and_undo: tcp_v4_do_rcv answers with an RST and drops it
// TCP_INVALID_ACK_SEQUENCE. The timer's tcp_retransmit_timer then resends the SYN (TCPTimeouts,
// TCPSynRetrans, RetransSegs; icsk_retransmits 1), and the next timer is icsk_rto (1 s, linear) later. With
// icsk_retransmits 1 a second bad ACK leaves the timer alone. Here: one-way delay 5 ms, so the real SYN-ACK
// comes at ~10 ms; bad SYN-ACKs (ack = snd_nxt + 5) are injected into the client's tcp_v4_rcv at 10 us and 3 ms.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { TCPHDR_ACK, TCPHDR_RST, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { TCP_SYN_SENT } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { pair, bulk } from "../tcpdata/helpers.js";

async function badAcks(times: number[], hz = 1000, delayNs = 5e6) {
  const spec = pair({ durationNs: Math.max(50e6, 10 * delayNs), delayNs }, [bulk({ bytes: 1000 })]);
  const core = await createCore(coreConfigFor(spec));
  const syns: number[] = [];
  let rsts = 0;
  const tap = (h: number, at: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    const th = ip + 20;
    if (b[ip + 15] !== 1) return;
    if (b[th + 13]! & TCPHDR_SYN) syns.push(at);
    if (b[th + 13]! & TCPHDR_RST) rsts++;
  };
  const w = new World(core, spec, tap);
  const t = w.host("a").stack.tcp;
  t.hz = hz;
  let sk: TcpSock | null = null;
  for (const at of times) {
    w.loop.at(
      at,
      w.loop.register("test: bad SYN-ACK", () => {
        for (const pt of t.ports.values()) for (const s of pt.conns.values()) sk = s as TcpSock;
        expect(sk!.state).toBe(TCP_SYN_SENT);
        const h = core.allocOne(w.loop.now);
        w.ledger.create(1);
        const s = new SegOut();
        s.src = Uint8Array.of(10, 0, 0, 2);
        s.dst = Uint8Array.of(10, 0, 0, 1);
        s.sport = sk!.rport;
        s.dport = sk!.lport;
        s.seq = 12345;
        s.ack = (sk!.sndNxt + 5) >>> 0;
        s.flags = TCPHDR_SYN | TCPHDR_ACK;
        s.window = 65535;
        writeSegment(core, h, s);
        t.rcv(h);
      }),
      0,
    );
  }
  const result = w.run();
  const n = (k: string) => w.host("a").nstat.get(k);
  return { syns, rsts, sk: sk as TcpSock | null, n, dropped: result.ledger.dropped };
}

describe("tcp_rcv_synsent_state_process: an unacceptable ACK", () => {
  it("before any retransmission: the SYN timer at TCP_TIMEOUT_MIN, the SYN resent at jiffy 3 (TCPTimeouts 1, TCPSynRetrans 1)", async () => {
    const r = await badAcks([10_000]);
    expect(r.rsts).toBe(1);
    expect(r.syns.length).toBe(2);
    // mod_timer(jiffies + 2) at jiffy 0: level 0 still adds one jiffy (kernel/time/timer.c: calc_index), so the
    // retransmission leaves at jiffy 3, 3 ms (the tap sees it on the wire a few ns later)
    expect(Math.floor(r.syns[1]! / 1000)).toBe(3000);
    expect(r.n("TcpExtTCPTimeouts")).toBe(1);
    expect(r.n("TcpExtTCPSynRetrans")).toBe(1);
    expect(r.dropped.TCP_INVALID_ACK_SEQUENCE).toBe(1);
  });

  it("at HZ=250 TCP_TIMEOUT_MIN is 2 jiffies, 8 ms: the SYN resent at jiffy 3, 12 ms (not at 8 ms for a 2 ms timer)", async () => {
    // the bad ACK at 10 us is in jiffy 0 (4 ms jiffies): mod_timer(jiffies + 2), level 0 plus one jiffy (calc_index):
    // jiffy 3 = 12 ms. A one-way delay of 20 ms keeps the real SYN-ACK (at ~40 ms) after it
    const r = await badAcks([10_000], 250, 20e6);
    expect(r.syns.length).toBe(2);
    expect(Math.floor(r.syns[1]! / 1000)).toBe(12_000);
    expect(r.n("TcpExtTCPSynRetrans")).toBe(1);
  });

  it("a second one after that retransmission (icsk_retransmits 1) leaves the timer (1 s): no third SYN", async () => {
    const r = await badAcks([10_000, 4e6]);
    expect(r.rsts).toBe(2);
    expect(r.syns.length).toBe(2);
    expect(r.n("TcpExtTCPSynRetrans")).toBe(1);
    expect(r.dropped.TCP_INVALID_ACK_SEQUENCE).toBe(2);
  });
});
