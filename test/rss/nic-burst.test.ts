// Nic.receiveBurst (one RSS call per burst, one ring burst per queue) must
// leave the model exactly where frame-by-frame Nic.receive calls leave it:
// same queues, counters, drops, IRQs, NAPI polls and report.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import { writePacket } from "../../src/wire/skb-headers.js";
import type { HostSpec } from "../../src/sim/world-spec.js";
import { host, link, world } from "../sim/spec-helpers.js";

interface Burst {
  at: number;
  flows: number[];
}

async function run(b: Partial<HostSpec>, bursts: Burst[], mode: "burst" | "frame") {
  const spec = world([host("a", 1), host("b", 2, { udpPorts: [9000], ...b })], [link("a", "b")], [], { durationNs: 5e6 });
  const core = await createCore({ ...coreConfigFor(spec), skbs: 1 << 13 });
  const w = new World(core, spec);
  const nic = w.host("b").nics[0]!;
  const slot = core.scratch.length - 256;
  const kind = w.loop.register("test burst", (i) => {
    const { flows } = bursts[i]!;
    const k = core.allocBurst(flows.length, w.loop.now, slot);
    w.ledger.create(k);
    for (let j = 0; j < k; j++) {
      const h = core.scratch[slot + j]!;
      const f = flows[j]!;
      writePacket(core, h, { ip: { version: 4, src: Uint8Array.of(10, 0, 0, 1 + (f >> 8)), dst: Uint8Array.of(10, 0, 0, 2) }, l4: { proto: "udp", sport: 1024 + (f & 0xff), dport: 9000 }, payloadLen: 18 });
    }
    if (mode === "burst") nic.receiveBurst(slot, k);
    else for (let j = 0; j < k; j++) nic.receive(core.scratch[slot + j]!);
  });
  bursts.forEach((x, i) => w.loop.at(x.at, kind, i));
  const result = w.run();
  const report = buildReport(w, result);
  const irqNs = Array.from({ length: spec.hosts[1]!.cpus }, (_, c) => w.host("b").cpuTime(c).irq);
  return { report, irqNs, missed: Array.from(nic.rxMissed), events: result.run.events };
}

const bursts = fc.array(
  fc.record({ at: fc.integer({ min: 0, max: 4e6 }), flows: fc.array(fc.nat(600), { minLength: 1, maxLength: 150 }) }),
  { minLength: 1, maxLength: 12 },
);

describe("Nic.receiveBurst", () => {
  it("matches frame-by-frame receive: RSS spread, rx_missed on small rings, coalescing, IRQs, the whole report", async () => {
    const hosts: Partial<HostSpec>[] = [
      { cpus: 4, cost: {}, nic: { queues: 4, rateBps: 10e9, mtu: 1500, rxRing: 32, txRing: 64, txqueuelen: 100 } },
      { cpus: 2, cost: {}, nic: { queues: 3, rateBps: 10e9, mtu: 1500, rxRing: 64, txRing: 64, txqueuelen: 100, rxUsecs: 20e3, rxFrames: 16, irqAffinity: [1, 1, 0] } },
      { cpus: 2, nic: { queues: 2, rateBps: 10e9, mtu: 1500, rxRing: 16, txRing: 64, txqueuelen: 100, rxhash: "off" }, rps: { cpus: [[0, 1], [0, 1]], flowCnt: 0, arfs: false, flowLimitCpus: [] } },
    ];
    for (const b of hosts) {
      await fc.assert(
        fc.asyncProperty(bursts, async (bs) => {
          const a = await run(b, bs, "burst");
          const f = await run(b, bs, "frame");
          expect(a.report).toEqual(f.report);
          expect(a.irqNs).toEqual(f.irqNs);
          expect(a.missed).toEqual(f.missed);
        }),
        { numRuns: 8 },
      );
    }
  });

  it("a burst larger than a ring fills it and drops the rest of that queue's frames as rx_missed", async () => {
    const flows = Array.from({ length: 200 }, () => 7); // one flow: one queue
    const r = await run({ cpus: 1, nic: { queues: 2, rateBps: 10e9, mtu: 1500, rxRing: 64, txRing: 64, txqueuelen: 100 } }, [{ at: 0, flows }], "burst");
    expect(r.missed.reduce((s, x) => s + x, 0)).toBe(200 - 64);
    const q = r.report.hosts.b!.rxQueues.find((x) => x.packets > 0)!;
    expect(q.packets).toBe(64);
    expect(r.report.ledger.dropped.NIC_RX_MISSED).toBe(136);
    expect(r.report.ledger.unaccounted).toBe(0);
  });
});
