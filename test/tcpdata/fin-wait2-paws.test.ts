// tcp_timewait_state_process runs tcp_paws_reject for both substates (net/ipv4/tcp_minisocks.c): with a non-zero
// tw_ts_recent_stamp and a timestamp option, any TSval below tw_ts_recent (tcp_paws_check with paws_win 0; an RST
// only within TCP_PAWS_MSL, 60 s, of the stamp) sets paws_reject, and the FIN_WAIT2 substate treats the segment
// as out of window: tcp_timewait_check_oow_rate_limit(TCPACKSKIPPEDFINWAIT2) -> TCP_TW_ACK (a FIN or data is never
// rate limited, a bare RST the first time is not), no PAWSEstab count (that is the TIME_WAIT part's). The
// client a sends 1000 bytes at 2 s and closes; every FIN of the server b is lost, so a is a FIN_WAIT2 timewait
// sock with tw_ts_recent_stamp uptime + 2 (b's ACK of its FIN). Then the link goes dead and segments are
// injected at 3 s.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { setPayloadLen } from "../../src/wire/skb-headers.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST } from "../../src/wire/tcp.js";
import { TCP_FIN_WAIT2, TCP_TIME_WAIT } from "../../src/tcp/constants.js";
import { HOST_UPTIME_AT_START_S as UP } from "../../src/tcp/paws.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import type { TcpHost } from "../../src/tcp/tcp-host.js";
import { pair, bulk } from "./helpers.js";

const S = 1e9;

async function finWait2() {
  const spec = pair({ durationNs: 2.5 * S, delayNs: 50_000 }, [bulk({ bytes: 1000, at: 2 * S })]);
  const core = await createCore(coreConfigFor(spec));
  let dirs: { config: { loss: number } }[] = [];
  const tap = (h: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    const l = b[ip + 15]! === 2 && b[ip + 20 + 13]! & TCPHDR_FIN ? 1 : 0;
    for (const d of dirs) d.config.loss = l;
  };
  const w = new World(core, spec, tap);
  dirs = (w as unknown as { directions: { config: { loss: number } }[] }).directions;
  w.run();
  for (const d of dirs) d.config.loss = 1;
  const t = w.host("a").stack.tcp;
  const sk = [...[...t.ports.values()][0]!.conns.values()][0]! as TcpSock;
  expect(sk).toMatchObject({ state: TCP_FIN_WAIT2, tw: true, tsRecentStamp: UP + 2 });
  const sent: number[] = [];
  const drops: string[] = [];
  const host = t as unknown as { output: (h: number) => boolean; dropSkb: (h: number, reason: string) => void };
  const output = host.output;
  const dropSkb = host.dropSkb;
  host.output = (h) => {
    sent.push(core.headers[h * SKB_HEADROOM + core.skb.transport[h]! + 13]!);
    return output(h);
  };
  host.dropSkb = (h, reason) => {
    drops.push(reason);
    dropSkb(h, reason);
  };
  /** a segment from b at `at`: seq rcv_nxt, our snd_nxt ACKed, TSval tw_ts_recent - age */
  const seg = (at: number, flags: number, age: number, len = 0) => {
    w.loop.now = at;
    const h = core.allocOne(at);
    w.ledger.create(1);
    const s = new SegOut();
    s.src = Uint8Array.of(10, 0, 0, 2);
    s.dst = Uint8Array.of(10, 0, 0, 1);
    s.sport = sk.rport;
    s.dport = sk.lport;
    s.seq = sk.rcvNxt;
    s.ack = flags & TCPHDR_ACK ? sk.sndNxt : 0;
    s.flags = flags;
    s.window = 1000;
    s.ts = true;
    s.tsVal = (sk.tsRecent - age) >>> 0;
    writeSegment(core, h, s);
    if (len > 0) setPayloadLen(core, h, len);
    t.rcv(h);
  };
  return { t, sk, sent, drops, seg, nstat: w.host("a").nstat };
}

function states(t: TcpHost) {
  return t.states();
}

describe("tcp_timewait_state_process, substate FIN_WAIT2: paws_reject", () => {
  it("the peer's FIN at rcv_nxt with an old TSval: out of window, ACKed, still FIN_WAIT2 (no PAWSEstab)", async () => {
    const s = await finWait2();
    const rcvNxt = s.sk.rcvNxt;
    s.seg(3 * S, TCPHDR_ACK | TCPHDR_FIN, 2);
    expect(s.sent).toEqual([TCPHDR_ACK]);
    expect(s.sk.state).toBe(TCP_FIN_WAIT2);
    expect(s.sk.rcvNxt).toBe(rcvNxt);
    expect(s.nstat.get("TcpExtPAWSEstab")).toBe(0);
    expect(s.drops).toEqual(["NOT_SPECIFIED"]);
  });

  it("data at rcv_nxt with TSval tw_ts_recent - 1 (paws_win 0): ACKed, not reset (the sock stays)", async () => {
    const s = await finWait2();
    s.seg(3 * S, TCPHDR_ACK, 1, 100);
    expect(s.sent).toEqual([TCPHDR_ACK]);
    expect(states(s.t)).toEqual({ FIN_WAIT2: 1 });
  });

  it("an RST at rcv_nxt with an old TSval within 60 s of the stamp: ACKed once, the sock lives; a second 100 ms later is skipped (TCPACKSkippedFinWait2)", async () => {
    const s = await finWait2();
    s.seg(3 * S, TCPHDR_RST, 2);
    s.seg(3.1 * S, TCPHDR_RST, 2);
    expect(s.sent).toEqual([TCPHDR_ACK]);
    expect(states(s.t)).toEqual({ FIN_WAIT2: 1 });
    expect(s.nstat.get("TcpExtTCPACKSkippedFinWait2")).toBe(1);
  });

  it("guard: the FIN with TSval tw_ts_recent enters TIME_WAIT, ACKed, and stores ts_recent's stamp", async () => {
    const s = await finWait2();
    const ts = s.sk.tsRecent;
    s.seg(3 * S, TCPHDR_ACK | TCPHDR_FIN, 0);
    expect(s.sent).toEqual([TCPHDR_ACK]);
    expect(s.sk.state).toBe(TCP_TIME_WAIT);
    expect(s.sk.tsRecent).toBe(ts);
    expect(s.sk.tsRecentStamp).toBe(UP + 3);
  });
});
