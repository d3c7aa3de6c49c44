import { describe, expect, it } from "vitest";
import { rxTruesize, skbTruesize, udpRcvbuf } from "../../src/net/udp-sock.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { run } from "./helpers.js";

const udp = (over: Record<string, unknown> = {}) =>
  ({ kind: "udp", from: "a", to: "b", port: 9000, flows: 1, size: 18, pps: 1e5, count: 1, at: 0, ...over }) as const;

describe("truesize and sk_rcvbuf", () => {
  it("SKB_TRUESIZE adds the aligned struct sk_buff (256) and skb_shared_info (320)", () => {
    // include/net/sock.h: SK_RMEM_MAX = SKB_TRUESIZE(256) * 256 = 212992, net.core.rmem_default
    expect(skbTruesize(256) * 256).toBe(212992);
  });

  it("napi_alloc_skb: small frames share the 1 KiB frag size, larger ones a page frag of SKB_HEAD_ALIGN(len)", () => {
    // 60-byte frame: 60 + NET_SKB_PAD 64 = 124 <= 704 -> SKB_TRUESIZE(704) = 1280
    expect(rxTruesize(60)).toBe(1280);
    // 640 + 64 = 704: still the small cache; 641 + 64 = 705 -> align64 = 768 -> 1344
    expect(rxTruesize(640)).toBe(1280);
    expect(rxTruesize(641)).toBe(1344);
    // 1514 + 64 = 1578 -> 1600 + 576 = 2176
    expect(rxTruesize(1514)).toBe(2176);
    // 9014-byte jumbo: kmalloc(align64(9078) + 320 = 9408) -> 16384; SKB_TRUESIZE(16384 - 320) = 16640
    expect(rxTruesize(9014)).toBe(16640);
  });

  it("SO_RCVBUF is capped at rmem_max, doubled, and at least SOCK_MIN_RCVBUF", () => {
    expect(udpRcvbuf(undefined, 212992, 212992)).toBe(212992);
    expect(udpRcvbuf(4096, 212992, 212992)).toBe(8192);
    expect(udpRcvbuf(1 << 20, 212992, 212992)).toBe(425984);
    expect(udpRcvbuf(1 << 20, 212992, 4 << 20)).toBe(2 << 20);
    expect(udpRcvbuf(1000, 212992, 212992)).toBe(2304);
  });
});

describe("UDP receive buffer", () => {
  it("a flood into a socket nobody reads: 167 datagrams of truesize 1280 fit in 212992 bytes, the rest are RcvbufErrors", async () => {
    // admit while sk_rmem_alloc <= sk_rcvbuf: 166 * 1280 = 212480 <= 212992, so the 167th goes in (213760), the 168th not
    const spec = world(
      [host("a", 1), host("b", 2, { udpSockets: [{ port: 9000, readRate: false }] })],
      [link("a", "b")],
      [udp({ count: 500 })],
      { durationNs: 10e6 },
    );
    const { report } = await run(spec);
    const b = report.hosts.b!;
    expect(b.nstat.UdpRcvbufErrors).toBe(333);
    expect(b.nstat.UdpInErrors).toBe(333);
    expect(b.nstat.UdpInDatagrams).toBeUndefined(); // counted by recvmsg, which never runs
    expect(b.udpSockets).toEqual([{ port: 9000, rcvbuf: 212992, rmemAlloc: 167 * 1280, queued: 167, reads: 0, drops: 333 }]);
    expect(report.ledger).toMatchObject({ created: 500, delivered: 0, dropped: { SOCKET_RCVBUFF: 333 }, inFlight: 167, unaccounted: 0 });
    expect(report.pool.balanced).toBe(true);
  });

  it("SO_RCVBUF 4096 (sk_rcvbuf 8192) holds 7 small datagrams: 6 * 1280 <= 8192 lets the 7th in", async () => {
    const spec = world([host("a", 1), host("b", 2, { udpSockets: [{ port: 9000, rcvbuf: 4096, readRate: false }] })], [link("a", "b")], [udp({ count: 20 })]);
    const { report } = await run(spec);
    expect(report.hosts.b!.udpSockets[0]).toMatchObject({ rcvbuf: 8192, queued: 7, rmemAlloc: 8960, drops: 13 });
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });

  it("a reader faster than the sender loses nothing and counts UdpInDatagrams on each read", async () => {
    const spec = world(
      [host("a", 1), host("b", 2, { udpSockets: [{ port: 9000, readRate: 2e5 }] })],
      [link("a", "b")],
      [udp({ count: 1000, pps: 1e5 })],
      { durationNs: 20e6 },
    );
    const { report } = await run(spec);
    const b = report.hosts.b!;
    expect(b.nstat.UdpInDatagrams).toBe(1000);
    expect(b.nstat.UdpRcvbufErrors).toBeUndefined();
    expect(b.udpSockets[0]).toMatchObject({ queued: 0, rmemAlloc: 0, reads: 1000, drops: 0 });
    expect(report.ledger).toMatchObject({ created: 1000, delivered: 1000, inFlight: 0, unaccounted: 0 });
  });

  it("a reader at 10k/s behind a 100k/s sender: the queue peaks at 167, about 100 reads in the 10 ms of sending", async () => {
    // arrivals every 10 us, reads every 100 us from the first arrival: while the 1000 datagrams arrive
    // (9.99 ms) the app reads 100 of them (±1: a read and an arrival fall on the same instant every 100 us),
    // and 167 sit in the queue at the end of the flood, so 267 ± 1 are admitted and 733 ∓ 1 dropped.
    // After the flood the app drains the queue: 167 more reads in 16.7 ms, within the 40 ms run.
    const spec = world(
      [host("a", 1), host("b", 2, { udpSockets: [{ port: 9000, readRate: 1e4 }] })],
      [link("a", "b")],
      [udp({ count: 1000, pps: 1e5 })],
      { durationNs: 40e6 },
    );
    const { report } = await run(spec);
    const b = report.hosts.b!;
    const drops = b.nstat.UdpRcvbufErrors!;
    expect(drops).toBeGreaterThanOrEqual(732);
    expect(drops).toBeLessThanOrEqual(734);
    expect(b.nstat.UdpInDatagrams).toBe(1000 - drops);
    expect(b.udpSockets[0]).toMatchObject({ queued: 0, rmemAlloc: 0, reads: 1000 - drops, drops });
    expect(report.ledger).toMatchObject({ created: 1000, delivered: 1000 - drops, dropped: { SOCKET_RCVBUFF: drops }, inFlight: 0, unaccounted: 0 });
    expect(report.pool.balanced).toBe(true);
  });

  it("IPv6 counts Udp6* (InDatagrams on read, NoPorts without a socket)", async () => {
    const v6 = (last: number) => Uint8Array.from([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last]);
    const spec = world(
      [host("a", 1, { addr: v6(1) }), host("b", 2, { addr: v6(2), udpSockets: [{ port: 9000, rcvbuf: 4096, readRate: false }] })],
      [link("a", "b")],
      [udp({ count: 10 }), udp({ count: 3, port: 9001 })],
    );
    const { report } = await run(spec);
    const b = report.hosts.b!.nstat;
    // IPv6 60-byte-payload... frame 14 + 40 + 8 + 18 = 80 B -> truesize 1280; sk_rcvbuf 8192 holds 7
    expect(b).toMatchObject({ Udp6NoPorts: 3, Udp6RcvbufErrors: 3, Udp6InErrors: 3 });
    expect(b.UdpNoPorts).toBeUndefined();
    expect(report.hosts.a!.nstat).toMatchObject({ Udp6OutDatagrams: 13 });
    expect(report.ledger).toMatchObject({ created: 13, dropped: { NO_SOCKET: 3, SOCKET_RCVBUFF: 3 }, inFlight: 7, unaccounted: 0 });
  });
});
