// net.ipv4.tcp_slow_start_after_idle (6.12 tcp_slow_start_after_idle_check -> tcp_cwnd_restart, RFC 2861):
// a write into an empty write queue with nothing in flight, more than icsk_rto after data was last sent,
// halves cwnd once per RTO of idleness (the first RTO free), not below min(IW 10, cwnd); ssthresh becomes
// tcp_current_ssthresh = max(ssthresh, 3/4 cwnd). A flow whose 1000 bytes are ACKed, cwnd set to 80.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { appSend } from "../../src/tcp/data-out.js";
import { pair, bulk } from "./helpers.js";
import { clientConn } from "./inject.js";

async function idleFor(ms: number, sysctl: Record<string, number> = {}) {
  const spec = pair({ durationNs: 10e9, delayNs: 50_000, clientSysctl: sysctl }, [bulk({ bytes: 1000 })]);
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const tcp = w.host("a").stack.tcp;
  tcp.closeConn = () => {};
  for (const g of w.traffic) g.start();
  w.loop.run(5e6);
  const { t, sk, c } = clientConn(w);
  expect(c.packetsOut).toBe(0);
  c.cwnd = 80;
  c.ssthresh = 30;
  const rtoMs = Math.floor(c.icskRtoUs() / 1000);
  expect(rtoMs).toBeGreaterThanOrEqual(200);
  expect(rtoMs).toBeLessThan(210);
  // nothing is scheduled while idle (the loop stops early): move the clock to the write's time
  const at = c.lsndtime * 1e6 + ms * 1e6;
  w.loop.run(at);
  if (w.loop.now < at) w.loop.runAhead(at);
  appSend(t, sk, c, 1000);
  return c;
}

describe("slow start after idle (tcp_cwnd_restart)", () => {
  it("450 ms idle, RTO 200-210 ms: two halvings (450 - RTO > 0, 450 - 2 RTO > 0): cwnd 80 -> 20, ssthresh 60", async () => {
    const c = await idleFor(450);
    expect(c.cwnd).toBe(20);
    expect(c.ssthresh).toBe(60);
  });

  it("idle for less than the RTO: cwnd kept", async () => {
    const c = await idleFor(150);
    expect(c.cwnd).toBe(80);
  });

  it("net.ipv4.tcp_slow_start_after_idle=0: cwnd kept after any idle time", async () => {
    const c = await idleFor(5000, { "net.ipv4.tcp_slow_start_after_idle": 0 });
    expect(c.cwnd).toBe(80);
  });
});
