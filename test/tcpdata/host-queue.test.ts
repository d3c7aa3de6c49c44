// skb_still_in_host_queue (6.12 tcp_send_loss_probe, __tcp_retransmit_skb): a segment whose last
// transmission has not yet left this host (its clone still in the qdisc or TX ring) is not sent again;
// TCPSpuriousRtxHostQueues counts the refusal and TSQ_THROTTLED brings the socket back on TX completion.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { pair, bulk } from "./helpers.js";
import { clientConn } from "./inject.js";
import { sendLossProbe } from "../../src/tcp/tlp.js";
import { xmitRetransmitQueue } from "../../src/tcp/data-out.js";
import { TCPCB_LOST } from "../../src/tcp/conn.js";
import { TCP_SKB_OVERHEAD } from "../../src/tcp/buffers.js";

/** 10 segments (the initial window, all the data) a -> b over 100 Mbit with 5 ms one way: they leave the
 *  host 10 x 1538 B x 80 ns = 1.23 ms after the first goes, their ACKs come 10 ms later. */
async function tenSegmentsInHost(lastOnly = false) {
  const spec = pair({ durationNs: 100e6, rateBps: 100e6, delayNs: 5e6 }, [bulk({ bytes: 10 * 1448 })]);
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  for (const g of w.traffic) g.start();
  // the handshake takes 10 ms; TSQ lets the segments down a few at a time: stop once all 10 are sent
  const t = w.host("a").stack.tcp;
  const sent = () => { const pt = [...t.ports.values()][0]; return pt === undefined ? 0 : ([...pt.conns.values()][0]?.conn?.packetsOut ?? 0); };
  for (let at = 10e6; sent() < 10 && at < 11.2e6; at += 10e3) w.loop.run(at);
  let r = clientConn(w);
  // lastOnly: wait until only the last skb is still below TCP (under the TSQ limit a retransmission meets)
  for (let at = w.loop.now; lastOnly && r.c.wmemAlloc > 2 * 1448 + TCP_SKB_OVERHEAD && at < 11.5e6; at += 10e3) w.loop.run(at);
  r = clientConn(w);
  expect(r.c.packetsOut).toBe(10);
  expect(r.c.sndNxt).toBe(r.c.writeSeq);
  expect(r.c.wmemAlloc).toBeGreaterThan(0);
  return { w, ...r };
}

describe("skb_still_in_host_queue", () => {
  it("the loss probe finds the tail still in the host: no probe (TCPSpuriousRtxHostQueues), then one once it has left", async () => {
    const { w, t, sk, c, n } = await tenSegmentsInHost();
    sendLossProbe(t, sk, c);
    expect(n.get("TcpExtTCPSpuriousRtxHostQueues")).toBe(1);
    expect(n.get("TcpExtTCPLossProbes")).toBe(0);
    expect(n.get("TcpRetransSegs")).toBe(0);
    expect(c.tlpHighSeq).toBe(0);
    expect(c.tsqThrottled).toBe(true);
    // 12 ms: everything has left (and TX completion freed it); no ACK yet
    w.loop.run(12e6);
    expect(c.wmemAlloc).toBe(0);
    expect(c.packetsOut).toBe(10);
    expect(c.tsqThrottled).toBe(false);
    sendLossProbe(t, sk, c);
    expect(n.get("TcpExtTCPSpuriousRtxHostQueues")).toBe(1);
    expect(n.get("TcpExtTCPLossProbes")).toBe(1);
    expect(n.get("TcpRetransSegs")).toBe(1);
    // tp->snd_nxt, past the FIN the tail carries
    expect(c.tlpHighSeq).toBe(c.sndNxt + 1);
  });

  it("a lost segment still in the host is not retransmitted; tcp_retransmit_skb still stamps the attempt with its last send time, and TX completion's TSQ run sends it", async () => {
    const { w, t, sk, c, n } = await tenSegmentsInHost(true);
    // mark the last segment lost as a loss detection would (the first ones have left already)
    const j = c.rtx.at(c.rtx.count - 1);
    c.rtx.flags[j] = c.rtx.flags[j]! | TCPCB_LOST;
    c.lostOut++;
    const sentAt = c.rtx.sentAt[j]!;
    xmitRetransmitQueue(t, sk, c);
    expect(n.get("TcpExtTCPSpuriousRtxHostQueues")).toBe(1);
    expect(n.get("TcpRetransSegs")).toBe(0);
    expect(c.retransOut).toBe(0);
    // -EBUSY: retrans_stamp and undo_retrans are set all the same; the stamp is the segment's last send time
    // (tcp_skb_timestamp_ts: it went down at 10.x ms, right after the 10 ms handshake), not now (11.x ms)
    expect(Math.floor(sentAt / 1e6)).toBe(10);
    expect(t.nowMs()).toBe(11);
    expect(c.retransStamp).toBe(10);
    expect(c.undoRetrans).toBe(1);
    expect(c.tsqThrottled).toBe(true);
    // the next free (tcp_wfree) queues the socket; tcp_tsq_write retransmits it once it has left (lost 1 > retrans 0)
    w.loop.run(12e6);
    expect(c.wmemAlloc).toBe(0);
    expect(n.get("TcpRetransSegs")).toBe(1);
    expect(c.retransOut).toBe(1);
    expect(n.get("TcpExtTCPSpuriousRtxHostQueues")).toBe(1);
  });
});
