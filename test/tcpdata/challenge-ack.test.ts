// tcp_validate_incoming's RST rules past the exact match (net/ipv4/tcp_input.c,
// 6.12, RFC 5961 3.2): an RST in the window at the right-most SACK block's end
// resets; any other in-window RST is answered by a challenge ACK
// (tcp_send_challenge_ack: one per tcp_invalid_ratelimit = 500 ms per socket,
// TCPACKSkippedChallenge beyond it; the host-wide tcp_challenge_ack_limit,
// INT_MAX by default, TCPChallengeACK per ACK sent) and dropped TCP_RESET; an
// RST outside the window is dropped without an answer.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK, TCPHDR_RST } from "../../src/wire/tcp.js";
import type { TcpSock } from "../../src/tcp/sock.js";

async function established(sysctl: Record<string, number> = {}) {
  const r = await runWorld(pair({ durationNs: 2e6, sysctl }, [bulk()]));
  const t = r.w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  const c = sk.conn!;
  c.readRate = 0;
  const nstat = r.w.host("b").nstat;
  const base = (name: string) => nstat.get(name) ?? 0;
  const challenge0 = base("TcpExtTCPChallengeACK");
  const skipped0 = base("TcpExtTCPACKSkippedChallenge");
  // what b sends and drops from here on
  const sent: number[] = [];
  const drops: string[] = [];
  const host = t as unknown as { output: (h: number) => boolean; dropSkb: (h: number, reason: string) => void };
  const output = host.output;
  const dropSkb = host.dropSkb;
  host.output = (h) => {
    sent.push(h);
    return output(h);
  };
  host.dropSkb = (h, reason) => {
    drops.push(reason);
    dropSkb(h, reason);
  };
  const nxt = c.rcvNxt;
  /** An RST at rcv_nxt (as the test began) + off. */
  const rst = (off: number) => tcpRcvState(t, sk, clientSegment(r.w, sk, off - (c.rcvNxt - nxt), 0, TCPHDR_RST | TCPHDR_ACK));
  const data = (off: number, len: number) => tcpRcvState(t, sk, clientSegment(r.w, sk, off - (c.rcvNxt - nxt), len, TCPHDR_ACK, sk.tsRecent));
  return {
    t,
    sk,
    c,
    sent,
    drops,
    rst,
    data,
    challenges: () => base("TcpExtTCPChallengeACK") - challenge0,
    skipped: () => base("TcpExtTCPACKSkippedChallenge") - skipped0,
    alive: () => t.states().ESTABLISHED === 1,
  };
}

describe("tcp_validate_incoming: an in-window RST that is not exact", () => {
  it("rcv_nxt + 1000: a challenge ACK (TCPChallengeACK 1, one ACK sent), dropped TCP_RESET, still ESTABLISHED", async () => {
    const s = await established();
    s.rst(1000);
    expect(s.alive()).toBe(true);
    expect(s.challenges()).toBe(1);
    expect(s.sent.length).toBe(1);
    expect(s.drops).toEqual(["TCP_RESET"]);
  });

  it("a second one within 500 ms: TCPACKSkippedChallenge 1, no ACK", async () => {
    const s = await established();
    s.rst(1000);
    s.rst(2000);
    expect(s.challenges()).toBe(1);
    expect(s.skipped()).toBe(1);
    expect(s.sent.length).toBe(1);
    expect(s.drops).toEqual(["TCP_RESET", "TCP_RESET"]);
    expect(s.alive()).toBe(true);
  });

  it("beyond rcv_nxt + the receive window: dropped with no answer", async () => {
    const s = await established();
    s.rst(s.c.receiveWindow() + 1);
    expect(s.challenges()).toBe(0);
    expect(s.sent.length).toBe(0);
    expect(s.alive()).toBe(true);
  });

  it("at the end of the right-most SACK block: resets", async () => {
    const s = await established();
    s.data(1448, 1448);
    s.data(4344, 1448);
    expect(s.c.ofo.length).toBe(2);
    s.rst(5792);
    expect(s.alive()).toBe(false);
    expect(s.challenges()).toBe(0);
  });

  it("at the end of a SACK block that is not the right-most one: a challenge ACK", async () => {
    const s = await established();
    s.data(1448, 1448);
    s.data(4344, 1448);
    const acks = s.sent.length;
    s.rst(2896);
    expect(s.alive()).toBe(true);
    expect(s.challenges()).toBe(1);
    expect(s.sent.length).toBe(acks + 1);
  });

  it("net.ipv4.tcp_challenge_ack_limit 1: the host's quota (1 this second) is spent by the first socket's ACK", async () => {
    const s = await established({ "net.ipv4.tcp_challenge_ack_limit": 1 });
    s.rst(1000);
    expect(s.challenges()).toBe(1);
    // another socket's challenge in the same second: the per-socket limit passes, the host quota does not
    s.sk.lastOowAckTime = 0;
    s.rst(2000);
    expect(s.challenges()).toBe(1);
    expect(s.skipped()).toBe(0);
    expect(s.sent.length).toBe(1);
    expect(s.t.challengeCount).toBe(0);
  });

  it("net.ipv4.tcp_challenge_ack_limit 0: the kernel's u32 sum wraps (0 + 0 - 1), so the quota is unlimited, not zero", async () => {
    const s = await established({ "net.ipv4.tcp_challenge_ack_limit": 0 });
    s.rst(1000);
    expect(s.challenges()).toBe(1);
    expect(s.sent.length).toBe(1);
    s.sk.lastOowAckTime = 0;
    s.rst(2000);
    expect(s.challenges()).toBe(2);
  });
});
