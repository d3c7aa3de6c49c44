// A FIN that waited past a hole, reached when the hole fills (Linux 6.12, net/ipv4/tcp_input.c):
// tcp_data_queue queues the filling segment, tcp_ofo_queue moves the queued skbs up to the FIN's and,
// on the skb with FIN, tcp_rcv_nxt_update (end_seq counts the FIN) and tcp_fin (which purges the queue
// and tcp_sack_reset's the blocks); the queue now empty, ICSK_ACK_NOW; only then tcp_ack_snd_check sends,
// at once: ONE ACK, of fin + 1, without SACK blocks. The sink application closes at EOF: its FIN follows.
// (Checked on a live kernel by review10, finding 1: ack = 2002 for data+FIN at [1001, 2001) — seq 1 based —,
// no ACK of 2001.)
// Receiver: a bulk flow a -> b cut off by a dead link, its receiver quiet; segments are injected at
// rcv_nxt + off; quick-ack mode over, rcv_ssthresh at its clamp.
import { describe, expect, it } from "vitest";
import { bulk, deadLinkWorld, pair, type PairOpts } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpClose, tcpRcvState } from "../../src/tcp/established.js";
import { SegIn } from "../../src/tcp/segment.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST } from "../../src/wire/tcp.js";
import { TCP_FIN_WAIT2, TCP_LAST_ACK, TCP_TIME_WAIT } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";

interface Sent {
  ack: number;
  flags: number;
  sacks: number;
}

async function receiver(o: PairOpts = {}) {
  const w = await deadLinkWorld(pair({ durationNs: 3e6, ...o }, [bulk()]), 2e6);
  w.run();
  w.loop.run(w.loop.now + 300e6);
  const t = w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  const c = sk.conn!;
  expect([c.ackPending, c.delackDeadline, c.ofo.length, c.finRcvSeq]).toEqual([false, Infinity, 0, -1]);
  c.readRate = 0;
  c.quick = 0;
  c.rcvSsthresh = c.windowClamp;
  const nxt = c.rcvNxt;
  const base = sk.irs + 1;
  const tsVal = sk.tsOk ? sk.tsRecent : undefined; // the peer's last TSval: passes PAWS
  // the receiver's segments (ack relative to nxt, flags, SACK blocks), parsed from their headers once written
  const pending: number[] = [];
  const env = t.env as { alloc(): number };
  const alloc = env.alloc.bind(env);
  env.alloc = () => {
    const h = alloc();
    pending.push(h);
    return h;
  };
  const sent: Sent[] = [];
  const collect = (): Sent[] => {
    for (const h of pending) {
      const seg = new SegIn();
      seg.parse(w.core.headers, h, w.core.skb.network[h]!, w.core.skb.transport[h]!, false);
      sent.push({ ack: (seg.ack - base - nxt) | 0, flags: seg.flags, sacks: seg.sackN });
    }
    pending.length = 0;
    return sent.splice(0);
  };
  /** `len` bytes at nxt + off; returns what the receiver sent meanwhile. */
  const rcv = (off: number, len: number, flags = TCPHDR_ACK): Sent[] => {
    tcpRcvState(t, sk, clientSegment(w, sk, off - (c.rcvNxt - nxt), len, flags, tsVal));
    return collect();
  };
  return { w, t, sk, c, rcv, nstat: w.host("b").nstat };
}

describe("a queued FIN reached by filling the hole gets one ACK (tcp_ofo_queue -> tcp_fin before tcp_ack_snd_check)", () => {
  it("data+FIN at [1000, 2000) past a hole, then [0, 1000): one ACK of 2001, then the application's FIN", async () => {
    const { rcv, sk, nstat } = await receiver();
    // the out-of-order segment: its first duplicate ACK goes at once (dup_ack_counter), SACK [1000, 2001)
    expect(rcv(1000, 1000, TCPHDR_ACK | TCPHDR_FIN)).toEqual([{ ack: 0, flags: TCPHDR_ACK, sacks: 1 }]);
    const out = nstat.get("TcpOutSegs");
    // before: ACK 2000 (the gap filled, the FIN not yet in), ACK 2001, then the FIN
    expect(rcv(0, 1000)).toEqual([
      { ack: 2001, flags: TCPHDR_ACK, sacks: 0 },
      { ack: 2001, flags: TCPHDR_ACK | TCPHDR_FIN, sacks: 0 },
    ]);
    expect(nstat.get("TcpOutSegs") - out).toBe(2);
    expect(sk.state).toBe(TCP_LAST_ACK);
  });

  it("a bare FIN at 1000 past a hole, then [0, 1000): one ACK of 1001, then the application's FIN", async () => {
    const { rcv, sk } = await receiver();
    expect(rcv(1000, 0, TCPHDR_ACK | TCPHDR_FIN)).toEqual([{ ack: 0, flags: TCPHDR_ACK, sacks: 1 }]);
    // before: ACK 1000 (SACK compression's send-now: the FIN still counted as queued), ACK 1001, the FIN
    expect(rcv(0, 1000)).toEqual([
      { ack: 1001, flags: TCPHDR_ACK, sacks: 0 },
      { ack: 1001, flags: TCPHDR_ACK | TCPHDR_FIN, sacks: 0 },
    ]);
    expect(sk.state).toBe(TCP_LAST_ACK);
  });

  it("FIN_WAIT2 (a full socket: tcp_fin_timeout above 60 s): data with a FIN past a hole after close() resets, the memory returned", async () => {
    // review10b finding 12(a) had this socket queue the segment and fill the hole (tcpDataQueue then went on
    // after tcp_fin's tcp_time_wait, and the host's TCP memory ended at -1 page); 6.12's tcp_rcv_state_process
    // step 7 never queues data after close(): TCPAbortOnData, tcp_reset, an RST (tcp_v4_send_reset)
    const { rcv, t, sk } = await receiver({ sysctl: { "net.ipv4.tcp_fin_timeout": 61 } });
    const pages = () => t.mem.allocated + t.mem.pcpu.reduce((a, b) => a + b, 0);
    tcpClose(t, sk);
    // our FIN went at close(); the peer's pure ACK of it: FIN_WAIT2
    expect(rcv(0, 0).map((s) => s.flags)).toEqual([TCPHDR_ACK | TCPHDR_FIN]);
    expect(sk.state).toBe(TCP_FIN_WAIT2);
    expect(sk.tw).toBe(false);
    expect(rcv(1000, 1000, TCPHDR_ACK | TCPHDR_FIN).map((s) => s.flags)).toEqual([TCPHDR_RST]);
    expect(t.nstat.get("TcpExtTCPAbortOnData")).toBe(1);
    expect(t.states()).toEqual({ LISTEN: 1 });
    expect(pages()).toBe(0);
  });
});
