// Reno's emulated SACKs by congestion state (6.12 tcp_fastretrans_alert / tcp_process_loss /
// tcp_timeout_mark_lost): a duplicate ACK counts in Open/Disorder, in Recovery while snd_una stands
// still, in Loss only once new data went out past high_seq; an ACK that advances snd_una in Open/Disorder
// or Loss clears them (tcp_reset_reno_sack), and so does an RTO before tcp_enter_loss sets cwnd.
// Setup as in newreno.test.ts: no SACK, 100 ms RTT, the initial window of 10 segments out.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { ICSK_TIME_RETRANS, resetXmitTimer, writeTimerHandler } from "../../src/tcp/data-out.js";
import { TCP_CA_Disorder, TCP_CA_Loss, TCP_CA_Open } from "../../src/tcp/cc.js";

async function renoFlow() {
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: { "net.ipv4.tcp_sack": 0 } }, [bulk()]));
  const cc = clientConn(r.w);
  expect(cc.sk.sackOk).toBe(false);
  expect(cc.c.packetsOut).toBe(10);
  expect(cc.c.reordering).toBe(3);
  injectAck(r.w, cc.sk, 0); // a window update (65535 << wscale), not a duplicate
  expect(cc.c.dupAcks).toBe(0);
  const rto = () => {
    resetXmitTimer(cc.t, cc.c, ICSK_TIME_RETRANS, 0);
    writeTimerHandler(cc.t, cc.sk, cc.c);
  };
  return { ...r, ...cc, rto };
}

describe("Reno's emulated SACKs by congestion state", () => {
  it("an RTO after two duplicate ACKs: tcp_timeout_mark_lost clears them first, so cwnd = in flight 10 - lost 10 + 1 = 1 and the head is retransmitted", async () => {
    const { w, sk, c, n, rto } = await renoFlow();
    injectAck(w, sk, 0);
    injectAck(w, sk, 0);
    expect(c.dupAcks).toBe(2);
    expect(c.caState).toBe(TCP_CA_Disorder);
    const rtx = n.get("TcpRetransSegs");
    rto();
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.dupAcks).toBe(0);
    // packets_out 10, lost_out 10, sacked_out 0 (not 2: that gave cwnd 10 - 12 + 1 = -1 and nothing resent)
    expect(c.cwnd).toBe(1);
    expect(n.get("TcpRetransSegs")).toBe(rtx + 1);
    expect(c.retransOut).toBe(1);
  });

  it("a duplicate ACK in Loss with snd_nxt = high_seq is no emulated SACK: no TCPRenoReorder, reordering stays 3", async () => {
    const { w, sk, c, n, rto } = await renoFlow();
    rto();
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.sndNxt).toBe(c.highSeq);
    for (let i = 0; i < 3; i++) injectAck(w, sk, 0);
    expect(c.caState).toBe(TCP_CA_Loss);
    // counted, sacked_out 1 + holes min(max(lost_out 10, 1), 10) > packets_out 10 would trip
    // tcp_limit_reno_sacked: TCPRenoReorder and reordering = packets_out 10
    expect(c.dupAcks).toBe(0);
    expect(n.get("TcpExtTCPRenoReorder")).toBe(0);
    expect(c.reordering).toBe(3);
  });

  it("an ACK of one segment in Disorder clears the emulated SACKs (tcp_reset_reno_sack) and reopens", async () => {
    const { w, sk, c } = await renoFlow();
    injectAck(w, sk, 0);
    injectAck(w, sk, 0);
    expect(c.dupAcks).toBe(2);
    expect(c.caState).toBe(TCP_CA_Disorder);
    const delivered = c.delivered;
    injectAck(w, sk, c.mss);
    // tcp_remove_reno_sacks: max(1 - 2, 1) = 1 delivered, sacked_out 2 - min(0, 2) = 2; then the reset: 0
    expect(c.delivered).toBe(delivered + 1);
    expect(c.dupAcks).toBe(0);
    // tcp_try_keep_open: nothing left out, nothing retransmitted
    expect(c.caState).toBe(TCP_CA_Open);
  });
});
