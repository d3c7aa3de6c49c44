// The SYN flood generator's IPv4 SYNs go straight to their link's quiet step
// (TrafficContext.quietLane -> LinkDirection.sendQuiet, from SynGenerator's
// run-ahead loop) instead of through ctx.send -> Stack.sendDatagram ->
// ipOutput -> Nic.xmit -> NicTx.xmit, whose first step it is, and fall back
// to ctx.send when it declines. That must be invisible: the same run with
// the lane refused (every SYN through ctx.send) gives a byte-identical report,
// the same events, and the same frames pushed onto every wire FIFO (handle,
// bytes, and the end of serialization the push leaves), in shapes where the
// quiet step declines for each of its reasons: tx-frames reached, a small TX
// ring and BQL limit, another descriptor unsent, a TX queue held in a poll,
// the pool running dry (no SYN), no tx-usecs (no lane at all), several TX
// queues (no lane), a connecting client, fixed and own sources, rate 0.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import type { Core } from "../../src/core/core.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { watchWire } from "./wire-digest.js";
import { buildReport } from "../../src/report/build.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import type { QuietLane } from "../../src/traffic/source.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { loadBuiltinScenario } from "../../src/scenario/builtin.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";

// drivers/net/ethernet/mellanox/mlx5/core/en.h: MLX5E_PARAMS_DEFAULT_{RX,TX}_CQ_MODERATION_{USEC,PKTS}
const MLX5 = { rxUsecs: 16_000, rxFrames: 32, txUsecs: 16_000, txFrames: 32 };

interface Shape {
  cookies?: number;
  nic?: object;
  client?: boolean;
  spoof?: "random" | "fixed" | "none";
  rate?: number;
  bare?: boolean;
  skbs?: number;
}

function spec(o: Shape): WorldSpec {
  const nic = { ...MLX5, queues: 1, rateBps: 100e9, mtu: 1500, rxRing: 4096, txRing: 4096, txqueuelen: 10000, ...o.nic };
  return world(
    [
      host("attacker", 1, { nic }),
      host("client", 3, { nic }),
      host("server", 2, { nic, sysctl: { "net.ipv4.tcp_syncookies": o.cookies ?? 2 }, listeners: [{ port: 80, backlog: 16, accept: true }] }),
    ],
    [link("attacker", "server", { rateBps: 100e9, delayNs: 10_000 }), link("client", "server", { rateBps: 100e9, delayNs: 10_000 })],
    [
      { kind: "syn-flood", from: "attacker", to: "server", port: 80, count: 12_000, at: 1000, rate: o.rate ?? 5e6, spoof: o.spoof ?? "random", bare: o.bare ?? false },
      ...(o.client === true ? [{ kind: "connect" as const, from: "client", to: "server", port: 80, count: 200, at: 0, rate: 100_000, spoof: "none" as const }] : []),
    ],
    { durationNs: 4e6 },
  );
}

type Gen = { ctx: { quietLane?: (h: unknown, d: Uint8Array) => QuietLane | null }; from: unknown; seg: { dst: Uint8Array; v6: boolean }; lane: QuietLane | null | undefined };

/** A run with the generators' quiet lane on (counted) or refused; the report, events and a digest of every push. */
async function run(s: WorldSpec, on: boolean, skbs = 0): Promise<{ json: string; events: number; laneSent: number; wire: string }> {
  const core = await createCore(skbs > 0 ? { ...coreConfigFor(s), skbs } : coreConfigFor(s));
  const w = new World(core, s);
  const wire = watchWire(core, w);
  let laneSent = 0;
  for (const t of w.traffic) {
    if (t.stats.kind !== "syn-flood") continue;
    const g = t as unknown as Gen;
    const l = on && !g.seg.v6 && g.ctx.quietLane !== undefined ? g.ctx.quietLane(g.from, g.seg.dst) : null;
    g.lane =
      l === null
        ? null
        : {
            sendQuiet: (h) => {
              const ok = l.sendQuiet(h);
              if (ok) laneSent++;
              return ok;
            },
          };
  }
  const json = JSON.stringify(buildReport(w, w.run()));
  return { json, events: w.loop.events, laneSent, wire: wire() };
}

describe("SYN flood: the generator's SYNs through the quiet lane", () => {
  // (shape, whether the lane must take many SYNs)
  const shapes: [string, Shape, boolean][] = [
    ["cookies always, random sources (the bench's shape)", {}, true],
    ["cookies on, backlog 16, a connecting client, one fixed source", { cookies: 1, client: true, spoof: "fixed" }, true],
    ["cookies off, the attacker's own source (SYN-ACKs come back)", { cookies: 0, spoof: "none" }, true],
    ["bare SYNs", { bare: true }, true],
    ["tx-frames 3: most completions would raise the IRQ (declined)", { nic: { txFrames: 3 } }, true],
    ["tx ring 64, txqueuelen 100: the ring fills and BQL stops (declined, the qdisc queues)", { nic: { txRing: 64, txqueuelen: 100 }, rate: 50e6 }, true],
    ["rx-usecs 2 us, tx-usecs 8 us, no frame limits", { nic: { rxUsecs: 2000, rxFrames: 0, txUsecs: 8000, txFrames: 0 } }, true],
    // (the first SYN's completion arms the IRQ, so it is not quiet, and the rest queue behind it: declined)
    ["rate 0: all SYNs in one event", { rate: 0 }, false],
    ["a pool of 600 skbs at 50M SYNs/s: allocations fail", { skbs: 600, rate: 50e6 }, true],
    ["NIC defaults (no tx-usecs): no lane", { nic: { rxUsecs: 0, rxFrames: 0, txUsecs: 0, txFrames: 0 } }, false],
    ["4 queues: no lane", { nic: { queues: 4 } }, false],
  ];
  for (const [name, o, taken] of shapes) {
    it(`${name}: the same report, events and wire with and without the lane`, async () => {
      const s = spec(o);
      const a = await run(s, true, o.skbs ?? 0);
      const b = await run(s, false, o.skbs ?? 0);
      expect(b.laneSent).toBe(0);
      if (taken) expect(a.laneSent).toBeGreaterThan(1000);
      else expect(a.laneSent).toBe(0);
      if (o.skbs !== undefined) expect(a.json).toMatch(/"allocFailures":[1-9]/);
      expect(a.events).toBe(b.events);
      expect(a.wire).toBe(b.wire);
      expect(a.json).toBe(b.json);
    });
  }

  it("flood-with-clients, 40 ms (a server with 4 TX queues, clients and bulk flows): the same with and without the lane", async () => {
    const sc = loadBuiltinScenario("flood-with-clients");
    const s = { ...worldSpecFromScenario(sc), durationNs: 40e6 };
    s.traffic = s.traffic.map((t) => (t.kind === "syn-flood" ? { ...t, at: 0 } : t));
    const a = await run(s, true);
    const b = await run(s, false);
    expect(a.events).toBe(b.events);
    expect(a.wire).toBe(b.wire);
    expect(a.json).toBe(b.json);
  });
});
