// CUBIC's curve (net/ipv4/tcp_cubic.c, 6.12 defaults: beta 717, bic_scale 41 -> cube_rtt_scale 410,
// cube_factor 2^40 / 410 = 2681735677, beta_scale 8·1741/3/307 = 15, HZ 1000, BICTCP_HZ 10) against
// numbers worked out by hand from bictcp_update, cubic_root, tcp_friendliness and cubictcp_recalc_ssthresh.
import { describe, expect, it } from "vitest";
import { cubic, cubicRoot } from "../../src/tcp/cubic.js";
import { CA_EVENT_TX_START, type CcSock } from "../../src/tcp/cc.js";

const CUBE_FACTOR = 2681735677;

function sock(cwnd: number): CcSock {
  return {
    cwnd, ssthresh: 0x7fffffff, cwndCnt: 0, mss: 1448, inFlight: cwnd, srttUs: 8000, now: 1e9, lsndtime: 1000, jiffyUs: 1000,
    cwndLimited: true, priorCwnd: 0, delivered: 0, deliveryRateBps: 0,
  };
}

describe("cubic_root: a table estimate plus one Newton-Raphson step, not floor(cbrt)", () => {
  it("a < 64 from the table alone; cube_factor·1 -> 1388, ·6 -> 2523, ·12 -> 3179 (floor(cbrt): 1389, 2524, 3180)", () => {
    // a = 8: fls 4 < 7 -> (v[8] = 123 + 35) >> 6 = 2; a = 0 -> 35 >> 6 = 0
    expect(cubicRoot(8)).toBe(2);
    expect(cubicRoot(0)).toBe(0);
    // a = 2681735677: fls 32, b = (32·84 >> 8) − 1 = 9, a >> 27 = 19, v[19] = 168, x = (178 << 9) >> 6 = 1424;
    // x = 2·1424 + a / (1424·1423 = 2026352) = 2848 + 1323 = 4171; 4171·341 >> 10 = 1388
    expect(cubicRoot(CUBE_FACTOR)).toBe(1388);
    // a = 16090414062: fls 34, b = 10, a >> 30 = 14, v[14] = 151, x = (161 << 10) >> 6 = 2576;
    // x = 5152 + a / (2576·2575) = 5152 + 2425 = 7577; 7577·341 >> 10 = 2523
    expect(cubicRoot(CUBE_FACTOR * 6)).toBe(2523);
    // a = 32180828124: fls 35, b = 10, a >> 30 = 29, v[29] = 194, x = (204 << 10) >> 6 = 3264;
    // x = 6528 + a / (3264·3263) = 6528 + 3021 = 9549; 9549·341 >> 10 = 3179
    expect(cubicRoot(CUBE_FACTOR * 12)).toBe(3179);
  });
});

describe("bictcp_update", () => {
  it("K from cubic_root: W_max 20, cwnd 14 -> cwnd 15 after 8 packets ACKed 145 ms into the epoch", () => {
    // (review13a #3) loss at cwnd 20 with last_max_cwnd 0: last_max 20, ssthresh 20·717/1024 = 14.
    // First ACK at jiffy J: epoch_start J, K = cubic_root(cube_factor·6) = 2523, t = 0, offs 2523,
    //   delta = 410·2523³ >> 40 = 5, target 15, cnt 14; tcp_cong_avoid_ai(14, 1): cwnd_cnt 1.
    // 7 packets 145 jiffies later: t = 145·1024/1000 = 148, offs 2375, delta = 410·2375³ >> 40 = 4, target 16,
    //   cnt = 14 / 2 = 7; friendliness: ack_cnt 8 <= 14·15 >> 3 = 26; cwnd_cnt 8 >= 7 -> cwnd 15, cwnd_cnt 1.
    //   (With K = floor(cbrt) = 2524: offs 2376, delta 5, target 15, cnt 14: cwnd stays 14.)
    const cc = cubic();
    const sk = sock(20);
    cc.init(sk);
    sk.ssthresh = cc.ssthresh(sk);
    expect(sk.ssthresh).toBe(14);
    sk.cwnd = 14;
    cc.congAvoid!(sk, 1);
    expect([sk.cwnd, sk.cwndCnt]).toEqual([14, 1]);
    sk.now += 145e6;
    cc.congAvoid!(sk, 7);
    expect([sk.cwnd, sk.cwndCnt]).toEqual([15, 1]);
  });
  it("fast convergence: a loss below the last W_max remembers W_max·1741/2048 (100, then 80 -> 68)", () => {
    // cubictcp_recalc_ssthresh: loss at 100 (last_max 0): last_max 100, ssthresh 70; loss at 80 < 100:
    // last_max = 80·1741/2048 = 68, ssthresh 80·717/1024 = 56.
    // First ACK (cwnd 56): K = cubic_root(cube_factor·12) = 3179, origin 68; cwnd_cnt 1.
    // 3 packets 3200 jiffies later: t = 3276, offs 97, delta = 410·97³ >> 40 = 0, target 68, cnt = 56/12 = 4;
    //   ack_cnt 4 <= 56·15 >> 3 = 105; cwnd_cnt 4 >= 4 -> cwnd 57, cwnd_cnt 0.
    //   (Without fast convergence origin 80, K = cubic_root(cube_factor·24): cnt = 56/24 = 2 -> cwnd 58.)
    const cc = cubic();
    const sk = sock(100);
    cc.init(sk);
    expect(cc.ssthresh(sk)).toBe(70);
    sk.cwnd = 80;
    expect(cc.ssthresh(sk)).toBe(56);
    sk.cwnd = sk.ssthresh = 56;
    cc.congAvoid!(sk, 1);
    expect([sk.cwnd, sk.cwndCnt]).toEqual([56, 1]);
    sk.now += 3200e6;
    cc.congAvoid!(sk, 3);
    expect([sk.cwnd, sk.cwndCnt]).toEqual([57, 0]);
  });
  it("tcp_friendliness: once the Reno estimate tcp_cwnd passes cwnd, cnt <= cwnd / (tcp_cwnd - cwnd)", () => {
    // Loss at 100: last_max 100. cwnd 100 (>= last_max): K 0, origin 100. First ACK: ack_cnt 1, tcp_cwnd 100,
    //   target 100 = cwnd -> cnt 100·100 = 10000; cwnd_cnt 1.
    // 400 packets 50 jiffies later: t = 51, delta = 410·51³ >> 40 = 0, cnt 10000; friendliness: delta =
    //   100·15 >> 3 = 187, ack_cnt 401 -> 214 -> 27, tcp_cwnd 102 > 100: cnt = min(10000, 100/2 = 50).
    //   tcp_cong_avoid_ai(50, 400): cwnd_cnt 401 -> +8, cwnd 108, cwnd_cnt 1.
    const cc = cubic();
    const sk = sock(100);
    cc.init(sk);
    sk.ssthresh = cc.ssthresh(sk);
    sk.cwnd = 100;
    cc.congAvoid!(sk, 1);
    expect([sk.cwnd, sk.cwndCnt]).toEqual([100, 1]);
    sk.now += 50e6;
    cc.congAvoid!(sk, 400);
    expect([sk.cwnd, sk.cwndCnt]).toEqual([108, 1]);
  });
});

// At HZ=250 (CcSock.jiffyUs 4000) bictcp_update and cubictcp_cwnd_event count tcp_jiffies32 at 4 ms a jiffy,
// lsndtime is a jiffy stamp, t <<= BICTCP_HZ; do_div(t, HZ) divides by 250 and HZ / 32 is 7 jiffies.
describe("CUBIC at HZ=250: tcp_jiffies32 and HZ are the host's", () => {
  it("K from cubic_root, W_max 20, cwnd 14: 145 ms is 36 jiffies, t = 36·1024/250 = 147: cwnd stays 14", () => {
    // As the HZ=1000 case above: first ACK at 1 s (jiffy 250): K 2523, t 0, delta 5, target 15, cnt 14,
    // cwnd_cnt 1. 7 packets at 1.145 s, jiffy 286 (286.25 cut): 36 > HZ / 32 = 7 since last_time; t = 36·1024 / 250
    // = 147 (147.456 cut), offs 2376, delta = 410·2376³ >> 40 = 5, target 15, cnt 14; ack_cnt 8 <= 26;
    // cwnd_cnt 8 < 14: cwnd 14. (Before, at HZ=1000 whatever the host's: t 148, cwnd 15, cwnd_cnt 1.)
    const cc = cubic();
    const sk = { ...sock(20), jiffyUs: 4000 };
    cc.init(sk);
    sk.ssthresh = cc.ssthresh(sk);
    sk.cwnd = 14;
    cc.congAvoid!(sk, 1);
    expect([sk.cwnd, sk.cwndCnt]).toEqual([14, 1]);
    sk.now += 145e6;
    cc.congAvoid!(sk, 7);
    expect([sk.cwnd, sk.cwndCnt]).toEqual([14, 8]);
  });

  it("cubictcp_cwnd_event: lsndtime and now in jiffies; 3 s idle after sending until 12 s moves the epoch 3 s at either HZ", () => {
    // Loss at cwnd 100 (last_max 0): last_max 100, ssthresh 70; cwnd 100 >= last_max: K 0, origin 100. First
    // ACK at 10 s: t 0, target 100, cnt 100·100 = 10000 (no cap: last_max != 0), cwnd_cnt 1. Data last sent at
    // 12 s (lsndtime), sending again at 15 s: delta = now - lsndtime = 3 s in jiffies (HZ=250: 3750 - 3000 =
    // 750; HZ=1000: 15000 - 12000 = 3000), epoch_start 10 s -> 13 s (not after now). 40 packets ACKed at 15 s:
    // t = 2 s = 500 jiffies -> 500·1024/250 (or 2000·1024/1000) = 2048, offs 2048, delta = 410·2^33 >> 40 = 3,
    // target 103, cnt 100/3 = 33; ack_cnt 41 <= 100·15 >> 3 = 187; cwnd_cnt 41 >= 33: cwnd 101, cwnd_cnt 8.
    // (Before, at HZ=250: lsndtime 3000 read as ms, delta 12000 pushed the epoch past now, cut to now: t 0,
    // cnt 10000, cwnd 100, cwnd_cnt 41.)
    for (const [jiffyUs, lsndtime] of [[4000, 3000], [1000, 12_000]] as const) {
      const cc = cubic();
      const sk = { ...sock(100), jiffyUs, now: 10e9 };
      cc.init(sk);
      sk.ssthresh = cc.ssthresh(sk);
      expect(sk.ssthresh).toBe(70);
      cc.congAvoid!(sk, 1);
      expect([sk.cwnd, sk.cwndCnt]).toEqual([100, 1]);
      sk.now = 15e9;
      sk.lsndtime = lsndtime;
      cc.cwndEvent!(sk, CA_EVENT_TX_START);
      cc.congAvoid!(sk, 40);
      expect([jiffyUs, sk.cwnd, sk.cwndCnt]).toEqual([jiffyUs, 101, 8]);
    }
  });
});

// bictcp_update's `t += usecs_to_jiffies(ca->delay_min)` at HZ=250: delay_min 4001 µs (cubictcp_acked's first
// sample, taken with no epoch) is 2 jiffies (_usecs_to_jiffies rounds up: (4001 + 3999) / 4000), not 1 (cut) nor
// 5 (µs read as ms). Same loss as above (W_max 20, cwnd 14: K 2523, first ACK at jiffy 250: t = 2·1024/250 = 8,
// offs 2515, delta 5, target 15, cnt 14, cwnd_cnt 1); then 7 packets E jiffies later. delta = 410·offs³ >> 40 is
// 5 down to offs 2376 and 4 from 2375 (5·2^40 / 410 = 2375.4³).
describe("CUBIC at HZ=250: usecs_to_jiffies(delay_min) rounds up", () => {
  const at = (elapsedMs: number): number[] => {
    const cc = cubic();
    const sk = { ...sock(20), jiffyUs: 4000 };
    cc.init(sk);
    sk.ssthresh = cc.ssthresh(sk);
    sk.cwnd = 14;
    // cwnd 14 = ssthresh: not slow start (no HyStart); no epoch yet: the sample is kept
    cc.pktsAcked!(sk, 1, 4001);
    cc.congAvoid!(sk, 1);
    expect([sk.cwnd, sk.cwndCnt]).toEqual([14, 1]);
    sk.now += elapsedMs * 1e6;
    cc.congAvoid!(sk, 7);
    return [sk.cwnd, sk.cwndCnt];
  };

  it("E = 35 jiffies (140 ms): t = (35 + 2)·1024/250 = 151, offs 2372, delta 4, target 16, cnt 7: cwnd 15, cwnd_cnt 1 (1 jiffy: t 147, delta 5, cnt 14: 14, 8)", () => {
    // ack_cnt 8 <= 14·15 >> 3 = 26 (tcp_friendliness leaves cnt); tcp_cong_avoid_ai(7, 7): cwnd_cnt 8 >= 7 -> 15, 1
    expect(at(140)).toEqual([15, 1]);
  });

  it("E = 32 jiffies (128 ms): t = (32 + 2)·1024/250 = 139, offs 2384, delta 5, cnt 14: cwnd 14, cwnd_cnt 8 (5 jiffies: t 151, delta 4: 15, 1)", () => {
    expect(at(128)).toEqual([14, 8]);
  });
});
