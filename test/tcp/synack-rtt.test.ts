// The passive side's first RTT sample (6.12): tcp_check_req calls tcp_synack_rtt_meas(child, req), which
// times the first SYN-ACK (tcp_rsk(req)->snt_synack, stamped by tcp_make_synack) to now in µs when
// req->num_retrans is 0; tcp_ack_update_rtt's TS-ECR path needs the child's rx_opt.saw_tstamp, which is the
// listener's (never set), so a retransmitted SYN-ACK gives no sample there. tcp_child_process then runs
// tcp_rcv_state_process's TCP_SYN_RECV case: with srtt_us still 0, tcp_synack_rtt_meas(sk, NULL)
// (req = tp->fastopen_rsk) takes the ACK's TSecr if it has one (tcp_rtt_tsopt_us: ms, at least 1). A SYN
// cookie child (cookie_v4_check -> tcp_child_process) has only that second path; its TSecr echoes
// cookie_init_timestamp's TSval. The sample seeds tcp_rtt_estimator: srtt_us = 8 m, mdev_us = 2 m,
// rttvar_us = max(2 m, TCP_RTO_MIN); tcp_set_rto: rto = srtt/8 + rttvar, in jiffies (ms, rounded up).
// Segments are injected through the server's tcp_v4_rcv (TcpHost.rcv) from a spoofed address (its
// replies are dropped by the client host); the listener runs a sink application, so the child has its
// transfer state (tcp_init_transfer) at once.
import { describe, expect, it } from "vitest";
import { ACK, MS, SYN, handshake, last } from "./inject-handshake.js";

describe("tcp_synack_rtt_meas: the server's RTT sample from the handshake", () => {
  it("first SYN-ACK at 100 ms, its ACK at 130 ms: m = 30000 us, srtt_us 240000, rto 30 + max(60, 200) = 230 ms", async () => {
    const r = await handshake([SYN(100 * MS), ACK(130 * MS)]);
    expect(r.synacks.map((s) => Math.floor(s.at / MS))).toEqual([100]);
    const c = r.child!.conn!;
    expect(c.rtt.srttUs).toBe(240_000);
    expect(c.rtt.mdevUs).toBe(60_000);
    expect(c.rtt.rttvarUs).toBe(200_000);
    expect(c.rtt.rtoUs).toBe(230_000);
    expect(c.minRttUs).toBe(30_000);
  });

  it("timestamps on, num_retrans 0: the µs sample from snt_synack (30500 us: rto 231 ms), not the ACK's TSecr", async () => {
    // TSecr echoes the SYN-ACK's TSval (sent at 100 ms): the TS-ECR path would give 30 ms
    const r = await handshake([SYN(100 * MS, { val: 5000, ecr: () => 0 }), ACK(130.5 * MS, { val: 5030, ecr: last })]);
    const c = r.child!.conn!;
    expect(c.rtt.srttUs).toBe(8 * 30_500);
    // rto = 30500 + max(61000, 200000) = 230500 us, rounded up to 231 jiffies
    expect(c.rtt.rtoUs).toBe(231_000);
  });

  it("a long RTT (m = 150 ms): rttvar 2 m = 300 ms, rto 450 ms", async () => {
    const r = await handshake([SYN(100 * MS), ACK(250 * MS)]);
    const c = r.child!.conn!;
    expect(c.rtt.srttUs).toBe(1_200_000);
    expect(c.rtt.rttvarUs).toBe(300_000);
    expect(c.rtt.rtoUs).toBe(450_000);
  });

  it("SYN-ACK retransmitted by the request timer (1.152 s), timestamps on, TSecr of that SYN-ACK, ACK at 1.302 s: the TS-ECR sample 150 ms", async () => {
    const r = await handshake([SYN(100 * MS, { val: 5000, ecr: () => 0 }), ACK(1302 * MS, { val: 6150, ecr: last })]);
    // the request timer on the wheel (kernel/time/timer.c: calc_wheel_index): 100 + 1000 jiffies, level 2 -> 1152
    expect(r.synacks.map((s) => Math.floor(s.at / MS))).toEqual([100, 1152]);
    expect(r.nstat("TcpExtTCPSynRetrans")).toBe(1);
    const c = r.child!.conn!;
    // tcp_rtt_tsopt_us: (1302 - 1152) ms
    expect(c.rtt.srttUs).toBe(8 * 150_000);
    expect(c.rtt.rtoUs).toBe(450_000);
  });

  it("SYN-ACK retransmitted, TSecr of the first SYN-ACK (100 ms), ACK at 1.25 s: 1150 ms, rto 1150 + 2300 = 3450 ms", async () => {
    const r = await handshake([SYN(100 * MS, { val: 5000, ecr: () => 0 }), ACK(1250 * MS, { val: 6150, ecr: (v) => v[0]! })]);
    const c = r.child!.conn!;
    expect(c.rtt.srttUs).toBe(8 * 1_150_000);
    expect(c.rtt.rttvarUs).toBe(2_300_000);
    expect(c.rtt.rtoUs).toBe(3_450_000);
  });

  it("SYN-ACK retransmitted, no timestamps: no sample (srtt_us 0), so tcp_init_metrics' TCP_TIMEOUT_FALLBACK: rto 3 s, rttvar = mdev = mdev_max = 3 s", async () => {
    const r = await handshake([SYN(100 * MS), ACK(1250 * MS)]);
    expect(r.synacks.length).toBe(2);
    const rtt = r.child!.conn!.rtt;
    expect(rtt.srttUs).toBe(0);
    expect([rtt.rtoUs, rtt.rttvarUs, rtt.mdevUs, rtt.mdevMaxUs]).toEqual([3_000_000, 3_000_000, 3_000_000, 3_000_000]);
  });

  it("SYN cookie child (tcp_syncookies 2) with timestamps: TSecr = the cookie TSval 87 (64 | wscale 7 | TS_OPT_SACK 16), ACK at 130 ms: 43 ms", async () => {
    // cookie_init_timestamp at 100 ms: (100 >> 6) << 6 = 64, | options 7 | 16 = 87 <= 100
    const r = await handshake([SYN(100 * MS, { val: 5000, ecr: () => 0 }), ACK(130 * MS, { val: 5030, ecr: last })], { "net.ipv4.tcp_syncookies": 2 });
    expect(r.nstat("TcpExtSyncookiesRecv")).toBe(1);
    const c = r.child!.conn!;
    expect((r.synacks[0]!.tsval - r.child!.tsOff) >>> 0).toBe(87);
    expect(c.rtt.srttUs).toBe(8 * 43_000);
    // 43 + max(86, 200) = 243 ms
    expect(c.rtt.rtoUs).toBe(243_000);
  });

  it("SYN cookie child without timestamps: no sample (snt_synack is 0 for cookies; no TSecr): rto 3 s (TCP_TIMEOUT_FALLBACK)", async () => {
    const r = await handshake([SYN(100 * MS), ACK(130 * MS)], { "net.ipv4.tcp_syncookies": 2 });
    expect(r.nstat("TcpExtSyncookiesRecv")).toBe(1);
    expect(r.child!.conn!.rtt.srttUs).toBe(0);
    expect(r.child!.conn!.rtt.rtoUs).toBe(3_000_000);
  });
});
