// tcp_mss_split_point (6.12 net/ipv4/tcp_output.c), for a send head of more than one MSS: window = tcp_wnd_end -
// seq, max_len = mss * cwnd_quota; in the middle of the write queue with max_len <= window, max_len; else needed
// = min(skb->len, window), max_len if that is no more, and otherwise needed less its sub-MSS part only if
// tcp_nagle_check(partial != 0) holds (tp->nonagle 0: packets out and tcp_minshall_check, a small segment
// unACKed) — so a window that is not an MSS multiple is filled to its edge, and the write queue's tail keeps its
// sub-MSS end while a small segment is out (tcp_nagle_test then holds that end, < MSS, last skb).
// Start: 1000 bytes sent and ACKed (snd_sml = 1000 = snd_una: no small segment out), close() held back.
import { describe, expect, it } from "vitest";
import { dataAckedNotClosed } from "./held-close.js";
import { appSend, writeXmit } from "../../src/tcp/data-out.js";

describe("tcp_mss_split_point: a partial last segment at the window's or the queue's end", () => {
  it("a window of 2.5 MSS with nothing small out: 2 MSS + 724 bytes go (up to tcp_wnd_end); then, Minshall holding, the tail's 3620 bytes go as 2 MSS and its last 724 wait for the ACK", async () => {
    const { w, t, sk, c } = await dataAckedNotClosed();
    const mss = c.mss;
    expect(mss).toBe(1448);
    expect([c.sndSml, c.sndUna, c.packetsOut]).toEqual([1000, 1000, 0]);
    c.cwnd = 20;
    // tcp_wnd_end = 1000 + 3620: 2.5 MSS
    c.sndWnd = 2.5 * mss;
    // one 5-MSS write: the write queue's only skb [1000, 8240); cwnd_quota min(tso_segs, 10, 20) >= 5 > 2.5
    expect(appSend(t, sk, c, 5 * mss)).toBe(5 * mss);
    // needed = min(7240, 3620) = 3620, partial 724, packets_out 0: no Nagle, all 3620 go
    expect(c.sndNxt).toBe(1000 + 2.5 * mss);
    expect([c.packetsOut, c.sndSml]).toEqual([3, 1000 + 2.5 * mss]);
    // the window opens (as by an ACK that moves nothing): the tail skb [4620, 8240) of 3620 bytes;
    // needed 3620 < max_len, partial 724, Minshall (snd_sml 4620 > snd_una 1000): 3620 - 724 go
    c.sndWnd = 100 * mss;
    writeXmit(t, sk, c);
    expect(c.sndNxt).toBe(1000 + 4.5 * mss);
    // the 724 bytes left: a last skb below one MSS, held by tcp_nagle_test
    writeXmit(t, sk, c);
    expect(c.sndNxt).toBe(1000 + 4.5 * mss);
    // the receiver's ACK of everything out ends Minshall's hold: the 724 bytes go
    w.loop.run(w.loop.now + 1e6);
    expect(c.sndNxt).toBe(1000 + 5 * mss);
  });
});
