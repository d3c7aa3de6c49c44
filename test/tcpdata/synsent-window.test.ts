// The client's send window after the SYN-ACK is the SYN-ACK's window field, not scaled (RFC 7323 2.2):
// net/ipv4/tcp_input.c: tcp_rcv_synsent_state_process sets snd_wnd = ntohs(th->window), and its tcp_ack ->
// tcp_ack_update_window leaves a SYN's window unscaled, so max_window takes the same value (snd_wnd was 0,
// tcp_connect_init). Scaling applies from the server's next segment (tcp_ack_update_window: nwin <<= snd_wscale).
//
// The SYN-ACK's window, derived: the listener's sk_rcvbuf = tcp_rmem[1] = 131072, tcp_full_space =
// tcp_win_from_space = 131072 * TCP_DEFAULT_SCALING_RATIO 128 >> 8 = 65536; tcp_openreq_init_rwin ->
// tcp_select_initial_window rounds it down to the MSS (1460 - 12 timestamp bytes = 1448): 45 * 1448 = 65160, and
// tcp_make_synack sends min(65160, 65535). Its wscale: ilog2(max(65160, tcp_rmem[2] 6291456, rmem_max 212992))
// - 15 = 7. Before the fix the client took 65160 << 7 = 8340480.
// Live 6.18.44 (netns veth pair, defaults, a connected client that sent nothing): `ss -ti` shows the client's
// snd_wnd:65160 with wscale:10,10, i.e. the SYN-ACK's field, not 65160 << 10.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { pair, bulk } from "./helpers.js";
import { clientConn } from "./inject.js";

/** A bulk flow a -> b over a 10 ms one-way link run for `durationNs`; the window fields of b's segments. */
async function runFor(durationNs: number) {
  const spec = pair({ durationNs, delayNs: 10e6 }, [bulk()]);
  const core = await createCore(coreConfigFor(spec));
  const synAck: number[] = [];
  const acks: number[] = [];
  const tap = (h: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    if (b[ip + 9] !== 6 || b[ip + 15] !== 2) return; // TCP from b (10.0.0.2)
    const flags = b[ip + 20 + 13]!;
    const win = (b[ip + 20 + 14]! << 8) | b[ip + 20 + 15]!;
    if (flags === 0x12) synAck.push(win);
    else if (flags === 0x10) acks.push(win);
  };
  const w = new World(core, spec, tap);
  w.run();
  return { ...clientConn(w), synAck, acks };
}

describe("tcp_rcv_synsent_state_process: the SYN-ACK's window is not scaled", () => {
  it("after the SYN-ACK (20 ms) and before the server's first ACK (40 ms): snd_wnd = max_window = 65160", async () => {
    const { c, synAck, acks } = await runFor(30e6);
    expect(synAck).toEqual([65160]);
    expect(acks).toEqual([]);
    expect(c.sndWnd).toBe(65160); // before: 8340480 (65160 << 7)
    expect(c.maxWindow).toBe(65160);
    // the first flight (initial cwnd 10 segments, 14480 bytes) fits this window: out in full
    expect(c.sndNxt - c.sndUna).toBe(10 * 1448);
  });

  it("the server's next segments are scaled: snd_wnd = the last ACK's field << 7 (tcp_ack_update_window)", async () => {
    const { c, acks } = await runFor(60e6);
    expect(acks.length).toBeGreaterThan(0);
    expect(c.sndWnd).toBe(acks[acks.length - 1]! * 2 ** 7);
    expect(c.sndWnd).toBeGreaterThan(65535);
    expect(c.maxWindow).toBeGreaterThanOrEqual(c.sndWnd);
  });
});
