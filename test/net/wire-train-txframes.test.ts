// Train mode against per-frame mode (see wire-train.test.ts) when tx-frames sets off the TX completion
// IRQ from a frame's completion (NicTx.frameDone). Per frame, that IRQ runs inside the frame's tx-done
// event, which was inserted when the frame started serializing; so a peer frame arriving at that very
// instant lands after the IRQ if it left during the serialization, before it if it left earlier. Train
// mode's pull before the IRQ (RxSource.pullFor) must use the frame's own start as the insertion time,
// not now. Integer-ns times make the ties exact: at 10 Mbit a 1538-byte frame serializes in 1230400 ns
// and an ACK in 67200 ns; a 578.7 us delay puts the receiver's ACKs on the sender's IRQs.
//
// With TSO a train has several frames and the IRQ of its last frame's completion was inserted at that
// frame's start (WireFifo.trainLastStart), not the train's first: a peer ACK arriving at the train's
// end that left between the two lands first. At 10 Mbit and a 1809.1 us delay, 2 x 1809.1 us + 67.2 us
// (the ACK's serialization) + 5.8 us (the receiver's processing, as in the 578.7 us case) = 3 x 1230.4 us,
// so the ACK of a frame arrives as the frame three later ends, having left about 1.5 frames earlier.
//
// Still open (it.fails below: they pass once train mode matches): the far NIC's wake-up (Link.armWake)
// is an event inserted when its train went on the wire, per frame the arrival is inserted at the
// frame's end of serialization; an event of the same instant inserted in between (a TX IRQ from
// tx-frames or from its tx-usecs timer) runs after the wake but before the per-frame arrival.
import { describe, expect, it } from "vitest";
import { loadBuiltinScenario } from "../../src/scenario/builtin.js";
import type { Scenario } from "../../src/scenario/types.js";
import { T_START, WireFifo } from "../../src/net/wire-fifo.js";
import { trainAndPerFrame as both } from "./train-modes.js";

describe("link: train mode = per-frame mode when tx-frames raises the TX IRQ", () => {
  // scenario, rate, delay, tx-usecs, tx-frames, duration; the shape of countShapes that must occur > 10 times
  const cases: [string, number, number, number, number, number, "ties" | "lastFrame"][] = [
    ["tx-bulk-10g-no-tso", 10e6, 578_700, 89_000, 1, 1e9, "ties"],
    ["tx-bulk-10g-tso", 10e6, 1_809_100, 89_000, 1, 0.3e9, "lastFrame"],
  ];
  for (const [name, rate, delay, txUsecs, txFrames, duration, shape] of cases) {
    it(`${name} at ${rate / 1e6} Mbit, delay ${delay} ns, tx-usecs ${txUsecs} ns, tx-frames ${txFrames}: identical reports`, async () => {
      const s = variant(name, rate, delay, txUsecs, txFrames, duration);
      const shapes = countShapes();
      try {
        const { train, perFrame } = await both(s);
        expect(train.json === perFrame.json, "reports differ").toBe(true);
        expect(JSON.parse(train.json).ledger.unaccounted).toBe(0);
        expect(shapes[shape]).toBeGreaterThan(10);
      } finally {
        shapes.restore();
      }
    }, 60_000);
  }
});

// Still open (see the header): each run completes with every skb accounted in both modes and the reports
// differ where the wake-up vs IRQ tie has been seen to move them; the equality alone is it.fails, so a new
// failure of another kind (a crash, a leak) does not hide behind the known one.
describe("link: train mode against per-frame mode, the open wake-up vs TX IRQ tie", () => {
  // rate, delay, tx-usecs, tx-frames, duration; the report field seen to differ: [path, train, per frame]
  // (the values as last seen, for the title only: the test asserts that the field differs, so a change
  // elsewhere that moves both values does not break it)
  const cases: [number, number, number, number, number, [string[], number, number]][] = [
    [10e6, 1_193_900, 89_000, 1, 1e9, [["hosts", "sender", "txQueues", "0", "stops"], 246, 248]],
    [100e6, 8_000, 114_840, 0, 0.3e9, [["hosts", "receiver", "txQueues", "0", "stops"], 3, 2]],
  ];
  for (const [rate, delay, txUsecs, txFrames, duration, [path, inTrain, perFrameValue]] of cases) {
    const title = `tx-bulk-10g-no-tso at ${rate / 1e6} Mbit, delay ${delay} ns, tx-usecs ${txUsecs} ns, tx-frames ${txFrames}`;
    let runs: Promise<{ train: Record<string, unknown>; perFrame: Record<string, unknown>; same: boolean }> | undefined;
    const run = () =>
      (runs ??= both(variant("tx-bulk-10g-no-tso", rate, delay, txUsecs, txFrames, duration)).then(({ train, perFrame }) => ({
        train: JSON.parse(train.json) as Record<string, unknown>,
        perFrame: JSON.parse(perFrame.json) as Record<string, unknown>,
        same: train.json === perFrame.json,
      })));
    const at = (r: Record<string, unknown>): unknown => path.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], r);
    it(`${title}: both modes run to the end, every skb accounted; ${path.join(".")} differs (seen ${inTrain} vs ${perFrameValue})`, async () => {
      const { train, perFrame } = await run();
      expect((train["ledger"] as { unaccounted: number }).unaccounted).toBe(0);
      expect((perFrame["ledger"] as { unaccounted: number }).unaccounted).toBe(0);
      expect(typeof at(train)).toBe("number");
      expect(typeof at(perFrame)).toBe("number");
      expect(at(train)).not.toBe(at(perFrame));
    }, 60_000);
    it.fails(`${title}: identical reports (passes once the tie is fixed)`, async () => {
      expect((await run()).same, "reports differ").toBe(true);
    }, 60_000);
  }
});

function variant(name: string, rate: number, delay: number, txUsecs: number, txFrames: number, duration: number): Scenario {
  const base = loadBuiltinScenario(name);
  return {
    ...base,
    duration,
    hosts: base.hosts.map((h) => ({ ...h, nic: { ...h.nic, txUsecs, txFrames } })),
    links: base.links.map((l) => ({ ...l, rate, delay })),
  } as Scenario;
}

/** Counts, in train mode's pulls before an event of instant `now` inserted before now, the frames arriving
 *  at now that left at or after the insertion (`ties`: they must stay on the wire), and (`lastFrame`) those
 *  that left before it but after the first frame start of the other direction's multi-frame train whose last
 *  frame's start is the insertion (they land first; with the train's first start they would not). */
function countShapes() {
  const out = { ties: 0, lastFrame: 0, restore: () => {} };
  const firstStart = new Map<WireFifo, number>();
  const pushTrain = WireFifo.prototype.pushTrain;
  WireFifo.prototype.pushTrain = function (this: WireFifo, ...a: Parameters<typeof pushTrain>): void {
    firstStart.set(this, this.times[T_START]!);
    pushTrain.apply(this, a);
  };
  const arrivedFor = WireFifo.prototype.arrivedFor;
  WireFifo.prototype.arrivedFor = function (this: WireFifo, now: number, insertedAt: number): number {
    const k = arrivedFor.call(this, now, insertedAt);
    const f = this as unknown as { head: number; tail: number; mask: number; tArr: Float64Array; tEnd: Float64Array };
    const i = (f.head + k) & f.mask;
    if (insertedAt < now && f.head + k < f.tail && f.tArr[i] === now && f.tEnd[i]! < now) out.ties++;
    for (let j = f.head; j < f.head + k; j++) {
      const e = f.tEnd[j & f.mask]!;
      if (f.tArr[j & f.mask] !== now) continue;
      for (const [g, t0] of firstStart) if (g !== this && g.trainLastStart[0] === insertedAt && t0 < insertedAt && e >= t0 && e < insertedAt) out.lastFrame++;
    }
    return k;
  };
  out.restore = () => {
    WireFifo.prototype.pushTrain = pushTrain;
    WireFifo.prototype.arrivedFor = arrivedFor;
  };
  return out;
}
