// TSQ's tasklet list order: tcp_wfree list_adds each socket at the head, tcp_tasklet_func walks the
// spliced list from the head, so of the sockets freed in one completion pass the last one writes first.
// The lists are per CPU (DEFINE_PER_CPU tsq_tasklet): tcp_wfree queues on the CPU freeing the skb, and
// a completion pass's tasklet run takes only its own CPU's sockets.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { TcpConn } from "../../src/tcp/conn.js";
import { host, link, world } from "../sim/spec-helpers.js";

/** Two unpaced bulk flows over 1 Gbit from a sender with `cpus` CPUs and as
 *  many TX queues, 16 KB tcp_limit_output_bytes, no TSO deferral by a window share, run 8 ms: both sit
 *  throttled above the limit. */
async function twoThrottledFlows(cpus: number) {
  const spec = world(
    [
      host("a", 1, {
        ...(cpus > 1 ? { cpus } : {}),
        nic: { queues: cpus, rateBps: 1e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000 },
        // tcp_tso_win_divisor 0: tcp_tso_should_defer sends whenever more than 3 MSS of cwnd are free, so a
        // socket the tasklet runs has something to send (with 3, one whose free cwnd is under a third may wait)
        sysctl: { "net.ipv4.tcp_limit_output_bytes": 16384, "net.ipv4.tcp_tso_win_divisor": 0 },
      }),
      host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] }),
    ],
    [link("a", "b", { rateBps: 1e9, delayNs: 50_000 })],
    [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 2, bytes: Infinity, at: 0 }],
    { durationNs: 20e6 },
  );
  const w = new World(await createCore(coreConfigFor(spec)), spec);
  const tcp = w.hosts.get("a")!.stack.tcp;
  for (const g of w.traffic) g.start();
  w.loop.run(8e6);
  const [s1, s2] = [...w.flows.values()].map((f) => f.sender!) as [TcpConn, TcpConn];
  return { w, tcp, s1, s2 };
}

describe("TSQ tasklet order", () => {
  it("the socket freed last in a completion pass transmits first (list_add, LIFO)", async () => {
    // two unpaced bulk flows over 1 Gbit, 16 KB tcp_limit_output_bytes: both sit throttled above it
    const { w, tcp, s1, s2 } = await twoThrottledFlows(1);
    for (const s of [s1, s2]) {
      expect(s.tsqThrottled).toBe(true);
      expect(s.tsqQueued).toBe(false);
    }
    // record which socket charges sk_wmem_alloc (writes an skb) first after the pass
    const order: number[] = [];
    for (const s of [s1, s2]) {
      let v = s.wmemAlloc;
      Object.defineProperty(s, "wmemAlloc", {
        get: () => v,
        set: (x: number) => {
          if (x > v && order[order.length - 1] !== s.slot) order.push(s.slot);
          v = x;
        },
      });
    }
    // one completion pass (on CPU 0) frees all of s1's skbs, then all of s2's (tcp_wfree for each)
    tcp.tsqHold(0);
    tcp.txFree(s1.slot, s1.wmemAlloc);
    tcp.txFree(s2.slot, s2.wmemAlloc);
    // tcp_wfree: THROTTLED became QUEUED
    expect([s1.tsqThrottled, s1.tsqQueued, s2.tsqThrottled, s2.tsqQueued]).toEqual([false, true, false, true]);
    // room in both cwnds (more than tcp_tso_should_defer's 3 MSS), so each socket the tasklet runs writes
    for (const s of [s1, s2]) s.cwnd = Math.max(s.cwnd, s.packetsInFlight() + 10);
    tcp.tsqRelease();
    expect(order.slice(0, 2)).toEqual([s2.slot, s1.slot]);
    expect(s1.tsqQueued || s2.tsqQueued).toBe(false);
  });

  it("per-CPU lists: a pass on CPU 1 runs only what it queued; a socket queued on CPU 0 waits for CPU 0's tasklet", async () => {
    // two flows on a 2-CPU sender whose 2 TX queues interrupt CPUs 0 and 1
    const { w, tcp, s1, s2 } = await twoThrottledFlows(2);
    s1.tsqThrottled = s2.tsqThrottled = true;
    // s1's skb freed outside any pass (a qdisc drop in process context: its application's CPU, 0 here)
    tcp.appCpu = () => 0;
    // a data skb's truesize (tcp_wfree; truesize 0 is an uncharged handshake skb, 2 a pure ACK: neither queues)
    tcp.txFree(s1.slot, 4096);
    expect(s1.tsqQueued).toBe(true);
    // a completion pass on CPU 1 frees one of s2's: at its end CPU 1's tasklet handles s2 only
    tcp.tsqHold(1);
    tcp.txFree(s2.slot, 4096);
    tcp.tsqRelease();
    expect([s1.tsqQueued, s2.tsqQueued]).toEqual([true, false]);
    // CPU 0's tasklet, its own event at the same instant, then handles s1
    w.loop.run(w.loop.now);
    expect(s1.tsqQueued).toBe(false);
  });
});
