// IP's one-pass drop of a NAPI poll's frames for other hosts (NetRx.stackOtherHostRun and
// stackDropRun -> Stack.otherHostRun and dropOtherHostRun: a SYN flood's SYN-ACKs reaching the
// attacker, addressed to its spoofed sources) must say what receive() one frame at a time says: the report, CPU times included
// (each dropped frame charged ip + tcp as receiveLocal charges it), is byte-identical with the
// pass turned off. The attacker also runs request-reply flows of its own, so its polls mix
// frames for it with frames for nobody: the pass takes only the leading ones.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { host, link, world } from "../sim/spec-helpers.js";

// drivers/net/ethernet/mellanox/mlx5/core/en.h: MLX5E_PARAMS_DEFAULT_{RX,TX}_CQ_MODERATION_{USEC,PKTS}
const nic = { rxUsecs: 16_000, rxFrames: 32, txUsecs: 16_000, txFrames: 32, queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000 };
// fractional costs: a different grouping of the f64 sums would show in the CPU times
const cost = { driver: 80.3, gro: 40.7, ip: 81.1, tcp: 299.9, softirq: 1000.5 };

const rrListener = { port: 5001, backlog: 128, accept: true, app: { kind: "rr" as const, request: 100, response: 1000 } };

function spec(): WorldSpec {
  return world(
    [
      host("attacker", 1, { nic, cost }),
      host("server", 2, {
        nic,
        cost,
        sysctl: { "net.ipv4.tcp_syncookies": 2 },
        listeners: [
          { port: 80, backlog: 128, accept: true },
          rrListener,
        ],
      }),
    ],
    [link("attacker", "server", { delayNs: 10_000 })],
    [
      { kind: "syn-flood", from: "attacker", to: "server", port: 80, count: 4000, at: 0, rate: 2e6, spoof: "random" },
      { kind: "rr", from: "attacker", to: "server", port: 5001, flows: 8, request: 100, response: 1000, at: 0 },
    ],
    { durationNs: 3e6 },
  );
}

/** The report; polls whose pass dropped every frame, and those it dropped some but not all of. */
async function run(pass: boolean): Promise<{ json: string; whole: number; part: number; dropped: number }> {
  const s = spec();
  const w = new World(await createCore(coreConfigFor(s)), s);
  let whole = 0;
  let part = 0;
  let dropped = 0;
  for (const h of w.hosts.values()) {
    const f = h.rx.stackOtherHostRun;
    h.rx.stackOtherHostRun =
      pass && f !== null
        ? (at, n) => {
            const k = f(at, n);
            if (k === n) whole++;
            else if (k > 0) part++;
            dropped += k;
            return k;
          }
        : null;
  }
  const json = JSON.stringify(buildReport(w, w.run()));
  return { json, whole, part, dropped };
}

describe("IP drops a poll's frames for other hosts in one pass", () => {
  it("the same report as frame by frame, polls of only such frames and mixed ones", async () => {
    const on = await run(true);
    const off = await run(false);
    expect(on.whole).toBeGreaterThan(20);
    expect(on.part).toBeGreaterThan(0);
    // the frames after a mixed poll's first frame for the attacker go up one by one
    const r = JSON.parse(on.json);
    expect(on.dropped).toBeGreaterThan(0.5 * r.ledger.dropped.IP_INADDRERRORS);
    expect(on.dropped).toBeLessThan(r.ledger.dropped.IP_INADDRERRORS);
    expect(on.json).toBe(off.json);
  });
});
