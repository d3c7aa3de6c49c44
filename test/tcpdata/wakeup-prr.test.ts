// prr_out (6.12 net/ipv4/tcp_output.c) grows only in tcp_write_xmit (sent_pkts, while tcp_in_cwnd_reduction)
// and tcp_xmit_retransmit_queue (tcp_skb_pcount of each retransmission, same condition); tcp_write_wakeup's
// tcp_transmit_skb + tcp_event_new_data_sent leave it alone (review12c finding 9).
import { describe, expect, it } from "vitest";
import { bulk, pair, runWorld } from "./helpers.js";
import { clientConn } from "./inject.js";
import { ICSK_TIME_PROBE0 } from "../../src/tcp/data-out.js";
import { enterCwr } from "../../src/tcp/recovery.js";
import { TCP_CA_CWR } from "../../src/tcp/cc.js";

describe("tcp_write_wakeup's data segment does not count in prr_out", () => {
  it("a sender in CWR probing a zero window: the probe timer's tcp_write_wakeup sends 1000 B of the head, prr_out stays 0", async () => {
    // the receiver reads nothing: the sender ends up probing a zero window with data queued, nothing out
    const spec = pair({ durationNs: 3e9, delayNs: 10e6, app: { kind: "sink", readRate: 0 } }, [bulk()]);
    const { w } = await runWorld(spec);
    const { t, c } = clientConn(w);
    expect([c.sndWnd, c.packetsOut, c.xmitPending]).toEqual([0, 0, ICSK_TIME_PROBE0]);
    // a qdisc drop would have done this (tcp_enter_cwr): CWR, prr_out 0
    enterCwr(t, c);
    expect(c.caState).toBe(TCP_CA_CWR);
    expect(c.prrOut).toBe(0);
    // 1000 bytes of window, as an update the probe timer has not seen yet: tcp_write_wakeup's seg_size
    // min(tcp_wnd_end - seq, mss) = 1000, tcp_fragment of the head, one segment out
    c.sndWnd = 1000;
    const nxt = c.sndNxt;
    w.loop.run(c.rtoTimerAt); // icsk_retransmit_timer runs at its timer-wheel bucket
    expect(c.sndNxt - nxt).toBe(1000);
    expect(c.packetsOut).toBe(1);
    expect(c.caState).toBe(TCP_CA_CWR);
    // before: 1 (segSent counted every data segment while in a cwnd reduction)
    expect(c.prrOut).toBe(0);
  });
});
