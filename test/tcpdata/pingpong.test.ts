// Delayed-ACK pingpong mode (6.12: tcp_event_data_sent counts a reply sent
// within ato of received data; at tcp_pingpong_thresh the session is
// interactive): quick ACKs stop, a read no longer ACKs a pushed segment at
// once, and the reply carries the ACK.
import { describe, expect, it } from "vitest";
import { runWorld, pair } from "./helpers.js";

const rr = (sysctl: Record<string, number> = {}, durationNs = 30e6) =>
  runWorld(
    pair({ durationNs, app: { kind: "rr", request: 100, response: 100 }, sysctl, clientSysctl: sysctl }, [
      { kind: "rr", from: "a", to: "b", port: 5001, flows: 1, request: 100, response: 100, at: 0, count: 50 },
    ]),
  );

describe("pingpong mode (tcp_pingpong_thresh)", () => {
  it("default thresh 1: after the first reply each end piggybacks its ACKs — one pure ACK per end for 50 transactions", async () => {
    const { report, w } = await rr();
    expect([...w.flows.values()][0]!.rr!.transactions).toBe(50);
    // server: SYN-ACK + 50 responses + the quick ACK of request 1 (sent before its reply made the session interactive)
    expect(report.hosts.b!.nstat.TcpOutSegs).toBe(1 + 50 + 1);
    // client: SYN + handshake ACK + 50 requests + the quick ACK of response 1; response 50's ACK waits
    // on the 40 ms delayed-ACK timer, past the end of the run
    expect(report.hosts.a!.nstat.TcpOutSegs).toBe(2 + 50 + 1);
    expect(report.hosts.a!.nstat.TcpExtDelayedACKs ?? 0).toBe(0);
    const c = [...w.flows.values()][0]!;
    // every response is a reply; the client's first request answers nothing
    expect(c.receiver!.pingpong).toBe(50);
    expect(c.sender!.pingpong).toBe(49);
  });

  it("thresh 255 (never reached in 50 transactions): every request and response gets a pure ACK before the reply", async () => {
    const { report, w } = await rr({ "net.ipv4.tcp_pingpong_thresh": 255 });
    expect([...w.flows.values()][0]!.rr!.transactions).toBe(50);
    // quick-ack mode first, then tcp_cleanup_rbuf: the read emptied a queue holding a pushed segment
    expect(report.hosts.b!.nstat.TcpOutSegs).toBe(1 + 50 + 50);
    expect(report.hosts.a!.nstat.TcpOutSegs).toBe(2 + 50 + 50);
  });

  it("a delayed ACK that has to fire (response 50 is never answered) leaves pingpong mode: DelayedACKs 1, pingpong 0", async () => {
    const { report, w } = await rr({}, 60e6);
    expect(report.hosts.a!.nstat.TcpExtDelayedACKs).toBe(1);
    expect(report.hosts.a!.nstat.TcpOutSegs).toBe(2 + 50 + 1 + 1);
    const c = [...w.flows.values()][0]!.sender!;
    expect(c.pingpong).toBe(0);
    expect(c.ato).toBe(40e6);
  });
});
