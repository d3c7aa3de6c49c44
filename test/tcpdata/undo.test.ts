// Undo of a spurious cwnd reduction (6.12 tcp_input.c "Undo procedures"):
// ACKs injected into a sender in the middle of a bulk transfer put it into
// Recovery (3 SACKed segments above the head) or Loss (its RTO), then D-SACKs
// or timestamp echoes older than the first retransmission undo the reduction.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { armRto, writeTimerHandler, xmitRetransmitQueue } from "../../src/tcp/data-out.js";
import { TCP_CA_Disorder, TCP_CA_Loss, TCP_CA_Open, TCP_CA_Recovery } from "../../src/tcp/cc.js";
import { TCPCB_EVER_RETRANS, TCPCB_LOST, TCPCB_SACKED_RETRANS } from "../../src/tcp/conn.js";
import { NO_UNDO } from "../../src/tcp/undo.js";
import type { World } from "../../src/sim/world.js";
import type { TcpSock } from "../../src/tcp/sock.js";

async function sender() {
  const r = await runWorld(pair({ durationNs: 3e6 }, [bulk()]));
  return { ...r, ...clientConn(r.w) };
}

/** A pure ACK to the sender: cumulative `ack` (relative), SACK blocks (relative), TSecr as a ms clock value (0 = none). */
const ack = (w: World, sk: TcpSock, ackRel: number, sack: [number, number][], tsecrMs = 0): number =>
  injectAck(w, sk, ackRel, sack, { tsecrMs });

/** SACK segments 2..4 above snd_una: the head is lost, Recovery begins and the head is retransmitted. */
function enterRecovery(w: World, sk: TcpSock) {
  const c = sk.conn!;
  const una = c.sndUna;
  const mss = c.mss;
  const before = { cwnd: c.cwnd, ssthresh: c.ssthresh };
  ack(w, sk, una, [[una + mss, una + 4 * mss]]);
  return { una, mss, before };
}

describe("undo state (tcp_init_undo, tcp_retransmit_skb)", () => {
  it("entering Recovery remembers snd_una and counts the fast retransmission; retrans_stamp is its ms clock", async () => {
    const { w, t, sk, c, n } = await sender();
    const { una, before } = enterRecovery(w, sk);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(n.get("TcpExtTCPSackRecovery")).toBe(1);
    expect(c.undoMarker).toBe(una);
    // undo_retrans starts at -1 (nothing out), the retransmission makes it 1
    expect(c.undoRetrans).toBe(1);
    expect(c.retransStamp).toBe(t.nowMs());
    // tcp_current_ssthresh outside a reduction: max(ssthresh, cwnd/2 + cwnd/4)
    expect(c.priorSsthresh).toBe(Math.max(before.ssthresh, (before.cwnd >> 1) + (before.cwnd >> 2)));
    expect(c.priorCwnd).toBe(before.cwnd);
  });
});

describe("tcp_try_undo_dsack", () => {
  it("the D-SACK of the only retransmission (below the prior snd_una) brings undo_retrans to 0: TCPDSACKUndo, cwnd back to prior_cwnd", async () => {
    const { w, sk, c, n } = await sender();
    const { una, mss, before } = enterRecovery(w, sk);
    const reduced = c.ssthresh;
    expect(reduced).toBeLessThan(before.cwnd);
    // the hole is filled: cumulative ACK past the SACKed block (still below high_seq)
    ack(w, sk, una + 4 * mss, []);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(n.get("TcpExtTCPDSACKUndo")).toBe(0);
    // the receiver got the head twice: D-SACK [una, una+mss), end ≤ prior snd_una, > undo_marker
    ack(w, sk, una + 4 * mss, [[una, una + mss]]);
    expect(n.get("TcpExtTCPDSACKRecv")).toBe(1);
    expect(n.get("TcpExtTCPDSACKUndo")).toBe(1);
    expect(c.undoMarker).toBe(NO_UNDO);
    // tcp_reno_undo_cwnd: max(cwnd, prior_cwnd) = prior_cwnd (a duplicate ACK grows nothing); ssthresh back to prior_ssthresh
    expect(c.cwnd).toBe(before.cwnd);
    expect(c.ssthresh).toBe(Math.max(before.ssthresh, (before.cwnd >> 1) + (before.cwnd >> 2)));
    expect(c.caState).toBe(TCP_CA_Open);
  });

  it("a D-SACK for data above the prior snd_una does not count (undo_retrans stays 1)", async () => {
    const { w, sk, c, n } = await sender();
    const { una, mss } = enterRecovery(w, sk);
    ack(w, sk, una, [[una, una + mss], [una + mss, una + 4 * mss]]);
    expect(c.undoRetrans).toBe(1);
    expect(n.get("TcpExtTCPDSACKUndo")).toBe(0);
  });
});

describe("timestamp undo (tcp_packet_delayed)", () => {
  it("an ACK of high_seq echoing a TSval older than the first retransmission: TCPFullUndo", async () => {
    const { w, sk, c, n } = await sender();
    const { before } = enterRecovery(w, sk);
    const stamp = c.retransStamp;
    ack(w, sk, c.highSeq, [], stamp - 1);
    expect(n.get("TcpExtTCPFullUndo")).toBe(1);
    expect(c.caState).toBe(TCP_CA_Open);
    expect(c.cwnd).toBeGreaterThanOrEqual(before.cwnd);
    expect(c.ssthresh).toBe(Math.max(before.ssthresh, (before.cwnd >> 1) + (before.cwnd >> 2)));
  });

  it("the same ACK echoing the retransmission itself: no undo, cwnd = ssthresh (tcp_end_cwnd_reduction)", async () => {
    const { w, sk, c, n } = await sender();
    enterRecovery(w, sk);
    const ss = c.ssthresh;
    ack(w, sk, c.highSeq, [], c.retransStamp);
    expect(n.get("TcpExtTCPFullUndo")).toBe(0);
    expect(c.caState).toBe(TCP_CA_Open);
    expect(c.ssthresh).toBe(ss);
    expect(c.cwnd).toBeLessThanOrEqual(ss + 1);
  });

  it("a partial ACK (below high_seq) echoing an older TSval with nothing retransmitted still out: TCPPartialUndo, loss marks cleared", async () => {
    const { w, sk, c, n } = await sender();
    const { una, mss, before } = enterRecovery(w, sk);
    ack(w, sk, una + 4 * mss, [], c.retransStamp - 1);
    expect(n.get("TcpExtTCPPartialUndo")).toBe(1);
    expect(c.lostOut).toBe(0);
    expect(c.cwnd).toBeGreaterThanOrEqual(before.cwnd);
    expect(c.caState).not.toBe(TCP_CA_Recovery);
  });

  it("a partial ACK echoing an older TSval while another retransmission is still out: no undo, tcp_fastretrans_alert stops there (reordering learnt: TCPTSReorder)", async () => {
    const { w, sk, c, n } = await sender();
    const una = c.sndUna;
    const mss = c.mss;
    // holes at segments 0 and 2, segments 1 and 3..5 SACKed: both holes lost (RACK, reo_wnd 0 with 4 SACKed) and retransmitted
    ack(w, sk, una, [[una + mss, una + 2 * mss], [una + 3 * mss, una + 6 * mss]]);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(c.retransOut).toBe(2);
    const lost = c.lostOut;
    // the delayed original of segment 0 arrived: ACK up to segment 2, echoing a TSval before the first retransmission
    ack(w, sk, una + 2 * mss, [[una + 3 * mss, una + 6 * mss]], c.retransStamp - 1);
    expect(c.retransOut).toBe(1);
    expect(n.get("TcpExtTCPPartialUndo")).toBe(0);
    expect(n.get("TcpExtTCPTSReorder")).toBe(1);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(c.undoMarker).toBe(una);
    // returned before marking anything more lost: segment 0 left the queue, segment 2 is still the one lost
    expect(c.lostOut).toBe(lost - 1);
  });

  it("after an RTO, an ACK echoing a TSval from before the retransmission: TCPLossUndo, back to Open", async () => {
    const { w, t, sk, c, n } = await sender();
    const before = { cwnd: c.cwnd };
    armRto(t, c, 0); // the RTO (not the loss probe timer) is due now
    writeTimerHandler(t, sk, c);
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(n.get("TcpExtTCPTimeouts")).toBe(1);
    expect(c.cwnd).toBeLessThan(before.cwnd);
    expect(c.undoMarker).toBe(c.sndUna);
    ack(w, sk, c.sndUna + c.mss, [], c.retransStamp - 1);
    expect(n.get("TcpExtTCPLossUndo")).toBe(1);
    expect(c.caState).toBe(TCP_CA_Open);
    expect(c.lostOut).toBe(0);
    expect(c.cwnd).toBeGreaterThanOrEqual(before.cwnd);
  });

  it("an RTO in Disorder with a retransmission out but not marked lost (as an undo leaves it): tcp_timeout_mark_lost marks it lost and keeps it in retrans_out, so tcp_init_undo counts it", async () => {
    const { t, sk, c, n } = await sender();
    // hand-set: Disorder, the head retransmitted and still out, its LOST mark cleared (tcp_undo_cwnd_reduction)
    const head = c.rtx.at(0);
    c.rtx.flags[head] = c.rtx.flags[head]! | TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS;
    c.retransOut = 1;
    c.caState = TCP_CA_Disorder;
    armRto(t, c, 0);
    writeTimerHandler(t, sk, c);
    expect(c.caState).toBe(TCP_CA_Loss);
    expect(c.undoMarker).toBe(c.sndUna);
    // tcp_mark_skb_lost on a segment not LOST: LOST set, SACKED_RETRANS kept (only a LOST retransmission is
    // "lost again", TCPLostRetransmit); tcp_init_undo then takes retrans_out, the head's copy included
    expect(n.get("TcpExtTCPLostRetransmit")).toBe(0);
    expect(c.rtx.flags[head]! & (TCPCB_LOST | TCPCB_SACKED_RETRANS)).toBe(TCPCB_LOST | TCPCB_SACKED_RETRANS);
    expect(c.undoRetrans).toBeGreaterThanOrEqual(1);
    expect(c.retransOut).toBeGreaterThanOrEqual(1);
  });
});

describe("old ACKs (tcp_ack's old_ack)", () => {
  it("an ACK below snd_una updates no window but its SACK blocks are tagged: 3 SACKed segments start Recovery and retransmit the head", async () => {
    const { w, sk, c, n } = await sender();
    const una = c.sndUna;
    const mss = c.mss;
    const wnd = c.sndWnd;
    const wl1 = c.sndWl1;
    ack(w, sk, una - mss, [[una + mss, una + 4 * mss]]);
    expect(c.sndUna).toBe(una);
    expect([c.sndWnd, c.sndWl1]).toEqual([wnd, wl1]);
    expect(c.sackedOut).toBe(3);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(n.get("TcpExtTCPSackRecovery")).toBe(1);
    expect(c.retransOut).toBe(1);
    expect(n.get("TcpExtTCPFastRetrans")).toBe(1);
  });

  it("a D-SACK on an old ACK is recognised (below that ACK's own ack number) and can undo", async () => {
    const { w, sk, c, n } = await sender();
    const { una, mss } = enterRecovery(w, sk);
    ack(w, sk, una + 4 * mss, []);
    // a late ACK, older than snd_una, reporting the head twice
    ack(w, sk, una + 2 * mss, [[una, una + mss]]);
    expect(n.get("TcpExtTCPDSACKRecv")).toBe(1);
    expect(n.get("TcpExtTCPDSACKUndo")).toBe(1);
  });
});

describe("tcp_xmit_retransmit_queue stops once retrans_out >= lost_out", () => {
  it("two retransmissions an undo left out unmarked and one segment marked lost since: nothing is retransmitted", async () => {
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
    const { t, sk, c, n } = clientConn(r.w);
    expect(c.packetsOut).toBe(10);
    const rb = c.rtx;
    // segments 0 and 1: retransmitted and still out, their LOST marks cleared (tcp_undo_cwnd_reduction)
    for (const i of [0, 1]) rb.flags[rb.at(i)] = rb.flags[rb.at(i)]! | TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS;
    c.retransOut = 2;
    // segment 2 marked lost afterwards
    rb.flags[rb.at(2)] = rb.flags[rb.at(2)]! | TCPCB_LOST;
    c.lostOut = 1;
    c.caState = TCP_CA_Recovery;
    c.cwnd = 100;
    const segs = n.get("TcpRetransSegs");
    xmitRetransmitQueue(t, sk, c);
    // retrans_out 2 >= lost_out 1: the walk ends before segment 2
    expect(n.get("TcpRetransSegs")).toBe(segs);
    expect(rb.flags[rb.at(2)]! & TCPCB_SACKED_RETRANS).toBe(0);
    // once they are gone (ACKed: retrans_out 0), it goes
    c.retransOut = 0;
    xmitRetransmitQueue(t, sk, c);
    expect(n.get("TcpRetransSegs")).toBe(segs + 1);
    expect(rb.flags[rb.at(2)]! & TCPCB_SACKED_RETRANS).not.toBe(0);
  });
});
