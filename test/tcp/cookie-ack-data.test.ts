// review14b #11: data riding on the ACK that completes a SYN-cookie handshake goes to the
// child. 6.12 net/ipv4/tcp_ipv4.c: tcp_v4_do_rcv — `nsk = tcp_v4_cookie_check(sk, skb)`; nsk != sk ->
// tcp_child_process(sk, nsk, skb), which runs the whole segment (tcp_rcv_state_process: SYN_RECV -> ESTABLISHED,
// then tcp_data_queue) on the child. A client's first data segment is such an ACK whenever its pure ACK was lost
// or dropped (link loss; a full accept queue drops it NO_SOCKET, item 5 of the spec). The model's cookie path
// (src/tcp/listen-ack.ts:85-86: childEstablished, then deliverSkb) consumes the segment: the 100 bytes are not
// received (rcv_nxt stays at the ACK's seq), so the client must retransmit them after an RTO. The request
// path does it right (check-req.ts:165-167).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_SYN } from "../../src/wire/tcp.js";
import { TCP_CLOSE_WAIT, TCP_ESTABLISHED } from "../../src/tcp/constants.js";
import type { TcpListenerConfig } from "../../src/tcp/tcp-host.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { host, link, world } from "../sim/spec-helpers.js";
import { sendPeerSegment } from "../tcpdata/peer-segment.js";

async function run(syncookies: number, fin = false, app = true, ts = false) {
  const l: TcpListenerConfig = { port: 80, backlog: 128, accept: false, ...(app ? { app: { kind: "sink" as const } } : {}) };
  const spec = world([host("server", 2, { listeners: [l], sysctl: { "net.ipv4.tcp_syncookies": syncookies } }), host("client", 1)], [link("client", "server")], [], { durationNs: 5e6 });
  const core = await createCore(coreConfigFor(spec));
  let synAckSeq = -1;
  const tap = (h: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    if (b[ip + 9] !== 6 || b[ip + 15] !== 2 || b[ip + 20 + 13] !== (TCPHDR_SYN | TCPHDR_ACK)) return;
    const th = ip + 20;
    synAckSeq = ((b[th + 4]! << 24) | (b[th + 5]! << 16) | (b[th + 6]! << 8) | b[th + 7]!) >>> 0;
  };
  const w = new World(core, spec, tap);
  const t = w.host("server").stack.tcp;
  const inject = (at: number, syn: boolean) =>
    w.loop.at(
      at,
      w.loop.register("test: inject", () => {
        sendPeerSegment(t, {
          src: [198, 51, 100, 7],
          sport: 40000,
          dport: 80,
          flags: syn ? TCPHDR_SYN : fin ? TCPHDR_ACK | TCPHDR_FIN : TCPHDR_ACK,
          seq: syn ? 1_000_000 : 1_000_001,
          ...(syn ? { mss: 1460 } : { ack: synAckSeq + 1 }),
          len: !syn && !fin ? 100 : 0,
          ...(ts ? { ts: (syn ? [1000, 0] : [1001, 777]) as [number, number] } : {}),
        });
      }),
      0,
    );
  inject(0, true);
  inject(1e6, false);
  w.run();
  const child = [...t.ports.get(80)!.conns.values()].find((sk) => (sk as TcpSock).state === (fin ? TCP_CLOSE_WAIT : TCP_ESTABLISHED)) as TcpSock;
  return { child, recv: w.host("server").nstat.get("TcpExtSyncookiesRecv") ?? 0 };
}

describe("data on the ACK that completes a handshake reaches the child", () => {
  it("request path (cookies off): rcv_nxt = client isn + 1 + 100", async () => {
    const { child } = await run(0);
    expect(child.conn!.rcvNxt).toBe(100); // relative to the child's irs + 1
  });
  it("cookie path (tcp_syncookies=2): the same 100 bytes are received", async () => {
    const { child, recv } = await run(2);
    expect(recv).toBe(1);
    expect(child.conn).not.toBeNull();
    expect(child.conn!.rcvNxt).toBe(100); // before: 0 (the segment was consumed)
  });
  // a FIN on the completing ACK: tcp_rcv_state_process -> tcp_data_queue -> tcp_fin: CLOSE_WAIT, rcv_nxt past it
  for (const cookies of [0, 2])
    for (const app of [true, false])
      it(`a FIN on the completing ACK (tcp_syncookies=${cookies}, ${app ? "sink app" : "no app"}): the child is CLOSE_WAIT`, async () => {
        const { child } = await run(cookies, true, app);
        expect(child).toBeDefined(); // before: the FIN was consumed, the child stayed ESTABLISHED
        expect(child.rcvNxt).toBe(1_000_002);
      });
  // tcp_rcv_rtt_measure_ts runs only in tcp_rcv_established (fast path, step5); the completing segment goes
  // through tcp_rcv_state_process (SYN_RECV -> ESTABLISHED -> tcp_data_queue), so its TSecr (777) is neither a
  // receiver RTT sample nor remembered as rcv_rtt_last_tsecr (0 from tcp_create_openreq_child's clone of the
  // listener): the next segment echoing 777 is the one measured
  for (const cookies of [0, 2])
    for (const fin of [false, true])
      it(`the completing segment's TSecr is not taken by tcp_rcv_rtt_measure_ts (tcp_syncookies=${cookies}, ${fin ? "a bare FIN" : "100 bytes"})`, async () => {
        const { child } = await run(cookies, fin, true, true);
        expect(child.conn!.rcvNxt).toBe(fin ? 0 : 100); // a received FIN is not counted in the model's rcvNxt
        expect(child.conn!.rcvRttLastTsecr).toBe(0);
      });
});
