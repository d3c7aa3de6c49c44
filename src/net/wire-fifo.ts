// The frames one link direction has put on the wire and not yet delivered,
// in wire order, each with its TX queue, start and end of serialization,
// arrival time, and when its skb was queued to the qdisc and posted to the
// driver ring (for the queueing-delay histograms; a TSO segment has its skb's,
// kept here in order rather than in per-handle arrays, so a train writes only
// this FIFO's sequential columns). Three cursors walk it: `started` and `ended` (frames whose
// start / end of serialization has been counted) and the head (next to
// arrive). Frames arrive in order and end before they arrive, so
// head <= ended <= started <= tail.
//
//   index:  head ........ ended ........ started ........ tail
//           |  ended, not  |  started, not |  not started  |
//           |  arrived     |  ended        |               |
//
// Circular typed arrays; capacity doubles when full (rare: the wire's
// bandwidth-delay product in frames), so the per-frame path allocates nothing.
export class WireFifo {
  private cap = 1024;
  private mask = this.cap - 1;
  private h = new Uint32Array(this.cap);
  private q = new Uint16Array(this.cap);
  /** 1: the frame follows the one before it in the same TSO train (same flow). */
  private cont = new Uint8Array(this.cap);
  private tStart = new Float64Array(this.cap);
  private tEnd = new Float64Array(this.cap);
  private tArr = new Float64Array(this.cap);
  private tEnq = new Float64Array(this.cap);
  private tPost = new Float64Array(this.cap);
  private head = 0;
  private ended = 0;
  private started = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(h: number, q: number, cont: number, start: number, end: number, arrival: number, enq: number, post: number): void {
    if (this.tail - this.head === this.cap) this.grow();
    const i = this.tail & this.mask;
    this.h[i] = h;
    this.q[i] = q;
    this.cont[i] = cont;
    this.tStart[i] = start;
    this.tEnd[i] = end;
    this.tArr[i] = arrival;
    this.tEnq[i] = enq;
    this.tPost[i] = post;
    this.tail++;
  }

  headArrival(): number {
    return this.tArr[this.head & this.mask]!;
  }

  /** Arrival time of the k-th frame from the head (k < length). */
  arrivalAt(k: number): number {
    return this.tArr[(this.head + k) & this.mask]!;
  }

  /** Does the head follow the frame before it in the same TSO train? */
  headCont(): number {
    return this.cont[this.head & this.mask]!;
  }

  /** Remove the head (it has arrived); its handle. */
  shift(): number {
    if (this.head === this.ended) throw new RangeError("wire-fifo: a frame arrives before its end of serialization was counted");
    const h = this.h[this.head++ & this.mask]!;
    // keep the cursors small (bitwise indexing needs them below 2^31)
    if (this.head >= this.cap) {
      this.head -= this.cap;
      this.ended -= this.cap;
      this.started -= this.cap;
      this.tail -= this.cap;
    }
    return h;
  }

  unstarted(): number {
    return this.tail - this.started;
  }
  nextStart(): number {
    return this.tStart[this.started & this.mask]!;
  }
  nextStartHandle(): number {
    return this.h[this.started & this.mask]!;
  }
  nextStartQueue(): number {
    return this.q[this.started & this.mask]!;
  }
  /** When the next frame to start was queued to the qdisc / posted to the ring. */
  nextStartEnq(): number {
    return this.tEnq[this.started & this.mask]!;
  }
  nextStartPost(): number {
    return this.tPost[this.started & this.mask]!;
  }
  markStarted(): void {
    this.started++;
  }

  unended(): number {
    return this.started - this.ended;
  }
  nextEnd(): number {
    return this.tEnd[this.ended & this.mask]!;
  }
  nextEndHandle(): number {
    return this.h[this.ended & this.mask]!;
  }
  markEnded(): void {
    this.ended++;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const h = new Uint32Array(cap);
    const q = new Uint16Array(cap);
    const c = new Uint8Array(cap);
    const s = new Float64Array(cap);
    const e = new Float64Array(cap);
    const a = new Float64Array(cap);
    const en = new Float64Array(cap);
    const po = new Float64Array(cap);
    for (let k = this.head; k < this.tail; k++) {
      const i = k & this.mask;
      const j = k & (cap - 1);
      h[j] = this.h[i]!;
      q[j] = this.q[i]!;
      c[j] = this.cont[i]!;
      s[j] = this.tStart[i]!;
      e[j] = this.tEnd[i]!;
      a[j] = this.tArr[i]!;
      en[j] = this.tEnq[i]!;
      po[j] = this.tPost[i]!;
    }
    this.cap = cap;
    this.mask = cap - 1;
    this.h = h;
    this.q = q;
    this.cont = c;
    this.tStart = s;
    this.tEnd = e;
    this.tArr = a;
    this.tEnq = en;
    this.tPost = po;
  }
}
