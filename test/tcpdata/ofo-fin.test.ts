// A FIN past a hole goes to tcp_data_queue_ofo (net/ipv4/tcp_input.c, 6.12), which counts TCPOFOQueue for
// every skb it is handed, before its rbtree walk: a bare FIN (end_seq = seq + 1, so tcp_data_queue does not
// free it as empty), the same FIN again (then all its bits are present: TCPOFOMerge too), and a data+FIN
// segment once. Offsets are bytes past rcv_nxt before the test.
import { describe, expect, it } from "vitest";
import { stalledReceiver } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../../src/wire/tcp.js";

async function receiver() {
  const r = await stalledReceiver();
  const { t, sk, c, w } = r;
  const nxt = c.rcvNxt;
  const rcv = (off: number, len: number, flags: number): void => {
    tcpRcvState(t, sk, clientSegment(w, sk, off - (c.rcvNxt - nxt), len, flags, sk.tsOk ? sk.tsRecent : undefined));
  };
  const count = (): number[] => [r.nstat.get("TcpExtTCPOFOQueue"), r.nstat.get("TcpExtTCPOFOMerge")];
  return { ...r, nxt, rcv, count };
}

describe("tcp_data_queue_ofo: TCPOFOQueue for a FIN past a hole", () => {
  it("a bare FIN: TCPOFOQueue; the same FIN again: TCPOFOQueue and TCPOFOMerge", async () => {
    const { rcv, count } = await receiver();
    const [q0, m0] = count();
    rcv(3000, 0, TCPHDR_ACK | TCPHDR_FIN);
    expect(count()).toEqual([q0 + 1, m0]);
    rcv(3000, 0, TCPHDR_ACK | TCPHDR_FIN);
    expect(count()).toEqual([q0 + 2, m0 + 1]);
  });

  it("data with a FIN: TCPOFOQueue once (its data goes through tcp_data_queue_ofo)", async () => {
    const { rcv, count, c, nxt } = await receiver();
    const [q0, m0] = count();
    rcv(2000, 1000, TCPHDR_ACK | TCPHDR_FIN);
    expect(count()).toEqual([q0 + 1, m0]);
    expect(c.finRcvSeq - nxt).toBe(3000);
  });

  it("a bare FIN at rcv_nxt is in order (tcp_fin): no TCPOFOQueue", async () => {
    const { rcv, count, c } = await receiver();
    const before = count();
    rcv(0, 0, TCPHDR_ACK | TCPHDR_FIN);
    expect(c.eof).toBe(true);
    expect(count()).toEqual(before);
  });
});
