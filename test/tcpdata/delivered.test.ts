// tp->delivered as 6.12 counts it, which feeds PRR and cong_avoid (acked_sacked = the ACK's increase):
// tcp_sacktag_one adds each newly SACKed segment, tcp_dsack_seen each D-SACKed duplicate, and
// tcp_clean_rtx_queue only the cumulatively ACKed segments no SACK covered before; an old ACK
// (below snd_una) tags SACKs but counts nothing.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";

const MSS = 1448;

async function tenOut() {
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, loss: 1e-12 }, [bulk()]));
  for (const d of (r.w as unknown as { directions: { config: { loss: number } }[] }).directions) d.config.loss = 1;
  return { ...r, ...clientConn(r.w) };
}

describe("tp->delivered (tcp_sacktag_one, tcp_clean_rtx_queue, tcp_dsack_seen)", () => {
  it("a cumulative ACK over SACKed segments counts only those not SACKed before", async () => {
    const { w, sk, c } = await tenOut();
    const una = c.sndUna;
    const d0 = c.delivered;
    injectAck(w, sk, una, [[una + 4 * MSS, una + 7 * MSS]]);
    expect(c.delivered - d0).toBe(3);
    // segments 0-6 ACKed: 0-3 newly, 4-6 were SACKed already
    injectAck(w, sk, una + 7 * MSS);
    expect(c.delivered - d0).toBe(7);
  });

  it("a D-SACK of a retransmitted segment counts its duplicate; an old ACK's SACKs count nothing", async () => {
    const { w, sk, c } = await tenOut();
    const una = c.sndUna;
    injectAck(w, sk, una, [[una + 4 * MSS, una + 7 * MSS]]);
    // segment 0 was retransmitted (Recovery): both copies arrive, the ACK D-SACKs one
    expect(c.retransTotal).toBeGreaterThan(0);
    const d1 = c.delivered;
    injectAck(w, sk, una + MSS, [[una, una + MSS], [una + 4 * MSS, una + 7 * MSS]]);
    // segment 0 ACKed (1) and its duplicate (tcp_dsack_seen: sack_delivered += 1)
    expect(c.delivered - d1).toBe(2);
    const d2 = c.delivered;
    // an ACK below snd_una SACKing segment 7: tagged, not counted
    injectAck(w, sk, una, [[una + 4 * MSS, una + 8 * MSS]]);
    expect(c.sackedOut).toBe(4);
    expect(c.delivered).toBe(d2);
  });
});
