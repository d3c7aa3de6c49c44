// A flood from one spoofed source (`spoof: fixed`, hping3 -a ADDR) steps its source port as hping3 does
// (sendtcp.c: src_port = (sequence + initsport) % 65536 after each packet, initsport = 1024 + rand() % 2000;
// observed on the wire with tshark: 2986, 2987, 2988, 2989 from one hping3 run, window 512, no options), so
// every SYN is a new 4-tuple and makes a request of its own. Random ports would collide (2000 draws over
// 28232 ephemeral ports: about 70 pairs), and a colliding SYN is a retransmission to the existing request
// (tcp_check_req answers it with a SYN-ACK), not a request.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { TCPHDR_SYN } from "../../src/wire/tcp.js";
import { host, link, world } from "../sim/spec-helpers.js";

const N = 2000;

async function flood(bare: boolean) {
  // tcp_syncookies=1 and listen(4096) (somaxconn 4096): the request queue never fills and the 3/4
  // max_syn_backlog rule applies only without cookies, so every new 4-tuple is kept as a request
  const s = world(
    [host("server", 2, { listeners: [{ port: 80, backlog: 4096, accept: false }] }), host("client", 1)],
    [link("client", "server")],
    [{ kind: "syn-flood", from: "client", to: "server", port: 80, count: N, at: 0, rate: 1e6, spoof: "fixed", bare }],
    { durationNs: 20e6 },
  );
  const core = await createCore(coreConfigFor(s));
  const syns: { sport: number; window: number; doff: number }[] = [];
  const tap = (h: number) => {
    const b = core.headers;
    const ip = h * SKB_HEADROOM + core.skb.network[h]!;
    const th = h * SKB_HEADROOM + core.skb.transport[h]!;
    if (b[ip + 19] !== 2 || b[th + 13] !== TCPHDR_SYN) return;
    syns.push({ sport: (b[th]! << 8) | b[th + 1]!, window: (b[th + 14]! << 8) | b[th + 15]!, doff: b[th + 12]! >> 4 });
  };
  const w = new World(core, s, tap);
  w.run();
  return { syns, server: w.host("server") };
}

describe("syn-flood spoof: fixed steps the source port as hping3 does", () => {
  it(`${N} SYNs: ports base, base+1, ... from a base in [1024, 3024); ${N} requests`, async () => {
    const { syns, server } = await flood(false);
    expect(syns.length).toBe(N);
    const base = syns[0]!.sport;
    expect(base).toBeGreaterThanOrEqual(1024);
    expect(base).toBeLessThan(3024);
    syns.forEach((s, i) => expect(s.sport).toBe((base + i) & 0xffff));
    expect(server.nstat.get("TcpInSegs")).toBe(N);
    expect(server.stack.tcp.listeners[0]!.qlen).toBe(N);
    expect(server.nstat.get("TcpExtTCPReqQFullDoCookies")).toBe(0);
  });

  it("bare SYNs are hping3's: no options (doff 5), window 512", async () => {
    const { syns } = await flood(true);
    expect(syns.length).toBe(N);
    for (const s of syns.slice(0, 10)) {
      expect(s.doff).toBe(5);
      expect(s.window).toBe(512);
    }
  });
});
