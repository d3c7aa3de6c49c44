// Window and buffer arithmetic against numbers derived by hand from the
// kernel source (6.12) and ../shared/linux/tcp-queues-buffers.md §6–7.
import { describe, expect, it } from "vitest";
import {
  initRcvBufferSpace,
  pacingRate,
  growWindow,
  rcvSpaceAdjust,
  selectInitialWindow,
  selectWindowRaw,
  sndbufExpand,
  soRcvbuf,
  soSndbuf,
  winFromSpace,
  type RcvSpaceState,
  type RcvWindowState,
} from "../../src/tcp/buffers.js";
import { newRttState, rttSample } from "../../src/tcp/rtt.js";
import { cubic } from "../../src/tcp/cubic.js";
import { reno, type CcSock } from "../../src/tcp/cc.js";

function rcvState(over: Partial<RcvWindowState> = {}): RcvWindowState {
  return { rcvbuf: 131072, rmemAlloc: 0, backlogLen: 0, scalingRatio: 128, windowClamp: 0, rcvSsthresh: 0, rcvWnd: 0, rcvWscale: 7, rcvMss: 1448, advmss: 1448, quick: 0, ...over };
}

describe("initial window (tcp_select_initial_window)", () => {
  it("rcvbuf 131072, MSS 1448 (TS): 65160, wscale 7 with tcp_rmem[2] 6 MiB", () => {
    const w = selectInitialWindow(winFromSpace(128, 131072), 1448, 0, true, 6291456, 212992);
    expect(w).toEqual({ rcvWnd: 65160, wscale: 7, windowClamp: 65535 * 128 });
  });
  it("no timestamps (MSS 1460): 64240; 32 MiB rmem[2] gives wscale 10", () => {
    expect(selectInitialWindow(65536, 1460, 0, true, 6291456, 212992).rcvWnd).toBe(64240);
    expect(selectInitialWindow(65536, 1448, 0, true, 33554432, 212992).wscale).toBe(10);
  });
  it("SO_RCVBUF 4096 locked (clamp = full space): window 1448·2, wscale 0", () => {
    const full = winFromSpace(128, soRcvbuf(4096, 212992)); // 8192 -> 4096
    expect(selectInitialWindow(full, 1448, full, true, 6291456, 212992)).toEqual({ rcvWnd: 2896, wscale: 0, windowClamp: 4096 });
  });
});

describe("tcp_init_buffer_space", () => {
  it("window_clamp 64088 (full space 65536 minus one advmss), rcv_ssthresh 64088, rcvq_space 10·advmss", () => {
    const s = rcvState({ windowClamp: 65535 * 128, rcvSsthresh: 65160, rcvWnd: 65160 });
    expect(initRcvBufferSpace(s)).toBe(14480);
    expect(s.windowClamp).toBe(64088);
    expect(s.rcvSsthresh).toBe(64088);
  });
});

describe("tcp_grow_window", () => {
  it("a 1448-byte segment of truesize 2304 (1152 of window <= 1448): rcv_ssthresh + 2·advmss, icsk_ack.quick |= 1", () => {
    // room = min(clamp, 131072·128/256 = 65536) − 14480 = 51056; incr = max(2·1448, 2·1448) = 2896
    const s = rcvState({ windowClamp: 65535 * 128, rcvSsthresh: 14480, quick: 0 });
    growWindow(s, 1448, 2304, 6291456);
    expect(s.rcvSsthresh).toBe(17376);
    expect(s.quick).toBe(1);
    // an even quick-ACK count gains one; an odd one is left as it is
    s.quick = 2;
    growWindow(s, 1448, 2304, 6291456);
    expect(s.rcvSsthresh).toBe(20272);
    expect(s.quick).toBe(3);
    growWindow(s, 1448, 2304, 6291456);
    expect(s.quick).toBe(3);
  });
  it("under memory pressure (room > 0): rcv_ssthresh cut to 4·advmss (tcp_adjust_rcv_ssthresh), no quick ACK", () => {
    // net/ipv4/tcp_input.c: tcp_grow_window — room = min(400000, tcp_space = 2^20·128/256 = 524288) − 64000 > 0,
    // tcp_under_memory_pressure -> tcp_adjust_rcv_ssthresh: min(64000, 4U·1448 = 5792) (no SO_RESERVE_MEM)
    const s = rcvState({ rcvbuf: 1 << 20, windowClamp: 400000, rcvSsthresh: 64000, rcvWnd: 64000 });
    growWindow(s, 1448, 2304, 6291456, true);
    expect(s.rcvSsthresh).toBe(5792);
    expect(s.quick).toBe(0);
    // no room: tcp_grow_window returns before the pressure test
    const n = rcvState({ windowClamp: 65535 * 128, rcvSsthresh: 65536 });
    growWindow(n, 1448, 2304, 6291456, true);
    expect(n.rcvSsthresh).toBe(65536);
  });
  it("no room (rcv_ssthresh at tcp_space): no growth, quick untouched", () => {
    const s = rcvState({ windowClamp: 65535 * 128, rcvSsthresh: 65536, quick: 0 });
    growWindow(s, 1448, 2304, 6291456);
    expect(s.rcvSsthresh).toBe(65536);
    expect(s.quick).toBe(0);
  });
});

describe("socket buffer sizes", () => {
  it("tcp_sndbuf_expand: MSS 1460 -> 87040 (per_mss 4352); loopback MSS 65495 -> 2626560", () => {
    expect(sndbufExpand(16384, 1460, 1448, 10, 3, 2, 4194304)).toBe(87040);
    expect(sndbufExpand(16384, 65495, 65483, 10, 3, 2, 4194304)).toBe(2626560);
    expect(sndbufExpand(16384, 65495, 65483, 10, 3, 3, 4194304)).toBe(3939840);
    // capped at tcp_wmem[2]; never shrinks
    expect(sndbufExpand(16384, 1460, 1448, 2000, 3, 2, 4194304)).toBe(4194304);
    expect(sndbufExpand(200000, 1460, 1448, 10, 3, 2, 4194304)).toBe(200000);
  });
  it("SO_RCVBUF / SO_SNDBUF: doubled, clamped to rmem_max/wmem_max, floors 2304 / 4608", () => {
    expect(soRcvbuf(1, 4194304)).toBe(2304);
    expect(soRcvbuf(1153, 4194304)).toBe(2306);
    expect(soRcvbuf(10000, 4194304)).toBe(20000);
    expect(soRcvbuf(3000000, 4194304)).toBe(6000000);
    expect(soRcvbuf(8 << 20, 212992)).toBe(425984);
    expect(soSndbuf(1, 212992)).toBe(4608);
  });
});

describe("advertised window (__tcp_select_window)", () => {
  it("empty buffer: min(free, rcv_ssthresh) aligned up to 2^wscale", () => {
    const s = rcvState({ windowClamp: 64088, rcvSsthresh: 64088, rcvWnd: 65160 });
    expect(selectWindowRaw(s)).toBe(64128); // ALIGN(64088, 128)
  });
  it("a nearly full receive buffer advertises 0 (free < allowed/16)", () => {
    const s = rcvState({ windowClamp: 64088, rcvSsthresh: 64088, rcvWnd: 65160, rmemAlloc: 130000 });
    expect(selectWindowRaw(s)).toBe(0);
  });
  it("half full: free rounded down to 2^wscale, not the ssthresh", () => {
    // free = (131072-80000)/2 = 25536 < 32044 -> round_down to 128 -> 25472
    const s = rcvState({ windowClamp: 64088, rcvSsthresh: 64088, rcvWnd: 65160, rmemAlloc: 80000 });
    expect(selectWindowRaw(s)).toBe(25472);
  });
  it("no window scaling: a multiple of the MSS", () => {
    const s = rcvState({ rcvWscale: 0, windowClamp: 64088, rcvSsthresh: 64088, rcvWnd: 0 });
    expect(selectWindowRaw(s)).toBe(Math.floor(64088 / 1448) * 1448);
  });
});

describe("DRS autotuning (tcp_rcv_space_adjust, 6.12)", () => {
  it("a reader whose per-RTT bytes double: sk_rcvbuf 222656, 619008, 1099008, 2059008, 3979008, then tcp_rmem[2]", () => {
    const s = rcvState({ windowClamp: 64088, rcvSsthresh: 64088 });
    const d: RcvSpaceState = { space: 14480, seq: 0, time: 0, rttUs: 8 * 100_000 };
    const seen: number[] = [];
    let copied = 0;
    let now = 0;
    for (const perRtt of [20000, 40000, 80000, 160000, 320000, 640000]) {
      now += 100_000;
      copied += perRtt;
      rcvSpaceAdjust(d, s, now, copied, copied, true, false, 6291456);
      seen.push(s.rcvbuf);
    }
    expect(seen).toEqual([222656, 619008, 1099008, 2059008, 3979008, 6291456]);
    expect(s.windowClamp).toBe(3145728);
    expect(d.space).toBe(640000);
  });
  it("no adjustment before rtt/8 has passed, with tcp_moderate_rcvbuf=0, or with SO_RCVBUF locked", () => {
    const mk = () => ({ s: rcvState(), d: { space: 14480, seq: 0, time: 0, rttUs: 8 * 100_000 } as RcvSpaceState });
    let { s, d } = mk();
    rcvSpaceAdjust(d, s, 99_999, 50000, 50000, true, false, 6291456); // time 99 999 < rtt_us >> 3 = 100 000
    expect([s.rcvbuf, d.space]).toEqual([131072, 14480]);
    ({ s, d } = mk());
    rcvSpaceAdjust(d, s, 100_000, 50000, 50000, false, false, 6291456);
    expect([s.rcvbuf, d.space]).toEqual([131072, 50000]);
    ({ s, d } = mk());
    rcvSpaceAdjust(d, s, 100_000, 50000, 50000, true, true, 6291456);
    expect(s.rcvbuf).toBe(131072);
  });
  it("time == rtt_us >> 3 measures (an integer shift), one µs less does not", () => {
    // net/ipv4/tcp_input.c: tcp_rcv_space_adjust — `time < (rcv_rtt_est.rtt_us >> 3)`: rtt_us 8017 (a smoothed
    // value, tcp_rcv_rtt_update's old - old/8 + sample) -> 1002; 1002 µs after rcvq_space.time 1000 it measures.
    // copied = 30000 − 0 − (30000 − 30000) = 30000 > space 14480: rcvwin = 2·30000 + 16·1448 = 83168,
    // grow = 83168·15520/14480 = 89141, rcvwin = 83168 + 2·89141 = 261450, rcvbuf = 261450·256/128 = 522900
    const mk = (): RcvSpaceState => ({ space: 14480, seq: 0, time: 1000, rttUs: 8017 });
    const s = rcvState();
    const early = mk();
    rcvSpaceAdjust(early, s, 2001, 30000, 30000, true, false, 6291456);
    expect([early.space, early.seq, early.time, s.rcvbuf]).toEqual([14480, 0, 1000, 131072]);
    const d = mk();
    rcvSpaceAdjust(d, s, 2002, 30000, 30000, true, false, 6291456);
    expect([d.space, d.seq, d.time]).toEqual([30000, 30000, 2002]);
    expect(s.rcvbuf).toBe(522900);
  });
  it("bytes still queued (rcv_nxt - copied_seq) do not count as copied", () => {
    const s = rcvState();
    const d: RcvSpaceState = { space: 14480, seq: 0, time: 0, rttUs: 800 };
    rcvSpaceAdjust(d, s, 1000, 20000, 30000, true, false, 6291456); // copied = 20000 - 10000
    expect([s.rcvbuf, d.space]).toEqual([131072, 14480]);
  });
});

describe("pacing rate and RTT", () => {
  it("tcp_update_pacing_rate: mss 1448, cwnd 10, srtt 10 ms -> 2,896,000 B/s (ss), 1,737,600 (ca)", () => {
    expect(pacingRate(1448, 10, 0x7fffffff, 10, 8 * 10_000)).toBe(2_896_000);
    expect(pacingRate(1448, 10, 10, 10, 8 * 10_000)).toBe(1_737_600);
  });
  it("tcp_update_pacing_rate: ssthresh / 2 is a u32 division (cwnd 10, ssthresh 21: 10 < 10 is false -> 120 %)", () => {
    // rate = 1448·80000·120·max(10, 10) / srtt_us 80000 = 1 737 600; ssthresh 22: 10 < 11 -> 200 %: 2 896 000
    expect(pacingRate(1448, 10, 21, 10, 80000)).toBe(1_737_600);
    expect(pacingRate(1448, 10, 22, 10, 80000)).toBe(2_896_000);
  });
  it("tcp_rtt_estimator: first sample 100 us -> srtt 100 us, rttvar 200 ms, RTO 201 ms (jiffies round up)", () => {
    const r = newRttState();
    rttSample(r, 100, 0, 14480);
    expect(r.srttUs).toBe(800);
    expect(r.mdevUs).toBe(200);
    expect(r.rttvarUs).toBe(200_000);
    expect(r.rtoUs).toBe(201_000);
    // a second sample of 200 us: srtt += (200 - 100) -> 900 (8x), mdev += 100 - 50
    rttSample(r, 200, 0, 14480);
    expect(r.srttUs).toBe(900);
    expect(r.mdevUs).toBe(250);
  });
});

describe("congestion control", () => {
  const sock = (cwnd: number): CcSock => ({ cwnd, ssthresh: 0x7fffffff, cwndCnt: 0, mss: 1448, inFlight: cwnd, srttUs: 800, now: 1e9, lsndtime: 0, jiffyUs: 1000, cwndLimited: true, delivered: 0, deliveryRateBps: 0, priorCwnd: 0 });
  it("loss: CUBIC ssthresh = cwnd·717/1024, Reno cwnd/2, floor 2", () => {
    expect(cubic().ssthresh(sock(100))).toBe(70);
    expect(reno().ssthresh(sock(100))).toBe(50);
    expect(reno().ssthresh(sock(3))).toBe(2);
  });
  it("slow start adds one segment per ACKed segment up to ssthresh; Reno CA adds 1 per cwnd ACKed", () => {
    const r = reno();
    const s = sock(10);
    r.congAvoid!(s, 5);
    expect(s.cwnd).toBe(15);
    s.ssthresh = 16;
    r.congAvoid!(s, 5); // 1 to reach ssthresh, 4 counted toward CA
    expect([s.cwnd, s.cwndCnt]).toEqual([16, 4]);
    r.congAvoid!(s, 12);
    expect([s.cwnd, s.cwndCnt]).toEqual([17, 0]);
  });
});
