// RFC 7323 PAWS (Protection Against Wrapped Sequences) as 6.12 checks it on a synchronized socket:
// ts_recent (the last in-window TSval) and ts_recent_stamp (ktime_get_seconds when it was stored),
// tcp_paws_check / tcp_paws_discard / tcp_paws_reject (include/net/tcp.h), tcp_disordered_ack and
// tcp_validate_incoming's rejection (net/ipv4/tcp_input.c). The request and TIME_WAIT checks
// (tcp_check_req, tcp_timewait_state_process) and SYN_SENT's PAWSActive use pawsReject from here.
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_SYN } from "../wire/tcp.js";
import { enterQuickack, unwrap } from "./data-out.js";
import { dsackSet } from "./dsack.js";
import { pow2 } from "../util/pow2.js";

/** include/net/tcp.h: TCP_PAWS_WRAP (INT_MAX / USEC_PER_SEC: 2147 s; 6.12's replacement of TCP_PAWS_24DAYS) —
 *  a ts_recent this old no longer rejects anything. */
export const TCP_PAWS_WRAP = 2147;
/** include/net/tcp.h: TCP_PAWS_MSL — an RST passes PAWS once ts_recent is this old (s). */
export const TCP_PAWS_MSL = 60;
/** include/net/tcp.h: TCP_PAWS_WINDOW — tcp_paws_discard's replay window (TSval ticks). */
export const TCP_PAWS_WINDOW = 1;

/** How long the model's hosts have been up when a run starts (s). A real host's ktime_get_seconds is never 0
 *  while TCP runs, and 6.12 reads a ts_recent_stamp of 0 as "no timestamp seen" (tcp_timewait_state_process
 *  parses no options then): stamps taken in a run's first second must not be 0. Only differences of stamps
 *  are compared otherwise (TCP_PAWS_WRAP, TCP_PAWS_MSL), so the value changes nothing else. */
export const HOST_UPTIME_AT_START_S = 300;

/** ktime_get_seconds: the host's monotonic seconds since boot. */
export function ktimeGetSeconds(t: TcpHost): number {
  return HOST_UPTIME_AT_START_S + Math.floor(t.now / 1e9);
}

/** include/net/tcp.h: tcp_paws_check — true when `tsVal` passes against (`tsRecent`, `stamp`) within `win`. */
export function pawsCheck(tsRecent: number, stamp: number, tsVal: number, win: number, nowSec: number): boolean {
  if (((tsRecent - tsVal) | 0) <= win) return true;
  // !time_before32(ktime_get_seconds(), ts_recent_stamp + TCP_PAWS_WRAP)
  if (((nowSec - (stamp + TCP_PAWS_WRAP)) | 0) >= 0) return true;
  // a peer that sent TSval 0 in its SYN (ts_recent 0) is never rejected
  return tsRecent === 0;
}

/** include/net/tcp.h: tcp_paws_reject — an RST passes once ts_recent is TCP_PAWS_MSL old. */
export function pawsReject(tsRecent: number, stamp: number, tsVal: number, rst: boolean, nowSec: number): boolean {
  if (pawsCheck(tsRecent, stamp, tsVal, 0, nowSec)) return false;
  return !(rst && ((nowSec - (stamp + TCP_PAWS_MSL)) | 0) >= 0);
}

/** net/ipv4/tcp_input.c: tcp_store_ts_recent */
export function storeTsRecent(t: TcpHost, sk: TcpSock): void {
  sk.tsRecent = t.rx.tsVal;
  sk.tsRecentStamp = ktimeGetSeconds(t);
}

/** net/ipv4/tcp_input.c: tcp_replace_ts_recent (from tcp_ack, FLAG_UPDATE_TS_RECENT): `notAfterWup` =
 *  !after(seq, rcv_wup). tcp_rcv_established's fast path stores under the same condition (seq == rcv_nxt ==
 *  rcv_wup, a TSval not below ts_recent), so one call stands for both paths. */
export function replaceTsRecent(t: TcpHost, sk: TcpSock, notAfterWup: boolean): void {
  const rx = t.rx;
  if (sk.tsOk && rx.ts && notAfterWup && pawsCheck(sk.tsRecent, sk.tsRecentStamp, rx.tsVal, 0, ktimeGetSeconds(t))) storeTsRecent(t, sk);
}

/** net/ipv4/tcp_input.c: tcp_disordered_ack (6.12) — a pure duplicate ACK at rcv_nxt that would not update the
 *  window, its TSval within tcp_tsval_replay (icsk_rto * 1200 / HZ ticks) of ts_recent: let through. */
function disorderedAck(t: TcpHost, sk: TcpSock): boolean {
  const rx = t.rx;
  const c = sk.conn;
  // (a socket without transfer state has received nothing: snd_wl1 is still the peer's ISN, below rcv_nxt,
  // so tcp_may_update_window holds)
  if (c === null) return false;
  if (!(rx.flags & TCPHDR_ACK) || rx.dataLen !== 0 || rx.flags & (TCPHDR_SYN | TCPHDR_FIN) || rx.seq !== sk.rcvNxt) return false;
  if (rx.ack !== sk.sndUna) return false;
  // !tcp_may_update_window(tp, ack, seq, window << snd_wscale) with ack == snd_una
  const seq = unwrap(sk.irs + 1, rx.seq, c.rcvNxt);
  const nwin = rx.window * pow2(sk.sndWscale >= 0 ? sk.sndWscale : 0);
  if (seq > c.sndWl1 || (seq === c.sndWl1 && (nwin > c.sndWnd || nwin === 0))) return false;
  // tcp_tsval_replay: icsk_rto in jiffies (HZ 1000) * 1200 / HZ
  const replay = Math.floor((Math.floor(c.icskRtoUs() / 1000) * 1200) / 1000);
  return ((sk.tsRecent - rx.tsVal) | 0) <= replay;
}

/** net/ipv4/tcp_input.c: tcp_paws_discard (t.rx carries a timestamp and the socket negotiated them). */
export function pawsDiscard(t: TcpHost, sk: TcpSock): boolean {
  return !pawsCheck(sk.tsRecent, sk.tsRecentStamp, t.rx.tsVal, TCP_PAWS_WINDOW, ktimeGetSeconds(t)) && !disorderedAck(t, sk);
}

/** net/ipv4/tcp_input.c: tcp_send_dupack — a segment with sequence space starting below rcv_nxt is a
 *  retransmission we have (DelayedACKLost, quick-ack mode, a D-SACK of its part below rcv_nxt); then an ACK. */
export function sendDupack(t: TcpHost, sk: TcpSock): void {
  const rx = t.rx;
  const c = sk.conn;
  const len = rx.dataLen + (rx.flags & TCPHDR_SYN ? 1 : 0) + (rx.flags & TCPHDR_FIN ? 1 : 0);
  if (len !== 0 && ((rx.seq - sk.rcvNxt) | 0) < 0) {
    t.nstat.add(t.mib.DelayedACKLost);
    if (c !== null) {
      enterQuickack(c);
      // (tcp_rcv_spurious_retrans's txhash rethink is not modelled)
      const seq = unwrap(sk.irs + 1, rx.seq, c.rcvNxt);
      dsackSet(t, sk, c, seq, Math.min(seq + len, c.rcvNxtFin()));
    }
  }
  t.sendAck(sk);
}
