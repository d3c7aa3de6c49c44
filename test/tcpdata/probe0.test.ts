// Zero-window probes as 6.12 times them (tcp_probe_timer -> tcp_send_probe0,
// tcp_ack_probe): the first waits tcp_probe0_base = max(icsk_rto, 200 ms)
// (tcp_check_probe_timer); each probe raises icsk_backoff and re-arms the
// timer with base << icsk_backoff (tcp_probe0_when); and the peer's answer,
// an ACK with the window still closed, restarts that timer from its arrival
// (tcp_ack_probe), so probe k + 1 follows probe k by one round trip plus
// base << k; the receiver answers a probe at most once per 500 ms
// (tcp_sequence's tcp_send_dupack behind tcp_oow_rate_limited), and after an
// unanswered probe the next follows by base << k. A receiver that never reads
// closes its window on a bulk flow over a 10 ms one-way link.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { pair, bulk, runWorld } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { sendHead, sendHeadEnd } from "../../src/tcp/send-head.js";
import { ICSK_TIME_LOSS_PROBE, ICSK_TIME_PROBE0, ICSK_TIME_RETRANS } from "../../src/tcp/data-out.js";

describe("zero-window probe timing (tcp_probe0_when, tcp_ack_probe)", () => {
  it("probe k+1 leaves RTT + max(rto, 200 ms) << k after an answered probe k, base << k after one the receiver did not answer; icsk_backoff counts the probes", async () => {
    const spec = pair({ durationNs: 6e9, delayNs: 10e6, app: { kind: "sink", readRate: 0 } }, [bulk()]);
    const core = await createCore(coreConfigFor(spec));
    const probes: number[] = [];
    // the receiver's answer to each probe (its send time), -1 for none
    const replies: number[] = [];
    let dataEnd = 0;
    const tap = (h: number, at: number) => {
      const b = core.headers;
      const ip = h * SKB_HEADROOM + core.skb.network[h]!;
      const th = ip + 20;
      const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
      const payload = ((b[ip + 2]! << 8) | b[ip + 3]!) - 20 - (b[th + 12]! >> 4) * 4;
      const seq = u32(th + 4);
      if (b[ip + 15] === 1) {
        if (payload > 0) dataEnd = Math.max(dataEnd, (seq + payload) >>> 0);
        // tcp_xmit_probe_skb: no data, seq snd_una - 1
        else if (dataEnd !== 0 && seq === ((dataEnd - 1) >>> 0)) {
          probes.push(at);
          replies.push(-1);
        }
      } else if (probes.length > 0 && replies[probes.length - 1] === -1) replies[probes.length - 1] = at;
    };
    const w = new World(core, spec, tap);
    w.run();
    const { c, n } = clientConn(w);
    expect(c.sndWnd).toBe(0);
    const base = Math.max(c.icskRtoUs(), 200_000) * 1000;
    expect(base).toBe(229e6); // 234 ms before the receiver had the handshake's RTT sample (its delayed-ACK bound)
    expect(probes.length).toBe(4);
    expect(n.get("TcpExtTCPWinProbe")).toBe(probes.length);
    expect(c.icskBackoff).toBe(probes.length);
    // The receiver takes a probe (seq snd_una - 1: end_seq before rcv_wup) in tcp_validate_incoming's tcp_sequence:
    // TCP_OLD_SEQUENCE, answered by tcp_send_dupack unless tcp_oow_rate_limited (a pure ACK: one answer per 500
    // jiffies, TCPACKSkippedSeq). Probe 1 arrives 480 ms after probe 0 (answered): skipped; probe 2, 968 ms
    // after probe 1, and probe 3 are answered (times below). (Before: every probe answered, in tcp_data_queue.)
    expect(replies.map((r) => r >= 0)).toEqual([true, false, true, true]);
    expect(w.host("b").nstat.get("TcpExtTCPACKSkippedSeq")).toBe(1);
    expect(w.ledger.report(w.inFlight()).dropped.TCP_OLD_SEQUENCE).toBe(4);
    // The times on the timer wheel (kernel/time/timer.c: calc_wheel_index, HZ=1000): icsk_retransmit_timer runs at
    // its expiry rounded up to its level's grid. Probe 0 at jiffy 664 is answered, the reply back at 684:
    // tcp_ack_probe re-arms from there with 229 << 1 = 458: 1142, level 1 (63 <= delta < 504): the next multiple
    // of 8, 1144. Probe 1 is not answered: tcp_probe_timer re-arms from its callback with 229 << 2 = 916: 2060,
    // level 2 (504 <= delta < 4032): the next multiple of 64, 2112. Probe 2 is answered (back at 2132): 229 << 3
    // = 1832: 3964 -> 3968.
    expect(probes.map((p) => Math.floor(p / 1e6))).toEqual([664, 1144, 2112, 3968]);
    expect(replies.map((r) => (r < 0 ? -1 : Math.floor(r / 1e6)))).toEqual([674, -1, 2122, 3978]);
    for (let k = 1; k < probes.length; k++) {
      const prev = replies[k - 1]!;
      if (prev < 0) continue;
      // the reply left the receiver when the probe arrived (10 ms and a few µs on the wire), and was back 10 ms
      // later: the timer restarted then (tcp_ack_probe)
      const rtt = prev + 10e6 - probes[k - 1]!;
      expect(rtt).toBeGreaterThan(20e6);
      expect(rtt).toBeLessThan(20.1e6);
    }
  });
});

describe("tcp_ack_probe: the window must take the whole send head skb (!after(end_seq, tcp_wnd_end))", () => {
  async function probing(clientSysctl: Record<string, number> = {}) {
    const spec = pair({ durationNs: 3e9, delayNs: 10e6, app: { kind: "sink", readRate: 0 }, clientSysctl }, [bulk()]);
    const { w } = await runWorld(spec);
    const { t, sk, c } = clientConn(w);
    expect(c.sndWnd).toBe(0);
    expect(c.packetsOut).toBe(0);
    expect(sendHead(c)).toBe(true);
    expect(c.xmitPending).toBe(ICSK_TIME_PROBE0);
    expect(c.icskBackoff).toBeGreaterThan(0);
    // the head skb: the write queue's first, of size_goal (GSO)
    const segs = (sendHeadEnd(c) - c.sndNxt) / c.mss;
    expect(segs).toBeGreaterThan(1);
    return { w, t, sk, c, ws: 2 ** sk.sndWscale };
  }

  it("a window of 1.5 MSS takes the head's first MSS but not the whole skb: icsk_backoff kept, that MSS goes out and the RTO replaces the probe timer (no SACK: no loss probe)", async () => {
    const { w, t, sk, c, ws } = await probing({ "net.ipv4.tcp_sack": 0 });
    const backoff = c.icskBackoff;
    const raw = Math.floor((1.5 * c.mss) / ws);
    expect(raw * ws).toBeGreaterThan(c.mss);
    const nxt = c.sndNxt;
    injectAck(w, sk, c.sndUna, [], { window: raw });
    expect(c.sndWnd).toBe(raw * ws);
    expect(c.icskBackoff).toBe(backoff);
    // tcp_data_snd_check: the first MSS fits (tcp_snd_wnd_test); tcp_mss_split_point: max_len (cwnd_quota MSS)
    // is above the window, needed = the window, its sub-MSS part kept as nothing is out (no Nagle): up to
    // tcp_wnd_end
    expect(c.cwnd >> 1).toBeGreaterThan(1);
    expect(c.sndNxt - nxt).toBe(raw * ws);
    // tcp_event_new_data_sent with prior_packets 0: tcp_rearm_rto
    expect(c.xmitPending).toBe(ICSK_TIME_RETRANS);
    expect(c.rtoDeadline - t.now).toBe(c.icskRtoUs() * 1000);
  });

  it("a window that takes the whole head skb ends the probing: icsk_backoff 0", async () => {
    const { w, sk, c, ws } = await probing();
    const end = sendHeadEnd(c);
    const una = c.sndUna;
    const raw = Math.ceil((end - una) / ws);
    injectAck(w, sk, c.sndUna, [], { window: raw });
    expect(c.icskBackoff).toBe(0);
    // The window (raw << wscale: the head's length rounded up to 2^wscale) reopens after an idle longer than
    // the RTO: tcp_ack_update_window -> tcp_slow_start_after_idle_check -> tcp_cwnd_restart halves cwnd per
    // RTO idle but not below the initial 10 (60 -> 30 -> 15 -> 7, then max(7, 10)).
    // tcp_write_xmit then sends by tcp_cwnd_test quotas of min(max(cwnd >> 1, 1), cwnd - in_flight) MSS:
    // a head shorter than its quota is first grown from the next skb (tcp_grow_skb), tcp_tso_should_defer
    // sends (nothing out; later, limit = the send window >= min(snd_wnd, cwnd · mss) / tcp_tso_win_divisor 3),
    // and tcp_mss_split_point cuts at max_len or, past it, at the window's end, its sub-MSS part kept
    // (tcp_nagle_check: no small segment unacked). So snd_nxt = snd_una + the window, at or past the head's
    // end (past it when the head is not a multiple of 2^wscale); then tcp_schedule_loss_probe.
    expect(c.cwnd).toBe(10);
    expect(c.cwnd * c.mss).toBeGreaterThan(raw * ws);
    expect(c.sndNxt).toBe(una + raw * ws);
    expect(c.sndNxt).toBeGreaterThanOrEqual(end);
    expect(c.xmitPending).toBe(ICSK_TIME_LOSS_PROBE);
  });
});
