// D-SACK (6.12): the receiver's tcp_dsack_set for duplicate data and the
// sender's tcp_check_dsack / tcp_dsack_seen, on segments injected into an
// established connection.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { SegOut, writeSegment } from "../../src/tcp/segment.js";
import { setPayloadLen } from "../../src/wire/skb-headers.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import type { World } from "../../src/sim/world.js";
import type { TcpSock } from "../../src/tcp/sock.js";

async function established(side: "a" | "b") {
  const r = await runWorld(pair({ durationNs: 2e6 }, [bulk()]));
  const t = r.w.host(side).stack.tcp;
  const sk = (side === "b" ? [...t.ports.get(5001)!.conns.values()][0]! : [...[...t.ports.values()][0]!.conns.values()][0]!) as TcpSock;
  return { ...r, t, sk, c: sk.conn! };
}

/** A segment to `sk` from its peer: payload [off, off+len) relative to rcv_nxt, optional SACK blocks (wire seqs). */
function inject(w: World, host: string, sk: TcpSock, off: number, len: number, sack: [number, number][] = [], ack = sk.sndNxt): number {
  const core = w.core;
  const h = core.allocOne(w.loop.now);
  w.ledger.create(1);
  const s = new SegOut();
  s.src = Uint8Array.of(10, 0, 0, host === "b" ? 1 : 2);
  s.dst = Uint8Array.of(10, 0, 0, host === "b" ? 2 : 1);
  s.sport = sk.rport;
  s.dport = sk.lport;
  s.seq = (sk.rcvNxt + off) >>> 0;
  s.ack = ack;
  s.flags = TCPHDR_ACK;
  s.window = 1000;
  s.ts = true;
  s.tsVal = sk.tsRecent; // the peer's last TSval: passes PAWS
  for (const [l, r] of sack) {
    s.sackL[s.sackN] = l >>> 0;
    s.sackR[s.sackN] = r >>> 0;
    s.sackN++;
  }
  writeSegment(core, h, s);
  if (len > 0) setPayloadLen(core, h, len);
  const t = w.host(host).stack.tcp;
  t.rx.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
  return h;
}

describe("D-SACK at the receiver (tcp_dsack_set)", () => {
  it("a segment below rcv_nxt: TCPDSACKOldSent, dropped TCP_OLD_DATA, its range is the first SACK block of the ACK sent at once", async () => {
    const { w, t, sk, c } = await established("b");
    const nxt = c.rcvNxt;
    const out0 = w.host("b").nstat.get("TcpOutSegs");
    // the last segment's ACK is still delayed: rcv_wup is one segment below rcv_nxt, so this segment's end_seq is
    // rcv_wup and tcp_sequence lets it through to tcp_data_queue (one wholly before rcv_wup: tcp-sequence.test.ts)
    expect([c.rcvNxt - c.rcvWup, c.ackPending]).toEqual([1448, true]);
    tcpRcvState(t, sk, inject(w, "b", sk, -2896, 1448));
    expect(w.host("b").nstat.get("TcpExtTCPDSACKOldSent")).toBe(1);
    expect(w.ledger.report(w.inFlight()).dropped.TCP_OLD_DATA).toBe(1);
    expect([c.dsackStart, c.dsackEnd]).toEqual([nxt - 2896, nxt - 1448]);
    // the immediate ACK wrote the block and cleared rx_opt.dsack
    expect(w.host("b").nstat.get("TcpOutSegs")).toBe(out0 + 1);
    expect(c.dsackPending).toBe(false);
  });

  it("tcp_dsack 0: no D-SACK", async () => {
    const r = await runWorld(pair({ durationNs: 2e6, sysctl: { "net.ipv4.tcp_dsack": 0 } }, [bulk()]));
    const t = r.w.host("b").stack.tcp;
    const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
    tcpRcvState(t, sk, inject(r.w, "b", sk, -1448, 1448));
    expect(r.w.host("b").nstat.get("TcpExtTCPDSACKOldSent")).toBe(0);
    expect(sk.conn!.dsackPending).toBe(false);
  });
});

describe("D-SACK at the sender (tcp_check_dsack)", () => {
  it("a first block below the ACK is a D-SACK: 3000 bytes at mss 1448 -> 3 segments, counted only while dsack_dups <= retransmissions", async () => {
    const { w, t, sk, c } = await established("a");
    const base = sk.iss + 1;
    const una = c.sndUna;
    const block: [number, number] = [base + una - 3000, base + una];
    c.retransTotal = 3;
    tcpRcvState(t, sk, inject(w, "a", sk, 0, 0, [block], sk.sndUna));
    const n = w.host("a").nstat;
    expect(n.get("TcpExtTCPDSACKRecv")).toBe(1);
    expect(n.get("TcpExtTCPDSACKRecvSegs")).toBe(3);
    expect(c.dsackDups).toBe(3);
    // the same again: dsack_dups 6 > 3 retransmissions — dubious
    tcpRcvState(t, sk, inject(w, "a", sk, 0, 0, [block], sk.sndUna));
    expect(n.get("TcpExtTCPDSACKRecv")).toBe(2);
    expect(n.get("TcpExtTCPDSACKIgnoredDubious")).toBe(1);
    expect(n.get("TcpExtTCPDSACKRecvSegs")).toBe(3);
  });

  it("a first block above the ACK inside the second is an out-of-order D-SACK; outside it, an ordinary SACK", async () => {
    const { w, t, sk, c } = await established("a");
    const base = sk.iss + 1;
    const una = c.sndUna;
    c.retransTotal = 10;
    const n = w.host("a").nstat;
    tcpRcvState(t, sk, inject(w, "a", sk, 0, 0, [[base + una + 1448, base + una + 2896], [base + una + 1448, base + una + 5792]], sk.sndUna));
    expect(n.get("TcpExtTCPDSACKOfoRecv")).toBe(1);
    tcpRcvState(t, sk, inject(w, "a", sk, 0, 0, [[base + una + 7240, base + una + 8688], [base + una + 1448, base + una + 5792]], sk.sndUna));
    expect(n.get("TcpExtTCPDSACKOfoRecv")).toBe(1);
    expect(n.get("TcpExtTCPDSACKRecv")).toBe(0);
  });
});
