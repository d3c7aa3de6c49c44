// tcp_v4_rcv's socket lookup keeps the last socket it found: a segment of a
// socket that has since been destroyed must not reach it through that cache,
// and a new socket hashed on the same 4-tuple must get the next segment.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { TCP_ESTABLISHED } from "../../src/tcp/constants.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import type { TcpHost } from "../../src/tcp/tcp-host.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import { connect, serverWorld } from "../tcp/helpers.js";
import { segmentToSock, sendPeerSegment } from "./peer-segment.js";

function established(tcp: TcpHost): TcpSock {
  for (let slot = 0; slot < 64; slot++) {
    const sk = tcp.sockAt(slot);
    if (sk !== null && sk.state === TCP_ESTABLISHED) return sk;
  }
  throw new Error("no established socket on the server");
}

/** A bare ACK from the client's end of `sk`'s 4-tuple, in window (ack = snd_nxt). */
function ackFrom(tcp: TcpHost, sk: TcpSock): void {
  sendPeerSegment(tcp, segmentToSock(sk, TCPHDR_ACK, { ackOff: (sk.sndNxt - sk.iss - 1) >>> 0, window: 1000 }));
}

describe("rcv socket lookup cache", () => {
  it("a destroyed socket's 4-tuple goes to the listener (RST), not to the cached socket; a re-hashed socket gets it again", async () => {
    const spec = serverWorld({ accept: true, durationNs: 20e6 }, [connect(1)]);
    const w = new World(await createCore(coreConfigFor(spec)), spec);
    w.run();
    const tcp = w.host("server").stack.tcp;
    const sk = established(tcp);
    const rsts = (): number => tcp.nstat.get("TcpOutRsts");
    const before = rsts();
    ackFrom(tcp, sk); // fills the cache with sk
    expect(rsts()).toBe(before);
    expect(sk.rxQueue).toBeGreaterThanOrEqual(0);
    tcp.destroy(sk);
    ackFrom(tcp, sk); // no socket now: the listener answers an unknown ACK with a RST
    expect(rsts()).toBe(before + 1);
    // the same 4-tuple hashed again (a new socket): found, no RST
    const again = tcp.newSock();
    again.state = TCP_ESTABLISHED;
    again.lport = sk.lport;
    again.rport = sk.rport;
    again.rkey = sk.rkey;
    again.raddr = sk.raddr;
    again.rcvNxt = sk.rcvNxt;
    again.sndNxt = sk.sndNxt;
    tcp.hash(again);
    again.rxQueue = -7;
    ackFrom(tcp, again);
    expect(rsts()).toBe(before + 1);
    expect(again.rxQueue).not.toBe(-7); // rcv reached it (sk_rx_queue_update)
  });
});
