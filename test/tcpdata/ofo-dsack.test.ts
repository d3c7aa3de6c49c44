// tcp_ofo_queue's D-SACK (net/ipv4/tcp_input.c, 6.12): every out-of-order skb
// whose seq is below the rcv_nxt the walk began with (dsack_high) is reported
// up to that point with tcp_dsack_extend, including the ones it then drops
// (SKB_DROP_REASON_TCP_OFO_DROP). tcp_dsack_set counts TCPDSACKOldSent once
// (seq below rcv_nxt); extending the pending block counts nothing.
import { describe, expect, it } from "vitest";
import { stalledReceiver } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";

async function quiet() {
  const r = await stalledReceiver();
  const { t, sk, c } = r;
  const nstat = r.nstat;
  const old0 = nstat.get("TcpExtTCPDSACKOldSent") ?? 0;
  const ofo0 = nstat.get("TcpExtTCPDSACKOfoSent") ?? 0;
  const nxt = c.rcvNxt;
  /** `len` bytes at nxt + off (nxt: rcv_nxt before the test). */
  const rcv = (off: number, len: number): void => tcpRcvState(t, sk, clientSegment(r.w, sk, off - (c.rcvNxt - nxt), len, TCPHDR_ACK, sk.tsRecent));
  const oldSent = () => (nstat.get("TcpExtTCPDSACKOldSent") ?? 0) - old0;
  const ofoSent = () => (nstat.get("TcpExtTCPDSACKOfoSent") ?? 0) - ofo0;
  /** Out-of-order skbs dropped by tcp_ofo_queue leave only the in-order skb's truesize charged. */
  const dropped = () => c.rq.length === 1 && c.rmemAlloc === c.rq.truesizeAt(0);
  return { ...r, c, nxt, rcv, oldSent, ofoSent, dropped };
}

describe("tcp_ofo_queue: tcp_dsack_extend below dsack_high", () => {
  it("[1448, 2896) out of order, then [0, 2896): the queued skb is dropped and D-SACKed (TCPDSACKOldSent 1)", async () => {
    const { c, nxt, rcv, oldSent, ofoSent, dropped } = await quiet();
    rcv(1448, 1448);
    expect(c.ofo.length).toBe(1);
    rcv(0, 2896);
    expect(c.ofo.length).toBe(0);
    expect(c.rcvNxt - nxt).toBe(2896);
    expect(dropped()).toBe(true);
    expect(oldSent()).toBe(1);
    expect(ofoSent()).toBe(0);
    expect([c.dsackStart - nxt, c.dsackEnd - nxt]).toEqual([1448, 2896]);
  });

  it("two dropped skbs: the first sets the block, the second extends it; one TCPDSACKOldSent", async () => {
    const { c, nxt, rcv, oldSent, dropped } = await quiet();
    rcv(1448, 1448);
    rcv(724, 724); // ends at the range's start: its own skb
    expect(c.ofo.length).toBe(1);
    expect(c.ofo[0]!.skbs.length).toBe(10);
    rcv(0, 2896);
    expect(dropped()).toBe(true);
    expect(oldSent()).toBe(1);
    expect([c.dsackStart - nxt, c.dsackEnd - nxt]).toEqual([724, 2896]);
  });

  it("an skb reaching past the new rcv_nxt is kept, its old part D-SACKed up to dsack_high", async () => {
    const { c, nxt, rcv, oldSent, dropped } = await quiet();
    rcv(1000, 2000);
    rcv(0, 2896);
    expect(dropped()).toBe(false);
    expect(c.rcvNxt - nxt).toBe(3000);
    expect(oldSent()).toBe(1);
    expect([c.dsackStart - nxt, c.dsackEnd - nxt]).toEqual([1000, 2896]);
  });

  it("an out-of-order skb starting at rcv_nxt is no duplicate: no D-SACK", async () => {
    const { c, rcv, oldSent, ofoSent } = await quiet();
    rcv(1448, 1448);
    rcv(0, 1448);
    expect(c.ofo.length).toBe(0);
    expect(oldSent()).toBe(0);
    expect(ofoSent()).toBe(0);
    expect(c.dsackPending).toBe(false);
  });
});

describe("tcp_data_queue_ofo: an skb the new one fully covers is dropped (TCP_OFOMERGE)", () => {
  it("[1448, 2896) then [1448, 4344): the first is replaced, its truesize uncharged, D-SACKed, TCPOFOMerge 1", async () => {
    const { w, c, nxt, rcv, ofoSent } = await quiet();
    const merge0 = w.host("b").nstat.get("TcpExtTCPOFOMerge") ?? 0;
    const rmem0 = c.rmemAlloc;
    rcv(1448, 1448);
    const one = c.rmemAlloc - rmem0;
    expect(one).toBeGreaterThan(0);
    rcv(1448, 2896);
    expect(c.ofo.length).toBe(1);
    expect(c.ofo[0]!.skbs.length).toBe(5);
    expect([c.ofo[0]!.start - nxt, c.ofo[0]!.end - nxt]).toEqual([1448, 4344]);
    expect(c.rmemAlloc - rmem0).toBe(c.ofo[0]!.truesize);
    expect((w.host("b").nstat.get("TcpExtTCPOFOMerge") ?? 0) - merge0).toBe(1);
    expect(ofoSent()).toBe(1);
    expect([c.dsackStart - nxt, c.dsackEnd - nxt]).toEqual([1448, 2896]);
  });
});
