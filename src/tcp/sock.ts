// Socket objects: one TcpSock per connection end (request socks included:
// state NEW_SYN_RECV, as Linux's reqs in the ehash), and ListenSock for a
// listener with its request-queue counters and accept queue.
import type { ConnectPopulation } from "./population.js";
import { JIFFY, TCP_CLOSE, TCP_CLOSING, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_LAST_ACK, TCP_LISTEN, TCP_NEW_SYN_RECV } from "./constants.js";
import type { TcpConn } from "./conn.js";
import type { ServerApp } from "./apps.js";
import type { ListenerWindows } from "./window.js";
import type { TcpHost } from "./tcp-host.js";
import { F64Keys, f64Fields } from "../util/f64-field.js";

/** A full socket (counted in tcp_sockets_allocated): neither a request sock nor a time-wait sock (`tw`:
 *  tcp_time_wait replaced the full socket; state TIME_WAIT, or FIN_WAIT2 as its substate). */
function isFullState(state: number, tw: boolean): boolean {
  return state !== TCP_NEW_SYN_RECV && !tw;
}

/** An orphan (tcp_orphan_count): close() sent the FIN and the full socket still waits for its exchange to
 *  end (a FIN_WAIT2 full socket too: tcp_fin_time longer than TCP_TIMEWAIT_LEN, or a FIN with the ACK);
 *  a time-wait sock's full socket was destroyed. */
function orphanOf(state: number, finSent: boolean, tw: boolean): number {
  return finSent && !tw && (state === TCP_FIN_WAIT1 || state === TCP_FIN_WAIT2 || state === TCP_CLOSING || state === TCP_LAST_ACK) ? 1 : 0;
}

/** A host's running counts of the full sockets in its table and of its orphans, kept by the sockets'
 *  state changes (the orphan count as tcp_orphan_count: up at tcp_close, down at inet_csk_destroy_sock). */
export class SockCount {
  full = 0;
  orphan = 0;
  /** time-wait socks: the death row's tw_refcount - 1 (sockstat's tw) */
  tw = 0;
}

/** Add (k = 1) or take away (k = -1) one socket's share of a host's counts. */
function countSock(n: SockCount, st: number, fin: boolean, tw: boolean, k: number): void {
  n.full += isFullState(st, tw) ? k : 0;
  n.tw += tw ? k : 0;
  n.orphan += orphanOf(st, fin, tw) * k;
}

/** TcpSock's sequence numbers, timestamps and ns times: doubles from the start (util/f64-field.ts). */
const SOCK_F64 = new F64Keys(["iss", "sndNxt", "sndUna", "irs", "rcvNxt", "tsOff", "tsRecent", "timeout", "connectAt", "queuedAt", "sntSynAck", "synRttNs", "undoMarker"]);

export class TcpSock {
  /** Index in the host's socket table (the event argument of its timers). */
  slot = -1;
  /** sk_rx_queue_mapping: the RX queue this socket's last segment came in on (-1 none). */
  rxQueue = -1;
  /** sk_rxhash: skb->hash of the last segment tcp_v4_do_rcv (or tcp_check_req, for the child) saw; 0 none. */
  rxhash = 0;
  /** sk_tx_queue_mapping: the TX queue netdev_pick_tx cached (-1 none). */
  txQueue = -1;
  /** sk_txhash (0 = not chosen yet). */
  txhash = 0;
  /** sk_pacing_status == SK_PACING_FQ set by fq_classify before the transfer state existed (the SYN, the
   *  handshake ACK); data-init carries it into TcpConn.pacingFq. */
  pacingFq = false;
  private st = TCP_CLOSE;
  private fin = false;
  private twf = false;
  /** The count of the host table holding this socket (null: in none). */
  private count: SockCount | null = null;

  get state(): number {
    return this.st;
  }

  set state(v: number) {
    this.recount(v, this.fin, this.twf);
  }

  /** Our FIN has been sent (app closed). */
  get finSent(): boolean {
    return this.fin;
  }

  set finSent(v: boolean) {
    this.recount(this.st, v, this.twf);
  }

  /** A timewait sock (tcp_time_wait replaced the full socket): state TIME_WAIT, or FIN_WAIT2 as its tw_substate. */
  get tw(): boolean {
    return this.twf;
  }

  set tw(v: boolean) {
    this.recount(this.st, this.fin, v);
  }

  private recount(st: number, fin: boolean, tw: boolean): void {
    const n = this.count;
    if (n !== null) {
      countSock(n, this.st, this.fin, this.twf, -1);
      countSock(n, st, fin, tw, 1);
    }
    this.st = st;
    this.fin = fin;
    this.twf = tw;
  }

  /** The socket enters (count) or leaves (null) a host's table. */
  countIn(count: SockCount | null): void {
    if (this.count !== null) countSock(this.count, this.st, this.fin, this.twf, -1);
    this.count = count;
    if (count !== null) countSock(count, this.st, this.fin, this.twf, 1);
  }
  v6 = false;
  lport = 0;
  rport = 0;
  /** Peer address (4 or 16 bytes) and its u32 fold. */
  raddr: Uint8Array = new Uint8Array(4);
  rkey = 0;
  /** Listener this req/child belongs to (server side). */
  listener: ListenSock | null = null;

  // sequence space
  iss = 0;
  sndNxt = 0;
  sndUna = 0;
  irs = 0;
  rcvNxt = 0;

  // negotiated options
  /** Peer's MSS (mss_clamp). */
  mss = 0;
  tsOk = false;
  tsOff = 0;
  tsRecent = 0;
  /** rx_opt.ts_recent_stamp (tw_ts_recent_stamp in TIME_WAIT): ktime_get_seconds when ts_recent was stored, 0 = never. */
  tsRecentStamp = 0;
  sackOk = false;
  /** Peer's window scale, -1 = window scaling off. */
  sndWscale = -1;
  rcvWscale = 0;
  rcvWnd = 0;

  // request sock (reqsk) and retransmission state
  numTimeout = 0;
  numRetrans = 0;
  /** tcp_rsk(req)->snt_synack: when the first SYN-ACK was built (tcp_make_synack; ns, -1 = none). */
  sntSynAck = -1;
  /** inet_rsk(req)->acked: a final ACK arrived while the accept queue was full. */
  acked = false;
  /** Per-req timeout (req->timeout) or icsk_rto for a SYN_SENT socket (ns). */
  timeout = 0;
  /** Retransmissions so far (icsk_retransmits) and total RTOs (tp->total_rto). */
  retransmits = 0;
  totalRto = 0;
  /** tp->total_retrans and tp->undo_marker (0 = none) as the handshake left them: a child's from its request
   *  (tcp_create_openreq_child), a client's from its SYN retransmissions (syn-undo.ts); tcp_init_transfer's
   *  initial cwnd reads them. */
  totalRetrans = 0;
  undoMarker = 0;
  /** Pending timer (EventLoop id) or -1. */
  timer = -1;
  /** tp->last_oow_ack_time (jiffies, 0 = never): the per-socket rate limit of challenge ACKs; in TIME_WAIT
   *  tw_last_oow_ack_time (zeroed by tcp_time_wait), the rate limit of the timewait sock's ACKs; in a request
   *  tcp_rsk(req)->last_oow_ack_time, the limit of tcp_check_req's answers and its challenge ACKs. */
  lastOowAckTime = 0;
  /** TIME_WAIT: tw_rcv_wnd, the receive window left when the sock entered it (tcp_time_wait, timewait.ts). */
  twRcvWnd = 0;

  // application view
  /** Client: the population it belongs to and when connect() was called. */
  population: ConnectPopulation | null = null;
  connectAt = 0;
  /** Client: hold the connection this long after ESTABLISHED, then close (Infinity = never). */
  holdNs = Infinity;
  /** Server child: time it entered the accept queue; accepted by the app yet. */
  queuedAt = 0;
  accepted = false;
  /** Data-transfer state, for sockets whose application moves data (else null). */
  conn: TcpConn | null = null;
  /** The window field of the segment that completed the handshake (unscaled) and the handshake's RTT
   *  sample in ns (-1: none), for a socket without data-transfer state that later closes (tcpClose). */
  peerWindow = 0;
  synRttNs = -1;
  /** Client: the application to start at ESTABLISHED (peer window, SYN RTT in ns or -1). */
  appInit: ((t: TcpHost, sk: TcpSock, peerWindow: number, synRttNs: number) => void) | null = null;

  constructor() {
    f64Fields(this, SOCK_F64);
  }
}

export type AcceptPolicy = { kind: "always" } | { kind: "never" } | { kind: "rate"; perSec: number };

export class ListenSock {
  readonly state = TCP_LISTEN;
  /** sk_max_ack_backlog: listen() backlog after the somaxconn clamp. */
  backlog: number;
  /** Request queue: reqsk_queue_len (qlen) and reqsk_queue_len_young. */
  qlen = 0;
  young = 0;
  /** Accept queue (FIFO) from head; its length is sk_ack_backlog. */
  private readonly queue: TcpSock[] = [];
  private head = 0;
  /** queue->synflood_warned */
  synfloodWarned = false;
  /** tcp_synq_overflow stamp (rx_opt.ts_recent_stamp of the listener), ns. */
  lastOverflow = -Infinity;

  /** include/net/tcp.h: tcp_synq_overflow — restamp unless the stamp is within the last second (HZ jiffies). */
  synqOverflow(now: number): void {
    if (!(now >= this.lastOverflow && now <= this.lastOverflow + 1000 * JIFFY)) this.lastOverflow = now;
  }
  /** Segments that reached the listener. */
  segments = 0;
  /** Accept application state. */
  acceptEvent = -1;
  lastAccept = -Infinity;
  acceptedTotal = 0;
  /** The request windows from this listener's sk_rcvbuf (SYN-ACK, SYN-cookie child); null: the host's
   *  (TcpHost.listenWin, tcp_rmem[1], not locked). */
  win: ListenerWindows | null = null;

  constructor(
    readonly index: number,
    readonly port: number,
    backlog: number,
    readonly accept: AcceptPolicy,
    readonly acceptDelay: number,
    /** What accepted connections run (null: no data model, handshake only). */
    readonly app: ServerApp | null = null,
  ) {
    this.backlog = backlog;
  }

  /** sk_ack_backlog */
  get acceptQueue(): number {
    return this.queue.length - this.head;
  }

  /** Request socks in SYN_RECV. */
  get synQueue(): number {
    return this.qlen;
  }

  /** include/net/sock.h: sk_acceptq_is_full — strict >, so backlog+1 fit. */
  acceptqIsFull(): boolean {
    return this.acceptQueue > this.backlog;
  }

  /** include/net/inet_connection_sock.h: inet_csk_reqsk_queue_is_full (> since 6.12.y). */
  reqskQueueIsFull(): boolean {
    return this.qlen > this.backlog;
  }

  /** inet_csk_reqsk_queue_add: FIFO append, sk_ack_backlog++. */
  enqueue(child: TcpSock): void {
    this.queue.push(child);
  }

  /** reqsk_queue_remove: pop the head, or null when empty. */
  dequeue(): TcpSock | null {
    if (this.head >= this.queue.length) return null;
    const c = this.queue[this.head]!;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return c;
  }

  peek(): TcpSock | null {
    return this.head < this.queue.length ? this.queue[this.head]! : null;
  }
}
