// tcp_rcv_established's header prediction (net/ipv4/tcp_input.c, 6.12) and the three counters it and tcp_ack
// keep: TCPHPHits (in-order data queued by the fast path), TCPHPAcks (tcp_ack's pure forward advance: an ACK
// from the fast path that moves snd_una, !(flag & FLAG_SLOWPATH)) and TCPPureAcks (tcp_ack's other branch, for
// a segment without data: seq == end_seq). pred_flags is (tcp_header_len << 26) | ACK | snd_wnd >> snd_wscale
// (include/net/tcp.h: __tcp_fast_path_on), compared with the segment's flag word less the reserved bits and PSH;
// the segment must also start at rcv_nxt and ACK within [snd_una, snd_nxt], and with timestamps carry them
// aligned (NOP, NOP, TS) with a TSval not below ts_recent.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk, stalledReceiver } from "./helpers.js";
import { clientConn, clientSegment, injectAck } from "./inject.js";
import { tcpRcvEstablished } from "../../src/tcp/fast-path.js";
import { rxTruesize } from "../../src/tcp/data-in.js";
import { sendAck } from "../../src/tcp/data-out.js";
import { TCPHDR_ACK, TCPHDR_ECE, TCPHDR_PSH } from "../../src/wire/tcp.js";

/** The client of a bulk flow 50 ms from its server, 103 ms in: the initial window (10 segments) is out and no
 *  ACK has come back; ACKs are then injected by hand through tcp_rcv_established. */
async function sender() {
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
  const { sk, c, n } = clientConn(r.w);
  const hp = () => n.get("TcpExtTCPHPAcks");
  const pure = () => n.get("TcpExtTCPPureAcks");
  const ack = (rel: number, window: number, o: { sack?: [number, number][]; flags?: number } = {}) =>
    injectAck(r.w, sk, rel, o.sack ?? [], { window, flags: o.flags ?? TCPHDR_ACK, established: true });
  return { ...r, sk, c, hp, pure, ack };
}

describe("header prediction on the sender: TCPHPAcks and TCPPureAcks", () => {
  it("a hand-derived ACK sequence", async () => {
    const { c, hp, pure, ack } = await sender();
    const mss = c.mss;
    expect(c.packetsOut).toBe(10);
    // the handshake's ACKs: the SYN-ACK's tcp_ack (tcp_rcv_synsent_state_process, FLAG_SLOWPATH) carries a SYN
    // (end_seq = seq + 1): FLAG_DATA, no counter
    expect(pure()).toBe(0);
    expect(hp()).toBe(0);
    // tcp_finish_connect with window scaling negotiated: pred_flags = 0
    expect(c.predWnd).toBe(-1);
    const pure0 = pure();
    // 1. slow path (prediction off): tcp_ack(FLAG_SLOWPATH) moves snd_una, but a slow-path ACK takes tcp_ack's
    //    slow branch: no data -> TCPPureAcks; tcp_ack_update_window: snd_wnd changes (1000 << snd_wscale), so
    //    pred_flags = 0 then tcp_fast_path_check (nothing out of order, rcv_wnd open, rmem below rcvbuf): on,
    //    predicting the window field 1000
    ack(mss, 1000);
    expect([hp(), pure() - pure0]).toEqual([0, 1]);
    expect(c.predWnd).toBe(1000);
    // 2. predicted (ACK, tcp_header_len 32 with aligned timestamps, window 1000, seq == rcv_nxt, snd_una <
    //    ack <= snd_nxt): len == tcp_header_len, tcp_ack(sk, skb, 0) moves snd_una -> TCPHPAcks
    ack(2 * mss, 1000);
    expect([hp(), pure() - pure0]).toEqual([1, 1]);
    expect(c.sndUna).toBe(2 * mss);
    // 3. the same ACK again: predicted (ack == snd_una is within [snd_una, snd_nxt]), but tcp_ack(0) does not
    //    advance: its slow branch -> TCPPureAcks
    ack(2 * mss, 1000);
    expect([hp(), pure() - pure0]).toEqual([1, 2]);
    // 4. a SACK block makes the header 44 bytes: not tcp_header_len -> slow path -> TCPPureAcks
    ack(3 * mss, 1000, { sack: [[4 * mss, 5 * mss]] });
    expect([hp(), pure() - pure0]).toEqual([1, 3]);
    expect(c.sndUna).toBe(3 * mss);
    // 5. a new window field: slow path -> TCPPureAcks; tcp_ack_update_window predicts 2000 from now on
    ack(4 * mss, 2000);
    expect([hp(), pure() - pure0]).toEqual([1, 4]);
    expect(c.predWnd).toBe(2000);
    // 6. predicted again, snd_una moves (past the SACKed segment) -> TCPHPAcks
    ack(5 * mss, 2000);
    expect([hp(), pure() - pure0]).toEqual([2, 4]);
    // 7. PSH is not in TCP_HP_BITS: still predicted -> TCPHPAcks
    ack(6 * mss, 2000, { flags: TCPHDR_ACK | TCPHDR_PSH });
    expect([hp(), pure() - pure0]).toEqual([3, 4]);
    // 8. ECE is: slow path -> TCPPureAcks
    ack(7 * mss, 2000, { flags: TCPHDR_ACK | TCPHDR_ECE });
    expect([hp(), pure() - pure0]).toEqual([3, 5]);
    expect(c.sndUna).toBe(7 * mss);
  });

  it("the same ACKs through the slow path only (tcp_rcv_state_process's way): every one a TCPPureAcks", async () => {
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
    const { sk, c, n } = clientConn(r.w);
    const mss = c.mss;
    for (let k = 1; k <= 3; k++) injectAck(r.w, sk, k * mss, [], { window: 1000 });
    expect(n.get("TcpExtTCPHPAcks")).toBe(0);
    expect(n.get("TcpExtTCPPureAcks")).toBe(3);
  });
});

/** The server of a bulk flow stopped after 2 ms whose reader no longer reads; in-order data injected by hand
 *  through tcp_rcv_established, carrying the window field the receiver predicts. */
async function receiver(o: Parameters<typeof stalledReceiver>[0] = {}) {
  const r = await stalledReceiver(o);
  const { t, sk, c } = r;
  const hits = () => r.nstat.get("TcpExtTCPHPHits");
  /** `len` bytes at rcv_nxt + off with window field `win` (default: the predicted one). */
  const data = (off: number, len: number, win = c.predWnd) =>
    tcpRcvEstablished(t, sk, clientSegment(r.w, sk, off, len, TCPHDR_ACK, sk.tsRecent, sk.sndNxt, win));
  return { ...r, hits, data };
}

describe("header prediction on the receiver: TCPHPHits", () => {
  it("in-order data is a hit when sk_forward_alloc covers its truesize, else step5 (the slow path from tcp_ack)", async () => {
    const { c, hits, data } = await receiver();
    expect(c.predWnd).toBeGreaterThan(0);
    // an injected 100-byte segment's skb: 166 bytes (Ethernet, IPv4, TCP with timestamps), truesize
    // rxTruesize(166); a 1448-byte one: 1514 bytes, truesize 2304 (the driver's half page + struct sk_buff)
    const small = rxTruesize(166);
    const full = rxTruesize(1514);
    expect(full).toBe(2304);
    let sawHit = false;
    let sawStep5 = false;
    for (let k = 0; k < 12; k++) {
      const len = k % 3 === 0 ? 1448 : 100;
      const ts = len === 1448 ? full : small;
      const fwd = c.fwdAlloc;
      const h0 = hits();
      const nxt = c.rcvNxt;
      data(0, len);
      // queued either way
      expect(c.rcvNxt - nxt).toBe(len);
      const hit = ts <= fwd;
      expect(hits() - h0).toBe(hit ? 1 : 0);
      if (hit) sawHit = true;
      else sawStep5 = true;
    }
    expect(sawHit && sawStep5).toBe(true);
  });

  it("a window field other than the predicted one is no hit", async () => {
    const { c, hits, data } = await receiver();
    const w = c.predWnd;
    // enough sk_forward_alloc for the small segments below: one step5 segment charges whole pages
    data(0, 1448);
    const h0 = hits();
    data(0, 100, w + 1);
    expect(hits()).toBe(h0);
    // the window field is not snd_wnd's: tcp_ack_update_window took it (snd_wnd changed), and
    // tcp_fast_path_check predicts it now
    expect(c.predWnd).toBe(w + 1);
  });

  it("an out-of-order segment turns prediction off (tcp_data_queue_ofo) until the hole is filled", async () => {
    const { c, hits, data } = await receiver();
    const w = c.predWnd;
    data(1448, 100);
    expect(c.ofo.length).toBe(1);
    expect(c.predWnd).toBe(-1);
    const h0 = hits();
    // the hole's first part: slow path (pred_flags 0); the queue stays non-empty
    data(0, 724);
    expect(hits()).toBe(h0);
    expect(c.predWnd).toBe(-1);
    // the rest fills it: tcp_ofo_queue empties the queue, tcp_data_queue's tcp_fast_path_check turns it on
    // (rcv_wnd open, sk_rmem_alloc below sk_rcvbuf) with snd_wnd's window field
    expect(c.rmemAlloc).toBeLessThan(c.rcvbuf);
    data(0, 724);
    expect(c.ofo.length).toBe(0);
    expect(hits()).toBe(h0);
    expect(c.predWnd).toBe(w);
  });

  it("a zero window advertised turns prediction off (tcp_select_window); the next in-order segment is dropped by the slow path", async () => {
    // an 8 KB buffer (tcp_rmem[2]: DRS cannot grow it)
    const { t, sk, c, hits, data, nstat } = await receiver({ sysctl: { "net.ipv4.tcp_rmem": [4096, 8192, 8192] } });
    const z0 = nstat.get("TcpExtTCPToZeroWindowAdv");
    // full segments until the offered window is used up (their ACKs delayed), then the delayed ACK
    // (tcp_send_ack): __tcp_select_window finds less free space than one rcv_mss -> window 0, pred_flags = 0
    for (let k = 0; k < 20 && c.receiveWindow() > 0; k++) data(0, 1448);
    expect(c.receiveWindow()).toBe(0);
    expect(c.predWnd).toBeGreaterThan(0);
    sendAck(t, sk, c);
    expect(nstat.get("TcpExtTCPToZeroWindowAdv")).toBe(z0 + 1);
    expect(c.predWnd).toBe(-1);
    const h0 = hits();
    const d0 = nstat.get("TcpExtTCPZeroWindowDrop");
    const nxt = c.rcvNxt;
    // a small segment sk_forward_alloc may well cover: not predicted, tcp_data_queue drops it
    data(0, 100, 1000);
    expect(hits()).toBe(h0);
    expect(c.rcvNxt).toBe(nxt);
    expect(nstat.get("TcpExtTCPZeroWindowDrop")).toBe(d0 + 1);
  });
});

describe("tcp_rcv_rtt_measure_ts remembers a pure ACK's TSecr (rcv_rtt_last_tsecr)", () => {
  // tcp_rcv_established: the fast path's pure ACK sets rcv_rtt_last_tsecr = rcv_tsecr ("instead of calling
  // tcp_rcv_rtt_measure_ts()"); the slow path calls tcp_rcv_rtt_measure_ts after tcp_ack for every segment,
  // which stores the TSecr and measures only len >= rcv_mss. So data carrying the TSecr of the pure ACK before
  // it gives no receiver RTT sample (tcp_rcv_rtt_update); with a new TSecr it does.
  for (const established of [true, false]) {
    it(established ? "fast path" : "slow path", async () => {
      const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
      const { sk, c } = clientConn(r.w);
      const mss = c.mss;
      expect(c.rcvq.rttUs).toBe(0);
      injectAck(r.w, sk, mss, [], { window: 1000, tsecrMs: 10, established });
      injectAck(r.w, sk, 2 * mss, [], { window: 1000, tsecrMs: 10, payload: 1448, established });
      expect(c.rcvNxt).toBe(1448);
      expect(c.rcvq.rttUs).toBe(0);
      injectAck(r.w, sk, 3 * mss, [], { window: 1000, tsecrMs: 11, payload: 1448, established });
      expect(c.rcvNxt).toBe(2896);
      // now (103 ms) - 11 ms, µs, × 8 (tcp_rcv_rtt_update's first sample)
      expect(c.rcvq.rttUs).toBe((Math.floor(r.w.loop.now / 1e6) - 11) * 1000 * 8);
    });
  }
});
