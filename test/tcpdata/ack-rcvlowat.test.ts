// __tcp_ack_snd_check (6.12 net/ipv4/tcp_input.c): more than one full frame since the last window update
// (rcv_nxt − rcv_wup > rcv_mss) sends the ACK now when `rcv_nxt − copied_seq < sk_rcvlowat` (1 by default:
// the reader has taken everything) OR __tcp_select_window(sk) >= rcv_wnd; only then the delayed ACK. The
// test, on the receiving socket of a 10 Mbit bulk flow at 50 ms (everything read), sets an ACK pending with
// two full frames since rcv_wup and rcv_ssthresh 2 · advmss, so the window __tcp_select_window offers (2896,
// rounded up to the scale unit) is below rcv_wnd: 6.12 still ACKs at once because the queue is empty.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { ackSndCheck } from "../../src/tcp/data-in.js";
import { selectWindowRaw } from "../../src/tcp/buffers.js";
import type { TcpSock } from "../../src/tcp/sock.js";
import { pair, bulk } from "./helpers.js";

describe("__tcp_ack_snd_check: rcv_nxt − copied_seq < sk_rcvlowat", () => {
  it("an empty receive queue: the ACK goes now although the window would not advance", async () => {
    const spec = pair({ durationNs: 51e6, rateBps: 10e6 }, [bulk()]);
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const t = w.host("b").stack.tcp;
    let r = { inq: -1, win: 0, rcvWnd: 0, before: 0, after: 0 };
    w.loop.at(
      50e6,
      w.loop.register("test: ack check", () => {
        const sk = [...t.ports.get(5001)!.conns.values()][0]! as TcpSock;
        const c = sk.conn!;
        c.ackPending = true;
        c.quick = 0;
        c.ackNow = false;
        c.rcvWup = c.rcvNxt - 2 * c.rcvMss;
        c.rcvSsthresh = 2 * c.advmss;
        const win = selectWindowRaw({ ...c }, false); // on a copy: no side effects
        const rcvWnd = c.rcvWnd;
        const before = w.host("b").nstat.get("TcpOutSegs") ?? 0;
        ackSndCheck(t, sk, c);
        r = { inq: c.inq(), win, rcvWnd, before, after: w.host("b").nstat.get("TcpOutSegs") ?? 0 };
      }),
      0,
    );
    w.run();
    expect(r.inq).toBe(0);
    expect(r.win).toBeLessThan(r.rcvWnd);
    expect(r.after).toBe(r.before + 1);
  });
});
