// tcp_small_queue_check, tcp_wfree and skb->ooo_okay details (6.12 net/ipv4/tcp_output.c), on hand-built socket
// states and one small run. (review11 findings 5, 6, 8 and nit n1.)
import { describe, expect, it } from "vitest";
import { TcpConn } from "../../src/tcp/conn.js";
import { congestionOps } from "../../src/tcp/data-init.js";
import { sendAck, smallQueueCheck, tcpSkbTruesize } from "../../src/tcp/data-out.js";
import type { TcpHost } from "../../src/tcp/tcp-host.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { SKB_F_OOO_OKAY } from "../../src/core/skb-fields.js";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { host, link, world } from "../sim/spec-helpers.js";

const MSS = 1448;
const host0 = { limitOutputBytes: 1 << 20 } as unknown as TcpHost;

/** An unpaced socket (SK_PACING_NONE) with pacing rate `rate` whose retransmit queue holds the skbs of `skbSegs`
 *  (segments each, sent back to back), `wmem` bytes of them still below TCP. */
function sock(rate: number, skbSegs: number[], wmem: number) {
  const c = new TcpConn(congestionOps("cubic"));
  c.mss = MSS;
  c.pacingRate = rate;
  let seq = 0;
  for (const n of skbSegs) {
    for (let i = 0; i < n; i++, seq += MSS) c.rtx.push(seq, seq + MSS, 0);
    c.sentSkbs.push(seq);
  }
  c.wmemAlloc = wmem;
  return c;
}

async function bulk(bytes: number, durationNs: number) {
  const spec = world(
    [host("a", 1, {}), host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] })],
    [link("a", "b", { rateBps: 1e9, delayNs: 50_000 })],
    [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes, at: 0 }],
    { durationNs },
  );
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  w.run();
  const tcp = w.host("a").stack.tcp;
  const c = [...w.flows.values()][0]!.sender!;
  const sk = (tcp as unknown as { socks: (TcpSock | null)[] }).socks[c.slot]!;
  return { core, tcp, c, sk };
}

describe("tcp_small_queue_check", () => {
  it("tcp_rtx_queue_empty_or_single_skb counts skbs: one 10-segment GSO skb still below TCP does not throttle", () => {
    // a 1000-byte write: limit = max(2 x truesize(1000), 1e6 >> 10) = 2 x 1576 = 3152 < the 10-segment skb's 15 056
    const c = sock(1e6, [10], tcpSkbTruesize(10 * MSS));
    expect(c.wmemAlloc + 1).toBeGreaterThan(Math.max(2 * tcpSkbTruesize(1000), Math.floor(1e6 / 1024)));
    expect(smallQueueCheck(host0, c, 1000, 0)).toBe(false);
    expect(c.tsqThrottled).toBe(false);
    // two skbs: throttled
    const d = sock(1e6, [9, 1], tcpSkbTruesize(10 * MSS));
    expect(smallQueueCheck(host0, d, 1000, 0)).toBe(true);
    expect(d.tsqThrottled).toBe(true);
  });

  it("a negative tcp_limit_output_bytes (proc_dointvec) caps nothing: min_t(unsigned long, limit, -1) keeps the limit", () => {
    // sk_pacing_rate 4e9: limit = max(2 x truesize, 4e9 >> 10 = 3 906 250); 2 MB below TCP in two skbs
    const capped = sock(4e9, [1, 1], 2_000_000);
    expect(smallQueueCheck(host0, capped, MSS, 0)).toBe(true);
    const free = sock(4e9, [1, 1], 2_000_000);
    expect(smallQueueCheck({ limitOutputBytes: -1 } as unknown as TcpHost, free, MSS, 0)).toBe(false);
    expect(free.tsqThrottled).toBe(false);
  });

  it("refcount_read(&sk->sk_wmem_alloc) is 1 + the skbs' truesize: a sum equal to the limit throttles", () => {
    const limit = 2 * tcpSkbTruesize(MSS); // max(2 x truesize, 0 >> 10)
    const c = sock(0, [1, 1], limit);
    expect(smallQueueCheck(host0, c, MSS, 0)).toBe(true);
    const d = sock(0, [1, 1], limit - 1);
    expect(smallQueueCheck(host0, d, MSS, 0)).toBe(false);
  });
});

describe("tcp_wfree and __sock_wfree", () => {
  it("a pure ACK's free (truesize 2, destructor __sock_wfree) leaves a throttled socket THROTTLED; a data skb's queues it", async () => {
    const { tcp, c } = await bulk(Infinity, 2e6);
    c.tsqThrottled = true;
    c.tsqQueued = false;
    c.wmemAlloc += 2 + tcpSkbTruesize(MSS);
    tcp.txFree(c.slot, 2);
    expect(c.tsqQueued).toBe(false);
    expect(c.tsqThrottled).toBe(true);
    tcp.txFree(c.slot, tcpSkbTruesize(MSS));
    expect(c.tsqQueued).toBe(true);
  });
});

describe("skb->ooo_okay", () => {
  it("sk_wmem_alloc_get < SKB_TRUESIZE(1) || tcp_rtx_queue_empty: an ACKed socket whose skbs wait for TX completion may switch queues", async () => {
    // 1000 bytes, all ACKed after 2 ms: the retransmit queue is empty
    const { core, tcp, c, sk } = await bulk(1000, 2e6);
    expect(c.rtx.count).toBe(0);
    const out = tcp.output;
    const flags: number[] = [];
    (tcp as unknown as { output: (h: number) => boolean }).output = (h) => {
      flags.push(core.skb.flags[h]!);
      return out(h);
    };
    // as if the last data skb's TX completion were still pending (tx-usecs): 2 000 B below TCP >= 577
    c.wmemAlloc += 2000;
    sendAck(tcp, sk, c);
    expect(flags.length).toBe(1);
    expect(flags[0]! & SKB_F_OOO_OKAY).toBe(SKB_F_OOO_OKAY);
  });
});
