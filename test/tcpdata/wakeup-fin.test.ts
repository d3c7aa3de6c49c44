// tcp_write_wakeup (6.12) and a FIN riding on the send head: the zero-window probe timer sends what starts
// inside the window, fragmenting the head at tcp_wnd_end (tcp_fragment) when its end_seq, FIN included,
// passes it: the data go without the FIN, which stays behind in an skb of its own (the FIN flag moves to
// the fragment's second part) and leaves once the window has room for it.
import { describe, expect, it } from "vitest";
import { dataAckedNotClosed } from "./held-close.js";
import { FIN_ALONE_QUEUED, FIN_ALONE_SENT } from "../../src/tcp/fin.js";
import { ICSK_TIME_PROBE0, appSend, resetXmitTimer, writeTimerHandler, xmitAll } from "../../src/tcp/data-out.js";


describe("tcp_write_wakeup and a FIN past the window", () => {
  it("the data [1000, 1500) fill the window 1000 + 500 exactly: they go without the FIN, which waits in its own skb", async () => {
    const { w, close, t, sk, c } = await dataAckedNotClosed();
    c.cwnd = 0;
    expect(appSend(t, sk, c, 500)).toBe(500);
    close(sk);
    expect(c.finAlone).toBe(0);
    // tcp_snd_wnd_test: end_seq 1501 > tcp_wnd_end 1500, so tcp_write_xmit holds the skb
    c.cwnd = 10;
    c.sndWnd = 500;
    xmitAll(t, sk, c);
    expect(c.sndNxt).toBe(1000);
    expect(c.xmitPending).toBe(ICSK_TIME_PROBE0);
    // the probe timer: seq 1000 is before tcp_wnd_end; seg_size 500 < end_seq - seq 501: tcp_fragment at 500
    resetXmitTimer(t, c, ICSK_TIME_PROBE0, 0);
    writeTimerHandler(t, sk, c);
    expect(c.sndNxt).toBe(1500);
    expect(c.packetsOut).toBe(1);
    expect(sk.sndNxt).toBe((sk.iss + 1 + 1500) >>> 0); // no sequence number for a FIN yet
    expect(c.finAlone).toBe(FIN_ALONE_QUEUED);
    // the peer's ACK reopens its window (65535 << wscale): the FIN skb goes
    w.loop.run(w.loop.now + 1e6);
    expect(c.finAlone).toBe(FIN_ALONE_SENT);
    expect(sk.sndNxt).toBe((sk.iss + 1 + 1501) >>> 0);
  });
});
