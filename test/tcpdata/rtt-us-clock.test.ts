// RTT samples on 6.12's µs clocks: tcp_clean_rtx_queue's seq_rtt_us / ca_rtt_us / sack_rtt_us are
// tcp_stamp_us_delta(tp->tcp_mstamp, first_ackt | last_ackt | first_sackt) with tcp_mstamp = tcp_clock_us()
// and the skb stamps tcp_skb_timestamp_us(skb) = skb_mstamp_ns / NSEC_PER_USEC, i.e. floor(now/1000) −
// floor(sent/1000): one µs more than floor((now − sent)/1000) whenever the send time's sub-µs part exceeds
// now's. The same for a client's handshake sample (tcp_ack of the SYN-ACK: the SYN skb's stamp) and the
// receiver's tcp_rcv_rtt_measure (rcv_rtt_est.time = tcp_mstamp). (review13a #7; probe by review13a)
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import type { TcpSock } from "../../src/tcp/sock.js";

describe("RTT samples in whole-µs clock ticks", () => {
  it("seq_rtt_us = floor(now/1000) − floor(sent/1000) feeds tcp_rtt_estimator", async () => {
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
    const { sk, c } = clientConn(r.w);
    const rb = c.rtx;
    const sent = rb.sentAt[rb.at(0)]!;
    const now = r.w.loop.now;
    const m = Math.floor(now / 1000) - Math.floor(sent / 1000);
    // the case that tells the two apart: the ns difference floors one µs lower
    expect(Math.floor((now - sent) / 1000)).toBe(m - 1);
    const old = c.rtt.srttUs;
    injectAck(r.w, sk, c.mss);
    // tcp_rtt_estimator: srtt += m − srtt/8
    expect(c.rtt.srttUs).toBe(old + m - (old >> 3));
  });

  it("the client's handshake sample: floor(SYN-ACK time/1000) − floor(SYN time/1000)", async () => {
    const r = await runWorld(pair({ durationNs: 2e6 }, [bulk({ at: 300_999 })]));
    const { sk, c } = clientConn(r.w);
    // connInit runs while the SYN-ACK is processed: its time is the transfer state's start
    const m = Math.floor(c.startedAt / 1000) - Math.floor((sk as TcpSock).connectAt / 1000);
    expect(Math.floor((c.startedAt - sk.connectAt) / 1000)).toBe(m - 1);
    expect(sk.synRttNs).toBe(m * 1000);
    // the SYN at 300.999 µs, its SYN-ACK back at ~401.16 µs: 401 − 300 = 101 µs (the ns difference: 100)
    expect(m).toBe(101);
  });
});
