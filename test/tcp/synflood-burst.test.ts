// The SYN flood generator sends the SYNs due before anything else happens in
// one event (EventLoop.horizon / runAhead). That must be invisible in what
// the model says: the same run with run-ahead refused (horizon() always
// -Infinity, idleAfter(), takeBack() and takeVirtual() always false: one event per SYN and
// per CPU step as before) gives a byte-identical report.
// Likewise a NAPI poll's batching (NetRx.txHold: the cookie SYN-ACKs stamped
// in one WASM call, the TX descriptors posted in bursts, the wire kicked once
// per poll): with it off, each SYN-ACK is stamped and sent as its SYN is
// processed, and the report is byte-identical. So is a poll's run of SYNs
// for a listener taken through IP and TCP in one pass (Stack.listenRun,
// charged after it): with it off, each goes up through receive() alone. And
// so is a stretch of such SYNs answered with cookies in one WASM call
// (TcpHost.listenCookieRun, assembly/listen.ts): with it off, each goes
// through rcvListenSyn and tcpConnRequest in TS.
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
    // bound, and the take-back of a tentative or virtual step (refused, a virtual one is staged at the end of
    // its event and dispatched)
    w.loop.horizon = () => -Infinity;
    w.loop.idleAfter = () => false;
    w.loop.takeBack = () => false;
    w.loop.takeVirtual = () => false;
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

/** run() with TcpHost.listenCookieRun on or refused (-1: as a host without TcpEnv.delivered); `skbs`: the pool. */
async function runCookieRun(s: WorldSpec, on: boolean, skbs: number, tap = false): Promise<{ json: string; events: number; inCookieRuns: number; wire: string }> {
  const core = await createCore(skbs > 0 ? { ...coreConfigFor(s), skbs } : coreConfigFor(s));
  // with `tap`: every frame's bytes as it leaves (the SYN-ACKs' cookies, options, checksums), one digest
  let digest = 0;
  let frames = 0;
  const w = new World(
    core,
    s,
    tap
      ? (h) => {
          const b = core.headers;
          const n = Math.min(core.skb.len[h]!, 128);
          for (let i = h * 128; i < h * 128 + n; i++) digest = (Math.imul(digest, 31) + b[i]!) | 0;
          frames++;
        }
      : null,
  );
  let inCookieRuns = 0;
  for (const host of w.hosts.values()) {
    const tcp = host.stack.tcp;
    const run = tcp.listenCookieRun.bind(tcp);
    tcp.listenCookieRun = on
      ? (at, n, me) => {
          const k = run(at, n, me);
          if (k > 0) inCookieRuns += k;
          return k;
        }
      : () => -1;
  }
  const json = JSON.stringify(buildReport(w, w.run()));
  return { json, events: w.loop.events, inCookieRuns, wire: `${frames} frames, digest ${digest}` };
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

  // The WASM stretch against the TS path it replaces, on every branch it must leave to TS or take as TS
  // does: cookies always (Linux's SYN layout), cookies on with the SYN queue full and a client's
  // handshakes (established sockets on the port: no stretch while there are), cookies off (never taken),
  // bare SYNs (no options: hping3's), each option sysctl off (tcp_timestamps=0: a cookie without options;
  // tcp_sack=0; tcp_window_scaling=0), and a pool of 3000 skbs (SYN-ACK allocations fail: the SYN is still
  // consumed and counted, with no SYN-ACK).
  for (const [name, cookies, client, sysctl, bare, skbs] of [
    ["cookies always", 2, false, {}, false, 0],
    ["cookies on, backlog 16, a connecting client", 1, true, {}, false, 0],
    ["cookies off, a connecting client", 0, true, {}, false, 0],
    ["cookies always, bare SYNs", 2, false, {}, true, 0],
    ["cookies always, tcp_timestamps=0", 2, false, { "net.ipv4.tcp_timestamps": 0 }, false, 0],
    ["cookies always, tcp_sack=0, tcp_window_scaling=0", 2, false, { "net.ipv4.tcp_sack": 0, "net.ipv4.tcp_window_scaling": 0 }, false, 0],
    ["cookies always, a pool of 3000 skbs", 2, false, {}, false, 3000],
  ] as const) {
    it(`${name}: the same report with and without a stretch of cookie SYNs in one WASM call (listenCookieRun)`, async () => {
      const s = spec(cookies, {}, client);
      const srv = s.hosts.find((h) => h.name === "server")!;
      srv.sysctl = { ...srv.sysctl, ...sysctl };
      if (bare) s.traffic = s.traffic.map((t) => (t.kind === "syn-flood" ? { ...t, bare: true } : t));
      const a = await runCookieRun(s, true, skbs);
      const b = await runCookieRun(s, false, skbs);
      expect(b.inCookieRuns).toBe(0);
      if (cookies === 0) expect(a.inCookieRuns).toBe(0);
      else expect(a.inCookieRuns).toBeGreaterThan(1000);
      if (skbs > 0) expect(a.json).toContain("alloc");
      expect(a.events).toBe(b.events);
      expect(a.json).toBe(b.json);
      // every frame on the wire byte for byte (a capture tap: per-frame wire mode, both runs)
      const c = await runCookieRun(s, true, skbs, true);
      const d = await runCookieRun(s, false, skbs, true);
      if (cookies !== 0) expect(c.inCookieRuns).toBeGreaterThan(1000);
      expect(c.wire).toBe(d.wire);
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
    // and the cookie stretches in one WASM call (established sockets on the port: each stretch ends before theirs)
    const d = await runCookieRun(s, true, 0);
    const e = await runCookieRun(s, false, 0);
    expect(d.inCookieRuns).toBeGreaterThan(500);
    expect(d.json).toBe(a.json);
    expect(e.json).toBe(a.json);
  });
});
