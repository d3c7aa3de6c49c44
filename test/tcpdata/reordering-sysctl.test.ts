// net.ipv4.tcp_reordering (6.12: tcp_init_sock sets tp->reordering from it; default TCP_FASTRETRANS_THRESH 3):
// the SACK count at which RACK, with no reordering seen, stops waiting (tcp_rack_reo_wnd: sacked_out >=
// tp->reordering -> reo_wnd 0), and the value tcp_enter_loss cuts a learnt tp->reordering back to after an RTO in
// Open/Disorder with that many SACKed. A flow over a 50 ms one-way link: 10 segments out at ~100 ms, nothing
// ACKed by the real receiver before ~150 ms; the ACKs are injected.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { ICSK_TIME_REO_TIMEOUT, ICSK_TIME_RETRANS, resetXmitTimer, writeTimerHandler } from "../../src/tcp/data-out.js";
import { TCP_CA_Disorder, TCP_CA_Loss, TCP_CA_Recovery } from "../../src/tcp/cc.js";

const MSS = 1448;

async function inFlight(reordering?: number) {
  const sysctl: Record<string, number> = reordering === undefined ? {} : { "net.ipv4.tcp_reordering": reordering };
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6, clientSysctl: sysctl }, [bulk()]));
  const cc = clientConn(r.w);
  return { ...r, ...cc, una: cc.c.sndUna };
}

describe("net.ipv4.tcp_reordering", () => {
  it("starts tp->reordering: 3 by default, the sysctl's value when set", async () => {
    expect((await inFlight()).c.reordering).toBe(3);
    expect((await inFlight(5)).c.reordering).toBe(5);
  });

  it("RACK's dupthresh rule: 3 SACKed segments mark the 4 below lost at 3, not at 5 (reo_wnd min_rtt/4, the REO timer waits)", async () => {
    const d = await inFlight();
    injectAck(d.w, d.sk, d.una, [[d.una + 4 * MSS, d.una + 7 * MSS]]);
    expect([d.c.lostOut, d.c.caState]).toEqual([4, TCP_CA_Recovery]);

    const f = await inFlight(5);
    injectAck(f.w, f.sk, f.una, [[f.una + 4 * MSS, f.una + 7 * MSS]]);
    expect([f.c.lostOut, f.c.caState, f.c.xmitPending]).toEqual([0, TCP_CA_Disorder, ICSK_TIME_REO_TIMEOUT]);
    // two more SACKed: sacked_out 5 >= tp->reordering 5, reo_wnd 0
    injectAck(f.w, f.sk, f.una, [[f.una + 4 * MSS, f.una + 9 * MSS]]);
    expect([f.c.lostOut, f.c.caState]).toEqual([4, TCP_CA_Recovery]);
  });

  it("tcp_enter_loss: an RTO in Disorder with sacked_out >= the sysctl cuts a learnt tp->reordering back to the sysctl", async () => {
    for (const sysctl of [3, 5]) {
      const { w, t, sk, c, una } = await inFlight(sysctl);
      // as if reordering had been learnt: 20 (reord_seen stays 0, so RACK waits min_rtt/4 for fewer than 20 SACKed)
      c.reordering = 20;
      injectAck(w, sk, una, [[una + 4 * MSS, una + 9 * MSS]]);
      expect([c.sackedOut, c.lostOut, c.caState]).toEqual([5, 0, TCP_CA_Disorder]);
      resetXmitTimer(t, c, ICSK_TIME_RETRANS, 0);
      writeTimerHandler(t, sk, c);
      expect(c.caState).toBe(TCP_CA_Loss);
      expect(c.reordering).toBe(sysctl);
    }
  });
});
