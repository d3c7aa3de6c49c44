// GRO throughput, in M input packets/s. One op = one input skb through
// napi_gro_receive. Each timed call pushes one bulk TCP flow of 1024 in-order
// MSS segments (IPv4, 1448 B payload + timestamps, DF, fixed IP ID) through a
// GRO context in NAPI-sized bursts of 64, flushes at the end (as
// napi_complete_done), frees what went up, and refills the pool for the next
// round: ~22 aggregates of 45 segments (64 KB) come out per call.
//
// Cases:
//   wasm gro_receive_burst   core.raw.gro_receive_burst, 16 calls of 64 + gro_flush
//   ts reference             src/core/ref/gro.ts over the same header bytes
//   refill only              the per-round reset both cases pay (free, re-alloc,
//                            restore the columns, and the header bytes of the ~23
//                            heads GRO rewrote, from a snapshot);
//                            GRO-only rate = 1024 / (t(case) - t(refill))
//
// Standalone: `node bench/gro.bench.js` (after `npm run build`); otherwise via
// `node bench/run.js gro`.
import { pathToFileURL } from "node:url";
import { createCore } from "../dist/core/node.js";
import { createGro } from "../dist/core/gro.js";
import { RefGroContext } from "../dist/core/ref/gro.js";
import { writePacket } from "../dist/wire/skb-headers.js";
import { runSuite } from "./harness.js";

const N = 1024;
const BURST = 64;
const MSS = 1448;
const IN_AT = 0;
const OUT_AT = 2048;
const TMP_AT = 4096;
const COLS = ["len", "hdrLen", "mac", "network", "transport", "protocol", "hash", "truesize"];

let sink = 0;

async function setup() {
  const core = await createCore({ skbs: N, ioSlots: 8192, ringSlots: 1 << 12, wheelEntries: 1 << 12, groContexts: 4 });
  if (core.allocBurst(N, 0, IN_AT) !== N) throw new Error("pool");
  for (let i = 0; i < N; i++) {
    const h = core.scratch[IN_AT + i];
    writePacket(core, h, {
      ip: { version: 4, src: "10.0.0.1", dst: "10.0.1.1", id: 0, df: true },
      l4: { proto: "tcp", sport: 40000, dport: 80, seq: 1 + i * MSS, ack: 1, flags: 0x10, window: 512, options: { ts: { val: 1000, ecr: 500 } } },
      payloadLen: MSS,
    });
    core.skb.hash[h] = 0x51ccc178;
    core.skb.truesize[h] = 2304;
  }
  const snap = { headers: core.headers.slice(), cols: Object.fromEntries(COLS.map((c) => [c, core.skb[c].slice()])), order: core.scratch.slice(IN_AT, IN_AT + N) };
  const raw = core.raw;
  // heads whose header bytes GRO rewrote this round (filled by the round)
  const touched = new Uint32Array(2 * N);
  let nTouched = 0;
  const touch = (h) => {
    touched[nTouched++] = h;
  };
  const refill = () => {
    // every handle is free again: re-allocate all N (the pool is exactly N),
    // put the input order back and restore what GRO or the allocator changed
    raw.skb_alloc_burst(core.scratchAddr(TMP_AT), N, 0);
    core.scratch.set(snap.order, IN_AT);
    for (const c of COLS) core.skb[c].set(snap.cols[c]);
    for (let i = 0; i < nTouched; i++) {
      const o = touched[i] * 128;
      core.headers.set(snap.headers.subarray(o, o + 128), o);
    }
    nTouched = 0;
  };
  return { core, raw, refill, touch };
}

export async function run(report) {
  const w = await setup();
  const r = await setup();
  const ctx = createGro(w.core).contexts[0];
  const id = ctx.id;
  const { core, raw } = w;
  const inPtr = core.scratchAddr(IN_AT);
  const outPtr = core.scratchAddr(OUT_AT);
  const recv = raw.gro_receive_burst;
  const flush = raw.gro_flush;
  const freeBurst = raw.skb_free_burst;

  const wasmRound = () => {
    let outs = 0;
    for (let i = 0; i < N; i += BURST) {
      const k = recv(id, inPtr + i * 4, BURST, outPtr, 2 * BURST, 0);
      for (let j = 0; j < k; j++) w.touch(core.scratch[OUT_AT + j]);
      freeBurst(outPtr, k);
      outs += k;
    }
    const k = flush(id, outPtr, 64, Infinity);
    for (let j = 0; j < k; j++) w.touch(core.scratch[OUT_AT + j]);
    freeBurst(outPtr, k);
    return outs + k;
  };

  const ref = new RefGroContext(r.core);
  const refHandles = Array.from(r.core.scratch.subarray(IN_AT, IN_AT + N));
  const refRound = () => {
    let outs = 0;
    for (let i = 0; i < N; i += BURST) {
      const out = ref.receiveBurst(refHandles.slice(i, i + BURST), 0);
      for (const h of out) (r.touch(h), r.core.freeOne(h));
      outs += out.length;
    }
    const out = ref.flush();
    for (const h of out) (r.touch(h), r.core.freeOne(h));
    return outs + out.length;
  };

  // Check before timing: both produce the same aggregates (45 segments each).
  const a = wasmRound();
  const b = refRound();
  const want = Math.ceil(N / 45);
  if (a !== want || b !== want) throw new Error(`aggregates: wasm ${a}, ts ${b}, expected ${want}`);
  if (core.poolStats().live !== 0 || r.core.poolStats().live !== 0) throw new Error("pool not balanced");
  w.refill();
  r.refill();

  const baseline = "ts reference (64/burst)";
  await runSuite(
    "gro",
    [
      {
        name: baseline,
        opsPerCall: N,
        fn() {
          sink ^= refRound();
          r.refill();
        },
      },
      {
        name: "wasm gro_receive_burst (64/burst)",
        opsPerCall: N,
        fn() {
          sink ^= wasmRound();
          w.refill();
        },
      },
      {
        name: "refill only (both cases include it)",
        opsPerCall: N,
        fn() {
          for (let j = 0; j < 23; j++) w.touch(j * 45);
          w.refill();
          // undo the allocation so the next refill finds the pool free again
          freeBurst(core.scratchAddr(TMP_AT), N);
        },
      },
    ],
    report,
    { unit: "Mpkt/s", baseline },
  );
  const st = ctx.stats();
  if (st.segmentsOut !== st.packetsIn) throw new Error("GRO lost packets");
  if (sink === 0.5) console.log(sink);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = [];
  await run((row) => {
    rows.push(row);
    console.log(`${row.suite} / ${row.name}: ${(row.opsPerSec / 1e6).toFixed(1)} ${row.unit} ±${row.rme?.toFixed(1)}%`);
  });
  const refill = rows.find((x) => x.name.startsWith("refill"));
  for (const row of rows) {
    if (row === refill) continue;
    const net = 1 / (1 / row.opsPerSec - 1 / refill.opsPerSec);
    console.log(`  ${row.name}: GRO alone ≈ ${(net / 1e6).toFixed(1)} Mpkt/s (refill subtracted)`);
  }
}
