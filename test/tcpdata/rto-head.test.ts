// The RTO retransmits the head as 6.12's tcp_retransmit_timer does: tcp_retransmit_skb(sk,
// tcp_rtx_queue_head(sk), 1), straight to tcp_transmit_skb. tcp_xmit_retransmit_queue's tests —
// tcp_pacing_check, the cwnd test, tcp_small_queue_check (TSQ) — are not on that path, and it counts
// TcpRetransSegs but not TCPSlowStartRetrans (tcp_xmit_retransmit_queue's mib_idx). Only
// skb_still_in_host_queue refuses it. Setup as in rto-failures.test.ts: 100 ms RTT, the initial window out.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn } from "./inject.js";
import { ICSK_TIME_RETRANS, resetXmitTimer, writeTimerHandler } from "../../src/tcp/data-out.js";
import { TCPCB_SACKED_RETRANS } from "../../src/tcp/conn.js";

async function inFlight() {
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
  const { t, sk, c, n } = clientConn(r.w);
  expect(c.packetsOut).toBe(10);
  return { t, sk, c, n };
}

function rto(o: Awaited<ReturnType<typeof inFlight>>): void {
  resetXmitTimer(o.t, o.c, ICSK_TIME_RETRANS, 0);
  writeTimerHandler(o.t, o.sk, o.c);
}

describe("the RTO's retransmission of the head (tcp_retransmit_timer -> tcp_retransmit_skb)", () => {
  it("goes out although internal pacing holds the socket (tcp_pacing_check is tcp_xmit_retransmit_queue's)", async () => {
    const o = await inFlight();
    const { t, c, n } = o;
    // SK_PACING_NEEDED with the next departure 1 s away
    c.pacingNeeded = true;
    c.wstampNs = t.now + 1e9;
    const segs = n.get("TcpRetransSegs");
    rto(o);
    expect(n.get("TcpRetransSegs")).toBe(segs + 1);
    expect(c.retransOut).toBe(1);
    expect(c.rtx.flags[c.rtx.at(0)]! & TCPCB_SACKED_RETRANS).not.toBe(0);
  });

  it("goes out although sk_wmem_alloc is over the TSQ limit (tcp_small_queue_check is tcp_xmit_retransmit_queue's)", async () => {
    const o = await inFlight();
    const { c, n } = o;
    c.wmemAlloc += 1 << 30;
    const segs = n.get("TcpRetransSegs");
    rto(o);
    expect(n.get("TcpRetransSegs")).toBe(segs + 1);
    expect(c.retransOut).toBe(1);
    c.wmemAlloc -= 1 << 30;
  });

  it("counts TcpRetransSegs, not TCPSlowStartRetrans", async () => {
    const o = await inFlight();
    const { n } = o;
    rto(o);
    expect(n.get("TcpExtTCPTimeouts")).toBe(1);
    expect(n.get("TcpRetransSegs")).toBe(1);
    expect(n.get("TcpExtTCPSlowStartRetrans")).toBe(0);
  });
});
