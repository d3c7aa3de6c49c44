// An skb without a hash gets the flow hash where the TX path asks for one (Linux 6.12). netdev_pick_tx ->
// skb_tx_hash = reciprocal_scale(skb_get_hash(skb), real_num_tx_queues), and fq_classify keys a sockless
// skb by skb_get_hash(skb) & orphan_mask. skb_get_hash (include/linux/skbuff.h) keeps a hash that has
// l4_hash or sw_hash (a TCP skb's: skb_set_hash_from_sk sets l4_hash) and otherwise computes
// __skb_get_hash: the flow dissector's keys (addresses, ports, protocol; __flow_hash_consistentify puts
// the lower address and port first) hashed with the boot's hashrnd, sw_hash set and l4_hash when ports
// were hashed. The model's UDP datagrams carry no socket and no hash, so they took TX queue 0 and one fq
// flow. The model's hash (src/cpu/flow-hash.ts, the one RPS uses on receive) is murmur3's mix of the
// host's seed, then the lower and the higher IPv4 address, the ports (lower << 16 | higher), the
// protocol, and its final avalanche; derived here step by step.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import { HASH_L4, HASH_SW } from "../../src/core/skb-fields.js";
import { hashSeed } from "../../src/cpu/flow-hash.js";
import { murmurFinal, murmurMix } from "../../src/util/murmur.js";
import { host, link, world } from "../sim/spec-helpers.js";

const FLOWS = 16;
const SPORT0 = 32768; // the UDP generator's flow f sends from port 32768 + f
const DPORT = 9000;
const A = 0x0a000001; // 10.0.0.1, the sender
const B = 0x0a000002; // 10.0.0.2

/** __skb_get_hash of a UDP datagram A:sport -> B:DPORT on host "a" (the world gives it hashSeed(seed 1, "a")). */
function flowHash(sport: number): number {
  let h = hashSeed(1, "a");
  h = murmurMix(h, A); // the lower address first
  h = murmurMix(h, B);
  h = murmurMix(h, (Math.min(sport, DPORT) << 16) | Math.max(sport, DPORT));
  h = murmurMix(h, 17);
  return murmurFinal(h) || 1;
}

async function run(queues: number, qdisc: "pfifo_fast" | "fq", pps = 1e5, linkBps = 10e9) {
  const nic = { queues, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000 };
  const spec = world(
    [host("a", 1, { nic, sysctl: { "net.core.default_qdisc": qdisc } }), host("b", 2, { nic, udpPorts: [DPORT] })],
    [link("a", "b", { rateBps: linkBps })],
    [{ kind: "udp", from: "a", to: "b", port: DPORT, flows: FLOWS, size: 100, pps, count: 4 * FLOWS, at: 0 }],
    { durationNs: 2e6 },
  );
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const sent: { sport: number; hash: number; flags: number; queue: number }[] = [];
  const nicTx = w.host("a").nics[0]!.tx;
  const xmit = nicTx.xmit.bind(nicTx);
  nicTx.xmit = (h) => {
    const ok = xmit(h);
    const udp = h * 128 + core.skb.transport[h]!;
    sent.push({ sport: (core.headers[udp]! << 8) | core.headers[udp + 1]!, hash: core.skb.hash[h]!, flags: core.skb.hashFlags[h]!, queue: core.skb.queue[h]! });
    return ok;
  };
  const report = buildReport(w, w.run());
  return { report, sent };
}

describe("a hashless skb gets the flow hash at TX (skb_get_hash -> __skb_get_hash)", () => {
  it("8 TX queues, pfifo_fast: each UDP datagram has its flow's hash (sw_hash, l4_hash) and leaves by skb_tx_hash's queue", async () => {
    const { report, sent } = await run(8, "pfifo_fast");
    expect(sent.length).toBe(4 * FLOWS);
    for (const s of sent) {
      expect(s.hash).toBe(flowHash(s.sport));
      expect(s.flags).toBe(HASH_SW | HASH_L4);
      // reciprocal_scale(hash, 8)
      expect(s.queue).toBe(Math.floor((s.hash * 8) / 2 ** 32));
    }
    // 16 flows over 8 queues: more than one queue (before: hash 0, all on queue 0)
    const used = new Set(sent.map((s) => s.queue));
    expect(used.size).toBeGreaterThan(1);
    const perQueue = report.hosts.a!.txQueues.map((q) => q.packets);
    expect(perQueue).toEqual(Array.from({ length: 8 }, (_, q) => sent.filter((s) => s.queue === q).length));
    expect(report.ledger.unaccounted).toBe(0);
  });

  it("one TX queue with fq: netdev_pick_tx is skipped, and fq_classify keys each flow by skb_get_hash & orphan_mask", async () => {
    // 64 datagrams in 64 us into a 10 Mbit link (113.6 us per 142 B frame): only the first finds fq empty
    // (fq_fastpath_check: q->internal, no flow); the rest wait, each in its flow
    const { report, sent } = await run(1, "fq", 1e6, 10e6);
    expect(sent.length).toBeGreaterThan(FLOWS);
    for (const s of sent) expect([s.hash, s.queue]).toEqual([flowHash(s.sport), 0]);
    // one fq flow per distinct (hash & 1023) (before: hash 0, one flow for all)
    const keys = new Set(Array.from({ length: FLOWS }, (_, f) => flowHash(SPORT0 + f) & 1023));
    const fq = report.hosts.a!.qdisc.eth0!.fq as { flows: number };
    expect(fq.flows).toBe(keys.size);
    expect(keys.size).toBeGreaterThan(1);
  });
});
