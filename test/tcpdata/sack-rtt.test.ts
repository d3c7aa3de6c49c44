// 6.12 takes an RTT sample from newly SACKed never-retransmitted
// segments (net/ipv4/tcp_input.c: tcp_sacktag_one sets state->first_sackt / last_sackt; tcp_clean_rtx_queue:
// sack_rtt_us = now - first_sackt, ca_rtt_us = now - last_sackt; tcp_ack_update_rtt: `if (seq_rtt_us < 0)
// seq_rtt_us = sack_rtt_us;` then tcp_rtt_estimator + tcp_set_rto, and cubictcp_acked gets ca_rtt_us).
// (review13a #5: the model sampled only cumulatively ACKed segments and the TS echo, so an ACK that only
// SACKs left srtt, the RTO, min_rtt and CUBIC's delay_min alone, e.g. all through a recovery.)
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";

describe("SACK RTT samples (sack_rtt_us)", () => {
  it("an ACK that SACKs the 2nd segment (snd_una unchanged) feeds tcp_rtt_estimator", async () => {
    // 50 ms one-way: the handshake sample gives srtt 100 ms; 103 ms in, the initial window is out unACKed
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
    const { sk, c } = clientConn(r.w);
    expect(c.packetsOut).toBe(10);
    const mss = c.mss;
    const rb = c.rtx;
    // a whole-µs send time, so that this probe does not depend on finding 7 (µs-tick arithmetic)
    rb.sentAt[rb.at(1)] = Math.floor(rb.sentAt[rb.at(1)]! / 1000) * 1000;
    const sent = rb.sentAt[rb.at(1)]!;
    const now = r.w.loop.now;
    // tcp_stamp_us_delta(tcp_mstamp, skb_mstamp): both clocks in whole µs
    const m = Math.floor(now / 1000) - Math.floor(sent / 1000);
    expect(m).toBeGreaterThan(0);
    const old = c.rtt.srttUs;
    injectAck(r.w, sk, 0, [[mss, 2 * mss]]);
    expect(c.sackedOut).toBe(1);
    // tcp_rtt_estimator: srtt += m - (srtt >> 3)
    expect(c.rtt.srttUs).toBe(old + m - (old >> 3));
    // tcp_update_rtt_min(ca_rtt_us = now - last_sackt, the same segment): below the handshake's 100 ms
    expect(c.minRttUs).toBe(m);
  });
});
