// tcp_timeout_mark_lost (6.12) at an RTO: every segment goes through tcp_mark_skb_lost (a retransmission
// still out is lost again: TCPLostRetransmit) except, with RACK (tcp_recovery bit 0), segments other than
// the head sent less than rack.rtt ago (tcp_rack_skb_timeout > 0); tcp_enter_loss then sets
// cwnd = packets in flight + 1. Ten segments out at ~100 ms over a 50 ms one-way link, RTO forced at 103 ms.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn } from "./inject.js";
import { armRto, writeTimerHandler } from "../../src/tcp/data-out.js";
import { TCP_CA_Loss } from "../../src/tcp/cc.js";
import { TCPCB_LOST, TCPCB_SACKED_RETRANS } from "../../src/tcp/conn.js";

async function tenOut(sysctl: Record<string, number> = {}) {
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: sysctl }, [bulk()]));
  const x = clientConn(r.w);
  expect(x.c.packetsOut).toBe(10);
  return { ...r, ...x };
}

describe("tcp_timeout_mark_lost", () => {
  it("with RACK, segments sent within rack.rtt are not marked (the head always is): cwnd = 9 in flight + 1", async () => {
    const { t, sk, c } = await tenOut();
    // hand-set: a 50 ms RACK RTT; the segments left ~3 ms ago
    c.rackRttUs = 50_000;
    armRto(t, c, 0);
    writeTimerHandler(t, sk, c);
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.lostOut).toBe(1);
    expect(c.rtx.flags[c.rtx.at(1)]! & TCPCB_LOST).toBe(0);
    expect(c.cwnd).toBe(10);
  });

  it("with RACK, segments sent longer than rack.rtt ago are marked: all 10, cwnd 1", async () => {
    const { t, sk, c } = await tenOut();
    c.rackRttUs = 1_000;
    armRto(t, c, 0);
    writeTimerHandler(t, sk, c);
    expect(c.lostOut).toBe(10);
    expect(c.cwnd).toBe(1);
  });

  it("tcp_recovery=0: everything is marked whatever rack.rtt says", async () => {
    const { t, sk, c } = await tenOut({ "net.ipv4.tcp_recovery": 0 });
    c.rackRttUs = 50_000;
    armRto(t, c, 0);
    writeTimerHandler(t, sk, c);
    expect(c.lostOut).toBe(10);
    expect(c.cwnd).toBe(1);
  });

  it("a lost segment's retransmission still out is lost again: TCPLostRetransmit, out of retrans_out", async () => {
    const { t, sk, c, n } = await tenOut({ "net.ipv4.tcp_recovery": 0 });
    // hand-set: the head marked lost and retransmitted
    const head = c.rtx.at(0);
    c.rtx.flags[head] = c.rtx.flags[head]! | TCPCB_LOST | TCPCB_SACKED_RETRANS;
    c.lostOut = 1;
    c.retransOut = 1;
    const lost = c.lost;
    armRto(t, c, 0);
    writeTimerHandler(t, sk, c);
    expect(n.get("TcpExtTCPLostRetransmit")).toBe(1);
    // the head again and the 9 others newly (tp->lost), then the RTO retransmits the head
    expect(c.lost - lost).toBe(10);
    expect(c.retransOut).toBe(1);
  });
});
