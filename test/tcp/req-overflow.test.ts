// A request whose final ACK finds the accept queue full (net/ipv4/tcp_minisocks.c: tcp_check_req's
// listen_overflow, 6.12): tcp_v4_syn_recv_sock counts ListenOverflows and ListenDrops and makes no child; with
// tcp_abort_on_overflow 0 the request is marked inet_rsk(req)->acked and tcp_check_req returns NULL, so
// tcp_v4_rcv drops the ACK NOT_SPECIFIED (discard_and_relse -> discard_it). The request stays on its timer.
// World: listen(2) (the accept queue is full above 2 children, inet_csk_reqsk_queue_is_full above 2 requests),
// no accept(), cookies off. A far client (10 ms each way) connects at 0: its SYN makes a request at ~10 ms, its
// final ACK arrives at ~30 ms. Three near clients (50 us) connect at 11, 12 and 13 ms and fill the accept queue
// (3 children) before that ACK.
import { describe, expect, it } from "vitest";
import { closed, connect, run, serverWorld } from "./helpers.js";

const S = 1e9;
const nstat = (r: { hosts: Record<string, { nstat: Record<string, number> }> }, k: string) => r.hosts.server!.nstat[k] ?? 0;

export const overflowWorld = (durationNs: number) =>
  serverWorld({ backlog: 2, durationNs, sysctl: { "net.ipv4.tcp_syncookies": 0 } }, [connect(1, { from: "far" }), connect(3, { at: 11e6, rate: 1000 })], [
    { name: "far", last: 3, delayNs: 10e6 },
  ]);

describe("tcp_check_req's listen_overflow with tcp_abort_on_overflow 0", () => {
  it("the far client's final ACK: ListenOverflows 1, dropped NOT_SPECIFIED (not TCP_LISTEN_OVERFLOW); the request stays", async () => {
    const { report } = await run(overflowWorld(0.1 * S));
    expect(report.hosts.server!.listeners[0]).toMatchObject({ backlog: 2, acceptQueue: 3, synQueue: 1 });
    expect(nstat(report, "TcpExtListenOverflows")).toBe(1);
    expect(nstat(report, "TcpExtListenDrops")).toBe(1);
    expect(nstat(report, "TcpPassiveOpens")).toBe(3);
    expect(report.ledger.dropped).toEqual({ NOT_SPECIFIED: 1 });
    closed(report);
  });
});

