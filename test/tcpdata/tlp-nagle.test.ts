// tcp_send_loss_probe (6.12 net/ipv4/tcp_output.c) sends new data with tcp_write_xmit(sk, mss, TCP_NAGLE_OFF, 2,
// GFP_ATOMIC): for a one-segment send head tcp_nagle_test passes nonagle = TCP_NAGLE_OFF (1) (the skb is the
// write queue's last), and tcp_nagle_check(partial, tp, 1) = partial && ((1 & TCP_NAGLE_CORK) || (!1 && ...)) is
// false, so a sub-MSS head goes whatever Minshall says; tcp_mss_split_point gets the same nonagle for a longer one.
// (review12c finding 8; its probe, made exact.)
import { describe, expect, it } from "vitest";
import { quietServerSocket } from "./helpers.js";
import { appSend } from "../../src/tcp/data-out.js";
import { sendLossProbe } from "../../src/tcp/tlp.js";

describe("the loss probe's tcp_write_xmit runs with TCP_NAGLE_OFF", () => {
  it("a 100-byte send head held by Minshall (1000 B unACKed, a small segment) goes out as the probe: packets_out 2, TCPLossProbes + 1", async () => {
    // a -> b bulk for 2 ms, then the link is dead; b (the receiver, no data of its own so far) writes
    const { w, t, sk, c } = await quietServerSocket();
    // 1000 bytes: one segment below the MSS, sent (nothing out before: Nagle lets it go), never ACKed: snd_sml
    // = its end, after snd_una
    expect(appSend(t, sk, c, 1000)).toBe(1000);
    expect(c.packetsOut).toBe(1);
    expect(c.sndSml).toBe(c.sndNxt);
    // 100 more: a last skb below the MSS with a small segment out: tcp_nagle_check (nonagle 0) holds it
    expect(appSend(t, sk, c, 100)).toBe(100);
    expect([c.packetsOut, c.writeSeq - c.sndNxt]).toEqual([1, 100]);
    const n = w.host("b").nstat;
    const probes0 = n.get("TcpExtTCPLossProbes") ?? 0;
    const out0 = n.get("TcpOutSegs") ?? 0;
    c.tlpHighSeq = 0;
    sendLossProbe(t, sk, c);
    // the 100 bytes go as the probe (before: nothing sent, no probe counted)
    expect([c.packetsOut, c.writeSeq - c.sndNxt]).toEqual([2, 0]);
    expect((n.get("TcpOutSegs") ?? 0) - out0).toBe(1);
    expect((n.get("TcpExtTCPLossProbes") ?? 0) - probes0).toBe(1);
    expect(c.tlpHighSeq).toBe(c.sndNxt);
  });
});
