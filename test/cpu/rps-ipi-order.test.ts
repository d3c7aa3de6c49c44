// 6.12 napi_schedule_rps pushes the remote softnet_data at the HEAD
// of rps_ipi_list (sd->rps_ipi_next = mysd->rps_ipi_list; mysd->rps_ipi_list = sd; net/core/dev.c:4959-4960),
// and net_rps_send_ipi walks it from the head (dev.c:6239-6245): the IPIs go out newest target first.
// (review12b finding 1: the model sent them in push order.)
import { expect, it } from "vitest";
import { rxWorld } from "./helpers.js";
import type { RpsConfig } from "../../src/cpu/rps.js";
import { FlowHasher, hashSeed, reciprocalScale } from "../../src/cpu/flow-hash.js";
import { writePacket } from "../../src/wire/skb-headers.js";

const rps = (over: Partial<RpsConfig>): RpsConfig => ({ cpus: [], flowCnt: 0, arfs: false, flowLimitCpus: [], ...over });
const nic = { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 2048, txRing: 256, txqueuelen: 1000 };

it("one poll enqueues to idle backlogs of CPUs 1, 2, 3 in that order: the IPIs arrive on 3, 2, 1", async () => {
  const t = await rxWorld({ cpus: 4, nic, rps: rps({ cpus: [[1, 2, 3]] }), cost: {} });
  // flows (UDP source port 32768 + f) whose software hash picks map[] = 1, then 2, then 3
  const hasher = new FlowHasher(t.core, hashSeed(1, "b"));
  const target = (f: number) => {
    const h = t.core.allocOne(0);
    writePacket(t.core, h, { ip: { version: 4, src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2), df: true }, l4: { proto: "udp", sport: 32768 + f, dport: 9000 } });
    const cpu = [1, 2, 3][reciprocalScale(hasher.compute(h), 3)]!;
    t.core.freeOne(h);
    return cpu;
  };
  const flows: number[] = [];
  for (const want of [1, 2, 3]) {
    let f = 0;
    while (target(f) !== want) f++;
    flows.push(f);
  }
  const ipis: number[] = [];
  const sched = t.hb.rx.sched;
  const hardirq = sched.hardirq.bind(sched);
  sched.hardirq = (cpu, cost, handler, a, b) => {
    if (cpu !== 0) ipis.push(cpu); // CPU 0 takes the NIC's IRQ; 1-3 only IPIs
    hardirq(cpu, cost, handler, a, b);
  };
  t.inject(3, { flow: (i) => flows[i]! });
  t.finish();
  expect(t.hb.rx.softnet.receivedRps[1]! + t.hb.rx.softnet.receivedRps[2]! + t.hb.rx.softnet.receivedRps[3]!).toBe(3);
  expect(ipis).toEqual([3, 2, 1]);
});
