// The raw WASM ring calls the network model uses per packet (see
// assembly/ring.ts). One numeric call each; no wrapper object per packet.
import type { Core } from "../core/core.js";

export interface RingRaw {
  ring_create(size: number): number;
  ring_enqueue(id: number, h: number): number;
  ring_dequeue(id: number): number;
  ring_count(id: number): number;
  ring_peek(id: number, k: number): number;
  ring_dequeue_burst(id: number, outPtr: number, max: number): number;
  ring_enqueue_burst(id: number, srcPtr: number, n: number): number;
}

export function ringRaw(core: Core): RingRaw {
  return core.raw as unknown as RingRaw;
}

/** Create a ring of at least `minSize` slots (rounded up to a power of two). */
export function createRing(core: Core, minSize: number, what: string): number {
  let size = 2;
  while (size < minSize) size *= 2;
  const id = ringRaw(core).ring_create(size);
  if (id < 0) {
    throw new Error(`cannot create the ${what} ring of ${size} slots: the core's ring memory is exhausted (raise core.ringSlots / core.maxRings)`);
  }
  return id;
}
