// A segment with none of ACK, RST and SYN on a synchronized socket (6.12, net/ipv4/tcp_input.c): header
// prediction never matches it (pred_flags hold ACK), and tcp_rcv_established's slow path, like
// tcp_rcv_state_process for the other states, drops it SKB_DROP_REASON_TCP_FLAGS before tcp_validate_incoming:
// no PAWS or tcp_sequence answer, no data queued, no FIN taken, no counter. Receiver: quietReceiver (offsets
// relative to its rcv_nxt, TSval = ts_recent so PAWS would pass).
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_PSH } from "../../src/wire/tcp.js";
import { TCP_ESTABLISHED } from "../../src/tcp/constants.js";

async function receiver() {
  const q = await quietReceiver();
  const { w, t, sk } = q;
  const dropped = (r: string): number => w.ledger.report(w.inFlight()).dropped[r] ?? 0;
  /** `len` bytes at rcv_nxt + off with `flags`; the receiver's ACKs sent meanwhile */
  const seg = (off: number, len: number, flags: number) => {
    const before = q.run(0).length;
    tcpRcvState(t, sk, clientSegment(w, sk, off, len, flags, sk.tsRecent));
    return q.run(0).slice(before);
  };
  return { ...q, dropped, seg };
}

describe("TCP_FLAGS: no ACK, RST or SYN", () => {
  it("in-sequence data with PSH and no ACK: dropped TCP_FLAGS, not queued, no ACK", async () => {
    const { sk, c, dropped, seg } = await receiver();
    const nxt = c.rcvNxt;
    expect(seg(0, 1000, TCPHDR_PSH)).toEqual([]);
    expect(dropped("TCP_FLAGS")).toBe(1);
    expect(c.rcvNxt).toBe(nxt);
    expect(c.ackPending).toBe(false);
    expect(sk.state).toBe(TCP_ESTABLISHED);
  });

  it("a bare FIN without ACK: dropped TCP_FLAGS, the socket stays ESTABLISHED", async () => {
    const { sk, dropped, seg } = await receiver();
    const rcvNxt = sk.rcvNxt;
    expect(seg(0, 0, TCPHDR_FIN)).toEqual([]);
    expect(dropped("TCP_FLAGS")).toBe(1);
    expect(sk.state).toBe(TCP_ESTABLISHED);
    expect(sk.rcvNxt).toBe(rcvNxt);
  });

  it("old data without ACK: TCP_FLAGS before tcp_sequence, so no duplicate ACK and no TCP_OLD_SEQUENCE", async () => {
    const { nstat, dropped, seg } = await receiver();
    expect(seg(-3000, 1000, 0)).toEqual([]);
    expect(dropped("TCP_FLAGS")).toBe(1);
    expect(dropped("TCP_OLD_SEQUENCE")).toBe(0);
    expect(nstat.get("TcpExtDelayedACKLost")).toBe(0);
  });
});
