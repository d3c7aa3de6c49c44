// SYN flood against a listener with SYN cookies: SYNs simulated per
// wall-clock second. One op = one spoofed SYN through the whole model: the
// attacker's generator and qdisc, the wire, the server's NIC ring and NAPI
// poll, IP and tcp_v4_rcv, tcp_conn_request answering with a cookie SYN-ACK,
// the SYN-ACK's trip back over the wire and its drop at the peer (OTHERHOST).
// The target is >= 2M SYNs/s on one core.
//
// Cases:
//   syncookies=2 (always)  no request socks at all: the stateless path
//   syncookies=1, backlog 128  129 reqs (their timers), then cookies
//   event floor (baseline)  no-op events on the same loop, as many per op as
//                           the flood dispatches per SYN (counted in a warm-up
//                           slice), ~100 pending like the flood's wire: what
//                           a SYN would cost if the model did no work at all
import { createCore } from "../dist/core/node.js";
import { World, coreConfigFor } from "../dist/sim/world.js";
import { EventLoop } from "../dist/sim/loop.js";
import { runSuite } from "./harness.js";

const RATE = 5e6; // SYNs per simulated second
const SLICE_NS = 20e6; // 100k SYNs per call
const PER_CALL = (RATE * SLICE_NS) / 1e9;

function spec(syncookies) {
  const nic = { queues: 1, rateBps: 100e9, mtu: 1500, rxRing: 4096, txRing: 4096, txqueuelen: 10000 };
  const host = (name, last, over = {}) => ({ name, addr: Uint8Array.of(10, 0, 0, last), cpus: 1, nic, sysctl: {}, listeners: [], udpPorts: [], ...over });
  return {
    name: "synflood-bench",
    seed: 1,
    durationNs: 1e15,
    hosts: [host("attacker", 1), host("server", 2, { sysctl: { "net.ipv4.tcp_syncookies": syncookies }, listeners: [{ port: 80, backlog: 128, accept: true }] })],
    links: [{ a: "attacker", b: "server", rateBps: 100e9, delayNs: 10_000, loss: 0, reorder: 0 }],
    traffic: [{ kind: "syn-flood", from: "attacker", to: "server", port: 80, count: 2 ** 31 - 1, at: 0, rate: RATE, spoof: "random" }],
    timeseriesPoints: 2,
  };
}

async function world(syncookies) {
  const s = spec(syncookies);
  const core = await createCore(coreConfigFor(s));
  const w = new World(core, s);
  for (const t of w.traffic) t.start();
  return { w, end: 0 };
}

/** Events the flood dispatches per SYN, from one warm-up slice. */
function eventsPerSyn(x) {
  const e0 = x.w.loop.events;
  const s0 = x.w.traffic[0].stats.packets;
  x.end += SLICE_NS;
  x.w.loop.run(x.end);
  return (x.w.loop.events - e0) / (x.w.traffic[0].stats.packets - s0);
}

/** A loop of no-op events: `pending` chains, each rescheduling itself 1/RATE * pending later. */
async function eventFloor(pending) {
  const core = await createCore({ skbs: 64, ringSlots: 64, wheelEntries: 1 << 12 });
  const loop = new EventLoop(core.wheel);
  const gap = (1e9 / RATE) * pending;
  const kind = loop.register("noop", (arg) => loop.after(gap, kind, arg));
  for (let i = 0; i < pending; i++) loop.at((i * gap) / pending, kind, i);
  return loop;
}

export async function run(report) {
  const always = await world(2);
  const onOverflow = await world(1);
  const perSyn = eventsPerSyn(always);
  eventsPerSyn(onOverflow);
  const floor = await eventFloor(100);
  let floorEnd = 0;
  const step = (x) => () => {
    x.end += SLICE_NS;
    x.w.loop.run(x.end);
  };
  await runSuite(
    "syn flood",
    [
      { name: "syncookies=2 (always)", opsPerCall: PER_CALL, fn: step(always) },
      { name: "syncookies=1, backlog 128", opsPerCall: PER_CALL, fn: step(onOverflow) },
      // the same number of events per call as the flood's slice: PER_CALL SYNs x perSyn
      { name: `event floor, ${perSyn.toFixed(1)} no-op events per SYN (baseline)`, opsPerCall: PER_CALL, fn: () => floor.run((floorEnd += SLICE_NS * perSyn)) },
    ],
    report,
    { unit: "SYNs/s", baseline: `event floor, ${perSyn.toFixed(1)} no-op events per SYN (baseline)` },
  );
  for (const [name, x] of [["always", always], ["on overflow", onOverflow]]) {
    const n = x.w.host("server").nstat;
    const sent = x.w.traffic[0].stats.packets;
    const cookies = n.get("TcpExtSyncookiesSent");
    const drops = x.w.ledger.report(x.w.inFlight());
    // sanity: every SYN that reached the server was answered with a cookie or a req
    if (cookies + 129 < sent * 0.99) throw new Error(`${name}: ${sent} SYNs sent but only ${cookies} cookies (${JSON.stringify(drops.dropped)})`);
  }
}
