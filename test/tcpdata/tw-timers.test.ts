// tcp_time_wait ends in tcp_done (net/ipv4/tcp_minisocks.c), whose tcp_clear_xmit_timers stops the full socket's
// retransmit and delayed-ACK timers and clears icsk_ack.pending (inet_csk_clear_xmit_timers), and whose
// inet_csk_destroy_sock frees it: nothing the old socket had scheduled fires once the timewait sock stands in its
// place. The client a sends 1000 bytes and closes; every FIN of the server is lost, so a sits in FIN_WAIT2 (it
// enters it on the answer to its loss probe, ~201 ms: the server's ACK of a's FIN rode the lost FIN|ACK). With
// tcp_fin_timeout 61 it stays a full socket on its keepalive timer, which 61 - 60 = 1 s later (~1.201 s) makes
// it a timewait sock (tcp_keepalive_timer: tcp_time_wait(sk, TCP_FIN_WAIT2, 1 s)). At 1.19 s the test schedules
// a delayed ACK on the full socket through the model's own tcp_send_delayed_ack (ato = TCP_ATO_MIN, 40 ms: due
// at 1.23 s), as a segment would: in 6.12 it does not fire after the timewait sock took over. (A retransmit timer armed the same way finds nothing to send
// before the change either: retransmitTimer needs packets out.)
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { TCPHDR_FIN } from "../../src/wire/tcp.js";
import { TCP_FIN_WAIT2 } from "../../src/tcp/constants.js";
import { TCP_ATO_MIN, sendDelayedAck } from "../../src/tcp/data-out.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { pair, bulk } from "./helpers.js";

const S = 1e9;

async function run() {
  const spec = pair({ durationNs: 1.5 * S, delayNs: 50_000, clientSysctl: { "net.ipv4.tcp_fin_timeout": 61 } }, [bulk({ bytes: 1000 })]);
  const core = await createCore(coreConfigFor(spec));
  const late: number[] = [];
  let dirs: { config: { loss: number } }[] = [];
  const tap = (h: number, at: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    const from = b[ip + 15]!;
    const flags = b[ip + 20 + 13]!;
    if (from === 1 && at > 1.1 * S) late.push(at);
    const l = from === 2 && flags & TCPHDR_FIN ? 1 : 0;
    for (const d of dirs) d.config.loss = l;
  };
  const w = new World(core, spec, tap);
  dirs = (w as unknown as { directions: { config: { loss: number } }[] }).directions;
  const t = w.host("a").stack.tcp;
  const sock = (): TcpSock | null => {
    for (const pt of t.ports.values()) for (const s of pt.conns.values()) return s as TcpSock;
    return null;
  };
  const seen: { state: number; tw: boolean }[] = [];
  w.loop.at(
    1.19 * S,
    w.loop.register("test: schedule", () => {
      const sk = sock()!;
      seen.push({ state: sk.state, tw: sk.tw });
      const c = sk.conn!;
      // (a has received no data, so tcp_event_data_recv never set ato: TCP_ATO_MIN, as its first data would)
      c.ato = TCP_ATO_MIN;
      sendDelayedAck(t, sk, c);
    }),
    0,
  );
  w.loop.at(1.22 * S, w.loop.register("test: after", () => seen.push({ state: sock()!.state, tw: sock()!.tw })), 0);
  w.run();
  return { seen, late, nstat: w.host("a").nstat };
}

describe("tcp_time_wait -> tcp_done: the full socket's timers stop", () => {
  it("a delayed ACK scheduled on the full FIN_WAIT2 socket is not sent by the timewait sock (DelayedACKs 0)", async () => {
    const r = await run();
    expect(r.seen).toEqual([
      { state: TCP_FIN_WAIT2, tw: false },
      { state: TCP_FIN_WAIT2, tw: true },
    ]);
    expect(r.late).toEqual([]);
    expect(r.nstat.get("TcpExtDelayedACKs")).toBe(0);
  });
});
