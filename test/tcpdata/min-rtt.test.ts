// net/ipv4/tcp_input.c: tcp_clean_rtx_queue takes seq_rtt_us from first_ackt (the oldest newly ACKed segment)
// and ca_rtt_us from last_ackt (the most recently sent one); tcp_ack_update_rtt feeds seq_rtt_us to
// tcp_rtt_estimator but calls tcp_update_rtt_min(sk, ca_rtt_us, flag). So an ACK of two segments sent 2 ms
// apart moves min_rtt to the later segment's RTT, 2 ms below the oldest's (review13a #6; min_rtt feeds RACK's
// reo_wnd and tcp_tso_autosize).
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";

describe("tcp_update_rtt_min takes ca_rtt_us", () => {
  it("an ACK of two segments sent 2 ms apart: min_rtt from the later one", async () => {
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
    const { sk, c } = clientConn(r.w);
    expect(c.packetsOut).toBe(10);
    const mss = c.mss;
    const rb = c.rtx;
    // the head went out 2 ms before the second segment (whole-µs send times: independent of finding 7)
    rb.sentAt[rb.at(1)] = Math.floor(rb.sentAt[rb.at(1)]! / 1000) * 1000;
    rb.sentAt[rb.at(0)] = rb.sentAt[rb.at(1)]! - 2e6;
    const nowUs = Math.floor(r.w.loop.now / 1000);
    const seqRtt = nowUs - Math.floor(rb.sentAt[rb.at(0)]! / 1000);
    const caRtt = nowUs - Math.floor(rb.sentAt[rb.at(1)]! / 1000);
    expect(seqRtt - caRtt).toBe(2000);
    expect(c.minRttUs).toBeGreaterThan(seqRtt); // the handshake's 100 ms
    injectAck(r.w, sk, 2 * mss);
    expect(c.sndUna).toBe(2 * mss);
    expect(c.minRttUs).toBe(caRtt);
  });
});
