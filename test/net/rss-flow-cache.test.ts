// The receiving NIC's RSS input cache (Nic.receiveOne): a frame handed over alone whose
// Toeplitz input bytes (IPv4 ethertype, protocol, fragment bits, addresses, the transport
// header's first word) equal those of the last frame the WASM hashed alone, under the same key and
// L4 choice, takes that frame's hash without the call. Every frame must still carry exactly what
// the NIC's Toeplitz gives for it (hash, flags, queue), with several flows interleaved (misses),
// across a key change and an L4 -> L3 change mid-run (the cache must not outlive either).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { loadScenarioText } from "../../src/scenario/load.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";
import type { RssContext } from "../../src/core/rss.js";

const scenario = (flows: number) => `
name: rss-flow-cache
seed: 5
duration: 3ms
hosts:
  sender:
    nic: { rate: 10Gbit, tso: false }
  receiver:
    nic: { queues: 4, tso: false }
links:
  - { a: sender, b: receiver, rate: 10Gbit, delay: 20us }
traffic:
  - { kind: bulk, from: sender, to: receiver:5001, flows: ${flows} }
`;

async function check(flows: number, changes: (rss: RssContext) => (() => void)[]) {
  const spec = worldSpecFromScenario(loadScenarioText(scenario(flows), "rss-flow-cache"));
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const nic = w.host("receiver").nics[0]!;
  const rss = (nic as unknown as { rss: RssContext }).rss;
  const handOver = nic.handOver;
  const slot = core.scratch.length - 64;
  const raw = nic as unknown as { rssBurst: (ctx: number, at: number, n: number) => number };
  const wasmBurst = raw.rssBurst;
  let calls = 0;
  raw.rssBurst = (ctx, at, n) => {
    calls++;
    return wasmBurst(ctx, at, n);
  };
  let frames = 0;
  let mismatches = 0;
  const orig = nic.receiveHandedOver.bind(nic);
  nic.receiveHandedOver = (n: number) => {
    const hs = Array.from(handOver.subarray(0, n));
    orig(n);
    const got = hs.map((h) => [core.skb.hash[h]!, core.skb.hashFlags[h]!, core.skb.queue[h]!]);
    // the Toeplitz of the same frames, computed again by the WASM
    hs.forEach((h, i) => (core.scratch[slot + i] = h));
    rss.hashBurst(n, slot);
    hs.forEach((h, i) => {
      const want = [core.skb.hash[h]!, core.skb.hashFlags[h]!, core.skb.queue[h]! % nic.queues];
      if ([got[i]![0], got[i]![1], got[i]![2]! % nic.queues].join() !== want.join()) mismatches++;
    });
    frames += n;
  };
  changes(rss).forEach((f, i) => w.loop.at(1_000_003 + i * 1_000_000, w.loop.register(`change ${i}`, f), 0));
  w.run();
  return { frames, calls, mismatches };
}

describe("NIC RSS input cache (frames handed over one by one)", () => {
  it("one flow: the WASM hashes the flow's first frames, the cache the rest, each hash the Toeplitz of its frame", async () => {
    const r = await check(1, () => []);
    expect(r.frames).toBeGreaterThan(1000);
    expect(r.mismatches).toBe(0);
    // the data frames and the ACKs come in on different NICs: this one sees the one flow's data
    expect(r.calls).toBeLessThan(r.frames / 10);
  });

  it("eight flows interleaved, a key change at 1 ms and L4 off at 2 ms: no frame keeps a stale hash", async () => {
    const key = Uint8Array.from({ length: 40 }, (_, i) => (i * 53 + 7) & 0xff);
    const r = await check(8, (rss) => [() => rss.setKey(key), () => rss.setL4(false)]);
    expect(r.frames).toBeGreaterThan(1000);
    expect(r.mismatches).toBe(0);
  });
});
