// gro_flush_timeout and napi_defer_hard_irqs (net/core/dev.c:
// napi_complete_done, napi_watchdog; 6.12: per netdev). Costs are zero (the
// engine's default for specs built in code), so every poll runs the instant
// its IRQ or timer fires and the expected times follow from the rules alone.
import { describe, expect, it } from "vitest";
import { rxWorld } from "./helpers.js";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { writePacket } from "../../src/wire/skb-headers.js";
import type { NicConfig } from "../../src/net/nic.js";
import { host, link, world } from "../sim/spec-helpers.js";

const US = 1000;
const nicWith = (over: Partial<NicConfig>): NicConfig => ({ queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000, ...over });

describe("napi_defer_hard_irqs + gro_flush_timeout (UDP: GRO holds nothing)", () => {
  async function timeline(over: Partial<NicConfig>) {
    const { w, hb, inject } = await rxWorld({ nic: nicWith(over) });
    inject(1, { at: 0 });
    inject(1, { at: 5 * US });
    inject(1, { at: 100 * US });
    const processedAt = (t: number) => {
      w.loop.run(t);
      return hb.softnet(0).processed;
    };
    const seen = [processedAt(1 * US), processedAt(19 * US), processedAt(21 * US), processedAt(99 * US), processedAt(101 * US)];
    w.loop.run(1e6);
    const nic = hb.nics[0]!;
    return { seen, irqs: nic.rxQueueStats(0).irqs, watchdog: hb.napiWatchdogFires(0, 0), processed: hb.softnet(0).processed };
  }

  it("off (defaults): one IRQ per frame on an idle queue, no timer", async () => {
    const r = await timeline({});
    expect(r.seen).toEqual([1, 2, 2, 2, 3]);
    expect(r.irqs).toBe(3);
    expect(r.watchdog).toBe(0);
  });

  it("defer 2, timeout 20 us: the IRQ stays masked, the timer polls; re-armed after 2 empty polls", async () => {
    // t=0 IRQ, poll (1 frame): count = 2 -> 1, timer 20 us, IRQ masked
    // t=5 frame waits (no IRQ); t=20 timer, poll (1 frame): count = 2 -> 1, timer 40
    // t=40 empty poll: 1 -> 0, timer 60; t=60 empty poll: count 0 -> timeout 0, IRQ re-armed
    // t=100 IRQ, poll: 2 -> 1, timer 120; t=120 empty: 1 -> 0, timer 140; t=140 empty: re-armed
    const r = await timeline({ napiDeferHardIrqs: 2, groFlushTimeout: 20 * US });
    expect(r.seen).toEqual([1, 1, 2, 2, 3]);
    expect(r.irqs).toBe(2);
    expect(r.watchdog).toBe(5);
    expect(r.processed).toBe(3);
  });

  it("defer without a timeout does nothing (napi_complete_done returns true when gro_flush_timeout is 0)", async () => {
    const r = await timeline({ napiDeferHardIrqs: 5 });
    expect(r.seen).toEqual([1, 2, 2, 2, 3]);
    expect(r.irqs).toBe(3);
    expect(r.watchdog).toBe(0);
  });

  it("a timeout without defer and nothing held by GRO arms no timer (gro_bitmask is 0)", async () => {
    const r = await timeline({ groFlushTimeout: 20 * US });
    expect(r.irqs).toBe(3);
    expect(r.watchdog).toBe(0);
  });
});

describe("gro_flush_timeout with GRO holding TCP segments", () => {
  async function tcpWorld(over: Partial<NicConfig>) {
    const spec = world([host("a", 1), host("b", 2, { nic: nicWith(over) })], [link("a", "b")], [], { durationNs: 20e6 });
    const core = await createCore({ ...coreConfigFor(spec), skbs: 1 << 12 });
    const w = new World(core, spec);
    const hb = w.host("b");
    const batches: { flow: number; segs: number }[] = [];
    const kind = w.loop.register("test tcp", (i) => {
      const { flow, segs } = batches[i]!;
      for (let s = 0; s < segs; s++) {
        const h = core.allocOne(w.loop.now);
        w.ledger.create();
        writePacket(core, h, {
          ip: { version: 4, src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2), df: true },
          l4: { proto: "tcp", sport: 40000 + flow, dport: 5001, seq: 1000 + s * 1448, ack: 1, flags: 0x10, window: 512, options: { ts: { val: 7, ecr: 3 } } },
          payloadLen: 1448,
        });
        hb.nics[0]!.rxEnqueue(h, 0);
      }
    });
    const at = (t: number, flow: number, segs: number) => {
      batches.push({ flow, segs });
      w.loop.at(t, kind, batches.length - 1);
    };
    const outAt = (t: number) => {
      w.loop.run(t);
      return hb.groCounts().packetsOut;
    };
    return { w, hb, at, outAt };
  }

  it("off: napi_complete_done flushes the aggregate at once", async () => {
    const { at, outAt } = await tcpWorld({});
    at(200 * US, 0, 3);
    expect(outAt(201 * US)).toBe(1);
  });

  it("50 us, defer 0: the aggregate waits for the timer; the IRQ is re-armed meanwhile", async () => {
    // t=200: IRQ, poll (3 segs -> 1 aggregate held): gro_bitmask -> timeout 50 us,
    // flush_old keeps it (same jiffy), ret true (IRQ re-armed), timer at 250
    // t=250: timer, empty poll: work 0 -> timeout 0 -> napi_gro_flush(n, false)
    const { hb, at, outAt } = await tcpWorld({ groFlushTimeout: 50 * US });
    at(200 * US, 0, 3);
    expect(outAt(249 * US)).toBe(0);
    expect(outAt(251 * US)).toBe(1);
    expect(hb.groCounts().packetsIn).toBe(3);
    expect(hb.nics[0]!.rxQueueStats(0).irqs).toBe(1);
    expect(hb.napiWatchdogFires(0, 0)).toBe(1);
  });

  it("flush_old bounds the hold to the jiffy: a later poll flushes what an earlier jiffy left; the timer restarts", async () => {
    // t=0.2 ms: flow 0 (3 segs) held, timer at 5.2 ms
    // t=1.5 ms: flow 1 (1 seg) -> IRQ (re-armed) -> poll: both held -> timeout 5 ms,
    //   napi_gro_flush(n, true) in jiffy 1 flushes flow 0 (jiffy 0), keeps flow 1; timer restarted at 6.5 ms
    // t=6.5 ms: timer, empty poll, flush all: flow 1 goes up. The 5.2 ms expiry never fires.
    const { hb, at, outAt } = await tcpWorld({ groFlushTimeout: 5e6 });
    at(200 * US, 0, 3);
    at(1500 * US, 1, 1);
    expect(outAt(1499 * US)).toBe(0);
    expect(outAt(1501 * US)).toBe(1);
    expect(outAt(6499 * US)).toBe(1);
    expect(outAt(6501 * US)).toBe(2);
    expect(hb.nics[0]!.rxQueueStats(0).irqs).toBe(2);
    expect(hb.napiWatchdogFires(0, 0)).toBe(1);
  });
});

describe("built-in scenario rx-defer-irqs", () => {
  it("the deferred NIC polls on its timer with the IRQ masked; the plain one takes an IRQ per frame", async () => {
    const { runScenario } = await import("../../src/run-scenario.js");
    const { loadBuiltinScenario } = await import("../../src/scenario/builtin.js");
    const r = await runScenario(loadBuiltinScenario("rx-defer-irqs"));
    const plain = r.hosts.plain!.rxQueues[0]!;
    const deferred = r.hosts.deferred!.rxQueues[0]!;
    // 500k/s for 10 ms; every frame 2 us apart reaches an idle queue on `plain`
    expect(plain.packets).toBeGreaterThan(4900);
    expect(plain.irqs).toBe(plain.packets);
    expect(plain.napiWatchdog).toBe(0);
    // one IRQ starts it; from then on each timer poll finds frames (count reset), so the IRQ stays masked
    expect(deferred.packets).toBe(plain.packets);
    expect(deferred.irqs).toBe(1);
    // each period: 50 us timeout after a poll of ~25 frames; at most 10 ms / 50 us expiries
    expect(deferred.napiWatchdog).toBeGreaterThan(100);
    expect(deferred.napiWatchdog).toBeLessThanOrEqual(200);
    expect(r.hosts.deferred!.cpu[0]!.irqNs).toBeLessThan(r.hosts.plain!.cpu[0]!.irqNs / 20);
    expect(r.ledger.unaccounted).toBe(0);
  });
});
