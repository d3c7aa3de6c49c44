// Minshall's snd_sml (6.12 net/ipv4/tcp_output.c): tcp_minshall_update(tp, mss_now, skb) sets snd_sml =
// end_seq for an skb whose length is not a whole number of segments (skb->len < tcp_skb_pcount(skb) *
// mss_now), and only tcp_write_xmit calls it: tcp_write_wakeup's segment (tcp_transmit_skb +
// tcp_event_new_data_sent) leaves snd_sml alone, so it does not make tcp_nagle_check (tcp_minshall_check:
// snd_sml after snd_una) hold the next short tail (review13c #9, its tcp_write_wakeup half; the GSO half
// does not hold for 6.12: a GSO skb of MSS + 104 has pcount 2, 1552 < 2896 sets snd_sml, as the model does).
import { describe, expect, it } from "vitest";
import { quietServerSocket } from "./helpers.js";
import { ICSK_TIME_PROBE0, appSend, writeXmit } from "../../src/tcp/data-out.js";

describe("tcp_write_wakeup does not update snd_sml", () => {
  it("a 1000-byte window probe of a 3000-byte head, then a 3000-byte window: the 2000 B rest go whole (no Minshall hold)", async () => {
    // a -> b bulk for 2 ms, then the link is dead; b (the receiver, no data of its own so far) writes
    const { w, t, sk, c } = await quietServerSocket();
    const una0 = c.sndUna;
    const sml0 = c.sndSml;
    // a's window closed (as its last ACK would have said): 3000 B wait, nothing out, the probe timer runs
    c.sndWnd = 0;
    expect(appSend(t, sk, c, 3000)).toBe(3000);
    expect([c.packetsOut, c.xmitPending]).toEqual([0, ICSK_TIME_PROBE0]);
    // 1000 B of window the probe timer has not seen yet: tcp_write_wakeup's seg_size tcp_wnd_end - seq = 1000,
    // tcp_fragment, one 1000-byte segment out
    c.sndWnd = 1000;
    w.loop.run(c.rtoTimerAt); // icsk_retransmit_timer runs at its timer-wheel bucket
    expect([c.sndNxt - una0, c.packetsOut]).toEqual([1000, 1]);
    // snd_sml as it was (before: 1000 B after snd_una, the probe's end)
    expect(c.sndSml).toBe(sml0);
    // 3000 B of window: tcp_write_xmit, the 2000-byte head is the queue's tail (tcp_tso_should_defer: limit
    // 2000 >= min(3000, cwnd 10 x 1448) / tcp_tso_win_divisor 3, sends now); tcp_mss_split_point: needed 2000,
    // partial 552, tcp_nagle_check false (snd_sml not after snd_una): one skb of 2000 B (before: 1448, the
    // 552 B held for the probe's ACK)
    c.sndWnd = 3000;
    writeXmit(t, sk, c);
    expect([c.sndNxt - una0, c.packetsOut]).toEqual([3000, 3]);
    // tcp_minshall_update for that skb: 2000 < 2 x 1448: snd_sml = its end
    expect(c.sndSml).toBe(c.sndNxt);
  });
});
