// A CPU's list of NAPI ids in order (sd->poll_list, net_rx_action's local
// list and its repoll list): a FIFO over an Int32Array that keeps its storage.
// net_rx_action splices these lists every round; JS arrays emptied with
// `length = 0` drop their backing store and allocate it again on the next
// push, so a round would allocate.
export class NapiList {
  private a = new Int32Array(8);
  private head = 0;
  length = 0;

  push(n: number): void {
    if (this.head + this.length === this.a.length) this.makeRoom();
    this.a[this.head + this.length++] = n;
  }

  /** Remove and return the first id (the list must not be empty). */
  shift(): number {
    const n = this.a[this.head++]!;
    if (--this.length === 0) this.head = 0;
    return n;
  }

  /** The k-th id from the front. */
  at(k: number): number {
    return this.a[this.head + k]!;
  }

  /** Append every id of `src` in order and empty it (list_splice_tail_init). */
  spliceTail(src: NapiList): void {
    for (let i = 0; i < src.length; i++) this.push(src.at(i));
    src.clear();
  }

  clear(): void {
    this.head = 0;
    this.length = 0;
  }

  private makeRoom(): void {
    // slide to the front; double only when full (a NAPI is on one list at a time, so this stays small)
    const live = this.a.subarray(this.head, this.head + this.length);
    if (this.length * 2 > this.a.length) {
      const a = new Int32Array(this.a.length * 2);
      a.set(live);
      this.a = a;
    } else this.a.copyWithin(0, this.head, this.head + this.length);
    this.head = 0;
  }
}
