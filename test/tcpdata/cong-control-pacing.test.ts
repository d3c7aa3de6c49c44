// tcp_cong_control (6.12 net/ipv4/tcp_input.c): a congestion control with cong_control (BBR) owns the whole
// per-ACK update and sk_pacing_rate: tcp_cong_control returns right after calling it, without
// tcp_update_pacing_rate (tcp_rcv_state_process's SYN_RECV branch likewise calls it only without cong_control).
// (review11 nit n2; no CC of the model has cong_control yet.)
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { pair, bulk } from "./helpers.js";
import type { CcSock } from "../../src/tcp/cc.js";
import type { TcpConn } from "../../src/tcp/conn.js";

describe("tcp_cong_control with cong_control: no tcp_update_pacing_rate", () => {
  it("a bulk sender whose CC sets sk_pacing_rate in cong_control keeps that rate across its ACKs", async () => {
    const spec = pair({ durationNs: 10e6, rateBps: 1e9 }, [bulk()]);
    const w = new World(await createCore(coreConfigFor(spec)), spec);
    for (const g of w.traffic) g.start();
    w.loop.run(2e6);
    const c = [...w.flows.values()][0]!.sender!;
    let calls = 0;
    c.cc = {
      ...c.cc,
      congControl: (sk: CcSock) => {
        calls++;
        (sk as TcpConn).pacingRate = 4242;
      },
    };
    w.loop.run(4e6);
    expect(calls).toBeGreaterThan(10);
    expect(c.pacingRate).toBe(4242);
  });
});
