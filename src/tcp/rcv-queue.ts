// The receiver's sk_receive_queue as byte counts: one [end_seq, truesize]
// record per skb, FIFO. A ring of two typed columns, so queueing and
// consuming an skb allocate nothing; it doubles (rarely: only when more
// skbs are queued than ever before) when full. Only the tail skb's layout
// (frags, tailroom: skb-coalesce.ts) is kept, since only the tail takes
// coalesced data (tcp_queue_rcv -> tcp_try_coalesce).
//
//   end:      | e[head] e[head+1] ... e[head+len-1] |   (indices mod capacity)
//   truesize: | t[head] t[head+1] ... t[head+len-1] |
import { FRAG_LIST, skbTryCoalesce, type SkbShape } from "./skb-coalesce.js";

const INITIAL_CAPACITY = 256;

export class RcvQueue implements SkbShape {
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
  push(endSeq: number, truesize: number, frags = FRAG_LIST, tailroom = 0): void {
    if (this.length > this.mask) this.grow();
    const i = (this.head + this.length) & this.mask;
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

  /** end_seq of the i-th skb from the head. */
  endAt(i: number): number {
    return this.end[(this.head + i) & this.mask]!;
  }

  /** truesize of the i-th skb from the head. */
  truesizeAt(i: number): number {
    return this.truesize[(this.head + i) & this.mask]!;
  }

  /** tcp_collapse: the skb's data copied into a compact linear skb (its kmalloc slack not modelled). */
  setTruesizeAt(i: number, v: number): void {
    this.truesize[(this.head + i) & this.mask] = v;
    if (i === this.length - 1) {
      this.frags = 0;
      this.tailroom = 0;
    }
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
    const end = new Float64Array(cap);
    const ts = new Float64Array(cap);
    for (let k = 0; k < this.length; k++) {
      end[k] = this.endAt(k);
      ts[k] = this.truesizeAt(k);
    }
    this.end = end;
    this.truesize = ts;
    this.mask = cap - 1;
    this.head = 0;
  }
}
