// A NAPI poll's cookie SYN-ACKs, stamped in one WASM call
// (assembly/cookie.ts cookie_synack4_burst) instead of one cookie_synack4
// each; the same call gives each its txhash (txhashOf) and adds the
// timestamp offset (TcpHost.tsOffset) to a flagged row's TSval. tcp_conn_request still runs per SYN, in order, and allocates each
// SYN-ACK's skb where it did (the pool's handle order is unchanged); only
// the cookie, the header stamp and ip_output wait for the flush, which comes
// before the host transmits anything else (TcpHost.output) and at the poll's
// end. Nothing reads a SYN-ACK in between and the clock stands still in a
// poll, so the SYN-ACKs leave as they would have, in the same order.
//
// Rows are written straight into the core's burst area (int32 words: no
// heap number per SYN; no copy at the flush). The area is the core's and a
// world's hosts share one core, so a burst claims it when its first row goes
// in; a host finding another's rows still there has that host flush them
// first, again until none are left (a flush's output may start yet another
// host's burst). Never seen in a run: rows live only inside one host's NAPI
// poll, and no other host runs inside it. A full area is flushed before the
// next row goes in (add), so callers need no check of their own.
import type { Core } from "../core/core.js";

/** assembly/cookie.ts: ROW_U32 (the row's words, in its order). */
const ROW = 12;
/** assembly/cookie.ts: a row whose TSval gets the timestamp offset added. */
export const COOKIE_ROW_TS_OFF = 1;

interface CookieBurstRaw {
  cookie_burst_ptr(): number;
  cookie_burst_rows(): number;
  cookie_synack4_burst(n: number, key: number, laddr: number, tsKey: number, tk0: number, tk1: number, tk2: number, tk3: number): void;
}

/** Per core, the burst whose rows the area holds. */
const holders = new WeakMap<Core, { burst: CookieBurst | null }>();

export class CookieBurst {
  /** Rows waiting for the flush. */
  n = 0;
  private readonly area: Int32Array;
  private readonly raw: CookieBurstRaw;
  private readonly holder: { burst: CookieBurst | null };
  /** The flush's handles, read out of the area before any output. */
  private readonly handles: Int32Array;
  readonly capacity: number;

  /** `flushOwner` flushes this burst with its host's key and output (TcpHost.flushCookies). */
  constructor(
    core: Core,
    private readonly flushOwner: () => void,
  ) {
    this.raw = core.raw as unknown as CookieBurstRaw;
    this.capacity = this.raw.cookie_burst_rows();
    this.area = new Int32Array(core.memory.buffer, this.raw.cookie_burst_ptr(), this.capacity * ROW);
    let holder = holders.get(core);
    if (holder === undefined) holders.set(core, (holder = { burst: null }));
    this.holder = holder;
    this.handles = new Int32Array(this.capacity);
  }

  /** A SYN-ACK for skb h from template `slot` (cookie_synack4's arguments; int32 words); `flags`:
   *  COOKIE_ROW_TS_OFF when tsval is to get the timestamp offset. */
  add(slot: number, h: number, raddr: number, lport: number, rport: number, sseq: number, mssind: number, count: number, win: number, tsval: number, tsecr: number, flags: number): void {
    // a full area is stamped and sent first (TcpHost.flushCookies): the row never lands past the end
    if (this.n === this.capacity) this.flushOwner();
    const n = this.n;
    if (n === 0) this.claim();
    const r = n * ROW;
    const w = this.area;
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
    w[r + 11] = flags;
    this.n = n + 1;
  }

  /** Where rows written in place (assembly/listen.ts listen_cookie4) would start: this burst's next row,
   *  or -1 when the area is full or holds another burst's rows (add's flush and claim, which may send,
   *  stay on the TS path). */
  rowsAt(): number {
    const p = this.holder.burst;
    if (this.n === this.capacity || (p !== this && p !== null && p.n > 0)) return -1;
    return this.n;
  }

  /** `rows` rows were written in place from rowsAt() on: the area is this burst's (nothing to flush first). */
  took(rows: number): void {
    if (rows === 0) return;
    this.holder.burst = this;
    this.n += rows;
  }

  /** The area becomes this burst's: rows another left there are flushed (by their host) first. */
  private claim(): void {
    const holder = this.holder;
    // a flush's output may start another host's burst, which takes the area: flush until no other
    // burst's rows are left in it, and only then take it
    let p: CookieBurst | null;
    while ((p = holder.burst) !== this && p !== null && p.n > 0) p.flushOwner();
    holder.burst = this;
  }

  /** Stamp every waiting SYN-ACK (key: syncookie_secret's address, laddr the host's IPv4
   *  address; tsKey: the timestamp offsets' key words, null when the host adds none), then hand
   *  each to `output` in order (when given, several at once to `outputBurst`, which sends them in order as output would). */
  flush(key: number, laddr: number, tsKey: Uint32Array | null, output: (h: number) => boolean, outputBurst?: (hs: Int32Array, n: number) => void): void {
    const n = this.n;
    if (n === 0) return;
    this.n = 0;
    // int32 words: a u32 above 2^31 is a heap number at the call
    if (tsKey === null) this.raw.cookie_synack4_burst(n, key, laddr, 0, 0, 0, 0, 0);
    else this.raw.cookie_synack4_burst(n, key, laddr, 1, tsKey[0]! | 0, tsKey[1]! | 0, tsKey[2]! | 0, tsKey[3]! | 0);
    // the handles read from the area before output (whose path may start another host's burst)
    const w = this.area;
    if (n === 1) {
      output(w[1]!);
      return;
    }
    const hs = this.handles;
    for (let i = 0; i < n; i++) hs[i] = w[i * ROW + 1]!;
    if (outputBurst !== undefined) outputBurst(hs, n);
    else for (let i = 0; i < n; i++) output(hs[i]!);
  }
}
