// tcp_delack_timer (net/ipv4/tcp_timer.c, 6.12): icsk_delack_timer expiring on a socket its owner holds counts
// DelayedACKLocked and sets TCP_DELACK_TIMER_DEFERRED before tcp_delack_timer_handler looks at anything — so
// also when the ACK it was armed for has gone since: tcp_event_ack_sent's inet_csk_clear_xmit_timer clears
// icsk_ack.pending but does not stop the timer (INET_CSK_CLEAR_TIMERS is not defined). tcp_release_cb then
// runs the handler, which finds no ICSK_ACK_TIMER and does nothing.
// Receiver: quiet-receiver.ts (ato 40 ms), t0 = 303 ms = jiffy 303: icsk_ack.timeout 343, a delta of 40 jiffies
// is level 0 of the timer wheel (kernel/time/timer.c: calc_wheel_index): the timer runs on the next jiffy, 344.
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import { TCPF_DELACK_TIMER_DEFERRED, sendAck } from "../../src/tcp/data-out.js";
import { releaseSock } from "../../src/tcp/sock-lock.js";

describe("tcp_delack_timer on an owned socket", () => {
  it("an empty firing (its ACK sent meanwhile) counts DelayedACKLocked; the deferred handler sends nothing", async () => {
    const { w, t, sk, c, nstat, rcv, run } = await quietReceiver();
    const t0 = w.loop.now;
    // 1000 bytes in order, below rcv_mss, no quick-ack: tcp_send_delayed_ack, timeout t0 + 40 ms, run at + 41
    expect(t0).toBe(303e6);
    expect(rcv(0, 1000)).toEqual([]);
    expect([c.delackDeadline - t0, c.delackTimerAt - t0]).toEqual([40e6, 41e6]);
    // at +10 ms an ACK goes (tcp_send_ack): pending cleared, the timer stays queued
    run(10e6);
    sendAck(t, sk, c);
    expect(run(0).length).toBe(1);
    expect([c.ackPending, c.delackDeadline, c.delackTimerAt - t0]).toEqual([false, Infinity, 41e6]);
    // the owner holds the socket across the timer's expiry
    c.owned = true;
    const locked = nstat.get("TcpExtDelayedACKLocked");
    const delayed = nstat.get("TcpExtDelayedACKs");
    expect(run(50e6).length).toBe(1);
    expect(nstat.get("TcpExtDelayedACKLocked")).toBe(locked + 1);
    expect(c.deferred & TCPF_DELACK_TIMER_DEFERRED).toBe(TCPF_DELACK_TIMER_DEFERRED);
    // release_sock -> tcp_release_cb -> tcp_delack_timer_handler: no ICSK_ACK_TIMER, nothing sent
    releaseSock(t, sk, c);
    expect(c.deferred & TCPF_DELACK_TIMER_DEFERRED).toBe(0);
    expect(run(100e6).length).toBe(1);
    expect(nstat.get("TcpExtDelayedACKs")).toBe(delayed);
    expect(nstat.get("TcpExtDelayedACKLocked")).toBe(locked + 1);
  });

  it("a firing with the ACK still due counts DelayedACKLocked once; the deferred handler sends it (DelayedACKs)", async () => {
    const { w, t, sk, c, nstat, rcv, run } = await quietReceiver();
    const t0 = w.loop.now;
    rcv(0, 1000);
    c.owned = true;
    const locked = nstat.get("TcpExtDelayedACKLocked");
    const delayed = nstat.get("TcpExtDelayedACKs");
    expect(run(50e6)).toEqual([]);
    expect(nstat.get("TcpExtDelayedACKLocked")).toBe(locked + 1);
    releaseSock(t, sk, c);
    const acks = run(0);
    expect(acks.map((a) => [a.at - t0, a.ack])).toEqual([[50e6, 1000]]);
    expect(nstat.get("TcpExtDelayedACKs")).toBe(delayed + 1);
  });
});
