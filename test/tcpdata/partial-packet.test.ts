// tcp_data_queue's partial packet (net/ipv4/tcp_input.c, 6.12): seq < rcv_nxt < end_seq. It sets a D-SACK
// for [seq, rcv_nxt) (tcp_dsack_set), drops the tail with a closed receive window (TCPZeroWindowDrop,
// out_of_window: tcp_enter_quickack_mode, so tcp_ack_snd_check ACKs at once), else goes to queue_and_out as an
// in-order segment: tcp_queue_rcv, tcp_event_data_recv, and no ACK of its own — __tcp_ack_snd_check decides.
// Receiver: a bulk flow a -> b cut off by a dead link at 2 ms, 300 ms later: rcv_nxt == rcv_wup (its last
// ACK), ato 40 ms (TCP_DELACK_MIN: quick-ack mode over), lrcvtime 2 ms, RTO 1 s, no srtt (it sent no data);
// rcv_ssthresh set to window_clamp (no tcp_grow_window, whose icsk_ack.quick |= 1 would ACK at once).
import { describe, expect, it } from "vitest";
import { bulk, deadLinkWorld, pair } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { SegIn } from "../../src/tcp/segment.js";
import type { TcpSock } from "../../src/tcp/sock.js";

async function receiver() {
  const w = await deadLinkWorld(pair({ durationNs: 3e6 }, [bulk()]), 2e6);
  w.run();
  w.loop.run(w.loop.now + 300e6);
  const t = w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  const c = sk.conn!;
  const nstat = w.host("b").nstat;
  expect([c.rcvNxt - c.rcvWup, c.ato, c.lrcvtime, c.rtt.rtoUs, c.quick, c.ackPending]).toEqual([0, 40e6, 2e6, 1e6, 0, false]);
  expect(sk.sackOk).toBe(true);
  c.readRate = 0;
  c.rcvSsthresh = c.windowClamp;
  const nxt = c.rcvNxt;
  const base = sk.irs + 1;
  // the receiver's ACKs: time and SACK blocks (relative to nxt), parsed from their header bytes
  const acks: { at: number; ack: number; blocks: number[][] }[] = [];
  const pending: [number, number][] = [];
  const env = t.env as { alloc(): number };
  const alloc = env.alloc.bind(env);
  env.alloc = () => {
    const h = alloc();
    pending.push([h, w.loop.now]);
    return h;
  };
  const collect = (): typeof acks => {
    for (const [h, at] of pending) {
      const seg = new SegIn();
      seg.parse(w.core.headers, h, w.core.skb.network[h]!, w.core.skb.transport[h]!, false);
      const blocks: number[][] = [];
      for (let i = 0; i < seg.sackN; i++) blocks.push([(seg.sackL[i]! - base - nxt) | 0, (seg.sackR[i]! - base - nxt) | 0]);
      acks.push({ at, ack: (seg.ack - base - nxt) | 0, blocks });
    }
    pending.length = 0;
    return acks;
  };
  /** `len` bytes at nxt + off (the timestamp echoes ts_recent: no PAWS question); returns the ACKs so far. */
  const rcv = (off: number, len: number): typeof acks => {
    tcpRcvState(t, sk, clientSegment(w, sk, off - (c.rcvNxt - nxt), len, undefined, sk.tsOk ? sk.tsRecent : undefined));
    return collect();
  };
  const run = (ns: number): typeof acks => {
    w.loop.run(w.loop.now + ns);
    return collect();
  };
  return { w, t, sk, c, nstat, nxt, rcv, run };
}

describe("tcp_data_queue: a partial packet (seq < rcv_nxt < end_seq)", () => {
  it("is queued as in-order data with its ACK delayed (tcp_send_delayed_ack: ato 40 ms), the D-SACK in it", async () => {
    const { w, c, nstat, nxt, rcv, run } = await receiver();
    const t0 = w.loop.now;
    const recv0 = c.bytesReceived;
    const delayed = nstat.get("TcpExtDelayedACKs");
    // [-500, 500): tcp_event_data_recv — m = 303 - 2 = 301 ms: not <= ato_min/2 (20 ms), not < ato (40 ms),
    // not > rto (1 s): ato stays 40 ms, no quick-ack; rcv_nxt - rcv_wup = 500 <= rcv_mss (1448), no ICSK_ACK_NOW,
    // nothing out of order: tcp_send_delayed_ack, ato not above TCP_DELACK_MIN: the timer at now + 40 ms
    expect(rcv(-500, 1000)).toEqual([]);
    expect([c.rcvNxt - nxt, c.bytesReceived - recv0, c.lrcvtime, c.delackDeadline - t0]).toEqual([500, 500, t0, 40e6]);
    const acks = run(100e6);
    expect(acks).toEqual([{ at: t0 + 40e6, ack: 500, blocks: [[-500, 0]] }]);
    expect(nstat.get("TcpExtDelayedACKs")).toBe(delayed + 1);
  });

  it("with the receive window closed: the tail dropped TCP_ZEROWINDOW, ACKed at once with the D-SACK (quick-ack mode)", async () => {
    const { w, c, nstat, nxt, rcv } = await receiver();
    // tcp_receive_window = rcv_wup + rcv_wnd - rcv_nxt = 0; seq < rcv_nxt passes the out-of-window test
    c.rcvWnd = c.rcvNxt - c.rcvWup;
    expect(c.receiveWindow()).toBe(0);
    const acks = rcv(-500, 1000);
    expect(acks).toEqual([{ at: w.loop.now, ack: 0, blocks: [[-500, 0]] }]);
    expect(c.rcvNxt).toBe(nxt);
    expect(nstat.get("TcpExtTCPZeroWindowDrop")).toBe(1);
    expect(w.ledger.report(w.inFlight()).dropped.TCP_ZEROWINDOW).toBe(1);
  });
});
