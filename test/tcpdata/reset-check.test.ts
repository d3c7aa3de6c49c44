// tcp_validate_incoming (net/ipv4/tcp_input.c, 6.12): an RST resets when its
// seq is rcv_nxt, or rcv_nxt - 1 in CLOSE_WAIT, LAST_ACK or CLOSING
// (tcp_reset_check: the peer's RST may leave out the FIN we already
// received), and is consumed (tcp_reset, __kfree_skb: no drop reason); any
// other RST is dropped: outside the window with tcp_sequence's reason
// (TCP_OLD_SEQUENCE, TCP_INVALID_SEQUENCE), inside it as TCP_RESET with a
// challenge ACK (test/tcpdata/challenge-ack).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { LinkConfig } from "../../src/net/link.js";
import { clientSegment } from "./inject.js";
import { tcpRcvState } from "../../src/tcp/established.js";
import { TCPHDR_ACK, TCPHDR_RST } from "../../src/wire/tcp.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { pair, bulk } from "./helpers.js";

/** b in LAST_ACK (a sent 1000 B and its FIN, b closed; b's ACK and FIN are lost
 *  from 2.5 ms), then at 10 ms an RST from a with seq rcv_nxt + `off`. */
async function lastAckThenRst(off: number) {
  const spec = pair({ durationNs: 20e6, delayNs: 1e6, loss: 1e-12 }, [bulk({ bytes: 1000 })]);
  const w = new World(await createCore(coreConfigFor(spec)), spec, () => {});
  const b = w.host("b").stack.tcp;
  const seen: Record<string, number>[] = [];
  w.loop.at(
    2.5e6,
    w.loop.register("test: b->a dead", () => {
      const ba = w.linkDirections()[1] as unknown as { config: LinkConfig };
      ba.config = { ...ba.config, loss: 1 };
    }),
    0,
  );
  w.loop.at(
    10e6,
    w.loop.register("test: RST into b", () => {
      seen.push(b.states());
      const sk = [...b.ports.get(5001)!.conns.values()][0]! as TcpSock;
      tcpRcvState(b, sk, clientSegment(w, sk, off, 0, TCPHDR_RST | TCPHDR_ACK));
      seen.push(b.states());
    }),
    0,
  );
  const result = w.run();
  return { seen, result, dropped: result.ledger.dropped };
}

describe("tcp_reset_check: an RST at rcv_nxt - 1 after the peer's FIN", () => {
  it("resets a LAST_ACK socket at rcv_nxt - 1 (the RST leaves out our received FIN)", async () => {
    const { seen, result } = await lastAckThenRst(-1);
    expect(seen).toEqual([{ LAST_ACK: 1, LISTEN: 1 }, { LISTEN: 1 }]);
    expect(result.ledger.dropped.TCP_RESET).toBeUndefined();
    expect(result.ledger.unaccounted).toBe(0);
  });
  it("still resets at rcv_nxt", async () => {
    const { seen } = await lastAckThenRst(0);
    expect(seen[1]).toEqual({ LISTEN: 1 });
  });
  it("drops an RST at rcv_nxt - 2 (TCP_OLD_SEQUENCE: it ends before rcv_wup) and stays in LAST_ACK", async () => {
    const { seen, dropped } = await lastAckThenRst(-2);
    expect(seen[1]).toEqual({ LAST_ACK: 1, LISTEN: 1 });
    expect(dropped.TCP_OLD_SEQUENCE).toBeGreaterThan(0);
  });
});
