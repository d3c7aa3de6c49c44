// __tcp_send_ack when alloc_skb fails (net/ipv4/tcp_output.c, 6.12): the ACK stays scheduled
// (inet_csk_schedule_ack), icsk_ack.ato = TCP_ATO_MIN, and the delayed-ACK timer is re-armed
// TCP_DELACK_MAX << icsk_ack.retry ahead (200 ms, then 400 ms, ...; retry grows while that is below TCP_RTO_MAX);
// each expiry is tcp_delack_timer_handler's (DelayedACKs; ato doubled first, as the ACK was "missed"), and the
// ACK that finally leaves clears retry (tcp_event_ack_sent -> inet_csk_clear_xmit_timer(ICSK_TIME_DACK)).
// Receiver: quietReceiver (ato 40 ms, icsk_rto 1 s). A retransmission of [-1000, 0) asks for an immediate ACK
// (DelayedACKLost, D-SACK) while every skb allocation on the receiver fails, until 300 ms later.
// icsk_delack_timer is a timer_list (kernel/time/timer.c: calc_wheel_index, HZ=1000): t0 = 303 ms = jiffy 303;
// expires 303 + 200 = 503, a delta of 200 is level 1 (63 <= delta < 504): it runs at the next multiple of 8
// after 503, jiffy 504 (t0 + 201 ms); re-armed from there (base clk 505) with 400: 904 -> 912 (t0 + 609 ms).
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import { TCP_ATO_MIN, TCP_DELACK_MAX } from "../../src/tcp/data-out.js";
import { TCP_CLOSING, TCP_FIN_WAIT1, TCP_RTO_MAX } from "../../src/tcp/constants.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../../src/wire/tcp.js";
import { clientSegment } from "./inject.js";
import { tcpClose, tcpRcvState } from "../../src/tcp/established.js";

async function failing() {
  const r = await quietReceiver();
  let fail = false;
  const env = r.t.env as { alloc(): number };
  const alloc = env.alloc.bind(env);
  env.alloc = () => (fail ? -1 : alloc());
  return { ...r, setFail: (v: boolean) => void (fail = v) };
}

describe("__tcp_send_ack: a failed allocation re-arms the delayed-ACK timer with icsk_ack.retry's back-off", () => {
  it("the ACK fails at t0 and at t0 + 200 ms (retry 1 -> 2), and leaves at t0 + 600 ms with its D-SACK; retry back to 0", async () => {
    const r = await failing();
    const t0 = r.w.loop.now;
    r.setFail(true);
    expect(r.rcv(-1000, 1000)).toEqual([]);
    expect(r.nstat.get("TcpExtDelayedACKLost")).toBe(1);
    expect([r.c.ackPending, r.c.ackRetry, r.c.ato, r.c.delackDeadline - t0]).toEqual([true, 1, TCP_ATO_MIN, TCP_DELACK_MAX]);
    expect(t0).toBe(303e6);
    expect(r.run(TCP_DELACK_MAX + 1e6 - 1)).toEqual([]);
    // t0 + 201 ms (the wheel's bucket): the handler's ACK fails too: 200 << 1 = 400 ms more, icsk_ack.timeout 904
    r.run(1);
    expect(r.nstat.get("TcpExtDelayedACKs")).toBe(1);
    expect([r.c.ackRetry, r.c.ato, r.c.delackDeadline - t0]).toEqual([2, TCP_ATO_MIN, 601e6]);
    r.run(100e6);
    r.setFail(false);
    expect(r.run(307e6)).toEqual([]);
    const acks = r.run(1e6);
    expect(acks).toEqual([{ at: t0 + 609e6, ack: 0, blocks: [[-1000, 0]] }]);
    expect(r.nstat.get("TcpExtDelayedACKs")).toBe(2);
    expect([r.c.ackPending, r.c.ackRetry]).toEqual([false, 0]);
  });

  it("the back-off stops growing at TCP_RTO_MAX: 200 ms << 10 = 204.8 s is above it, so retry stays 10 and the timer is capped at 120 s", async () => {
    const r = await failing();
    r.setFail(true);
    const t0 = r.w.loop.now;
    r.rcv(-1000, 1000);
    // the delay 200 << k ms from the k-th expiry on (each re-armed from the callback, base clk = jiffy + 1), run at
    // the wheel's jiffies: 303 + 200 = 503 -> 504 (level 1, 8-jiffy grid); +400 = 904 -> 912; +800 = 1712 ->
    // 1728 (level 2: 64); +1600 = 3328 -> 3392; +3200 = 6592 -> 6656; +6400 = 13056 -> 13312 (level 3: 512);
    // +12800 = 26112 -> 26624; +25600 = 52224 -> 52736; +51200 = 103936 -> 106496 (level 4: 4096; retry 1..9);
    // +102400 = 208896 -> 212992 (retry 10); then 200 << 10 is above TCP_RTO_MAX: +120000 = 332992 -> 335872
    expect(t0).toBe(303e6);
    r.run(212_992e6 - r.w.loop.now);
    expect(r.c.ackRetry).toBe(10);
    expect(r.nstat.get("TcpExtDelayedACKs")).toBe(10);
    expect(r.c.delackDeadline - r.w.loop.now).toBe(TCP_RTO_MAX);
    r.run(335_872e6 - r.w.loop.now);
    expect(r.c.ackRetry).toBe(10);
    expect(r.c.delackDeadline - r.w.loop.now).toBe(TCP_RTO_MAX);
    expect(r.nstat.get("TcpExtDelayedACKs")).toBe(11);
  });

  it("TcpHost.sendAck (tcp_fin's ACK of the peer's FIN in FIN_WAIT1) fails the same way: the ACK stays scheduled, and tcp_ack_snd_check's tcp_send_delayed_ack pulls the 200 ms timer in to ato (40 ms)", async () => {
    const r = await failing();
    tcpClose(r.t, r.sk);
    expect(r.sk.state).toBe(TCP_FIN_WAIT1);
    const t0 = r.w.loop.now;
    r.setFail(true);
    // the peer's FIN, not ACKing ours: tcp_fin -> tcp_send_ack fails (retry 1, timer t0 + 200 ms), CLOSING; then
    // __tcp_ack_snd_check (ACK scheduled, one byte, no quick-ack credit) -> tcp_send_delayed_ack: ato 40 ms, the
    // pending ICSK_ACK_TIMER's later timeout replaced by t0 + 40 ms
    tcpRcvState(r.t, r.sk, clientSegment(r.w, r.sk, 0, 0, TCPHDR_ACK | TCPHDR_FIN, r.sk.tsRecent, (r.sk.sndNxt - 1) >>> 0));
    expect(r.sk.state).toBe(TCP_CLOSING);
    expect([r.c.ackPending, r.c.ackRetry, r.c.ato, r.c.delackDeadline - t0]).toEqual([true, 1, TCP_ATO_MIN, TCP_ATO_MIN]);
  });
});
