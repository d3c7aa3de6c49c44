// CUBIC (net/ipv4/tcp_cubic.c) with its default parameters: beta 717/1024,
// bic_scale 41, fast convergence and TCP friendliness on. Time in jiffies at
// the host's HZ (tcp_jiffies32, HZ: CcSock.jiffyUs) as the kernel counts it, so
// the curve's steps follow the tick. HyStart (hystart.ts) leaves slow start
// early on an ACK train as long as half the minimum RTT or on a rise in RTT.
import { CA_EVENT_TX_START, inSlowStart, renoUndoCwnd, tcpCongAvoidAi, tcpSlowStart, type CcSock, type CongestionOps } from "./cc.js";
import { HYSTART_DEFAULTS, Hystart, type HystartParams } from "./hystart.js";

const BICTCP_BETA_SCALE = 1024;
const BICTCP_HZ = 10;
const BETA = 717;
const BIC_SCALE = 41;
/** cubictcp_register: beta_scale = 8·(1024+beta)/3/(1024−beta) */
const BETA_SCALE = Math.floor(Math.floor((8 * (BICTCP_BETA_SCALE + BETA)) / 3) / (BICTCP_BETA_SCALE - BETA));
const CUBE_RTT_SCALE = BIC_SCALE * 10;
/** cube_factor = 2^(10+3·BICTCP_HZ) / cube_rtt_scale */
const CUBE_FACTOR = Math.floor(2 ** (10 + 3 * BICTCP_HZ) / CUBE_RTT_SCALE);

/** net/ipv4/tcp_cubic.c: cubic_root's table: for a 6-bit top part x of the argument, about 64·cbrt(x) − 1
 *  (hand-refined in the kernel, so taken as data, not recomputed). */
const CBRT_TOP = new Uint8Array([
  0, 54, 54, 54, 118, 118, 118, 118, 123, 129, 134, 138, 143, 147, 151, 156,
  157, 161, 164, 168, 170, 173, 176, 179, 181, 185, 187, 190, 192, 194, 197, 199,
  200, 202, 204, 206, 209, 211, 213, 215, 217, 219, 221, 222, 224, 225, 227, 229,
  231, 232, 234, 236, 237, 239, 240, 242, 244, 245, 246, 248, 250, 251, 252, 254,
]);

/** Index of the highest set bit, 1-based (0 for 0), of a non-negative integer below 2^53 (fls64). */
function fls(a: number): number {
  const hi = Math.floor(a / 2 ** 32);
  return hi > 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(a >>> 0);
}

/** net/ipv4/tcp_cubic.c: cubic_root — an approximate cube root (not floor(cbrt)): a table estimate from the
 *  argument's top 6 bits, then a single Newton-Raphson step x' = (2x + a/(x(x−1)))·341/1024, all integer.
 *  `a` is an integer below 2^53 (the kernel's u64). */
export function cubicRoot(a: number): number {
  const bits = fls(a);
  // a < 64: the table alone, rounded ((v + 35) / 64)
  if (bits < 7) return (CBRT_TOP[a]! + 35) >> 6;
  // b: about a third of the bit length, less one; the top part is a / 2^(3b), below 64
  const b = ((bits * 84) >> 8) - 1;
  const top = Math.floor(a / 2 ** (3 * b));
  let x = (((CBRT_TOP[top]! + 10) << b) >>> 0) >>> 6;
  // one Newton-Raphson step (u32 results, u64 division)
  x = (2 * x + (Math.floor(a / (x * (x - 1))) >>> 0)) >>> 0;
  return Math.floor((x * 341) / 1024) >>> 0;
}

/** bictcp_update's delta = (cube_rtt_scale · offs³) >> (10 + 3·BICTCP_HZ), a u64 product kept as u32; exact
 *  beyond 2^53 too (offs above ~2.8e4, 27 s from K: rare, so BigInt there). */
function cubicDelta(offs: number): number {
  const p = CUBE_RTT_SCALE * offs * offs * offs;
  if (p <= Number.MAX_SAFE_INTEGER) return Math.floor(p / 2 ** (10 + 3 * BICTCP_HZ)) >>> 0;
  const o = BigInt(offs);
  return Number(((BigInt(CUBE_RTT_SCALE) * o * o * o) >> BigInt(10 + 3 * BICTCP_HZ)) & 0xffffffffn);
}

export function cubic(hy: HystartParams = HYSTART_DEFAULTS): CongestionOps {
  const hystart = new Hystart(hy);
  let cnt = 0;
  let lastMaxCwnd = 0;
  let lastCwnd = 0;
  let lastTime = 0;
  let originPoint = 0;
  let K = 0;
  let delayMinUs = 0;
  let epochStart = 0;
  let ackCnt = 0;
  let tcpCwnd = 0;
  // tcp_jiffies32, +1: epoch_start 0 means "no epoch" (the kernel's jiffies start at INITIAL_JIFFIES, not 0);
  // lsndtime is the unshifted jiffy
  const jiffies = (sk: CcSock): number => Math.floor(sk.now / (sk.jiffyUs * 1000)) + 1;
  /** HZ, from the host's jiffy */
  const hz = (sk: CcSock): number => 1e6 / sk.jiffyUs;

  const reset = (): void => {
    cnt = 0;
    lastMaxCwnd = 0;
    lastCwnd = 0;
    lastTime = 0;
    originPoint = 0;
    K = 0;
    delayMinUs = 0;
    epochStart = 0;
    ackCnt = 0;
    tcpCwnd = 0;
  };

  // bictcp_update
  const update = (sk: CcSock, cwnd: number, acked: number): void => {
    const now = jiffies(sk);
    const HZ = hz(sk);
    ackCnt += acked;
    // HZ / 32 in C's integer division: 31 jiffies at HZ=1000, 7 at 250, 3 at 100
    if (lastCwnd === cwnd && now - lastTime <= Math.floor(HZ / 32)) return;
    if (!(epochStart !== 0 && now === lastTime)) {
      lastCwnd = cwnd;
      lastTime = now;
      if (epochStart === 0) {
        epochStart = now;
        ackCnt = acked;
        tcpCwnd = cwnd;
        if (lastMaxCwnd <= cwnd) {
          K = 0;
          originPoint = cwnd;
        } else {
          K = cubicRoot(CUBE_FACTOR * (lastMaxCwnd - cwnd));
          originPoint = lastMaxCwnd;
        }
      }
      // usecs_to_jiffies rounds up (USEC_PER_SEC a multiple of HZ); t <<= BICTCP_HZ; do_div(t, HZ)
      let t = now - epochStart + Math.ceil(delayMinUs / sk.jiffyUs);
      t = Math.floor((t * 2 ** BICTCP_HZ) / HZ);
      const offs = t < K ? K - t : t - K;
      const delta = cubicDelta(offs);
      // bic_target is a u32
      const target = (t < K ? originPoint - delta : originPoint + delta) >>> 0;
      cnt = target > cwnd ? Math.floor(cwnd / (target - cwnd)) : 100 * cwnd;
      if (lastMaxCwnd === 0 && cnt > 20) cnt = 20;
    }
    // tcp_friendliness
    const d = (cwnd * BETA_SCALE) >> 3;
    while (ackCnt > d) {
      ackCnt -= d;
      tcpCwnd++;
    }
    if (tcpCwnd > cwnd) {
      const maxCnt = Math.floor(cwnd / (tcpCwnd - cwnd));
      if (cnt > maxCnt) cnt = maxCnt;
    }
    cnt = Math.max(cnt, 2);
  };

  return {
    name: "cubic",
    sndbufFactor: 2,
    // cubictcp_init
    init(sk) {
      reset();
      hystart.found = false;
      if (hy.hystart) hystart.reset(sk);
    },
    // cubictcp_recalc_ssthresh
    ssthresh(sk) {
      epochStart = 0;
      if (sk.cwnd < lastMaxCwnd) lastMaxCwnd = Math.floor((sk.cwnd * (BICTCP_BETA_SCALE + BETA)) / (2 * BICTCP_BETA_SCALE));
      else lastMaxCwnd = sk.cwnd;
      return Math.max(Math.floor((sk.cwnd * BETA) / BICTCP_BETA_SCALE), 2);
    },
    // cubictcp_cong_avoid
    congAvoid(sk, acked) {
      if (!sk.cwndLimited) return;
      if (inSlowStart(sk)) {
        acked = tcpSlowStart(sk, acked);
        if (acked === 0) return;
      }
      update(sk, sk.cwnd, acked);
      tcpCongAvoidAi(sk, cnt, acked);
    },
    // cubictcp_state: entering Loss resets the epoch and the curve
    setState(sk, state) {
      if (state === 4) {
        reset();
        hystart.found = false;
        hystart.reset(sk);
      }
    },
    // cubictcp_cwnd_event: after an idle (application-limited) stretch, shift epoch_start by it so that
    // cwnd keeps to the curve; the other events are ignored
    cwndEvent(sk, ev) {
      if (ev !== CA_EVENT_TX_START) return;
      const now = jiffies(sk);
      const delta = now - 1 - sk.lsndtime;
      if (epochStart !== 0 && delta > 0) {
        epochStart += delta;
        if (epochStart > now) epochStart = now;
      }
    },
    // cubictcp's .undo_cwnd = tcp_reno_undo_cwnd
    undoCwnd: renoUndoCwnd,
    // cubictcp_acked: delay_min
    pktsAcked(sk, _acked, rttUs) {
      if (rttUs < 0) return;
      // discard delay samples within a second of a loss (the epoch restarts)
      if (epochStart !== 0 && jiffies(sk) - epochStart < hz(sk)) return;
      const delay = Math.max(1, Math.floor(rttUs));
      if (delayMinUs === 0 || delayMinUs > delay) delayMinUs = delay;
      if (!hystart.found && inSlowStart(sk) && hy.hystart) hystart.update(sk, delay, delayMinUs);
    },
  };
}
