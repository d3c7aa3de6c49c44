// Where a spoofed SYN's CPU time goes, by stage, from a V8 CPU profile of
// bench/synflood-profile.js (not a benchmark.js case):
//
//   COUNT=0 node --cpu-prof --cpu-prof-dir=/tmp/p bench/synflood-profile.js mlx5 400
//   node bench/synflood-stages.js /tmp/p/CPU.*.cpuprofile [ns per SYN]
//
// Each sample goes to the innermost stage on its stack: the rules below are
// tried from the root to the leaf and the last match wins. ip_output and the
// wire are told apart by who called them (the generator: the SYN; else the
// listener's SYN-ACK); the generator's raw send (sendDatagram) is the SYN's
// ip_output, its quiet step (sendQuiet) the SYN onto the wire, and a poll's
// cookie flush (the burst's WASM stamp) the listener's work. Shares are of
// the samples under the event loop's run (startup and the profile's idle
// time left out). Function names are those of dist/ (V8 inlines, but keeps
// the inlined frames in the profile).
import { readFileSync } from "node:fs";

const GEN = "generator (alloc, RNG, SYN stamp)";
/** [function name, file, stage]; "out" and "wire" depend on the caller. */
const RULES = [
  [/^run$/, /sim\/loop/, "event loop + wheel"],
  [/^fire$/, /traffic\/syn/, GEN],
  [/^(output|sendDatagram)$/, /net\/stack/, "out"],
  // a poll's cookie SYN-ACKs to the driver in one pass (TcpHost.outputBurst): the SYN-ACK's output path
  [/^outputHeldBurst$/, /net\/stack/, "out"],
  [/^sendQuiet$/, /net\/link/, "wire"],
  // the generator's quiet lane (SynGenerator.runAhead4 -> sendQuiet): the NIC half is the SYN's output path
  [/^postQuietIf$/, /net\/nic-tx/, "out"],
  [/^(pushOne|armWake)$/, /net\/(link|wire-fifo)/, "wire"],
  [/^(kickTrain|trainFrom|LinkDirection\.from\.onTxReady)$/, /net\/link/, "wire"],
  [/^trainDone$/, /net\/link/, "wire"],
  [/^(driverPoll|napiPoll|netRxStep)$/, /cpu\/net-rx/, "RX NAPI poll + GRO (both hosts)"],
  [/^receive$/, /net\/stack/, "IP receive (both)"],
  [/^(otherHostRun|dropOtherHostRun)$/, /net\/stack/, "the attacker's IP_INADDRERRORS drop (one pass per poll)"],
  [/^listenRun$/, /net\/stack/, "IP receive (both)"],
  [/^(rcv|rcvListenSyn)$/, /tcp\/tcp-host/, "tcp_v4_rcv: parse + listener lookup"],
  [/^tcpConnRequest$/, /tcp\/conn-request/, "tcp_conn_request + cookie + SYN-ACK alloc/stamp"],
  [/^flush$/, /tcp\/cookie-burst/, "tcp_conn_request + cookie + SYN-ACK alloc/stamp"],
  [/^(deliver|onDeliver)$/, /./, "the SYN consumed (delivered, freed)"],
  [/^(wakeFired|pullArrived)$/, /net\/link/, "wire arrival -> NIC RX ring, RSS, IRQ"],
  [/^(napiPoll|clean|txIrq)$/, /net\/nic-tx/, "TX completion (clean, BQL, free)"],
];

function stageOf(chain) {
  let stage = null;
  let fromGen = false;
  for (const n of chain) {
    const { functionName: f, url: u } = n.callFrame;
    for (const [fr, ur, st] of RULES) {
      if (!fr.test(f) || !ur.test(u)) continue;
      if (st === GEN) fromGen = true;
      if (st === "out") stage = fromGen ? "SYN out: ip_output, qdisc bypass, driver, BQL" : "SYN-ACK out: ip_output, qdisc bypass, driver, BQL";
      else if (st === "wire") {
        if (stage?.startsWith("SYN out") || stage === GEN) stage = "SYN onto the wire (train)";
        else if (stage?.startsWith("SYN-ACK out")) stage = "SYN-ACK onto the wire (train)";
        else if (stage === "event loop + wheel") stage = "wire tx-done -> next train";
      } else stage = st;
    }
  }
  return stage;
}

const profile = JSON.parse(readFileSync(process.argv[2], "utf8"));
const nsPerSyn = Number(process.argv[3] ?? 0);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const samples = new Map();
for (const s of profile.samples) samples.set(s, (samples.get(s) ?? 0) + 1);
const byStage = new Map();
let total = 0;
for (const [id, count] of samples) {
  const chain = [];
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) chain.push(byId.get(cur));
  const stage = stageOf(chain.reverse());
  if (stage === null) continue;
  byStage.set(stage, (byStage.get(stage) ?? 0) + count);
  total += count;
}
for (const [stage, count] of [...byStage].sort((a, b) => b[1] - a[1])) {
  const ns = nsPerSyn > 0 ? `  ~${Math.round((nsPerSyn * count) / total)} ns`.padEnd(10) : "";
  console.log(`${((100 * count) / total).toFixed(1).padStart(5)} %${ns}  ${stage}`);
}
