// Two hosts and TCP data traffic built in code, for the data-transfer tests.
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { TrafficSpec, WorldSpec } from "../../src/sim/world-spec.js";
import type { TcpListenerConfig } from "../../src/tcp/tcp-host.js";
import type { ServerApp } from "../../src/tcp/apps.js";
import { buildReport } from "../../src/report/build.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import type { LinkConfig } from "../../src/net/link.js";
import { host, link, world } from "../sim/spec-helpers.js";

export async function runWorld(spec: WorldSpec) {
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const result = w.run();
  return { w, core, result, report: buildReport(w, result) };
}

/** A world for `spec` (not yet run) whose links go dead (every frame lost, both ways) at `deadAt`. */
export async function deadLinkWorld(spec: WorldSpec, deadAt = Infinity): Promise<World> {
  // a tap puts the link in per-frame mode, whose loss test reads the config at each frame
  const w = new World(await createCore(coreConfigFor(spec)), spec, () => {});
  const kill = w.loop.register("test: link dead", () => {
    for (const d of w.linkDirections()) (d as unknown as { config: LinkConfig }).config.loss = 1;
  });
  if (deadAt !== Infinity) w.loop.at(deadAt, kill, 0);
  return w;
}

/** b's end of a bulk flow a -> b cut off by a dead link at 2 ms, 300 ms later: nothing due, for segments and
 *  writes made by hand (quiet-receiver.ts says what state that leaves). */
export async function quietServerSocket() {
  const w = await deadLinkWorld(pair({ durationNs: 3e6 }, [bulk()]), 2e6);
  w.run();
  w.loop.run(w.loop.now + 300e6);
  const t = w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  return { w, t, sk, c: sk.conn! };
}

/** An established connection (a bulk flow a -> b stopped after 2 ms) whose server application no longer
 *  reads: the server's TCP host, socket, connection and nstat, for segments injected by hand. */
export async function stalledReceiver(o: PairOpts = {}) {
  const r = await runWorld(pair({ durationNs: 2e6, ...o }, [bulk()]));
  const t = r.w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  const c = sk.conn!;
  c.readRate = 0;
  return { ...r, t, sk, c, nstat: r.w.host("b").nstat };
}

export interface PairOpts {
  rateBps?: number;
  delayNs?: number;
  loss?: number;
  durationNs?: number;
  app?: ServerApp;
  sysctl?: Record<string, number | number[]>;
  clientSysctl?: Record<string, number | number[]>;
}

/** client a (10.0.0.1) -> server b (10.0.0.2) port 5001 over one link. */
export function pair(o: PairOpts, traffic: TrafficSpec[]): WorldSpec {
  const l: TcpListenerConfig = { port: 5001, backlog: 128, accept: true, app: o.app ?? { kind: "sink" } };
  return world(
    [host("a", 1, { sysctl: o.clientSysctl ?? {} }), host("b", 2, { listeners: [l], sysctl: o.sysctl ?? {} })],
    [link("a", "b", { rateBps: o.rateBps ?? 10e9, delayNs: o.delayNs ?? 50_000, loss: o.loss ?? 0 })],
    traffic,
    { durationNs: o.durationNs ?? 20e6 },
  );
}

/** The spec with every link reordering a fraction `p` of its frames (both ways). */
export function reordering(spec: WorldSpec, p: number): WorldSpec {
  return { ...spec, links: spec.links.map((l) => ({ ...l, reorder: p })) };
}

/** The spec with every host's NIC at MTU `mtu`. */
export function smallMtu(spec: WorldSpec, mtu = 300): WorldSpec {
  return { ...spec, hosts: spec.hosts.map((h) => ({ ...h, nic: { ...h.nic, mtu } })) };
}

export const bulk = (over: Partial<Extract<TrafficSpec, { kind: "bulk" }>> = {}): TrafficSpec => ({
  kind: "bulk",
  from: "a",
  to: "b",
  port: 5001,
  flows: 1,
  bytes: Infinity,
  at: 0,
  ...over,
});
