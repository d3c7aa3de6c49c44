// CUBIC (net/ipv4/tcp_cubic.c) with its default parameters: beta 717/1024,
// bic_scale 41, fast convergence and TCP friendliness on. Time in jiffies
// (HZ=1000) as the kernel counts it. HyStart (hystart.ts) leaves slow start
// early on an ACK train as long as half the minimum RTT or on a rise in RTT.
import { CA_EVENT_TX_START, inSlowStart, renoUndoCwnd, tcpCongAvoidAi, tcpSlowStart, type CcSock, type CongestionOps } from "./cc.js";
import { HYSTART_DEFAULTS, Hystart, type HystartParams } from "./hystart.js";

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
      const delta = Math.floor(sk.now / 1e6) - sk.lsndtime;
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
      if (epochStart !== 0 && jiffies(sk) - epochStart < HZ) return;
      const delay = Math.max(1, Math.floor(rttUs));
      if (delayMinUs === 0 || delayMinUs > delay) delayMinUs = delay;
      if (!hystart.found && inSlowStart(sk) && hy.hystart) hystart.update(sk, delay, delayMinUs);
    },
  };
}
