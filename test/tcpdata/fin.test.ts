// close() after the last write (tcp_close -> tcp_send_fin, 6.12): the FIN
// rides on the last unsent skb, so the receiver's ACK for a short last
// segment is not a 40 ms delayed ACK; a FIN that arrives out of order waits
// in the out-of-order queue until the hole is filled.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../../src/wire/tcp.js";
import { TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_LAST_ACK, TCP_TIME_WAIT } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";

describe("FIN on the last data segment (tcp_send_fin)", () => {
  it("10 full segments + 500 bytes, then close(): 11 data segments, the last with FIN; no separate FIN; both ends done within a few RTTs", async () => {
    const { w, report } = await runWorld(pair({ durationNs: 5e6, delayNs: 50_000 }, [bulk({ bytes: 10 * 1448 + 500 })]));
    const a = w.host("a").nstat;
    // SYN, handshake ACK, 11 data segments (FIN on the last), the ACK of the server's FIN
    expect(a.get("TcpOutSegs")).toBe(14);
    expect(report.flows[0]!.bytes).toBe(10 * 1448 + 500);
    // the server's FIN came back within ~2 RTTs, not after a 40 ms delayed ACK: the client is in TIME_WAIT
    const sk = [...[...w.host("a").stack.tcp.ports.values()][0]!.conns.values()][0]! as TcpSock;
    expect(sk.state).toBe(TCP_TIME_WAIT);
    expect(w.host("b").nstat.get("TcpExtDelayedACKs")).toBe(0);
  });
});

/** 2 ms into a bulk flow: the server's connection and an injector of client segments into it. */
async function receiver() {
  const { w } = await runWorld(pair({ durationNs: 2e6 }, [bulk()]));
  const t = w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  const inject = (off: number, len: number, flags: number) => tcpRcvState(t, sk, clientSegment(w, sk, off, len, flags));
  return { w, sk, c: sk.conn!, inject };
}

describe("a FIN out of order", () => {
  it("is remembered and processed once rcv_nxt reaches it", async () => {
    const { w, sk, c, inject } = await receiver();

    const nxt = c.rcvNxt;
    inject(1000, 1000, TCPHDR_ACK | TCPHDR_FIN);
    expect(c.finRcvSeq).toBe(nxt + 2000);
    expect(sk.state).toBe(TCP_ESTABLISHED);
    expect(c.eof).toBe(false);
    inject(0, 1000, TCPHDR_ACK);
    expect(c.rcvNxt).toBe(nxt + 2000);
    expect(c.eof).toBe(true);
    expect(sk.rcvNxt).toBe((sk.irs + 1 + nxt + 2001) >>> 0);
    // the sink closes at EOF: CLOSE_WAIT -> LAST_ACK
    expect(sk.state === TCP_CLOSE_WAIT || sk.finSent).toBe(true);
  });
  it("a FIN alone ahead of a gap is remembered, ACKed at once, and processed once the gap fills", async () => {
    const { w, sk, c, inject } = await receiver();
    const nxt = c.rcvNxt;
    const outSegs = w.host("b").nstat.get("TcpOutSegs");
    inject(1000, 0, TCPHDR_ACK | TCPHDR_FIN);
    expect(c.finRcvSeq).toBe(nxt + 1000);
    expect(w.host("b").nstat.get("TcpOutSegs")).toBe(outSegs + 1);
    expect(c.eof).toBe(false);
    inject(0, 1000, TCPHDR_ACK);
    expect(c.eof).toBe(true);
    // CLOSE_WAIT, then the sink app's close() on EOF: LAST_ACK
    expect(sk.state).toBe(TCP_LAST_ACK);
    expect(sk.rcvNxt).toBe((sk.irs + 1 + nxt + 1001) >>> 0);
  });
});
