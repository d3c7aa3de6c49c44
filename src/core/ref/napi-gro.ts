// Plain-TS reference of assembly/napi-gro.ts: one NAPI poll of an RX ring with
// GRO, composed of the ring and GRO references (ref/ring.ts, ref/gro.ts) in
// the order the WASM export calls their kernels. The oracle of
// test/gro/napi-gro-poll.test.ts.
import type { RefRing } from "./ring.js";
import type { RefGroContext } from "./gro.js";

export interface RefNapiGroPoll {
  /** Frames taken off the ring. */
  k: number;
  /** skbs that go up the stack, in order. */
  out: number[];
}

/** __napi_poll -> the driver's poll: up to `budget` frames off the ring, each
 *  through napi_gro_receive at now = stepStart + (cost + k * perFrame); fewer
 *  than `budget` and `flushAll`: napi_gro_flush of everything held. */
export function refNapiGroPoll(ring: RefRing, gro: RefGroContext, budget: number, stepStart: number, cost: number, perFrame: number, flushAll: boolean): RefNapiGroPoll {
  const handles: number[] = [];
  const k = ring.dequeueBurst(handles, budget);
  const out = gro.receiveBurst(handles, stepStart + (cost + k * perFrame));
  if (k < budget && flushAll) out.push(...gro.flush());
  return { k, out };
}
