// A connecting socket's RST carries its sk_txhash (6.12: tcp_rcv_synsent_state_process returns 1 for an ACK
// outside (iss, snd_nxt] -> tcp_v4_do_rcv's reset: tcp_v4_send_reset(rsk = sk, skb), whose txhash is
// sk->sk_txhash, passed to ip_send_unicast_reply), not the flow hash netdev_pick_tx would compute.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { TCPHDR_ACK, TCPHDR_RST, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { TCP_SYN_SENT } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { pair, bulk } from "./helpers.js";

describe("tcp_v4_send_reset from a SYN_SENT socket", () => {
  it("a SYN-ACK acking past snd_nxt is answered by an RST at its ack_seq carrying the socket's txhash", async () => {
    const spec = pair({ durationNs: 1e6, delayNs: 50_000 }, [bulk({ bytes: 1000 })]);
    const core = await createCore(coreConfigFor(spec));
    const rsts: { seq: number; hash: number }[] = [];
    const tap = (h: number) => {
      const b = core.headers;
      const ip = h * SKB_HEADROOM + core.skb.network[h]!;
      const th = ip + 20;
      if (b[ip + 15] !== 1 || !(b[th + 13]! & TCPHDR_RST)) return;
      const seq = ((b[th + 4]! << 24) | (b[th + 5]! << 16) | (b[th + 6]! << 8) | b[th + 7]!) >>> 0;
      rsts.push({ seq, hash: core.skb.hash[h]! });
    };
    const w = new World(core, spec, tap);
    const t = w.host("a").stack.tcp;
    let sk: TcpSock | null = null;
    let ack = 0;
    let txhash = 0;
    // 10 us in: the SYN is on the wire, the server's SYN-ACK 90 us away
    w.loop.at(
      10_000,
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
        s.ack = ack = (sk!.sndNxt + 5) >>> 0;
        txhash = sk!.txhash;
        s.flags = TCPHDR_SYN | TCPHDR_ACK;
        s.window = 65535;
        writeSegment(core, h, s);
        t.rcv(h);
      }),
      0,
    );
    w.run();
    expect(txhash).not.toBe(0);
    expect(rsts).toEqual([{ seq: ack, hash: txhash }]);
  });
});
