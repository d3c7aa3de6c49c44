// Small worlds for the TCP tests: a server with one listener, clients and
// SYN senders on their own links.
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { WorldSpec, TrafficSpec } from "../../src/sim/world-spec.js";
import type { ListenerConfig } from "../../src/net/host.js";
import { buildReport } from "../../src/report/build.js";
import type { WireTap } from "../../src/net/link.js";
import type { Core } from "../../src/core/core.js";
import { host, link, world } from "../sim/spec-helpers.js";

export async function run(spec: WorldSpec, tap?: (core: Core) => WireTap) {
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec, tap ? tap(core) : null);
  const result = w.run();
  return { w, core, report: buildReport(w, result) };
}

export interface ServerOpts {
  backlog?: number;
  accept?: boolean | number;
  acceptDelay?: number;
  sysctl?: Record<string, number | readonly number[]>;
  durationNs?: number;
}

/** server (10.0.0.2, port 80) linked to `client` (10.0.0.1, 50 us); extra hosts optional. */
export function serverWorld(o: ServerOpts, traffic: TrafficSpec[], extra: { name: string; last: number; delayNs: number }[] = []): WorldSpec {
  const l: ListenerConfig = { port: 80, backlog: o.backlog ?? 128, accept: o.accept ?? false, ...(o.acceptDelay ? { acceptDelay: o.acceptDelay } : {}) };
  return world(
    [host("server", 2, { listeners: [l], sysctl: o.sysctl ?? {} }), host("client", 1), ...extra.map((e) => host(e.name, e.last))],
    [link("client", "server"), ...extra.map((e) => link(e.name, "server", { delayNs: e.delayNs }))],
    traffic,
    { durationNs: o.durationNs ?? 100e6 },
  );
}

export const synFlood = (count: number, over: Partial<TrafficSpec> = {}): TrafficSpec =>
  ({ kind: "syn-flood", from: "client", to: "server", port: 80, count, at: 0, rate: 0, spoof: "fixed", bare: true, ...over }) as TrafficSpec;

export const connect = (count: number, over: Partial<TrafficSpec> = {}): TrafficSpec =>
  ({ kind: "connect", from: "client", to: "server", port: 80, count, at: 0, rate: 0, spoof: "none", ...over }) as TrafficSpec;

export function closed(report: { ledger: { unaccounted: number }; pool: { balanced: boolean } }): void {
  if (report.ledger.unaccounted !== 0) throw new Error(`ledger: ${report.ledger.unaccounted} unaccounted`);
  if (!report.pool.balanced) throw new Error("skb pool not balanced");
}
