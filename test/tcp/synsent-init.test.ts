// The active side's transfer state (6.12, net/ipv4/tcp_input.c: tcp_rcv_synsent_state_process): the SYN-ACK's
// tcp_ack (tcp_clean_rtx_queue, FLAG_SYN_ACKED: tcp_ack_update_rtt) comes before tcp_finish_connect ->
// tcp_init_transfer -> tcp_init_metrics, which without an RTT sample sets icsk_rto = TCP_TIMEOUT_FALLBACK (3 s)
// and rttvar = mdev = mdev_max = 3 s (net/ipv4/tcp_metrics.c). Here the client (host a, a bulk flow to b:5001)
// sends its SYN over a dead link (every frame lost): the SYN at 0 and its retransmissions (tcp_retransmit_timer,
// 1 s apart: tcp_syn_linear_timeouts) go nowhere, and a SYN-ACK is injected into the client's tcp_v4_rcv.
// The socket is read right after it, before an ACK of data could come. tcp_init_transfer then sets cwnd 1 when
// total_retrans > 1 && undo_marker: each SYN retransmission counts (__tcp_retransmit_skb), the first timeout's
// tcp_enter_loss set undo_marker = snd_una (the ISN), and tcp_try_undo_spurious_syn (before tcp_ack) clears it
// when the SYN-ACK echoes the first SYN's TSval (retrans_stamp, tcp_connect's tcp_time_stamp_ts).
import { describe, expect, it } from "vitest";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { TCPHDR_ACK, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { TCP_ESTABLISHED, TCP_SYN_SENT } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import type { TcpConn } from "../../src/tcp/conn.js";
import { deadLinkWorld, pair, bulk } from "../tcpdata/helpers.js";

const MS = 1e6;

interface SynAckTs {
  val: number;
  /** TSecr from the client socket (its tsOff, connectAt, ...) */
  ecr: (sk: TcpSock) => number;
}

/** The client's socket and transfer state right after a SYN-ACK injected at `at` (ns). */
async function synAckAt(at: number, ts: SynAckTs | null, clientSysctl: Record<string, number> = {}, connectAt = 0) {
  const spec = pair({ durationNs: at + 1 * MS, clientSysctl }, [bulk({ at: connectAt })]);
  const w = await deadLinkWorld(spec, 0);
  const t = w.host("a").stack.tcp;
  let sk: TcpSock | null = null;
  let conn: TcpConn | null = null;
  let cwnd = -1;
  let retransmits = -1;
  w.loop.at(
    at,
    w.loop.register("test: SYN-ACK", () => {
      for (const pt of t.ports.values()) for (const s of pt.conns.values()) sk = s as TcpSock;
      expect(sk!.state).toBe(TCP_SYN_SENT);
      retransmits = sk!.retransmits;
      const h = w.core.allocOne(w.loop.now);
      w.ledger.create(1);
      const s = new SegOut();
      s.src = Uint8Array.of(10, 0, 0, 2);
      s.dst = Uint8Array.of(10, 0, 0, 1);
      s.sport = sk!.rport;
      s.dport = sk!.lport;
      s.seq = 12345;
      s.ack = sk!.sndNxt;
      s.flags = TCPHDR_SYN | TCPHDR_ACK;
      s.window = 65535;
      s.mss = 1460;
      s.wscale = 7;
      s.sackPerm = true;
      if (ts !== null) {
        s.ts = true;
        s.tsVal = ts.val;
        s.tsEcr = ts.ecr(sk!) >>> 0;
      }
      writeSegment(w.core, h, s);
      t.rcv(h);
      expect(sk!.state).toBe(TCP_ESTABLISHED);
      conn = sk!.conn;
      // the first flight leaves inside t.rcv; nothing is ACKed yet
      cwnd = conn!.cwnd;
    }),
    0,
  );
  w.run();
  return { sk: sk! as TcpSock, c: conn! as TcpConn, cwnd, retransmits };
}

describe("tcp_rcv_synsent_state_process -> tcp_init_transfer: the client's RTT state", () => {
  it("SYN answered at once (no retransmission), no timestamps: the SYN's own RTT sample (10 ms): rto 210 ms", async () => {
    const r = await synAckAt(10 * MS, null, { "net.ipv4.tcp_timestamps": 0 });
    expect(r.retransmits).toBe(0);
    expect(r.c.rtt.srttUs).toBe(8 * 10_000);
    expect(r.c.rtt.rtoUs).toBe(210_000);
  });

  it("SYN retransmitted once (1.024 s), no timestamps: Karn, no sample: TCP_TIMEOUT_FALLBACK, rto 3 s, rttvar = mdev = mdev_max = 3 s", async () => {
    const r = await synAckAt(1500 * MS, null, { "net.ipv4.tcp_timestamps": 0 });
    expect(r.retransmits).toBe(1);
    const rtt = r.c.rtt;
    expect(rtt.srttUs).toBe(0);
    expect([rtt.rtoUs, rtt.rttvarUs, rtt.mdevUs, rtt.mdevMaxUs]).toEqual([3_000_000, 3_000_000, 3_000_000, 3_000_000]);
  });
});

describe("tcp_ack_update_rtt after a retransmitted SYN (Karn): the SYN-ACK's timestamp echo, tcp_rtt_tsopt_us(tp, 1)", () => {
  // the SYN timer is a timer_list (kernel/time/timer.c: calc_wheel_index): 1000 jiffies from jiffy 0 run at the
  // next multiple of 64 after expiry, 1024 ms
  it("SYN resent at 1.024 s, the SYN-ACK at 1034 ms echoes that SYN's TSval (1024 ms): m = 10 ms, srtt_us 80000, rto 210 ms", async () => {
    const r = await synAckAt(1034 * MS, { val: 777, ecr: (sk) => 1024 + sk.tsOff });
    expect(r.retransmits).toBe(1);
    expect(r.c.rtt.srttUs).toBe(80_000);
    expect(r.c.rtt.rtoUs).toBe(210_000);
  });

  it("connect at 5 ms, the echo is the first SYN's (5 ms), SYN-ACK at 1500 ms: m = 1495 ms, rttvar 2 m, rto 1495 + 2990 = 4485 ms", async () => {
    const r = await synAckAt(1500 * MS, { val: 777, ecr: (sk) => 5 + sk.tsOff }, {}, 5 * MS);
    expect(r.c.rtt.srttUs).toBe(8 * 1_495_000);
    expect(r.c.rtt.rttvarUs).toBe(2_990_000);
    expect(r.c.rtt.rtoUs).toBe(4_485_000);
  });

  it("an echo in the same ms (SYN-ACK at 1024.4 ms): delta 0 -> min_delta 1 ms, rto 201 ms", async () => {
    const r = await synAckAt(1024.4 * MS, { val: 777, ecr: (sk) => 1024 + sk.tsOff });
    expect(r.c.rtt.srttUs).toBe(8_000);
    expect(r.c.rtt.rtoUs).toBe(201_000);
  });

  it("a SYN-ACK with a timestamp but TSecr 0: no sample, rto 3 s (TCP_TIMEOUT_FALLBACK)", async () => {
    const r = await synAckAt(1034 * MS, { val: 777, ecr: () => 0 });
    expect(r.c.rtt.srttUs).toBe(0);
    expect(r.c.rtt.rtoUs).toBe(3_000_000);
  });
});

describe("tcp_init_transfer: the client's initial cwnd after SYN retransmissions", () => {
  const NO_TS = { "net.ipv4.tcp_timestamps": 0 };

  it("two SYN retransmissions (1.024 s, 2.048 s), SYN-ACK at 2.5 s: cwnd 1", async () => {
    const r = await synAckAt(2500 * MS, null, NO_TS);
    expect(r.retransmits).toBe(2);
    expect(r.sk.iss).not.toBe(0);
    expect(r.cwnd).toBe(1);
  });

  it("one SYN retransmission, SYN-ACK at 1.5 s: cwnd 10", async () => {
    const r = await synAckAt(1500 * MS, null, NO_TS);
    expect(r.retransmits).toBe(1);
    expect(r.cwnd).toBe(10);
  });

  // the SYN timer on the wheel: 5 + 1000 -> 1024, 1024 + 1000 -> 2048 (64-jiffy granule)
  it("connect at 5 ms, two retransmissions, the SYN-ACK echoes the last SYN's TSval (2048 ms): cwnd 1", async () => {
    const r = await synAckAt(2500 * MS, { val: 777, ecr: (sk) => 2048 + sk.tsOff }, {}, 5 * MS);
    expect(r.retransmits).toBe(2);
    expect(r.cwnd).toBe(1);
  });

  it("connect at 5 ms, two retransmissions, the SYN-ACK echoes the first SYN's TSval (5 ms): spurious, cwnd 10", async () => {
    const r = await synAckAt(2500 * MS, { val: 777, ecr: (sk) => 5 + sk.tsOff }, {}, 5 * MS);
    expect(r.retransmits).toBe(2);
    expect(r.cwnd).toBe(10);
  });
});
