// Initial receive window and window scale (net/ipv4/tcp_output.c:
// tcp_select_initial_window): a connecting socket's with the default receive
// buffer (tcp_rmem[1]) and scaling_ratio 128 (tcp_win_from_space = space/2),
// and a listener's request windows (SYN-ACK, SYN-cookie child) from its own
// sk_rcvbuf.
import { selectInitialWindow } from "./buffers.js";
import { MSSTAB6 } from "./cookie.js";

export interface InitialWindow {
  /** rcv_wnd: the window the SYN / SYN-ACK advertises (before the 65535 cap). */
  window: number;
  /** rcv_wscale offered. */
  wscale: number;
}

/** tcp_select_initial_window(space = tcp_full_space, mss) with no window clamp
 *  and tcp_workaround_signed_windows = 0. */
export function initialWindow(rcvbuf: number, mss: number, rmemMax: number, coreRmemMax: number): InitialWindow {
  const clamp = 65535 * 2 ** 14;
  let space = Math.floor(rcvbuf / 2); // tcp_win_from_space with scaling_ratio 128
  if (space > clamp) space = clamp;
  if (space > mss) space = Math.floor(space / mss) * mss;
  let m = Math.max(space, rmemMax, coreRmemMax);
  if (m > clamp) m = clamp;
  let wscale = Math.floor(Math.log2(m)) - 15;
  if (wscale < 0) wscale = 0;
  if (wscale > 14) wscale = 14;
  return { window: space, wscale };
}

/** A listener's request windows: tcp_select_initial_window over the listener's tcp_full_space (its
 *  sk_rcvbuf at scaling_ratio 128), clamped to it under SOCK_RCVBUF_LOCK (rsk_window_clamp; 0, no clamp,
 *  without SO_RCVBUF). */
export interface ListenerWindows {
  /** net/ipv4/tcp_minisocks.c: tcp_openreq_init_rwin — the SYN-ACK's, mss = advmss less
   *  TCPOLEN_TSTAMP_ALIGNED when tstamp_ok (ts) or not (noTs) */
  ts: InitialWindow;
  noTs: InitialWindow;
  /** net/ipv4/syncookies.c: cookie_v4_check — a SYN-cookie child's, by msstab index: mss = req->mss, the
   *  cookie's MSS, with no timestamp subtraction */
  cookie: readonly InitialWindow[];
  /** net/ipv6/syncookies.c: cookie_v6_check — the same over the IPv6 msstab (MSSTAB6) */
  cookie6: readonly InitialWindow[];
}

/** `fullSpace` = tcp_full_space(listener), `locked` = SOCK_RCVBUF_LOCK, `msstab` the cookie MSS table. */
export function listenerWindows(fullSpace: number, locked: boolean, advmss: number, msstab: readonly number[], rmem2: number, rmemMax: number): ListenerWindows {
  const clamp = locked ? fullSpace : 0;
  const win = (mss: number): InitialWindow => {
    const w = selectInitialWindow(fullSpace, mss, clamp, true, rmem2, rmemMax);
    return { window: w.rcvWnd, wscale: w.wscale };
  };
  return { ts: win(advmss - 12), noTs: win(advmss), cookie: msstab.map(win), cookie6: MSSTAB6.map(win) };
}
