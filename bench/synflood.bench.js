// SYN flood against a listener with SYN cookies: SYNs simulated per
// wall-clock second. One op = one spoofed SYN through the whole model: the
// attacker's generator and qdisc, the wire, the server's NIC ring and NAPI
// poll, IP and tcp_v4_rcv, tcp_conn_request answering with a cookie SYN-ACK,
// the SYN-ACK's trip back over the wire and its drop at the peer (IP_INADDRERRORS).
// The issue's target is >= 2M SYNs/s on one core.
//
// Each case runs in its own worker thread (one WASM core per isolate, as a
// simulation runs: call sites that have seen several instances go
// polymorphic). Per case the CPU-time line also gives the events
// dispatched per SYN and the run-ahead steps per SYN (EventLoop.runAhead: a
// SYN the generator sent in an earlier SYN's event, a softirq session that
// ended in its poll's event; nothing else was due before them). Cases:
//   syncookies=2 (always)  no request socks at all: the stateless path
//   syncookies=1, backlog 128  129 reqs (their timers), then cookies
//   syncookies=2, mlx5 coalescing  both NICs with mlx5's default interrupt
//                           moderation (rx-usecs 16, rx-frames 32, tx-usecs 16,
//                           tx-frames 32: MLX5E_PARAMS_DEFAULT_*_CQ_MODERATION):
//                           one IRQ, NAPI poll and softirq run per 32 SYNs
//   event floor (baseline)  no-op events on the same loop, as many per op as
//                           the flood dispatches per SYN (counted in a warm-up
//                           slice of the syncookies=2 world), ~100 pending
//                           like the flood's wire: what a SYN would cost if
//                           the model did no work at all
import { createCore } from "../dist/core/node.js";
import { World, coreConfigFor } from "../dist/sim/world.js";
import { EventLoop } from "../dist/sim/loop.js";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { runSuite } from "./harness.js";

const RATE = 5e6; // SYNs per simulated second
const SLICE_NS = 20e6; // 100k SYNs per call
const PER_CALL = (RATE * SLICE_NS) / 1e9;
const SUITE = "syn flood";
const FLOOR = "event floor (baseline)";
const MLX5 = "syncookies=2, mlx5 coalescing (16 us / 32 frames)";
const CASES = ["syncookies=2 (always)", "syncookies=1, backlog 128", MLX5, FLOOR];
// drivers/net/ethernet/mellanox/mlx5/core/en.h: MLX5E_PARAMS_DEFAULT_{RX,TX}_CQ_MODERATION_{USEC,PKTS}
export const MLX5_COALESCE = { rxUsecs: 16_000, rxFrames: 32, txUsecs: 16_000, txFrames: 32 };

export function spec(syncookies, coalesce = {}) {
  const nic = { ...coalesce, queues: 1, rateBps: 100e9, mtu: 1500, rxRing: 4096, txRing: 4096, txqueuelen: 10000 };
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

async function world(syncookies, coalesce) {
  const s = spec(syncookies, coalesce);
  const core = await createCore(coreConfigFor(s));
  const w = new World(core, s);
  for (const t of w.traffic) t.start();
  return { w, end: 0 };
}

/** Events the flood dispatches per SYN, from one warm-up slice (a SYN the
 *  generator sent ahead in another's event, EventLoop.runAhead, is none). */
function eventsPerSyn(x) {
  const l = x.w.loop;
  const e0 = l.events - l.ranAhead;
  const s0 = x.w.traffic[0].stats.packets;
  x.end += SLICE_NS;
  l.run(x.end);
  return (l.events - l.ranAhead - e0) / (x.w.traffic[0].stats.packets - s0);
}

/** Every SYN that reached the server was answered with a cookie or a req. */
function check(name, x) {
  const sent = x.w.traffic[0].stats.packets;
  const cookies = x.w.host("server").nstat.get("TcpExtSyncookiesSent");
  // random sources include martians (1/16 + 1/256 of them), which IP drops before TCP (src/net/martian.ts)
  const dropped = x.w.ledger.report(x.w.inFlight()).dropped;
  const martians = (dropped.IP_INVALID_SOURCE ?? 0) + (dropped.IP_LOCALNET ?? 0) + (dropped.IP_LOCAL_SOURCE ?? 0);
  if (cookies + 129 < (sent - martians) * 0.99) throw new Error(`${name}: ${sent} SYNs sent but only ${cookies} cookies (${JSON.stringify(x.w.ledger.report(x.w.inFlight()).dropped)})`);
}

async function makeCase(name) {
  if (name !== FLOOR) {
    const x = await world(name === CASES[1] ? 1 : 2, name === MLX5 ? MLX5_COALESCE : {});
    const perSyn = eventsPerSyn(x);
    const l = x.w.loop;
    const note = `${perSyn.toFixed(2)} events dispatched per SYN; ${(l.ranAhead / x.w.traffic[0].stats.packets).toFixed(2)} run-ahead steps per SYN (EventLoop.runAhead: SYNs sent in an earlier SYN's event, softirq sessions ended in their poll's event)`;
    return { c: { name, opsPerCall: PER_CALL, fn: () => l.run((x.end += SLICE_NS)) }, done: () => check(name, x), note };
  }
  const x = await world(2);
  const perSyn = eventsPerSyn(x);
  // `pending` chains, each rescheduling itself pending/RATE later: RATE events per simulated second
  const pending = 100;
  const core = await createCore({ skbs: 64, ringSlots: 64, wheelEntries: 1 << 12 });
  const loop = new EventLoop(core.wheel);
  const gap = (1e9 / RATE) * pending;
  const kind = loop.register("noop", (arg) => loop.after(gap, kind, arg));
  for (let i = 0; i < pending; i++) loop.at((i * gap) / pending, kind, i);
  let end = 0;
  return { c: { name: `${FLOOR}: ${perSyn.toFixed(1)} no-op events per SYN`, opsPerCall: PER_CALL, fn: () => loop.run((end += SLICE_NS * perSyn)) }, done: () => {} };
}

async function runCase(name) {
  const { c, done, note } = await makeCase(name);
  const rows = [];
  await runSuite(SUITE, [c], (row) => rows.push(row), { unit: "SYNs/s" });
  // The machine is shared: process CPU time per SYN is a steadier second view.
  for (let i = 0; i < 3; i++) c.fn();
  const u0 = process.cpuUsage();
  const calls = 20;
  for (let i = 0; i < calls; i++) c.fn();
  const u = process.cpuUsage(u0);
  done();
  return { rows, name: c.name, note, cpuRate: (calls * c.opsPerCall) / ((u.user + u.system) / 1e6) };
}

if (!isMainThread && workerData?.synfloodCase !== undefined) {
  runCase(workerData.synfloodCase).then(
    (r) => parentPort.postMessage(r),
    (e) => parentPort.postMessage({ error: String(e?.stack ?? e) }),
  );
}

export async function run(report) {
  const results = [];
  for (const name of CASES) {
    const r = await new Promise((resolve, reject) => {
      const wk = new Worker(new URL(import.meta.url), { workerData: { synfloodCase: name } });
      wk.once("message", resolve);
      wk.once("error", reject);
    });
    if (r.error !== undefined) throw new Error(`${SUITE} / ${name}: ${r.error}`);
    results.push(r);
  }
  const floor = results[results.length - 1];
  for (const r of results) {
    for (const row of r.rows) {
      if (r !== floor) {
        row.ratioTo = floor.name;
      }
      report(row);
    }
  }
  for (const r of results) console.log(`  ${SUITE} / ${r.name}: ${(r.cpuRate / 1e6).toFixed(3)} M SYNs per CPU-second (process.cpuUsage)${r === floor ? "" : `, ${(r.cpuRate / floor.cpuRate).toFixed(2)}x the floor; ${r.note}`}`);
}
