// net/ipv4/tcp_output.c: __tcp_transmit_skb (6.12) sets tp->tcp_wstamp_ns = max(tcp_wstamp_ns, tcp_clock_cache) and
// skb_set_delivery_time(skb, tp->tcp_wstamp_ns) on the write-queue skb BEFORE cloning it: skb->skb_mstamp_ns (a union
// with skb->tstamp) of the skb the retransmit queue keeps is its EDT departure time. tcp_established_options' TSval
// (tcp_skb_timestamp_ts) and tcp_clean_rtx_queue's RTT samples (tcp_skb_timestamp_us), RACK, tcp_rate and the RTO
// read that stamp. For an fq-paced socket (SK_PACING_FQ) with SO_MAX_PACING_RATE below the path rate the stamps run
// ahead of now by what TSQ lets sit in fq (about 2 GSO skbs here), and 6.12's RTT samples start at the EDT stamp, so
// they do not include that wait. (review11 finding 3; before the fix the model recorded `now`: srtt 4668 us.)
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SegIn } from "../../src/tcp/segment.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { host, link, world } from "../sim/spec-helpers.js";

const nic = (over: Record<string, unknown> = {}) => ({ queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 1024, txqueuelen: 1000, ...over });
const receiver = host("b", 2, { listeners: [{ port: 5001, backlog: 128, accept: true }] });

describe("skb_mstamp_ns is tcp_wstamp_ns (EDT): the fq wait is not in the RTT", () => {
  it("SO_MAX_PACING_RATE 12.5 MB/s through fq on a 100 us path: send times and TSvals are the EDT stamps", async () => {
    const spec = world(
      [host("a", 1, { nic: nic(), sysctl: { "net.core.default_qdisc": "fq" } }), receiver],
      [link("a", "b", { rateBps: 10e9, delayNs: 50_000 })],
      [{ kind: "bulk", from: "a", to: "b", port: 5001, flows: 1, bytes: Infinity, at: 0, maxPacingRate: 12.5e6 }],
      { durationNs: 100e6 },
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const tcp = w.host("a").stack.tcp;
    const out = tcp.output;
    const seg = new SegIn();
    // each data skb's wire seq, end and EDT stamp (skb->tstamp), and its TSval, in send order
    const skbs: { seq: number; end: number; tstamp: number; tsVal: number }[] = [];
    let maxAhead = 0;
    (tcp as unknown as { output: (h: number) => boolean }).output = (h) => {
      const skb = core.skb;
      seg.parse(core.headers, h, skb.network[h]!, skb.transport[h]!, false);
      if (seg.dataLen > 0) {
        const tstamp = core.skbTime.tstamp[h]!;
        skbs.push({ seq: seg.seq, end: seg.seq + seg.dataLen, tstamp, tsVal: seg.tsVal });
        maxAhead = Math.max(maxAhead, tstamp - w.loop.now);
      }
      return out(h);
    };
    w.run();
    const c = [...w.flows.values()][0]!.sender!;
    const sk = (tcp as unknown as { socks: (TcpSock | null)[] }).socks[c.slot]!;
    // the stamps do run ahead: a 45-segment skb at 12.5 MB/s is 5.2 ms of EDT, TSQ lets two sit in fq
    expect(maxAhead).toBeGreaterThan(5e6);
    // tcp_established_options: TSval = skb_mstamp_ns in ms + tsoffset, on every data skb
    let tsMismatch = 0;
    for (const s of skbs) if (s.tsVal !== (Math.floor(s.tstamp / 1e6) + sk.tsOff) >>> 0) tsMismatch++;
    expect(tsMismatch).toBe(0);
    // the retransmit queue's send time of each unacked segment is its skb's EDT stamp (no loss here: one send each)
    const rb = c.rtx;
    expect(rb.count).toBeGreaterThan(0);
    for (let i = 0; i < rb.count; i++) {
      const j = rb.at(i);
      const wire = (sk.iss + 1 + rb.start[j]!) >>> 0;
      const s = skbs.find((x) => x.seq <= wire && wire < x.end)!;
      expect(rb.sentAt[j]).toBe(s.tstamp);
    }
    // RTT samples start at the departure: path 100 us + one 45 x 1448 B skb on the 10 Gbit wire (52 us) + the
    // receiver's ACK delay stay well below the 5 ms fq wait (before: srtt 4668 us)
    expect(c.rtt.srttUs / 8).toBeLessThan(300);
    expect(c.minRttUs).toBe(100);
  });
});
