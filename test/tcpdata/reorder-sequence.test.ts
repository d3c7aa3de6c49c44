// One exact reordering sequence, ACK by ACK, as the built-in tcp-reorder-link produces it at random
// (test/scenario/reorder-link). The live kernel has no netem (tc: "Specified qdisc kind is unknown") and
// nftables can drop but not delay or reorder, so its counters come from a user-space TUN relay (README,
// "Reordering on the live kernel"), whose timing is not exact; the sequence is injected here by hand and each
// step checked against 6.12's source. Its counters per episode are the relay's: TCPSackRecovery,
// TCPFastRetrans, TCPTSReorder, TCPPartialUndo, TCPDSACKRecv and TCPDSACKIgnoredNoUndo one each.
// A flow over a 50 ms one-way link: 10 segments out at ~100.003 ms, nothing from the real receiver before
// ~150 ms, so the injected ACKs are the only ones the sender sees.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { TCP_CA_Open, TCP_CA_Recovery } from "../../src/tcp/cc.js";
import { TCPCB_EVER_RETRANS, TCPCB_LOST } from "../../src/tcp/conn.js";
import { NO_UNDO } from "../../src/tcp/undo.js";

const MSS = 1448;

describe("a reordered segment after reordering was seen (tcp_rack_reo_wnd, tcp_try_undo_partial, tcp_rack_update_reo_wnd)", () => {
  it("a hole sent 4 ms before the SACKed segment is marked lost, retransmitted, undone by the timestamp echo, D-SACKed; the D-SACK widens reo_wnd", async () => {
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
    const { w, t, sk, c, n } = { ...r, ...clientConn(r.w) };
    const una = c.sndUna;
    const seg = (k: number) => una + k * MSS;
    const rb = c.rtx;
    const sentMs = Math.floor(rb.sentAt[rb.at(9)]! / 1e6);
    expect(c.packetsOut).toBe(10);

    // 1. at 103 ms: segment 4 SACKed, then segments 0..3 arrive: a never-retransmitted hole filled below the
    //    highest SACK (tcp_clean_rtx_queue -> tcp_check_sack_reordering: metric = fack − reord = 5 MSS > 3 MSS,
    //    so reordering = 5, reord_seen 1, TCPSACKReorder). The ACK opens cwnd: segments 10.. go at 103 ms.
    injectAck(w, sk, seg(0), [[seg(4), seg(5)]]);
    injectAck(w, sk, seg(5));
    expect(n.get("TcpExtTCPSACKReorder")).toBe(1);
    expect(c.reordSeen).toBe(1);
    expect(c.reordering).toBe(5);
    expect(c.caState).toBe(TCP_CA_Open);
    expect(c.packetsOut).toBeGreaterThan(6);
    // segment 10, the first sent at 103 ms, and segment 9, sent ~3 ms before: adjacent on the wire
    expect(rb.sentAt[rb.at(10 - 5)]! - rb.sentAt[rb.at(9 - 5)]!).toBeGreaterThan(2.9e6);

    // 2. at 104 ms: segments 5..8 ACKed; then a duplicate ACK SACKs segment 10 ahead of 9. (On one ACK the
    //    cumulatively ACKed segments, sent at 100 ms, would set rack.rtt_us last: tcp_rack_advance runs in
    //    tcp_sacktag_write_queue, then again in tcp_clean_rtx_queue, and keeps the last call's RTT.)
    //    reord_seen, so reo_wnd is not 0 but min(min_rtt/4 · steps, srtt/8): min_rtt is now segment 10's
    //    1000 µs (tcp_update_rtt_min from the SACK's ca_rtt_us), reo_wnd 250 µs. Segment 9 sent ~3998 µs ago >
    //    rack.rtt 1000 + 250: lost (tcp_rack_detect_loss), Recovery, fast retransmit
    //    (tcp_xmit_retransmit_queue), retrans_stamp = 104 (ms).
    w.loop.run(104e6);
    injectAck(w, sk, seg(9));
    expect(c.caState).toBe(TCP_CA_Open);
    injectAck(w, sk, seg(9), [[seg(10), seg(11)]]);
    expect(c.minRttUs).toBe(1000);
    expect(c.rackRttUs).toBe(1000);
    expect(c.caState).toBe(TCP_CA_Recovery);
    expect(n.get("TcpExtTCPSackRecovery")).toBe(1);
    expect(n.get("TcpExtTCPFastRetrans")).toBe(1);
    expect(n.get("TcpRetransSegs")).toBe(1);
    expect(rb.flags[rb.at(0)]! & (TCPCB_LOST | TCPCB_EVER_RETRANS)).toBe(TCPCB_LOST | TCPCB_EVER_RETRANS);
    expect(c.retransOut).toBe(1);
    expect(c.undoMarker).toBe(seg(9));
    expect(c.retransStamp).toBe(104);
    const highSeq = c.highSeq;
    const reduced = c.ssthresh;

    // 3. at 105 ms: the delayed original arrives first; the receiver's ACK of 11 echoes the original's TSval
    //    (100 ms) < retrans_stamp (104): tcp_packet_delayed. Below high_seq, so tcp_try_undo_partial:
    //    tcp_check_sack_reordering(prior snd_una, ts=1) -> TCPTSReorder (metric 2 MSS: reordering stays 5),
    //    retrans_out 0 (the cumulative ACK took the retransmitted segment), so the reduction is undone
    //    (TCPPartialUndo, loss marks cleared, undo_marker 0) and tcp_try_keep_open goes back to Open.
    //    The hole was a retransmitted segment: no TCPSACKReorder from tcp_clean_rtx_queue.
    w.loop.run(105e6);
    expect(seg(11)).toBeLessThan(highSeq);
    injectAck(w, sk, seg(11), [], { tsecrMs: sentMs });
    expect(n.get("TcpExtTCPTSReorder")).toBe(1);
    expect(n.get("TcpExtTCPSACKReorder")).toBe(1);
    expect(n.get("TcpExtTCPPartialUndo")).toBe(1);
    expect(c.reordSeen).toBe(2);
    expect(c.reordering).toBe(5);
    expect(c.retransOut).toBe(0);
    expect(c.lostOut).toBe(0);
    expect(c.undoMarker).toBe(NO_UNDO);
    expect(c.caState).toBe(TCP_CA_Open);
    expect(c.ssthresh).toBeGreaterThan(reduced);

    // 4. at 106 ms: the retransmission reaches the receiver below rcv_wup, which D-SACKs it. tcp_check_dsack:
    //    TCPDSACKRecv, tcp_dsack_seen counts 1 dup (dsack_dups 1 <= total_retrans 1) and, reordering seen and
    //    not a TLP's, sets rack.dsack_seen. tcp_is_sackblock_valid rejects the block (below snd_una with
    //    undo_marker 0): TCPDSACKIgnoredNoUndo. The ACK delivers nothing (rs.prior_delivered 0), so
    //    tcp_rack_update_reo_wnd returns before looking.
    w.loop.run(106e6);
    injectAck(w, sk, seg(11), [[seg(9), seg(10)]]);
    expect(n.get("TcpExtTCPDSACKRecv")).toBe(1);
    expect(n.get("TcpExtTCPDSACKRecvSegs")).toBe(1);
    expect(n.get("TcpExtTCPDSACKIgnoredNoUndo")).toBe(1);
    expect(n.get("TcpExtTCPDSACKUndo")).toBe(0);
    expect(c.dsackDups).toBe(1);
    expect(c.rackDsackSeen).toBe(true);
    expect(c.reoWndSteps).toBe(1);

    // 5. the next ACK that delivers data: reo_wnd_steps 2, reo_wnd_persist 16 (TCP_RACK_RECOVERY_THRESH),
    //    last_delivered = tp->delivered; reo_wnd = min(min_rtt/4 · 2, srtt/8)
    injectAck(w, sk, seg(12));
    expect(c.reoWndSteps).toBe(2);
    expect(c.reoWndPersist).toBe(16);
    expect(c.rackDsackSeen).toBe(false);
    expect(c.rackLastDelivered).toBe(c.delivered);
    expect(t.nstat.get("TcpRetransSegs")).toBe(1);
  });
});
