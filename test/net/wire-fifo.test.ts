// The wire FIFO's one-call-per-train operations (pushTrain, countStarted,
// countEnded, takeArrived) against a plain list of frames with the times
// worked out one frame at a time, as per-frame mode would: random trains of
// random lengths, looked at random times, past the FIFO's 1024-slot start
// (its cursors wrap and it grows while frames wait).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { T_BEFORE, T_ENQ, T_POST, T_START, WireFifo, type WireStartCounters } from "../../src/net/wire-fifo.js";
import { serializationNs } from "../../src/net/wire-time.js";
import { LatencyHist } from "../../src/sim/latency-hist.js";

const RATE = 10e9;
const DELAY = 50_000;
const QUEUES = 2;

interface Frame {
  h: number;
  q: number;
  cont: number;
  start: number;
  end: number;
  arrival: number;
  enq: number;
  post: number;
}

/** pushTrain from t0 with the frames' enqueue and post times; returns the last frame's end. */
function push(f: WireFifo, buf: Uint32Array, k: number, q: number, t0: number, len: Uint32Array, enq: number, post: number): number {
  f.times[T_START] = t0;
  f.times[T_ENQ] = enq;
  f.times[T_POST] = post;
  f.pushTrain(buf, k, q, len, DELAY);
  return f.times[T_START]!;
}

function counters(): WireStartCounters & { stats: { packets: number; bytes: number }[] } {
  return {
    stats: Array.from({ length: QUEUES }, () => ({ packets: 0, bytes: 0 })),
    latency: Array.from({ length: QUEUES }, () => new LatencyHist()),
    ringLatency: Array.from({ length: QUEUES }, () => new LatencyHist()),
  };
}

function summary(c: WireStartCounters): unknown {
  return c.stats.map((s, q) => ({ ...s, lat: c.latency[q]!.report(), ring: c.ringLatency[q]!.report() }));
}

const train = fc.record({
  k: fc.integer({ min: 1, max: 45 }),
  q: fc.integer({ min: 0, max: QUEUES - 1 }),
  lenFull: fc.integer({ min: 54, max: 1514 }),
  lenLast: fc.integer({ min: 20, max: 1514 }),
  gap: fc.integer({ min: 0, max: 200_000 }),
  wait: fc.integer({ min: 0, max: 3_000_000 }),
  look: fc.integer({ min: 0, max: 120_000 }),
  take: fc.integer({ min: 1, max: 64 }),
});

type Train = { k: number; q: number; lenFull: number; lenLast: number; gap: number; wait: number; look: number; take: number };

/** Push the trains in turn, looking (counting, taking arrivals) after those `lookAfter` picks. */
function check(trains: Train[], lookAfter: (i: number) => boolean): void {
  const f = new WireFifo(RATE);
  const len = new Uint32Array(1 << 14);
  const c = counters();
  const refC = counters();
  const ref: Frame[] = [];
  let refStarted = 0;
  let refEnded = 0;
  let refPackets = 0;
  let refBytes = 0;
  let packets = 0;
  let bytes = 0;
  let nextH = 0;
  let now = 0;
  let wireFree = 0;
  const buf = new Uint32Array(64);
  const out = new Uint32Array(64);
  const cont = new Uint8Array(64);
  const look = (t: number, take: number): void => {
    f.countStarted(t, c);
    for (; refStarted < ref.length && ref[refStarted]!.start <= t; refStarted++) {
      const fr = ref[refStarted]!;
      refC.stats[fr.q]!.packets++;
      refC.stats[fr.q]!.bytes += len[fr.h]!;
      refC.latency[fr.q]!.add(fr.start - fr.enq);
      refC.ringLatency[fr.q]!.add(fr.start - fr.post);
    }
    const k = f.countEnded(t);
    packets += k;
    if (k > 0) bytes += f.endedBytes;
    for (; refEnded < refStarted && ref[refEnded]!.end <= t; refEnded++) {
      refPackets++;
      refBytes += len[ref[refEnded]!.h]!;
    }
    expect([packets, bytes]).toEqual([refPackets, refBytes]);
    // arrivals in chunks of `take`, in order, with their train marks
    for (;;) {
      const n = f.takeArrived(t, out, cont, take);
      const due = ref.findIndex((fr) => fr.arrival > t);
      const m = Math.min(take, due < 0 ? ref.length : due);
      expect(n).toBe(m);
      for (let i = 0; i < n; i++) {
        expect(out[i]).toBe(ref[i]!.h);
        expect(cont[i]).toBe(ref[i]!.cont);
      }
      ref.splice(0, n);
      refStarted -= n;
      refEnded -= n;
      if (n < take) break;
    }
    expect(f.length).toBe(ref.length);
  };
  for (let ti = 0; ti < trains.length; ti++) {
    const tr = trains[ti]!;
    now += tr.gap;
    const t0 = Math.max(now, wireFree);
    const enq = now - tr.wait;
    const post = now - Math.floor(tr.wait / 2);
    let t = t0;
    for (let j = 0; j < tr.k; j++) {
      const h = nextH++ & (len.length - 1);
      len[h] = j === tr.k - 1 ? tr.lenLast : tr.lenFull;
      buf[j] = h;
      const end = t + serializationNs(len[h]!, RATE);
      ref.push({ h, q: tr.q, cont: j > 0 ? 1 : 0, start: t, end, arrival: end + DELAY, enq, post });
      t = end;
    }
    const last = push(f, buf, tr.k, tr.q, t0, len, enq, post);
    expect(last).toBe(t);
    wireFree = t;
    if (lookAfter(ti)) look(now + tr.look, tr.take);
  }
  look(Infinity, 64);
  expect(f.length).toBe(0);
  expect(summary(c)).toEqual(summary(refC));
}

describe("WireFifo", () => {
  it("trains in, counts and arrivals out, as frame by frame (cursors wrap)", () => {
    fc.assert(
      fc.property(fc.array(train, { minLength: 40, maxLength: 120, size: "max" }), (trains) => check(trains, () => true)),
      { numRuns: 40 },
    );
  });

  it("the same while more frames wait than the FIFO first holds (it grows)", () => {
    fc.assert(
      // 60 trains of 45 frames before the first look: 2700 frames, over twice the 1024 slots
      fc.property(fc.array(train, { minLength: 80, maxLength: 100, size: "max" }), (trains) => {
        check(
          trains.map((t, i) => (i < 60 ? { ...t, k: 45 } : t)),
          (i) => i >= 60,
        );
      }),
      { numRuns: 10 },
    );
  });

  it("pushRun: a run of one-frame descriptors as that many one-frame pushTrain calls, up to the first ending at or after `before`", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 20, max: 1514 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 400_000 }),
        fc.integer({ min: 0, max: 2000 }),
        (lens, span, lead) => {
          const k = lens.length;
          const len = new Uint32Array(2048);
          const enq = new Float64Array(2048);
          const post = new Float64Array(2048);
          const buf = new Uint32Array(k);
          for (let j = 0; j < k; j++) {
            // handles out of order and across the FIFO's first capacity (it grows)
            const h = (j * 7 + 3) % 2048;
            buf[j] = h;
            len[h] = lens[j]!;
            enq[h] = j * 10;
            post[h] = j * 10 + 5;
          }
          const t0 = 1000 + lead / 7;
          const before = t0 + span;
          const run = new WireFifo(RATE);
          const one = new WireFifo(RATE);
          // frames already waiting ahead of the run
          for (const f of [run, one]) push(f, Uint32Array.of(2047, 2046), 2, 0, 0, len.fill(100, 2046), 0, 0);
          run.times[T_START] = t0;
          run.times[T_BEFORE] = before;
          const m = run.pushRun(buf, k, 0, len, DELAY, enq, post);
          let t = t0;
          let expected = 0;
          for (; expected < k; expected++) {
            const h = buf[expected]!;
            if (!(before > t + serializationNs(len[h]!, RATE))) break;
            t = push(one, Uint32Array.of(h), 1, 0, t, len, enq[h]!, post[h]!);
          }
          expect(m).toBe(expected);
          expect(run.times[T_START]).toBe(t);
          expect(run.length).toBe(one.length);
          const c1 = counters();
          const c2 = counters();
          const o1 = new Uint32Array(512);
          const o2 = new Uint32Array(512);
          const k1 = new Uint8Array(512);
          const k2 = new Uint8Array(512);
          for (const look of [t0, t0 + span / 3, t0 + span, Infinity]) {
            run.countStarted(look, c1);
            one.countStarted(look, c2);
            expect(run.countEnded(look)).toBe(one.countEnded(look));
            expect(run.endedBytes).toBe(one.endedBytes);
            const n = run.takeArrived(look, o1, k1, 512);
            expect(one.takeArrived(look, o2, k2, 512)).toBe(n);
            expect([...o1.subarray(0, n)]).toEqual([...o2.subarray(0, n)]);
            expect([...k1.subarray(0, n)]).toEqual([...k2.subarray(0, n)]);
          }
          expect(summary(c1)).toEqual(summary(c2));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("refuses to hand over a frame whose end was not counted", () => {
    const f = new WireFifo(RATE);
    const len = new Uint32Array(4).fill(1514);
    push(f, Uint32Array.of(0, 1), 2, 0, 0, len, 0, 0);
    expect(() => f.takeArrived(1e9, new Uint32Array(4), new Uint8Array(4), 4)).toThrow(/before its end of serialization was counted/);
  });
});
