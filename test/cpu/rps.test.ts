// RPS CPU choice, RFS migration and aRFS expiry on RpsState, with numbers
// derived by hand from get_rps_cpu / set_rps_cpu / rps_may_expire_flow
// (net/core/dev.c, Linux 6.12) and reciprocal_scale (include/linux/kernel.h).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { HASH_L4, HASH_SW } from "../../src/core/skb-fields.js";
import { FlowHasher, reciprocalScale } from "../../src/cpu/flow-hash.js";
import { RpsState, RPS_NO_CPU, rpsFlowCntRounded, type RpsConfig } from "../../src/cpu/rps.js";
import { loadScenarioText } from "../../src/scenario/load.js";
import { writePacket } from "../../src/wire/skb-headers.js";

const cfg = (over: Partial<RpsConfig>): RpsConfig => ({ cpus: [], flowCnt: 0, arfs: false, flowLimitCpus: [], ...over });

async function setup(cpus: number, over: Partial<RpsConfig>, sockEntries = 0) {
  const core = await createCore({ skbs: 64, ringSlots: 64 });
  const head = new Uint32Array(cpus);
  const rps = new RpsState(cpus, cfg(over), sockEntries, new FlowHasher(core, 7), head);
  rps.addNic(1, () => 0);
  const skb = (hash: number) => {
    const h = core.allocOne(0);
    core.skb.hash[h] = hash >>> 0;
    core.skb.hashFlags[h] = HASH_L4;
    return h;
  };
  return { core, rps, head, skb };
}

describe("RPS: map->cpus[reciprocal_scale(hash, len)]", () => {
  it("reciprocal_scale = (hash * n) >> 32 by hand (prediction 2)", () => {
    // 0x51ccc178 * 4 = 0x1_4733_05e0 -> 1; 0xafc7327f * 4 = 0x2_bf1c_c9fc -> 2
    expect(reciprocalScale(0x51ccc178, 4)).toBe(1);
    expect(reciprocalScale(0xafc7327f, 4)).toBe(2);
    expect(reciprocalScale(0xc626b0ea, 4)).toBe(3);
    expect(reciprocalScale(0x323e8fc2, 4)).toBe(0);
    expect(reciprocalScale(0xafc7327f, 2)).toBe(1);
    expect(reciprocalScale(0xffffffff, 7)).toBe(6);
  });

  it("rps_cpus=f picks CPUs 1, 2, 3, 0; rps_cpus=a (CPUs 1,3) picks CPU 3 for 0xafc7327f", async () => {
    const f = await setup(4, { cpus: [[0, 1, 2, 3]] });
    const got = [0x51ccc178, 0xafc7327f, 0xc626b0ea, 0x323e8fc2].map((x) => f.rps.getRpsCpu(0, 0, f.skb(x)));
    expect(got).toEqual([1, 2, 3, 0]);
    const a = await setup(4, { cpus: [[1, 3]] });
    expect(a.rps.getRpsCpu(0, 0, a.skb(0xafc7327f))).toBe(3);
    expect(a.rps.rflowTable).toBeNull(); // RPS path: voidflow
  });

  it("mask ∩ online CPUs in ascending order; no map and no flow table -> -1 (no RPS)", async () => {
    const r = await setup(2, { cpus: [[3, 1, 0]] });
    // map = [0, 1]: 0xafc7327f -> index 1 -> CPU 1
    expect(r.rps.getRpsCpu(0, 0, r.skb(0xafc7327f))).toBe(1);
    const off = await setup(4, {});
    expect(off.rps.needed).toBe(false);
    expect(off.rps.getRpsCpu(0, 0, off.skb(0x51ccc178))).toBe(-1);
  });

  it("static key rps_needed: on with an rps_map or the sock flow table, not with rps_flow_cnt alone", async () => {
    // net/core/net-sysfs.c store_rps_map and sysctl_net_core.c rps_sock_flow_sysctl increment rps_needed;
    // rps_flow_cnt (store_rps_dev_flow_table_cnt) does not
    expect((await setup(2, { cpus: [[1]] })).rps.needed).toBe(true);
    expect((await setup(2, { flowCnt: 256 })).rps.needed).toBe(false);
    expect((await setup(2, {}, 1024)).rps.needed).toBe(true);
    expect((await setup(2, { flowCnt: 256 }, 1024)).rps.needed).toBe(true);
  });

  it("an L3-only or missing NIC hash is replaced by a direction-symmetric software hash", async () => {
    const core = await createCore({ skbs: 64, ringSlots: 64 });
    const hasher = new FlowHasher(core, 1234);
    const pkt = (src: number, dst: number, sport: number, dport: number) => {
      const h = core.allocOne(0);
      writePacket(core, h, { ip: { version: 4, src: Uint8Array.of(10, 0, 0, src), dst: Uint8Array.of(10, 0, 0, dst) }, l4: { proto: "udp", sport, dport } });
      core.skb.hash[h] = 0xdeadbeef; // an L3 hash from the NIC: no HASH_L4
      core.skb.hashFlags[h] = 0;
      return h;
    };
    const fwd = pkt(1, 2, 40000, 9000);
    const rev = pkt(2, 1, 9000, 40000);
    const other = pkt(1, 2, 40001, 9000);
    const hf = hasher.get(fwd);
    expect(hf).not.toBe(0xdeadbeef);
    expect(hasher.get(rev)).toBe(hf);
    expect(hasher.get(other)).not.toBe(hf);
    expect(core.skb.hashFlags[fwd]).toBe(HASH_SW | HASH_L4);
    // another seed (boot) gives another hash
    expect(new FlowHasher(core, 99).compute(fwd)).not.toBe(hf);
  });
});

describe("RFS: rps_sock_flow_table + rps_dev_flow_table", () => {
  it("sysctl rounding (prediction 8): rps_sock_flow_entries 1000 -> 1024, rps_flow_cnt 300 -> 512, 2^29+1 refused", () => {
    expect(rpsFlowCntRounded(300)).toBe(512);
    const doc = (extra: string) => `name: r\nduration: 1ms\nhosts:\n  s:\n    cpus: 4\n${extra}`;
    const s = loadScenarioText(doc("    sysctl: { net.core.rps_sock_flow_entries: 1000 }\n    rps: { cpus: f, flowCnt: 300 }\n"), "t");
    expect(s.hosts[0]!.sysctl["net.core.rps_sock_flow_entries"]).toBe(1024);
    expect(s.hosts[0]!.rps.flowCnt).toBe(512);
    expect(s.hosts[0]!.rps.cpus).toEqual([[0, 1, 2, 3]]);
    expect(() => loadScenarioText(doc(`    sysctl: { net.core.rps_sock_flow_entries: ${2 ** 29 + 1} }\n`), "t")).toThrow(/rps_sock_flow_entries/);
  });

  it("the flow follows the app's CPU only after the old CPU's queue head passed last_qtail (prediction 9)", async () => {
    const { rps, head, skb } = await setup(4, { cpus: [[0, 1, 2, 3]], flowCnt: 256 }, 1024);
    const hash = 0x51ccc178;
    expect(rps.cpuMask).toBe(3);
    // no socket entry yet: plain RPS (CPU 1 by reciprocal_scale)
    const h = skb(hash);
    expect(rps.getRpsCpu(0, 0, h)).toBe(1);
    // the app reads on CPU 2: ents[hash & 1023] = (hash & ~3) | 2
    rps.recordFlow(hash, 2);
    expect(rps.sockTable![hash & 1023]).toBe(((hash & ~3) | 2) >>> 0);
    expect(rps.getRpsCpu(0, 0, h)).toBe(2); // rflow.cpu was RPS_NO_CPU: switch at once
    const idx = hash & 255;
    expect(rps.rflowTable!.cpu[idx]).toBe(2);
    expect(rps.rflowTable!.lastQtail[idx]).toBe(0); // = input_queue_head of CPU 2
    // enqueue_to_backlog stored qtail = ++input_queue_tail = 5 on CPU 2
    rps.rflowTable!.lastQtail[idx] = 5;
    // app moves to CPU 3 while 2 packets of the flow are still queued on CPU 2
    rps.recordFlow(hash, 3);
    head[2] = 3;
    expect(rps.getRpsCpu(0, 0, h)).toBe(2); // (int)(3 - 5) < 0: stay
    head[2] = 4;
    expect(rps.getRpsCpu(0, 0, h)).toBe(2);
    head[2] = 5; // all dequeued
    head[3] = 17;
    expect(rps.getRpsCpu(0, 0, h)).toBe(3);
    expect(rps.rflowTable!.lastQtail[idx]).toBe(17); // set_rps_cpu: last_qtail = head of the new CPU
    // a sock entry for another flow sharing the slot does not match: RPS
    const other = skb(hash ^ 0x80000000);
    expect(rps.getRpsCpu(0, 0, other)).toBe(reciprocalScale(hash ^ 0x80000000, 4));
  });

  it("u32 wraparound of input_queue_head is compared as (int)(head - qtail)", async () => {
    const { rps, head, skb } = await setup(2, { cpus: [[0, 1]], flowCnt: 16 }, 64);
    const hash = 0x40000001;
    rps.recordFlow(hash, 0);
    const h = skb(hash);
    expect(rps.getRpsCpu(0, 0, h)).toBe(0);
    rps.rflowTable!.lastQtail[hash & 15] = 2; // queued at tail 2 after a wrap
    head[0] = 0xfffffffe;
    rps.recordFlow(hash, 1);
    expect(rps.getRpsCpu(0, 0, h)).toBe(0); // (int)(0xfffffffe - 2) = -4 < 0
    head[0] = 2;
    expect(rps.getRpsCpu(0, 0, h)).toBe(1);
  });

  it("rps_may_expire_flow keeps a filter only while its flow is recent (< 10 * mask packets behind)", async () => {
    const { rps, head } = await setup(2, { cpus: [], flowCnt: 8 }, 64);
    const t = rps.queues[0]![0]!.flows!;
    expect(t.mask).toBe(7);
    t.cpu[3] = 1;
    t.filter[3] = 42;
    t.lastQtail[3] = 100;
    head[1] = 100 + 69;
    expect(rps.mayExpireFlow(0, 0, 3, 42)).toBe(false); // 69 < 70
    head[1] = 100 + 70;
    expect(rps.mayExpireFlow(0, 0, 3, 42)).toBe(true);
    expect(rps.mayExpireFlow(0, 0, 3, 41)).toBe(true); // another filter id
    t.cpu[3] = RPS_NO_CPU;
    head[1] = 100;
    expect(rps.mayExpireFlow(0, 0, 3, 42)).toBe(true);
  });
});
