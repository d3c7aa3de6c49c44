// A FIN alone past rcv_nxt goes through tcp_data_queue like any segment (6.12, net/ipv4/tcp_input.c): the pending
// D-SACK is cleared (rx_opt.dsack = 0); one at rcv_nxt + tcp_receive_window (tcp_sequence lets seq == the window's
// end through) is dropped TCP_OVERWINDOW (out_of_window: quick-ack mode, the ACK scheduled and sent); else
// tcp_data_queue_ofo runs tcp_try_rmem_schedule and tcp_measure_rcv_mss for it before TCPOFOQueue (review10b
// finding 4): 0 bytes + the header are below TCP_MIN_MSS + 20 and FIN is in TCP_REMNANT, so last_seg_size
// becomes 0. Receiver: quietReceiver (offsets relative to its rcv_nxt; SACK on).
import { describe, expect, it } from "vitest";
import { quietReceiver } from "./quiet-receiver.js";
import { TCPHDR_ACK, TCPHDR_FIN } from "../../src/wire/tcp.js";

const FIN = TCPHDR_ACK | TCPHDR_FIN;

async function receiver() {
  const q = await quietReceiver();
  const dropped = (r: string): number => q.w.ledger.report(q.w.inFlight()).dropped[r] ?? 0;
  return { ...q, dropped };
}

describe("tcp_data_queue / tcp_data_queue_ofo for a bare out-of-order FIN", () => {
  it("1000 past rcv_nxt: tcp_measure_rcv_mss sets last_seg_size 0; TCPOFOQueue 1, the FIN queued", async () => {
    const { c, nstat, nxt, rcv } = await receiver();
    c.lastSegSize = 1000;
    const ofo = nstat.get("TcpExtTCPOFOQueue");
    rcv(1000, 0, FIN);
    expect(c.finRcvSeq).toBe(nxt + 1000);
    expect(c.lastSegSize).toBe(0);
    expect(nstat.get("TcpExtTCPOFOQueue") - ofo).toBe(1);
  });

  it("at rcv_nxt + the receive window: TCP_OVERWINDOW, not queued, no TCPOFOQueue, quick-ack mode, one ACK of rcv_nxt", async () => {
    const { c, nstat, rcv, dropped } = await receiver();
    const ofo = nstat.get("TcpExtTCPOFOQueue");
    const acks = rcv(c.receiveWindow(), 0, FIN);
    expect(dropped("TCP_OVERWINDOW")).toBe(1);
    expect(c.finRcvSeq).toBe(-1);
    expect(nstat.get("TcpExtTCPOFOQueue") - ofo).toBe(0);
    expect(c.quick).toBeGreaterThan(0);
    expect(acks.map((a) => [a.ack, a.blocks])).toEqual([[0, []]]);
  });

  it("clears a pending D-SACK: a partial packet's, its ACK delayed; the FIN's ACK carries only the FIN's block", async () => {
    const { c, rcv } = await receiver();
    // [-500, 500): the old half D-SACKed (tcp_dsack_set), the new half queued, the ACK left to the delayed-ACK timer
    expect(rcv(-500, 1000)).toEqual([]);
    expect(c.dsackPending).toBe(true);
    const acks = rcv(1500, 0, FIN);
    expect(c.dsackPending).toBe(false);
    // before: [[-500, 0], [1500, 1501]]
    expect(acks.map((a) => [a.ack, a.blocks])).toEqual([[500, [[1500, 1501]]]]);
  });
});
