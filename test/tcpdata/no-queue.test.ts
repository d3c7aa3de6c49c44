// tcp_ack's no_queue (6.12): an ACK that finds nothing outstanding (prior_packets 0) skips
// tcp_clean_rtx_queue, the rate sample (tcp_rate_gen) and tcp_cong_control with its
// tcp_update_pacing_rate. A bulk flow into a receiver that never reads ends idle behind a zero
// window, every data segment ACKed: the answers to its window probes (which carry no data, so
// nothing is outstanding) then leave the sender's delivery rate as the last ACK with data in
// flight set it, where a rate recomputed on each of them fell to 0.
// tcp_may_update_window also takes a zero window from an ACK with the same seq (`|| !nwin`).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { pair, bulk, runWorld } from "./helpers.js";
import { clientConn, injectAck } from "./inject.js";

describe("tcp_ack with nothing outstanding (no_queue)", () => {
  it("window-probe answers take no rate sample", async () => {
    const spec = pair({ durationNs: 3e9, delayNs: 1e6, app: { kind: "sink", readRate: 0 } }, [bulk()]);
    const w = new World(await createCore(coreConfigFor(spec)), spec);
    for (const t of w.traffic) t.start();
    // past the window's closing: everything sent is ACKed, only probes go out
    w.loop.run(1e9);
    const { c, n } = clientConn(w);
    expect(c.packetsOut).toBe(0);
    expect(c.sndUna).toBe(c.sndNxt);
    const rate = c.deliveryRateBps;
    const probes = n.get("TcpExtTCPWinProbe");
    w.loop.run(3e9);
    // probes were answered meanwhile (each answer an ACK with prior_packets 0)
    expect(n.get("TcpExtTCPWinProbe")).toBeGreaterThan(probes);
    expect(c.packetsOut).toBe(0);
    expect(rate).toBeGreaterThan(0);
    expect(c.deliveryRateBps).toBe(rate);
  });

  it("tcp_may_update_window: an ACK with the same seq and ack and a zero window closes it", async () => {
    const r = await runWorld(pair({ durationNs: 5e6 }, [bulk({ writeRate: 1 })]));
    const { sk, c } = clientConn(r.w);
    expect(c.packetsOut).toBe(0);
    expect(c.sndWnd).toBeGreaterThan(0);
    // seq == snd_wl1, ack == snd_una, nwin 0 < snd_wnd: taken only through the !nwin clause
    injectAck(r.w, sk, c.sndUna, [], { window: 0 });
    expect(c.sndWnd).toBe(0);
  });
});
