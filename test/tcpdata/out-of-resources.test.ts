// tcp_out_of_resources (net/ipv4/tcp_timer.c, 6.12): an orphan's RTO (tcp_write_timeout) or probe timer
// (tcp_probe_timer) first asks tcp_check_oom — tcp_orphan_count << shift > tcp_max_orphans, or
// sk_wmem_queued > SOCK_MIN_SNDBUF (4608) with tcp_memory_allocated > tcp_mem[2] — and if so resets
// (tcp_send_active_reset: TcpOutRsts; do_reset as the data was sent within TCP_TIMEWAIT_LEN) and closes
// the socket at once: TCPAbortOnMemory, not TCPAbortOnTimeout. shift is 1 when nothing new was sent for
// 2·TCP_RTO_MAX (240 s) or no reset is due. A LAN connection's RTO here is 201 ms; icsk_retransmit_timer is a
// timer_list, run at its expiry rounded up to its wheel level's grid (kernel/time/timer.c: calc_wheel_index,
// HZ=1000). The orphan below (link dead at 0.2 ms) has its first RTO at jiffy 208 (retrans_stamp), then from
// each callback min(201 << k, 120000) on: 616, 1472, 3136, 6400, 13312, 26624, 52736, 106496 (the 9th, 106288
// ms after the first), 212992, then 120 s and the 512- or 4096-jiffy grid each: 335872, 458752, 581632, 704512,
// 827392, 950272 (the 16th, 950064 ms after the first; write-timeout.test.ts derives the same chain).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import type { LinkConfig } from "../../src/net/link.js";
import type { WorldSpec } from "../../src/sim/world-spec.js";
import { tcpMaxOrphansDefault } from "../../src/tcp/mem.js";
import { TCP_SKB_OVERHEAD } from "../../src/tcp/buffers.js";
import { pair, bulk } from "./helpers.js";
import { FIN_ALONE_QUEUED } from "../../src/tcp/fin.js";

/** Run `spec`, its link dead from `deadAt` on (then `atDeath` runs); records host a's aborts by reason. */
async function run(spec: WorldSpec, deadAt = Infinity, atDeath: (w: World) => void = () => {}) {
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec, () => {});
  const kill = w.loop.register("test: link dead", () => {
    for (const d of w.linkDirections()) (d as unknown as { config: LinkConfig }).config.loss = 1;
    atDeath(w);
  });
  if (deadAt !== Infinity) w.loop.at(deadAt, kill, 0);
  const n = w.host("a").nstat;
  const ids = { memory: n.id("TcpExtTCPAbortOnMemory"), timeout: n.id("TcpExtTCPAbortOnTimeout"), rto: n.id("TcpExtTCPTimeouts") };
  const at = { memory: [] as number[], timeout: [] as number[], rto: [] as number[], orphans: [] as [number, number][] };
  const t = w.host("a").stack.tcp;
  const add = n.add.bind(n);
  n.add = (id: number, v = 1) => {
    if (id === ids.memory) at.memory.push(w.loop.now);
    if (id === ids.timeout) at.timeout.push(w.loop.now);
    if (id === ids.rto) {
      at.rto.push(w.loop.now);
      // tcp_orphan_count as the RTO handler reads it, and a scan of the table
      at.orphans.push([t.orphanCount(), t.sockstat().orphan]);
    }
    add(id, v);
  };
  const result = w.run();
  expect(t.orphanCount()).toBe(t.sockstat().orphan);
  return { w, n, at, result, c: [...w.flows.values()][0]!.sender! };
}

// the whole 100 KB fits the send buffer: the application writes it and closes (an orphan in FIN_WAIT1)
// while it is in flight; the link dies 200 µs in
const orphanSpec = (sysctl: Record<string, number | number[]>, durationNs = 200e9) =>
  pair({ durationNs, clientSysctl: { "net.ipv4.tcp_wmem": [4096, 1048576, 4194304], ...sysctl } }, [bulk({ bytes: 100_000 })]);

describe("tcp_out_of_resources: too many orphans (tcp_max_orphans)", () => {
  it("tcp_max_orphans 0: the orphan's first RTO finds 1 << 0 > 0: an RST, TCPAbortOnMemory, gone; no rehash, no retransmission", async () => {
    const { n, at, c, w, result } = await run(orphanSpec({ "net.ipv4.tcp_max_orphans": 0 }), 200e3);
    expect(c.finQueued).toBe(true);
    expect(at.memory.length).toBe(1);
    expect(at.memory[0]).toBe(at.rto[0]);
    expect(at.rto.length).toBe(1);
    expect(n.get("TcpOutRsts")).toBe(1);
    expect(n.get("TcpExtTCPAbortOnTimeout") ?? 0).toBe(0);
    expect(n.get("TcpExtTcpTimeoutRehash") ?? 0).toBe(0);
    expect(c.retransmits).toBe(0);
    expect(w.host("a").stack.tcp.states()).toEqual({});
    expect(result.ledger.unaccounted).toBe(0);
  });

  it("tcp_max_orphans 1: 1 orphan is not too many until 240 s without new data double it, but tcp_orphan_retries (8) ends it at 106.3 s: TCPAbortOnTimeout", async () => {
    const { n, at, c } = await run(orphanSpec({ "net.ipv4.tcp_max_orphans": 1 }), 200e3);
    expect(at.memory.length).toBe(0);
    expect(at.timeout.length).toBe(1);
    expect(c.retransStamp).toBe(208);
    expect(Math.floor(at.timeout[0]! / 1e6) - c.retransStamp).toBe(106_288);
    expect(n.get("TcpOutRsts") ?? 0).toBe(0);
  });

  it("tcp_orphan_retries 15, tcp_max_orphans 1: retransmissions keep lsndtime fresh, so only a spent budget with icsk_rto at TCP_RTO_MAX (no reset due: shift 1) makes 1 << 1 > 1: the 16th RTO, +950064 ms, aborts on memory without an RST", async () => {
    // tcp_event_data_sent stamps lsndtime for every data skb, retransmissions too: 120 s ago at the 16th
    // RTO, more than TCP_TIMEWAIT_LEN, and data is out: no reset. (tcp_write_timeout would have aborted
    // on timeout right after: the same RTO.)
    const { n, at, c } = await run(orphanSpec({ "net.ipv4.tcp_max_orphans": 1, "net.ipv4.tcp_orphan_retries": 15 }, 1000e9), 200e3);
    expect(at.timeout.length).toBe(0);
    expect(at.memory.length).toBe(1);
    expect(Math.floor(at.memory[0]! / 1e6) - c.retransStamp).toBe(950_064);
    expect(c.retransmits).toBe(15);
    expect(n.get("TcpOutRsts") ?? 0).toBe(0);
  });

  it("the default follows the host's memory: half of alloc_large_system_hash's buckets (one per 128 KB, a power of two)", () => {
    expect(tcpMaxOrphansDefault((16 * 2 ** 30) / 4096)).toBe(65536);
    expect(tcpMaxOrphansDefault((256 * 2 ** 20) / 4096)).toBe(1024);
    // 1.5 GiB: 393216 pages / 32 = 12288 buckets -> 16384
    expect(tcpMaxOrphansDefault((1.5 * 2 ** 30) / 4096)).toBe(8192);
    // capped at 512 Ki buckets
    expect(tcpMaxOrphansDefault(2 ** 44 / 4096)).toBe(262144);
  });
});

describe("tcp_out_of_resources: TCP over tcp_mem[2]", () => {
  it("an orphan holding 100 KB of write queue when tcp_memory_allocated passes tcp_mem[2]: its first RTO resets and closes it", async () => {
    let queued = 0;
    const { n, at } = await run(orphanSpec({ "net.ipv4.tcp_mem": [100, 200, 300] }), 200e3, (w) => {
      // what other sockets would hold: 400 pages, past the per-CPU reserve into tcp_memory_allocated
      w.host("a").stack.tcp.mem.add(0, 400);
      queued = [...w.flows.values()][0]!.sender!.wmemQueued(TCP_SKB_OVERHEAD);
    });
    expect(queued).toBeGreaterThan(4608);
    expect(at.memory.length).toBe(1);
    expect(at.memory[0]).toBe(at.rto[0]);
    expect(n.get("TcpOutRsts")).toBe(1);
  });

  it("the same without the other sockets' pages: no abort on memory", async () => {
    const { at } = await run(orphanSpec({ "net.ipv4.tcp_mem": [100, 200, 300] }), 200e3);
    expect(at.memory.length).toBe(0);
    expect(at.timeout.length).toBe(1);
  });
});

describe("tcp_out_of_resources from tcp_probe_timer", () => {
  it("an orphan probing a zero window with 200 KB still queued when tcp_memory_allocated passes tcp_mem[2]: the next probe timer resets and closes it (the peer answering)", async () => {
    // the receiver reads nothing; the sender writes all 300 KB, more than the receive buffer, and closes
    const spec = pair(
      { durationNs: 400e9, delayNs: 1e6, app: { kind: "sink", readRate: 0 }, clientSysctl: { "net.ipv4.tcp_wmem": [4096, 1048576, 4194304], "net.ipv4.tcp_mem": [1000, 2000, 3000] } },
      [bulk({ bytes: 300_000 })],
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec, () => {});
    const t = w.host("a").stack.tcp;
    let probesThen = 0;
    // 5 s in, other sockets take 4000 pages (past the per-CPU reserve, past tcp_mem[2])
    w.loop.at(
      5e9,
      w.loop.register("test: memory", () => {
        t.mem.add(0, 4000);
        probesThen = w.host("a").nstat.get("TcpExtTCPWinProbe") ?? 0;
      }),
      0,
    );
    w.run();
    const n = w.host("a").nstat;
    const c = [...w.flows.values()][0]!.sender!;
    expect(c.sndWnd).toBe(0);
    expect(probesThen).toBeGreaterThan(0);
    expect(n.get("TcpExtTCPAbortOnMemory")).toBe(1);
    // no probe after the pages came: the first probe timer since aborted
    expect(n.get("TcpExtTCPWinProbe")).toBe(probesThen);
    expect(n.get("TcpOutRsts")).toBe(1);
    expect(t.states()).toEqual({});
  });
});

describe("an orphan whose FIN waits for the peer's window stays in FIN_WAIT1 (snd_una != write_seq)", () => {
  it("210 KB unsent behind a zero window, the FIN on the last skb: FIN_WAIT1 and an orphan; tcp_max_orphans 0 ends it at its first probe timer", async () => {
    // the receiver reads nothing; the sender writes all 300 KB, more than the receive buffer, and closes
    const spec = (orphans: number) =>
      pair(
        { durationNs: 400e9, delayNs: 1e6, app: { kind: "sink", readRate: 0 }, clientSysctl: { "net.ipv4.tcp_wmem": [4096, 1048576, 4194304], "net.ipv4.tcp_max_orphans": orphans } },
        [bulk({ bytes: 300_000 })],
      );
    const core = await createCore(coreConfigFor(spec(65536)));
    const w = new World(core, spec(65536), () => {});
    const t = w.host("a").stack.tcp;
    const seen: number[] = [];
    w.loop.at(5e9, w.loop.register("test: look", () => void seen.push(t.orphanCount(), ...Object.keys(t.states()).map((k) => (k === "FIN_WAIT1" ? 1 : 0)))), 0);
    w.run();
    expect(seen).toEqual([1, 1]);
    const c = [...w.flows.values()][0]!.sender!;
    expect(c.sndUna).toBe(c.sndNxt);
    expect(c.writeSeq - c.sndUna).toBeGreaterThan(200_000);
    expect(c.finAlone).toBe(0);
    const { n, at } = await run(spec(0));
    expect(at.memory.length).toBe(1);
    expect(n.get("TcpExtTCPWinProbe") ?? 0).toBe(0);
    expect(n.get("TcpOutRsts")).toBe(1);
  });
});

describe("tcp_orphan_count kept by the sockets' state changes", () => {
  it("8 orphans, tcp_max_orphans 4: at every RTO the count equals a scan of the table; the first round's RTOs abort 4 (8, 7, 6, 5 > 4), the other 4 time out", async () => {
    const spec = pair(
      { durationNs: 200e9, clientSysctl: { "net.ipv4.tcp_wmem": [4096, 1048576, 4194304], "net.ipv4.tcp_max_orphans": 4 } },
      [bulk({ bytes: 100_000, flows: 8 })],
    );
    const seen: [number, number][] = [];
    const { w, n, at } = await run(spec, 200e3, (w) => {
      const t = w.host("a").stack.tcp;
      seen.push([t.orphanCount(), t.sockstat().orphan]);
    });
    const t = w.host("a").stack.tcp;
    expect(seen[0]).toEqual([8, 8]);
    expect(at.orphans.length).toBeGreaterThan(8);
    for (const [count, scan] of at.orphans) expect(count).toBe(scan);
    expect(at.orphans[0]).toEqual([8, 8]);
    expect(at.memory.length).toBe(4);
    expect(at.timeout.length).toBe(4);
    expect(n.get("TcpOutRsts")).toBe(4);
    expect([t.orphanCount(), t.sockstat().orphan]).toEqual([0, 0]);
  });
});

describe("an orphan whose FIN waits alone on a zero window (all data ACKed)", () => {
  it("the FIN skb queued (finAlone QUEUED), snd_una = write_seq: FIN_WAIT1, an orphan, zero-window probes; tcp_max_orphans lowered to 0 ends it at the next probe timer with an RST at write_seq", async () => {
    // the receiver reads nothing; the application writes 83118 B at 200 kB/s and closes (test/tcpdata/fin-wmem
    // derives it): the receiver's last opening puts tcp_wnd_end at 83118 = write_seq, the last 1024 B wait for
    // Nagle and then, with the FIN on them, for the window (tcp_snd_wnd_test: end_seq 83119); tcp_write_wakeup
    // sends them at 672 ms and tcp_fragment leaves the FIN an skb of its own; their ACK (673 ms) shuts the
    // window at write_seq. (A writer as fast as the buffer allows would not do: 6.12 fills the window to its
    // edge with nothing out, and the FIN stays on data that waits behind the zero window.)
    const spec = pair(
      { durationNs: 3e9, delayNs: 1e6, app: { kind: "sink", readRate: 0 }, clientSysctl: { "net.ipv4.tcp_wmem": [4096, 1048576, 4194304] } },
      [bulk({ bytes: 83_118, writeRate: 200e3 })],
    );
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec, () => {});
    const t = w.host("a").stack.tcp;
    const n = w.host("a").nstat;
    const seen: (number | string)[] = [];
    w.loop.at(
      1e9,
      w.loop.register("test: look, then tcp_max_orphans 0", () => {
        const c = [...w.flows.values()][0]!.sender!;
        seen.push(c.finAlone, c.writeSeq - c.sndUna, c.sndWnd, t.orphanCount(), ...Object.keys(t.states()), n.get("TcpExtTCPWinProbe") ?? 0);
        (t as unknown as { maxOrphans: number }).maxOrphans = 0;
      }),
      0,
    );
    const result = w.run();
    expect(seen.slice(0, 5)).toEqual([FIN_ALONE_QUEUED, 0, 0, 1, "FIN_WAIT1"]);
    expect(seen[5]).toBeGreaterThan(0);
    expect(n.get("TcpExtTCPAbortOnMemory")).toBe(1);
    expect(n.get("TcpOutRsts")).toBe(1);
    expect(t.states()).toEqual({});
    // the FIN never went: snd_nxt is write_seq, b's rcv_nxt; b, still ESTABLISHED, is reset
    expect(w.host("b").stack.tcp.states()).toEqual({ LISTEN: 1 });
    expect(w.host("b").nstat.get("TcpEstabResets")).toBe(1);
    expect(result.ledger.unaccounted).toBe(0);
  });
});

describe("tcp_send_active_reset after the FIN: tcp_acceptable_seq is snd_nxt, which counts the FIN's sequence number", () => {
  it("a sends 1000 B and closes, tcp_max_orphans 0, only b->a dies at 2.5 ms: a's RST at snd_nxt (past the FIN) matches b's rcv_nxt and resets b out of LAST_ACK", async () => {
    // 1 ms one way: the data and the FIN leave at 2 ms, reach b at 3 ms; b's ACK and FIN are lost (a loss
    // rate above 0 keeps the link out of train mode; the two directions share one config until replaced)
    const spec = pair({ durationNs: 300e6, delayNs: 1e6, loss: 1e-12, clientSysctl: { "net.ipv4.tcp_max_orphans": 0 } }, [bulk({ bytes: 1000 })]);
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec, () => {});
    const b = w.host("b").stack.tcp;
    let bStates: Record<string, number> = {};
    w.loop.at(
      2.5e6,
      w.loop.register("test: b->a dead", () => {
        const ba = w.linkDirections()[1] as unknown as { config: LinkConfig };
        ba.config = { ...ba.config, loss: 1 };
      }),
      0,
    );
    w.loop.at(10e6, w.loop.register("test: look at b", () => void (bStates = b.states())), 0);
    const result = w.run();
    const n = w.host("a").nstat;
    // b got the data and the FIN and closed too: LAST_ACK, its ACKs and FIN lost from then on
    expect(bStates).toEqual({ LAST_ACK: 1, LISTEN: 1 });
    expect(n.get("TcpOutRsts")).toBe(1);
    expect(n.get("TcpExtTCPAbortOnMemory")).toBe(1);
    expect(w.host("a").stack.tcp.states()).toEqual({});
    // tcp_validate_incoming: seq == rcv_nxt, so tcp_reset: b is gone too, the RST consumed (__kfree_skb), not dropped
    expect(b.states()).toEqual({ LISTEN: 1 });
    expect(result.ledger.dropped["TCP_RESET"]).toBeUndefined();
    expect(result.ledger.unaccounted).toBe(0);
  });
});
