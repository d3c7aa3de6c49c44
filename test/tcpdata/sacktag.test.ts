// The sender's SACK processing of one ACK, against 6.12 net/ipv4/tcp_input.c: tcp_ack's prior_fack,
// tcp_sacktag_write_queue / tcp_sacktag_one (D-SACKed retransmissions, retransmissions SACKed while not
// marked lost) and tcp_recovery.c's tcp_rack_update_reo_wnd. A client 100 ms of RTT away has its
// initial window of 10 segments out; the links then die, so only the ACKs injected here reach it.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { TCP_CA_Recovery } from "../../src/tcp/cc.js";
import { TCPCB_EVER_RETRANS, TCPCB_LOST, TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS } from "../../src/tcp/conn.js";
import { NO_UNDO } from "../../src/tcp/undo.js";

const MSS = 1448;

/** 103 ms in: established at ~100 ms, 10 segments out, nothing ACKed, every frame from now on lost. */
async function tenOut() {
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, loss: 1e-12 }, [bulk()]));
  for (const d of r.w.linkDirections()) (d as unknown as { config: { loss: number } }).config.loss = 1;
  const cc = clientConn(r.w);
  expect(cc.c.packetsOut).toBe(10);
  expect(cc.c.sndUna).toBe(0);
  return { ...r, ...cc };
}

describe("tcp_ack's prior_fack (tcp_clean_rtx_queue's reordering test)", () => {
  it("an ACK that fills the head and SACKs above it, nothing SACKed before: no reordering (prior_fack = snd_una)", async () => {
    const { w, sk, c, n } = await tenOut();
    // prior_fack = tcp_highest_sack_seq = snd_una (sacked_out 0), taken before the block [4, 5) is tagged;
    // segments 0-1 are ACKed: reord = 0 is not before prior_fack = 0, so no tcp_check_sack_reordering.
    // (Against the highest SACK after tagging, 5·MSS, it would be: metric 5 > reordering 3 -> reordering 5.)
    injectAck(w, sk, 2 * MSS, [[4 * MSS, 5 * MSS]]);
    expect(c.sackedOut).toBe(1);
    expect(n.get("TcpExtTCPSACKReorder")).toBe(0);
    expect(c.reordSeen).toBe(0);
    expect(c.reordering).toBe(3);
  });

  it("a hole below a SACK of an earlier ACK filled: reordering (prior_fack = the earlier SACK's end)", async () => {
    const { w, sk, c, n } = await tenOut();
    injectAck(w, sk, 0, [[4 * MSS, 5 * MSS]]);
    // segments 0-3 arrive late: reord 0 before prior_fack 5·MSS; metric 5·MSS > 3·MSS -> reordering 5
    injectAck(w, sk, 5 * MSS);
    expect(n.get("TcpExtTCPSACKReorder")).toBe(1);
    expect(c.reordering).toBe(5);
  });
});

describe("tcp_rack_update_reo_wnd: rs->prior_delivered and rack.last_delivered", () => {
  it("a D-SACK after reordering widens reo_wnd a step; last_delivered is tp->delivered with this ACK's cumulative ACK counted", async () => {
    const { w, sk, c } = await tenOut();
    injectAck(w, sk, 0, [[4 * MSS, 5 * MSS]]);
    injectAck(w, sk, 5 * MSS);
    expect(c.reordSeen).toBe(1);
    // a duplicate counts only while dsack_dups <= total_retrans (tcp_dsack_seen): as if one retransmission went
    c.retransTotal = 1;
    // delivered so far: 1 (the handshake: the ACKed SYN) + 1 (SACK of 4) + 4 (0-3 ACKed) = 6
    expect(c.delivered).toBe(6);
    // segments 5-6 ACKed, segment 0's duplicate D-SACKed: tcp_dsack_seen sets rack.dsack_seen (reord_seen, no TLP)
    // and adds 1 to sack_delivered; tcp_clean_rtx_queue counts 2 more: delivered 9. rs->prior_delivered =
    // tx.delivered of segment 6 (the most recently sent of those delivered) = 1, not before last_delivered 0:
    // reo_wnd_steps 1 -> 2, last_delivered = tp->delivered = 9, reo_wnd_persist = TCP_RACK_RECOVERY_THRESH 16
    injectAck(w, sk, 7 * MSS, [[0, MSS]]);
    expect(c.delivered).toBe(9);
    expect(c.reoWndSteps).toBe(2);
    expect(c.rackLastDelivered).toBe(9);
    expect(c.reoWndPersist).toBe(16);
  });
});

describe("tcp_sacktag_one's D-SACK of a retransmission (dup_sack)", () => {
  it("the D-SACK of the head retransmission on the ACK that covers it: undo_retrans 1 -> 0, TCPDSACKUndo", async () => {
    const { w, sk, c, n } = await tenOut();
    // segments 1-3 SACKed: RACK (no reordering seen, 3 SACKed: reo_wnd 0) marks the head lost, Recovery,
    // undo_marker = 0, the head is retransmitted: undo_retrans 1
    injectAck(w, sk, 0, [[MSS, 4 * MSS]]);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(c.undoMarker).toBe(0);
    expect(c.undoRetrans).toBe(1);
    // the ACK of the late original was lost: this one ACKs 0-3 and D-SACKs the head's duplicate [0, MSS).
    // tcp_check_dsack: below ack_seq (TCPDSACKRecv), 1 segment, but end MSS is after the prior snd_una 0: no
    // count there. tcp_sacktag_write_queue, snd_una already 4·MSS (tcp_ack_update_window): the block is valid
    // (below snd_una, from undo_marker on: tcp_is_sackblock_valid), ends after the prior snd_una, and
    // tcp_sacktag_one's dup_sack case takes undo_retrans to 0 (end after undo_marker); tcp_try_undo_dsack undoes
    injectAck(w, sk, 4 * MSS, [[0, MSS]]);
    expect(n.get("TcpExtTCPDSACKRecv")).toBe(1);
    expect(n.get("TcpExtTCPDSACKIgnoredOld")).toBe(0);
    expect(n.get("TcpExtTCPDSACKUndo")).toBe(1);
    expect(c.undoMarker).toBe(NO_UNDO);
  });

  it("an out-of-order D-SACK of a retransmission above snd_una: undo_retrans less one", async () => {
    const { w, sk, c, n } = await tenOut();
    const rb = c.rtx;
    // segments 4-6 SACKed: 0-3 lost (RACK), Recovery; PRR lets 3 retransmissions go (0-2): undo_retrans 3
    injectAck(w, sk, 0, [[4 * MSS, 7 * MSS]]);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(c.lostOut).toBe(4);
    expect(c.retransOut).toBe(3);
    expect(c.undoRetrans).toBe(3);
    const s2 = rb.at(2);
    expect(rb.flags[s2]).toBe(TCPCB_LOST | TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS);
    // segment 2 arrived twice at the receiver (original late, then the copy), 3 late too: D-SACK [2, 3) inside
    // the second block [2, 7) (TCPDSACKOfoRecv, 1 duplicate <= 3 retransmitted). Sorted, both blocks start at 2:
    // the D-SACK stays first and is walked as a duplicate: segment 2's dup_sack case takes undo_retrans to 2, and
    // being LOST|SACKED_RETRANS it is SACKed with both marks cleared (lost_out, retrans_out - 1); the second
    // block's walk goes on from segment 3, lost and never retransmitted: SACKed, lost_out - 1
    injectAck(w, sk, 0, [[2 * MSS, 3 * MSS], [2 * MSS, 7 * MSS]]);
    expect(n.get("TcpExtTCPDSACKOfoRecv")).toBe(1);
    expect(c.undoRetrans).toBe(2);
    expect(rb.flags[s2]).toBe(TCPCB_SACKED_ACKED | TCPCB_EVER_RETRANS);
    expect(c.sackedOut).toBe(5);
    expect(c.lostOut).toBe(2);
    expect(c.retransOut).toBe(2);
  });
});

describe("tcp_sacktag_walk's next_dup", () => {
  it("a D-SACK sorted after the block that holds it is tagged as a duplicate during that block's walk", async () => {
    const { w, sk, c, n } = await tenOut();
    // as above: 4-6 SACKed, 0-3 lost, 0-2 retransmitted (undo_retrans 3, retrans_out 3)
    injectAck(w, sk, 0, [[4 * MSS, 7 * MSS]]);
    expect(c.undoRetrans).toBe(3);
    // segments 1-3 arrive late, 2's copy too: D-SACK [2, 3) inside [1, 7). Sorted [1, 7) first, the D-SACK second
    // (first_sack_index 0 -> 1): walking [1, 7) with next_dup = [2, 3), segment 1 is SACKed plainly (LOST|
    // SACKED_RETRANS cleared), segment 2 as a duplicate (undo_retrans 3 -> 2, then SACKed likewise), segment 3
    // (lost, never retransmitted) SACKed; the D-SACK's own walk then starts past them: nothing twice
    injectAck(w, sk, 0, [[2 * MSS, 3 * MSS], [MSS, 7 * MSS]]);
    expect(n.get("TcpExtTCPDSACKOfoRecv")).toBe(1);
    expect(c.undoRetrans).toBe(2);
    expect(c.sackedOut).toBe(6);
    expect(c.retransOut).toBe(1);
    expect(c.lostOut).toBe(1);
  });
});

describe("tcp_sacktag_one: a SACKed retransmission not marked lost stays in retrans_out", () => {
  it("SACKED_RETRANS without LOST (as an undo leaves it) is kept when SACKed, and leaves retrans_out only when ACKed", async () => {
    const { w, sk, c } = await tenOut();
    const rb = c.rtx;
    // hand-set: segment 1 retransmitted and still out, its LOST mark cleared (tcp_undo_cwnd_reduction)
    const s1 = rb.at(1);
    rb.flags[s1] = rb.flags[s1]! | TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS;
    c.retransOut = 1;
    // "If the segment is not tagged as lost, we do not clear RETRANS, believing that retransmission is still in
    // flight": SACKED_ACKED is added, SACKED_RETRANS and retrans_out stay
    injectAck(w, sk, 0, [[MSS, 2 * MSS]]);
    expect(c.sackedOut).toBe(1);
    expect(rb.flags[s1]! & (TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS)).toBe(TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS);
    expect(c.retransOut).toBe(1);
    // tcp_packets_in_flight = packets_out - (sacked_out + lost_out) + retrans_out = 10 - 1 - lost + 1
    expect(c.packetsInFlight()).toBe(10 - c.lostOut);
    // tcp_clean_rtx_queue: a SACKED_RETRANS segment ACKed leaves retrans_out, SACKed or not
    injectAck(w, sk, 2 * MSS, [[MSS, 2 * MSS]]);
    expect(c.retransOut).toBe(0);
    expect(c.sackedOut).toBe(0);
  });
});

describe("tcp_sacktag_write_queue: tcp_is_sackblock_valid and the blocks' order", () => {
  it("a block past snd_nxt: TCPSACKDiscard, nothing tagged", async () => {
    const { w, sk, c, n } = await tenOut();
    // after(end_seq, snd_nxt): too far in the future (snd_nxt = 10·MSS)
    injectAck(w, sk, 0, [[9 * MSS, 11 * MSS]]);
    expect(n.get("TcpExtTCPSACKDiscard")).toBe(1);
    expect(c.sackedOut).toBe(0);
  });

  it("a block below snd_una: TCPSACKDiscard on an ACK at snd_una, not counted on an old ACK (ACK reordering)", async () => {
    const { w, sk, c, n } = await tenOut();
    injectAck(w, sk, 3 * MSS);
    // an ACK at snd_una reporting [1, 2): not after snd_una, no D-SACK (tcp_check_dsack: start_seq not below
    // ack_seq, a single block) -> invalid, ack_seq == snd_una -> counted
    injectAck(w, sk, 3 * MSS, [[MSS, 2 * MSS]]);
    expect(n.get("TcpExtTCPSACKDiscard")).toBe(1);
    // an old ACK (ack_seq 2·MSS != snd_una 3·MSS) with [2, 3): not after snd_una either, but its end is not
    // after snd_una: "Don't count olds caused by ACK reordering"
    injectAck(w, sk, 2 * MSS, [[2 * MSS, 3 * MSS]]);
    expect(n.get("TcpExtTCPSACKDiscard")).toBe(1);
    expect(c.sackedOut).toBe(0);
  });

  it("a D-SACK below snd_una with no undo_marker: TCPDSACKIgnoredNoUndo", async () => {
    const { w, sk, c, n } = await tenOut();
    injectAck(w, sk, 2 * MSS);
    // a duplicate counts only while dsack_dups <= total_retrans (tcp_dsack_seen): as if one retransmission went
    c.retransTotal = 1;
    expect(c.undoMarker).toBe(NO_UNDO);
    injectAck(w, sk, 2 * MSS, [[0, MSS]]);
    expect(n.get("TcpExtTCPDSACKRecv")).toBe(1);
    expect(n.get("TcpExtTCPDSACKIgnoredNoUndo")).toBe(1);
    expect(n.get("TcpExtTCPSACKDiscard")).toBe(0);
  });

  it("a dubious D-SACK (more duplicates than retransmissions) is an ordinary block: below snd_una, TCPSACKDiscard", async () => {
    const { w, sk, n } = await tenOut();
    injectAck(w, sk, 2 * MSS);
    // total_retrans 0: tcp_dsack_seen refuses it (TCPDSACKIgnoredDubious), found_dup_sack false
    injectAck(w, sk, 2 * MSS, [[0, MSS]]);
    expect(n.get("TcpExtTCPDSACKIgnoredDubious")).toBe(1);
    expect(n.get("TcpExtTCPSACKDiscard")).toBe(1);
    expect(n.get("TcpExtTCPDSACKIgnoredNoUndo")).toBe(0);
  });

  it("a D-SACK wholly below undo_marker: TCPDSACKIgnoredOld, undo_retrans untouched", async () => {
    const { w, sk, c, n } = await tenOut();
    injectAck(w, sk, 2 * MSS);
    // segments 3-5 SACKed: segment 2 lost (RACK, reo_wnd 0), Recovery from snd_una = 2·MSS = undo_marker
    injectAck(w, sk, 2 * MSS, [[3 * MSS, 6 * MSS]]);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(c.undoMarker).toBe(2 * MSS);
    const undo = c.undoRetrans;
    expect(undo).toBeGreaterThan(0);
    // [0, MSS): below ack_seq (TCPDSACKRecv), not after undo_marker: "too old"
    injectAck(w, sk, 2 * MSS, [[0, MSS], [3 * MSS, 6 * MSS]]);
    expect(n.get("TcpExtTCPDSACKRecv")).toBe(1);
    expect(n.get("TcpExtTCPDSACKIgnoredOld")).toBe(1);
    expect(c.undoRetrans).toBe(undo);
  });

  it("two new blocks in one ACK, the higher first (the receiver's order): walked sorted by start, no reordering", async () => {
    const { w, sk, c, n } = await tenOut();
    // sorted: [3, 4) then [5, 6). Segment 3 is tagged with nothing SACKed (tcp_highest_sack_seq = snd_una: not
    // in a hole), segment 5 above the highest SACK 4·MSS: state->reord stays snd_nxt
    injectAck(w, sk, 0, [[5 * MSS, 6 * MSS], [3 * MSS, 4 * MSS]]);
    expect(c.sackedOut).toBe(2);
    expect(n.get("TcpExtTCPSACKReorder")).toBe(0);
    expect(c.reordSeen).toBe(0);
  });
});

describe("a lossy link that never reorders", () => {
  it("1 % loss, 3 MB: SACK recoveries but no TCPSACKReorder (main: 5)", async () => {
    // tcp_check_sack_reordering needs a never-retransmitted segment delivered below the highest SACK as it stood
    // before the ACK (prior_fack, or tcp_highest_sack_seq while tagging); with in-order delivery every such hole
    // is a loss, filled by a retransmission. (Main, taking the highest SACK after the ACK's own blocks, counted 5
    // here: stretch ACKs that ACK a few segments and SACK above a new hole.)
    const { w } = await runWorld(pair({ rateBps: 1e9, delayNs: 50_000, loss: 0.01, durationNs: 1e9 }, [bulk({ bytes: 3_000_000 })]));
    const n = w.host("a").nstat;
    expect(n.get("TcpExtTCPOrigDataSent")).toBe(Math.ceil(3e6 / MSS));
    expect(n.get("TcpExtTCPSackRecovery")).toBeGreaterThan(5);
    expect(n.get("TcpRetransSegs")).toBeGreaterThan(10);
    expect(n.get("TcpExtTCPSACKReorder")).toBe(0);
    expect(n.get("TcpExtTCPTSReorder")).toBe(0);
  });
});
