// tcp_init_transfer's initial cwnd on the passive side (6.12, net/ipv4/tcp_input.c): cwnd 1 when
// total_retrans > 1 && undo_marker, else TCP_INIT_CWND (10). tcp_create_openreq_child
// (net/ipv4/tcp_minisocks.c) gives the child total_retrans = req->num_retrans and, once the request timer fired
// (num_timeout), undo_marker = snt_isn and retrans_stamp = snt_synack in ms; tcp_rcv_state_process's
// TCP_SYN_RECV runs tcp_try_undo_spurious_syn first: an ACK echoing the first SYN-ACK's TSval (less tsoffset =
// retrans_stamp) clears undo_marker. SYN at 100 ms: SYN-ACKs at 0.1 s, then by the request timer at 1.1 s and
// 3.1 s (timeout 1 s, doubled).
import { describe, expect, it } from "vitest";
import { ACK, MS, SYN, handshake, last } from "./inject-handshake.js";

const RUN = 4000 * MS;
const TS0 = { val: 5000, ecr: () => 0 };

describe("tcp_init_transfer: the child's initial cwnd after SYN-ACK retransmissions", () => {
  it("two timer retransmissions (num_retrans 2, num_timeout 2), no timestamps, ACK at 3.25 s: cwnd 1", async () => {
    const r = await handshake([SYN(100 * MS), ACK(3250 * MS)], {}, RUN);
    // the request timer on the wheel (kernel/time/timer.c: calc_wheel_index, 64-jiffy granule for 1 s..4 s):
    // 100 + 1000 -> 1152, 1152 + 2000 -> 3200
    expect(r.synacks.map((s) => Math.floor(s.at / MS))).toEqual([100, 1152, 3200]);
    // undo_marker = snt_isn, which is not 0 here
    expect(r.child!.iss).not.toBe(0);
    expect(r.child!.conn!.cwnd).toBe(1);
  });

  it("one timer retransmission (total_retrans 1), ACK at 1.25 s: cwnd 10 (RFC 6298's 1 s initial RTO: one is forgiven)", async () => {
    const r = await handshake([SYN(100 * MS), ACK(1250 * MS)], {}, RUN);
    expect(r.synacks.length).toBe(2);
    expect(r.child!.conn!.cwnd).toBe(10);
  });

  it("two retransmissions, the ACK echoes the last SYN-ACK's TSval: not spurious, cwnd 1", async () => {
    const r = await handshake([SYN(100 * MS, TS0), ACK(3250 * MS, { val: 8150, ecr: last })], {}, RUN);
    expect(r.synacks.length).toBe(3);
    expect(r.child!.conn!.cwnd).toBe(1);
  });

  it("two retransmissions, the ACK echoes the first SYN-ACK's TSval (= snt_synack in ms + ts_off): tcp_try_undo_spurious_syn, cwnd 10", async () => {
    const r = await handshake([SYN(100 * MS, TS0), ACK(3250 * MS, { val: 8150, ecr: (v) => v[0]! })], {}, RUN);
    expect(r.synacks.length).toBe(3);
    expect((r.synacks[0]!.tsval - r.child!.tsOff) >>> 0).toBe(100);
    expect(r.child!.conn!.cwnd).toBe(10);
  });
});
