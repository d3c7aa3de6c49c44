// Initial receive window and window scale (net/ipv4/tcp_output.c:
// tcp_select_initial_window) for a socket with the default receive buffer
// (tcp_rmem[1]) and scaling_ratio 128 (tcp_win_from_space = space/2).

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
