// One NAPI poll of a NIC RX queue with GRO, in one call from the JS NAPI
// model (src/cpu/net-rx.ts driverPoll): the driver takes up to `budget`
// frames off its RX ring (ring.ts), each goes through napi_gro_receive
// (gro.ts gro_receive_burst), and a poll that did not use its whole budget
// flushes every held aggregate (napi_complete_done -> napi_gro_flush with
// gro_flush_timeout 0). Only the skbs that go up the stack come back, in the
// kernel's order. A composition of the three exports (each with its TS
// reference and differential test), so the same memory, stats and order as
// calling them one after another; it owns no memory of its own.
import { ring_dequeue_burst } from "./ring";
import { gro_receive_burst, gro_flush, gro_held_ptr, gro_ctx_count, GRO_ERR, GRO_HASH_BUCKETS, MAX_GRO_SKBS } from "./gro";

/** NAPI_POLL_WEIGHT: the budget fits the result's low 16 bits. */
const MAX_BUDGET: u32 = 0xffff;
/** Aggregates one context can hold (gro.ts: GRO_HASH_BUCKETS x MAX_GRO_SKBS). */
const HELD_MAX: u64 = <u64>(GRO_HASH_BUCKETS * MAX_GRO_SKBS);

/**
 * net/core/dev.c: __napi_poll -> the driver's poll: ring_dequeue_burst(ring,
 * handles, budget) frames, gro_receive_burst(ctx, handles, k, out, 2k, now)
 * with now = stepStart + (cost + k * perFrame) (the JS NAPI model's clock
 * after charging the poll's per-frame cost: the same f64 operations), then,
 * when k < budget and flushAll != 0 and aggregates are held,
 * gro_flush(ctx, out + m, outMax - m, +inf). Returns k | (skbs out << 16),
 * or GRO_ERR with nothing taken off the ring (bad ctx, budget > 0xffff, or
 * outMax < max(2 * budget, budget + 64)).
 *
 * That outMax holds the flush too, so it completes every held aggregate as a
 * separate gro_flush(ctx, out, 64, +inf) does: every skb that goes up or
 * stays held was held before the poll (at most GRO_HASH_BUCKETS x
 * MAX_GRO_SKBS = 64) or came in with it (k <= budget).
 */
export function napi_gro_poll(
  ring: u32,
  handles: usize,
  budget: u32,
  ctx: u32,
  out: usize,
  outMax: u32,
  stepStart: f64,
  cost: f64,
  perFrame: f64,
  flushAll: u32,
): u32 {
  if (ctx >= gro_ctx_count() || budget > MAX_BUDGET || <u64>outMax < (<u64>budget << 1) || <u64>outMax < <u64>budget + HELD_MAX) return GRO_ERR;
  const k = ring_dequeue_burst(ring, handles, budget);
  const now = stepStart + (cost + <f64>k * perFrame);
  const m = gro_receive_burst(ctx, handles, k, out, outMax, now);
  if (m == GRO_ERR) return GRO_ERR;
  let total = m;
  if (k < budget && flushAll != 0 && load<u32>(gro_held_ptr(ctx)) != 0) {
    const f = gro_flush(ctx, out + (<usize>m << 2), outMax - m, Infinity);
    if (f == GRO_ERR) return GRO_ERR;
    total += f;
  }
  return k | (total << 16);
}
