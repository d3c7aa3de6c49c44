// A connection whose peer went silent is aborted as 6.12 does it (net/ipv4/tcp_timer.c):
// tcp_retransmit_timer asks tcp_write_timeout first; retransmits_timed_out compares the time since the
// first RTO retransmission (retrans_stamp, ms) with tcp_model_timeout(tcp_retries2, TCP_RTO_MIN): for 15,
// linear_backoff_thresh = ilog2(120000 / 200) = 9, so (2^10 − 1)·200 + (15 − 9)·120000 = 924600 ms.
// The abort comes with the first RTO at or past that budget. A LAN connection's RTO is srtt + rttvar
// (≥ 200 ms) rounded up to a jiffy: 201 ms here. Each RTO is re-armed from the previous one's callback for
// min(201·2^i, 120000) jiffies, and icsk_retransmit_timer is a timer_list: it runs at its expiry rounded up to
// its wheel level's grid (kernel/time/timer.c: calc_wheel_index, HZ=1000; level 1 below 504 jiffies: 8,
// level 2 below 4032: 64, level 3 below 32256: 512, level 4: 4096). The link dies at 5 ms; the loss probe
// runs at jiffy 9, and its tcp_rearm_rto (from the callback, base clk 10) arms 9 + 201 = 210 -> 216: the
// first RTO. Then 216 + 402 = 618 -> 624, + 804 = 1428 -> 1472, + 1608 = 3080 -> 3136, + 3216 = 6352 ->
// 6400, + 6432 = 12832 -> 13312, + 12864 = 26176 -> 26624, + 25728 = 52352 -> 52736, + 51456 = 104192 ->
// 106496, + 102912 = 209408 -> 212992, then + 120000 each: 335872, 458752, 581632, 704512, 827392, 950272.
// Since the first (retrans_stamp 216): the 15th RTO after it 827176 ms < 924600, the 16th 950056 ms, which
// aborts: 15 retransmissions, 16 TCPTimeouts. (Without the wheel: Σ 201·2^i, 925422 ms.)
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { LinkConfig } from "../../src/net/link.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { modelTimeoutMs } from "../../src/tcp/write-timeout.js";
import { pair, bulk, deadLinkWorld, smallMtu, reordering } from "./helpers.js";

/** Run `spec` with its one link dead (every frame lost, both ways) from `deadAt` on; the time of each
 *  TCPAbortOnTimeout at host a is recorded. */
async function runDeadLink(spec: WorldSpec, deadAt = Infinity) {
  const w = await deadLinkWorld(spec, deadAt);
  const n = w.host("a").nstat;
  const abortId = n.id("TcpExtTCPAbortOnTimeout");
  const aborts: number[] = [];
  const add = n.add.bind(n);
  n.add = (id: number, v = 1) => {
    if (id === abortId) aborts.push(w.loop.now);
    add(id, v);
  };
  const result = w.run();
  const rec = [...w.flows.values()][0]!;
  return { w, n, aborts, result, c: rec.sender!, t: w.host("a").stack.tcp };
}

describe("tcp_model_timeout", () => {
  it("the RTO budgets of tcp_retries2 from TCP_RTO_MIN (ms)", () => {
    expect(modelTimeoutMs(15, 200)).toBe(924_600);
    expect(modelTimeoutMs(8, 200)).toBe(102_200); // tcp_orphan_retries 0 -> 8: (2^9 - 1)·200
    expect(modelTimeoutMs(9, 200)).toBe(204_600);
    expect(modelTimeoutMs(10, 200)).toBe(324_600); // 204600 + 1·120000
    expect(modelTimeoutMs(3, 200)).toBe(3_000);
  });
});

describe("tcp_write_timeout: an established connection over a link that goes dead", () => {
  it("default tcp_retries2 15: aborted by the 16th RTO, 925.422 s after the first retransmission; ledger closed", async () => {
    const spec = pair({ durationNs: 1000e9 }, [bulk()]);
    const { w, n, aborts, result, c, t } = await runDeadLink(spec, 5e6);
    expect(c.rtt.rtoUs).toBe(201_000);
    expect(aborts.length).toBe(1);
    expect(c.retransStamp).toBe(216);
    expect(aborts[0]! - c.retransStamp * 1e6).toBe(950_056e6);
    expect(c.retransmits).toBe(15);
    expect(c.sockErr).toBe(110); // ETIMEDOUT
    expect(n.get("TcpExtTCPTimeouts")).toBe(16);
    expect(n.get("TcpEstabResets")).toBe(1);
    // tcp_done: the socket is gone from host a
    expect(t.states()).toEqual({});
    expect(result.ledger.unaccounted).toBe(0);
    expect(w.inFlight()).toBe(0);
  });

  it("tcp_retries2 3: budget (2^4 − 1)·200 = 3000 ms; RTOs 408, 1256, 2920 ms after the first (on the timer wheel), then 6184 ms: abort after 4 retransmissions", async () => {
    const spec = pair({ durationNs: 20e9, clientSysctl: { "net.ipv4.tcp_retries2": 3 } }, [bulk()]);
    const { n, aborts, c } = await runDeadLink(spec, 5e6);
    expect(c.rtt.rtoUs).toBe(201_000);
    expect(aborts.length).toBe(1);
    // the RTOs at jiffies 216, 624, 1472, 3136, 6400 (see the top)
    expect(Math.floor(aborts[0]! / 1e6) - c.retransStamp).toBe(6184);
    expect(c.retransmits).toBe(4);
    expect(n.get("TcpExtTCPTimeouts")).toBe(5);
  });
});

describe("tcp_retransmit_skb stamps retrans_stamp even when the attempt fails", () => {
  it("tcp_retries2 3, every skb allocation on host a failing once the link is dead: each RTO's attempt fails (TCPRetransFail), retrans_stamp is the head's last send time, and the RTO 2928 ms after the first aborts", async () => {
    const spec = pair({ durationNs: 20e9, clientSysctl: { "net.ipv4.tcp_retries2": 3 } }, [bulk()]);
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec, () => {});
    const t = w.host("a").stack.tcp;
    const alloc = t.env.alloc.bind(t.env);
    let failing = false;
    (t.env as { alloc: () => number }).alloc = () => (failing ? -1 : alloc());
    const kill = w.loop.register("test: link dead, no skbs", () => {
      for (const d of w.linkDirections()) (d as unknown as { config: LinkConfig }).config.loss = 1;
      failing = true;
    });
    w.loop.at(5e6, kill, 0);
    const n = w.host("a").nstat;
    const abortId = n.id("TcpExtTCPAbortOnTimeout");
    const firstRto: number[] = [];
    const aborts: number[] = [];
    const add = n.add.bind(n);
    n.add = (id: number, v = 1) => {
      if (id === abortId) aborts.push(w.loop.now);
      if (id === n.id("TcpExtTCPTimeouts") && firstRto.length === 0) firstRto.push(w.loop.now);
      add(id, v);
    };
    w.run();
    const c = [...w.flows.values()][0]!.sender!;
    expect(c.rtt.rtoUs).toBe(201_000);
    // the loss probe finds no skb: tcp_rearm_rto keeps the head's RTO time (icsk_pending still LOSS_PROBE:
    // tcp_rto_delta_us), 201 jiffies after its last send in jiffy 4: 205, level 1 of the wheel -> 208
    const first = Math.floor(firstRto[0]! / 1e6);
    expect(c.retransStamp).toBe(4);
    expect(first).toBe(208);
    // RTOs from each callback: + 402 = 610 -> 616, + 804 = 1420 -> 1472, + 1608 = 3080 -> 3136: 3136 - 4 >= 3000
    // since the stamp, so the fourth RTO aborts (a stamp taken at the first RTO, as a retransmission that went
    // would set it, lasts to 6400)
    expect(aborts.length).toBe(1);
    expect(Math.floor(aborts[0]! / 1e6) - first).toBe(2928);
    expect(c.retransmits).toBe(3);
    expect(n.get("TcpExtTCPTimeouts")).toBe(4);
    // each of the 3 RTOs that retransmitted counted RetransSegs before the failed tcp_transmit_skb
    expect(n.get("TcpExtTCPRetransFail")).toBe(3);
    expect(c.sockErr).toBe(110);
  });
});

describe("orphans (closed by the application, SOCK_DEAD): tcp_orphan_retries", () => {
  it("RTO: tcp_orphan_retries 0 reads as 8 while icsk_rto < 120 s: budget (2^9 − 1)·200 = 102200 ms; the 9th RTO, 106288 ms after the first on the timer wheel, aborts", async () => {
    // the whole 100 KB fits the send buffer: the application writes it, closes (FIN queued) while it is in flight
    const spec = pair({ durationNs: 200e9, clientSysctl: { "net.ipv4.tcp_wmem": [4096, 1048576, 4194304] } }, [bulk({ bytes: 100_000 })]);
    const { n, aborts, c, w } = await runDeadLink(spec, 200e3);
    expect(c.rtt.rtoUs).toBe(201_000);
    expect(c.finQueued).toBe(true);
    expect(aborts.length).toBe(1);
    // the first RTO at jiffy 208, then from each callback + 402 = 610 -> 616, + 804 = 1420 -> 1472, then as at the
    // top of the file: 3136, 6400, 13312, 26624, 52736 (52528 after the first, below the budget), 106496
    expect(c.retransStamp).toBe(208);
    expect(Math.floor(aborts[0]! / 1e6) - c.retransStamp).toBe(106_288);
    expect(c.retransmits).toBe(8);
    expect(n.get("TcpExtTCPTimeouts")).toBe(9);
    // FIN_WAIT1 -> CLOSE: no EstabResets
    expect(n.get("TcpEstabResets")).toBe(0);
    expect(w.host("a").stack.tcp.states()).toEqual({});
  });
});

describe("tcp_probe_timer: zero-window probes", () => {
  it("a peer that answers keeps the connection open; once it goes silent, 15 unanswered probes (tcp_retries2) abort it", async () => {
    const spec = pair({ durationNs: 3000e9, delayNs: 10e6, app: { kind: "sink", readRate: 0 } }, [bulk()]);
    const { n, aborts, c, result } = await runDeadLink(spec, 2e9);
    expect(c.sndWnd).toBe(0);
    expect(aborts.length).toBe(1);
    expect(aborts[0]).toBeGreaterThan(2e9 + 15 * 200e6);
    expect(c.probesOut).toBe(15);
    expect(c.sockErr).toBe(110);
    expect(n.get("TcpExtTCPWinProbe")).toBeGreaterThan(15);
    expect(n.get("TcpEstabResets")).toBe(1);
    expect(result.ledger.unaccounted).toBe(0);
  });

  it("an orphan: tcp_orphan_retries 0 is 8 only while icsk_rto << icsk_backoff < 120 s: with an RTO of 212 ms (2 ms RTT, queueing, delayed ACKs), 212 << 9 < 120 s <= 212 << 10: the 11th probe timer aborts, the peer answering every probe", async () => {
    // the receiver reads nothing; the sender writes all 300 KB, more than the receive buffer, and closes. The
    // receiver's delayed ACK of 72400 (45 ms, a 42 ms sample) opens the window to 89808: tcp_mss_split_point
    // fills it to its edge, the last 32 B included (nothing small unACKed: tcp_nagle_check false), at 46 ms.
    // The loss probe (63 ms) retransmits those 32 B: old data at the receiver, whose ACK tcp_ack_snd_check
    // delays to 87 ms (free space below half: __tcp_select_window clears quick-ack mode); its tsecr is the
    // 46 ms original's (old data does not update ts_recent), a 42 ms sample: srtt 91037 / 8 us, rttvar
    // 200 ms (TCP_RTO_MIN), RTO ceil(11.38 + 200) = 212 ms
    const spec = pair(
      { durationNs: 400e9, delayNs: 1e6, app: { kind: "sink", readRate: 0 }, clientSysctl: { "net.ipv4.tcp_wmem": [4096, 1048576, 4194304] } },
      [bulk({ bytes: 300_000 })],
    );
    const { n, aborts, c, w } = await runDeadLink(spec);
    expect(c.sndWnd).toBe(0);
    expect(c.finQueued).toBe(true);
    expect(c.rtt.rtoUs).toBe(212_000);
    expect(aborts.length).toBe(1);
    expect(c.icskBackoff).toBe(10);
    // every probe was answered
    expect(c.probesOut).toBeLessThanOrEqual(1);
    expect(n.get("TcpExtTCPWinProbe")).toBe(10);
    expect(w.host("a").stack.tcp.states()).toEqual({});
  });
});

describe("tcp_retransmit_timer with the peer's window at 0 (tcp_rtx_probe0_timed_out)", () => {
  // a receiver that reads nothing with an 8 KB buffer drops segments it had room for in the window
  // (TCPZeroWindowDrop) and then advertises 0: data is out, snd_wnd is 0. The segments are small (MTU 300:
  // MSS 248 with timestamps) so that each costs more truesize per byte than the receive window's estimate
  // (tcp_win_from_space) allows for: a sender that keeps to the window still overruns the buffer. (With
  // full-sized segments it never does: the window closes with nothing out, and the probe timer runs.) The
  // link reorders 5% of the frames: in order, tcp_rcv_established's fast path would take the small segments
  // (truesize within sk_forward_alloc: no sk_rcvbuf check) and the buffer would never refuse one; an
  // out-of-order queue turns header prediction off, so the segments meet tcp_data_queue's limits.
  const spec = (durationNs: number) =>
    reordering(smallMtu(pair({ durationNs, delayNs: 1e6, app: { kind: "sink", readRate: 0 }, sysctl: { "net.ipv4.tcp_rmem": [4096, 8192, 8192] } }, [bulk()])), 0.05);

  it("without the reordering the window closes with nothing out: no segment refused (why the worlds reorder)", async () => {
    // Measured on 6.18.44 (veth MTU 300, offloads off, receiver tcp_rmem 4096 8192 8192, never read, in order):
    // after 3.7 s the sender had nothing unacknowledged and was probing the zero window (backoff 4, TCPWinProbe
    // 4); the receiver took 24 of its 30 data segments on the fast path (TCPHPHits) and refused none (no
    // TcpExtRcvPruned, TCPRcvQDrop or TCPZeroWindowDrop; its only drops were the loss probes' duplicates).
    // The fast path looks only at sk_forward_alloc; sk_rcvbuf is checked where prediction is turned back on
    // (tcp_data_queue's tcp_fast_path_check) and where step5's tcp_try_rmem_schedule prunes (collapse makes room).
    const { w, c } = await runDeadLink(smallMtu(pair({ durationNs: 4e9, delayNs: 1e6, app: { kind: "sink", readRate: 0 }, sysctl: { "net.ipv4.tcp_rmem": [4096, 8192, 8192] } }, [bulk()])));
    const nb = w.host("b").nstat;
    expect(c.sndWnd).toBe(0);
    expect(c.packetsOut).toBe(0);
    expect(c.icskBackoff).toBe(4);
    expect(w.host("a").nstat.get("TcpExtTCPWinProbe")).toBe(4);
    expect(nb.get("TcpExtTCPHPHits")).toBeGreaterThan(0);
    expect([nb.get("TcpExtRcvPruned") ?? 0, nb.get("TcpExtTCPRcvQDrop") ?? 0, nb.get("TcpExtTCPZeroWindowDrop") ?? 0]).toEqual([0, 0, 0]);
  });

  it("the receiver answers every retransmission: past the 924.6 s budget, no abort and no TCPTimeouts for these RTOs", async () => {
    const { n, aborts, c, t } = await runDeadLink(spec(1500e9));
    expect(c.sndWnd).toBe(0);
    expect(c.packetsOut).toBeGreaterThan(0);
    expect(aborts.length).toBe(0);
    // icsk_retransmits is not raised on this path
    expect(c.retransmits).toBe(0);
    expect(n.get("TcpExtTCPTimeouts")).toBe(0);
    // icsk_rto doubled up to TCP_RTO_MAX: the RTO keeps probing every 120 s
    expect(c.icskRtoUs()).toBe(120e6);
    expect(Object.keys(t.states())).toEqual(["ESTABLISHED"]);
  });

  it("once the peer is silent: aborted by the first RTO due more than 2·TCP_RTO_MAX (240 s) after the last ACK", async () => {
    const { n, aborts, c } = await runDeadLink(spec(1500e9), 10e9);
    expect(c.sndWnd).toBe(0);
    expect(aborts.length).toBe(1);
    const sinceAck = Math.floor(aborts[0]! / 1e6) - c.rcvTstamp;
    expect(c.rcvTstamp).toBeLessThan(10_000);
    // RTOs come every 120 s by then: the first after 240 s is within 120 s of it
    expect(sinceAck).toBeGreaterThan(240_000);
    expect(sinceAck).toBeLessThanOrEqual(360_000);
    expect(c.sockErr).toBe(110);
    expect(n.get("TcpExtTCPTimeouts")).toBe(0);
    expect(n.get("TcpExtTCPAbortOnTimeout")).toBe(1);
  });
});
