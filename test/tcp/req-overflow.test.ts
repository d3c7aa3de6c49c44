// A request whose final ACK finds the accept queue full (net/ipv4/tcp_minisocks.c: tcp_check_req's
// listen_overflow, 6.12): tcp_v4_syn_recv_sock counts ListenOverflows and ListenDrops and makes no child; with
// tcp_abort_on_overflow 0 the request is marked inet_rsk(req)->acked and tcp_check_req returns NULL, so
// tcp_v4_rcv drops the ACK NOT_SPECIFIED (discard_and_relse -> discard_it). The request stays on its timer.
// World: listen(2) (the accept queue is full above 2 children, inet_csk_reqsk_queue_is_full above 2 requests),
// no accept(), cookies off. A far client (10 ms each way) connects at 0: its SYN makes a request at ~10 ms, its
// final ACK arrives at ~30 ms. Three near clients (50 us) connect at 11, 12 and 13 ms and fill the accept queue
// (3 children) before that ACK.
import { describe, expect, it } from "vitest";
import { closed, connect, run, serverWorld } from "./helpers.js";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";

const S = 1e9;
const nstat = (r: { hosts: Record<string, { nstat: Record<string, number> }> }, k: string) => r.hosts.server!.nstat[k] ?? 0;

export const overflowWorld = (durationNs: number) =>
  serverWorld({ backlog: 2, durationNs, sysctl: { "net.ipv4.tcp_syncookies": 0 } }, [connect(1, { from: "far" }), connect(3, { at: 11e6, rate: 1000 })], [
    { name: "far", last: 3, delayNs: 10e6 },
  ]);

describe("tcp_check_req's listen_overflow with tcp_abort_on_overflow 0", () => {
  it("the far client's final ACK: ListenOverflows 1, dropped NOT_SPECIFIED (not TCP_LISTEN_OVERFLOW); the request stays", async () => {
    const { report } = await run(overflowWorld(0.1 * S));
    expect(report.hosts.server!.listeners[0]).toMatchObject({ backlog: 2, acceptQueue: 3, synQueue: 1 });
    expect(nstat(report, "TcpExtListenOverflows")).toBe(1);
    expect(nstat(report, "TcpExtListenDrops")).toBe(1);
    expect(nstat(report, "TcpPassiveOpens")).toBe(3);
    expect(report.ledger.dropped).toEqual({ NOT_SPECIFIED: 1 });
    closed(report);
  });
});

// reqsk_timer_handler (net/ipv4/inet_connection_sock.c, 6.12) without TCP_DEFER_ACCEPT: syn_ack_recalc gives
// expire = num_timeout >= max_syn_ack_retries and resend = 1, so an acked request is resent like any other; the
// request lives on if inet_rtx_syn_ack succeeded OR inet_rsk(req)->acked. The acked branch shows only when the
// retransmission fails: the server's skb allocations fail from 1.0 to 1.5 s, over the far request's first timer
// (its SYN at ~10 ms + TCP_TIMEOUT_INIT).
describe("reqsk_timer_handler: an acked request survives a failed SYN-ACK retransmission", () => {
  it("timer at ~1.01 s: TCPTimeouts 1, no TCPSynRetrans, the request stays; the next at ~3.01 s (timeout << 1) resends", async () => {
    const spec = overflowWorld(4 * S);
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec, null);
    const host = w.host("server");
    const t = host.stack.tcp;
    const env = t.env as { alloc(): number };
    const alloc = env.alloc.bind(env);
    env.alloc = () => (w.loop.now >= 1 * S && w.loop.now < 1.5 * S ? -1 : alloc());
    const at: { qlen: number; timeouts: number; synRetrans: number; overflows: number }[] = [];
    const probe = () => {
      const l = [...t.listeners][0]!;
      at.push({ qlen: l.qlen, timeouts: host.nstat.get("TcpExtTCPTimeouts"), synRetrans: host.nstat.get("TcpExtTCPSynRetrans"), overflows: host.nstat.get("TcpExtListenOverflows") });
    };
    for (const p of [0.5 * S, 1.5 * S, 2.9 * S, 3.5 * S]) w.loop.at(p, w.loop.register("test: probe", probe), 0);
    const result = w.run();
    expect(at).toEqual([
      // the far ACK overflowed at ~30 ms: acked
      { qlen: 1, timeouts: 0, synRetrans: 0, overflows: 1 },
      // tcp_syn_ack_timeout counted, inet_rtx_syn_ack failed (no skb: nothing counted), acked: num_timeout 1
      { qlen: 1, timeouts: 1, synRetrans: 0, overflows: 1 },
      { qlen: 1, timeouts: 1, synRetrans: 0, overflows: 1 },
      // reqsk_timeout: 1 s << 1 after the first expiry: resent (TCPSynRetrans), the far client's ACK overflows again
      { qlen: 1, timeouts: 2, synRetrans: 1, overflows: 2 },
    ]);
    // the far client answers the SYN-ACK at ~3.02 s with a challenge ACK and drops it (tcp_validate_incoming)
    expect(result.ledger.dropped).toEqual({ NOT_SPECIFIED: 2, TCP_INVALID_SYN: 1 });
  });
});
