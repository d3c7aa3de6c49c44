// A FIN sent on its own is retransmitted (6.12 tcp_send_fin queues an skb that
// eats a sequence number and stays in the retransmit queue until ACKed): the
// loss probe or the RTO resends a lost FIN, and FIN_WAIT1 / LAST_ACK wait for
// its ACK. A tap on the wire drops chosen FIN frames. The server's application closes at EOF: the ACK of the
// client's FIN is a delayed one (tcp_fin, pingpong mode) that its FIN|ACK carries. The client in FIN_WAIT1
// takes that FIN|ACK on its full socket (tcp_rcv_state_process keeps it in FIN_WAIT2 when th->fin) and goes to
// TIME_WAIT: nothing dropped. A client that got the ACK of its FIN alone is a FIN_WAIT2 timewait sock
// (tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)): the server's FIN reaching it is dropped NOT_SPECIFIED (tcp_v4_rcv's
// discard_it).
// The loss probe and the RTO are icsk_retransmit_timer, a timer_list (kernel/time/timer.c: calc_wheel_index,
// HZ=1000): the FINs leave in jiffy 0; a PTO or RTO of 201 jiffies is level 1 (63 <= delta < 504), run at the
// next multiple of 8 after the expiry: 0 + 201 -> 208 ms; re-armed from that callback, 208 + 201 = 409 -> 416 ms.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { TCPHDR_FIN } from "../../src/wire/tcp.js";
import { TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_TIME_WAIT } from "../../src/tcp/constants.js";
import { injectAck } from "./inject.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { pair, bulk } from "./helpers.js";

/** A TCP frame on the wire as the tap sees it. */
interface Frame {
  from: number;
  flags: number;
  seq: number;
  ack: number;
  /** when it left the sender (ns) */
  at: number;
  /** SACK blocks (left, right) as sent */
  sack: [number, number][];
}

/** Run a 1000-byte transfer a -> b (the FIN leaves on its own after the data); `lose` picks frames to drop. */
async function runLosing(lose: (f: Frame) => boolean, durationNs = 2e9, clientSysctl: Record<string, number> = {}) {
  const spec = pair({ durationNs, delayNs: 50_000, clientSysctl }, [bulk({ bytes: 1000 })]);
  const core = await createCore(coreConfigFor(spec));
  let dirs: { config: { loss: number } }[] = [];
  const tap = (h: number, at: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    const th = ip + 20; // IPv4 without options
    const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    const sack: [number, number][] = [];
    // the TCP options after the 20-byte header: kind 5 is SACK (RFC 2018), 8 bytes per block
    for (let o = th + 20, end = th + (b[th + 12]! >> 4) * 4; o < end; ) {
      const kind = b[o]!;
      if (kind === 0) break;
      if (kind === 1) {
        o++;
        continue;
      }
      if (kind === 5) for (let p = o + 2; p < o + b[o + 1]!; p += 8) sack.push([u32(p), u32(p + 4)]);
      o += b[o + 1]!;
    }
    const f = { from: b[ip + 15]!, flags: b[th + 13]!, seq: u32(th + 4), ack: u32(th + 8), at, sack };
    // the link's loss model, per frame: this one only
    const l = lose(f) ? 1 : 0;
    for (const d of dirs) d.config.loss = l;
  };
  const w = new World(core, spec, tap);
  dirs = (w as unknown as { directions: { config: { loss: number } }[] }).directions;
  const result = w.run();
  return { w, report: buildReport(w, result) };
}

/** Drop the FIN frames of host `from` (1 = a, 2 = b) whose ordinal (0 = its first FIN) is in `drop`;
 *  `fins` gets the send time of each. */
async function runDroppingFins(from: 1 | 2, drop: number[]) {
  const fins: number[] = [];
  const r = await runLosing((f) => {
    if (f.from !== from || !(f.flags & TCPHDR_FIN)) return false;
    fins.push(f.at);
    return drop.includes(fins.length - 1);
  });
  return { ...r, fins };
}

const clientSock = (w: World): TcpSock | undefined => {
  const pt = [...w.host("a").stack.tcp.ports.values()][0];
  return pt === undefined ? undefined : ([...pt.conns.values()][0] as TcpSock | undefined);
};

describe("a FIN on its own is retransmitted (tcp_send_fin, tcp_retransmit_skb)", () => {
  it("the client's FIN lost: the loss probe (PTO capped at the RTO, ~200 ms) resends it; both ends finish", async () => {
    const { w, fins, report } = await runDroppingFins(1, [0]);
    const a = w.host("a").nstat;
    expect(fins.length).toBe(2);
    // RTO = srtt + 200 ms (rto_min), the PTO 2 srtt + 200 ms is capped at it: 201 jiffies from jiffy 0 -> 208
    expect(fins.map((f) => Math.floor(f / 1e6))).toEqual([0, 208]);
    expect(a.get("TcpExtTCPLossProbes")).toBe(1);
    // tcp_process_tlp_ack: the FIN's ACK is exactly tlp_high_seq (nothing can follow a FIN), never after it
    expect(a.get("TcpExtTCPLossProbeRecovery")).toBe(0);
    expect(a.get("TcpRetransSegs")).toBe(1);
    expect(a.get("TcpExtTCPTimeouts")).toBe(0);
    expect(clientSock(w)?.state).toBe(TCP_TIME_WAIT);
    // the server's socket is gone (LAST_ACK ended on the client's ACK)
    expect(w.host("b").stack.tcp.ports.get(5001)!.conns.size).toBe(0);
    expect(report.flows[0]!.bytes).toBe(1000);
    // the server's one FIN|ACK reached the client's full FIN_WAIT1 socket (before, with an ACK of its own first:
    // + NOT_SPECIFIED 1 at the FIN_WAIT2 timewait sock)
    expect(report.ledger.dropped).toEqual({ LINK_LOSS: 1 });
    expect(report.ledger.unaccounted).toBe(0);
  });

  it("the FIN and its loss probe lost: the RTO resends it (TCPTimeouts, backed-off timer)", async () => {
    const { w, fins, report } = await runDroppingFins(1, [0, 1]);
    const a = w.host("a").nstat;
    expect(fins.length).toBe(3);
    // after the probe tcp_rearm_rto restarts the RTO from now: 208 + 201 = 409 -> 416
    expect(fins.map((f) => Math.floor(f / 1e6))).toEqual([0, 208, 416]);
    expect(a.get("TcpExtTCPLossProbes")).toBe(1);
    expect(a.get("TcpExtTCPTimeouts")).toBe(1);
    expect(a.get("TcpRetransSegs")).toBe(2);
    expect(clientSock(w)?.state).toBe(TCP_TIME_WAIT);
    expect(report.ledger.dropped).toEqual({ LINK_LOSS: 2 });
  });

  it("the server's FIN lost: LAST_ACK resends it; the client in FIN_WAIT2 gets it and enters TIME_WAIT", async () => {
    // the server's FIN|ACK (it carries the ACK of the client's FIN) and its loss probe are lost: the probe's
    // timeout is 2·srtt + TCP_RTO_MIN = 201 jiffies (srtt ~100 us from the handshake, tcp_synack_rtt_meas), run
    // at jiffy 208 like the client's (both FINs left in jiffy 0), just before it; it would otherwise take the
    // client from FIN_WAIT1 to TIME_WAIT at once. The client's probe then draws the ACK that puts it in
    // FIN_WAIT2; the server's RTO (201 jiffies after its probe, tcp_rearm_rto: 409 -> 416) resends the FIN
    const { w, fins, report } = await runDroppingFins(2, [0, 1]);
    expect(fins.map((f) => Math.floor(f / 1e6))).toEqual([0, 208, 416]);
    expect(w.host("b").nstat.get("TcpExtTCPLossProbes")).toBe(1);
    expect(w.host("b").nstat.get("TcpRetransSegs")).toBe(2);
    expect(clientSock(w)?.state).toBe(TCP_TIME_WAIT);
    expect(w.host("b").stack.tcp.ports.get(5001)!.conns.size).toBe(0);
    // the FIN_WAIT2 timewait sock ACKs the server's FIN and drops it (NOT_SPECIFIED)
    expect(report.ledger.dropped).toEqual({ LINK_LOSS: 2, NOT_SPECIFIED: 1 });
  });

  it("the server's FIN|ACK lost: the client's retransmitted FIN is a duplicate at the server (LAST_ACK), answered at once (tcp_send_dupack)", async () => {
    // the server's ACK of the FIN waits (CLOSE_WAIT, pingpong: a delayed ACK) and rides its own FIN (its
    // application closes at EOF): that one FIN|ACK is lost, and its loss probe too (at jiffy 208, just before
    // the client's probe: see the case above), so the client is still in FIN_WAIT1 when the answer comes
    let finSeq = -1;
    let dropped = 0;
    const clientFins: number[] = [];
    const serverAcksOfFin: number[] = [];
    const sacks: [number, number][][] = [];
    const { w, report } = await runLosing((f) => {
      if (f.from === 1 && f.flags & TCPHDR_FIN) {
        finSeq = f.seq;
        clientFins.push(f.at);
        return false;
      }
      if (f.from === 2 && finSeq >= 0 && f.ack === ((finSeq + 1) >>> 0)) {
        serverAcksOfFin.push(f.at);
        sacks.push(f.sack);
        return dropped++ < 2;
      }
      return false;
    });
    const a = w.host("a").nstat;
    const b = w.host("b").nstat;
    // the client's FIN went twice (the loss probe); the server answered the duplicate with an ACK
    expect(clientFins.length).toBe(2);
    expect(b.get("TcpExtDelayedACKLost")).toBe(1);
    expect(a.get("TcpExtTCPLossProbes")).toBe(1);
    // FIN|ACK and its loss probe (lost), the duplicate's ACK, then the server's FIN again from its RTO
    expect(serverAcksOfFin.length).toBe(4);
    // tcp_data_queue -> tcp_dsack_set(seq, end_seq): the duplicate's one sequence number, below rcv_nxt
    // (TCPDSACKOldSent); only the third of those segments, the answer to the duplicate, carries it
    expect(sacks).toEqual([[], [], [[finSeq, (finSeq + 1) >>> 0]], []]);
    expect(b.get("TcpExtTCPDSACKOldSent")).toBe(1);
    expect(b.get("TcpExtTCPDSACKOfoSent")).toBe(0);
    // tcp_check_dsack: start_seq below the ACK (ack_seq = FIN + 1); tcp_dsack_seen: one duplicate of the one
    // retransmission (the loss probe)
    expect(a.get("TcpExtTCPDSACKRecv")).toBe(1);
    expect(a.get("TcpExtTCPDSACKRecvSegs")).toBe(1);
    expect(a.get("TcpExtTCPDSACKIgnoredDubious")).toBe(0);
    expect(a.get("TcpExtTCPLossProbeRecovery")).toBe(0);
    // the server's FIN: its loss probe and its RTO
    expect(b.get("TcpRetransSegs")).toBe(2);
    expect(clientSock(w)?.state).toBe(TCP_TIME_WAIT);
    expect(w.host("b").stack.tcp.ports.get(5001)!.conns.size).toBe(0);
    // the answer to the duplicate ACKed the client's FIN alone: a FIN_WAIT2 timewait sock, which drops the
    // server's retransmitted FIN after ACKing it
    expect(report.ledger.dropped).toEqual({ LINK_LOSS: 2, NOT_SPECIFIED: 1 });
  });

  it("in FIN_WAIT2 (FIN ACKed, nothing out) an ACK D-SACKing the FIN's duplicate still reaches tcp_ack's SACK check", async () => {
    // every ACK of the client's FIN lost for 300 ms: the loss probe has resent it (one retransmission).
    // tcp_fin_timeout 61 s (> TCP_TIMEWAIT_LEN): the orphan keeps its full socket in FIN_WAIT2 on the keepalive
    // timer (tcp_rcv_state_process); with 60 s it would be a timewait sock, which drops that ACK as a duplicate
    let finSeq = -1;
    const { w } = await runLosing(
      (f) => {
        if (f.from === 1 && f.flags & TCPHDR_FIN) finSeq = f.seq;
        return f.from === 2 && finSeq >= 0 && f.ack === ((finSeq + 1) >>> 0);
      },
      300e6,
      { "net.ipv4.tcp_fin_timeout": 61 },
    );
    const sk = clientSock(w)!;
    const c = sk.conn!;
    const a = w.host("a").nstat;
    expect(sk.state).toBe(TCP_FIN_WAIT1);
    expect(a.get("TcpRetransSegs")).toBe(1);
    const fin = c.writeSeq;
    injectAck(w, sk, fin + 1);
    expect(sk.state).toBe(TCP_FIN_WAIT2);
    expect(c.packetsOut).toBe(0);
    expect(a.get("TcpExtTCPDSACKRecv")).toBe(0);
    // the peer's answer to the probe: same ACK, D-SACK of the FIN's sequence number (tcp_check_dsack: below ack_seq)
    injectAck(w, sk, fin + 1, [[fin, fin + 1]]);
    expect(a.get("TcpExtTCPDSACKRecv")).toBe(1);
    expect(a.get("TcpExtTCPDSACKRecvSegs")).toBe(1);
    expect(sk.state).toBe(TCP_FIN_WAIT2);
  });
});
