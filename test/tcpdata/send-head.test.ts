// tcp_send_head in one helper (send-head.ts). The model had it in three spellings: tcp_ack_probe's and the
// loss probe's "write_seq > snd_nxt, or the FIN skb queued at write_seq", tcp_probe_timer's negation "not
// (write_seq <= snd_nxt and no FIN skb queued)". They differ only where snd_nxt > write_seq with the FIN
// skb queued — a state no code reaches (snd_nxt is only ever set to an end at or below write_seq).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { TcpConn } from "../../src/tcp/conn.js";
import { congestionOps } from "../../src/tcp/data-init.js";
import { FIN_ALONE_QUEUED, FIN_ALONE_SENT } from "../../src/tcp/fin.js";
import { sendHead, sendHeadEnd } from "../../src/tcp/send-head.js";
import { bulk, pair, runWorld } from "./helpers.js";

function conn(sndNxt: number, writeSeq: number, finAlone: number, finQueued: boolean, mss = 1000): TcpConn {
  const c = new TcpConn(congestionOps("cubic"));
  c.sndNxt = sndNxt;
  c.writeSeq = writeSeq;
  c.finAlone = finAlone;
  c.finQueued = finQueued || finAlone !== 0;
  c.mss = mss;
  return c;
}

const ackProbeForm = (c: TcpConn) => c.writeSeq > c.sndNxt || (c.finAlone === FIN_ALONE_QUEUED && c.writeSeq === c.sndNxt);
const probeTimerForm = (c: TcpConn) => !(c.writeSeq <= c.sndNxt && c.finAlone !== FIN_ALONE_QUEUED);

describe("sendHead (tcp_send_head != NULL)", () => {
  it("agrees with both former spellings wherever snd_nxt <= write_seq", () => {
    fc.assert(
      fc.property(fc.nat(1 << 20), fc.nat(1 << 20), fc.constantFrom(0, FIN_ALONE_QUEUED, FIN_ALONE_SENT), fc.boolean(), (a, d, fin, fq) => {
        const c = conn(a, a + d, fin, fq);
        expect(sendHead(c)).toBe(ackProbeForm(c));
        expect(sendHead(c)).toBe(probeTimerForm(c));
      }),
    );
  });

  it("the spellings part only past write_seq with a FIN skb queued", () => {
    const c = conn(2000, 1000, FIN_ALONE_QUEUED, true);
    expect(ackProbeForm(c)).toBe(false);
    expect(probeTimerForm(c)).toBe(true);
  });

  it("snd_nxt never passes write_seq: a transfer that ends with close()", async () => {
    const r = await runWorld(pair({ durationNs: 50e6 }, [bulk({ bytes: 200_000 })]));
    const rec = [...r.w.flows.values()][0]!;
    const c = rec.sender!;
    expect(c.finQueued).toBe(true);
    expect(c.sndNxt).toBeLessThanOrEqual(c.writeSeq);
    expect(sendHead(c)).toBe(false);
  });

  it("sendHeadEnd: the write queue's first skb, + 1 for a FIN on it or alone", () => {
    /** unsent [sndNxt, writeSeq) in write-queue skbs ending at `ends` */
    const queued = (sndNxt: number, ends: number[], fin: boolean) => {
      const c = conn(sndNxt, ends[ends.length - 1]!, 0, fin);
      for (const e of ends) c.wq.push(e);
      return c;
    };
    expect(sendHeadEnd(queued(0, [4000, 10_000], false))).toBe(4000);
    expect(sendHeadEnd(queued(0, [3500], false))).toBe(3500);
    expect(sendHeadEnd(queued(0, [3500], true))).toBe(3501);
    expect(sendHeadEnd(queued(0, [4000, 10_000], true))).toBe(4000);
    expect(sendHeadEnd(conn(3500, 3500, FIN_ALONE_QUEUED, true))).toBe(3501);
  });
});
