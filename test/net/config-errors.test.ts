// Configuration the NIC and the link take: a link's two directions each keep their own copy of its
// config (a test cutting one direction leaves the other), and a NIC given a GSO output area
// outside the core's scratch slots refuses it with a message naming the field and the range.
import { describe, expect, it } from "vitest";
import { freshCore } from "../helpers.js";
import { createCore } from "../../src/core/node.js";
import { EventLoop } from "../../src/sim/loop.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import { NicTx, type NicTxConfig } from "../../src/net/nic-tx.js";
import { GSO_OUT_SLOTS } from "../../src/net/nic-tx.js";
import type { LinkConfig } from "../../src/net/link.js";
import { host, link, world } from "../sim/spec-helpers.js";

describe("link directions' config", () => {
  it("losing every frame b -> a leaves a -> b delivering (five UDP datagrams each way)", async () => {
    // loss > 0 at construction: per-frame mode, which draws a loss per frame as it leaves
    const spec = world(
      [host("a", 1, { udpSockets: [{ port: 9000, readRate: false }] }), host("b", 2, { udpSockets: [{ port: 9000, readRate: false }] })],
      [link("a", "b", { loss: 1e-300 })],
      [
        { kind: "udp", from: "a", to: "b", port: 9000, flows: 1, size: 100, pps: 1e4, count: 5, at: 0 },
        { kind: "udp", from: "b", to: "a", port: 9000, flows: 1, size: 100, pps: 1e4, count: 5, at: 0 },
      ],
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const [ab, ba] = w.linkDirections() as unknown as { config: LinkConfig }[];
    expect(ab!.config).not.toBe(ba!.config);
    ba!.config.loss = 1;
    const r = buildReport(w, w.run());
    expect(r.ledger.dropped["LINK_LOSS"]).toBe(5);
    // delivered to UDP (the sockets are never read: the datagrams stay queued)
    expect(r.hosts["b"]!.nstat["IpInDelivers"]).toBe(5);
    expect(r.hosts["a"]!.nstat["IpInDelivers"] ?? 0).toBe(0);
    expect(r.ledger.unaccounted).toBe(0);
  });
});

describe("NIC gsoSlot", () => {
  it("a GSO output area past the scratch slots is refused, naming the field and the range", async () => {
    const core = await freshCore();
    const slots = core.scratch.length;
    const cfg: NicTxConfig = { txQueues: 1, txRing: 16, txqueuelen: 1000, mtu: 1500, defaultQdisc: "pfifo_fast", txUsecs: 0, txFrames: 0, bql: true, tso: true, gsoSlot: slots - 10 };
    const mk = (gsoSlot: number) => () => new NicTx(core, "eth3", { ...cfg, gsoSlot }, { drop: () => {} }, new EventLoop(core.wheel));
    expect(mk(slots - 10)).toThrow(new RangeError(`eth3: gsoSlot: [${slots - 10}, ${slots - 10 + GSO_OUT_SLOTS}) exceeds the ${slots} scratch slots (core.ioSlots)`));
    // a start that is no slot index at all names the allowed range (review9a nit 13)
    const range = (at: number) => new RangeError(`eth3: gsoSlot: ${at} is not an integer in [0, ${slots - GSO_OUT_SLOTS}] (${GSO_OUT_SLOTS} of the ${slots} scratch slots, core.ioSlots)`);
    expect(mk(-1)).toThrow(range(-1));
    expect(mk(1.5)).toThrow(range(1.5));
    // the last place the area fits is taken
    expect(mk(slots - GSO_OUT_SLOTS)).not.toThrow();
  });

  it("a core with fewer scratch slots than the GSO output area needs is refused, naming both counts", async () => {
    const core = await freshCore({ ioSlots: 64 }); // ioSlots' floor, below GSO_OUT_SLOTS (128)
    const cfg: NicTxConfig = { txQueues: 1, txRing: 16, txqueuelen: 1000, mtu: 1500, defaultQdisc: "pfifo_fast", txUsecs: 0, txFrames: 0, bql: true, tso: true, gsoSlot: 0 };
    expect(() => new NicTx(core, "eth3", cfg, { drop: () => {} }, new EventLoop(core.wheel))).toThrow(
      new RangeError(`eth3: gsoSlot: needs ${GSO_OUT_SLOTS} scratch slots, the core has 64 (core.ioSlots)`),
    );
  });
});
