// A NAPI poll's cookie SYN-ACKs go to the driver in one pass (CookieBurst.flush -> TcpHost.outputBurst
// -> Stack.outputHeldBurst -> NicTx.xmitHeldBurst) instead of one TcpHost.output -> Stack.output ->
// ipOutput -> Nic.xmit -> NicTx.xmit each, for as many of them as the held bypass of a one-queue NIC
// takes; the first that would take another path (a stopped queue, a non-empty qdisc) and the rest go
// through output. That must be invisible: the same run with the burst refused (every SYN-ACK through
// output) gives a byte-identical report, the same events, and the same frames pushed onto every wire
// FIFO (handle, first bytes, the end of serialization the push leaves), in shapes where the burst is
// taken, cut short (the ring fills and the driver stops the queue, BQL stops it, the qdisc queues
// behind it) and declined (fq: no bypass; 4 TX queues: no TX hold; a server with two NICs: no sole
// route; cookies off: no cookie burst), with a connecting client's handshakes mixed in.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import type { Core } from "../../src/core/core.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { watchWire } from "./wire-digest.js";
import { buildReport } from "../../src/report/build.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { host, link, world } from "../sim/spec-helpers.js";

// drivers/net/ethernet/mellanox/mlx5/core/en.h: MLX5E_PARAMS_DEFAULT_{RX,TX}_CQ_MODERATION_{USEC,PKTS}
const MLX5 = { rxUsecs: 16_000, rxFrames: 32, txUsecs: 16_000, txFrames: 32 };

interface Shape {
  cookies?: number;
  nic?: object;
  /** A connect flow from the attacker host too (full handshakes between the cookies). */
  connect?: boolean;
  /** A second client host on its own link: the server has two NICs. */
  secondLink?: boolean;
  spoof?: "random" | "fixed" | "none";
  rate?: number;
  skbs?: number;
  sysctl?: Record<string, number | string>;
}

function spec(o: Shape): WorldSpec {
  const nic = { ...MLX5, queues: 1, rateBps: 100e9, mtu: 1500, rxRing: 4096, txRing: 4096, txqueuelen: 10000, ...o.nic };
  const hosts = [
    host("attacker", 1, { nic }),
    host("server", 2, { nic, sysctl: { "net.ipv4.tcp_syncookies": o.cookies ?? 2, ...o.sysctl }, listeners: [{ port: 80, backlog: 16, accept: true }] }),
  ];
  const links = [link("attacker", "server", { rateBps: 100e9, delayNs: 10_000 })];
  if (o.secondLink === true) {
    hosts.push(host("client", 3, { nic }));
    links.push(link("client", "server", { rateBps: 100e9, delayNs: 10_000 }));
  }
  return world(
    hosts,
    links,
    [
      { kind: "syn-flood", from: "attacker", to: "server", port: 80, count: 12_000, at: 1000, rate: o.rate ?? 5e6, spoof: o.spoof ?? "random" },
      ...(o.connect === true ? [{ kind: "connect" as const, from: "attacker", to: "server", port: 80, count: 200, at: 0, rate: 100_000, spoof: "none" as const }] : []),
      ...(o.secondLink === true ? [{ kind: "connect" as const, from: "client", to: "server", port: 80, count: 200, at: 0, rate: 100_000, spoof: "none" as const }] : []),
    ],
    { durationNs: 4e6 },
  );
}

type Burst = (hs: Int32Array, n: number, v6: boolean) => number;

/** A run with the SYN-ACK burst on (its skbs counted) or refused; the report, events and a digest of every push. */
async function run(s: WorldSpec, on: boolean, skbs = 0): Promise<{ json: string; events: number; burstSent: number; wire: string }> {
  const core = await createCore(skbs > 0 ? { ...coreConfigFor(s), skbs } : coreConfigFor(s));
  const w = new World(core, s);
  const wire = watchWire(core, w);
  let burstSent = 0;
  for (const h of w.hosts.values()) {
    const tcp = h.stack.tcp as unknown as { sendHeldBurst: Burst | null };
    const b = tcp.sendHeldBurst!;
    tcp.sendHeldBurst = on
      ? (hs, n, v6) => {
          const k = b(hs, n, v6);
          burstSent += k;
          return k;
        }
      : null;
  }
  const json = JSON.stringify(buildReport(w, w.run()));
  return { json, events: w.loop.events, burstSent, wire: wire() };
}

describe("SYN flood: a poll's cookie SYN-ACKs to the driver in one pass", () => {
  // (shape, the fewest SYN-ACKs the burst must send: 0 = none; null = not checked)
  const shapes: [string, Shape, number | null][] = [
    ["cookies always, random sources (the bench's shape)", {}, 1000],
    ["cookies on, backlog 16, a connecting client on the same link, one fixed source", { cookies: 1, connect: true, spoof: "fixed" }, 1000],
    ["the attacker's own source (SYN-ACKs come back, RSTs answer them)", { spoof: "none" }, 1000],
    ["tx-frames 3", { nic: { txFrames: 3 } }, 1000],
    ["tx ring 64, txqueuelen 100 at 50M/s: the ring fills mid-burst (driver stop, then the qdisc queues)", { nic: { txRing: 64, txqueuelen: 100 }, rate: 50e6 }, 1000],
    ["rx-usecs 2 us, tx-usecs 8 us, no frame limits", { nic: { rxUsecs: 2000, rxFrames: 0, txUsecs: 8000, txFrames: 0 } }, 1000],
    // (an IRQ per frame: most polls hold one SYN, whose SYN-ACK goes through output alone)
    ["NIC defaults at 50M/s", { nic: { rxUsecs: 0, rxFrames: 0, txUsecs: 0, txFrames: 0 }, rate: 50e6 }, null],
    // (few of the server's polls hold more than one cookie SYN-ACK here)
    ["rate 0: all SYNs in one event", { rate: 0 }, 10],
    ["a pool of 600 skbs at 50M SYNs/s: allocations fail", { skbs: 600, rate: 50e6 }, 1000],
    ["fq: no bypass (declined)", { sysctl: { "net.core.default_qdisc": "fq" } }, 0],
    ["4 queues: no TX hold (declined)", { nic: { queues: 4 } }, 0],
    ["a server with two NICs: no sole route (declined)", { secondLink: true }, 0],
    ["cookies off: no cookie burst", { cookies: 0 }, 0],
  ];
  for (const [name, o, taken] of shapes) {
    it(`${name}: the same report, events and wire with and without the burst`, async () => {
      const s = spec(o);
      const a = await run(s, true, o.skbs ?? 0);
      const b = await run(s, false, o.skbs ?? 0);
      expect(b.burstSent).toBe(0);
      if (taken === 0) expect(a.burstSent).toBe(0);
      else if (taken !== null) expect(a.burstSent).toBeGreaterThanOrEqual(taken);
      if (o.skbs !== undefined) expect(a.json).toMatch(/"allocFailures":[1-9]/);
      expect(a.events).toBe(b.events);
      expect(a.wire).toBe(b.wire);
      expect(a.json).toBe(b.json);
    });
  }
});
