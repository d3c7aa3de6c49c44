// Software GSO throughput, in M output segments/s. One op = one MSS segment
// written: a 64 KB TCP super-packet (IPv4, 45 x 1448 B payload, timestamps,
// DF) split into 45 fresh skbs with seq, IP ID, tot_len, flags, the IPv4
// header checksum and the TCP checksum rewritten in each.
//
// Each timed call segments 16 super-packets: it stamps each from a template
// (allocate, copy 66 header bytes, set the columns), segments it, and frees
// the 45 segments, so the pool is balanced after every call.
//
// Cases:
//   wasm gso_segment     core.raw.gso_segment, one call per super-packet
//   ts reference         src/core/ref/gso.ts on the same bytes
//   stamp + free only    the per-super-packet setup both cases pay
//
// Standalone: `node bench/gso.bench.js` (after `npm run build`); otherwise via
// `node bench/run.js gso`.
import { pathToFileURL } from "node:url";
import { createCore } from "../dist/core/node.js";
import { createGso, SKB_GSO_TCPV4 } from "../dist/core/gso.js";
import { RefGso } from "../dist/core/ref/gso.js";
import { writePacket } from "../dist/wire/skb-headers.js";
import { runSuite } from "./harness.js";

const SUPERS = 16;
const SEGS = 45;
const MSS = 1448;
const OUT_AT = 1024;
let sink = 0;

async function setup() {
  const core = await createCore({ skbs: 256, ioSlots: 4096, ringSlots: 1 << 12, wheelEntries: 1 << 12 });
  const tpl = core.allocOne(0);
  writePacket(core, tpl, {
    ip: { version: 4, src: "10.0.0.1", dst: "10.0.0.2", id: 100, df: true },
    l4: { proto: "tcp", sport: 40000, dport: 5201, seq: 1, ack: 1, flags: 0x18, window: 502, options: { ts: { val: 1000, ecr: 500 } } },
    payloadLen: SEGS * MSS,
  });
  const s = core.skb;
  const raw = core.raw;
  const hdr = core.headers;
  const len = s.len[tpl];
  const stamp = () => {
    const h = raw.skb_alloc_one(0);
    hdr.copyWithin(h * 128, tpl * 128, tpl * 128 + 66);
    s.len[h] = len;
    s.hdrLen[h] = 66;
    s.mac[h] = 0;
    s.network[h] = 14;
    s.transport[h] = 34;
    s.protocol[h] = 0x0800;
    s.gsoSize[h] = MSS;
    s.gsoSegs[h] = SEGS;
    s.gsoType[h] = SKB_GSO_TCPV4;
    s.truesize[h] = 90000;
    return h;
  };
  return { core, raw, stamp };
}

export async function run(report) {
  const w = await setup();
  const r = await setup();
  createGso(w.core);
  const seg = w.raw.gso_segment;
  const free = w.raw.skb_free_burst;
  const outPtr = w.core.scratchAddr(OUT_AT);
  const wasmCall = () => {
    let n = 0;
    for (let i = 0; i < SUPERS; i++) {
      const k = seg(w.stamp(), outPtr, 64);
      free(outPtr, k);
      n += k;
    }
    return n;
  };
  const ref = new RefGso(r.core);
  const out = [];
  const refCall = () => {
    let n = 0;
    for (let i = 0; i < SUPERS; i++) {
      out.length = 0;
      const k = ref.segment(r.stamp(), out, 64);
      for (const h of out) r.core.freeOne(h);
      n += k;
    }
    return n;
  };
  const tmp = w.core.scratchAddr(0);
  const stampOnly = () => {
    for (let i = 0; i < SUPERS; i++) {
      w.core.scratch[0] = w.stamp();
      free(tmp, 1);
    }
  };
  // Check before timing: 45 segments each, pool balanced.
  if (wasmCall() !== SUPERS * SEGS || refCall() !== SUPERS * SEGS) throw new Error("segment count");
  if (w.core.poolStats().live !== 1 || r.core.poolStats().live !== 1) throw new Error("pool not balanced");

  const baseline = "ts reference";
  await runSuite(
    "gso",
    [
      { name: baseline, opsPerCall: SUPERS * SEGS, fn: () => void (sink ^= refCall()) },
      { name: "wasm gso_segment (64 KB -> 45 segments)", opsPerCall: SUPERS * SEGS, fn: () => void (sink ^= wasmCall()) },
      { name: "stamp + free only (both cases include it)", opsPerCall: SUPERS * SEGS, fn: stampOnly },
    ],
    report,
    { unit: "Mseg/s", baseline },
  );
  if (sink === 0.5) console.log(sink);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = [];
  await run((row) => {
    rows.push(row);
    console.log(`${row.suite} / ${row.name}: ${(row.opsPerSec / 1e6).toFixed(1)} ${row.unit} ±${row.rme?.toFixed(1)}%`);
  });
  const base = rows.find((x) => x.name.startsWith("stamp"));
  for (const row of rows) {
    if (row === base) continue;
    const net = 1 / (1 / row.opsPerSec - 1 / base.opsPerSec);
    console.log(`  ${row.name}: GSO alone ≈ ${(net / 1e6).toFixed(1)} Mseg/s (stamp + free subtracted)`);
  }
}
