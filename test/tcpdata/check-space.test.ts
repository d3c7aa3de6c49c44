// net/ipv4/tcp_input.c (6.12) runs tcp_data_snd_check (tcp_push_pending_frames, then
// tcp_check_space -> tcp_new_space: tcp_sndbuf_expand when tcp_should_expand_sndbuf, then sk_stream_write_space)
// for EVERY segment tcp_rcv_established processes (fast and slow path; tcp_rcv_state_process too), not only
// for an ACK that advances snd_una: a SACK-only ACK that leaves in_flight < cwnd expands a blocked writer's
// sk_sndbuf (review13a #12; the model ran it only after an advancing ACK).
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";

describe("tcp_check_space on a SACK-only ACK", () => {
  it("in_flight < cwnd 30 after a SACK of 2 segments: tcp_sndbuf_expand to 2·30·4352", async () => {
    // 50 ms one-way: 103 ms in, the initial window is out and the writer is blocked on sk_sndbuf
    const r = await runWorld(pair({ durationNs: 103e6, delayNs: 50e6 }, [bulk()]));
    const { sk, c } = clientConn(r.w);
    expect(c.packetsOut).toBe(10);
    expect(c.nospace).toBe(true);
    expect(c.sndbuf).toBe(87040);
    // a larger cwnd (as later in slow start)
    c.cwnd = 30;
    const mss = c.mss;
    injectAck(r.w, sk, 0, [[mss, 3 * mss]]);
    expect(c.sackedOut).toBe(2);
    // tcp_push_pending_frames sent what TSQ / tcp_tso_should_defer let go; in_flight stays < 30
    expect(c.packetsInFlight()).toBeLessThan(30);
    // tcp_should_expand_sndbuf: not locked, no pressure, below tcp_mem[0], in_flight < cwnd;
    // tcp_sndbuf_expand: per_mss 4352 (MSS clamp 1460), nr_segs max(10, 30, 3 + 1) = 30, × 2
    expect(c.sndbuf).toBe(2 * 30 * 4352);
  });
});
