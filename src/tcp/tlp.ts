// Tail loss probes (net/ipv4/tcp_output.c: tcp_schedule_loss_probe,
// tcp_send_loss_probe; tcp_input.c: tcp_process_tlp_ack), 6.12 with
// net.ipv4.tcp_early_retrans = 3: a SACK connection in Open with data out
// arms a probe timer for 2·srtt (+ the 200 ms minimum RTO when one segment is
// out, else + 2 ms), never later than the RTO. When it fires, one new segment
// goes out (ignoring cwnd) or the last segment is retransmitted
// (TCPLossProbes); if the ACK that covers the probe shows a loss was repaired
// by it, cwnd is reduced once (TCPLossProbeRecovery).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { TcpConn } from "./conn.js";
import { TCP_CA_CWR, TCP_CA_Open } from "./cc.js";
import { TCP_RTO_MIN_US } from "./rtt.js";
import { TCP_TIMEOUT_MIN_US } from "./rack.js";
import { ICSK_TIME_LOSS_PROBE, TCP_NAGLE_OFF, checkSpace, rearmRto, rtoDeltaUs, tcpResetXmitTimer, sndWndTest, tlpRetransmitTail, writeXmit } from "./data-out.js";
import { TCP_TIMEOUT_INIT } from "./constants.js";
import { sendHead } from "./send-head.js";
import { currentMss } from "./options.js";
import { unwrap } from "./data-out.js";

/** usecs_to_jiffies at HZ=1000, as ns. */
const jiffiesNs = (us: number): number => Math.ceil(us / 1000) * 1e6;

/** net/ipv4/tcp_output.c: tcp_schedule_loss_probe — true when the probe timer was armed. */
export function scheduleLossProbe(t: TcpHost, sk: TcpSock, c: TcpConn, advancingRto: boolean): boolean {
  if ((t.earlyRetrans !== 3 && t.earlyRetrans !== 4) || c.packetsOut === 0 || !sk.sackOk) return false;
  if (c.caState !== TCP_CA_Open && c.caState !== TCP_CA_CWR) return false;
  let timeout: number;
  if (c.rtt.srttUs > 0) {
    // srtt_us is 8× scaled: >> 2 is 2·srtt
    const us = (c.rtt.srttUs >> 2) + (c.packetsOut === 1 ? TCP_RTO_MIN_US : TCP_TIMEOUT_MIN_US);
    timeout = jiffiesNs(us);
  } else timeout = TCP_TIMEOUT_INIT;
  // never later than the RTO would fire
  const rtoDelta = advancingRto ? c.icskRtoUs() : rtoDeltaUs(t, c);
  if (rtoDelta > 0) timeout = Math.min(timeout, jiffiesNs(rtoDelta));
  tcpResetXmitTimer(t, c, ICSK_TIME_LOSS_PROBE, timeout); // tcp_schedule_loss_probe: tcp_reset_xmit_timer
  return true;
}

/** net/ipv4/tcp_output.c: tcp_send_loss_probe */
export function sendLossProbe(t: TcpHost, sk: TcpSock, c: TcpConn): void {
  let newData = false;
  // at most one probe outstanding
  if (c.tlpHighSeq === 0) {
    c.tlpRetrans = false;
    let sent = false;
    // tcp_send_head with tcp_snd_wnd_test: unsent data, or the FIN skb of its own; a send head outside the
    // window leaves the probe to the tail's retransmission
    // (mss = tcp_current_mss, as tcp_write_xmit's below)
    if (sendHead(c) && sndWndTest(c, c.sndNxt, currentMss(sk, c))) {
      // new data: tcp_write_xmit with push_one = 2 (one skb, cwnd ignored)
      const before = c.packetsOut;
      writeXmit(t, sk, c, 2, TCP_NAGLE_OFF);
      sent = c.packetsOut > before;
      newData = sent;
    } else if (c.rtx.count > 0 && tlpRetransmitTail(t, sk, c)) {
      c.tlpRetrans = true;
      sent = true;
    }
    if (sent) {
      // tp->snd_nxt, past the FIN's sequence number once the FIN has gone
      c.tlpHighSeq = unwrap(sk.iss + 1, sk.sndNxt, c.sndNxt);
      t.nstat.add(t.mib.LossProbes);
      c.xmitPending = 0; // tcp_rearm_rto restarts the timer from now
    }
  }
  rearmRto(t, c);
  // tcp_event_new_data_sent's tcp_check_space for a probe of new data (run last: the model's wake calls the
  // writer at once)
  if (newData) checkSpace(t, sk, c);
}

/** net/ipv4/tcp_input.c: tcp_process_tlp_ack — `ack` relative; `dsackTlp` = FLAG_DSACK_TLP, `notPureDup` =
 *  FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DATA_SACKED. true: the probe repaired a loss (reduce cwnd once). */
export function processTlpAck(t: TcpHost, c: TcpConn, ack: number, dsackTlp: boolean, notPureDup: boolean): boolean {
  if (ack < c.tlpHighSeq) return false;
  if (!c.tlpRetrans || dsackTlp) {
    // new data probed and ACKed, or the original and the probe both arrived
    c.tlpHighSeq = 0;
    return false;
  }
  if (ack > c.tlpHighSeq) {
    t.nstat.add(t.mib.LossProbeRecovery);
    return true;
  }
  if (!notPureDup) c.tlpHighSeq = 0;
  return false;
}
