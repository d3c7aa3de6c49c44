// SYN-ACK retransmission, request expiry and young pruning
// (reqsk_timer_handler), client SYN retries (tcp_retransmit_timer), and the
// final-ACK overflow path with req->acked (spec §3–4, behaviours 9–11).
import { describe, expect, it } from "vitest";
import { closed, connect, run, serverWorld, synFlood } from "./helpers.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";

const srv = (r: { hosts: Record<string, { nstat: Record<string, number> }> }, k: string) => r.hosts.server!.nstat[k] ?? 0;

describe("SYN-ACK retransmission and request expiry", () => {
  // The request timer is a timer_list (kernel/time/timer.c: calc_wheel_index): armed at jiffy 0 for 1000
  // jiffies it is filed at level 2 (504 <= delta < 4032, 64-jiffy granule) and runs at the next multiple of 64
  // after expiry, 1024; re-armed from its callback for 2000: 3024 -> 3072; for 4000 (the expiry): 7072 -> 7104.
  it("tcp_synack_retries=2: SYN-ACKs at 0, 1.024, 3.072 s; the req is gone at 7.104 s; TCPTimeouts 3, TCPSynRetrans 2", async () => {
    const times: number[] = [];
    const spec = serverWorld({ durationNs: 8e9, sysctl: { "net.ipv4.tcp_synack_retries": 2 } }, [synFlood(1)]);
    const { report } = await run(spec, (core) => (h, t) => {
      // SYN|ACK leaving the server (TCP flags byte at Ethernet 14 + IPv4 20 + 13)
      if (core.headers[h * SKB_HEADROOM + 47] === 0x12) times.push(t);
    });
    const arrive = times[0]!;
    expect(arrive).toBeGreaterThan(50_000);
    expect(arrive).toBeLessThan(51_000);
    expect(times.map((t) => Math.round(t / 1e6))).toEqual([0, 1024, 3072]);
    expect(report.hosts.server!.listeners[0]!.synQueue).toBe(0);
    expect(srv(report, "TcpExtTCPTimeouts")).toBe(3);
    expect(srv(report, "TcpExtTCPSynRetrans")).toBe(2);
    expect(srv(report, "TcpRetransSegs")).toBe(2);
    const before = await run({ ...spec, durationNs: 7.1e9 });
    expect(before.report.hosts.server!.listeners[0]!.synQueue).toBe(1);
    closed(report);
  });

  it("young pruning: listen(8) + 9 un-ACKed reqs -> all alive at 6.5 s, 4 at 7.6 s; listen(100) + 9 -> 9 at 9 s", async () => {
    const sys = { "net.ipv4.tcp_syncookies": 0 };
    const at = async (backlog: number, t: number) => (await run(serverWorld({ backlog, sysctl: sys, durationNs: t }, [synFlood(9)]))).report.hosts.server!.listeners[0]!.synQueue;
    expect(await at(8, 6.5e9)).toBe(9);
    expect(await at(8, 7.6e9)).toBe(4);
    expect(await at(100, 9e9)).toBe(9);
  });

  // on the wheel (see above): 1024, 3072, 7104; 7104 + 8000 is level 3 (4032 <= delta < 32256, 512-jiffy
  // granule): 15360; 15360 + 16000 -> 31744; the expiry 31744 + 32000 -> 64000
  it("default tcp_synack_retries=5: retransmits at 1.024, 3.072, 7.104, 15.36, 31.744 s and expiry at 64 s", async () => {
    const { report } = await run(serverWorld({ durationNs: 64.5e9 }, [synFlood(1)]));
    expect(srv(report, "TcpExtTCPSynRetrans")).toBe(5);
    expect(srv(report, "TcpExtTCPTimeouts")).toBe(6);
    expect(report.hosts.server!.tcpStates).toEqual({ LISTEN: 1 });
  });
});

describe("final ACK to a full accept queue (listen(1))", () => {
  // far (5 ms away) gets a req first; two near clients then fill the accept
  // queue (one req, one cookie); far's ACK arrives at ~15 ms to a full queue.
  const spec = (abort: number) =>
    serverWorld({ backlog: 1, durationNs: 2e9, sysctl: { "net.ipv4.tcp_abort_on_overflow": abort } }, [connect(1, { from: "far" }), connect(2, { at: 5e6 })], [
      { name: "far", last: 3, delayNs: 5e6 },
    ]);

  it("tcp_abort_on_overflow=0: ListenOverflows + ListenDrops, no reply, req kept (acked) and its SYN-ACK retransmitted; the dup ACK overflows again", async () => {
    const { report } = await run(spec(0));
    const s = report.hosts.server!;
    expect(s.listeners[0]).toMatchObject({ backlog: 1, acceptQueue: 2, synQueue: 1 });
    // at ~15 ms, and again for the dup ACK answering the 1 s retransmission
    expect(s.nstat.TcpExtListenOverflows).toBe(2);
    expect(s.nstat.TcpExtListenDrops).toBe(2);
    expect(s.nstat.TcpExtTCPSynRetrans).toBe(1);
    expect(s.nstat.TcpExtSyncookiesRecv).toBe(1);
    expect(report.hosts.far!.tcpStates).toEqual({ ESTABLISHED: 1 });
    expect(s.nstat.TcpOutRsts).toBeUndefined();
    closed(report);
  });

  it("tcp_abort_on_overflow=1: the ACK draws a RST, EmbryonicRsts +1, the req is removed and the client reset", async () => {
    const { report } = await run(spec(1));
    const s = report.hosts.server!;
    expect(s.listeners[0]).toMatchObject({ acceptQueue: 2, synQueue: 0 });
    expect(s.nstat.TcpExtListenOverflows).toBe(1);
    expect(s.nstat.TcpExtEmbryonicRsts).toBe(1);
    expect(s.nstat.TcpOutRsts).toBe(1);
    expect(report.hosts.far!.nstat.TcpEstabResets).toBe(1);
    expect(report.hosts.far!.tcpStates).toEqual({});
    closed(report);
  });
});

describe("client SYN retries", () => {
  it("into a black hole: retransmits at 1,2,3,4,5 s (tcp_syn_linear_timeouts=4) then 7,11,19,35,67 s; gives up at 131 s", async () => {
    const w = serverWorld({ durationNs: 200e9 }, [connect(1)]);
    const lossy = { ...w, links: w.links.map((l) => ({ ...l, loss: 1 })) };
    const { report } = await run(lossy);
    const c = report.hosts.client!.nstat;
    expect(c.TcpExtTCPSynRetrans).toBe(10);
    expect(c.TcpExtTCPTimeouts).toBe(11);
    expect(c.TcpAttemptFails).toBe(1);
    expect(report.connects[0]).toMatchObject({ attempted: 1, connected: 0, failed: 1, pending: 0 });
    expect(report.hosts.client!.tcpStates).toEqual({});
    const early = await run({ ...lossy, durationNs: 130e9 });
    expect(early.report.hosts.client!.nstat.TcpExtTCPSynRetrans).toBe(10);
    expect(early.report.connects[0]!.pending).toBe(1);
    closed(report);
  });

  it("to a port nobody listens on: RST, connection refused (AttemptFails), TcpOutRsts on the server", async () => {
    const w = serverWorld({}, [connect(3, { port: 81 })]);
    const { report } = await run(w);
    expect(report.hosts.server!.nstat.TcpOutRsts).toBe(3);
    expect(report.hosts.client!.nstat.TcpAttemptFails).toBe(3);
    expect(report.connects[0]).toMatchObject({ connected: 0, failed: 3 });
    expect(report.ledger.dropped).toEqual({ NO_SOCKET: 3, TCP_RESET: 3 });
    closed(report);
  });
});

describe("close", () => {
  it("client closes after 10 ms: FIN exchange leaves the client in TIME_WAIT and frees the server's child", async () => {
    const { report } = await run(serverWorld({ accept: true }, [connect(5, { holdNs: 10e6 })]));
    expect(report.hosts.client!.tcpStates).toEqual({ TIME_WAIT: 5 });
    expect(report.hosts.server!.tcpStates).toEqual({ LISTEN: 1 });
    expect(report.hosts.client!.nstat.TcpEstabResets).toBeUndefined();
    closed(report);
  });

  it("an unaccepted child that gets a FIN waits in CLOSE_WAIT in the accept queue", async () => {
    const { report } = await run(serverWorld({ accept: false }, [connect(2, { holdNs: 10e6 })]));
    expect(report.hosts.client!.tcpStates).toEqual({ FIN_WAIT2: 2 });
    expect(report.hosts.server!.tcpStates).toEqual({ CLOSE_WAIT: 2, LISTEN: 1 });
    expect(report.hosts.server!.listeners[0]!.acceptQueue).toBe(2);
  });
});
