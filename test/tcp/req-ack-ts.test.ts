// A request sock's ACK (6.12 net/ipv4/tcp_ipv4.c: tcp_v4_reqsk_send_ack -> tcp_v4_send_ack) is not a full
// socket's segment: tcp_v4_send_ack writes the timestamp option only `if (tsecr)`, with tsecr = req->ts_recent,
// which tcp_openreq_init set to the SYN's TSval (0 without one). So a SYN whose TSval is 0 gets a SYN-ACK with
// timestamps (tcp_make_synack: tstamp_ok) but request ACKs without; the window is tcp_synack_window(req) =
// min(rsk_rcv_wnd, 65535), shifted by rcv_wscale (a listener with tcp_rmem[1] 1 MiB: rsk_rcv_wnd above 65535).
// The request: one syn-flood SYN with options (its TSval is the sender's clock in ms: 0 at time 0, 1 at 1 ms),
// never answered; at 0.5 s an out-of-window pure ACK (seq rcv_nxt + 10^7, no options) gets the request's ACK.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegIn, SegOut, writeSegment } from "../../src/tcp/segment.js";
import { TCPHDR_ACK, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { TCP_NEW_SYN_RECV } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { serverWorld, synFlood } from "./helpers.js";

const S = 1e9;

async function reqAck(synAt: number, sysctl: Record<string, readonly number[]> = {}) {
  const spec = serverWorld({ durationNs: 0.6 * S, sysctl }, [synFlood(1, { at: synAt, bare: false })]);
  const core = await createCore(coreConfigFor(spec));
  const frames: { flags: number; hdrLen: number; ts: boolean; tsEcr: number; window: number }[] = [];
  const tap = (h: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    if (b[ip + 9] !== 6 || b[ip + 15] !== 2) return;
    const s = new SegIn();
    s.parse(b, h, core.skb.network[h]!, core.skb.transport[h]!, false);
    frames.push({ flags: s.flags, hdrLen: s.hdrLen, ts: s.ts, tsEcr: s.tsEcr, window: s.window });
  };
  const w = new World(core, spec, tap);
  const t = w.host("server").stack.tcp;
  let req: TcpSock | null = null;
  w.loop.at(
    0.5 * S,
    w.loop.register("test: out-of-window ACK", () => {
      req = [...t.ports.get(80)!.conns.values()][0] as TcpSock;
      expect(req.state).toBe(TCP_NEW_SYN_RECV);
      const h = core.allocOne(w.loop.now);
      w.ledger.create(1);
      const s = new SegOut();
      s.src = Uint8Array.from(req.raddr);
      s.dst = Uint8Array.of(10, 0, 0, 2);
      s.sport = req.rport;
      s.dport = req.lport;
      s.seq = (req.rcvNxt + 10_000_000) >>> 0;
      s.ack = (req.iss + 1) >>> 0;
      s.flags = TCPHDR_ACK;
      s.window = 65535;
      writeSegment(core, h, s);
      t.rcv(h);
    }),
    0,
  );
  w.run();
  return { frames, req: req! as TcpSock };
}

describe("tcp_v4_reqsk_send_ack: the timestamp option only with a non-zero ts_recent", () => {
  it("SYN with TSval 0: SYN-ACK with timestamps, the request's ACK without (20-byte header)", async () => {
    const { frames, req } = await reqAck(0);
    expect([req.tsOk, req.tsRecent]).toEqual([true, 0]);
    expect(frames.map((f) => [f.flags, f.ts])).toEqual([
      [TCPHDR_SYN | TCPHDR_ACK, true],
      [TCPHDR_ACK, false],
    ]);
    expect(frames[1]!.hdrLen).toBe(20);
    // tcp_synack_window(req) >> rcv_wscale: the default tcp_rmem[1] 131072 gives space 65536, rounded down to
    // 45 * 1448 = 65160 (below 65535), rcv_wscale ilog2(tcp_rmem[2] 6 MiB) - 15 = 7: 65160 >> 7 = 509
    expect([req.rcvWnd, req.rcvWscale, frames[1]!.window]).toEqual([65160, 7, 509]);
  });

  it("tcp_rmem[1] 1 MiB: rsk_rcv_wnd above 64 KiB, so the ACK's window is 65535 >> rcv_wscale, not rcv_wnd >> rcv_wscale", async () => {
    const { frames, req } = await reqAck(1e6, { "net.ipv4.tcp_rmem": [4096, 1048576, 6291456] });
    // tcp_openreq_init_rwin -> tcp_select_initial_window: space = tcp_full_space = 1048576 / 2 (scaling ratio
    // 50 %), rounded down to the MSS (1460 - 12 timestamp bytes = 1448): 362 * 1448 = 524176; rcv_wscale =
    // ilog2(max(space, tcp_rmem[2] 6 MiB, rmem_max)) - 15 = 22 - 15 = 7
    expect([req.rcvWnd, req.rcvWscale]).toEqual([524176, 7]);
    expect(frames.map((f) => f.flags)).toEqual([TCPHDR_SYN | TCPHDR_ACK, TCPHDR_ACK]);
    // tcp_synack_window: min(524176, 65535) = 65535, >> 7 = 511 (rcv_wnd >> 7 first would be 4095)
    expect(frames[1]!.window).toBe(511);
  });

  it("SYN with TSval 1 (sent at 1 ms): the request's ACK echoes it (TSecr 1, 32-byte header)", async () => {
    const { frames, req } = await reqAck(1e6);
    expect([req.tsOk, req.tsRecent]).toEqual([true, 1]);
    expect(frames.map((f) => [f.flags, f.ts, f.tsEcr])).toEqual([
      [TCPHDR_SYN | TCPHDR_ACK, true, 1],
      [TCPHDR_ACK, true, 1],
    ]);
    expect(frames[1]!.hdrLen).toBe(32);
  });
});
