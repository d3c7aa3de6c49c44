// A frame that xmit hands a one-queue NIC's ring and the wire takes at once,
// whose TX completion would only be counted (tx-usecs coalescing: the IRQ timer
// armed for later, below tx-frames), goes on the wire in one step
// (LinkDirection.sendQuiet) instead of through the qdisc run, the post stage,
// kickTrain and trainFrom. It must be invisible in what the model says: the
// same run with the step refused gives a byte-identical report and the same
// events; and it must be taken exactly where the rules say.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { host, link, world } from "../sim/spec-helpers.js";

function spec(count: number, rate: number, tx: { txUsecs: number; txFrames: number; bql?: boolean }, rx = { rxUsecs: 0, rxFrames: 0 }, withClient = false, warmUp = false): WorldSpec {
  const nic = { queues: 1, rateBps: 100e9, mtu: 1500, rxRing: 4096, txRing: 4096, txqueuelen: 10000, ...tx, ...rx };
  return world(
    [
      host("attacker", 1, { nic }),
      host("client", 3, { nic }),
      host("server", 2, { nic, sysctl: { "net.ipv4.tcp_syncookies": 1 }, listeners: [{ port: 80, backlog: 16, accept: true }] }),
    ],
    [link("attacker", "server", { rateBps: 100e9, delayNs: 10_000 }), link("client", "server", { rateBps: 100e9, delayNs: 10_000 })],
    [
      // a lone SYN first: dql's limit starts at 0, so its post stops the queue until its completion
      ...(warmUp ? [{ kind: "syn-flood" as const, from: "attacker", to: "server", port: 80, count: 1, at: 1000, rate: 0, spoof: "random" as const }] : []),
      { kind: "syn-flood", from: "attacker", to: "server", port: 80, count, at: warmUp ? 30_000 : 1000, rate, spoof: "random" },
      ...(withClient ? [{ kind: "connect" as const, from: "client", to: "server", port: 80, count: 100, at: 0, rate: 100_000, spoof: "none" as const }] : []),
    ],
    { durationNs: 4e6 },
  );
}

async function run(s: WorldSpec, quiet: boolean): Promise<{ json: string; events: number; quiet: Record<string, number> }> {
  const core = await createCore(coreConfigFor(s));
  const w = new World(core, s);
  if (!quiet) for (const h of w.hosts.values()) for (const n of h.nics) n.tx.quietWire = null;
  const json = JSON.stringify(buildReport(w, w.run()));
  const q: Record<string, number> = {};
  for (const d of w.linkDirections()) q[`${d.fromName}->${d.toName}`] = d.quietSends;
  return { json, events: w.loop.events, quiet: q };
}

describe("link: a quiet frame goes on the wire in one step (sendQuiet)", () => {
  // BQL off (limit_min max) in these three, and a lone SYN at 1 us first: dql's limit starts at 0,
  // so that SYN's post stops the queue (STACK_XOFF) until its completion, whose IRQ (tx-usecs 16 us
  // after its end, ~17 us) cleans it and sets the limit to limit_min. The flood starts at 30 us with
  // nothing armed and the queue running; its SYNs leave 1 us apart.
  it("10 SYNs at 1M/s, tx-usecs 16 us, tx-frames 32: all but the first", async () => {
    // SYN 1 finds no completion IRQ armed: its completion is not quiet (frameDone arms the 16 us
    // timer at its end), so it goes the qdisc/kickTrain way with a tx-done event. SYNs 2..10 leave
    // before that timer (~46 us) with done + 1 <= 9 < 32: quiet. The lone SYN was not quiet (no
    // IRQ armed), and the server's SYN-ACKs leave from its NAPI poll (a TX hold): never quiet.
    const r = await run(spec(10, 1e6, { txUsecs: 16_000, txFrames: 32, bql: false }, undefined, false, true), true);
    expect(r.quiet["attacker->server"]).toBe(9);
    expect(r.quiet["server->attacker"]).toBe(0);
  });

  it("10 SYNs at 1M/s, tx-usecs 16 us, tx-frames 4: two of each four", async () => {
    // per four SYNs: the first arms the IRQ timer (not quiet); the second and third are quiet
    // (done + 1 = 2, 3 < 4); the fourth fills tx-frames (done + 1 = 4: not quiet) and its
    // completion raises the IRQ at once, whose TX NAPI poll (no CPU cost: at once) cleans all four
    // and leaves nothing armed, so the fifth starts over: SYNs 2, 3, 6, 7, 10
    const r = await run(spec(10, 1e6, { txUsecs: 16_000, txFrames: 4, bql: false }, undefined, false, true), true);
    expect(r.quiet["attacker->server"]).toBe(5);
  });

  it("no tx-usecs: every completion is cleaned at once, nothing is quiet", async () => {
    const r = await run(spec(10, 1e6, { txUsecs: 0, txFrames: 0, bql: false }, undefined, false, true), true);
    expect(r.quiet["attacker->server"]).toBe(0);
  });

  it("BQL on, no lone SYN first: the flood's first SYN stops the queue, the rest wait in pfifo_fast", async () => {
    // dql's limit 0: SYN 1's post stops the queue; SYNs 2..10 (before its completion IRQ at ~17 us)
    // find it stopped and are queued (no bypass while DRAINING), then go in the IRQ's qdisc run
    const r = await run(spec(10, 1e6, { txUsecs: 16_000, txFrames: 32 }), true);
    expect(r.quiet["attacker->server"]).toBe(0);
  });

  for (const [name, count, rate, tx, rx, client] of [
    ["mlx5 moderation, 5M SYN/s", 15_000, 5e6, { txUsecs: 16_000, txFrames: 32 }, { rxUsecs: 16_000, rxFrames: 32 }, false],
    ["mlx5 moderation, 5M SYN/s, a connecting client (its SYNs and ACKs quiet too; two quiet posts stop the queue: BQL)", 15_000, 5e6, { txUsecs: 16_000, txFrames: 32 }, { rxUsecs: 16_000, rxFrames: 32 }, true],
    ["tx-usecs 8 us, no frame limit, rx-usecs 2 us", 15_000, 5e6, { txUsecs: 8_000, txFrames: 0 }, { rxUsecs: 2_000, rxFrames: 0 }, false],
    ["tx-usecs 4 us, tx-frames 8, 1M SYN/s, a connecting client", 3_000, 1e6, { txUsecs: 4_000, txFrames: 8 }, { rxUsecs: 0, rxFrames: 0 }, true],
  ] as const) {
    it(`${name}: the same report and events with and without the step`, async () => {
      const s = spec(count, rate, tx, rx, client);
      const a = await run(s, true);
      const b = await run(s, false);
      expect(Object.values(b.quiet).every((n) => n === 0)).toBe(true);
      // the path under test ran
      expect(a.quiet["attacker->server"]).toBeGreaterThan(count / 4);
      expect(a.events).toBe(b.events);
      expect(a.json).toBe(b.json);
    });
  }
});
