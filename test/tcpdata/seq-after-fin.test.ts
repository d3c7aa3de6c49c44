// rcv_wup after the peer's FIN (6.12): tcp_select_window sets rcv_wup = rcv_nxt, which counts the FIN once
// tcp_fin's caller moved rcv_nxt over it, so once the FIN is ACKed tcp_sequence (net/ipv4/tcp_input.c),
// FLAG_UPDATE_TS_RECENT's tcp_replace_ts_recent (!after(seq, rcv_wup)) and tcp_receive_window
// (rcv_wup + rcv_wnd - rcv_nxt) see it (review11b finding 2a). Server in CLOSE_WAIT, its delayed ACK of the FIN sent (40 ms), application not
// closing.
import { expect, it } from "vitest";
import { dataAckedNotClosed } from "./held-close.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import { TCP_CLOSE_WAIT } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";

async function closeWait() {
  const { w, close, sk } = await dataAckedNotClosed();
  const t = w.host("b").stack.tcp;
  t.closeConn = () => {};
  const ssk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  w.loop.run(300e6);
  close(sk);
  w.loop.run(w.loop.now + 100e6);
  expect(ssk.state).toBe(TCP_CLOSE_WAIT);
  expect(ssk.conn!.ackPending).toBe(false);
  const dropped = (r: string): number => w.ledger.report(w.inFlight()).dropped[r] ?? 0;
  return { w, t, ssk, dropped };
}

it("a pure ACK at the FIN's sequence number (end_seq = rcv_nxt - 1 < rcv_wup) is TCP_OLD_SEQUENCE (tcp_sequence)", async () => {
  const { w, t, ssk, dropped } = await closeWait();
  tcpRcvState(t, ssk, clientSegment(w, ssk, -1, 0, TCPHDR_ACK, ssk.tsOk ? ssk.tsRecent : undefined));
  expect(dropped("TCP_OLD_SEQUENCE")).toBe(1);
});

it("a pure ACK at rcv_nxt (== rcv_wup) takes its TSval into ts_recent (tcp_replace_ts_recent: !after(seq, rcv_wup))", async () => {
  const { w, t, ssk } = await closeWait();
  expect(ssk.tsOk).toBe(true);
  const ts = ssk.tsRecent + 5;
  tcpRcvState(t, ssk, clientSegment(w, ssk, 0, 0, TCPHDR_ACK, ts));
  expect(ssk.tsRecent).toBe(ts);
});

it("the window's right edge: tcp_receive_window = rcv_wup + rcv_wnd - rcv_nxt = rcv_wnd, so seq = rcv_nxt + rcv_wnd is in (not TCP_INVALID_SEQUENCE), one more is out", async () => {
  const { w, t, ssk, dropped } = await closeWait();
  const c = ssk.conn!;
  expect(c.receiveWindow()).toBe(c.rcvWnd);
  tcpRcvState(t, ssk, clientSegment(w, ssk, c.rcvWnd, 0, TCPHDR_ACK, ssk.tsOk ? ssk.tsRecent : undefined));
  expect(dropped("TCP_INVALID_SEQUENCE")).toBe(0);
  tcpRcvState(t, ssk, clientSegment(w, ssk, c.rcvWnd + 1, 0, TCPHDR_ACK, ssk.tsOk ? ssk.tsRecent : undefined));
  expect(dropped("TCP_INVALID_SEQUENCE")).toBe(1);
});
