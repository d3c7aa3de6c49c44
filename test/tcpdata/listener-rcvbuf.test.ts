// net/ipv4/tcp_minisocks.c: tcp_openreq_init_rwin — the SYN-ACK's window comes from the listener:
// full_space = tcp_full_space(sk_listener) (sk_rcvbuf · scaling_ratio 128 / 256), rsk_window_clamp = full_space
// under SOCK_RCVBUF_LOCK, then tcp_select_initial_window(full_space, mss − 12 with timestamps, clamp):
// SO_RCVBUF 8192 -> sk_rcvbuf 16384, full space 8192: rcv_wnd = rounddown(8192, 1448) = 7240,
// rcv_wscale = ilog2(min(max(7240, tcp_rmem[2], rmem_max), clamp 8192)) − 15 < 0 -> 0, window_clamp 8192.
// Without SO_RCVBUF: tcp_rmem[1] 131072 -> 65536 -> 65160, wscale ilog2(6 MiB) − 15 = 7. (review13a #11)
// net/ipv4/syncookies.c: cookie_v4_check selects a cookie child's window the same way with mss = req->mss,
// the cookie's msstab value (536, 1300, 1440, 1460), no timestamp subtraction.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import type { TcpSock } from "../../src/tcp/sock.js";

async function server(app: { kind: "sink"; rcvbuf?: number }) {
  const r = await runWorld(pair({ durationNs: 2e6, app }, [bulk()]));
  const t = r.w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  return { t, sk, c: sk.conn! };
}

describe("SO_RCVBUF on the listener shapes the SYN-ACK's window (tcp_openreq_init_rwin)", () => {
  it("SO_RCVBUF 8192: rcv_wnd 7240, rcv_wscale 0, window_clamp 8192; the child starts with rcv_ssthresh = rcv_wnd", async () => {
    const { t, sk, c } = await server({ kind: "sink", rcvbuf: 8192 });
    expect(c.rcvbuf).toBe(16384);
    expect([sk.rcvWnd, c.rcvWscale]).toEqual([7240, 0]);
    const w = t.listeners[0]!.win!;
    // without timestamps mss 1460: 5 · 1460 = 7300; cookie MSS 536, 1300, 1440, 1460: 15 · 536 = 8040,
    // 6 · 1300 = 7800, 5 · 1440 = 7200, 5 · 1460 = 7300; the scale 0 for all (clamp 8192 < 2^16)
    expect([w.ts, w.noTs]).toEqual([
      { window: 7240, wscale: 0 },
      { window: 7300, wscale: 0 },
    ]);
    expect(w.cookie.map((x) => x.window)).toEqual([8040, 7800, 7200, 7300]);
    expect(w.cookie.every((x) => x.wscale === 0)).toBe(true);
  });

  it("no SO_RCVBUF: rcv_wnd 65160, rcv_wscale 7 (tcp_rmem[1], no clamp)", async () => {
    const { t, sk, c } = await server({ kind: "sink" });
    expect([sk.rcvWnd, c.rcvWscale]).toEqual([65160, 7]);
    // full space 65536: 44 · 1460 = 64240 without timestamps; cookies 122 · 536 = 65392, 50 · 1300 = 65000,
    // 45 · 1440 = 64800, 44 · 1460 = 64240
    const w = t.listeners[0]!.win!;
    expect(w.noTs).toEqual({ window: 64240, wscale: 7 });
    expect(w.cookie.map((x) => x.window)).toEqual([65392, 65000, 64800, 64240]);
  });
});
