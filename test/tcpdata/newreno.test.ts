// NewReno without SACK (net.ipv4.tcp_sack=0; 6.12 tcp_newreno_mark_lost): the
// head is marked lost after `reordering` duplicate ACKs, and again on every
// partial ACK in Recovery, so each hole is retransmitted one RTT apart
// instead of waiting for three more duplicate ACKs or the RTO (RFC 6582).
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { TCP_CA_Recovery } from "../../src/tcp/cc.js";
import { TCPCB_EVER_RETRANS, TCPCB_LOST } from "../../src/tcp/conn.js";

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
