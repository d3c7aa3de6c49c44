// Toeplitz RSS hash throughput, in Mhash/s. One op = one packet hashed.
// Each timed call hashes the same 1024 distinct flows (IPv4 or IPv6 4-tuples).
//
// Cases (per family):
//   wasm rss_burst         core.raw.rss_burst over 1024 prebuilt skbs, one
//                          JS->WASM call per burst: reads the headers at the
//                          network/transport offsets, writes hash, hashFlags
//                          and queue (RETA 128 entries, 4 queues)
//   ts table-driven        src/core/ref/toeplitz.ts toeplitzTableHash over the
//                          1024 input strings (one Uint32Array lookup per byte)
//   ts bit-by-bit          toeplitzBitwise (spec §1.1 sliding window), the baseline
//
// Standalone: `node bench/rss.bench.js` (after `npm run build`); otherwise via
// `node bench/run.js rss`.
import { pathToFileURL } from "node:url";
import { createCore } from "../dist/core/node.js";
import { DEFAULT_RSS_KEY } from "../dist/core/rss.js";
import { buildToeplitzTable, rssInput, toeplitzBitwise, toeplitzTableHash } from "../dist/core/ref/toeplitz.js";
import { runSuite } from "./harness.js";

const FLOWS = 1024;
const ETH_HLEN = 14;

let sink = 0;

/** Deterministic distinct flows (xorshift32), addresses as bytes. */
function flows(v6, seed) {
  let s = seed >>> 0;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) & 0xff;
  };
  const alen = v6 ? 16 : 4;
  const out = [];
  for (let i = 0; i < FLOWS; i++) {
    const src = Uint8Array.from({ length: alen }, rnd);
    const dst = Uint8Array.from({ length: alen }, rnd);
    out.push({ src, dst, sport: 1024 + i, dport: 443 });
  }
  return out;
}

/** Ethernet + IPv4/IPv6 + TCP ports into skb h, offsets as after eth_type_trans. */
function writeSkb(core, h, f) {
  const v6 = f.src.length === 16;
  const b = core.headers.subarray(h * 128, h * 128 + 128);
  b.fill(0);
  const ethertype = v6 ? 0x86dd : 0x0800;
  b[12] = ethertype >> 8;
  b[13] = ethertype & 0xff;
  const ip = ETH_HLEN;
  let l4;
  if (v6) {
    b[ip] = 0x60;
    b[ip + 6] = 6;
    b.set(f.src, ip + 8);
    b.set(f.dst, ip + 24);
    l4 = ip + 40;
  } else {
    b[ip] = 0x45;
    b[ip + 6] = 0x40; // DF
    b[ip + 9] = 6;
    b.set(f.src, ip + 12);
    b.set(f.dst, ip + 16);
    l4 = ip + 20;
  }
  b[l4] = f.sport >> 8;
  b[l4 + 1] = f.sport & 0xff;
  b[l4 + 2] = f.dport >> 8;
  b[l4 + 3] = f.dport & 0xff;
  core.skb.mac[h] = 0;
  core.skb.network[h] = ip;
  core.skb.transport[h] = l4;
  core.skb.protocol[h] = ethertype;
}

export async function run(report) {
  const core = await createCore({ skbs: 2 * FLOWS, ioSlots: 4 * FLOWS, ringSlots: 1 << 12, wheelEntries: 1 << 12 });
  const ctx = core.rss.create({ queues: 4, retaSize: 128 });
  const key = DEFAULT_RSS_KEY;
  const table = buildToeplitzTable(key);
  const rssBurst = core.raw.rss_burst;
  const id = ctx.id;

  for (const [family, v6, at] of [["IPv4 4-tuple", false, 0], ["IPv6 4-tuple", true, FLOWS]]) {
    const fl = flows(v6, v6 ? 0x9e3779b9 : 0x2545f491);
    if (core.allocBurst(FLOWS, 0, at) !== FLOWS) throw new Error("skb pool too small for the bench");
    const ptr = core.scratchAddr(at);
    fl.forEach((f, i) => writeSkb(core, core.scratch[at + i], f));

    const len = v6 ? 36 : 12;
    const inputs = new Uint8Array(FLOWS * len);
    fl.forEach((f, i) => inputs.set(rssInput(f.src, f.dst, f.sport, f.dport), i * len));

    // Check before timing: all three agree on every flow.
    rssBurst(id, ptr, FLOWS);
    for (let i = 0; i < FLOWS; i++) {
      const want = toeplitzBitwise(key, inputs, i * len, len);
      const got = [core.skb.hash[core.scratch[at + i]], toeplitzTableHash(table, inputs, i * len, len)];
      if (got[0] !== want || got[1] !== want) throw new Error(`${family} flow ${i}: wasm ${got[0]} table ${got[1]} ref ${want}`);
    }

    const baseline = `${family}: ts bit-by-bit`;
    await runSuite(
      "toeplitz",
      [
        {
          name: baseline,
          opsPerCall: FLOWS,
          fn() {
            let x = 0;
            for (let i = 0; i < FLOWS; i++) x ^= toeplitzBitwise(key, inputs, i * len, len);
            sink ^= x;
          },
        },
        {
          name: `${family}: ts table-driven`,
          opsPerCall: FLOWS,
          fn() {
            let x = 0;
            for (let i = 0; i < FLOWS; i++) x ^= toeplitzTableHash(table, inputs, i * len, len);
            sink ^= x;
          },
        },
        {
          name: `${family}: wasm rss_burst (1024/call)`,
          opsPerCall: FLOWS,
          fn() {
            sink ^= rssBurst(id, ptr, FLOWS);
          },
        },
      ],
      report,
      { unit: "Mhash/s", baseline },
    );
  }
  if (sink === 0.5) console.log(sink); // keep the results alive
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = [];
  await run((row) => {
    rows.push(row);
    console.log(`${row.suite} / ${row.name}: ${(row.opsPerSec / 1e6).toFixed(1)} ${row.unit} ±${row.rme?.toFixed(1)}%`);
  });
  const base = rows.filter((r) => r.ratioTo === undefined);
  for (const r of rows) {
    const b = base.find((x) => x.name === r.ratioTo);
    if (b) console.log(`  ${r.name}: ${(r.opsPerSec / b.opsPerSec).toFixed(1)}x ${b.name}`);
  }
}
