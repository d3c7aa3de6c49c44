import { describe, expect, it } from "vitest";
import { fragmentSizes, IPQ_SIZE } from "../../src/net/ipfrag.js";
import { parseSkb } from "../../src/wire/skb-headers.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { build, fragments, run } from "./helpers.js";

const udp = (over: Record<string, unknown> = {}) =>
  ({ kind: "udp", from: "a", to: "b", port: 9000, flows: 1, size: 4000, pps: 1e4, count: 10, at: 0, ...over }) as const;

describe("ip_do_fragment", () => {
  it("4000 B of UDP payload at MTU 1500: 4008 B of IP payload in 1480 + 1480 + 1048", () => {
    // (1500 - 20) & ~7 = 1480; 4008 - 2 * 1480 = 1048
    expect(fragmentSizes(4008, 1500)).toEqual([1480, 1480, 1048]);
    // MTU 1006: (1006 - 20) & ~7 = 984, not 986
    expect(fragmentSizes(2000, 1006)).toEqual([984, 984, 32]);
    // the largest UDP datagram (65507 + 8) at 1500: 44 full fragments and 1 of 395
    const big = fragmentSizes(65515, 1500);
    expect(big.length).toBe(45);
    expect(big[44]).toBe(65515 - 44 * 1480);
  });

  it("writes real headers: shared ID, MF on all but the last, offsets in 8-byte units, DF clear, UDP header only in the first", async () => {
    const { core, w } = await build(world([host("a", 1), host("b", 2)], [link("a", "b")], []));
    const fr = fragments(w, 4000, 0x1234);
    expect(fr.length).toBe(3);
    const parsed = fr.map((h) => parseSkb(core, h)); // verifies every IPv4 header checksum
    const ip = parsed.map((p) => p.ip as { id: number; mf: boolean; df: boolean; fragOff: number; totLen: number });
    expect(ip.map((x) => x.id)).toEqual([0x1234, 0x1234, 0x1234]);
    expect(ip.map((x) => x.mf)).toEqual([true, true, false]);
    expect(ip.map((x) => x.df)).toEqual([false, false, false]);
    expect(ip.map((x) => x.fragOff)).toEqual([0, 185, 370]);
    expect(ip.map((x) => x.totLen)).toEqual([1500, 1500, 1068]);
    expect(fr.map((h) => core.skb.len[h])).toEqual([1514, 1514, 1082]);
    expect(parsed[0]!.l4).toMatchObject({ proto: "udp", dport: 9000, length: 4008 });
    expect(parsed[1]!.l4).toBeNull();
    expect(parsed[2]!.l4).toBeNull();
  });
});

describe("ip_defrag", () => {
  it("fragmented datagrams are reassembled, delivered as one skb each, and every fragment is accounted", async () => {
    const spec = world([host("a", 1), host("b", 2, { udpPorts: [9000] })], [link("a", "b")], [udp()], { durationNs: 5e6 });
    const { report } = await run(spec);
    expect(report.hosts.a!.nstat).toMatchObject({ UdpOutDatagrams: 10, IpOutRequests: 10, IpFragOKs: 10, IpFragCreates: 30 });
    expect(report.hosts.b!.nstat).toMatchObject({ IpInReceives: 30, IpReasmReqds: 30, IpReasmOKs: 10, IpInDelivers: 10, UdpInDatagrams: 10 });
    expect(report.hosts.b!.nstat.IpReasmFails).toBeUndefined();
    expect(report.links.find((l) => l.a === "a")).toMatchObject({ packets: 30, bytes: 10 * (1514 + 1514 + 1082) });
    expect(report.hosts.b!.ipfrag).toEqual({ queues: 0, fragments: 0, mem: 0 });
    expect(report.ledger).toMatchObject({ created: 30, delivered: 30, inFlight: 0, unaccounted: 0 });
    expect(report.pool.balanced).toBe(true);
  });

  it("a reassembled datagram is charged its fragments' truesize less struct sk_buff for the two stolen as page frags", async () => {
    // 2176 (head, 1514 B) + (2176 - 256) + (1728 - 256) (1082 B frame: 1146 -> 1152 + 576) = 5568;
    // sk_rcvbuf 8192: the 1st goes in at 0, the 2nd at 5568 <= 8192, the 3rd not
    const spec = world(
      [host("a", 1), host("b", 2, { udpSockets: [{ port: 9000, rcvbuf: 4096, readRate: false }] })],
      [link("a", "b")],
      [udp()],
      { durationNs: 5e6 },
    );
    const { report } = await run(spec);
    expect(report.hosts.b!.udpSockets[0]).toMatchObject({ rmemAlloc: 2 * 5568, queued: 2, drops: 8 });
    expect(report.hosts.b!.nstat).toMatchObject({ IpReasmOKs: 10, UdpRcvbufErrors: 8, UdpInErrors: 8 });
    // a refused datagram takes its three fragment skbs with it; the queued ones hold theirs
    expect(report.ledger).toMatchObject({ created: 30, delivered: 0, dropped: { SOCKET_RCVBUFF: 24 }, inFlight: 6, unaccounted: 0 });
    expect(report.pool.balanced).toBe(true);
  });

  it("one fragment lost: the queue waits ipfrag_time (30 s), then ReasmTimeout + ReasmFails and FRAG_REASM_TIMEOUT drops", async () => {
    const spec = (durationNs: number) => world([host("a", 1), host("b", 2, { udpPorts: [9000] })], [link("a", "b")], [], { durationNs });
    const inject = async (durationNs: number) => {
      const { core, w } = await build(spec(durationNs));
      const [f0, f1, f2] = fragments(w, 4000, 7);
      w.drop(f1!, "LINK_LOSS");
      const b = w.host("b");
      b.stack.receive(f0!);
      b.stack.receive(f2!);
      const result = w.run();
      return { core, w, result, report: (await import("../../src/report/build.js")).buildReport(w, result) };
    };
    const before = await inject(29.999e9);
    // struct ipq (200) + 2176 + 1728
    expect(before.report.hosts.b!.ipfrag).toEqual({ queues: 1, fragments: 2, mem: IPQ_SIZE + 2176 + 1728 });
    expect(before.report.hosts.b!.nstat).toMatchObject({ IpReasmReqds: 2 });
    expect(before.report.hosts.b!.nstat.IpReasmTimeout).toBeUndefined();
    expect(before.report.ledger).toMatchObject({ created: 3, inFlight: 2, unaccounted: 0 });
    const after = await inject(30e9);
    expect(after.report.hosts.b!.nstat).toMatchObject({ IpReasmReqds: 2, IpReasmTimeout: 1, IpReasmFails: 1 });
    expect(after.report.hosts.b!.nstat.IpReasmOKs).toBeUndefined();
    expect(after.report.hosts.b!.ipfrag).toEqual({ queues: 0, fragments: 0, mem: 0 });
    expect(after.report.ledger).toMatchObject({ created: 3, delivered: 0, dropped: { LINK_LOSS: 1, FRAG_REASM_TIMEOUT: 2 }, inFlight: 0, unaccounted: 0 });
    expect(after.report.pool.balanced).toBe(true);
  });

  it("above ipfrag_high_thresh no fragment is queued, not even for an existing queue", async () => {
    // high_thresh 5000: A's first fragment -> 200 + 2176 = 2376; B's -> 4752; C's still goes in (4752 <= 5000) -> 7128;
    // D's first fragment and A's second are refused (7128 > 5000): ReasmFails 2, plain kfree_skb (NOT_SPECIFIED).
    // At 30 s the three queues expire: ReasmTimeout 3, ReasmFails 2 + 3.
    const s = world([host("a", 1), host("b", 2, { udpPorts: [9000], sysctl: { "net.ipv4.ipfrag_high_thresh": 5000, "net.ipv4.ipfrag_low_thresh": 0 } })], [link("a", "b")], [], {
      durationNs: 31e9,
    });
    const { core, w } = await build(s);
    const dg = [1, 2, 3, 4].map((id) => fragments(w, 4000, id));
    const b = w.host("b").stack;
    for (const fr of dg) b.receive(fr[0]!);
    b.receive(dg[0]![1]!);
    expect(b.defrag.stats()).toEqual({ queues: 3, fragments: 3, mem: 3 * (IPQ_SIZE + 2176) });
    for (const fr of dg) for (const h of fr.slice(1)) if (core.skb.live[h] === 1 && h !== dg[0]![1]) w.drop(h, "LINK_LOSS");
    const result = w.run();
    const { buildReport } = await import("../../src/report/build.js");
    const report = buildReport(w, result);
    expect(report.hosts.b!.nstat).toMatchObject({ IpReasmReqds: 5, IpReasmFails: 5, IpReasmTimeout: 3 });
    expect(report.ledger).toMatchObject({ created: 12, dropped: { NOT_SPECIFIED: 2, FRAG_REASM_TIMEOUT: 3, LINK_LOSS: 7 }, inFlight: 0, unaccounted: 0 });
    expect(report.pool.balanced).toBe(true);
  });

  it("ipfrag_max_dist 64: a queue whose next fragment comes more than 64 fragments (from that peer) later is flushed", async () => {
    const check = async (between: number) => {
      const { core, w } = await build(world([host("a", 1), host("b", 2, { udpPorts: [9000] })], [link("a", "b")], [], { durationNs: 1e6 }));
      const b = w.host("b").stack;
      const a = fragments(w, 4000, 1000);
      b.receive(a[0]!); // peer rid 1, queue rid 1
      const others: number[] = [];
      for (let i = 0; i < between; i++) {
        const fr = fragments(w, 4000, i);
        b.receive(fr[0]!);
        others.push(...fr.slice(1));
      }
      b.receive(a[1]!); // rid 2 + between: too far when (2 + between) - 1 > 64
      b.receive(a[2]!);
      for (const h of others) w.drop(h, "LINK_LOSS");
      const result = w.run();
      const { buildReport } = await import("../../src/report/build.js");
      const report = buildReport(w, result);
      expect(report.ledger.unaccounted).toBe(0);
      expect(report.pool.balanced).toBe(true);
      void core;
      return report;
    };
    const ok = await check(63);
    expect(ok.hosts.b!.nstat).toMatchObject({ IpReasmOKs: 1, UdpInDatagrams: 1 });
    expect(ok.hosts.b!.nstat.IpReasmFails).toBeUndefined();
    const far = await check(64);
    // A's first fragment is flushed (FRAG_TOO_FAR); fragments 2 and 3 start over and wait for a first that never comes
    expect(far.hosts.b!.nstat).toMatchObject({ IpReasmFails: 1 });
    expect(far.hosts.b!.nstat.IpReasmOKs).toBeUndefined();
    expect(far.ledger.dropped).toMatchObject({ FRAG_TOO_FAR: 1 });
  });

  it("RSS hashes fragments on addresses only: every fragment of every flow lands on one RX queue", async () => {
    const nic = { queues: 4, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000 };
    const spec = world([host("a", 1), host("b", 2, { cpus: 4, nic, udpPorts: [9000] })], [link("a", "b")], [udp({ flows: 8, count: 16 })], { durationNs: 5e6 });
    const { report } = await run(spec);
    const used = report.hosts.b!.rxQueues.filter((q) => q.packets > 0);
    expect(used.length).toBe(1);
    expect(used[0]!.packets).toBe(48);
    expect(report.hosts.b!.nstat).toMatchObject({ IpReasmOKs: 16, UdpInDatagrams: 16 });
    expect(report.ledger.unaccounted).toBe(0);
  });
});
