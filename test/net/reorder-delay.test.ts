// A link's reorderDelay: how long a reordered frame is held back (src/net/link.ts txDone). Measured on the
// wire: every frame's arrival minus (end of its serialization + propagation delay) is 0, or exactly the hold
// for a reordered one; frames arrive in arrival-time order, so a held frame is overtaken by every frame whose
// serialization ended less than the hold after its own. Without reorderDelay the hold stays two
// serialization times of the frame (the default, unchanged).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import { serializationNs } from "../../src/net/wire-time.js";
import type { LinkSpec } from "../../src/sim/world-spec.js";
import { host, link, world } from "../sim/spec-helpers.js";

const RATE = 1e9;
const DELAY = 50_000;
/** 1000-byte UDP payload: 1042-byte frame (14 + 20 + 8 + 1000), 1066 bytes on the wire with preamble,
 *  FCS and IFG (wire-time.ts): 8528 ns at 1 Gbit. */
const SIZE = 1000;

/** UDP a -> b at 500k pps (faster than the wire: frames leave back to back); per frame, on a -> b:
 *  end of serialization, arrival, and the frame's serialization time, in departure and arrival order. */
async function measure(over: Partial<LinkSpec>) {
  const spec = world(
    [host("a", 1), host("b", 2, { udpPorts: [9000] })],
    [link("a", "b", { rateBps: RATE, delayNs: DELAY, ...over })],
    [{ kind: "udp", from: "a", to: "b", port: 9000, flows: 1, size: SIZE, pps: 5e5, count: 400, at: 0 }],
    { durationNs: 10e6 },
  );
  const ends = new Map<number, { end: number; ser: number }>();
  const frames: { end: number; arr: number; ser: number }[] = [];
  let w: World;
  const core = await createCore(coreConfigFor(spec));
  // the tap runs as a frame's serialization ends (txDone, before its arrival is scheduled); only a sends
  w = new World(core, spec, (h, t) => ends.set(h, { end: t, ser: serializationNs(core.skb.len[h]!, RATE) }));
  const ab = w.linkDirections().find((d) => d.fromName === "a")!;
  const recv = ab.to.receive.bind(ab.to);
  ab.to.receive = (h: number) => {
    const e = ends.get(h)!;
    frames.push({ end: e.end, arr: w.loop.now, ser: e.ser });
    ends.delete(h);
    recv(h);
  };
  const report = buildReport(w, w.run());
  return { frames, report };
}

describe("link reorderDelay: the hold of a reordered frame, measured on the wire", () => {
  it("a held frame arrives reorderDelay late, overtaken by every frame that ended within the hold", async () => {
    const HOLD = 100_000; // 100 us: ~11.7 back-to-back 8528-ns frames
    const { frames, report } = await measure({ reorder: 0.05, reorderDelayNs: HOLD });
    expect(report.ledger.unaccounted).toBe(0);
    expect(frames.length).toBe(400);
    const late = frames.map((f) => f.arr - f.end - DELAY);
    const held = frames.filter((_, i) => late[i] !== 0);
    // every frame is on time or exactly HOLD late; a few percent are held (seeded, deterministic)
    for (const x of late) expect([0, HOLD]).toContain(x);
    expect(held.length).toBeGreaterThan(5);
    expect(held.length).toBeLessThan(60);
    // arrival order is arrival-time order, ties in departure (end) order
    for (let i = 1; i < frames.length; i++) {
      const p = frames[i - 1]!;
      const f = frames[i]!;
      expect(f.arr > p.arr || (f.arr === p.arr && f.end > p.end)).toBe(true);
    }
    // a held frame's successors on the wire, back to back (8528 ns apart): those ending before end + HOLD
    // that were not held themselves arrive before it; it lands right after the last of them
    const ser = frames[0]!.ser;
    expect(ser).toBe(8528);
    const byEnd = [...frames].sort((x, y) => x.end - y.end);
    let overtakenDeep = 0;
    for (const h of held) {
      const iArr = frames.indexOf(h);
      const overtakers = byEnd.filter((f) => f.end > h.end && f.arr < h.arr);
      const expected = byEnd.filter((f) => f.end > h.end && f.end + DELAY < h.arr && f.arr - f.end === DELAY);
      expect(overtakers.length).toBeGreaterThanOrEqual(expected.length);
      // the frames that arrive before it in arrival order are exactly those with an earlier arrival time
      expect(frames.slice(0, iArr).every((f) => f.arr <= h.arr)).toBe(true);
      if (expected.length >= 11) overtakenDeep++;
    }
    // with 400 frames back to back at 8528 ns, most held frames are passed by floor(100000 / 8528) = 11
    expect(overtakenDeep).toBeGreaterThan(0);
  });

  it("without reorderDelay a held frame is two of its serialization times late (the default, unchanged)", async () => {
    const { frames } = await measure({ reorder: 0.05 });
    const late = frames.map((f) => f.arr - f.end - DELAY);
    for (let i = 0; i < frames.length; i++) expect([0, 2 * frames[i]!.ser]).toContain(late[i]);
    expect(late.filter((x) => x !== 0).length).toBeGreaterThan(5);
  });

  it("same seed, same hold: identical arrival times; a different hold moves only the held frames", async () => {
    const a = await measure({ reorder: 0.05, reorderDelayNs: 100_000 });
    const b = await measure({ reorder: 0.05, reorderDelayNs: 100_000 });
    expect(b.frames).toEqual(a.frames);
    expect(JSON.stringify(b.report)).toBe(JSON.stringify(a.report));
    // the RNG draws do not depend on the hold: the same frames are held, each 30 us later
    const c = await measure({ reorder: 0.05, reorderDelayNs: 130_000 });
    const lateA = [...a.frames].sort((x, y) => x.end - y.end).map((f) => f.arr - f.end);
    const lateC = [...c.frames].sort((x, y) => x.end - y.end).map((f) => f.arr - f.end);
    expect(lateC.map((x) => (x === DELAY ? 0 : x - 30_000))).toEqual(lateA.map((x) => (x === DELAY ? 0 : x)));
  });
});
