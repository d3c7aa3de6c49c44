// 6.12 net/ipv4/tcp.c tcp_recvmsg_locked calls tcp_rcv_space_adjust
// after EACH skb it copies from (line 2805: `WRITE_ONCE(*seq, *seq + used); copied += used; ...
// tcp_rcv_space_adjust(sk);`), so a read that drains several skbs measures at the first one past the RTT:
// copied = copied_seq - rcvq_space.seq - (rcv_nxt - copied_seq) with copied_seq just past THAT skb, and the
// later skbs of the same read find time 0 < rtt (review13a #9: the model measured once per read, with the
// whole read as copied and inq 0, and so grew sk_rcvbuf faster).
import { describe, expect, it } from "vitest";
import { stalledReceiver } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { appRecv } from "../../src/tcp/data-out.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";

const M = 1448;

describe("tcp_rcv_space_adjust per skb read", () => {
  it("a read of two skbs measures after the first", async () => {
    const r = await stalledReceiver();
    const { t, sk, c } = r;
    expect(c.rmemAlloc).toBe(0);
    const nxt = c.rcvNxt;
    expect(c.copiedSeq).toBe(nxt);
    // 19 in-order frames: one skb of 18 (17 frags, MAX_SKB_FRAGS) and one of its own (test/tcpdata/collapse)
    for (let i = 0; i < 19; i++) {
      const h = clientSegment(r.w, sk, 0, M, TCPHDR_ACK, sk.tsRecent);
      tcpRcvState(t, sk, h);
    }
    expect([c.rq.length, c.rq.endAt(0) - nxt, c.rcvNxt - nxt]).toEqual([2, 18 * M, 19 * M]);
    // rcv_rtt 1 ms (8x scaled), the last measurement 10 ms ago, rcvq_space.space 10 MSS
    const nowUs = Math.floor(r.w.loop.now / 1000);
    c.rcvq.rttUs = 8000;
    c.rcvq.time = nowUs - 10000;
    c.rcvq.seq = c.copiedSeq;
    c.rcvq.space = 10 * M;
    appRecv(t, sk, c, Infinity);
    // 6.12: after the first skb, copied = 18M - (19M - 18M) = 17M > 10M: space = 17M, seq = copied_seq = 18M;
    // after the second, time 0 < 1000: nothing
    expect([c.rcvq.space, c.rcvq.seq - nxt, c.rcvq.time]).toEqual([17 * M, 18 * M, nowUs]);
  });
});
