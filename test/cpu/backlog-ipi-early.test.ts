// process_backlog sends the pending RPS IPIs before its own work (net/core/dev.c process_backlog: "Check if
// we have pending ipi, its better to send them now, not waiting net_rx_action() end"). review12b finding 8:
// without that call in net-rx.ts processBacklog no other test fails.
import { expect, it } from "vitest";
import { rxWorld } from "./helpers.js";
import type { RpsConfig } from "../../src/cpu/rps.js";
import { FlowHasher, hashSeed, reciprocalScale } from "../../src/cpu/flow-hash.js";
import { writePacket } from "../../src/wire/skb-headers.js";

const rps = (over: Partial<RpsConfig>): RpsConfig => ({ cpus: [], flowCnt: 0, arfs: false, flowLimitCpus: [], ...over });
const nic = { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 2048, txRing: 256, txqueuelen: 1000 };
const cost = { irq: 0, ipi: 0, ipiLatency: 1000, softirq: 0, driver: 0, gro: 0, ip: 0, tcp: 0, udp: 10_000, backlogEnqueue: 0, backlogDequeue: 0, app: 0, copyPerByte: 0, remote: 0, txClean: 0 };

it("one poll steers a packet to CPU 1 and one to CPU 0's own backlog: the IPI leaves when CPU 0's backlog poll starts", async () => {
  const t = await rxWorld({ cpus: 2, nic, rps: rps({ cpus: [[0, 1]] }), cost });
  const hasher = new FlowHasher(t.core, hashSeed(1, "b"));
  const target = (f: number) => {
    const h = t.core.allocOne(0);
    writePacket(t.core, h, { ip: { version: 4, src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2), df: true }, l4: { proto: "udp", sport: 32768 + f, dport: 9000 } });
    const cpu = reciprocalScale(hasher.compute(h), 2);
    t.core.freeOne(h);
    return cpu;
  };
  const flows: number[] = [];
  for (const want of [1, 0]) {
    let f = 0;
    while (target(f) !== want) f++;
    flows.push(f);
  }
  const at: number[] = [];
  const sched = t.hb.rx.sched;
  const hardirq = sched.hardirq.bind(sched);
  sched.hardirq = (cpu, c, handler, a, b) => {
    if (cpu === 1) at.push(t.w.loop.now);
    hardirq(cpu, c, handler, a, b);
  };
  t.inject(2, { flow: (i) => flows[i]! });
  const { report } = t.finish();
  // t = 0: IRQ, net_rx_action: the NIC poll (free) enqueues to CPU 1 (IPI listed) and to CPU 0's backlog
  // (poll_list); list empty -> goto start; process_backlog(CPU 0) sends the IPI first (arrives at 1000 ns),
  // then runs udp_rcv for 10 us. Sent at net_rx_action's end instead, it would arrive at 11000 ns.
  expect(at).toEqual([1000]);
  expect(report.hosts.b!.softnet.map((s) => s.processed)).toEqual([1, 1]);
});
