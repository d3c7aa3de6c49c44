// A socket that moved no data (a `connect` client, a handshake-only server child) retransmits its FIN as
// 6.12 does for any socket: tcp_send_fin queues a FIN skb that stays in the retransmit queue until ACKed,
// so the loss probe and the RTO resend it. A tap on the wire drops chosen FIN frames. The probe and the RTO are
// icsk_retransmit_timer, a timer_list (kernel/time/timer.c: calc_wheel_index, HZ=1000): the client's FIN leaves
// in jiffy 10; 201 jiffies is level 1 (63 <= delta < 504), run at the next multiple of 8 after the expiry:
// 211 -> 216; re-armed from that callback, 216 + 201 = 417 -> 424.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { TCPHDR_FIN } from "../../src/wire/tcp.js";
import { serverWorld, connect, closed } from "./helpers.js";

/** One client connects, holds 10 ms and closes; FIN frames from `from` (1 client, 2 server) whose ordinal
 *  is in `drop` are lost; `fins` gets each one's send time. */
async function closeDroppingFins(from: 1 | 2, drop: number[]) {
  const spec = serverWorld({ accept: true, durationNs: 3e9 }, [connect(1, { holdNs: 10e6 })]);
  const core = await createCore(coreConfigFor(spec));
  const fins: number[] = [];
  let dirs: { config: { loss: number } }[] = [];
  const tap = (h: number, at: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    const fin = b[ip + 15] === from && (b[ip + 20 + 13]! & TCPHDR_FIN) !== 0;
    if (fin) fins.push(at);
    const l = fin && drop.includes(fins.length - 1) ? 1 : 0;
    for (const d of dirs) d.config.loss = l;
  };
  const w = new World(core, spec, tap);
  dirs = (w as unknown as { directions: { config: { loss: number } }[] }).directions;
  const result = w.run();
  return { w, fins, report: buildReport(w, result) };
}

describe("FIN retransmission of sockets without data", () => {
  it("the client's FIN lost: the loss probe resends it at the RTO (SYN RTT sample: srtt + 200 ms)", async () => {
    const { fins, report } = await closeDroppingFins(1, [0]);
    const c = report.hosts.client!.nstat;
    expect(fins.length).toBe(2);
    // rto = m + max(2m, 200 ms) from the handshake's ~0.1 ms sample; the PTO (2 srtt + 200 ms) is capped at it
    expect(fins.map((f) => Math.floor(f / 1e6))).toEqual([10, 216]);
    expect(c.TcpExtTCPLossProbes).toBe(1);
    expect(c.TcpRetransSegs).toBe(1);
    expect(c.TcpExtTCPLossProbeRecovery).toBeUndefined();
    expect(report.hosts.client!.tcpStates).toEqual({ TIME_WAIT: 1 });
    expect(report.hosts.server!.tcpStates).toEqual({ LISTEN: 1 });
    // the server child's ACK of the probe's FIN is a delayed one (tcp_fin: pingpong mode) that its FIN|ACK carries
    // (its application closes at EOF): the client's full FIN_WAIT1 socket takes it to TIME_WAIT, nothing dropped
    // (before: a bare ACK first made a FIN_WAIT2 timewait sock, which dropped the FIN NOT_SPECIFIED)
    expect(report.ledger.dropped).toEqual({ LINK_LOSS: 1 });
    closed(report);
  });

  it("the client's FIN and its probe lost: the RTO resends it, then backs off", async () => {
    const { fins, report } = await closeDroppingFins(1, [0, 1]);
    const c = report.hosts.client!.nstat;
    expect(fins.length).toBe(3);
    expect(fins.map((f) => Math.floor(f / 1e6))).toEqual([10, 216, 424]);
    expect(c.TcpExtTCPLossProbes).toBe(1);
    expect(c.TcpExtTCPTimeouts).toBe(1);
    expect(c.TcpRetransSegs).toBe(2);
    expect(report.hosts.client!.tcpStates).toEqual({ TIME_WAIT: 1 });
    closed(report);
  });

  it("the server child's FIN lost (LAST_ACK): it is resent and both ends finish", async () => {
    // its FIN|ACK and that FIN's loss probe: the probe goes 2·srtt + TCP_RTO_MIN = 201 jiffies after it (srtt
    // ~100 us from the handshake, tcp_synack_rtt_meas), at jiffy 216 with the client's own probe, and would take the client
    // from FIN_WAIT1 to TIME_WAIT at once; lost, the client's probe draws the ACK (FIN_WAIT2) and the RTO resends
    const { fins, report } = await closeDroppingFins(2, [0, 1]);
    expect(fins.length).toBe(3);
    expect(report.hosts.server!.nstat.TcpExtTCPLossProbes).toBe(1);
    expect(report.hosts.server!.nstat.TcpRetransSegs).toBe(2);
    expect(report.hosts.client!.tcpStates).toEqual({ TIME_WAIT: 1 });
    expect(report.hosts.server!.tcpStates).toEqual({ LISTEN: 1 });
    closed(report);
  });
});
