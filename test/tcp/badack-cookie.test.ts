// review14b #7: an ACK with a wrong ack number to a request sock, while the listener's
// SYN queue overflowed recently. 6.12 net/ipv4/tcp_ipv4.c: tcp_v4_rcv — tcp_check_req returns the listener
// (nsk == sk: "Invalid ACK: reset will be sent by listening socket"), tcp_v4_restore_cb, then the segment
// goes on to `process:` -> tcp_v4_do_rcv(listener) -> tcp_v4_cookie_check -> cookie_v4_check: syncookies on,
// ACK, no RST/SYN, tcp_synq_no_recent_overflow false -> __cookie_v4_check fails -> SyncookiesFailed, then
// tcp_rcv_state_process(LISTEN) answers the ACK with an RST.
// Live 6.18.44 (raw AF_PACKET driver, listen(0), SYN from port A -> request; SYN from port B -> cookie; ACK to
// A's request with ack = snt_isn + 6): TcpExtSyncookiesFailed 1, TcpOutRsts 1, the request stays (SYN-RECV 1).
// Without the second SYN (no overflow): SyncookiesFailed 0, OutRsts 1.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import { TCP_NEW_SYN_RECV } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { serverWorld, synFlood } from "./helpers.js";
import { segmentToSock, sendPeerSegment } from "../tcpdata/peer-segment.js";

async function badAck(syns: number) {
  const spec = serverWorld({ backlog: 0, durationNs: 100e6 }, [synFlood(syns)]);
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec, null);
  const t = w.host("server").stack.tcp;
  w.loop.at(
    20e6,
    w.loop.register("test: bad ack", () => {
      const r = [...t.ports.get(80)!.conns.values()].find((sk) => (sk as TcpSock).state === TCP_NEW_SYN_RECV) as TcpSock;
      sendPeerSegment(t, segmentToSock(r, TCPHDR_ACK, { ackOff: 5 }));
    }),
    0,
  );
  w.run();
  const n = w.host("server").nstat;
  return { failed: n.get("TcpExtSyncookiesFailed") ?? 0, rsts: n.get("TcpOutRsts") ?? 0, sent: n.get("TcpExtSyncookiesSent") ?? 0 };
}

describe("a bad ACK to a request goes through the listener's cookie check", () => {
  it("after an overflow (a cookie was sent): SyncookiesFailed 1 and the RST (live kernel)", async () => {
    const r = await badAck(2);
    expect(r.sent).toBe(1);
    expect(r.rsts).toBe(1);
    expect(r.failed).toBe(1); // before: 0
  });
  it("no overflow: no cookie check, the RST only", async () => {
    const r = await badAck(1);
    expect(r.rsts).toBe(1);
    expect(r.failed).toBe(0);
  });
});
