// The SYN flood generator sends the SYNs due before anything else happens in
// one event (EventLoop.horizon / runAhead). That must be invisible in what
// the model says: the same run with run-ahead refused (horizon() always
// -Infinity, idleAfter() and takeBack() always false: one event per SYN and
// per CPU step as before) gives a byte-identical report.
// Likewise a NAPI poll's batching (NetRx.txHold: the cookie SYN-ACKs stamped
// in one WASM call, the TX descriptors posted in bursts, the wire kicked once
// per poll): with it off, each SYN-ACK is stamped and sent as its SYN is
// processed, and the report is byte-identical. So is a poll's run of SYNs
// for a listener taken through IP and TCP in one pass (Stack.listenRun,
// charged after it): with it off, each goes up through receive() alone.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { loadBuiltinScenario } from "../../src/scenario/builtin.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";

// drivers/net/ethernet/mellanox/mlx5/core/en.h: MLX5E_PARAMS_DEFAULT_{RX,TX}_CQ_MODERATION_{USEC,PKTS}
const MLX5 = { rxUsecs: 16_000, rxFrames: 32, txUsecs: 16_000, txFrames: 32 };

function spec(syncookies: number, coalesce: object, withClient: boolean): WorldSpec {
  const nic = { ...MLX5, queues: 1, rateBps: 100e9, mtu: 1500, rxRing: 4096, txRing: 4096, txqueuelen: 10000, ...coalesce };
  return world(
    [
      host("attacker", 1, { nic }),
      host("client", 3, { nic }),
      host("server", 2, { nic, sysctl: { "net.ipv4.tcp_syncookies": syncookies }, listeners: [{ port: 80, backlog: 16, accept: true }] }),
    ],
    [link("attacker", "server", { rateBps: 100e9, delayNs: 10_000 }), link("client", "server", { rateBps: 100e9, delayNs: 10_000 })],
    [
      { kind: "syn-flood", from: "attacker", to: "server", port: 80, count: 15_000, at: 1000, rate: 5e6, spoof: "random" },
      ...(withClient ? [{ kind: "connect" as const, from: "client", to: "server", port: 80, count: 200, at: 0, rate: 100_000, spoof: "none" as const }] : []),
    ],
    { durationNs: 4e6 },
  );
}

async function run(s: WorldSpec, ahead: boolean, pollBatch = true, listenRun = true): Promise<{ json: string; ranAhead: number; events: number; batched: number; inRuns: number }> {
  const core = await createCore(coreConfigFor(s));
  const w = new World(core, s);
  if (!ahead) {
    // every way to act ahead of one's own event refused: the horizon, idleAfter's answer from the wheel's
    // bound, and the take-back of a tentative step
    w.loop.horizon = () => -Infinity;
    w.loop.idleAfter = () => false;
    w.loop.takeBack = () => false;
  }
  // count the cookie SYN-ACKs that went through a burst (the path under test ran)
  let batched = 0;
  let inRuns = 0;
  for (const host of w.hosts.values()) {
    const tcp = host.stack.tcp;
    if (!pollBatch) host.rx.txHold = () => {};
    if (!listenRun) host.rx.stackListenRun = null;
    else {
      const lr = host.rx.stackListenRun!;
      host.rx.stackListenRun = (at, n) => {
        const k = lr(at, n);
        inRuns += k;
        return k;
      };
    }
    const flush = tcp.flushCookies.bind(tcp);
    tcp.flushCookies = () => {
      batched += tcp.cookieBurst.n;
      flush();
    };
  }
  const json = JSON.stringify(buildReport(w, w.run()));
  return { json, ranAhead: w.loop.ranAhead, events: w.loop.events, batched, inRuns };
}

describe("SYN flood: the SYNs of one generator event", () => {
  for (const [name, cookies, coalesce, client] of [
    ["cookies always, mlx5 coalescing", 2, {}, false],
    ["cookies on, backlog 16, a connecting client", 1, {}, true],
    ["cookies off, a connecting client", 0, {}, true],
    ["cookies always, rx-usecs 2 us, tx-usecs 8 us, no frame limits", 2, { rxUsecs: 2000, rxFrames: 0, txUsecs: 8000, txFrames: 0 }, false],
  ] as const) {
    it(`${name}: the same report with and without run-ahead`, async () => {
      const s = spec(cookies, coalesce, client);
      const a = await run(s, true);
      const b = await run(s, false);
      expect(b.ranAhead).toBe(0);
      // the path under test ran: many SYNs went without their own event
      expect(a.ranAhead).toBeGreaterThan(1000);
      expect(a.events).toBe(b.events);
      expect(a.json).toBe(b.json);
    });
    it(`${name}: the same report with and without a NAPI poll's batching`, async () => {
      const s = spec(cookies, coalesce, client);
      const a = await run(s, true);
      const b = await run(s, true, false);
      expect(b.batched).toBe(0);
      if (cookies !== 0) expect(a.batched).toBeGreaterThan(1000);
      expect(a.events).toBe(b.events);
      expect(a.json).toBe(b.json);
    });
  }

  for (const [name, cookies, client] of [
    ["cookies always", 2, false],
    ["cookies on, backlog 16, a connecting client", 1, true],
    ["cookies off, a connecting client", 0, true],
  ] as const) {
    it(`${name}: the same report with and without a poll's SYNs going up in one pass (Stack.listenRun)`, async () => {
      const s = spec(cookies, {}, client);
      const a = await run(s, true);
      const b = await run(s, true, true, false);
      expect(b.inRuns).toBe(0);
      expect(a.inRuns).toBeGreaterThan(1000);
      expect(a.events).toBe(b.events);
      expect(a.json).toBe(b.json);
    });
  }

  it("flood-with-clients, 60 ms (4 TX queues per server NIC, bulk flows and clients): the same report with and without a NAPI poll's batching", async () => {
    // several TX queues: the wire's round robin must see each descriptor as it was posted
    const sc = loadBuiltinScenario("flood-with-clients");
    const s = { ...worldSpecFromScenario(sc), durationNs: 60e6 };
    s.traffic = s.traffic.map((t) => (t.kind === "syn-flood" ? { ...t, at: 0 } : t));
    const a = await run(s, true);
    const b = await run(s, true, false);
    expect(a.batched).toBeGreaterThan(500);
    expect(a.events).toBe(b.events);
    expect(a.json).toBe(b.json);
    const c = await run(s, true, true, false);
    expect(a.inRuns).toBeGreaterThan(500);
    expect(c.json).toBe(a.json);
  });
});
