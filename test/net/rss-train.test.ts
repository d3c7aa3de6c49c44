// The receiving NIC hashes a TSO train's frames once: a frame that continues
// the train (same addresses and ports as the frame before it on the wire)
// takes its predecessor's RSS hash. Every frame a link hands over must carry
// exactly what the NIC's Toeplitz gives for it (hash, hash flags, queue), in
// bursts (rx-usecs) and frame by frame, and after the key changes mid-train.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { loadScenarioText } from "../../src/scenario/load.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";
import type { RssContext } from "../../src/core/rss.js";

const scenario = (receiver: string) => `
name: rss-train
seed: 3
duration: 4ms
hosts:
  sender:
    sysctl: { net.core.default_qdisc: fq }
    nic: { rate: 10Gbit, tso: true }
  receiver: ${receiver}
links:
  - { a: sender, b: receiver, rate: 10Gbit, delay: 20us }
traffic:
  - { kind: bulk, from: sender, to: receiver:5001, flows: 8 }
`;

async function check(receiver: string, rekeyAt = -1) {
  const spec = worldSpecFromScenario(loadScenarioText(scenario(receiver), "rss-train"));
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const nic = w.host("receiver").nics[0]!;
  const rss = (nic as unknown as { rss: RssContext }).rss;
  const handOver = nic.handOver;
  const slot = core.scratch.length - 64;
  let frames = 0;
  let bursts = 0;
  let continued = 0;
  let mismatches = 0;
  const orig = nic.receiveHandedOver.bind(nic);
  nic.receiveHandedOver = (n: number) => {
    const hs = Array.from(handOver.subarray(0, n));
    for (let i = 0; i < n; i++) continued += nic.handOverCont[i]!;
    orig(n);
    // what the Toeplitz gives for the same frames, computed again from scratch
    const got = hs.map((h) => [core.skb.hash[h]!, core.skb.hashFlags[h]!, core.skb.queue[h]!]);
    hs.forEach((h, i) => (core.scratch[slot + i] = h));
    rss.hashBurst(n, slot);
    hs.forEach((h, i) => {
      const want = [core.skb.hash[h]!, core.skb.hashFlags[h]!, core.skb.queue[h]! % nic.queues];
      const g = [got[i]![0], got[i]![1], got[i]![2]! % nic.queues];
      if (g.join() !== want.join()) mismatches++;
    });
    frames += n;
    if (n > 1) bursts++;
  };
  if (rekeyAt >= 0) {
    const kind = w.loop.register("rekey", () => rss.setKey(Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff)));
    w.loop.at(rekeyAt, kind, 0);
  }
  w.run();
  return { frames, bursts, continued, mismatches };
}

describe("NIC RSS over TSO trains", () => {
  it("frame by frame (an IRQ per frame): every continued frame has the Toeplitz hash of its own headers", async () => {
    const r = await check("{ nic: { queues: 4 } }");
    expect(r.continued).toBeGreaterThan(1000);
    expect(r.mismatches).toBe(0);
  });

  it("in bursts (one queue, rx-usecs 8 us: the link hands over what arrived while the timer ran) and across a key change mid-run", async () => {
    // (with several queues one of them is always idle, so each arrival wakes the NIC: frame by frame)
    const r = await check("{ nic: { queues: 1, rxUsecs: 8us } }", 2_000_017);
    expect(r.continued).toBeGreaterThan(1000);
    expect(r.frames).toBeGreaterThan(r.continued);
    expect(r.bursts).toBeGreaterThan(100);
    expect(r.mismatches).toBe(0);
  });
});
