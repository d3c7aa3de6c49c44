// A NAPI poll's TX hold (NicTx.txHold / txRelease: the descriptors its bypassed skbs post reach
// the ring and the wire once, at the end of the poll) must not change what the model says: with
// every NIC's hold turned off the report is byte-identical. Two shapes the single-queue,
// single-NIC SYN flood tests (test/tcp/synflood-burst) do not reach: a poll posting on several TX
// queues of one NIC (the wire's round robin over the rings), and a poll replying on two NICs of
// one host (the NICs share the core's post stage).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import type { HostSpec, TrafficSpec, WorldSpec } from "../../src/sim/world-spec.js";
import { host, link, world } from "../sim/spec-helpers.js";

/** The report, and how many NAPI polls of `server` transmitted on more than one TX ring (distinct
 *  NIC or TX queue): the shape under test occurred. */
async function run(s: WorldSpec, hold: boolean): Promise<{ json: string; spread: number }> {
  const core = await createCore(coreConfigFor(s));
  const w = new World(core, s);
  for (const h of w.hosts.values()) {
    for (const nic of h.nics) {
      if (!hold) {
        nic.tx.txHold = () => {};
        nic.tx.txRelease = () => {};
      }
    }
  }
  const srv = w.host("server");
  const rings = new Set<number>();
  let spread = 0;
  const hold0 = srv.rx.txHold;
  srv.rx.txHold = (begin) => {
    if (begin) rings.clear();
    hold0(begin);
    if (!begin && rings.size > 1) spread++;
  };
  srv.nics.forEach((nic, i) => {
    const xmit = nic.tx.xmit.bind(nic.tx);
    nic.tx.xmit = (h) => {
      const ok = xmit(h);
      rings.add(i * 64 + core.skb.queue[h]!);
      return ok;
    };
  });
  const json = JSON.stringify(buildReport(w, w.run()));
  return { json, spread };
}

// drivers/net/ethernet/mellanox/mlx5/core/en.h: MLX5E_PARAMS_DEFAULT_{RX,TX}_CQ_MODERATION_{USEC,PKTS}
// (a poll takes several frames)
const MLX5 = { rxUsecs: 16_000, rxFrames: 32, txUsecs: 16_000, txFrames: 32 };

const rrListener = { port: 5001, backlog: 128, accept: true, app: { kind: "rr" as const, request: 100, response: 1000 } };

type Nic = typeof MLX5 & { queues: number; rateBps: number; mtu: number; rxRing: number; txRing: number; txqueuelen: number };

/** An attacker and a client both linked to a 2-CPU server (SYN cookies always, a port-80 listener and
 *  the rr listener); `server` adds to the server's host, `traffic` is what runs for 3 ms. */
function floodWorld(nic: Nic, server: Partial<HostSpec>, traffic: TrafficSpec[]): WorldSpec {
  return world(
    [
      host("attacker", 1, { nic }),
      host("client", 3, { nic }),
      host("server", 2, {
        cpus: 2,
        nic,
        ...server,
        sysctl: { "net.ipv4.tcp_syncookies": 2 },
        listeners: [{ port: 80, backlog: 128, accept: true }, rrListener],
      }),
    ],
    [link("attacker", "server", { delayNs: 10_000 }), link("client", "server", { delayNs: 10_000 })],
    traffic,
    { durationNs: 3e6 },
  );
}

/** The scenario's report with every NIC's hold on equals the one with it off (and > 20 polls transmitted on more than one ring). */
async function expectHoldNeutral(s: WorldSpec): Promise<void> {
  const on = await run(s, true);
  const off = await run(s, false);
  expect(on.spread).toBeGreaterThan(20);
  expect(on.json).toBe(off.json);
}

const flood = (from: string) =>
  ({ kind: "syn-flood", from, to: "server", port: 80, count: 4000, at: 0, rate: 2e6, spoof: "random" }) as const;
const rr = (flows: number) =>
  ({ kind: "rr", from: "client", to: "server", port: 5001, flows, request: 100, response: 1000, at: 0 }) as const;
const nicWith = (queues: number): Nic => ({ ...MLX5, queues, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000 });

describe("a NAPI poll's TX hold: the same report with every NIC's hold off", () => {
  it("4 TX queues, no XPS (skb_tx_hash): a SYN flood and request-reply flows", async () => {
    await expectHoldNeutral(floodWorld(nicWith(4), {}, [flood("attacker"), rr(16)]));
  });

  it("two NICs, RPS to one CPU: one backlog poll replies on both NICs", async () => {
    const rps = { cpus: [[1]], flowCnt: 0, arfs: false, flowLimitCpus: [] };
    await expectHoldNeutral(floodWorld(nicWith(1), { rps }, [flood("attacker"), flood("client"), rr(8)]));
  });
});
