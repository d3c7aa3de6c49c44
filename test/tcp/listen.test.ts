// tcp_conn_request's order of checks and counters (spec §1–2, observable
// behaviours 1–5), with bare SYNs whose SYN-ACKs go to a spoofed address.
import { describe, expect, it } from "vitest";
import { closed, connect, run, serverWorld, synFlood } from "./helpers.js";

const nstat = (r: { hosts: Record<string, { nstat: Record<string, number> }> }, k: string) => r.hosts.server!.nstat[k] ?? 0;

describe("listen(): backlog and the request queue", () => {
  it("somaxconn clamps the backlog: listen(5000) -> 4096, somaxconn 16 + listen(100) -> 16", async () => {
    const a = await run(serverWorld({ backlog: 5000 }, []));
    expect(a.report.hosts.server!.listeners[0]).toMatchObject({ port: 80, backlog: 4096, acceptQueue: 0, synQueue: 0 });
    const b = await run(serverWorld({ backlog: 100, sysctl: { "net.core.somaxconn": 16 } }, []));
    expect(b.report.hosts.server!.listeners[0]!.backlog).toBe(16);
  });

  it("cookies off, listen(8), 20 bare SYNs: 9 reqs (qlen > backlog is full), 11 x (TCPReqQFullDrop + ListenDrops), one dmesg line", async () => {
    const { report } = await run(serverWorld({ backlog: 8, sysctl: { "net.ipv4.tcp_syncookies": 0 } }, [synFlood(20)]));
    expect(report.hosts.server!.listeners[0]).toMatchObject({ backlog: 8, synQueue: 9, acceptQueue: 0 });
    expect(report.hosts.server!.tcpStates).toEqual({ LISTEN: 1, SYN_RECV: 9 });
    expect(nstat(report, "TcpExtTCPReqQFullDrop")).toBe(11);
    expect(nstat(report, "TcpExtListenDrops")).toBe(11);
    expect(nstat(report, "TcpExtListenOverflows")).toBe(0);
    expect(nstat(report, "TcpOutSegs")).toBe(9); // 9 SYN-ACKs
    expect(report.warnings).toEqual(["server: TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:80. Dropping request."]);
    // the 11 refused SYNs are consumed (tcp_rcv_state_process, TCP_LISTEN: consume_skb after conn_request), not
    // dropped: 20 SYNs delivered; the 9 SYN-ACKs go to the spoofed source (IP_INADDRERRORS at the client host)
    expect(report.ledger).toMatchObject({ created: 29, delivered: 20, dropped: { IP_INADDRERRORS: 9 } });
    closed(report);
  });

  it("listen(0) holds 1 request", async () => {
    const { report } = await run(serverWorld({ backlog: 0, sysctl: { "net.ipv4.tcp_syncookies": 0 } }, [synFlood(5)]));
    expect(report.hosts.server!.listeners[0]!.synQueue).toBe(1);
    expect(nstat(report, "TcpExtTCPReqQFullDrop")).toBe(4);
  });

  it("tcp_max_syn_backlog=16, listen(1000), cookies off: the 3/4 rule stops at 13 (ListenDrops only, no dmesg)", async () => {
    // drop when 16 - qlen < 16 >> 2, i.e. qlen >= 13
    const { report } = await run(serverWorld({ backlog: 1000, sysctl: { "net.ipv4.tcp_syncookies": 0, "net.ipv4.tcp_max_syn_backlog": 16 } }, [synFlood(20)]));
    expect(report.hosts.server!.listeners[0]!.synQueue).toBe(13);
    expect(nstat(report, "TcpExtListenDrops")).toBe(7);
    expect(nstat(report, "TcpExtTCPReqQFullDrop")).toBe(0);
    expect(report.warnings).toEqual([]);
    closed(report);
  });

  it("cookies on (1), listen(8), 20 SYNs: 9 reqs, 20 SYN-ACKs, 11 SyncookiesSent = TCPReqQFullDoCookies, 'Sending cookies.'", async () => {
    const { report } = await run(serverWorld({ backlog: 8, sysctl: { "net.ipv4.tcp_syncookies": 1 } }, [synFlood(20)]));
    expect(report.hosts.server!.listeners[0]!.synQueue).toBe(9);
    expect(nstat(report, "TcpOutSegs")).toBe(20);
    expect(nstat(report, "TcpExtSyncookiesSent")).toBe(11);
    expect(nstat(report, "TcpExtTCPReqQFullDoCookies")).toBe(11);
    expect(nstat(report, "TcpExtListenDrops")).toBe(0);
    expect(report.warnings).toEqual(["server: TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:80. Sending cookies."]);
    closed(report);
  });

  it("cookies always (2): no reqs, every SYN counts SyncookiesSent and TCPReqQFullDoCookies, no dmesg", async () => {
    const { report } = await run(serverWorld({ backlog: 8, sysctl: { "net.ipv4.tcp_syncookies": 2 } }, [synFlood(20)]));
    expect(report.hosts.server!.listeners[0]!.synQueue).toBe(0);
    expect(nstat(report, "TcpExtSyncookiesSent")).toBe(20);
    expect(nstat(report, "TcpExtTCPReqQFullDoCookies")).toBe(20);
    expect(report.warnings).toEqual([]);
    closed(report);
  });
});

describe("the accept queue", () => {
  it("sequential clients, listen(8), no accept(): 9 established, 11 stay SYN_SENT; each SYN (and its 1 s retransmission) = ListenOverflows + ListenDrops", async () => {
    const { report } = await run(serverWorld({ backlog: 8, durationNs: 2e9 }, [connect(20, { rate: 1000 })]));
    expect(report.hosts.server!.listeners[0]).toEqual({ port: 80, backlog: 8, acceptQueue: 9, synQueue: 0 });
    expect(report.hosts.server!.tcpStates).toEqual({ ESTABLISHED: 9, LISTEN: 1 });
    expect(report.hosts.client!.tcpStates).toEqual({ ESTABLISHED: 9, SYN_SENT: 11 });
    // SYNs at 9..19 ms and again at 1.009..1.019 s (the next try, 2.009 s, is past the end)
    expect(nstat(report, "TcpExtListenOverflows")).toBe(22);
    expect(nstat(report, "TcpExtListenDrops")).toBe(22);
    expect(nstat(report, "TcpPassiveOpens")).toBe(9);
    expect(report.hosts.client!.nstat.TcpExtTCPSynRetrans).toBe(11);
    expect(report.connects[0]).toMatchObject({ attempted: 20, connected: 9, failed: 0, pending: 11 });
    // the 22 SYNs refused for the full accept queue are consumed, not dropped
    expect(report.ledger.dropped).toEqual({});
    closed(report);
  });

  it("racing clients, listen(8), cookies on: 9 reqs complete, the 11 cookie ACKs overflow at the final ACK; the clients all think they are connected", async () => {
    const { report } = await run(serverWorld({ backlog: 8 }, [connect(20)]));
    expect(report.hosts.server!.listeners[0]!.acceptQueue).toBe(9);
    expect(nstat(report, "TcpExtSyncookiesSent")).toBe(11);
    expect(nstat(report, "TcpExtSyncookiesRecv")).toBe(11);
    expect(nstat(report, "TcpExtListenOverflows")).toBe(11);
    expect(nstat(report, "TcpExtListenDrops")).toBe(11);
    expect(report.connects[0]).toMatchObject({ attempted: 20, connected: 20 });
    // net/ipv4/syncookies.c: cookie_v4_check — tcp_get_cookie_sock made no child: out_drop with NO_SOCKET
    expect(report.ledger.dropped).toEqual({ NO_SOCKET: 11 });
    closed(report);
  });

  it("accept: true drains the queue; a rate limits accept() and acceptDelay postpones it", async () => {
    const all = await run(serverWorld({ backlog: 8, accept: true }, [connect(20)]));
    expect(all.report.hosts.server!.listeners[0]!.acceptQueue).toBe(0);
    expect(all.report.hosts.server!.tcpStates).toEqual({ ESTABLISHED: 20, LISTEN: 1 });
    // 10/s for 1 s from the first child (~100 us): accept() at 0.1ms, 100.1ms, ..., 900.1ms = 10
    const rate = await run(serverWorld({ backlog: 100, accept: 10, durationNs: 1e9 }, [connect(20)]));
    expect(rate.report.hosts.server!.listeners[0]!.acceptQueue).toBe(10);
    const delayed = await run(serverWorld({ backlog: 100, accept: true, acceptDelay: 200e6, durationNs: 150e6 }, [connect(5)]));
    expect(delayed.report.hosts.server!.listeners[0]!.acceptQueue).toBe(5);
  });
});
