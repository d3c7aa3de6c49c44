// NewReno without SACK (net.ipv4.tcp_sack=0; 6.12 tcp_newreno_mark_lost): the
// head is marked lost after `reordering` duplicate ACKs, and again on every
// partial ACK in Recovery, so each hole is retransmitted one RTT apart
// instead of waiting for three more duplicate ACKs or the RTO (RFC 6582).
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { TCP_CA_Recovery } from "../../src/tcp/cc.js";
import { TCPCB_EVER_RETRANS, TCPCB_LOST, TCPCB_SACKED_RETRANS } from "../../src/tcp/conn.js";

describe("NewReno partial ACKs (tcp_newreno_mark_lost)", () => {
  it("three duplicate ACKs retransmit the head; a partial ACK in Recovery marks the next hole lost at once", async () => {
    // 103 ms into a flow over a 50 ms one-way link: 10 segments out, nothing ACKed yet
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: { "net.ipv4.tcp_sack": 0 } }, [bulk()]));
    const { sk, c } = clientConn(r.w);
    expect(sk.sackOk).toBe(false);
    expect(c.packetsOut).toBe(10);
    const mss = c.mss;
    for (let i = 0; i < 4 && c.caState !== TCP_CA_Recovery; i++) injectAck(r.w, sk, 0);
    expect(c.caState).toBe(TCP_CA_Recovery);
    const head = c.rtx.at(0);
    expect(c.rtx.flags[head]! & TCPCB_EVER_RETRANS).not.toBe(0);
    // segment 1 arrives (the retransmission filled the first hole); segment 2 was lost too: the partial
    // ACK marks the new head lost at once (its retransmission then goes when PRR allows: prr_out is 1,
    // ceil(prr_delivered 1 x ssthresh 7 / prior_cwnd 10) - 1 = 0 now)
    const lost = c.lostOut;
    injectAck(r.w, sk, mss);
    expect(c.caState).toBe(TCP_CA_Recovery);
    const next = c.rtx.at(0);
    expect(c.rtx.flags[next]! & TCPCB_LOST).not.toBe(0);
    expect(c.lostOut).toBe(lost);
  });
});

describe("Reno's emulated SACKs (tcp_add_reno_sack)", () => {
  it("each duplicate ACK counts as a SACKed segment: in flight falls and PRR is credited, so entering Recovery cuts cwnd to ssthresh", async () => {
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: { "net.ipv4.tcp_sack": 0 } }, [bulk()]));
    const { sk, c } = clientConn(r.w);
    expect(c.packetsOut).toBe(10);
    // the first injected ACK changes the window (65535 << wscale): a window update, not a duplicate
    injectAck(r.w, sk, 0);
    expect(c.dupAcks).toBe(0);
    const nxt = c.sndNxt;
    // two duplicate ACKs: sacked_out 1, 2 (tcp_left_out) take one segment each off in flight
    injectAck(r.w, sk, 0);
    expect(c.packetsInFlight()).toBe(9);
    injectAck(r.w, sk, 0);
    expect(c.packetsInFlight()).toBe(8);
    // the third: sacked_out 3 + 1 > reordering 3 (tcp_time_to_recover): Recovery, head lost; CUBIC ssthresh
    // max(10 x 717 / 1024, 2) = 7; tcp_cwnd_reduction: prr_delivered 1, in flight 10 - (3 + 1) = 6, delta
    // 7 - 6 = 1, sndcnt min(delta, max(1 - 0, 1)) = 1: cwnd 7; the head's retransmission brings in flight to 7
    injectAck(r.w, sk, 0);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(c.ssthresh).toBe(7);
    expect(c.cwnd).toBe(7);
    expect(c.retransOut).toBe(1);
    expect(c.packetsInFlight()).toBe(7);
    // cwnd 10 never exceeded in flight: no new data went out
    expect(c.sndNxt - nxt).toBe(0);
  });
});

describe("tcp_newreno_mark_lost and a head retransmitted but not lost", () => {
  it("three duplicate ACKs mark the head lost even while its retransmission is out; nothing is sent again (retrans_out = lost_out)", async () => {
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: { "net.ipv4.tcp_sack": 0 } }, [bulk()]));
    const { sk, c, n } = clientConn(r.w);
    expect(c.packetsOut).toBe(10);
    // as an undone loss leaves it (tcp_undo_cwnd_reduction clears LOST, the retransmission stays out)
    const head = c.rtx.at(0);
    c.rtx.flags[head] = c.rtx.flags[head]! | TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS;
    c.retransOut = 1;
    const rtx = n.get("TcpRetransSegs");
    injectAck(r.w, sk, 0); // the window update
    for (let i = 0; i < 3; i++) injectAck(r.w, sk, 0);
    // dupacks 3 >= reordering 3: the head is LOST (lost_out 1), which starts Recovery (tcp_time_to_recover)
    expect(c.rtx.flags[head]! & TCPCB_LOST).not.toBe(0);
    expect(c.rtx.flags[head]! & TCPCB_SACKED_RETRANS).not.toBe(0);
    expect(c.lostOut).toBe(1);
    expect(c.retransOut).toBe(1);
    expect(c.caState).toBe(TCP_CA_Recovery);
    // tcp_xmit_retransmit_queue: retrans_out >= lost_out, and the head is SACKED_RETRANS: no retransmission
    expect(n.get("TcpRetransSegs")).toBe(rtx);
  });
});

describe("num_dupack of a coalesced pure ACK (tcp_ack: max(1, gso_segs) when tcp_add_backlog merged them)", () => {
  it("one skb standing for three duplicate ACKs adds three emulated SACKs and starts Recovery, as three separate ones do", async () => {
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: { "net.ipv4.tcp_sack": 0 } }, [bulk()]));
    const { sk, c } = clientConn(r.w);
    expect(c.packetsOut).toBe(10);
    // the window update first (not a duplicate)
    injectAck(r.w, sk, 0);
    expect(c.dupAcks).toBe(0);
    // tcp_add_reno_sack(num_dupack 3): sacked_out 3; tcp_time_to_recover: 3 + 1 > reordering 3
    injectAck(r.w, sk, 0, [], { segs: 3 });
    expect(c.caState).toBe(TCP_CA_Recovery);
    // the head marked lost and retransmitted; the three emulated SACKs stay
    expect(c.retransOut).toBe(1);
    expect(c.dupAcks).toBe(3);
    expect(c.packetsInFlight()).toBe(10 - 3 - 1 + 1);
  });

  it("two coalesced duplicates count two: sacked_out 2, still Open", async () => {
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: { "net.ipv4.tcp_sack": 0 } }, [bulk()]));
    const { sk, c } = clientConn(r.w);
    injectAck(r.w, sk, 0);
    injectAck(r.w, sk, 0, [], { segs: 2 });
    expect(c.dupAcks).toBe(2);
    expect(c.caState).not.toBe(TCP_CA_Recovery);
    expect(c.packetsInFlight()).toBe(8);
  });
});
