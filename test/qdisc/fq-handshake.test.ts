// fq and a connecting socket's handshake: in 6.12 the SYN (tcp_connect) and the ACK that completes the handshake
// (__tcp_send_ack) leave through __tcp_transmit_skb, which owns them (skb->sk = sk). fq_classify
// (net/sched/sch_fq.c) keys an skb by hash only for no socket, a listener / request sock, or TCP_CLOSE; SYN_SENT
// and ESTABLISHED are the socket's flow, and the SYN already sets sk_pacing_status = SK_PACING_FQ, so the first
// data skb carries its EDT departure time (tcp_wstamp_ns).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { SKB_NONE } from "../../src/core/skb-fields.js";

describe("fq: a connecting socket's handshake skbs are the socket's flow", () => {
  it("two sockets give two fq flows; each socket's first data skb is EDT-stamped", async () => {
    const nic = { queues: 1, rateBps: 1e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000 };
    const spec = world(
      [host("a", 1, { nic, sysctl: { "net.core.default_qdisc": "fq" } }), host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] })],
      [link("a", "b", { rateBps: 1e9, delayNs: 50_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 2, bytes: 200_000, at: 0 }],
      { durationNs: 5e6 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const fq = w.hosts.get("a")!.nics[0]!.tx.qdiscs.perQueue[0]!;
    const enqueue = fq.enqueue.bind(fq);
    // per owning socket: how many skbs reached fq, and the tstamp of its first data skb (len > 200)
    const skbs = new Map<number, number>();
    const firstData = new Map<number, number>();
    let sockless = 0;
    fq.enqueue = (h: number, now: number) => {
      const sk = core.skb.sk[h]!;
      if (sk === SKB_NONE) sockless++;
      else {
        skbs.set(sk, (skbs.get(sk) ?? 0) + 1);
        if (core.skb.len[h]! > 200 && !firstData.has(sk)) firstData.set(sk, core.skbTime.tstamp[h]!);
      }
      return enqueue(h, now);
    };
    const report = buildReport(w, w.run());
    // nothing leaves a without a socket: the SYNs, the handshake ACKs and the ACK of the peer's FIN are owned too
    expect(sockless).toBe(0);
    expect(skbs.size).toBe(2);
    // fq_classify: key = the socket for all of them, so one flow per socket (no gc: the run is < 3 s)
    expect(report.hosts.a!.qdisc.eth0!.fq!.flows).toBe(2);
    // SK_PACING_FQ from the SYN: the first data skb has skb->tstamp = tcp_wstamp_ns (> 0: the handshake took ~100 us)
    expect(firstData.size).toBe(2);
    for (const t of firstData.values()) expect(t).toBeGreaterThan(0);
    expect(report.ledger.unaccounted).toBe(0);
    expect(report.pool.balanced).toBe(true);
  });
});
