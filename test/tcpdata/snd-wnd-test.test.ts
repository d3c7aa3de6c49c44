// One tcp_snd_wnd_test (6.12) for tcp_write_xmit and tcp_send_loss_probe: the send head's first MSS, or
// all of a last skb of at most one MSS with its FIN's sequence number, must fit tcp_wnd_end. When the
// probe's send head fails it, tcp_send_loss_probe retransmits the tail instead. And the attempted
// retransmission of a segment still in the host stamps retrans_stamp with the segment's last send time.
import { describe, expect, it } from "vitest";
import { dataAckedNotClosed } from "./held-close.js";
import { appSend, xmitAll } from "../../src/tcp/data-out.js";
import { sendLossProbe } from "../../src/tcp/tlp.js";


describe("tcp_snd_wnd_test shared by the loss probe", () => {
  it("a last skb whose data fit the window but whose FIN does not fails the probe's window test: the tail is retransmitted", async () => {
    const { w, close, t, sk, c, n } = await dataAckedNotClosed();
    // 500 bytes out [1000, 1500), then 500 more held by a full cwnd; close() puts the FIN on them
    expect(appSend(t, sk, c, 500)).toBe(500);
    expect(c.sndNxt).toBe(1500);
    c.cwnd = 0;
    expect(appSend(t, sk, c, 500)).toBe(500);
    close(sk);
    expect(c.finAlone).toBe(0);
    // tcp_wnd_end = 1000 + 1000 = 2000: the data [1500, 2000) fit, end_seq 2001 with the FIN does not
    c.sndWnd = 1000;
    w.loop.run(w.loop.now + 20e3); // the first 500 bytes leave the host (skb_still_in_host_queue), no ACK yet
    expect(c.sndUna).toBe(1000);
    sendLossProbe(t, sk, c);
    expect(n.get("TcpExtTCPLossProbes")).toBe(1);
    expect(n.get("TcpRetransSegs")).toBe(1);
    expect(c.tlpRetrans).toBe(true);
    expect(c.sndNxt).toBe(1500);
    // with one more byte of window the send head passes and goes as new data with the FIN
    c.cwnd = 10;
    c.sndWnd = 1001;
    xmitAll(t, sk, c);
    expect(c.sndNxt).toBe(2000);
  });
});
