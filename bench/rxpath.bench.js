// Whole RX path: frames land on the receiver's NIC (RSS Toeplitz + RETA in
// WASM, 4 RX rings), IRQ -> NET_RX softirq on the CPU model -> NAPI poll ->
// RPS (rps_cpus=f) -> per-CPU backlog ring -> process_backlog -> ip_rcv ->
// UDP socket -> freed. 64 UDP flows of 64-byte frames, injected in bursts of
// 64 straight into the NIC (Nic.receiveBurst: no sender, no wire; skbs from
// skb_alloc_burst). One op = one packet through
// the whole path. The target is >= 5M simulated packets per second.
//
// Each case runs in its own worker thread (see runCase). Cases:
//   RSS + RPS (4 queues, rps_cpus=f)   the full path with a backlog hop
//   RSS only (4 queues)                NAPI -> stack directly (no backlog)
//   RSS only, frame by frame           the same, each frame through Nic.receive
//                                      (one RSS call per frame, as a link delivers them)
//   inject only (baseline)             skb alloc burst + header copy + free burst: the harness's own cost
import { createCore } from "../dist/core/node.js";
import { World, coreConfigFor } from "../dist/sim/world.js";
import { writePacket } from "../dist/wire/skb-headers.js";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { runSuite } from "./harness.js";

const FLOWS = 64;
const BURST = 64;
const PER_CALL = 64 * 1024;
const GAP_NS = BURST * 50; // 20 Mpps offered: bursts 3.2 us apart

export async function makeWorld(rps, perFrame = false) {
  const nic = { queues: 4, rateBps: 100e9, mtu: 1500, rxRing: 4096, txRing: 256, txqueuelen: 1000 };
  const host = (name, last, over = {}) => ({ name, addr: Uint8Array.of(10, 0, 0, last), cpus: 4, nic, sysctl: {}, listeners: [], udpPorts: [], ...over });
  const spec = {
    name: "bench",
    seed: 1,
    durationNs: 1e15,
    hosts: [host("a", 1), host("b", 2, { udpPorts: [9000], udpSockets: [{ port: 9000 }], ...(rps ? { rps: { cpus: [[0, 1, 2, 3]], flowCnt: 0, arfs: false, flowLimitCpus: [] } } : {}) })],
    links: [{ a: "a", b: "b", rateBps: 100e9, delayNs: 0, loss: 0, reorder: 0 }],
    traffic: [],
    timeseriesPoints: 1,
  };
  const core = await createCore({ ...coreConfigFor(spec), skbs: 1 << 16, wheelEntries: 1 << 16 });
  const w = new World(core, spec);
  const nicB = w.host("b").nics[0];
  // one template frame per flow, copied into each new skb's headroom
  const tmpl = [];
  for (let f = 0; f < FLOWS; f++) {
    const h = core.allocOne(0);
    writePacket(core, h, { ip: { version: 4, src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2) }, l4: { proto: "udp", sport: 32768 + f, dport: 9000 }, payloadLen: 18 });
    tmpl.push({ h, len: core.skb.len[h], hdrLen: core.skb.hdrLen[h], mac: core.skb.mac[h], network: core.skb.network[h], transport: core.skb.transport[h], protocol: core.skb.protocol[h] });
  }
  const S = core.skb;
  const hdr = core.headers;
  // the bench's own burst: the last BURST scratch slots (the World's regions start at 0)
  const slot = core.scratch.length - BURST;
  const scratch = core.scratch;
  let flow = 0;
  const inject = w.loop.register("bench burst", () => {
    const k = core.allocBurst(BURST, w.loop.now, slot);
    if (k < BURST) throw new Error("skb pool exhausted");
    w.ledger.create(k);
    for (let i = 0; i < k; i++) {
      const t = tmpl[flow];
      flow = (flow + 1) & (FLOWS - 1);
      const h = scratch[slot + i];
      hdr.copyWithin(h * 128, t.h * 128, t.h * 128 + t.hdrLen);
      S.len[h] = t.len;
      S.hdrLen[h] = t.hdrLen;
      S.mac[h] = t.mac;
      S.network[h] = t.network;
      S.transport[h] = t.transport;
      S.protocol[h] = t.protocol;
    }
    if (perFrame) for (let i = 0; i < k; i++) nicB.receive(scratch[slot + i]);
    else nicB.receiveBurst(slot, k);
  });
  let t = 0;
  const step = () => {
    for (let i = 0; i < PER_CALL / BURST; i++) w.loop.at(t + i * GAP_NS, inject, 0);
    t += (PER_CALL / BURST) * GAP_NS;
    const before = w.ledger.delivered + w.ledger.droppedTotal();
    w.loop.run(t + 1e6);
    t += 1e6;
    const done = w.ledger.delivered + w.ledger.droppedTotal() - before;
    if (done < PER_CALL * 0.99) throw new Error(`only ${done} of ${PER_CALL} packets finished`);
  };
  return { step, w, core, tmpl };
}

const SUITE = "rx path";
const BASELINE = "RSS only (4 queues)";
const CASES = ["RSS + RPS (4 queues, rps_cpus=f)", BASELINE, "RSS only, frame by frame (Nic.receive)", "inject only (baseline)"];

async function makeCase(name) {
  if (name === CASES[0]) return { name, opsPerCall: PER_CALL, fn: (await makeWorld(true)).step };
  if (name === CASES[1]) return { name, opsPerCall: PER_CALL, fn: (await makeWorld(false)).step };
  if (name === CASES[2]) return { name, opsPerCall: PER_CALL, fn: (await makeWorld(false, true)).step };
  const base = await createCore({ skbs: 1 << 12, ringSlots: 64 });
  const src = base.allocOne(0);
  writePacket(base, src, { ip: { version: 4, src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2) }, l4: { proto: "udp", sport: 1, dport: 9000 }, payloadLen: 18 });
  return {
    name,
    opsPerCall: PER_CALL,
    fn: () => {
      // the same skb work as the injector: burst alloc, header copy, column stores, free
      for (let b = 0; b < PER_CALL / BURST; b++) {
        base.allocBurst(BURST, 0, 0);
        for (let i = 0; i < BURST; i++) {
          const h = base.scratch[i];
          base.headers.copyWithin(h * 128, src * 128, src * 128 + 46);
          base.skb.len[h] = 60;
          base.skb.network[h] = 14;
          base.skb.transport[h] = 34;
          base.skb.protocol[h] = 0x0800;
        }
        base.freeBurst(BURST, 0);
      }
    },
  };
}

// One worker thread (a fresh V8 isolate) per case: a simulation runs one WASM
// core per process, and JS call sites that have seen several WASM instances
// go polymorphic (measured: a second world in the same isolate costs ~18%).
async function runCase(name) {
  const c = await makeCase(name);
  const rows = [];
  await runSuite(SUITE, [c], (row) => rows.push(row), { unit: "Mpkt/s", baseline: BASELINE });
  // The machine is shared: wall-clock rates move with other people's load.
  // Process CPU time (user + system) per packet is a steadier second view.
  for (let i = 0; i < 3; i++) c.fn();
  const u0 = process.cpuUsage();
  const calls = 20;
  for (let i = 0; i < calls; i++) c.fn();
  const u = process.cpuUsage(u0);
  return { rows, cpuMpps: (calls * c.opsPerCall) / (u.user + u.system) };
}

if (!isMainThread && workerData?.rxpathCase !== undefined) {
  runCase(workerData.rxpathCase).then(
    (r) => parentPort.postMessage(r),
    (e) => parentPort.postMessage({ error: String(e?.stack ?? e) }),
  );
}

export async function run(report) {
  const cpu = [];
  for (const name of CASES) {
    const r = await new Promise((resolve, reject) => {
      const wk = new Worker(new URL(import.meta.url), { workerData: { rxpathCase: name } });
      wk.once("message", resolve);
      wk.once("error", reject);
    });
    if (r.error !== undefined) throw new Error(`${SUITE} / ${name}: ${r.error}`);
    for (const row of r.rows) report(row);
    cpu.push(`  ${SUITE} / ${name}: ${r.cpuMpps.toFixed(2)} Mpkt per CPU-second (process.cpuUsage)`);
  }
  for (const line of cpu) console.log(line);
}
