// A NAPI poll's IPv4 SYNs for one listener that answers each with a cookie
// (tcp_syncookies=2, or a full SYN queue with cookies on), through IP and TCP
// in one call: what src/net/stack.ts listenRun, src/tcp/tcp-host.ts
// rcvListenSyn and src/tcp/conn-request.ts tcpConnRequest (the cookie
// branch) do per SYN, in their order, for the SYNs whose every check passes
// the common way: the SYN-ACK's skb allocated (skb_alloc_one, as TS's
// alloc), its row written into the cookie burst area (cookie.ts; stamped
// at the poll's flush as before), the SYN consumed (freed into the pending
// area, as TS's freeLater). The first SYN that would take another branch
// (another port or flags, a martian source, options in another layout,
// data, a template slot not made yet) ends the run: TS takes that one its
// own way and may call again. TS keeps what is constant over the run (the
// listener, its queues, the sysctls, the clock) and adds the counters once.
import { SKB_GSO_SEGS, SKB_LEN, SKB_LIVE, SKB_NETWORK, SKB_NONE, SKB_PENDING_CAP, SKB_PROTOCOL, SKB_TRANSPORT, skb_alloc_one, skb_free_pending, skb_get, skb_hdr, skb_pending_ptr, skb_set } from "./skb";
import { COOKIE_BURST, COOKIE_ROW_TS_OFF, cookie_burst_ptr } from "./cookie";

const ETH_P_IP: u32 = 0x0800;
const IPPROTO_TCP: u32 = 6;
const ROW_U32: u32 = 12;
/** listen_cookie4's flagsA bits: the sysctls' answer for a SYN in the Linux layout. */
const LA_TS: u32 = 1;
const LA_SACK: u32 = 2;
const LA_WS: u32 = 4;

@inline function be16(p: usize): u32 {
  return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p, 1);
}

@inline function be32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

// net/ipv4/syncookies.c: msstab, __cookie_v4_init_sequence — the largest index whose entry is <= mss
@inline function mssIndex4(mss: u32): u32 {
  if (mss >= 1460) return 3;
  if (mss >= 1440) return 2;
  if (mss >= 1300) return 1;
  return 0;
}

/** The n SYNs whose handles are at scratch address `at`, for local address `me` and listener port
 *  `port`, while each passes: returns how many were consumed, with (<< 16) how many got a row (those
 *  whose SYN-ACK skb was allocated), written from burst row `row0` on. Layout A (hl 40: MSS,
 *  SACK_PERM, timestamps, NOP, window scale, as Linux writes a SYN) answers from template `slotA` with
 *  window `winA` and flagsA (LA_*: what the SYN's options give under tcp_timestamps, tcp_sack and
 *  tcp_window_scaling; a cookie without timestamps carries none); layout B (no options) from `slotB`,
 *  `winB`. A slot below 0 (none, or not made yet) ends the run at a SYN that needs it. `nowMs`,
 *  `count` (the cookie's minute counter) and `now` (the skb's birth) are the poll's. */
export function listen_cookie4(at: usize, n: u32, row0: u32, me: u32, port: u32, slotA: i32, winA: u32, flagsA: u32, slotB: i32, winB: u32, nowMs: f64, count: u32, now: f64): u32 {
  const burst = cookie_burst_ptr();
  const pend = skb_pending_ptr();
  const tsNow = <i64>nowMs;
  let rows: u32 = 0;
  let k: u32 = 0;
  for (; k < n; k++) {
    if (row0 + rows >= COOKIE_BURST) break;
    const h = load<u32>(at + (<usize>k << 2));
    if (skb_get(SKB_LIVE, h) != 1) break;
    // net/ipv4/ip_input.c: ip_rcv_core / ip_local_deliver as Stack.listenRun checks them
    if (skb_get(SKB_PROTOCOL, h) != ETH_P_IP) break;
    const base = skb_hdr(h);
    const tOff = skb_get(SKB_TRANSPORT, h);
    const ip = base + <usize>skb_get(SKB_NETWORK, h);
    if (be32(ip + 16) != me || <u32>load<u8>(ip, 9) != IPPROTO_TCP || (be16(ip + 6) & 0x3fff) != 0) break;
    const saddr = be32(ip + 12);
    // src/net/martian.ts martianSource4, and our own address as the source
    const top = saddr >>> 24;
    if (saddr == me || (top & 0xf0) == 0xe0 || saddr == 0xffffffff || saddr == 0 || top == 127) break;
    // tcp_v4_rcv -> the listener (TcpHost.rcvListenSyn): SYN alone among SYN, ACK, RST, FIN; its port
    const th = base + <usize>tOff;
    if ((<u32>load<u8>(th, 13) & 0x17) != 0x02 || be16(th + 2) != port) break;
    const hl = (<u32>load<u8>(th, 12) >> 4) << 2;
    // consumed, not read (NetRx.onDeliver: no payload, so no recvmsg charge); one segment for the ledger
    if (<i32>skb_get(SKB_LEN, h) - <i32>tOff - <i32>hl > 0 || skb_get(SKB_GSO_SEGS, h) > 1) break;
    // tcp_parse_options for the two layouts SegIn.parse takes in one step; tcp_conn_request's cookie branch
    let slot = slotB;
    let win = winB;
    let mss: u32 = 536; // TCP_MSS_DEFAULT without an MSS option
    let tsStamp: u32 = 0;
    let tsEcr: u32 = 0;
    let rowFlags: u32 = 0;
    if (hl == 40) {
      const p = th + 20;
      if (load<u8>(p) != 2 || load<u8>(p, 1) != 4 || load<u8>(p, 4) != 4 || load<u8>(p, 5) != 2 || load<u8>(p, 6) != 8 || load<u8>(p, 7) != 10 || load<u8>(p, 16) != 1 || load<u8>(p, 17) != 3 || load<u8>(p, 18) != 3) break;
      slot = slotA;
      win = winA;
      const m = be16(p + 2);
      if (m > 0) mss = m;
      if ((flagsA & LA_TS) != 0) {
        // cookie_init_timestamp: the options in TSval's low bits (tcp_parse_options clamps the scale to 14)
        const ws = <u32>load<u8>(p, 19);
        let options: u32 = (flagsA & LA_WS) != 0 ? (ws > 14 ? 14 : ws) : 0xf;
        if ((flagsA & LA_SACK) != 0) options |= 0x10;
        let ts = (tsNow >> 6 << 6) + <i64>options;
        if (ts > tsNow) ts -= 64;
        tsStamp = <u32>ts;
        tsEcr = be32(p + 8);
        rowFlags = COOKIE_ROW_TS_OFF;
      }
    } else if (hl != 20) break;
    if (slot < 0) break;
    // tcp_v4_send_synack's skb (the host's alloc), then the row cookie_synack4_burst stamps
    const out = skb_alloc_one(now);
    if (out != SKB_NONE) {
      const r = burst + (<usize>((row0 + rows) * ROW_U32) << 2);
      store<u32>(r, <u32>slot);
      store<u32>(r, out, 4);
      store<u32>(r, saddr, 8);
      store<u32>(r, port, 12);
      store<u32>(r, be16(th), 16);
      store<u32>(r, be32(th + 4), 20);
      store<u32>(r, mssIndex4(mss), 24);
      store<u32>(r, count, 28);
      store<u32>(r, win > 65535 ? 65535 : win, 32);
      store<u32>(r, tsStamp, 36);
      store<u32>(r, tsEcr, 40);
      store<u32>(r, rowFlags, 44);
      rows++;
    }
    // tcp_rcv_state_process (TCP_LISTEN): consume_skb — TS's freeLater (pending area, drained before the next alloc)
    skb_set(SKB_LIVE, h, 0);
    const pk = load<u32>(pend) + 1;
    store<u32>(pend + (<usize>pk << 2), h);
    store<u32>(pend, pk);
    if (pk == SKB_PENDING_CAP) skb_free_pending();
  }
  return k | (rows << 16);
}
