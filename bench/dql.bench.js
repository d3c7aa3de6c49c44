// BQL accounting throughput, in M operations/s. One op = one BQL accounting
// call as a driver makes them: a per-skb netdev_tx_sent_queue (dql_queued +
// the stop decision) or a netdev_tx_completed_queue (dql_completed + wake).
//
// Cases:
//   wasm burst loop        dql_bench_rounds: inside WASM, rounds of one
//                          xmit_more batch of 64 skbs (dql_sent_burst reads
//                          each skb's len) + one completion of the batch:
//                          65 ops per round, no JS on the path (headline)
//   wasm per call from JS  core.raw.dql_sent + core.raw.dql_tx_completed per
//                          packet: 2 ops, two JS->WASM calls
//   ts reference per call  src/core/ref/dql.ts, same calls
//
// Standalone: `node bench/dql.bench.js` (after `npm run build`); otherwise via
// `node bench/run.js dql`.
import { pathToFileURL } from "node:url";
import { createCore } from "../dist/core/node.js";
import { dqlOf } from "../dist/core/dql.js";
import { RefDql } from "../dist/core/ref/dql.js";
import { runSuite } from "./harness.js";

const BATCH = 64;
const ROUNDS = 4096;
const CALLS = 65536;
let sink = 0;

export async function run(report) {
  const core = await createCore({ skbs: 1024, ringSlots: 1 << 12, wheelEntries: 1 << 12, dqlQueues: 4 });
  if (core.allocBurst(BATCH, 0, 0) !== BATCH) throw new Error("pool");
  for (let i = 0; i < BATCH; i++) core.skb.len[core.scratch[i]] = i % 4 === 0 ? 66 : 1514;
  const raw = core.raw;
  const handles = core.scratchAddr(0);
  const burst = raw.dql_bench_rounds;
  const sent = raw.dql_sent;
  const done = raw.dql_tx_completed;
  for (let q = 0; q < 3; q++) dqlOf(core, q).init(0);
  const ref = new RefDql();

  // Check before timing: the burst loop keeps the books (inflight 0 after each round).
  burst(0, handles, BATCH, 16, 1);
  if (dqlOf(core, 0).inflight !== 0 || dqlOf(core, 0).limit === 0) throw new Error("dql books");

  const baseline = "ts reference per call (sent + completed)";
  let j = 2;
  await runSuite(
    "dql",
    [
      {
        name: baseline,
        opsPerCall: 2 * CALLS,
        fn() {
          j++;
          for (let i = 0; i < CALLS; i++) {
            ref.sent(1514, j);
            sink ^= ref.txCompleted(1514, j) === "woken" ? 1 : 0;
          }
        },
      },
      {
        name: "wasm per call from JS (dql_sent + dql_tx_completed)",
        opsPerCall: 2 * CALLS,
        fn() {
          j++;
          for (let i = 0; i < CALLS; i++) {
            sent(1, 1514, j);
            sink ^= done(1, 1514, j);
          }
        },
      },
      {
        name: "wasm burst loop (64-skb xmit_more batch + 1 completion)",
        opsPerCall: ROUNDS * (BATCH + 1),
        fn() {
          j++;
          sink ^= burst(2, handles, BATCH, ROUNDS, j);
        },
      },
    ],
    report,
    { unit: "Mops/s", baseline },
  );
  if (sink === 0.5) console.log(sink);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run((row) => console.log(`${row.suite} / ${row.name}: ${(row.opsPerSec / 1e6).toFixed(1)} ${row.unit} ±${row.rme?.toFixed(1)}%`));
}
