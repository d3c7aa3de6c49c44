// A UDP datagram the sender's qdisc drops: net/ipv4/udp.c udp_send_skb ->
// ip_send_skb gets NET_XMIT_DROP, net_xmit_errno makes it -ENOBUFS, so
// IpOutDiscards and UdpSndbufErrors count it and UdpOutDatagrams does not
// (it counts only a datagram ip_send_skb returned 0 for). IpOutRequests
// (ip_output) counts every datagram. A fragmented one stops at the first
// fragment the qdisc drops (ip_do_fragment: goto fail): the rest are freed,
// FragFails instead of FragOKs, FragCreates only for the fragments sent.
import { describe, expect, it } from "vitest";
import { host, link, world } from "../sim/spec-helpers.js";
import { run } from "./helpers.js";

const slowNic = { queues: 1, rateBps: 100e6, mtu: 1500, rxRing: 1024, txRing: 64, txqueuelen: 10 };
const udp = (size: number, count: number) =>
  ({ kind: "udp", from: "a", to: "b", port: 9000, flows: 1, size, pps: 1e5, count, at: 0 }) as const;

describe("udp_send_skb: a qdisc drop is the sender's discard", () => {
  it("1000-byte datagrams at 100k/s into 100 Mbit: each drop is IpOutDiscards + UdpSndbufErrors, not UdpOutDatagrams", async () => {
    const spec = world(
      [host("a", 1, { nic: slowNic }), host("b", 2, { udpPorts: [9000] })],
      [link("a", "b", { rateBps: 100e6 })],
      [udp(1000, 2000)],
      { durationNs: 40e6 }, // sent by 20 ms, the queues drained well before 40
    );
    const { report } = await run(spec);
    const a = report.hosts.a!.nstat;
    const dropped = report.ledger.dropped.QDISC_DROP ?? 0;
    // 100k/s offered, ~12k/s fit (100 Mbit / 8272 bits per frame): most are dropped
    expect(dropped).toBeGreaterThan(1000);
    expect(a.IpOutRequests).toBe(2000);
    expect(a.UdpSndbufErrors).toBe(dropped);
    expect(a.IpOutDiscards).toBe(dropped);
    expect(a.UdpOutDatagrams).toBe(2000 - dropped);
    expect(report.links.find((l) => l.a === "a")!.packets).toBe(2000 - dropped);
    expect(report.ledger.unaccounted).toBe(0);
  });

  it("a fragmented datagram ends at its first dropped fragment: the rest freed, IpFragFails, FragCreates only for those sent", async () => {
    // 4000 B of payload: 3 fragments a datagram, 100 datagrams at 100k/s
    const spec = world(
      [host("a", 1, { nic: slowNic }), host("b", 2, { udpPorts: [9000] })],
      [link("a", "b", { rateBps: 100e6 })],
      [udp(4000, 100)],
      { durationNs: 20e6 },
    );
    const { report } = await run(spec);
    const a = report.hosts.a!.nstat;
    const fails = a.IpFragFails ?? 0;
    const qdiscDrops = report.ledger.dropped.QDISC_DROP ?? 0;
    const freed = report.ledger.dropped.NOT_SPECIFIED ?? 0;
    expect(fails).toBeGreaterThan(10);
    // one qdisc drop per failed datagram, then its later fragments freed
    expect(qdiscDrops).toBe(fails);
    expect(a.IpFragOKs).toBe(100 - fails);
    expect(a.UdpOutDatagrams).toBe(100 - fails);
    expect(a.UdpSndbufErrors).toBe(fails);
    expect(a.IpOutDiscards).toBe(fails);
    const sent = report.links.find((l) => l.a === "a")!.packets;
    expect(a.IpFragCreates).toBe(sent);
    expect(sent + qdiscDrops + freed).toBe(300);
    expect(report.ledger.unaccounted).toBe(0);
  });
});
