// F-RTO's new data goes out with Nagle off (6.12 net/ipv4/tcp_input.c: tcp_xmit_recovery, REXMIT_NEW:
// __tcp_push_pending_frames(sk, tcp_current_mss(sk), TCP_NAGLE_OFF)). The flow of frto.test.ts (50 ms one
// way, no timestamps, MSS 1460) but with one 9 MSS + 500 B request to send (the handshake takes the first
// 100 ms: at 103 ms nothing of it is ACKed): the initial window carries 9 full segments
// and a 500-byte one (tcp_mss_split_point: nothing out yet, Nagle lets the partial go), so tcp_minshall_update
// sets snd_sml to its end. After the RTO the application writes 100 B (cwnd 1 is full: they wait). The head's
// ACK moves snd_una to una + MSS, below high_seq and snd_sml: step 2.b. With nonagle 0, tcp_nagle_check
// (partial, packets_out 9, tcp_minshall_check: snd_sml after snd_una) would hold the 100 B, snd_nxt would stay
// at high_seq and F-RTO would fall back to retransmitting (cwnd 2, in_flight 0: segments 2 and 3); with
// TCP_NAGLE_OFF the 100 B go as the new data, nothing more is retransmitted, and the next original's ACK shows
// the RTO was spurious.
import { describe, expect, it } from "vitest";
import { runWorld, pair } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { ICSK_TIME_RETRANS, appSend, resetXmitTimer, writeTimerHandler } from "../../src/tcp/data-out.js";
import { TCP_CA_Loss, TCP_CA_Open } from "../../src/tcp/cc.js";

const MSS = 1460;
/** One request (netperf TCP_RR, one transaction: no FIN before the test is done) of 9 MSS + 500 B. */
const REQ = 9 * MSS + 500;

describe("F-RTO's REXMIT_NEW push runs with TCP_NAGLE_OFF", () => {
  it("a 100-byte write that Minshall would hold goes out as step 2.b's new data: no fallback, then undone", async () => {
    const r = await runWorld(
      pair(
        {
          durationNs: 103e6,
          delayNs: 50e6,
          app: { kind: "rr", request: REQ, response: 1 },
          clientSysctl: { "net.ipv4.tcp_timestamps": 0, "net.ipv4.tcp_frto": 2 },
        },
        [{ kind: "rr", from: "a", to: "b", port: 5001, flows: 1, request: REQ, response: 1, at: 0, count: 1 }],
      ),
    );
    const { w } = r;
    const { t, sk, c, n } = clientConn(w);
    expect(c.mss).toBe(MSS);
    const una = c.sndUna;
    // the whole 13640 B in flight as 10 segments, the last one short: snd_sml at its end
    expect([c.packetsOut, c.sndNxt - una, c.writeSeq - c.sndNxt]).toEqual([10, 9 * MSS + 500, 0]);
    expect(c.sndSml).toBe(c.sndNxt);
    resetXmitTimer(t, c, ICSK_TIME_RETRANS, 0);
    writeTimerHandler(t, sk, c);
    expect([c.caState, c.cwnd, c.frto]).toEqual([TCP_CA_Loss, 1, true]);
    w.loop.run(w.loop.now + 1e6);
    const high = c.highSeq;
    expect(high).toBe(c.sndNxt);
    // 100 B written: cwnd 1, in_flight 1 (the retransmitted head): they wait in the write queue
    expect(appSend(t, sk, c, 100)).toBe(100);
    expect(c.writeSeq - c.sndNxt).toBe(100);
    expect(n.get("TcpRetransSegs")).toBe(1);
    // the head's ACK: step 2.b, the 100 B go (before: held, F-RTO off, segments 2 and 3 retransmitted: 3)
    injectAck(w, sk, una + MSS, [], { ts: false });
    expect(c.caState).toBe(TCP_CA_Loss);
    expect([c.sndNxt - high, c.writeSeq - c.sndNxt]).toEqual([100, 0]);
    expect(n.get("TcpRetransSegs")).toBe(1);
    expect(c.frto).toBe(true);
    // the second original's ACK (never retransmitted): spurious, undone
    injectAck(w, sk, una + 2 * MSS, [], { ts: false });
    expect(n.get("TcpExtTCPSpuriousRTOs")).toBe(1);
    expect(c.caState).toBe(TCP_CA_Open);
  });
});
