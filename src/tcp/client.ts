// Active open: connect() (net/ipv4/tcp_output.c: tcp_connect), the SYN
// retransmission timer (net/ipv4/tcp_timer.c: tcp_retransmit_timer,
// tcp_write_timeout) and SYN_SENT input (tcp_rcv_synsent_state_process).
import type { TcpHost } from "./tcp-host.js";
import type { TcpSock } from "./sock.js";
import type { ConnectPopulation } from "./population.js";
import { TCP_ESTABLISHED, TCP_MSS_DEFAULT, TCP_V6_MSS_DEFAULT, TCP_RTO_MAX, TCP_SYN_SENT, TCP_TIMEOUT_INIT, TCP_TIMEOUT_MIN_JIFFIES } from "./constants.js";
import { jiffyNs } from "../sim/jiffies.js";
import { TCPHDR_ACK, TCPHDR_RST, TCPHDR_SYN } from "../wire/tcp.js";
import { addrKey } from "./segment.js";
import { firstTxhash, timeoutRehash } from "./txhash.js";
import { storeTsRecent } from "./paws.js";
import { clientSynAckUndo, clientSynRetransmit } from "./syn-undo.js";
import { tsoptSynAckRttNs } from "./synack-rtt.js";
import { EPHEMERAL_HIGH, EPHEMERAL_LOW } from "./ephemeral-ports.js";

/** __inet_hash_connect over Linux's default net.ipv4.ip_local_port_range: a random start, then the
 *  first port whose 4-tuple is free (no listener on it, no socket on it to this destination); -1 if
 *  none (EADDRNOTAVAIL). The search reads a bitmap per destination (EphemeralPorts). */
function pickPort(t: TcpHost, rkey: number, rport: number): number {
  const start = t.env.rng.int(0, EPHEMERAL_HIGH - EPHEMERAL_LOW);
  return t.ephemeral.search(t.ports, rkey, rport, start);
}

function sendSyn(t: TcpHost, sk: TcpSock): void {
  const tx = t.txFor(sk);
  tx.seq = sk.iss;
  tx.ack = 0;
  tx.flags = TCPHDR_SYN;
  tx.window = t.synWin.window > 65535 ? 65535 : t.synWin.window;
  tx.mss = t.advmss;
  tx.sackPerm = t.sack !== 0;
  if (t.timestamps !== 0) {
    tx.ts = true;
    tx.tsVal = (t.nowMs() + sk.tsOff) >>> 0;
    tx.tsEcr = 0;
  }
  if (t.windowScaling !== 0) tx.wscale = t.synWin.wscale;
  // tcp_transmit_skb: skb_set_hash_from_sk, and the SYN is the socket's (skb->sk)
  t.transmit(sk.txhash, sk);
}

/** connect(): false when no local port is free (EADDRNOTAVAIL). */
export function tcpConnect(t: TcpHost, pop: ConnectPopulation, daddr: Uint8Array, dport: number, holdNs: number, appInit: TcpSock["appInit"] = null): boolean {
  pop.attempted++;
  const rkey = addrKey(daddr, 0, daddr.length);
  const sport = pickPort(t, rkey, dport);
  if (sport < 0) {
    pop.onFailed();
    return false;
  }
  const sk = t.newSock();
  sk.state = TCP_SYN_SENT;
  sk.v6 = daddr.length === 16;
  sk.lport = sport;
  sk.rport = dport;
  sk.raddr = daddr;
  sk.rkey = rkey;
  sk.iss = t.initSeq(rkey, sport, dport);
  sk.sndUna = sk.iss;
  sk.sndNxt = (sk.iss + 1) >>> 0;
  sk.tsOk = t.timestamps !== 0;
  sk.tsOff = sk.tsOk ? t.tsOffset(rkey) : 0;
  sk.rcvWnd = t.synWin.window;
  sk.rcvWscale = t.windowScaling !== 0 ? t.synWin.wscale : 0;
  sk.population = pop;
  sk.connectAt = t.now;
  sk.holdNs = holdNs;
  sk.appInit = appInit;
  sk.timeout = TCP_TIMEOUT_INIT;
  t.hash(sk);
  // net/ipv4/tcp_ipv4.c: tcp_v4_connect -> sk_set_txhash
  sk.txhash = firstTxhash(sk);
  t.nstat.add(t.mib.ActiveOpens);
  sendSyn(t, sk);
  // tcp_connect: inet_csk_reset_xmit_timer(icsk_rto) -> sk_reset_timer -> mod_timer, on the wheel's grid
  t.armTimerList(sk, sk.timeout, t.kRtx);
  return true;
}

/** tcp_model_timeout(sk, boundary, TCP_TIMEOUT_INIT): the time budget of `boundary` retries. */
function modelTimeout(boundary: number): number {
  const thresh = Math.floor(Math.log2(TCP_RTO_MAX / TCP_TIMEOUT_INIT));
  if (boundary <= thresh) return ((2 << boundary) - 1) * TCP_TIMEOUT_INIT;
  return ((2 << thresh) - 1) * TCP_TIMEOUT_INIT + (boundary - thresh) * TCP_RTO_MAX;
}

/** Connection attempt failed (tcp_done from SYN_SENT: AttemptFails). */
function connectFailed(t: TcpHost, sk: TcpSock): void {
  t.nstat.add(t.mib.AttemptFails);
  sk.population?.onFailed();
  t.destroy(sk);
}

export function tcpRetransmitTimer(t: TcpHost, sk: TcpSock): void {
  if (sk.state !== TCP_SYN_SENT) return;
  t.nstat.add(t.mib.Timeouts);
  // tcp_write_timeout: SYN_SENT gives up after syn_retries + linear timeouts
  // retransmissions, or once the modelled time budget is spent.
  const maxRetransmits = t.synRetries + t.synLinearTimeouts;
  if (sk.retransmits >= maxRetransmits || (sk.retransmits > 0 && t.now - sk.connectAt >= modelTimeout(t.synRetries))) {
    // net/ipv4/tcp_timer.c: tcp_write_err — TCPAbortOnTimeout, then tcp_done
    t.nstat.add(t.mib.AbortOnTimeout);
    connectFailed(t, sk);
    return;
  }
  // net/ipv4/tcp_input.c: tcp_enter_loss -> tcp_timeout_mark_lost -> tcp_mark_skb_lost: a SYN already
  // retransmitted is TCPCB_LOST | TCPCB_SACKED_RETRANS, lost again: TCPLostRetransmit
  if (sk.retransmits > 0) t.nstat.add(t.mib.LostRetransmit);
  // tcp_write_timeout: sk_rethink_txhash, so the retransmitted SYN may leave by another TX queue
  timeoutRehash(t, sk, sk.retransmits);
  // tcp_retransmit_skb of the SYN
  clientSynRetransmit(sk);
  t.nstat.add(t.mib.RetransSegs);
  t.nstat.add(t.mib.SynRetrans);
  // the SYN's end_seq is snd_nxt: __tcp_transmit_skb does not count it in TcpOutSegs
  t.outRetransmit = true;
  sendSyn(t, sk);
  sk.retransmits++;
  sk.totalRto++;
  // tcp_syn_linear_timeouts: the first retransmissions keep the initial RTO
  if (sk.totalRto > t.synLinearTimeouts) sk.timeout = Math.min(sk.timeout * 2, TCP_RTO_MAX);
  // inet_csk_reset_xmit_timer from tcp_write_timer's callback
  t.armTimerList(sk, sk.timeout, t.kRtx);
}

export function tcpRcvSynSent(t: TcpHost, sk: TcpSock, h: number): void {
  const rx = t.rx;
  const flg = rx.flags;
  if (flg & TCPHDR_ACK) {
    if (rx.ack !== sk.sndNxt) {
      // tcp_rcv_synsent_state_process: "Previous FIN/ACK or RST/ACK might be ignored": before any retransmission
      // (icsk_retransmits 0) the SYN timer is reset to TCP_TIMEOUT_MIN (inet_csk_reset_xmit_timer; icsk_rto kept)
      if (sk.retransmits === 0) t.armTimerList(sk, TCP_TIMEOUT_MIN_JIFFIES * jiffyNs(t.hz), t.kRtx);
      // reset_and_undo -> tcp_v4_do_rcv's reset: tcp_v4_send_reset(sk, skb) carries sk->sk_txhash
      t.sendReset(sk.txhash);
      t.dropSkb(h, "TCP_INVALID_ACK_SEQUENCE");
      return;
    }
    // RFC 7323: an echo (less tsoffset) outside [retrans_stamp, now] — before our first SYN left
    // (tcp_connect: tcp_time_stamp_ts) or in the future — is not one of ours: reset_and_undo, which
    // tcp_v4_do_rcv answers with an RST
    if (t.timestamps !== 0 && rx.ts && rx.tsEcr !== 0) {
      const tsecr = (rx.tsEcr - sk.tsOff) >>> 0;
      const stamp = Math.floor(sk.connectAt / 1e6) >>> 0;
      // between(tsecr, retrans_stamp, tcp_time_stamp_ts(tp))
      if (((t.nowMs() - stamp) >>> 0) < ((tsecr - stamp) >>> 0)) {
        t.nstat.add(t.mib.PAWSActive);
        t.sendReset();
        t.dropSkb(h, "TCP_RFC7323_PAWS");
        return;
      }
    }
    if (flg & TCPHDR_RST) {
      // tcp_reset in SYN_SENT: ECONNREFUSED
      t.dropSkb(h, "TCP_RESET");
      connectFailed(t, sk);
      return;
    }
    if (!(flg & TCPHDR_SYN)) {
      t.dropSkb(h, "TCP_FLAGS");
      return;
    }
    clientSynAckUndo(t, sk);
    sk.irs = rx.seq;
    sk.rcvNxt = (rx.seq + 1) >>> 0;
    sk.sndUna = rx.ack;
    // no MSS option: rx_opt.mss_clamp as tcp_v4_connect / tcp_v6_connect left it (536 / 1220)
    sk.mss = rx.mss > 0 ? rx.mss : sk.v6 ? TCP_V6_MSS_DEFAULT : TCP_MSS_DEFAULT;
    sk.tsOk = sk.tsOk && rx.ts;
    // tcp_store_ts_recent
    if (sk.tsOk) storeTsRecent(t, sk);
    else sk.tsOff = 0;
    sk.sackOk = t.sack !== 0 && rx.sackPerm;
    if (t.windowScaling !== 0 && rx.wscale >= 0) sk.sndWscale = rx.wscale;
    else {
      sk.sndWscale = -1;
      sk.rcvWscale = 0;
    }
    sk.state = TCP_ESTABLISHED;
    t.disarm(sk);
    sk.population?.onConnected(t.now - sk.connectAt);
    t.sendAck(sk);
    sk.peerWindow = rx.window;
    // tcp_ack of the SYN-ACK (tcp_clean_rtx_queue, FLAG_SYN_ACKED -> tcp_ack_update_rtt): the SYN's own timing
    // when it was never retransmitted; else (Karn) the SYN-ACK's timestamp echo, of the SYN that got through
    // tcp_ack of the SYN-ACK: seq_rtt_us between two µs clocks (tcp_stamp_us_delta), as data samples
    sk.synRttNs = sk.retransmits === 0 ? (Math.floor(t.now / 1000) - Math.floor(sk.connectAt / 1000)) * 1000 : tsoptSynAckRttNs(t, sk);
    if (sk.appInit !== null) sk.appInit(t, sk, rx.window, sk.synRttNs);
    if (sk.holdNs !== Infinity) t.arm(sk, t.now + sk.holdNs, t.kClose);
    t.deliverSkb(h);
    return;
  }
  t.dropSkb(h, flg & TCPHDR_RST ? "TCP_RESET" : "TCP_FLAGS");
}
