// The receiver's sk_receive_queue as byte counts: one [end_seq, truesize]
// record per skb, FIFO. A ring of two typed columns, so queueing and
// consuming an skb allocate nothing; it doubles (rarely: only when more
// skbs are queued than ever before) when full.
//
//   end:      | e[head] e[head+1] ... e[head+len-1] |   (indices mod capacity)
//   truesize: | t[head] t[head+1] ... t[head+len-1] |
const INITIAL_CAPACITY = 256;

export class RcvQueue {
  private end = new Float64Array(INITIAL_CAPACITY);
  private truesize = new Float64Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private head = 0;
  /** Number of skbs queued. */
  length = 0;

  /** __skb_queue_tail */
  push(endSeq: number, truesize: number): void {
    if (this.length > this.mask) this.grow();
    const i = (this.head + this.length) & this.mask;
    this.end[i] = endSeq;
    this.truesize[i] = truesize;
    this.length++;
  }

  /** end_seq of the i-th skb from the head. */
  endAt(i: number): number {
    return this.end[(this.head + i) & this.mask]!;
  }

  /** truesize of the i-th skb from the head. */
  truesizeAt(i: number): number {
    return this.truesize[(this.head + i) & this.mask]!;
  }

  setTruesizeAt(i: number, v: number): void {
    this.truesize[(this.head + i) & this.mask] = v;
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
