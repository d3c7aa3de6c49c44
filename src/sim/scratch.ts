// Carves the core's scratch area into fixed regions at build time, one per
// user that keeps a burst across calls (a NAPI poll holds its 64 handles
// while the stack runs, and the stack may allocate replies meanwhile), so no
// two users can overwrite each other's burst.
import type { Core } from "../core/core.js";

export class ScratchRegions {
  private next = 0;

  constructor(private readonly core: Core) {}

  /** Reserve n consecutive slots; returns the first slot index. */
  take(n: number, purpose: string): number {
    const at = this.next;
    if (at + n > this.core.scratch.length) {
      throw new Error(`scratch area too small for ${purpose}: need ${at + n} slots, have ${this.core.scratch.length} (raise core.ioSlots)`);
    }
    this.next += n;
    return at;
  }
}
