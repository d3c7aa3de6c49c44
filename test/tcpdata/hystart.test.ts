// CUBIC's HyStart (net/ipv4/tcp_cubic.c, 6.12 defaults) against hand-derived
// ACK sequences: the ACK-train and delay detectors, the low-window floor, the
// paced threshold, and the module parameters as scenario knobs.
import { describe, expect, it } from "vitest";
import { cubic } from "../../src/tcp/cubic.js";
import { HYSTART_DEFAULTS, type HystartParams } from "../../src/tcp/hystart.js";
import { runWorld, pair, bulk } from "./helpers.js";
import { GSO_MAX_SIZE } from "../../src/tcp/data-out.js";

/** A CUBIC socket in slow start; `ack(atUs, rttUs)` delivers one ACK's RTT sample. */
function sock(cwnd: number, over: Partial<HystartParams> = {}, pacing: { rate: number; fq: boolean } = { rate: 0, fq: false }) {
  const counts: Record<string, number> = {};
  const cc = cubic({ ...HYSTART_DEFAULTS, ...over, count: (k, n) => (counts[k] = (counts[k] ?? 0) + n) });
  const sk = {
    cwnd, ssthresh: 0x7fffffff, cwndCnt: 0, mss: 1448, inFlight: 0, srttUs: 0, now: 0, lsndtime: 0, jiffyUs: 1000, cwndLimited: true, delivered: 0, deliveryRateBps: 0, priorCwnd: 0,
    sndUna: 0, sndNxt: 100, pacingRate: pacing.rate, pacingFq: pacing.fq, gsoMaxSize: GSO_MAX_SIZE,
  };
  cc.init(sk);
  const ack = (atUs: number, rttUs: number) => {
    sk.now = atUs * 1000;
    cc.pktsAcked!(sk, 1, rttUs);
  };
  return { sk, ack, counts };
}

describe("HyStart ACK train", () => {
  it("unpaced, delay_min 1000 us: threshold 500 us; ACKs 100 us apart end slow start at the ACK 600 us into the round", () => {
    const { sk, ack, counts } = sock(20);
    for (let t = 100; t <= 500; t += 100) ack(t, 1000);
    expect(sk.ssthresh).toBe(0x7fffffff);
    ack(600, 1000);
    expect(sk.ssthresh).toBe(20);
    expect(counts).toEqual({ TCPHystartTrainDetect: 1, TCPHystartTrainCwnd: 20 });
    // found: later ACKs change nothing
    ack(700, 1000);
    expect(counts.TCPHystartTrainDetect).toBe(1);
  });

  it("below hystart_low_window (cwnd 15 < 16) nothing triggers; hystart_low_window 8 lets it", () => {
    const a = sock(15);
    for (let t = 100; t <= 2000; t += 100) a.ack(t, 1000);
    expect(a.sk.ssthresh).toBe(0x7fffffff);
    const b = sock(15, { lowWindow: 8 });
    for (let t = 100; t <= 2000; t += 100) b.ack(t, 1000);
    expect(b.sk.ssthresh).toBe(15);
  });

  it("a gap over hystart_ack_delta_us (2000) stops the train for the round", () => {
    const { sk, ack } = sock(20);
    ack(100, 1000);
    ack(2200, 1000); // 2100 us after last_ack: last_ack stays at 100
    ack(2300, 1000);
    expect(sk.ssthresh).toBe(0x7fffffff);
  });

  it("paced (fq) at 1e9 B/s: threshold delay_min + min(1000, sk_gso_max_size 65215·4·1e6/1e9 = 260) = 1260 us, not halved", () => {
    const { sk, ack } = sock(20, {}, { rate: 1e9, fq: true });
    for (let t = 100; t <= 1200; t += 100) ack(t, 1000);
    ack(1260, 1000);
    expect(sk.ssthresh).toBe(0x7fffffff);
    ack(1261, 1000);
    expect(sk.ssthresh).toBe(20);
  });
});

describe("HyStart delay", () => {
  // ACKs 3 ms apart never form a train; delay_min 10000 us gives the threshold
  // 10000 + clamp(10000/8 = 1250, 4000, 16000) = 14000 us
  const round2 = (rtt: number) => {
    const s = sock(20);
    s.ack(3000, 10000); // round 1: delay_min = 10000
    s.sk.sndUna = 101; // past end_seq 100: the next sample starts a new round
    s.sk.sndNxt = 1000;
    let at = 3000;
    const ssAfter: number[] = [];
    for (let i = 0; i < 9; i++) {
      at += 3000;
      s.ack(at, rtt);
      ssAfter.push(s.sk.ssthresh);
    }
    return { ...s, ssAfter };
  };

  it("a round whose minimum RTT is 15000 us > 14000 ends slow start on its 9th sample", () => {
    const { ssAfter, counts } = round2(15000);
    expect(ssAfter.slice(0, 8).every((x) => x === 0x7fffffff)).toBe(true);
    expect(ssAfter[8]).toBe(20);
    expect(counts).toEqual({ TCPHystartDelayDetect: 1, TCPHystartDelayCwnd: 20 });
  });

  it("14000 us is not above the threshold; hystart_detect 1 (train only) ignores delay", () => {
    expect(round2(14000).ssAfter[8]).toBe(0x7fffffff);
    const s = sock(20, { detect: 1 });
    s.ack(3000, 10000);
    s.sk.sndUna = 101;
    for (let i = 1; i <= 9; i++) s.ack(3000 + 3000 * i, 15000);
    expect(s.sk.ssthresh).toBe(0x7fffffff);
  });
});

describe("HyStart end to end", () => {
  it("bulk over 10 Gbit / 100 us: the ACK train ends slow start once (cwnd well above the 86-packet BDP); tcp_cubic.hystart=0 does not", async () => {
    const on = await runWorld(pair({ durationNs: 10e6 }, [bulk()]));
    const a = on.report.hosts.a!.nstat;
    expect(a.TcpExtTCPHystartTrainDetect).toBe(1);
    expect(a.TcpExtTCPHystartTrainCwnd).toBeGreaterThan(86);
    expect(on.report.flows[0]!.retransmits).toBe(0);
    const off = await runWorld(pair({ durationNs: 10e6, clientSysctl: { "tcp_cubic.hystart": 0 } }, [bulk()]));
    expect(off.report.hosts.a!.nstat.TcpExtTCPHystartTrainDetect ?? 0).toBe(0);
    expect(off.report.flows[0]!.cwndMax).toBeGreaterThan(on.report.flows[0]!.cwndMax);
  });
});
