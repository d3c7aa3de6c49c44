// tcp_ca_event (6.12): tcp_end_cwnd_reduction raises CA_EVENT_COMPLETE_CWR when a Recovery (or CWR)
// episode ends, tcp_enter_loss raises CA_EVENT_LOSS with the new ssthresh; a congestion control's
// cwnd_event hook sees both. Setup: SACK, dupthresh loss marking (tcp_recovery 0), 100 ms RTT, the
// initial window of 10 out.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { ICSK_TIME_RETRANS, resetXmitTimer, writeTimerHandler } from "../../src/tcp/data-out.js";
import { CA_EVENT_COMPLETE_CWR, CA_EVENT_CWND_RESTART, CA_EVENT_LOSS, CA_EVENT_TX_START, TCP_CA_Open, TCP_CA_Recovery, type CcSock } from "../../src/tcp/cc.js";
import { appSend } from "../../src/tcp/data-out.js";
import { cubic } from "../../src/tcp/cubic.js";
import { dataAckedNotClosed } from "./held-close.js";

async function tenOut() {
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: { "net.ipv4.tcp_recovery": 0 } }, [bulk()]));
  const { t, sk, c } = clientConn(r.w);
  expect(c.packetsOut).toBe(10);
  const events: number[] = [];
  c.cc.cwndEvent = (_s, ev) => void events.push(ev);
  return { ...r, t, sk, c, events };
}

describe("tcp_ca_event", () => {
  it("Recovery ends at high_seq: tcp_end_cwnd_reduction sets cwnd to ssthresh and raises CA_EVENT_COMPLETE_CWR once", async () => {
    const { w, sk, c, events } = await tenOut();
    const una = c.sndUna;
    const mss = c.mss;
    // segment 1 lost: SACKs of 2, 3, 4 mark it (3 SACKed above the hole) and start Recovery
    for (let k = 1; k <= 3; k++) injectAck(w, sk, una, [[una + mss, una + (k + 1) * mss]]);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(events).toEqual([]);
    const high = c.highSeq;
    // everything up to high_seq ACKed: Recovery ends, cwnd = ssthresh (CUBIC: 10 x 717 / 1024 = 7)
    injectAck(w, sk, high);
    expect(c.caState).toBe(TCP_CA_Open);
    // and with nothing left in flight the new data that follows raises CA_EVENT_TX_START
    expect(c.packetsOut).toBeGreaterThan(0);
    expect(events).toEqual([CA_EVENT_COMPLETE_CWR, CA_EVENT_TX_START]);
    expect(c.ssthresh).toBe(7);
  });

  it("an RTO from Open: tcp_enter_loss raises CA_EVENT_LOSS after the new ssthresh", async () => {
    const { t, sk, c, events } = await tenOut();
    let ssthreshSeen = -1;
    c.cc.cwndEvent = (s, ev) => {
      events.push(ev);
      ssthreshSeen = s.ssthresh;
    };
    resetXmitTimer(t, c, ICSK_TIME_RETRANS, 0);
    writeTimerHandler(t, sk, c);
    // then the head's retransmission leaves with nothing in flight (all 10 marked lost): tcp_event_data_sent
    // raises CA_EVENT_TX_START
    expect(events).toEqual([CA_EVENT_LOSS, CA_EVENT_TX_START]);
    expect(ssthreshSeen).toBe(7);
  });

  it("data sent with nothing in flight raises CA_EVENT_TX_START (tcp_event_data_sent), then lsndtime moves; not while data is out", async () => {
    const { w, t, sk, c } = await dataAckedNotClosed();
    const events: number[] = [];
    const lsnd: number[] = [];
    c.cc.cwndEvent = (s, ev) => {
      events.push(ev);
      lsnd.push(s.lsndtime);
    };
    const before = c.lsndtime;
    // the loop stops at its last event: icsk_retransmit_timer, armed when the data left at jiffy 0 (expires 0 +
    // 201, level 1: the next multiple of 8 jiffies) and still queued after the ACK cleared icsk_pending, runs at
    // 208 ms and finds nothing to do
    w.loop.run(w.loop.now + 1e9);
    expect([before, w.loop.now]).toEqual([0, 208e6]);
    appSend(t, sk, c, 1000);
    // idle 208 ms > icsk_rto (201): tcp_slow_start_after_idle_check -> tcp_cwnd_restart first
    expect(events).toEqual([CA_EVENT_CWND_RESTART, CA_EVENT_TX_START]);
    // the hook sees the lsndtime of the last data sent, 208 ms earlier
    expect(lsnd).toEqual([before, before]);
    expect(c.lsndtime).toBe(t.jiffies());
    // a full segment more goes out (Nagle would hold a small one) with the first still in flight
    appSend(t, sk, c, 3000);
    expect(c.packetsOut).toBeGreaterThanOrEqual(2);
    expect(events).toEqual([CA_EVENT_CWND_RESTART, CA_EVENT_TX_START]);
  });
});

describe("CUBIC and CA_EVENT_TX_START (cubictcp_cwnd_event)", () => {
  /** A CUBIC socket in congestion avoidance at cwnd 100 whose epoch began at 10 s (one ACK then). */
  const inCa = () => {
    const cc = cubic();
    const sk: CcSock = { cwnd: 100, ssthresh: 50, cwndCnt: 0, mss: 1448, inFlight: 100, srttUs: 0, now: 10e9, lsndtime: 10_000, jiffyUs: 1000, cwndLimited: true, delivered: 0, deliveryRateBps: 0, priorCwnd: 0 };
    cc.init(sk);
    cc.congAvoid!(sk, 1);
    return { cc, sk };
  };

  it("after 5 s idle the epoch moves by the idle time: growth resumes on the curve where it stopped", () => {
    // the control never idles: 40 more ACKs at 10 s
    const ctl = inCa();
    for (let i = 0; i < 40; i++) ctl.cc.congAvoid!(ctl.sk, 1);
    // idle from 10 s (lsndtime) to 15 s, then the same 40 ACKs
    const { cc, sk } = inCa();
    sk.now = 15e9;
    cc.cwndEvent?.(sk, CA_EVENT_TX_START);
    for (let i = 0; i < 40; i++) cc.congAvoid!(sk, 1);
    expect([sk.cwnd, sk.cwndCnt]).toEqual([ctl.sk.cwnd, ctl.sk.cwndCnt]);
    // without the shift t would be 5 s into the curve: bictcp_update's target 50 segments higher, cnt 2
    expect(sk.cwnd).toBeLessThan(105);
  });
});
