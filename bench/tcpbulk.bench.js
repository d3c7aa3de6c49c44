// One bulk TCP flow (CUBIC, real handshake, ACK clocking, DRS) over a 10 Gbit
// link at MTU 1500 with 50 us one-way delay, no offloads. One op = one
// simulated wire packet (data frames plus ACKs, both directions). The
// issue's target is real time: >= 0.83M wire packets per wall-clock second
// (10 Gbit/s of 1538-byte frames is 812,744 frames/s plus the ACKs).
import { createCore } from "../dist/core/node.js";
import { World, coreConfigFor } from "../dist/sim/world.js";
import { steadyStateWireSuite } from "./harness.js";


export function spec() {
  const host = (name, last, listeners) => ({
    name,
    addr: Uint8Array.of(10, 0, 0, last),
    cpus: 1,
    nic: { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000, tso: false },
    sysctl: {},
    listeners,
    udpPorts: [],
  });
  return {
    name: "tcpbulk",
    seed: 1,
    durationNs: 1e15,
    hosts: [host("a", 1, []), host("b", 2, [{ port: 5001, backlog: 128, accept: true, app: { kind: "sink" } }])],
    links: [{ a: "a", b: "b", rateBps: 10e9, delayNs: 50_000, loss: 0, reorder: 0 }],
    traffic: [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: Infinity, at: 0 }],
    timeseriesPoints: 2,
  };
}

export async function run(report) {
  const s = spec();
  const world = new World(await createCore(coreConfigFor(s)), s);
  const wire = () => world.linkDirections().reduce((n, d) => n + d.packets, 0);
  const perSimSecond = await steadyStateWireSuite(report, {
    world,
    suite: "tcp bulk 10G",
    name: "1 bulk flow, MTU 1500, no offloads (wire packets)",
    calibrate: 10,
  });
  // real-time ratio: simulated seconds per wall second = (pkt/s) / (wire packets per simulated second)
  console.log(`tcpbulk: ${perSimSecond.toFixed(0)} wire packets per simulated second`);
  // On a shared machine the wall-clock rate moves with the load; the packets per CPU-second of
  // this process over a further 100 ms of the same warm, steady flow move much less.
  const p0 = wire();
  const e0 = world.loop.events;
  const cpu0 = process.cpuUsage();
  world.loop.run(world.loop.now + 100e6);
  const cpu = process.cpuUsage(cpu0);
  const events = world.loop.events - e0;
  const r = world.ledger.report(world.inFlight());
  if (r.unaccounted !== 0) throw new Error(`tcpbulk: ledger has ${r.unaccounted} unaccounted packets`);
  const perCpuSecond = (wire() - p0) / ((cpu.user + cpu.system) / 1e6);
  console.log(`tcpbulk: ${(perCpuSecond / 1e6).toFixed(3)} M wire packets per CPU-second (${(perCpuSecond / perSimSecond).toFixed(2)}x real time per CPU), ${(events / (wire() - p0)).toFixed(2)} events per wire packet`);
}
