// A SYN to an established socket (net/ipv4/tcp_input.c: tcp_validate_incoming, 6.12): step 4 (RFC 5961 4.2)
// sends a challenge ACK whether the SYN is in the window or not (tcp_sequence's failure jumps to syn_challenge):
// TcpInErrs (tcp_rcv_established passes syn_inerr 1), TCPSYNChallenge, then tcp_send_challenge_ack — the
// socket's __tcp_oow_rate_limited on last_oow_ack_time (tcp_invalid_ratelimit 500 ms: TCPACKSkippedChallenge),
// the host-wide quota (tcp_challenge_ack_limit INT_MAX: none), TCPChallengeACK and tcp_send_ack — and the SYN
// is dropped TCP_INVALID_SYN. Here: a client connected at ~0 gets the server's SYN-ACK again (as when its final
// ACK was lost), injected through its tcp_v4_rcv at 50, 150 and 700 ms.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { TCPHDR_ACK, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { TCP_ESTABLISHED } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { connect, serverWorld } from "./helpers.js";

const MS = 1e6;

describe("tcp_validate_incoming step 4: a SYN-ACK to an ESTABLISHED client", () => {
  it("a challenge ACK (TCPSYNChallenge, TcpInErrs, TCPChallengeACK), dropped TCP_INVALID_SYN; the next within 500 ms is not answered", async () => {
    const spec = serverWorld({ accept: true, durationNs: 1000 * MS }, [connect(1)]);
    const core = await createCore(coreConfigFor(spec));
    const frames: { flags: number; seq: number; ack: number; at: number }[] = [];
    const tap = (h: number, at: number) => {
      const b = core.headers;
      const ip = h * SKB_HEADROOM + core.skb.network[h]!;
      if (b[ip + 9] !== 6 || b[ip + 15] !== 1) return;
      const th = ip + 20;
      const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
      frames.push({ flags: b[th + 13]!, seq: u32(th + 4), ack: u32(th + 8), at });
    };
    const w = new World(core, spec, tap);
    const host = w.host("client");
    const t = host.stack.tcp;
    let sk: TcpSock | undefined;
    for (const at of [50 * MS, 150 * MS, 700 * MS]) {
      w.loop.at(
        at,
        w.loop.register("test: SYN-ACK", () => {
          sk ??= [...[...t.ports.values()][0]!.conns.values()][0] as TcpSock;
          expect(sk.state).toBe(TCP_ESTABLISHED);
          const h = core.allocOne(w.loop.now);
          w.ledger.create(1);
          const s = new SegOut();
          s.src = Uint8Array.of(10, 0, 0, 2);
          s.dst = Uint8Array.of(10, 0, 0, 1);
          s.sport = sk.rport;
          s.dport = sk.lport;
          s.seq = sk.irs;
          s.ack = (sk.iss + 1) >>> 0;
          s.flags = TCPHDR_SYN | TCPHDR_ACK;
          s.window = 65535;
          s.mss = 1460;
          if (sk.tsOk) {
            s.ts = true;
            s.tsVal = sk.tsRecent;
            s.tsEcr = 0;
          }
          writeSegment(core, h, s);
          t.rcv(h);
        }),
        0,
      );
    }
    const result = w.run();
    const c = sk!;
    const n = (k: string) => host.nstat.get(k);
    // the client's segments after the handshake: one ACK (snd_nxt, rcv_nxt) at 50 ms, none at 150, one at 700
    const after = frames.filter((f) => f.at >= 50 * MS);
    expect(after.map((f) => [f.flags, f.seq, f.ack, Math.floor(f.at / MS)])).toEqual([
      [TCPHDR_ACK, (c.iss + 1) >>> 0, c.rcvNxt >>> 0, 50],
      [TCPHDR_ACK, (c.iss + 1) >>> 0, c.rcvNxt >>> 0, 700],
    ]);
    expect(n("TcpExtTCPSYNChallenge")).toBe(3);
    expect(n("TcpInErrs")).toBe(3);
    expect(n("TcpExtTCPChallengeACK")).toBe(2);
    expect(n("TcpExtTCPACKSkippedChallenge")).toBe(1);
    expect(result.ledger.dropped).toEqual({ TCP_INVALID_SYN: 3 });
  });
});
