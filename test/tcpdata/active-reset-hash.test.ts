// tcp_send_active_reset (net/ipv4/tcp_output.c) sends its RST|ACK through tcp_transmit_skb, whose
// skb_set_hash_from_sk gives it the socket's sk_txhash, like the socket's data. The model's active resets
// (out-of-resources.ts sendActiveReset: tcp_out_of_resources, the FIN_WAIT2 keepalive timer) go through the
// data path's transmit, so they carry it. Here: a sends 100 KB and closes (an orphan in FIN_WAIT1), the link
// dies 200 us in, tcp_max_orphans 0: the first RTO's tcp_out_of_resources resets (before any
// sk_rethink_txhash: TcpTimeoutRehash 0). A guard: this held before the README said so.
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { TCPHDR_RST } from "../../src/wire/tcp.js";
import { pair, bulk } from "./helpers.js";

describe("tcp_send_active_reset carries sk_txhash", () => {
  it("tcp_out_of_resources' RST (tcp_max_orphans 0) has the hash of the socket's data frames", async () => {
    const spec = pair({ durationNs: 2e9, clientSysctl: { "net.ipv4.tcp_max_orphans": 0, "net.ipv4.tcp_wmem": [4096, 1048576, 4194304] } }, [bulk({ bytes: 100_000 })]);
    const core = await createCore(coreConfigFor(spec));
    const data = new Set<number>();
    const rsts: number[] = [];
    let dirs: { config: { loss: number } }[] = [];
    const tap = (h: number, at: number) => {
      const b = core.headers;
      const ip = h * SKB_HEADROOM + core.skb.network[h]!;
      const len = ((b[ip + 2]! << 8) | b[ip + 3]!) - 20 - (b[ip + 20 + 12]! >> 4) * 4;
      if (b[ip + 15]! === 1) {
        if (b[ip + 20 + 13]! & TCPHDR_RST) rsts.push(core.skb.hash[h]!);
        else if (len > 0) data.add(core.skb.hash[h]!);
      }
      const l = at >= 200e3 ? 1 : 0;
      for (const d of dirs) d.config.loss = l;
    };
    const w = new World(core, spec, tap);
    dirs = (w as unknown as { directions: { config: { loss: number } }[] }).directions;
    w.run();
    const n = w.host("a").nstat;
    expect(n.get("TcpExtTCPAbortOnMemory")).toBe(1);
    expect(n.get("TcpExtTcpTimeoutRehash") ?? 0).toBe(0);
    expect(data.size).toBe(1);
    expect([...data][0]).not.toBe(0);
    expect(rsts).toEqual([...data]);
  });
});
