// tcp_ca_event (6.12): tcp_end_cwnd_reduction raises CA_EVENT_COMPLETE_CWR when a Recovery (or CWR)
// episode ends, tcp_enter_loss raises CA_EVENT_LOSS with the new ssthresh; a congestion control's
// cwnd_event hook sees both. Setup: SACK, dupthresh loss marking (tcp_recovery 0), 100 ms RTT, the
// initial window of 10 out.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { ICSK_TIME_RETRANS, resetXmitTimer, writeTimerHandler } from "../../src/tcp/data-out.js";
import { CA_EVENT_COMPLETE_CWR, CA_EVENT_LOSS, TCP_CA_Open, TCP_CA_Recovery } from "../../src/tcp/cc.js";

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
    expect(events).toEqual([CA_EVENT_COMPLETE_CWR]);
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
    expect(events).toEqual([CA_EVENT_LOSS]);
    expect(ssthreshSeen).toBe(7);
  });
});
