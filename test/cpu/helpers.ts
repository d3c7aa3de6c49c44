// Worlds for the CPU/RX-path tests: a receiver "b" whose NIC gets frames
// injected straight into its RX rings at chosen times (no sender, no wire).
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { HostSpec, WorldSpec } from "../../src/sim/world-spec.js";
import { buildReport } from "../../src/report/build.js";
import { writePacket } from "../../src/wire/skb-headers.js";
import { host, link, world } from "../sim/spec-helpers.js";

export const RX_PORT = 9000;

export async function rxWorld(b: Partial<HostSpec>, over: Partial<WorldSpec> = {}) {
  const spec = world([host("a", 1), host("b", 2, { udpPorts: [RX_PORT], ...b })], [link("a", "b")], [], over);
  const core = await createCore({ ...coreConfigFor(spec), skbs: 1 << 14 });
  const w = new World(core, spec);
  const hb = w.host("b");
  const kind = w.loop.register("test inject", (q) => {
    const batch = pending.get(q)!;
    pending.delete(q);
    for (const h of batch.hs) hb.nics[0]!.rxEnqueue(h, batch.queue);
  });
  const pending = new Map<number, { queue: number; hs: number[] }>();
  let nextBatch = 0;
  /** Frames of UDP flow `flow` (source port 32768 + flow) on RX queue q at time t. */
  const inject = (n: number, opts: { queue?: number; flow?: number | ((i: number) => number); at?: number; payload?: number } = {}) => {
    const hs: number[] = [];
    for (let i = 0; i < n; i++) {
      const h = core.allocOne(0);
      if (h < 0) throw new Error("skb pool exhausted");
      w.ledger.create();
      const f = typeof opts.flow === "function" ? opts.flow(i) : (opts.flow ?? 0);
      writePacket(core, h, {
        ip: { version: 4, src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2), df: true },
        l4: { proto: "udp", sport: 32768 + f, dport: RX_PORT },
        payloadLen: opts.payload ?? 18,
      });
      hs.push(h);
    }
    const id = nextBatch++;
    pending.set(id, { queue: opts.queue ?? 0, hs });
    w.loop.at(opts.at ?? 0, kind, id);
  };
  const finish = () => {
    const result = w.run();
    return { report: buildReport(w, result), result };
  };
  return { w, core, hb, inject, finish };
}
