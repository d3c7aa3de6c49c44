// Where a sender's skbs end, for sk_wmem_queued (each skb costs its payload
// plus TCP_SKB_OVERHEAD): one FIFO ring of end sequence numbers for the
// write queue (unsent skbs, the first one starting at snd_nxt) and one for
// the retransmit queue (sent skbs, the first one starting at snd_una, its
// head trimmed by partial ACKs). No object per skb: a Float64Array ring that
// doubles when full (rarely: only past the most skbs ever queued).
//
//   end: | e[head] e[head+1] ... e[head+count-1] |   (indices mod capacity)
//          first skb                 last skb (the tail)
export class SkbEnds {
  private end = new Float64Array(16);
  private mask = 15;
  private head = 0;
  /** Number of skbs. */
  count = 0;

  /** The first skb's end_seq (count > 0). */
  first(): number {
    return this.end[this.head]!;
  }

  /** The last skb's end_seq (count > 0). */
  last(): number {
    return this.end[(this.head + this.count - 1) & this.mask]!;
  }

  /** Where the last skb starts: the end of the one before it, or `base` (the first skb's start). */
  lastStart(base: number): number {
    return this.count >= 2 ? this.end[(this.head + this.count - 2) & this.mask]! : base;
  }

  /** Grow the last skb (data appended) to end at `e`. */
  setLast(e: number): void {
    this.end[(this.head + this.count - 1) & this.mask] = e;
  }

  /** A new skb at the tail ending at `e`. */
  push(e: number): void {
    if (this.count > this.mask) this.grow();
    this.end[(this.head + this.count) & this.mask] = e;
    this.count++;
  }

  /** Move up to `amount` bytes from the second skb into the first (skb_shift); a second skb left empty is
   *  unlinked (the first now ends where it did). Returns the first skb's new end. count >= 2. */
  growFirst(amount: number): number {
    const h = this.head;
    const next = this.end[(h + 1) & this.mask]!;
    const end = this.end[h]! + amount;
    if (end >= next) {
      this.shift();
      return next;
    }
    this.end[h] = end;
    return end;
  }

  /** Unlink the first skb. */
  shift(): void {
    this.head = (this.head + 1) & this.mask;
    this.count--;
  }

  /** Unlink the last skb. */
  pop(): void {
    this.count--;
  }

  /** Unlink every skb that ends at or before `seq` (all its bytes ACKed); how many went. */
  freeTo(seq: number): number {
    let n = 0;
    while (this.count > 0 && this.end[this.head]! <= seq) {
      this.head = (this.head + 1) & this.mask;
      this.count--;
      n++;
    }
    return n;
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const e = new Float64Array(cap);
    for (let k = 0; k < this.count; k++) e[k] = this.end[(this.head + k) & this.mask]!;
    this.end = e;
    this.mask = cap - 1;
    this.head = 0;
  }
}
