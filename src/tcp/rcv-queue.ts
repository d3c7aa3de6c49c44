// The receiver's sk_receive_queue as byte counts: one [seq, end_seq, truesize]
// record per skb, FIFO. A ring of three typed columns, so queueing and
// consuming an skb allocate nothing; it doubles (rarely: only when more
// skbs are queued than ever before) when full. Only the tail skb's layout
// (frags, tailroom: skb-coalesce.ts) is kept, since only the tail takes
// coalesced data (tcp_queue_rcv -> tcp_try_coalesce). seq is kept for
// tcp_collapse, which looks at each skb's whole length and at a head skb
// partly read (seq before copied_seq).
//
//   seq:      | s[head] s[head+1] ... s[head+len-1] |   (indices mod capacity)
//   end:      | e[head] e[head+1] ... e[head+len-1] |
//   truesize: | t[head] t[head+1] ... t[head+len-1] |
import { FRAG_LIST, skbTryCoalesce, type SkbShape } from "./skb-coalesce.js";

const INITIAL_CAPACITY = 256;

export class RcvQueue implements SkbShape {
  private seq = new Float64Array(INITIAL_CAPACITY);
  private end = new Float64Array(INITIAL_CAPACITY);
  private truesize = new Float64Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private head = 0;
  /** Number of skbs queued. */
  length = 0;
  /** The tail skb's nr_frags (FRAG_LIST: never coalesced into) and skb_tailroom. */
  frags = FRAG_LIST;
  tailroom = 0;

  /** __skb_queue_tail; `frags`/`tailroom` give the skb's layout (default: one nothing merges into). */
  push(seq: number, endSeq: number, truesize: number, frags = FRAG_LIST, tailroom = 0): void {
    if (this.length > this.mask) this.grow();
    const i = (this.head + this.length) & this.mask;
    this.seq[i] = seq;
    this.end[i] = endSeq;
    this.truesize[i] = truesize;
    this.length++;
    this.frags = frags;
    this.tailroom = tailroom;
  }

  /** net/ipv4/tcp_input.c: tcp_try_coalesce into the tail — `from` must start at the tail's end_seq. Returns
   *  the truesize the tail grew by (charged to sk_rmem_alloc: TCPRcvCoalesce), or -1 if it was not merged. */
  tryCoalesce(seq: number, endSeq: number, len: number, frags: number, truesize: number): number {
    if (this.length === 0) return -1;
    const i = (this.head + this.length - 1) & this.mask;
    if (this.end[i] !== seq) return -1;
    const delta = skbTryCoalesce(this, len, frags, truesize);
    if (delta < 0) return -1;
    this.end[i] = endSeq;
    this.truesize[i] = this.truesize[i]! + delta;
    return delta;
  }

  /** seq of the i-th skb from the head. */
  seqAt(i: number): number {
    return this.seq[(this.head + i) & this.mask]!;
  }

  /** end_seq of the i-th skb from the head. */
  endAt(i: number): number {
    return this.end[(this.head + i) & this.mask]!;
  }

  /** truesize of the i-th skb from the head. */
  truesizeAt(i: number): number {
    return this.truesize[(this.head + i) & this.mask]!;
  }

  /** The skbs as OFO_SKB records (seq, end, truesize, frags, tailroom; only the tail's layout is known, the
   *  others get FRAG_LIST) for tcp_collapse (collapse.ts). */
  toRecords(): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.length; k++) {
      const last = k === this.length - 1;
      out.push(this.seqAt(k), this.endAt(k), this.truesizeAt(k), last ? this.frags : FRAG_LIST, last ? this.tailroom : 0);
    }
    return out;
  }

  /** Replace the queue by `records` (tcp_collapse's result). */
  setRecords(records: number[]): void {
    this.head = 0;
    this.length = 0;
    for (let k = 0; k < records.length; k += 5) this.push(records[k]!, records[k + 1]!, records[k + 2]!, records[k + 3]!, records[k + 4]!);
  }

  /** Unlink the head skb (skb_consume's __skb_unlink); returns its truesize. */
  shift(): number {
    const v = this.truesize[this.head]!;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return v;
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const seq = new Float64Array(cap);
    const end = new Float64Array(cap);
    const ts = new Float64Array(cap);
    for (let k = 0; k < this.length; k++) {
      seq[k] = this.seqAt(k);
      end[k] = this.endAt(k);
      ts[k] = this.truesizeAt(k);
    }
    this.seq = seq;
    this.end = end;
    this.truesize = ts;
    this.mask = cap - 1;
    this.head = 0;
  }
}
