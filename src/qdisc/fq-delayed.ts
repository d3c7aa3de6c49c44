// q->delayed of sch_fq: throttled flows ordered by time_next_packet. The
// kernel uses an rb-tree where an equal key goes right (FIFO among equals);
// an indexed binary heap on (time, insertion number) gives the same order and
// supports the arbitrary erase fq_classify needs on socket reuse. The
// earliest entry is what the fq watchdog (one event on the timing wheel) is
// armed for.
export class FqDelayed {
  size = 0;
  private heap: Int32Array;
  private key: Float64Array;
  private seq: Float64Array;
  /** Heap position of each flow, -1 when not throttled. */
  pos: Int32Array;
  private counter = 0;

  constructor(capacity: number) {
    this.heap = new Int32Array(capacity);
    this.key = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
  }

  grow(capacity: number): void {
    const h = new Int32Array(capacity);
    h.set(this.heap);
    this.heap = h;
    const k = new Float64Array(capacity);
    k.set(this.key);
    this.key = k;
    const s = new Float64Array(capacity);
    s.set(this.seq);
    this.seq = s;
    const p = new Int32Array(capacity).fill(-1);
    p.set(this.pos);
    this.pos = p;
  }

  /** Earliest flow, -1 when empty. */
  first(): number {
    return this.size === 0 ? -1 : this.heap[0]!;
  }

  insert(f: number, time: number): void {
    this.key[f] = time;
    this.seq[f] = this.counter++;
    const i = this.size++;
    this.heap[i] = f;
    this.pos[f] = i;
    this.up(i);
  }

  erase(f: number): void {
    const i = this.pos[f]!;
    if (i < 0) return;
    this.pos[f] = -1;
    const last = this.heap[--this.size]!;
    if (i === this.size) return;
    this.heap[i] = last;
    this.pos[last] = i;
    this.down(i);
    this.up(this.pos[last]!);
  }

  private less(a: number, b: number): boolean {
    const ka = this.key[a]!;
    const kb = this.key[b]!;
    return ka < kb || (ka === kb && this.seq[a]! < this.seq[b]!);
  }

  private up(i: number): void {
    const h = this.heap;
    const f = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pf = h[p]!;
      if (!this.less(f, pf)) break;
      h[i] = pf;
      this.pos[pf] = i;
      i = p;
    }
    h[i] = f;
    this.pos[f] = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = this.size;
    const f = h[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(h[c + 1]!, h[c]!)) c++;
      const cf = h[c]!;
      if (!this.less(cf, f)) break;
      h[i] = cf;
      this.pos[cf] = i;
      i = c;
    }
    h[i] = f;
    this.pos[f] = i;
  }
}
