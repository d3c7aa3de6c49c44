// The ACK of a FIN received in ESTABLISHED (Linux 6.12, net/ipv4/tcp_input.c): tcp_fin only schedules it
// (inet_csk_schedule_ack), moves to CLOSE_WAIT and enters pingpong mode (inet_csk_enter_pingpong_mode:
// icsk_ack.pingpong = tcp_pingpong_thresh, 1). tcp_ack_snd_check then finds no reason to ACK at once
// (1 byte past rcv_wup, not > rcv_mss; tcp_in_quickack_mode is false in pingpong mode; no ICSK_ACK_NOW), so
// tcp_send_delayed_ack arms the delayed-ACK timer at ato: the server received one segment of data, so
// tcp_event_data_recv set ato = TCP_ATO_MIN (40 ms); ato > TCP_DELACK_MIN (40 ms) is false, so no max_ato
// bound, and min(ato, TCP_DELACK_MAX) = 40 ms. An application that closes at EOF sends its FIN before
// that (tcp_send_fin: the FIN|ACK clears the pending ACK, tcp_event_ack_sent): one segment. One that closes
// 100 ms later lets the timer send the ACK at +40 ms (tcp_delack_timer_handler: DelayedACKs, pingpong
// left) and its FIN at +100 ms. (Checked on a live kernel by review10, finding 2: FIN|ACK alone 0.5 ms
// after the client's FIN; with the close 100 ms later, the ACK at +44.6 ms and the FIN at +100 ms: at HZ=250
// the 40 ms are 10 jiffies, and icsk_delack_timer, a timer_list, runs on the jiffy after its expiry, 40..44 ms
// after the FIN's arrival; kernel/time/timer.c: calc_wheel_index, level 0.)
// The client (a) sends 1000 bytes, all ACKed by 5 ms; its close() (a bare FIN) is held until the loop has run to
// 300 ms (its clock stops at its last event before that: 208 ms).
import { describe, expect, it } from "vitest";
import { dataAckedNotClosed } from "./held-close.js";
import { SegIn } from "../../src/tcp/segment.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../../src/wire/tcp.js";
import { TCP_LAST_ACK } from "../../src/tcp/constants.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { quietServerSocket } from "./helpers.js";
import { clientSegment } from "./inject.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import type { TcpConn } from "../../src/tcp/conn.js";

async function passiveClose(serverCloseAfterNs: number) {
  const { w, close, sk } = await dataAckedNotClosed();
  const t = w.host("b").stack.tcp;
  const ssk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  const c = ssk.conn!;
  // the server's application: close() at EOF, or that much later
  if (serverCloseAfterNs > 0) {
    const closeConn = t.closeConn.bind(t);
    const ev = w.loop.register("test: server close", () => closeConn(ssk));
    t.closeConn = () => w.loop.at(w.loop.now + serverCloseAfterNs, ev, 0);
  }
  let finAt = -1;
  const app = c.app ?? {};
  c.app = { ...app, onEof: (cc: TcpConn) => { finAt = t.now; app.onEof?.(cc); } };
  // the server's segments from here on (parsed as its NIC takes them): time, flags, ack (relative to the client's FIN)
  const finSeq = (sk.iss + 1 + 1000) >>> 0;
  const sent: { at: number; flags: number; ack: number }[] = [];
  const nicTx = w.host("b").nics[0]!.tx;
  const xmit = nicTx.xmit.bind(nicTx);
  nicTx.xmit = (h: number) => {
    const s = new SegIn();
    s.parse(w.core.headers, h, w.core.skb.network[h]!, w.core.skb.transport[h]!, false);
    sent.push({ at: t.now, flags: s.flags, ack: (s.ack - finSeq) | 0 });
    return xmit(h);
  };
  const n = w.host("b").nstat;
  const delayed = n.get("TcpExtDelayedACKs");
  w.loop.run(300e6);
  close(sk);
  const segs = (): { dt: number; flags: number; ack: number }[] => sent.map((s) => ({ dt: s.at - finAt, flags: s.flags, ack: s.ack }));
  return { w, c, segs, finAt: () => finAt, delayed: () => n.get("TcpExtDelayedACKs") - delayed };
}

describe("the ACK of a FIN in ESTABLISHED is a delayed ACK in pingpong mode (tcp_fin)", () => {
  it("a server that closes at EOF sends one FIN|ACK", async () => {
    const { w, segs, delayed } = await passiveClose(0);
    w.loop.run(w.loop.now + 500e6);
    // at the FIN's arrival (the application's close() in its wake); before: a bare ACK of the FIN, then the FIN|ACK
    expect(segs()).toEqual([{ dt: 0, flags: TCPHDR_ACK | TCPHDR_FIN, ack: 1 }]);
    expect(delayed()).toBe(0);
  });

  it("a server that closes 100 ms after EOF: the delayed ACK at ato (40 ms), then its FIN", async () => {
    const { w, c, segs, finAt, delayed } = await passiveClose(100e6);
    w.loop.run(w.loop.now + 500e6);
    // before: the ACK at once (dt 0), then the FIN at +100 ms. The client closes when the loop's clock stops
    // short of 300 ms, at its last event: the client's retransmit timer_list, armed when the data left in jiffy
    // 0 (201 jiffies, level 1: 208) and idle since its ACK. The FIN arrives in jiffy 208 (50 us of link):
    // icsk_ack.timeout 208 + 40 = 248, level 0 of the timer wheel (HZ=1000): the ACK at jiffy 249
    expect(Math.floor(finAt() / 1e6)).toBe(208);
    expect(segs()).toEqual([
      { dt: 249e6 - finAt(), flags: TCPHDR_ACK, ack: 1 },
      { dt: 100e6, flags: TCPHDR_ACK | TCPHDR_FIN, ack: 1 },
    ]);
    expect(delayed()).toBe(1);
    // tcp_delack_timer_handler in pingpong mode: pingpong left, ato back to TCP_ATO_MIN
    expect(c.pingpong).toBe(0);
  });
});

// An in-order data+FIN (review10b 12(b)): 6.12's tcp_data_queue runs tcp_fin inside queue_and_out, right after
// tcp_queue_rcv and tcp_event_data_recv and before tcp_ack_snd_check, so the ACK check already sees CLOSE_WAIT
// and pingpong mode. The receiver: a bulk flow a -> b cut off by a dead link at 2 ms, 300 ms later; rcv_nxt ==
// rcv_wup, no ACK pending; its RTO (201 ms from the handshake's sample, tcp_synack_rtt_meas) set to 1 s, as in
// quiet-receiver.ts, so tcp_event_data_recv's 300 ms gap (< RTO) does not enter quick-ack mode; 1000 bytes are below rcv_mss (1448): nothing asks for an ACK at once. The sink
// application closes at EOF.
async function quietSink() {
  const { w, t, sk, c } = await quietServerSocket();
  expect([c.ackPending, c.rcvNxt - c.rcvWup, c.rcvMss, c.rtt.rtoUs, c.quick, c.pingpong]).toEqual([false, 0, 1448, 201_000, 0, 0]);
  c.rtt.rtoUs = 1e6;
  c.readRate = 0;
  c.rcvSsthresh = c.windowClamp;
  const nxt = c.rcvNxt;
  const base = sk.irs + 1;
  const pending: number[] = [];
  const env = t.env as { alloc(): number };
  const alloc = env.alloc.bind(env);
  env.alloc = () => {
    const h = alloc();
    pending.push(h);
    return h;
  };
  /** what b sent since the last call: flags, ack relative to its rcv_nxt at the start */
  const collect = (): { flags: number; ack: number }[] =>
    pending.splice(0).map((h) => {
      const seg = new SegIn();
      seg.parse(w.core.headers, h, w.core.skb.network[h]!, w.core.skb.transport[h]!, false);
      return { flags: seg.flags, ack: (seg.ack - base - nxt) | 0 };
    });
  /** `len` bytes + FIN in order (TSval = ts_recent: passes PAWS); returns what b sent meanwhile */
  const dataFin = (len: number) => {
    tcpRcvState(t, sk, clientSegment(w, sk, 0, len, TCPHDR_ACK | TCPHDR_FIN, sk.tsOk ? sk.tsRecent : undefined));
    return collect();
  };
  return { w, t, sk, c, dataFin, collect, nstat: w.host("b").nstat };
}

describe("an in-order data+FIN: tcp_fin inside queue_and_out, before tcp_ack_snd_check (tcp_data_queue)", () => {
  it("1000 bytes + FIN in ESTABLISHED: no ACK of its own; the application's FIN|ACK carries it", async () => {
    const { w, sk, c, dataFin, collect, nstat } = await quietSink();
    const delayed = nstat.get("TcpExtDelayedACKs");
    // before: ACK 1001 (tcp_fin's tcp_send_ack, after tcpDataQueue had scheduled a delayed ACK), then the FIN
    expect(dataFin(1000)).toEqual([{ flags: TCPHDR_ACK | TCPHDR_FIN, ack: 1001 }]);
    expect(sk.state).toBe(TCP_LAST_ACK);
    // the FIN|ACK took the scheduled ACK (tcp_event_ack_sent): the delayed-ACK timer finds nothing
    expect(c.ackPending).toBe(false);
    w.loop.run(w.loop.now + 100e6);
    expect(collect().filter((s) => s.flags === TCPHDR_ACK)).toEqual([]);
    expect(nstat.get("TcpExtDelayedACKs") - delayed).toBe(0);
  });

  it("in quick-ack mode: tcp_fin's pingpong mode ends it for this check (tcp_in_quickack_mode), one FIN|ACK", async () => {
    const { sk, c, dataFin } = await quietSink();
    // quick-ack mode (icsk_ack.quick > 0, not pingpong), as after a long gap or a hole
    c.quick = 16;
    // before: ACK 1000 at once (quick-ack mode, from tcpDataQueue's tcp_ack_snd_check), ACK 1001, then the FIN
    expect(dataFin(1000)).toEqual([{ flags: TCPHDR_ACK | TCPHDR_FIN, ack: 1001 }]);
    expect(sk.state).toBe(TCP_LAST_ACK);
  });
});
