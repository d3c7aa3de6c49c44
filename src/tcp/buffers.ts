// Socket buffer and receive-window arithmetic, as pure functions over the
// fields Linux keeps in struct tcp_sock / struct sock (see TcpConn). Every
// function names the kernel function it models (Linux 6.12).
import { pow2 } from "../util/pow2.js";
import { SHINFO_ALIGNED, SKB_ALIGNED } from "../net/skb-size.js";

/** include/net/tcp.h: TCP_RMEM_TO_WIN_SCALE */
export const TCP_RMEM_TO_WIN_SCALE = 8;
/** include/net/tcp.h: TCP_DEFAULT_SCALING_RATIO (tcp_init_sock: 50 %) */
export const TCP_DEFAULT_SCALING_RATIO = 128;
/** include/net/tcp.h: TCP_INIT_CWND */
export const TCP_INIT_CWND = 10;
/** include/net/tcp.h: TCP_MAX_QUICKACKS */
export const TCP_MAX_QUICKACKS = 16;
/** include/net/sock.h: SOCK_MIN_RCVBUF / SOCK_MIN_SNDBUF on x86-64 */
export const SOCK_MIN_RCVBUF = 2304;
export const SOCK_MIN_SNDBUF = 4608;
/** include/net/tcp.h: MAX_TCP_HEADER = L1_CACHE_ALIGN(128 + MAX_HEADER); Debian 6.12 amd64: MAX_HEADER =
 *  LL_MAX_HEADER 128 (WLAN + MAC80211_MESH) + 48 (IP tunnels) = 176, so 320. */
export const MAX_TCP_HEADER = 320;
export { SHINFO_ALIGNED, SKB_ALIGNED };
/** net/core/skbuff.c: SKB_SMALL_HEAD_CACHE_SIZE = SKB_HEAD_ALIGN(max(MAX_TCP_HEADER, GRO_MAX_HEAD_PAD
 *  = MAX_HEADER + 128 + NET_SKB_PAD 64 = 368)) = 384 + 320 (not a power of two, so no +L1_CACHE_BYTES). */
export const SKB_SMALL_HEAD_CACHE_SIZE = 704;

/** The fixed truesize of a write-queue skb: tcp_stream_alloc_skb -> alloc_skb_fclone(MAX_TCP_HEADER) ->
 *  kmalloc_reserve takes SKB_HEAD_ALIGN(MAX_TCP_HEADER) from skb_small_head_cache (if it fits), and
 *  tcp_stream_alloc_skb sets truesize = SKB_TRUESIZE(skb_end_offset) = SKB_TRUESIZE(SKB_WITH_OVERHEAD(cache
 *  object)); the fclone's second sk_buff is not counted. Payload then goes to page frags, each copy adding
 *  its bytes (skb_copy_to_page_nocache: truesize += copy, sk_wmem_queued_add, sk_mem_charge). */
export function writeQueueSkbOverhead(maxTcpHeader: number, smallHeadCache: number, skbAligned: number, shinfoAligned: number): number {
  const head = Math.ceil(maxTcpHeader / 64) * 64 + shinfoAligned; // SKB_HEAD_ALIGN
  // mm/slab_common.c: kmalloc_size_roundup — a head too big for the small-head cache: kmalloc-1k and up
  let obj = smallHeadCache;
  if (head > smallHeadCache) for (obj = 1024; obj < head; obj *= 2);
  return obj - shinfoAligned + skbAligned + shinfoAligned;
}

/** 960 on Debian's 6.12 (832 on a 6.18 without WLAN or tunnels: MAX_HEADER 32, small-head cache 576). */
export const TCP_SKB_OVERHEAD = writeQueueSkbOverhead(MAX_TCP_HEADER, SKB_SMALL_HEAD_CACHE_SIZE, SKB_ALIGNED, SHINFO_ALIGNED);

/** The receive-side fields the window functions read and write. */
export interface RcvWindowState {
  rcvbuf: number;
  /** sk_rmem_alloc (truesize of queued skbs, receive + out-of-order queues). */
  rmemAlloc: number;
  /** sk_backlog.len */
  backlogLen: number;
  scalingRatio: number;
  windowClamp: number;
  rcvSsthresh: number;
  rcvWnd: number;
  rcvWscale: number;
  /** icsk_ack.rcv_mss */
  rcvMss: number;
  advmss: number;
  /** icsk_ack.quick */
  quick: number;
}

/** include/net/tcp.h: __tcp_win_from_space */
export function winFromSpace(ratio: number, space: number): number {
  return Math.floor((space * ratio) / 256);
}

/** include/net/tcp.h: __tcp_space_from_win */
export function spaceFromWin(ratio: number, win: number): number {
  return Math.floor((win * 256) / ratio);
}

/** include/net/tcp.h: tcp_full_space */
export function tcpFullSpace(s: RcvWindowState): number {
  return winFromSpace(s.scalingRatio, s.rcvbuf);
}

/** include/net/tcp.h: tcp_space */
export function tcpSpace(s: RcvWindowState): number {
  return winFromSpace(s.scalingRatio, s.rcvbuf - s.backlogLen - s.rmemAlloc);
}

function roundupPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** net/ipv4/tcp_input.c: tcp_sndbuf_expand — the send buffer the socket wants. */
export function sndbufExpand(sndbuf: number, mssClamp: number, mssCache: number, cwnd: number, reordering: number, factor: number, wmemMax: number): number {
  const perMss = roundupPow2(Math.max(mssClamp, mssCache) + MAX_TCP_HEADER + SHINFO_ALIGNED) + SKB_ALIGNED;
  const nr = Math.max(TCP_INIT_CWND, cwnd, reordering + 1);
  const sndmem = factor * nr * perMss;
  return sndbuf < sndmem ? Math.min(sndmem, wmemMax) : sndbuf;
}

/** net/core/sock.c: sk_setsockopt(SO_RCVBUF) — the doubled, clamped value. */
export function soRcvbuf(v: number, rmemMax: number): number {
  v = Math.min(v, rmemMax, 0x3fffffff);
  return Math.max(v * 2, SOCK_MIN_RCVBUF);
}

/** net/core/sock.c: sk_setsockopt(SO_SNDBUF) */
export function soSndbuf(v: number, wmemMax: number): number {
  v = Math.min(v, wmemMax, 0x3fffffff);
  return Math.max(v * 2, SOCK_MIN_SNDBUF);
}

export interface InitialRcvWindow {
  rcvWnd: number;
  wscale: number;
  windowClamp: number;
}

/** net/ipv4/tcp_output.c: tcp_select_initial_window (no route initrwnd,
 *  tcp_workaround_signed_windows 0). `clamp0` = window_clamp before (0 = none). */
export function selectInitialWindow(space: number, mss: number, clamp0: number, wscaleOk: boolean, rmem2: number, rmemMax: number): InitialRcvWindow {
  let clamp = clamp0 === 0 ? 65535 * 2 ** 14 : clamp0;
  space = Math.min(clamp, space);
  if (space > mss) space = Math.floor(space / mss) * mss;
  let wscale = 0;
  if (wscaleOk) {
    const m = Math.min(Math.max(space, rmem2, rmemMax), clamp);
    wscale = Math.max(0, Math.min(14, Math.floor(Math.log2(m)) - 15));
  }
  clamp = Math.min(65535 * 2 ** wscale, clamp);
  return { rcvWnd: space, wscale, windowClamp: clamp };
}

/** net/ipv4/tcp_input.c: tcp_init_buffer_space, receive half (tcp_app_win = 31).
 *  Returns rcvq_space.space; updates windowClamp and rcvSsthresh. */
export function initRcvBufferSpace(s: RcvWindowState): number {
  const maxwin = tcpFullSpace(s);
  if (s.windowClamp >= maxwin) {
    s.windowClamp = maxwin;
    if (maxwin > 4 * s.advmss) s.windowClamp = Math.max(maxwin - Math.floor(maxwin / 2 ** 31), 4 * s.advmss);
  }
  if (s.windowClamp > 2 * s.advmss && s.windowClamp + s.advmss > maxwin) s.windowClamp = Math.max(2 * s.advmss, maxwin - s.advmss);
  s.rcvSsthresh = Math.min(s.rcvSsthresh, s.windowClamp);
  return Math.min(s.rcvSsthresh, s.rcvWnd, 10 * s.advmss);
}

/** net/ipv4/tcp_output.c: __tcp_select_window (tcp_shrink_window = 0); `pressure` = tcp_under_memory_pressure.
 *  Its less common branches (free space below half the window, no window scaling) are out of line: it runs
 *  for every ACK sent and every segment received (docs/CONVENTIONS.md, hot functions). */
export function selectWindowRaw(s: RcvWindowState, pressure = false): number {
  let mss = s.rcvMss;
  let free = tcpSpace(s);
  const allowed = tcpFullSpace(s);
  const full = Math.min(s.windowClamp, allowed);
  if (mss > full) {
    mss = full;
    if (mss <= 0) return 0;
  }
  if (free < full >> 1) {
    free = selectWindowLow(s, pressure, free, allowed, mss);
    if (free < 0) return 0;
  }
  if (free > s.rcvSsthresh) free = s.rcvSsthresh;
  if (s.rcvWscale !== 0) {
    const unit = pow2(s.rcvWscale);
    return Math.ceil(free / unit) * unit;
  }
  return selectWindowUnscaled(s, free, mss, full);
}

/** __tcp_select_window with free space below half the full window: quick ACKs off, rcv_ssthresh clamped
 *  under pressure, free space rounded down to the window scale; -1 when the window is 0 (below 1/16 of the
 *  full space or one MSS). */
function selectWindowLow(s: RcvWindowState, pressure: boolean, free: number, allowed: number, mss: number): number {
  s.quick = 0;
  if (pressure) adjustRcvSsthresh(s);
  const unit = pow2(s.rcvWscale);
  free = Math.floor(free / unit) * unit;
  if (free < allowed >> 4 || free < mss) return -1;
  return free;
}

/** __tcp_select_window without window scaling: the window in whole MSS, kept while it is within one MSS of
 *  the free space. */
function selectWindowUnscaled(s: RcvWindowState, free: number, mss: number, full: number): number {
  let window = s.rcvWnd;
  if (window <= free - mss || window > free) window = Math.floor(free / mss) * mss;
  else if (mss === full && free > window + (full >> 1)) window = free;
  return window;
}

/** include/net/tcp.h: tcp_adjust_rcv_ssthresh — under memory pressure the window grows no further than 4 MSS
 *  (no SO_RESERVE_MEM in the model, so no reserved memory keeps it higher). */
export function adjustRcvSsthresh(s: RcvWindowState): void {
  s.rcvSsthresh = Math.min(s.rcvSsthresh, 4 * s.advmss);
}

/** net/ipv4/tcp_input.c: tcp_grow_window. `len` = skb->len, `truesize` = skb->truesize;
 *  `pressure` = tcp_under_memory_pressure (no growth then: rcv_ssthresh is cut to 4 MSS instead). */
export function growWindow(s: RcvWindowState, len: number, truesize: number, rmem2: number, pressure = false): void {
  const room = Math.min(s.windowClamp, tcpSpace(s)) - s.rcvSsthresh;
  if (room <= 0) return;
  if (pressure) {
    // tcp_grow_window: under pressure -> tcp_adjust_rcv_ssthresh
    adjustRcvSsthresh(s);
    return;
  }
  let incr: number;
  if (winFromSpace(s.scalingRatio, truesize) <= len) incr = 2 * s.advmss;
  else {
    // __tcp_grow_window
    let ts = winFromSpace(s.scalingRatio, truesize) >> 1;
    let window = winFromSpace(s.scalingRatio, rmem2) >> 1;
    incr = 0;
    while (s.rcvSsthresh <= window) {
      if (ts <= len) {
        incr = 2 * s.rcvMss;
        break;
      }
      ts >>= 1;
      window >>= 1;
    }
  }
  if (incr !== 0) {
    incr = Math.max(incr, 2 * len);
    s.rcvSsthresh += Math.min(room, incr);
    // tcp_grow_window: icsk_ack.quick |= 1 — the grown window is announced by a quick ACK
    s.quick |= 1;
  }
}

/** The DRS state (tp->rcvq_space, tp->rcv_rtt_est) and the inputs of one adjustment. */
export interface RcvSpaceState {
  space: number;
  /** rcvq_space.seq / .time (µs) */
  seq: number;
  time: number;
  /** rcv_rtt_est.rtt_us (8× scaled) */
  rttUs: number;
}

/** net/ipv4/tcp_input.c: tcp_rcv_space_adjust (6.12.y: `copied -= inq`, rcvwin =
 *  2·copied + 16·advmss plus the slow-start growth term). Returns the new sk_rcvbuf. */
export function rcvSpaceAdjust(
  d: RcvSpaceState,
  s: RcvWindowState,
  nowUs: number,
  copiedSeq: number,
  rcvNxt: number,
  moderate: boolean,
  locked: boolean,
  rmem2: number,
): void {
  const time = nowUs - d.time;
  // tcp_rcv_space_adjust: `time < (rcv_rtt_est.rtt_us >> 3)`, an integer shift
  if (time < d.rttUs >> 3 || d.rttUs === 0) return;
  const copied = copiedSeq - d.seq - (rcvNxt - copiedSeq);
  if (copied > d.space) {
    if (moderate && !locked) {
      let rcvwin = 2 * copied + 16 * s.advmss;
      const grow = Math.floor((rcvwin * (copied - d.space)) / d.space);
      rcvwin += 2 * grow;
      const rcvbuf = Math.min(spaceFromWin(s.scalingRatio, rcvwin), rmem2);
      if (rcvbuf > s.rcvbuf) {
        s.rcvbuf = rcvbuf;
        s.windowClamp = winFromSpace(s.scalingRatio, rcvbuf);
      }
    }
    d.space = copied;
  }
  d.seq = copiedSeq;
  d.time = nowUs;
}

/** net/ipv4/tcp_input.c: tcp_rcv_rtt_update — win_dep = true for the one-window measurement. */
export function rcvRttUpdate(d: RcvSpaceState, sampleUs: number, winDep: boolean): void {
  const m = sampleUs * 8;
  const old = d.rttUs;
  if (old === 0 || m < old) d.rttUs = m;
  else if (!winDep) d.rttUs = old - (old >> 3) + sampleUs;
}

/** net/ipv4/tcp_input.c: tcp_update_pacing_rate (bytes/s). `srttUs8` = tp->srtt_us (8× scaled). */
export function pacingRate(mss: number, cwnd: number, ssthresh: number, packetsOut: number, srttUs8: number, ssRatio = 200, caRatio = 120): number {
  let rate = mss * ((1e6 / 100) * 8);
  // tcp_update_pacing_rate: `snd_cwnd < snd_ssthresh / 2`, a u32 division
  rate *= cwnd < Math.floor(ssthresh / 2) ? ssRatio : caRatio;
  rate *= Math.max(cwnd, packetsOut);
  if (srttUs8 > 0) rate = Math.floor(rate / srttUs8);
  return rate;
}
