// tcp_sockets_allocated (TcpHost.fullSockets, read per page charged under memory pressure) is a running
// count kept by the sockets' state changes; it must equal what the socket table holds: listeners and
// every socket but request socks (NEW_SYN_RECV, shown as SYN_RECV) and time-wait socks (TIME_WAIT, and
// FIN_WAIT2 — reached only after close()).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { TcpHost } from "../../src/tcp/tcp-host.js";
import { serverWorld, connect, synFlood } from "./helpers.js";

function scanned(t: TcpHost): number {
  const s = t.states();
  let n = 0;
  for (const [name, k] of Object.entries(s)) if (name !== "SYN_RECV" && name !== "TIME_WAIT" && name !== "FIN_WAIT2") n += k;
  return n;
}

describe("tcp_sockets_allocated as a running count", () => {
  it("equals the table's full sockets through connects, a SYN flood, closes, TIME_WAIT and accept-queue children", async () => {
    const spec = serverWorld({ accept: 0.5, durationNs: 400e6 }, [connect(60, { rate: 400, holdNs: 20e6 }), synFlood(300, { rate: 5000, at: 10e6 })]);
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    for (const g of w.traffic) g.start();
    const hosts = ["server", "client"].map((n) => w.host(n).stack.tcp);
    let checks = 0;
    let sawMix = false;
    for (let at = 1e6; at <= 400e6; at += 1e6) {
      w.loop.run(at);
      for (const t of hosts) {
        expect(t.fullSockets()).toBe(scanned(t));
        const s = t.states();
        if ((s.SYN_RECV ?? 0) > 0 && (s.ESTABLISHED ?? 0) > 0) sawMix = true;
        checks++;
      }
    }
    expect(checks).toBe(800);
    expect(sawMix).toBe(true);
    // the clients closed: time-wait socks are not full sockets
    expect(w.host("client").stack.tcp.states().TIME_WAIT).toBeGreaterThan(0);
  });
});
