// CUBIC (net/ipv4/tcp_cubic.c) with its default parameters: beta 717/1024,
// bic_scale 41, fast convergence and TCP friendliness on. Time in jiffies
// (HZ=1000) as the kernel counts it. HyStart is not modelled (see README).
import { inSlowStart, tcpCongAvoidAi, tcpSlowStart, type CcSock, type CongestionOps } from "./cc.js";

const BICTCP_BETA_SCALE = 1024;
const BICTCP_HZ = 10;
const HZ = 1000;
const BETA = 717;
const BIC_SCALE = 41;
/** cubictcp_register: beta_scale = 8·(1024+beta)/3/(1024−beta) */
const BETA_SCALE = Math.floor(Math.floor((8 * (BICTCP_BETA_SCALE + BETA)) / 3) / (BICTCP_BETA_SCALE - BETA));
const CUBE_RTT_SCALE = BIC_SCALE * 10;
/** cube_factor = 2^(10+3·BICTCP_HZ) / cube_rtt_scale */
const CUBE_FACTOR = Math.floor(2 ** (10 + 3 * BICTCP_HZ) / CUBE_RTT_SCALE);

export function cubic(): CongestionOps {
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
  let lossCwnd = 0;
  const jiffies = (sk: CcSock): number => Math.floor(sk.now / 1e6) + 1; // +1: 0 means "no epoch"

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
    ackCnt += acked;
    if (lastCwnd === cwnd && now - lastTime <= HZ / 32) return;
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
          K = Math.floor(Math.cbrt(CUBE_FACTOR * (lastMaxCwnd - cwnd)));
          originPoint = lastMaxCwnd;
        }
      }
      let t = now - epochStart + Math.ceil(delayMinUs / 1000);
      t = Math.floor((t * 2 ** BICTCP_HZ) / HZ);
      const offs = t < K ? K - t : t - K;
      const delta = Math.floor((CUBE_RTT_SCALE * offs * offs * offs) / 2 ** (10 + 3 * BICTCP_HZ));
      const target = t < K ? originPoint - delta : originPoint + delta;
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
    init() {
      reset();
    },
    // cubictcp_recalc_ssthresh
    ssthresh(sk) {
      epochStart = 0;
      if (sk.cwnd < lastMaxCwnd) lastMaxCwnd = Math.floor((sk.cwnd * (BICTCP_BETA_SCALE + BETA)) / (2 * BICTCP_BETA_SCALE));
      else lastMaxCwnd = sk.cwnd;
      lossCwnd = sk.cwnd;
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
    setState(_sk, state) {
      if (state === 4) {
        reset();
      }
    },
    undoCwnd(sk) {
      return Math.max(sk.cwnd, lossCwnd);
    },
    // cubictcp_acked: delay_min
    pktsAcked(_sk, _acked, rttUs) {
      if (rttUs <= 0) return;
      if (delayMinUs === 0 || delayMinUs > rttUs) delayMinUs = rttUs;
    },
  };
}
