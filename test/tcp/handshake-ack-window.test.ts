// review14b #14: the window of the client's handshake-completing ACK.
// 6.12 net/ipv4/tcp_output.c: tcp_send_ack -> __tcp_transmit_skb -> tcp_select_window -> __tcp_select_window:
// with window scaling, `window = ALIGN(free_space, 1 << rcv_wscale)` (free_space = min(tcp_space, rcv_ssthresh)
// = 64240 for a fresh socket with rcvbuf 131072 and MSS 1460), so rcv_wnd becomes 64256 and the field 502 at
// wscale 7; tcp_select_window would also ALIGN the current window up if the new one were smaller. Live 6.18.44
// (wscale 10 there: 32 MiB tcp_rmem[2]): the client's ACK carries window 63 = ALIGN(64240, 1024) >> 10, not 62.
// The model sends 501 (64240 >> 7, rounded down: src/tcp/tcp-host.ts:1110-1112, the path for a socket without
// transfer state, which every client's first ACK takes: client.ts sends it before appInit).
import { describe, expect, it } from "vitest";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { connect, run, serverWorld } from "./helpers.js";

describe("the handshake ACK's window is rounded up to the window scale", () => {
  it("client ACK after the SYN-ACK: window field 502 (wscale 7)", async () => {
    const wins: number[] = [];
    const spec = serverWorld({ durationNs: 5e6, accept: true }, [connect(1)]);
    await run(spec, (core) => (h) => {
      const b = core.headers;
      const ip = h * SKB_HEADROOM + core.skb.network[h]!;
      // from the client (10.0.0.1), TCP, flags exactly ACK
      if (b[ip + 9] !== 6 || b[ip + 15] !== 1 || b[ip + 20 + 13] !== 0x10) return;
      wins.push((b[ip + 20 + 14]! << 8) | b[ip + 20 + 15]!);
    });
    expect(wins[0]).toBe(502); // before: 501 (rounded down)
  });
});
