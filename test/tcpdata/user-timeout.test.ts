// TCP_USER_TIMEOUT and the RTO's TX-hash rethink as 6.12 has them (net/ipv4/tcp_timer.c): with
// icsk_user_timeout set, retransmits_timed_out compares the time since retrans_stamp with it instead of
// tcp_model_timeout(tcp_retries2), and tcp_clamp_rto_to_user_timeout arms each RTO for at most what is
// left of it, so the abort comes exactly when it runs out; tcp_probe_timer aborts once it has run since
// the probing's first timer (icsk_probes_tstamp), the peer answering or not, its interval clamped the
// same way (tcp_clamp_probe0_to_user_timeout). Every RTO that does not abort picks a new sk_txhash
// (sk_rethink_txhash: tp->timeout_rehash, TcpTimeoutRehash), and the retransmission, alone in the host
// (ooo_okay), leaves by the TX queue skb_tx_hash gives for it.
// A LAN connection's RTO here is 201 ms. icsk_retransmit_timer is a timer_list: it runs at its expiry rounded
// up to its wheel level's grid (kernel/time/timer.c: calc_wheel_index, HZ=1000: 8 jiffies below 504, 64 below
// 4032, 512 below 32256), so a clamped timer too fires after the user timeout, not at it. With the link dead
// at 5 ms the first RTO runs at jiffy 216 (write-timeout.test.ts), then from each callback + 402 = 618 -> 624,
// + 804 = 1428 -> 1472, + 1608 = 3080 -> 3136: 408, 1256, 2920 ms after the first retransmission.
import { describe, expect, it } from "vitest";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { rethinkTxhash } from "../../src/tcp/write-timeout.js";
import { loadScenarioText } from "../../src/scenario/index.js";
import { pair, bulk, deadLinkWorld, smallMtu, reordering } from "./helpers.js";

/** Run `spec` with its one link dead (every frame lost, both ways) from `deadAt` on; records host a's
 *  TCPAbortOnTimeout times and, from its first RTO on, its TX queue picks (queue, skb hash). */
async function run(spec: WorldSpec, deadAt = Infinity) {
  const w = await deadLinkWorld(spec, deadAt);
  const n = w.host("a").nstat;
  const abortId = n.id("TcpExtTCPAbortOnTimeout");
  const timeoutsId = n.id("TcpExtTCPTimeouts");
  const aborts: number[] = [];
  let firstRto = Infinity;
  const add = n.add.bind(n);
  n.add = (id: number, v = 1) => {
    if (id === abortId) aborts.push(w.loop.now);
    if (id === timeoutsId && firstRto === Infinity) firstRto = w.loop.now;
    add(id, v);
  };
  const picks: { queue: number; hash: number }[] = [];
  let hashBefore = 0;
  const tx = w.host("a").nics[0]!.tx as unknown as { netdevPickTx: (h: number) => number };
  const pick = tx.netdevPickTx.bind(tx);
  tx.netdevPickTx = (h: number) => {
    const q = pick(h);
    if (w.loop.now >= firstRto) picks.push({ queue: q, hash: w.core.skb.hash[h]! });
    else hashBefore = w.core.skb.hash[h]!;
    return q;
  };
  const result = w.run();
  const rec = [...w.flows.values()][0]!;
  return { w, n, aborts, picks, hashBefore, result, c: rec.sender! };
}

describe("TCP_USER_TIMEOUT on RTOs (retransmits_timed_out, tcp_clamp_rto_to_user_timeout)", () => {
  it("5000 ms over a dead link: RTOs at +408, +1256, +2920 ms, the next clamped to 5000 − 2920 = 2080 ms, run on the wheel's 64-jiffy grid: aborted at +5032 (tcp_retries2 alone: +950056)", async () => {
    const spec = pair({ durationNs: 1000e9 }, [bulk({ userTimeoutMs: 5000 })]);
    const { n, aborts, c, result } = await run(spec, 5e6);
    expect(c.rtt.rtoUs).toBe(201_000);
    expect(c.userTimeoutMs).toBe(5000);
    expect(aborts.length).toBe(1);
    // 3136 + 2080 = 5216, level 2 -> 5248
    expect(c.retransStamp).toBe(216);
    expect(Math.floor(aborts[0]! / 1e6) - c.retransStamp).toBe(5032);
    expect(c.retransmits).toBe(4);
    expect(n.get("TcpExtTCPTimeouts")).toBe(5);
    // each of the 4 RTOs that did not abort rethought sk_txhash
    expect(n.get("TcpExtTcpTimeoutRehash")).toBe(4);
    expect(c.timeoutRehash).toBe(4);
    expect(c.sockErr).toBe(110);
    expect(result.ledger.unaccounted).toBe(0);
  });

  it("300 ms, shorter than the second RTO (402 ms): the timer armed after the first retransmission is 300 ms (on the wheel: 304), and it aborts", async () => {
    const spec = pair({ durationNs: 100e9 }, [bulk({ userTimeoutMs: 300 })]);
    const { n, aborts, c } = await run(spec, 5e6);
    expect(aborts.length).toBe(1);
    // 216 + 300 = 516, level 1 -> 520
    expect(Math.floor(aborts[0]! / 1e6) - c.retransStamp).toBe(304);
    expect(c.retransmits).toBe(1);
    expect(n.get("TcpExtTCPTimeouts")).toBe(2);
    expect(n.get("TcpExtTcpTimeoutRehash")).toBe(1);
  });
});

describe("TCP_USER_TIMEOUT on zero-window probes (tcp_probe_timer, tcp_clamp_probe0_to_user_timeout)", () => {
  it("10000 ms: the peer answers every probe, yet the probing is aborted at the first probe timer 10000 ms or more after its first (without it: never)", async () => {
    const spec = pair({ durationNs: 60e9, delayNs: 10e6, app: { kind: "sink", readRate: 0 } }, [bulk({ userTimeoutMs: 10_000 })]);
    const { n, aborts, c } = await run(spec);
    expect(c.sndWnd).toBe(0);
    expect(aborts.length).toBe(1);
    // probes at jiffies 664 (icsk_probes_tstamp), 1144, 2112, 3968, 7680 (probe0.test.ts; then 229 << 4 = 3664
    // from the answer at 3988: 7652 -> 7680); the answer to the last, back at 7700, re-arms for 229 << 5 clamped
    // to what is left, 10000 - (7700 - 664) = 2964: 10664, level 2 -> 10688, 10024 ms after the first
    expect(c.probesTstamp).toBe(664);
    expect(Math.floor(aborts[0]! / 1e6) - c.probesTstamp).toBe(10_024);
    expect(c.probesOut).toBeLessThanOrEqual(1);
    expect(n.get("TcpExtTCPWinProbe")).toBeGreaterThan(3);
    expect(c.sockErr).toBe(110);
  });
});

describe("sk_rethink_txhash on each RTO: the retransmission's TX queue (skb_tx_hash, no XPS)", () => {
  it("4 TX queues, tcp_retries2 3: the 4 retransmissions carry 4 new hashes in turn and leave by reciprocal_scale(hash, 4)", async () => {
    const spec = pair({ durationNs: 20e9, clientSysctl: { "net.ipv4.tcp_retries2": 3 } }, [bulk()]);
    spec.hosts[0]!.nic.queues = 4;
    const { n, aborts, picks, hashBefore, c } = await run(spec, 5e6);
    expect(aborts.length).toBe(1);
    expect(c.retransmits).toBe(4);
    expect(n.get("TcpExtTcpTimeoutRehash")).toBe(4);
    expect(picks.length).toBe(4);
    // from the hash every skb carried before the RTOs (data-out.ts), rethought once per RTO
    const h0 = hashBefore;
    expect(h0).not.toBe(0);
    let h = h0;
    for (let i = 0; i < 4; i++) {
      h = rethinkTxhash(h, i);
      expect(picks[i]!.hash).toBe(h);
      expect(picks[i]!.queue).toBe(Math.floor((h * 4) / 2 ** 32));
    }
    // the queues are not all the first one's
    expect(new Set([Math.floor((h0 * 4) / 2 ** 32), ...picks.map((p) => p.queue)]).size).toBeGreaterThan(1);
  });

  it("net.core.txrehash 0: no rethink, every retransmission keeps the socket's hash and queue", async () => {
    const spec = pair({ durationNs: 20e9, clientSysctl: { "net.ipv4.tcp_retries2": 3, "net.core.txrehash": 0 } }, [bulk()]);
    spec.hosts[0]!.nic.queues = 4;
    const { n, picks, c } = await run(spec, 5e6);
    expect(c.retransmits).toBe(4);
    expect(n.get("TcpExtTcpTimeoutRehash") ?? 0).toBe(0);
    expect(new Set(picks.map((p) => p.hash)).size).toBe(1);
  });
});

describe("scenario files: userTimeout (TCP_USER_TIMEOUT)", () => {
  const text = (v: string) =>
    `name: ut\nduration: 10ms\nhosts: { a: {}, b: { sockets: [ { listen: 5001 } ] } }\nlinks: [ { a: a, b: b } ]\ntraffic: [ { kind: bulk, from: a, to: b:5001, userTimeout: ${v} } ]\n`;
  it("takes whole milliseconds from 0 to INT_MAX", () => {
    expect(loadScenarioText(text("30s"), "ut.yaml").traffic[0]).toMatchObject({ userTimeout: 30_000 });
    expect(loadScenarioText(text("0ms"), "ut.yaml").traffic[0]).toMatchObject({ userTimeout: 0 });
    expect(() => loadScenarioText(text("1500us"), "ut.yaml")).toThrow(/userTimeout.*whole milliseconds/s);
    expect(() => loadScenarioText(text("2147484s"), "ut.yaml")).toThrow(/userTimeout/);
  });
});

describe("TCP_USER_TIMEOUT on RTOs while the peer's window is 0 (tcp_rtx_probe0_timed_out)", () => {
  it("30000 ms, the peer answering: the RTO clamped to retrans_stamp + 30000 runs on the wheel's grid, so rtx_delta is above it: it aborts then", async () => {
    // small segments (MTU 300) overrun the receiver's 8 KB buffer inside the window: data is out when the
    // window closes (write-timeout.test.ts, tcp_rtx_probe0_timed_out: the reordering keeps them off the fast path)
    const spec = reordering(smallMtu(pair(
      { durationNs: 100e9, delayNs: 1e6, app: { kind: "sink", readRate: 0 }, sysctl: { "net.ipv4.tcp_rmem": [4096, 8192, 8192] } },
      [bulk({ userTimeoutMs: 30_000 })],
    )), 0.05);
    const { n, aborts, c } = await run(spec);
    expect(c.sndWnd).toBe(0);
    expect(aborts.length).toBe(1);
    // retrans_stamp 272: expiry 30272, armed less than 4032 jiffies before (level 2): the next multiple of 64,
    // 30336. rtx_delta 30064 > 30000. (Without the wheel the timer ran at 30272, rtx_delta = 30000 was not above
    // the timeout, and a 1-jiffy re-arm aborted at 30273.)
    expect(c.retransStamp).toBe(272);
    expect(Math.floor(aborts[0]! / 1e6) - c.retransStamp).toBe(30_064);
    // this path neither counts TCPTimeouts nor raises icsk_retransmits
    expect(c.retransmits).toBe(0);
    expect(n.get("TcpExtTCPTimeouts") ?? 0).toBe(0);
  });
});
