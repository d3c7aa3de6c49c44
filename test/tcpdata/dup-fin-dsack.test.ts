// A duplicate of a segment that carried a FIN (6.12 tcp_data_queue): its
// end_seq counts the FIN's sequence number, so the D-SACK block the receiver
// builds (tcp_dsack_set) reaches one past the data, and it is below rcv_nxt
// (TCPDSACKOldSent) because rcv_nxt moved past the FIN.
import { describe, expect, it } from "vitest";
import { runWorld, pair, bulk } from "./helpers.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../../src/wire/tcp.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { SegIn } from "../../src/tcp/segment.js";

describe("a duplicate data+FIN segment is D-SACKed with its FIN (tcp_data_queue -> tcp_dsack_set)", () => {
  it("100 bytes + FIN again: block [seq, seq + 101), TCPDSACKOldSent, DelayedACKLost, dropped TCP_OLD_DATA", async () => {
    const { w } = await runWorld(pair({ durationNs: 2e6 }, [bulk()]));
    const t = w.host("b").stack.tcp;
    const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
    const c = sk.conn!;
    const n = w.host("b").nstat;
    const start = c.rcvNxt;
    tcpRcvState(t, sk, clientSegment(w, sk, 0, 100, TCPHDR_ACK | TCPHDR_FIN));
    expect(c.eof).toBe(true);
    expect(n.get("TcpExtTCPDSACKOldSent")).toBe(0);
    const lost0 = n.get("TcpExtDelayedACKLost");
    // the same segment again: seq is 101 below rcv_nxt (100 bytes and the FIN); not ACKing the server's own FIN,
    // which in LAST_ACK ends the socket before the data (tcp_rcv_state_process)
    tcpRcvState(t, sk, clientSegment(w, sk, -101, 100, TCPHDR_ACK | TCPHDR_FIN, undefined, (sk.sndNxt - 1) >>> 0));
    expect([c.dsackStart - start, c.dsackEnd - start]).toEqual([0, 101]);
    expect(n.get("TcpExtTCPDSACKOldSent")).toBe(1);
    expect(n.get("TcpExtTCPDSACKOfoSent")).toBe(0);
    expect(n.get("TcpExtDelayedACKLost")).toBe(lost0 + 1);
    expect(w.ledger.report(w.inFlight()).dropped.TCP_OLD_DATA).toBe(1);
  });

  it("a bare FIN again: block [FIN, FIN + 1), below rcv_nxt (TCPDSACKOldSent, not OfoSent)", async () => {
    const { w } = await runWorld(pair({ durationNs: 2e6 }, [bulk()]));
    const t = w.host("b").stack.tcp;
    const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
    const c = sk.conn!;
    const n = w.host("b").nstat;
    const fin = c.rcvNxt;
    tcpRcvState(t, sk, clientSegment(w, sk, 0, 0, TCPHDR_ACK | TCPHDR_FIN));
    expect(c.eof).toBe(true);
    // (not ACKing the server's own FIN, which in LAST_ACK would end the socket first: tcp_rcv_state_process)
    tcpRcvState(t, sk, clientSegment(w, sk, -1, 0, TCPHDR_ACK | TCPHDR_FIN, undefined, (sk.sndNxt - 1) >>> 0));
    expect([c.dsackStart - fin, c.dsackEnd - fin]).toEqual([0, 1]);
    expect(n.get("TcpExtTCPDSACKOldSent")).toBe(1);
    expect(n.get("TcpExtTCPDSACKOfoSent")).toBe(0);
  });

  it("the ACK of a duplicate FIN after our own FIN carries seq = snd_nxt, past our FIN (tcp_acceptable_seq)", async () => {
    const { w } = await runWorld(pair({ durationNs: 2e6 }, [bulk()]));
    const t = w.host("b").stack.tcp;
    const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
    const core = w.core;
    tcpRcvState(t, sk, clientSegment(w, sk, 0, 0, TCPHDR_ACK | TCPHDR_FIN));
    // the server closes at EOF: its FIN|ACK has left (LAST_ACK), snd_nxt is one past the FIN
    const finSeq = (sk.sndNxt - 1) >>> 0;
    const seqs: number[] = [];
    const s = new SegIn();
    const host = t as unknown as { output: (h: number) => boolean };
    const output = host.output;
    host.output = (h) => {
      s.parse(core.headers, h, core.skb.network[h]!, core.skb.transport[h]!, false);
      seqs.push(s.seq);
      return output(h);
    };
    // the client's FIN again, not ACKing ours: dupFin's D-SACK ACK (tcp_send_ack: seq = tcp_acceptable_seq)
    tcpRcvState(t, sk, clientSegment(w, sk, -1, 0, TCPHDR_ACK | TCPHDR_FIN, undefined, finSeq));
    expect(seqs).toEqual([(finSeq + 1) >>> 0]);
  });
});
