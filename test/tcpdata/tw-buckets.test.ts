// net.ipv4.tcp_max_tw_buckets (net/ipv4/inet_timewait_sock.c: inet_twsk_alloc returns NULL once
// refcount_read(&dr->tw_refcount) - 1, the host's timewait socks, reaches sysctl_max_tw_buckets; 6.12's
// default is ehash_entries / 2, 131072 for the model's 262144 buckets) and net/ipv4/tcp_minisocks.c:
// tcp_time_wait without a timewait sock: TcpExtTCPTimeWaitOverflow, then tcp_done closes the socket.
// The client a sends 1000 bytes and closes first; the server b closes on EOF. a's socket ends in
// TIME_WAIT (TcpExtTW 1) or, with no bucket left, is gone at once (TCPTimeWaitOverflow 1, TW 0).
import { describe, expect, it } from "vitest";
import { bulk, pair, runWorld } from "./helpers.js";

async function closeFirst(clientSysctl: Record<string, number>, flows = 1) {
  const r = await runWorld(pair({ durationNs: 1e9, clientSysctl }, [bulk({ bytes: 1000, flows })]));
  const a = r.w.host("a");
  return { r, t: a.stack.tcp, nstat: a.nstat };
}

describe("tcp_max_tw_buckets (inet_twsk_alloc) and TCPTimeWaitOverflow (tcp_time_wait)", () => {
  it("default 131072: the closer keeps a TIME_WAIT sock (TW 1, no overflow)", async () => {
    const { t, nstat, r } = await closeFirst({});
    expect(t.maxTwBuckets).toBe(131072);
    expect(t.states()).toEqual({ TIME_WAIT: 1 });
    expect(t.sockstat().tw).toBe(1);
    expect(nstat.get("TcpExtTW")).toBe(1);
    expect(nstat.get("TcpExtTCPTimeWaitOverflow")).toBe(0);
    expect(r.result.ledger.unaccounted).toBe(0);
  });

  it("0: no timewait sock can be had: TCPTimeWaitOverflow 1, TW 0, the socket closed (tcp_done) and unhashed", async () => {
    const { t, nstat, r } = await closeFirst({ "net.ipv4.tcp_max_tw_buckets": 0 });
    expect(t.states()).toEqual({});
    expect(t.sockstat().tw).toBe(0);
    expect(t.ports.size).toBe(0);
    expect(nstat.get("TcpExtTW")).toBe(0);
    expect(nstat.get("TcpExtTCPTimeWaitOverflow")).toBe(1);
    // the peer's FIN was still ACKed (tcp_fin's tcp_send_ack comes before tcp_time_wait): b's LAST_ACK ends
    expect(r.w.host("b").stack.tcp.states()).toEqual({ LISTEN: 1 });
    expect(r.result.ledger.unaccounted).toBe(0);
  });

  it("1 with two connections closing: one TIME_WAIT sock (TW 1), the other closes (TCPTimeWaitOverflow 1)", async () => {
    const { t, nstat, r } = await closeFirst({ "net.ipv4.tcp_max_tw_buckets": 1 }, 2);
    expect(t.states()).toEqual({ TIME_WAIT: 1 });
    expect(nstat.get("TcpExtTW")).toBe(1);
    expect(nstat.get("TcpExtTCPTimeWaitOverflow")).toBe(1);
    expect(r.w.host("b").stack.tcp.states()).toEqual({ LISTEN: 1 });
    expect(r.result.ledger.unaccounted).toBe(0);
  });

  it("-1 (proc_dointvec takes it; inet_twsk_alloc's unsigned compare makes it 4294967295): no limit, both closers keep a TIME_WAIT sock", async () => {
    const { t, nstat } = await closeFirst({ "net.ipv4.tcp_max_tw_buckets": -1 }, 2);
    expect(t.maxTwBuckets).toBe(4294967295);
    expect(t.states()).toEqual({ TIME_WAIT: 2 });
    expect(nstat.get("TcpExtTW")).toBe(2);
    expect(nstat.get("TcpExtTCPTimeWaitOverflow")).toBe(0);
  });

  it("INT_MIN: 2147483648 unsigned", async () => {
    const { t, nstat } = await closeFirst({ "net.ipv4.tcp_max_tw_buckets": -2147483648 });
    expect(t.maxTwBuckets).toBe(2147483648);
    expect(nstat.get("TcpExtTW")).toBe(1);
  });
});
