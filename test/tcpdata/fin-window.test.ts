// A FIN skb of its own against the peer's window (6.12 tcp_write_xmit -> tcp_snd_wnd_test: its end_seq,
// write_seq + 1, must not pass tcp_wnd_end): under a zero window it waits, zero-window probes go
// (tcp_check_probe_timer, tcp_probe_timer: the FIN skb is a send head), and it leaves once the window opens.
import { describe, expect, it } from "vitest";
import { dataAckedNotClosed } from "./held-close.js";
import { injectAck } from "./inject.js";
import { FIN_ALONE_QUEUED, FIN_ALONE_SENT } from "../../src/tcp/fin.js";
import { ICSK_TIME_PROBE0, appSend, xmitAll } from "../../src/tcp/data-out.js";
import { sendLossProbe } from "../../src/tcp/tlp.js";


describe("a FIN of its own and the peer's window (tcp_snd_wnd_test)", () => {
  it("a FIN riding on a last skb of at most one MSS needs its sequence number inside the window too", async () => {
    const { close, t, sk, c } = await dataAckedNotClosed();
    // 500 more bytes wait behind a full cwnd; close() puts the FIN on them
    c.cwnd = 0;
    expect(appSend(t, sk, c, 500)).toBe(500);
    close(sk);
    expect(c.finAlone).toBe(0);
    c.cwnd = 10;
    // window end 1000 + 500: the data fit, end_seq 1501 (with the FIN) does not
    c.sndWnd = 500;
    xmitAll(t, sk, c);
    expect(c.sndNxt).toBe(1000);
    c.sndWnd = 501;
    xmitAll(t, sk, c);
    expect(c.sndNxt).toBe(1500);
    expect(sk.sndNxt).toBe((sk.iss + 1 + 1501) >>> 0);
  });

  it("a zero window holds the FIN: zero-window probes instead; the window update sends it", async () => {
    const { w, close, sk, c, n } = await dataAckedNotClosed();
    // the peer's last ACK advertised a zero window (tcp_ack_update_window)
    c.sndWnd = 0;
    const nxt = sk.sndNxt;
    close(sk);
    expect(c.finAlone).toBe(FIN_ALONE_QUEUED);
    expect(c.packetsOut).toBe(0);
    expect(sk.sndNxt).toBe(nxt);
    expect(c.xmitPending).toBe(ICSK_TIME_PROBE0);
    // an ACK that opens the window (65535 << wscale): the FIN goes at once
    injectAck(w, sk, 1000);
    expect(c.finAlone).toBe(FIN_ALONE_SENT);
    expect(c.packetsOut).toBe(1);
    expect(sk.sndNxt).toBe((nxt + 1) >>> 0);
    expect(n.get("TcpExtTCPWinProbe")).toBe(0);
  });

  it("the window update with only the FIN skb unsent after an idle spell restarts cwnd (tcp_ack_update_window: !tcp_write_queue_empty -> tcp_cwnd_restart)", async () => {
    const { w, close, t, sk, c } = await dataAckedNotClosed();
    c.sndWnd = 0;
    close(sk);
    expect(c.finAlone).toBe(FIN_ALONE_QUEUED);
    expect(c.packetsOut).toBe(0);
    // last data sent 2 RTOs + 1 ms ago, cwnd 80: delta - rto = rto + 1 > 0 halves to 40, then 1 > 0 to 20,
    // then 1 - rto stops (restart window min(10, 80) = 10 is not reached)
    const rtoMs = Math.floor(c.icskRtoUs() / 1000);
    c.cwnd = 80;
    c.lsndtime = t.jiffies() - (2 * rtoMs + 1); // HZ=1000: a jiffy is a ms
    injectAck(w, sk, 1000);
    expect(c.cwnd).toBe(20);
    expect(c.finAlone).toBe(FIN_ALONE_SENT);
  });

  it("left alone, the zero-window probe (seq snd_una - 1) draws the peer's ACK with its open window, and the FIN follows", async () => {
    const { w, close, sk, c, n } = await dataAckedNotClosed();
    c.sndWnd = 0;
    close(sk);
    const at = w.loop.now;
    // the probe timer: max(rto, 200 ms) later; the reply comes one RTT (100 us) after the probe
    w.loop.run(at + 0.19e9);
    expect(n.get("TcpExtTCPWinProbe")).toBe(0);
    expect(c.finAlone).toBe(FIN_ALONE_QUEUED);
    w.loop.run(at + 1e9);
    expect(n.get("TcpExtTCPWinProbe")).toBe(1);
    expect(c.finAlone).toBe(FIN_ALONE_SENT);
  });

  it("a one-byte window is enough: write_seq + 1 = tcp_wnd_end", async () => {
    const { close, sk, c } = await dataAckedNotClosed();
    c.sndWnd = 1;
    close(sk);
    expect(c.finAlone).toBe(FIN_ALONE_SENT);
    expect(c.packetsOut).toBe(1);
  });

  it("the probe timer sends the FIN by tcp_write_wakeup once the window has room, cwnd not asked", async () => {
    const { w, close, sk, c } = await dataAckedNotClosed();
    c.sndWnd = 0;
    close(sk);
    expect(c.finAlone).toBe(FIN_ALONE_QUEUED);
    // the window opened without an ACK that would send (as if the update was lost): the probe sends it
    c.sndWnd = 65535;
    c.cwnd = 0;
    w.loop.run(w.loop.now + 1.5e9);
    expect(c.finAlone).toBe(FIN_ALONE_SENT);
  });

  it("a loss probe sends an unsent FIN skb as new data (tcp_send_head passes tcp_snd_wnd_test)", async () => {
    const { close, t, sk, c, n } = await dataAckedNotClosed();
    c.cwnd = 0; // cwnd full: tcp_write_xmit's cwnd test held the FIN
    close(sk);
    expect(c.finAlone).toBe(FIN_ALONE_QUEUED);
    sendLossProbe(t, sk, c);
    expect(c.finAlone).toBe(FIN_ALONE_SENT);
    expect(n.get("TcpExtTCPLossProbes")).toBe(1);
    expect(n.get("TcpRetransSegs")).toBe(0);
    // tp->snd_nxt: past the FIN's sequence number
    expect(c.tlpHighSeq).toBe(c.sndNxt + 1);
  });
});
