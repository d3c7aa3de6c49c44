// Per-connection data-transfer state of an ESTABLISHED socket (the parts of
// struct tcp_sock / inet_connection_sock / struct sock that move data).
// Sequence numbers are kept as plain numbers relative to the first data byte
// (ISN+1) so that they never wrap inside the model; the wire carries them
// modulo 2^32. Data is modelled as byte counts: the sender keeps a scoreboard
// of segment boundaries (no skbs), the receiver the truesize of what its
// queues hold; every skb is freed (delivered or dropped) when it arrives.
import type { OfoRange } from "./ofo-queue.js";
import type { CongestionOps, CcSock } from "./cc.js";
import { TCP_CA_Open } from "./cc.js";
import { TCP_RTO_MAX_US, newRttState, type RttState } from "./rtt.js";
import { pow2 } from "../util/pow2.js";
import { F64Keys, f64Fields } from "../util/f64-field.js";
import { SockBacklog } from "./backlog.js";
import { RcvQueue } from "./rcv-queue.js";
import { SkbEnds } from "./skb-ends.js";
import { TCP_DEFAULT_SCALING_RATIO, TCP_INIT_CWND, type RcvSpaceState, type RcvWindowState } from "./buffers.js";

/** Scoreboard flags (TCP_SKB_CB(skb)->sacked). */
export const TCPCB_SACKED_ACKED = 1;
export const TCPCB_LOST = 2;
export const TCPCB_SACKED_RETRANS = 4;
export const TCPCB_EVER_RETRANS = 8;

/** The sender's retransmission queue as a ring of segment records. */
export class Scoreboard {
  start = new Float64Array(64);
  end = new Float64Array(64);
  sentAt = new Float64Array(64);
  /** tp->delivered when the segment was (re)sent (TCP_SKB_CB(skb)->tx.delivered, the rate sample's prior_delivered). */
  deliveredAt = new Float64Array(64);
  flags = new Uint8Array(64);
  /** The sender's cumulative sk_wmem_alloc charge (TcpConn.wmemCharged) just after the segment's latest
   *  (re)transmission: that skb has left the host once wmemFreed reaches it (skb_still_in_host_queue). */
  charged = new Float64Array(64);
  head = 0;
  count = 0;

  private grow(): void {
    const n = this.start.length * 2;
    const re = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      for (let i = 0; i < this.count; i++) b[i] = a[(this.head + i) & (a.length - 1)]!;
      return b;
    };
    this.start = re(this.start, (k) => new Float64Array(k));
    this.end = re(this.end, (k) => new Float64Array(k));
    this.sentAt = re(this.sentAt, (k) => new Float64Array(k));
    this.deliveredAt = re(this.deliveredAt, (k) => new Float64Array(k));
    this.flags = re(this.flags, (k) => new Uint8Array(k));
    this.charged = re(this.charged, (k) => new Float64Array(k));
    this.head = 0;
  }

  /** Physical index of the i-th record from the head. */
  at(i: number): number {
    return (this.head + i) & (this.start.length - 1);
  }

  push(start: number, end: number, sentAt: number, delivered = 0, charged = 0): void {
    if (this.count === this.start.length) this.grow();
    const j = this.at(this.count);
    this.start[j] = start;
    this.end[j] = end;
    this.sentAt[j] = sentAt;
    this.deliveredAt[j] = delivered;
    this.charged[j] = charged;
    this.flags[j] = 0;
    this.count++;
  }

  shift(): void {
    this.head = (this.head + 1) & (this.start.length - 1);
    this.count--;
  }

  /** Cut the i-th record at `at` (start < at < end): [at, end) becomes a record of its own right after it, with
   *  the same flags, send stamp, delivered and charge (tcp_fragment: buff takes skb's sacked, tstamp and tx).
   *  The records behind move one place toward the tail (rare: a retransmission cut to tcp_current_mss). */
  split(i: number, at: number): void {
    if (this.count === this.start.length) this.grow();
    for (let k = this.count; k > i + 1; k--) {
      const to = this.at(k);
      const from = this.at(k - 1);
      this.start[to] = this.start[from]!;
      this.end[to] = this.end[from]!;
      this.sentAt[to] = this.sentAt[from]!;
      this.deliveredAt[to] = this.deliveredAt[from]!;
      this.charged[to] = this.charged[from]!;
      this.flags[to] = this.flags[from]!;
    }
    const j = this.at(i);
    const n = this.at(i + 1);
    this.start[n] = at;
    this.end[n] = this.end[j]!;
    this.sentAt[n] = this.sentAt[j]!;
    this.deliveredAt[n] = this.deliveredAt[j]!;
    this.charged[n] = this.charged[j]!;
    this.flags[n] = this.flags[j]!;
    this.end[j] = at;
    this.count++;
  }
}

/** The application on this end (set by the traffic generator or the listener). */
export interface TcpApp {
  /** The socket became writable again (sk_stream_write_space). */
  onWritable?(c: TcpConn): void;
  /** New in-order bytes are readable (sk_data_ready). */
  onReadable?(c: TcpConn): void;
  /** The reader consumed `n` bytes. */
  onRead?(c: TcpConn, n: number): void;
  /** The peer closed (FIN received). */
  onEof?(c: TcpConn): void;
}

/** include/net/tcp.h: TCP_FASTRETRANS_THRESH — net.ipv4.tcp_reordering's default (connInit sets tp->reordering
 *  from the host's sysctl). */
export const TCP_REORDERING = 3;

/** TcpConn's fields that hold sequence numbers, byte totals or ns times: doubles from the start
 *  (util/f64-field.ts), so that passing 2^31 deoptimises nothing. */
const CONN_F64 = new F64Keys(["now", "sndUna", "sndNxt", "writeSeq", "sndWl1", "fwdAlloc", "sndMem", "sndSml", "highSeq", "rackMstamp",
  "rackEndSeq", "fackEnd", "tlpHighSeq", "wmemAlloc", "wmemCharged", "wmemFreed", "wstampNs", "xmitMstamp", "rmemAlloc", "backlogLen",
  "rcvNxt", "rcvWup", "copiedSeq", "dsackStart", "dsackEnd", "lrcvtime", "rcvRttSeq", "ownedUntil", "readPending", "readWant",
  "readLast", "toWrite", "writePending", "writeLast", "startedAt", "lastAckAt", "bytesReceived", "bytesRead", "rateStampT",
  "cwndUsageSeq", "rsSentAt", "rsEndSeq"]);
const RCVQ_F64 = new F64Keys(["space", "seq"]);

export class TcpConn implements CcSock, RcvWindowState {
  /** The socket's slot in its host's table (the timers' argument). */
  slot = -1;
  // ---- congestion control view (CcSock) ----
  cwnd = TCP_INIT_CWND;
  ssthresh = 0x7fffffff;
  cwndCnt = 0;
  /** mss_cache */
  mss = 536;
  inFlight = 0;
  srttUs = 0;
  now = 0;
  /** tp->lsndtime: tcp_jiffies32 (at TcpHost.hz) when data was last sent (set at establishment too). */
  lsndtime = 0;
  /** tcp_is_cwnd_limited as tcp_cong_avoid's caller saw it (data-in.ts sets it before cong_avoid). */
  cwndLimited = false;
  /** tp->is_cwnd_limited: tcp_cwnd_validate's latch — a tcp_write_xmit of this window (until snd_una passes
   *  cwndUsageSeq) was cwnd-limited. */
  isCwndLimited = false;
  /** tp->cwnd_usage_seq (relative): snd_nxt when tcp_cwnd_validate last latched. */
  cwndUsageSeq = 0;
  /** tp->snd_cwnd_used: the most packets out seen by tcp_cwnd_validate while not cwnd-limited. */
  sndCwndUsed = 0;
  /** tp->snd_cwnd_stamp: tcp_jiffies32 (ms) of the last cwnd use or change (RFC 2861's clock). */
  sndCwndStamp = 0;
  /** tp->delivered: 1 once established — the client's tcp_clean_rtx_queue counts its ACKed SYN, the server's
   *  tcp_rcv_state_process its SYN-ACK (tp->delivered++), so no segment is sent with tx.delivered 0. */
  delivered = 1;
  deliveryRateBps = 0;

  // ---- send side ----
  /** Relative sequence numbers: snd_una, snd_nxt, write_seq. */
  sndUna = 0;
  sndNxt = 0;
  writeSeq = 0;
  /** Peer's window (bytes, scaled) and the ACK that set it (snd_wl1). */
  sndWnd = 0;
  sndWl1 = 0;
  maxWindow = 0;
  sndbuf = 16384;
  sndbufLocked = false;
  /** sk_forward_alloc: bytes of whole pages charged to tcp_mem and not used yet (mem.ts). */
  fwdAlloc = 0;
  /** sk_wmem_queued as last charged against sk_forward_alloc (mem.ts: sndMemSync). */
  sndMem = 0;
  /** The socket's tcp_mem pages were returned (destroyed, or replaced by a timewait sock). */
  memFreed = false;
  /** SOCK_NOSPACE: the writer found the buffer full. */
  nospace = false;
  /** snd_sml: end of the last small segment sent (Minshall's Nagle variant). */
  sndSml = 0;
  readonly rtx = new Scoreboard();
  packetsOut = 0;
  sackedOut = 0;
  lostOut = 0;
  /** tp->lost: packets ever marked lost (tcp_mark_skb_lost), a retransmission lost again included; an ACK's
   *  increase is the rate sample's losses (newly_lost). */
  lost = 0;
  retransOut = 0;
  /** tp->max_packets_out: packets_out when tcp_cwnd_validate last latched (tcp_is_cwnd_limited's slow-start test). */
  maxPacketsOut = 0;
  caState = TCP_CA_Open;
  highSeq = 0;
  priorCwnd = 0;
  prrDelivered = 0;
  prrOut = 0;
  /** Undo state (undo.ts): tp->undo_marker (relative, NO_UNDO = none), undo_retrans, retrans_stamp
   *  (ms clock of the first retransmission, -1 = none) and prior_ssthresh (0 = no undo of ssthresh). */
  undoMarker = -1;
  undoRetrans = -1;
  retransStamp = -1;
  priorSsthresh = 0;
  /** Duplicate ACKs in a row (Reno, no SACK). */
  dupAcks = 0;
  reordering = TCP_REORDERING;
  rtt: RttState = newRttState();
  /** RTOs since the last valid RTT sample: icsk_rto is the sample's RTO doubled this many times. */
  backoff = 0;
  /** icsk_backoff: raised by each RTO and by each zero-window probe (capped at tcp_retries2), the exponent
   *  of tcp_probe0_when; back to 0 on a valid RTT sample, a usable window (tcp_ack_probe) or when
   *  tcp_send_probe0 finds probing no longer needed. Unlike `backoff` it does not double icsk_rto. */
  icskBackoff = 0;
  /** icsk_retransmits: RTOs since snd_una last advanced (or a loss undo); tcp_enter_loss, F-RTO and
   *  tcp_write_timeout (write-timeout.ts) read it. */
  retransmits = 0;
  /** icsk_probes_out: zero-window probes sent since the last ACK (tcp_ack clears it); tcp_probe_timer aborts
   *  at tcp_retries2. */
  probesOut = 0;
  /** icsk_probes_tstamp: tcp_jiffies32 (at TcpHost.hz) of the first probe timer of this probing episode (-1 none). */
  probesTstamp = -1;
  /** icsk_user_timeout (TCP_USER_TIMEOUT), ms; 0 = the tcp_retries2 rules. */
  userTimeoutMs = 0;
  /** tp->timeout_rehash: RTOs that picked a new sk_txhash (tcp_write_timeout -> sk_rethink_txhash). */
  timeoutRehash = 0;
  /** tp->rcv_tstamp: tcp_jiffies32 (jiffies at TcpHost.hz) of the last acceptable ACK (establishment's included). */
  rcvTstamp = 0;
  /** sk_err: set when the connection failed (ETIMEDOUT from tcp_write_err), else 0. */
  sockErr = 0;
  /** SIGPIPEs a write on this socket raised (tcp_sendmsg_locked -> sk_stream_error: -EPIPE without MSG_NOSIGNAL). */
  sigpipes = 0;
  /** Pending retransmit / probe timer: icsk_timeout as its jiffy's tick (ns, Infinity = nothing pending) and
   *  the lazy event-loop entry that will look at it. */
  rtoDeadline = Infinity;
  /** icsk_retransmit_timer, the timer_list: its expires (jiffy tick, ns) and when the wheel runs it (its
   *  bucket's tick, ns; Infinity: not pending). Kept when icsk_pending is cleared: the timer still runs, and
   *  finds nothing to do (inet_csk_clear_xmit_timer does not stop it). */
  rtoTimerExp = Infinity;
  rtoTimerAt = Infinity;
  rtoEvent = -1;
  rtoEventAt = Infinity;
  /** icsk_pending: the ICSK_TIME_* the retransmit timer runs (0 none; data-out.ts). */
  xmitPending = 0;
  /** RACK (rack.ts): the latest delivered segment's send time (µs stamp, tp->rack.mstamp) and end, its RTT (µs), whether
   *  it advanced since the last scan; reo_wnd_steps/persist, a D-SACK seen, delivered at the last
   *  step; reord_seen; the highest SACKed end (tcp_highest_sack_seq) and whether this ACK armed REO. */
  rackMstamp = 0;
  rackEndSeq = 0;
  rackRttUs = 0;
  rackAdvanced = false;
  reoWndSteps = 1;
  reoWndPersist = 0;
  rackDsackSeen = false;
  rackLastDelivered = 0;
  reordSeen = 0;
  fackEnd = 0;
  /** This ACK armed the retransmit timer itself, clearing FLAG_SET_XMIT_TIMER: RACK's REO timer
   *  (tcp_rack_mark_lost) or tcp_check_sack_reneging's short RTO. */
  xmitTimerArmed = false;
  /** This ACK's *rexmit == REXMIT_LOST from tcp_fastretrans_alert: tcp_xmit_recovery runs tcp_xmit_retransmit_queue. */
  rexmitLost = false;
  /** This ACK's FLAG_SACK_RENEGING: tcp_clean_rtx_queue stopped at a SACKed segment (the receiver dropped data it
   *  had SACKed). */
  sackReneging = false;
  /** F-RTO runs in this Loss episode (tp->frto, frto.ts). */
  frto = false;
  /** This ACK (s)acked never-retransmitted data below high_seq (FLAG_ORIG_SACK_ACKED). */
  origAcked = false;
  /** tcp_process_loss chose REXMIT_NEW: new data before retransmissions (frto.ts). */
  frtoNew = false;
  /** What tcp_ack left to tcp_data_snd_check, which runs after tcp_data_queue (data-in.ts dataSndCheck):
   *  SND_DUE_XMIT (tcp_push_pending_frames) and SND_DUE_SPACE (tcp_check_space). 0 outside a segment's processing. */
  sndDue = 0;
  /** This ACK's rate sample (tcp_rate_skb_delivered): send time (µs), end_seq and tx.delivered of the most recently
   *  sent delivered segment. */
  rsSentAt = -1;
  rsEndSeq = 0;
  rsPriorDelivered = 0;
  /** TLP (tlp.ts): tlp_high_seq (0 none), tlp_retrans, and this ACK's FLAG_DSACK_TLP. */
  tlpHighSeq = 0;
  tlpRetrans = false;
  dsackTlp = false;
  cc: CongestionOps;
  pacingRate = 0;
  /** sk_wmem_alloc: truesize of this socket's skbs below TCP (qdisc, driver ring) until TX completion frees them. */
  wmemAlloc = 0;
  /** Truesize ever charged to / freed from sk_wmem_alloc (wmemAlloc = their difference). A socket's skbs
   *  leave the host in the order it sent them, so a segment's skb is gone once wmemFreed reaches its
   *  Scoreboard.charged mark (an skb dropped at enqueue is taken off both: it was never queued). */
  wmemCharged = 0;
  wmemFreed = 0;
  /** sk_wmem_alloc of software GSO segments not yet freed: their frees are not the skbs the marks
   *  track (the original counted as freed when GSO consumed it). */
  wmemSegs = 0;
  /** TSQ_THROTTLED: tcp_small_queue_check stopped tcp_write_xmit; the next free wakes it. */
  tsqThrottled = false;
  /** TSQ_QUEUED: the wake-up (tcp_tasklet_func) is scheduled. */
  tsqQueued = false;
  /** Times tcp_small_queue_check throttled this socket (no nstat counter exists in 6.12). */
  tsqThrottles = 0;
  /** sk_pacing_status == SK_PACING_FQ: fq paces this socket, TCP stamps departure times (EDT). */
  pacingFq = false;
  /** sk_pacing_status == SK_PACING_NEEDED (set by SO_MAX_PACING_RATE): TCP paces itself with its
   *  pacing hrtimer unless fq takes over (pacingFq wins, as SK_PACING_FQ replaces NEEDED). */
  pacingNeeded = false;
  /** tp->pacing_timer: the wheel event while queued (-1 idle), and how often it fired. */
  paceEvent = -1;
  paceTimerFires = 0;
  /** Times tcp_tso_should_defer held the send head (6.12 keeps no counter). */
  tsoDeferrals = 0;
  /** tp->tcp_wstamp_ns: earliest departure time of the next skb (ns). */
  wstampNs = 0;
  /** skb->skb_mstamp_ns of the last skb transmit() sent: tcp_wstamp_ns at __tcp_transmit_skb (its EDT stamp,
   *  ahead of now for an fq-paced socket), the send time the retransmit queue keeps (ns). */
  xmitMstamp = 0;
  /** sk_max_pacing_rate (SO_MAX_PACING_RATE), bytes/s. */
  maxPacingRate = Infinity;
  /** tp->data_segs_out */
  dataSegsOut = 0;
  /** sk_gso_max_size (0: the socket cannot GSO). */
  gsoMaxSize = 0;
  /** tcp_min_rtt (µs; Infinity before the first sample). */
  minRttUs = Infinity;
  /** tcp_tso_segs' last inputs (pacing rate, min RTT, mss) and answer. */
  tsoRate = NaN;
  tsoMinRtt = NaN;
  tsoMss = -1;
  tsoSegs = 1;

  // ---- receive side (RcvWindowState) ----
  rcvbuf = 131072;
  rcvbufLocked = false;
  rmemAlloc = 0;
  backlogLen = 0;
  scalingRatio = TCP_DEFAULT_SCALING_RATIO;
  windowClamp = 0;
  rcvSsthresh = 0;
  rcvWnd = 0;
  rcvWscale = 0;
  rcvMss = 536;
  advmss = 1460;
  quick = 0;
  /** Relative rcv_nxt, rcv_wup, copied_seq (data only: the peer's FIN is `eof`, and rcvWupFin for rcv_wup). */
  rcvNxt = 0;
  rcvWup = 0;
  /** 1 when rcv_wup counts the peer's FIN: tcp_select_window set it (= rcv_nxt) after the FIN came in. */
  rcvWupFin = 0;
  copiedSeq = 0;
  /** The write queue's skbs (unsent, from snd_nxt) and the retransmit queue's (sent, from snd_una): their
   *  ends, for sk_wmem_queued (skb-ends.ts). */
  readonly wq = new SkbEnds();
  readonly sentSkbs = new SkbEnds();
  /** Receive queue: [endSeq, truesize] per skb, FIFO. */
  readonly rq = new RcvQueue();
  /** Out-of-order queue: sorted disjoint ranges with their truesize (ofo-queue.ts). */
  ofo: OfoRange[] = [];
  /** icsk_ack: pending (SCHED), timer deadline, ato (ns, whole jiffies at TcpHost.hz), lrcvtime (tcp_jiffies32 as the
   *  ns of its jiffy's tick), NOMEM/NOW. */
  ackPending = false;
  ackNow = false;
  ackNomem = false;
  /** icsk_ack.retry: __tcp_send_ack's failed allocations since the last ACK sent (its back-off). */
  ackRetry = 0;
  /** tp->selective_acks[] (start, end pairs, relative) and rx_opt.num_sacks: the SACK blocks our ACKs carry,
   *  most recently changed first (sack-blocks.ts). */
  readonly selectiveAcks = new Float64Array(8);
  numSacks = 0;
  /** tp->rx_opt.dsack and duplicate_sack[0] (relative): a D-SACK block for the next ACK. */
  dsackPending = false;
  dsackStart = 0;
  dsackEnd = 0;
  /** tp->dsack_dups: duplicate segments the peer reported. */
  dsackDups = 0;
  /** ICSK_ACK_PUSHED / PUSHED2 bits of icsk_ack.pending. */
  ackPushed = 0;
  /** icsk_ack.pingpong: replies sent within ato of received data (interactive at tcp_pingpong_thresh). */
  pingpong = 0;
  /** icsk_ack.last_seg_size */
  lastSegSize = 0;
  /** tp->tcp_header_len: 20 plus the aligned timestamp option when negotiated. */
  tcpHeaderLen = 20;
  /** tp->pred_flags' window field: the window a segment must carry to be header-predicted (-1: pred_flags 0,
   *  prediction off; pred-flags.ts). */
  predWnd = -1;
  ato = 0;
  lrcvtime = 0;
  /** icsk_ack.timeout as its jiffy's tick (ns) while ICSK_ACK_TIMER is set, else Infinity. */
  delackDeadline = Infinity;
  delackEvent = -1;
  delackEventAt = Infinity;
  /** When icsk_delack_timer runs (its wheel bucket's tick, ns): set by sk_reset_timer, kept after an ACK cleared
   *  the pending one (inet_csk_clear_xmit_timer(ICSK_TIME_DACK) does not stop it); Infinity once it ran.
   *  SACK compression reads it too: that handler sends the held ACK first (comp-sack.ts). */
  delackTimerAt = Infinity;
  /** icsk_delack_timer's expires (jiffy tick, ns): a re-arm to the same expires leaves it in its bucket. */
  delackTimerExp = Infinity;
  /** SACK compression (comp-sack.ts): tp->compressed_ack (ACKs held), compressed_ack_rcv_nxt (relative; -1:
   *  none yet), dup_ack_counter, and tp->compressed_ack_timer's wheel entry (-1: not queued). */
  compressedAck = 0;
  compressedAckRcvNxt = -1;
  dupAckCounter = 0;
  compAckEvent = -1;
  /** Zero window currently advertised. */
  zeroAdvertised = false;
  readonly rcvq: RcvSpaceState = { space: 0, seq: 0, time: 0, rttUs: 0 };
  /** rcv_rtt_est window measurement: seq and time (µs); 0 = none. */
  rcvRttSeq = 0;
  rcvRttTime = 0;
  rcvRttLastTsecr = 0;
  /** The peer sent FIN. */
  eof = false;

  // ---- socket lock (sock-lock.ts) and backlog (backlog.ts) ----
  /** sk_lock.owned: the application is inside a socket call; softirq queues to the backlog. */
  owned = false;
  /** When the owning call releases the socket (ns). */
  ownedUntil = 0;
  /** sk->sk_backlog */
  readonly backlog = new SockBacklog();
  /** Work left to tcp_release_cb (TCPF_*_DEFERRED bits of sk_tsq_flags). */
  deferred = 0;
  /** Bytes the running recvmsg copies (consumed when it releases the socket). */
  readPending = 0;
  /** The application wants to read (bytes; Infinity = all) / write once the socket is released. */
  readWant = 0;
  writeWant = false;
  /** Pending release_sock event (-1 = none); queued for a wake-up after the current segment. */
  releaseEvent = -1;
  wakeQueued = false;

  // ---- application and report ----
  app: TcpApp | null = null;
  /** Reader: Infinity = reads as soon as data is there; else bytes/s. */
  readRate = Infinity;
  readEvent = -1;
  readLast = 0;
  /** Writer: bytes still to write (Infinity = forever), and a rate (bytes/s, Infinity = as fast as allowed). */
  toWrite = 0;
  writeRate = Infinity;
  writePending = 0;
  writeEvent = -1;
  writeLast = 0;
  /** Close once the last write returned. */
  closeWhenDone = false;
  /** close() queued the FIN after write_seq (tcp_send_fin): the last data segment carries it. */
  finQueued = false;
  /** A FIN sent on its own (fin.ts): 0 none, FIN_ALONE_QUEUED waiting for cwnd, FIN_ALONE_SENT in the retransmit queue. */
  finAlone = 0;
  /** The FIN's own skb (tcp_send_fin's alloc_skb_fclone(MAX_TCP_HEADER), or the FIN part tcp_fragment cut off)
   *  is in the write or retransmit queue: sk_wmem_queued holds its truesize (TCP_SKB_OVERHEAD) until the ACK
   *  of the FIN frees it. */
  finSkb = false;
  /** Receiver: a FIN arrived out of order at this relative sequence (-1 none); processed when rcv_nxt gets there. */
  finRcvSeq = -1;
  // statistics
  startedAt = 0;
  lastAckAt = 0;
  retransTotal = 0;
  cwndMax = TCP_INIT_CWND;
  sndbufMax = 0;
  rcvbufMax = 0;
  bytesReceived = 0;
  bytesRead = 0;
  rateStampT = 0;
  /** (the delivery-rate estimate's start: the handshake's delivered count) */
  rateStampDelivered = 1;

  constructor(cc: CongestionOps) {
    this.cc = cc;
    f64Fields(this, CONN_F64);
    f64Fields(this.rcvq, RCVQ_F64);
  }

  /** tcp_left_out: without SACK, duplicate ACKs are the emulated sacked_out (tcp_add_reno_sack; a SACK
   *  connection never counts any) */
  leftOut(): number {
    return this.sackedOut + this.dupAcks + this.lostOut;
  }

  /** icsk_rto (µs): tcp_set_rto's value from the last RTT sample, doubled by each RTO since (`backoff`). The
   *  kernel keeps it in jiffies (usecs_to_jiffies rounds up, then the shifts): at the wheel's HZ (`jiffyUs`) the
   *  rounding is redone, so at HZ=250 a 201 ms RTO is 51 jiffies and its double 102 (408 ms, not 402). At
   *  HZ=1000 rtoUs is whole jiffies already. */
  icskRtoUs(): number {
    const j = this.jiffyUs;
    const rto = j === 1000 ? this.rtt.rtoUs : Math.ceil(this.rtt.rtoUs / j - 1e-9) * j;
    return Math.min(rto * pow2(this.backoff), TCP_RTO_MAX_US);
  }
  /** One jiffy of the host's timer wheel (TcpHost.hz), µs. */
  jiffyUs = 1000;

  /** tcp_packets_in_flight */
  packetsInFlight(): number {
    return this.packetsOut - this.leftOut() + this.retransOut;
  }

  /** sk_wmem_queued: queued bytes plus `overhead` per skb of the write and retransmit queues. */
  wmemQueued(overhead: number): number {
    return this.writeSeq - this.sndUna + (this.wq.count + this.sentSkbs.count + (this.finSkb ? 1 : 0)) * overhead;
  }

  /** tp->rcv_nxt (relative): rcvNxt (the data's end) plus the peer's FIN once it is in. */
  rcvNxtFin(): number {
    return this.rcvNxt + (this.eof ? 1 : 0);
  }

  /** tp->rcv_nxt - tp->rcv_wup: received since the window we last advertised (both count the peer's FIN). */
  rcvSinceWup(): number {
    return this.rcvNxtFin() - this.rcvWup - this.rcvWupFin;
  }

  /** tcp_receive_window: what is left of the window we advertised (rcv_wup and rcv_nxt count the peer's FIN). */
  receiveWindow(): number {
    const w = this.rcvWnd - this.rcvSinceWup();
    return w < 0 ? 0 : w;
  }

  /** Bytes waiting to be read. */
  inq(): number {
    return this.rcvNxt - this.copiedSeq;
  }

  rqLength(): number {
    return this.rq.length;
  }
}
