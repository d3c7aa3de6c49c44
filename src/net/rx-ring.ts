// A NIC RX descriptor ring as the driver sees it: the handles of the frames
// the NIC has written, oldest first, in a circular Uint32Array of a power of
// two slots (the same rounding as ring-ops' createRing). JS columns rather
// than a WASM ring: the NIC lands frames and the NAPI poll takes them with
// array accesses, not a call into WASM per frame and per poll.
export class RxRing {
  readonly size: number;
  private readonly mask: number;
  private readonly slots: Uint32Array;
  /** Index of the oldest frame (kept below size). */
  private head = 0;
  /** Frames on the ring. */
  count = 0;

  constructor(minSize: number) {
    let size = 2;
    while (size < minSize) size *= 2;
    this.size = size;
    this.mask = size - 1;
    this.slots = new Uint32Array(size);
  }

  /** One frame lands; false when the ring is full. */
  push(h: number): boolean {
    if (this.count === this.size) return false;
    this.slots[(this.head + this.count++) & this.mask] = h;
    return true;
  }

  /** src[at .. at+n) land in order until the ring is full; returns how many did. */
  pushFrom(src: Uint32Array, at: number, n: number): number {
    const k = Math.min(n, this.size - this.count);
    const s = this.slots;
    const m = this.mask;
    let i = (this.head + this.count) & m;
    for (let j = 0; j < k; j++) {
      s[i] = src[at + j]!;
      i = (i + 1) & m;
    }
    this.count += k;
    return k;
  }

  /** The driver takes up to max frames, oldest first, into dst[at ..); returns how many. */
  takeInto(dst: Uint32Array, at: number, max: number): number {
    const k = Math.min(max, this.count);
    const s = this.slots;
    const m = this.mask;
    let i = this.head;
    for (let j = 0; j < k; j++) {
      dst[at + j] = s[i]!;
      i = (i + 1) & m;
    }
    this.head = i;
    this.count -= k;
    return k;
  }
}
