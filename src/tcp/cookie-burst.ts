// A NAPI poll's cookie SYN-ACKs, stamped in one WASM call
// (assembly/cookie.ts cookie_synack4_burst) instead of one cookie_synack4
// each. tcp_conn_request still runs per SYN, in order, and allocates each
// SYN-ACK's skb where it did (the pool's handle order is unchanged); only
// the cookie, the header stamp and ip_output wait for the flush, which comes
// before the host transmits anything else (TcpHost.output) and at the poll's
// end. Nothing reads a SYN-ACK in between and the clock stands still in a
// poll, so the SYN-ACKs leave as they would have, in the same order.
//
// Rows are kept in a JS Int32Array (int32 words: no heap number per SYN) and
// copied into the core's burst area at the flush: the area is the core's, and
// a world's hosts share one core.
import type { Core } from "../core/core.js";

/** assembly/cookie.ts: ROW_U32 (the row's words, in its order). */
const ROW = 11;

interface CookieBurstRaw {
  cookie_burst_ptr(): number;
  cookie_burst_rows(): number;
  cookie_synack4_burst(n: number, key: number, laddr: number): void;
}

export class CookieBurst {
  /** Rows waiting for the flush. */
  n = 0;
  private readonly rows: Int32Array;
  private readonly area: Int32Array;
  private readonly raw: CookieBurstRaw;
  readonly capacity: number;

  constructor(core: Core) {
    this.raw = core.raw as unknown as CookieBurstRaw;
    this.capacity = this.raw.cookie_burst_rows();
    this.rows = new Int32Array(this.capacity * ROW);
    this.area = new Int32Array(core.memory.buffer, this.raw.cookie_burst_ptr(), this.capacity * ROW);
  }

  /** A SYN-ACK for skb h from template `slot` (cookie_synack4's arguments; int32 words). */
  add(slot: number, h: number, raddr: number, lport: number, rport: number, sseq: number, mssind: number, count: number, win: number, tsval: number, tsecr: number): void {
    const r = this.n * ROW;
    const w = this.rows;
    w[r] = slot;
    w[r + 1] = h;
    w[r + 2] = raddr;
    w[r + 3] = lport;
    w[r + 4] = rport;
    w[r + 5] = sseq;
    w[r + 6] = mssind;
    w[r + 7] = count;
    w[r + 8] = win;
    w[r + 9] = tsval;
    w[r + 10] = tsecr;
    this.n++;
  }

  /** Stamp every waiting SYN-ACK (key: syncookie_secret's address, laddr the host's IPv4
   *  address), then hand each to `output` in order. */
  flush(key: number, laddr: number, output: (h: number) => boolean): void {
    const n = this.n;
    if (n === 0) return;
    this.n = 0;
    // a word loop: no subarray view (a JS object) per flush, and a poll often holds one SYN
    const a = this.area;
    const w = this.rows;
    for (let i = 0, e = n * ROW; i < e; i++) a[i] = w[i]!;
    this.raw.cookie_synack4_burst(n, key, laddr);
    for (let i = 0; i < n; i++) output(w[i * ROW + 1]!);
  }
}
