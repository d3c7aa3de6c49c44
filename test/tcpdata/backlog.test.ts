// The socket backlog (tcp_add_backlog, release_sock) against numbers derived
// by hand from net/ipv4/tcp_ipv4.c and net/core/skbuff.c (6.12), and the
// socket lock held by the application for the CPU model's call cost.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpAddBacklog } from "../../src/tcp/backlog.js";
import { releaseSock } from "../../src/tcp/sock-lock.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import { DEFAULT_COST } from "../../src/cpu/cost.js";
import type { World } from "../../src/sim/world.js";
import type { TcpSock } from "../../src/tcp/sock.js";

/** An established connection (a bulk flow stopped after 2 ms), the server end owned by its application. */
async function idle() {
  const r = await runWorld(pair({ durationNs: 2e6 }, [bulk()]));
  const t = r.w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  const c = sk.conn!;
  c.owned = true;
  return { ...r, t, sk, c };
}

/** Segment from the client: `len` payload bytes at rcv_nxt + off, with the given TS value. */
const inject = (w: World, sk: TcpSock, off: number, len: number, tsVal = sk.tsRecent): number => clientSegment(w, sk, off, len, TCPHDR_ACK, tsVal);

describe("tcp_add_backlog (6.12)", () => {
  it("contiguous full-size segments coalesce until the tail holds MAX_SKB_FRAGS (17) frags: 20 -> 2 skbs", async () => {
    const { w, t, sk, c, core } = await idle();
    const rcvNxt0 = c.rcvNxt;
    for (let i = 0; i < 20; i++) expect(tcpAddBacklog(t, sk, c, inject(w, sk, i * 1448, 1448))).toBe(false);
    // 1514-byte frames: truesize 2304, tailroom 2304-256-320-64-1514 = 150 < 1448, so each
    // merge steals the head (delta 2304-256 = 2048, one frag); 17 frags -> a new tail
    expect(c.backlog.count).toBe(2);
    expect(c.backlog.len.slice(0, c.backlog.count)).toEqual([18 * 1448, 2 * 1448]);
    expect(c.backlog.bytes).toBe(2 * 2304 + 18 * 2048);
    expect(c.backlogLen).toBe(41472);
    expect(c.backlog.segs).toBe(20);
    expect(core.skb.gsoSegs[c.backlog.skb[0]!]).toBe(18);
    expect(core.skb.gsoSize[c.backlog.skb[0]!]).toBe(1448);
    expect(w.host("b").nstat.get("TcpExtTCPBacklogCoalesce")).toBe(18);
    // release_sock: both skbs go through tcp_rcv_established; sk_backlog.len back to 0
    releaseSock(t, sk, c);
    expect(c.owned).toBe(false);
    expect(c.rcvNxt - rcvNxt0).toBe(20 * 1448);
    expect(c.backlogLen).toBe(0);
    const res = w.ledger.report(w.inFlight());
    expect(res.unaccounted).toBe(0);
  });

  it("pure ACKs coalesce into the tail's tailroom (delta 0); a different TS option stops coalescing", async () => {
    const { w, t, sk, c } = await idle();
    for (let i = 0; i < 5; i++) tcpAddBacklog(t, sk, c, inject(w, sk, 0, 0));
    // a 66-byte frame: truesize 512 + 256 = 768, tailroom 512-320-64-66 = 62 >= 0
    expect(c.backlog.count).toBe(1);
    expect(c.backlog.bytes).toBe(768);
    expect(c.backlog.segs).toBe(5);
    tcpAddBacklog(t, sk, c, inject(w, sk, 0, 0, sk.tsRecent + 1));
    expect(c.backlog.count).toBe(2);
    expect(w.host("b").nstat.get("TcpExtTCPBacklogCoalesce")).toBe(4);
    releaseSock(t, sk, c);
    expect(w.ledger.report(w.inFlight()).unaccounted).toBe(0);
  });

  it("limit 2*rcvbuf + sndbuf/2 + 64K against backlog + rmem, the new skb not counted: 34 of 40 queued, 6 TCPBacklogDrop", async () => {
    const { w, t, sk, c } = await idle();
    c.rcvbuf = 4608;
    c.sndbuf = 4608;
    expect(c.rmemAlloc).toBe(0);
    let dropped = 0;
    // non-contiguous (a gap between each) so nothing coalesces: 2304 each, limit 77056,
    // skb k is queued while k*2304 <= 77056, i.e. k = 0..33
    for (let i = 0; i < 40; i++) if (tcpAddBacklog(t, sk, c, inject(w, sk, (2 * i + 1) * 1448, 1448))) dropped++;
    expect(dropped).toBe(6);
    expect(c.backlog.count).toBe(34);
    expect(w.host("b").nstat.get("TcpExtTCPBacklogDrop")).toBe(6);
    releaseSock(t, sk, c);
    const res = w.ledger.report(w.inFlight());
    expect(res.dropped.SOCKET_BACKLOG).toBe(6);
    expect(res.unaccounted).toBe(0);
  });
});

describe("the application holds the socket for the CPU model's call cost", () => {
  it("bulk at 10 Gbit with cost.app 600 ns and copyPerByte 1 ns: ACKs and data queue in the backlog and coalesce; the ledger closes", async () => {
    const spec = pair({ durationNs: 10e6 }, [bulk()]);
    for (const h of spec.hosts) h.cost = { ...DEFAULT_COST, copyPerByte: 1 };
    const { report } = await runWorld(spec);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
    expect(report.hosts.a!.nstat.TcpExtTCPBacklogCoalesce).toBeGreaterThan(0);
    expect(report.hosts.b!.nstat.TcpExtTCPBacklogCoalesce).toBeGreaterThan(0);
    // copying 1 byte per ns caps the reader at 8 Gbit/s of payload
    expect(report.flows[0]!.goodputBps).toBeLessThan(8e9);
    expect(report.flows[0]!.goodputBps).toBeGreaterThan(1e9);
  });

  it("a zero-cost CPU never owns the socket: no backlog", async () => {
    const { report } = await runWorld(pair({ durationNs: 5e6 }, [bulk()]));
    expect(report.hosts.a!.nstat.TcpExtTCPBacklogCoalesce ?? 0).toBe(0);
    expect(report.hosts.b!.nstat.TcpExtTCPBacklogCoalesce ?? 0).toBe(0);
  });
});

describe("request/response with a costed CPU", () => {
  it("each recv/send holds the socket; transactions still complete one per round trip plus the call costs", async () => {
    const spec = pair({ durationNs: 10e6, app: { kind: "rr", request: 100, response: 100 } }, [
      { kind: "rr", from: "a", to: "b", port: 5001, flows: 1, request: 100, response: 100, at: 0 },
    ]);
    for (const h of spec.hosts) h.cost = { ...DEFAULT_COST };
    const { report, w } = await runWorld(spec);
    expect(report.ledger.unaccounted).toBe(0);
    const rr = [...w.flows.values()][0]!.rr!;
    // RTT 100 us; each transaction adds a send and a recv on each end (600 ns + 100 bytes x 0.1 ns each)
    expect(rr.transactions).toBeGreaterThan(80);
    expect(rr.transactions).toBeLessThan(100);
  });
});
