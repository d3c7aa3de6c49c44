// A SYN-cookie child's receive window (6.12 net/ipv4/syncookies.c: cookie_v4_check): "Try to redo what
// tcp_v4_send_synack did" — tcp_select_initial_window(sk, tcp_full_space(listener), req->mss, ...) where
// req->mss is the MSS the cookie carries (msstab 536, 1300, 1440, 1460: the largest entry <= the SYN's MSS),
// with no timestamp subtraction (tcp_openreq_init_rwin's SYN-ACK takes mss − 12 with timestamps). The child
// takes rsk_rcv_wnd as rcv_wnd and rcv_ssthresh (tcp_create_openreq_child). With the default listener
// (sk_rcvbuf tcp_rmem[1] 131072, full space 65536, no clamp) the rcv_wscale is ilog2(tcp_rmem[2] 6 MiB) − 15 = 7.
import { describe, expect, it } from "vitest";
import { ACK, MS, SYN, handshake, last } from "./inject-handshake.js";

const cookies = { "net.ipv4.tcp_syncookies": 2 };
const ts = { val: 5000, ecr: () => 0 };
const tsAck = { val: 5030, ecr: last };

describe("cookie_v4_check: the child's window from the cookie's MSS", () => {
  it("SYN MSS 1460 with timestamps: rcv_wnd rounddown(65536, 1460) = 64240 (the SYN-ACK offered 45 · 1448 = 65160)", async () => {
    const r = await handshake([SYN(100 * MS, ts), ACK(130 * MS, tsAck)], cookies);
    expect(r.nstat("TcpExtSyncookiesRecv")).toBe(1);
    const sk = r.child!;
    expect([sk.tsOk, sk.mss]).toEqual([true, 1460]);
    // rcv_ssthresh = rcv_wnd, then tcp_init_buffer_space's min with window_clamp = full space 65536 − advmss
    // 1448 = 64088
    expect([sk.rcvWnd, sk.rcvWscale, sk.conn!.rcvSsthresh]).toEqual([64240, 7, 64088]);
  });

  it("SYN MSS 1400: the cookie carries msstab's 1300, rcv_wnd 50 · 1300 = 65000", async () => {
    const r = await handshake([SYN(100 * MS, ts, 1400), ACK(130 * MS, tsAck)], cookies);
    expect(r.child!.mss).toBe(1300);
    expect(r.child!.rcvWnd).toBe(65000);
  });

  it("listener SO_RCVBUF 8192 (sk_rcvbuf 16384, full space 8192, clamp 8192): rcv_wnd 5 · 1460 = 7300, rcv_wscale 0", async () => {
    const r = await handshake([SYN(100 * MS, ts), ACK(130 * MS, tsAck)], cookies, 2000 * MS, 8192);
    expect([r.child!.rcvWnd, r.child!.rcvWscale]).toEqual([7300, 0]);
  });
});
