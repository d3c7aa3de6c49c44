// tcp_event_new_data_sent (6.12 net/ipv4/tcp_output.c) ends with tcp_check_space for every skb of new data, whatever
// sent it: with SOCK_NOSPACE set, tcp_new_space (tcp_sndbuf_expand when tcp_should_expand_sndbuf) and
// sk_stream_write_space, which wakes the writer once __sk_stream_is_writeable(sk, 1): here tcp_stream_memory_free
// (wake 1), twice the unsent bytes below tcp_notsent_lowat. The model ran it after the TSQ handler's sends and
// after every ACK (tcp_data_snd_check), not after the probe timer's tcp_write_wakeup or a loss probe of new data.
// Host b writes on an established connection whose link is dead; sk_gso_max_size 0 (no GSO) makes size_goal one
// MSS, so sendmsg asks sk_stream_memory_free (unsent < tcp_notsent_lowat 1000) at each 1448-byte skb.
import { describe, expect, it } from "vitest";
import { bulk, deadLinkWorld, pair } from "./helpers.js";
import { ICSK_TIME_LOSS_PROBE, ICSK_TIME_PROBE0, appSend } from "../../src/tcp/data-out.js";
import type { TcpSock } from "../../src/tcp/sock.js";

async function quietWriter() {
  // a -> b bulk for 2 ms, then the link is dead; b (the receiver, no data of its own so far) writes
  const w = await deadLinkWorld(pair({ durationNs: 3e6, sysctl: { "net.ipv4.tcp_notsent_lowat": 1000 } }, [bulk()]), 2e6);
  w.run();
  w.loop.run(w.loop.now + 300e6);
  const t = w.host("b").stack.tcp;
  const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
  const c = sk.conn!;
  c.gsoMaxSize = 0;
  expect(t.notsentLowat).toBe(1000);
  const woken: number[] = [];
  c.app = { onWritable: (cc) => void woken.push(cc.writeSeq - cc.sndNxt) };
  return { w, t, sk, c, woken };
}

describe("tcp_event_new_data_sent -> tcp_check_space after the probe timer's and the loss probe's new data", () => {
  it("tcp_write_wakeup sends the only unsent skb: the writer blocked by tcp_notsent_lowat is woken", async () => {
    const { w, t, sk, c, woken } = await quietWriter();
    c.sndWnd = 0;
    // one skb of 1448 B (nothing unsent before it); the next needs unsent 1448 < 1000: blocked (SOCK_NOSPACE)
    expect(appSend(t, sk, c, 3000)).toBe(1448);
    expect([c.nospace, c.packetsOut, c.xmitPending]).toEqual([true, 0, ICSK_TIME_PROBE0]);
    // a 1448-byte window the probe timer has not seen: tcp_write_wakeup sends the skb; unsent 0, 2 x 0 < 1000
    c.sndWnd = 1448;
    w.loop.run(c.rtoTimerAt); // icsk_retransmit_timer runs at its timer-wheel bucket
    expect([c.sndNxt - c.sndUna, c.packetsOut]).toEqual([1448, 1]);
    // woken with nothing unsent (before: not woken, still blocked)
    expect(woken).toEqual([0]);
    expect(c.nospace).toBe(false);
  });

  it("a loss probe sends new data past a full cwnd: the writer blocked by tcp_notsent_lowat is woken", async () => {
    const { w, t, sk, c, woken } = await quietWriter();
    c.cwnd = 1;
    // 1000 B go (cwnd 1): the flight fills cwnd, the loss probe timer is armed
    expect(appSend(t, sk, c, 1000)).toBe(1000);
    expect([c.packetsOut, c.xmitPending]).toEqual([1, ICSK_TIME_LOSS_PROBE]);
    // a new 1448-byte skb waits for cwnd; the next needs unsent 1448 < 1000: blocked
    expect(appSend(t, sk, c, 3000)).toBe(1448);
    expect([c.nospace, c.writeSeq - c.sndNxt]).toEqual([true, 1448]);
    // tcp_send_loss_probe: tcp_write_xmit(push_one 2) sends the skb whatever cwnd; unsent 0
    w.loop.run(c.rtoTimerAt); // icsk_retransmit_timer runs at its timer-wheel bucket
    expect([c.writeSeq - c.sndNxt, c.packetsOut]).toEqual([0, 2]);
    expect(woken).toEqual([0]);
    expect(c.nospace).toBe(false);
  });
});
