// tcp_rcv_rtt_measure_ts (net/ipv4/tcp_input.c, 6.12): a sample when the segment's end_seq - seq reaches
// icsk_ack.rcv_mss — end_seq counts a FIN, so data one byte short of rcv_mss with a FIN is measured — and when
// tcp_rtt_tsopt_us(tp, 0)'s ms delta (tcp_time_stamp_ts - rcv_tsecr, a u32) is above 0 and below
// INT_MAX / (USEC_PER_SEC / TCP_TS_HZ) = 2147483647 / 1000 = 2147483 (C int division), as µs:
// tcp_rcv_rtt_update's first sample stores it × 8.
// World: the client of a bulk flow 50 ms from its server, 103 ms in (header-prediction.test.ts' world), which
// has received nothing yet; segments from the server injected into its slow path (tcp_rcv_state_process,
// ESTABLISHED: tcp_ack, then tcp_rcv_rtt_measure_ts, then tcp_data_queue).
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../../src/wire/tcp.js";

async function client() {
  const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
  const { sk, c } = clientConn(r.w);
  expect(c.rcvq.rttUs).toBe(0);
  return { w: r.w, sk, c, nowMs: Math.floor(r.w.loop.now / 1e6) };
}

describe("tcp_rcv_rtt_measure_ts: end_seq - seq against rcv_mss, tcp_rtt_tsopt_us' bound", () => {
  it("rcv_mss - 1 bytes with a FIN (end_seq - seq = rcv_mss): a sample of now - TSecr (before: none)", async () => {
    const { w, sk, c, nowMs } = await client();
    const len = c.rcvMss - 1;
    injectAck(w, sk, c.mss, [], { window: 1000, tsecrMs: 11, payload: len, flags: TCPHDR_ACK | TCPHDR_FIN });
    expect(c.rcvNxt).toBe(len);
    expect(c.eof).toBe(true);
    expect(c.rcvq.rttUs).toBe((nowMs - 11) * 1000 * 8);
  });

  it("rcv_mss - 1 bytes without a FIN: none", async () => {
    const { w, sk, c } = await client();
    injectAck(w, sk, c.mss, [], { window: 1000, tsecrMs: 11, payload: c.rcvMss - 1 });
    expect(c.rcvq.rttUs).toBe(0);
  });

  it("a TSecr 2147483 ms old is not below the bound: none (before: a 2147483 s sample); 2147482 ms is", async () => {
    for (const [age, rtt] of [[2147483, 0], [2147482, 2147482 * 1000 * 8]] as const) {
      const { w, sk, c, nowMs } = await client();
      injectAck(w, sk, c.mss, [], { window: 1000, tsecrMs: nowMs - age, payload: c.rcvMss });
      expect([age, c.rcvq.rttUs]).toEqual([age, rtt]);
    }
  });
});
