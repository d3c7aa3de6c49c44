// tcp_cwnd_validate (6.12 net/ipv4/tcp_output.c) and tcp_is_cwnd_limited (include/net/tcp.h): tcp_write_xmit calls
// it when it sent something or is cwnd-limited — a cwnd-limited deferral, or tcp_packets_in_flight >= cwnd at its
// end, whether or not data still waits. The latch: is_cwnd_limited, max_packets_out and cwnd_usage_seq = snd_nxt are
// taken when snd_una has passed cwnd_usage_seq, when this call is cwnd-limited, or (not latched) when more packets
// are out than max_packets_out; so a window that was cwnd-limited once stays so for tcp_cong_avoid (reno / cubic
// grow only when tcp_is_cwnd_limited) until snd_una passes the snd_nxt of that moment and a later call is not.
// tcp_cwnd_application_limited (RFC 2861): a flow not cwnd-limited for an RTO since snd_cwnd_stamp last moved
// gives back half the cwnd it did not use. A 100 ms RTT reno connection whose link goes dead once established;
// the test writes and injects the ACKs.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { appSend, isCwndLimited } from "../../src/tcp/data-out.js";

const MSS = 1448;

async function quietReno() {
  // established at 100 ms; the writer's 1 byte/s never makes a whole byte, so the test writes; a loss model keeps
  // one event per frame, so the loss set afterwards applies to every frame
  const r = await runWorld(pair({ durationNs: 110e6, delayNs: 50e6, loss: 1e-12 }, [bulk({ writeRate: 1, cc: "reno" })]));
  for (const d of (r.w as unknown as { directions: { config: { loss: number } }[] }).directions) d.config.loss = 1;
  const x = { ...r, ...clientConn(r.w) };
  expect([x.c.packetsOut, x.c.cwnd, x.c.caState]).toEqual([0, 10, 0]);
  return x;
}

describe("tcp_cwnd_validate: the cwnd-limited latch and tcp_cwnd_application_limited", () => {
  it("a write of exactly one cwnd is cwnd-limited, and stays so for the rest of that window", async () => {
    const { w, sk, c } = await quietReno();
    c.ssthresh = 5; // congestion avoidance: tcp_is_cwnd_limited is the latch alone
    const una0 = c.sndUna;
    appSend(w.host("a").stack.tcp, sk, c, 10 * MSS);
    // TSQ lets the rest go as the first skbs leave the host
    w.loop.run(w.loop.now + 5e6);
    // the last tcp_write_xmit ends with in flight 10 >= cwnd 10: latched, max_packets_out 10, cwnd_usage_seq
    // snd_nxt (all written, nothing waits)
    expect(c.packetsOut).toBe(10);
    expect([c.isCwndLimited, c.maxPacketsOut, c.cwndUsageSeq - una0]).toEqual([true, 10, 10 * MSS]);
    // ACK of 2: tcp_cong_avoid (reno, tcp_cong_avoid_ai with w = cwnd 10): snd_cwnd_cnt 2
    injectAck(w, sk, una0 + 2 * MSS);
    expect([c.cwnd, c.cwndCnt]).toEqual([10, 2]);
    // one more segment (in flight 9 < 10): not cwnd-limited, but snd_una is below cwnd_usage_seq and the latch
    // holds: nothing retaken
    appSend(w.host("a").stack.tcp, sk, c, MSS);
    expect(c.packetsOut).toBe(9);
    expect([c.isCwndLimited, c.maxPacketsOut, c.cwndUsageSeq - una0]).toEqual([true, 10, 10 * MSS]);
    injectAck(w, sk, una0 + 3 * MSS);
    expect([c.cwnd, c.cwndCnt]).toEqual([10, 3]);
    // ACK of all 11: still latched (no tcp_cwnd_validate since: nothing sent, not cwnd-limited): cnt 3 + 8 = 11
    // >= 10: cwnd 11, cnt 1
    injectAck(w, sk, una0 + 11 * MSS);
    expect([c.cwnd, c.cwndCnt]).toEqual([11, 1]);
    // snd_una passed cwnd_usage_seq: the next write retakes the latch (not cwnd-limited: 1 out of 11)
    appSend(w.host("a").stack.tcp, sk, c, MSS);
    expect([c.isCwndLimited, c.maxPacketsOut, c.cwndUsageSeq - una0]).toEqual([false, 1, 12 * MSS]);
    expect(isCwndLimited(c)).toBe(false);
    injectAck(w, sk, una0 + 12 * MSS);
    expect([c.cwnd, c.cwndCnt]).toEqual([11, 1]);
  });

  it("in slow start tcp_is_cwnd_limited also holds while cwnd < 2 x max_packets_out of the window", async () => {
    const { w, sk, c } = await quietReno();
    const una0 = c.sndUna;
    appSend(w.host("a").stack.tcp, sk, c, 6 * MSS);
    w.loop.run(w.loop.now + 5e6);
    // 6 out of 10: not latched, max_packets_out 6
    expect([c.isCwndLimited, c.maxPacketsOut]).toEqual([false, 6]);
    // each ACK of one: tcp_slow_start while cwnd < 12; max_packets_out stays 6 (no tcp_cwnd_validate: nothing sent)
    injectAck(w, sk, una0 + MSS);
    expect(c.cwnd).toBe(11);
    injectAck(w, sk, una0 + 2 * MSS);
    expect(c.cwnd).toBe(12);
    injectAck(w, sk, una0 + 3 * MSS);
    expect(c.cwnd).toBe(12);
  });

  it("tcp_cwnd_application_limited: an RTO after the clock last moved, a write 1 out of cwnd 40 halves the unused cwnd", async () => {
    const { w, sk, c } = await quietReno();
    const t = w.host("a").stack.tcp;
    c.ssthresh = 5;
    c.cwnd = 40;
    // snd_cwnd_stamp an RTO back (icsk_rto in jiffies) and no write since the last send was recent enough to
    // skip tcp_cwnd_restart
    const rtoMs = Math.floor(c.icskRtoUs() / 1000);
    c.lsndtime = t.jiffies();
    c.sndCwndStamp = t.nowMs() - rtoMs;
    appSend(t, sk, c, MSS);
    // not cwnd-limited (1 < 40, congestion avoidance): snd_cwnd_used 1; win_used = max(1, TCP_INIT_CWND 10) < 40:
    // ssthresh = tcp_current_ssthresh = max(5, 40/2 + 40/4) = 30, cwnd = (40 + 10) / 2 = 25; clock restarted
    expect([c.cwnd, c.ssthresh, c.sndCwndUsed, c.sndCwndStamp]).toEqual([25, 30, 0, t.nowMs()]);
    // one jiffy short of an RTO: nothing
    c.cwnd = 40;
    c.ssthresh = 5;
    c.sndCwndStamp = t.nowMs() - rtoMs + 1;
    appSend(t, sk, c, MSS);
    expect([c.cwnd, c.ssthresh, c.sndCwndUsed]).toEqual([40, 5, 2]);
  });

  it("an ACK with nothing queued runs no tcp_write_xmit: in flight >= cwnd does not latch cwnd-limited (review13c #3)", async () => {
    // include/net/tcp.h: tcp_data_snd_check -> tcp_push_pending_frames runs __tcp_push_pending_frames (so
    // tcp_write_xmit and its tcp_cwnd_validate) only if (tcp_send_head(sk))
    const { w, sk, c } = await quietReno();
    const t = w.host("a").stack.tcp;
    c.ssthresh = 2; // congestion avoidance: tcp_is_cwnd_limited is the latch alone
    const una0 = c.sndUna;
    appSend(t, sk, c, 6 * MSS);
    w.loop.run(w.loop.now + 5e6);
    // 6 out of cwnd 10: the last tcp_write_xmit latched not cwnd-limited, max_packets_out 6; nothing queued
    expect([c.packetsOut, c.isCwndLimited, c.maxPacketsOut, c.writeSeq - c.sndNxt]).toEqual([6, false, 6, 0]);
    c.cwnd = 3; // (as a reduction would leave it) in flight stays >= cwnd
    // ACK of 1: reno's tcp_cong_avoid finds the latch false (no growth); no send head, so no tcp_write_xmit
    // (the model's used to end with in flight 5 >= cwnd 3 and latch true)
    injectAck(w, sk, una0 + MSS);
    expect([c.isCwndLimited, c.maxPacketsOut, c.cwndUsageSeq - una0]).toEqual([false, 6, 6 * MSS]);
    // ACK of 2: still not cwnd-limited: tcp_cong_avoid_ai does not run (with the latch: snd_cwnd_cnt 1)
    injectAck(w, sk, una0 + 2 * MSS);
    expect([c.cwnd, c.cwndCnt]).toEqual([3, 0]);
  });
});
