// tcp_mem (6.12): per-socket forward allocation in pages, the per-CPU reserve
// in front of tcp_memory_allocated, memory pressure and the hard limit, and
// the TCP line of /proc/net/sockstat. Numbers derived by hand from
// net/core/sock.c (__sk_mem_schedule, __sk_mem_raise_allocated),
// include/net/proto_memory.h and net/ipv4/tcp.c (tcp_init_mem).
import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/node.js";
import { coreConfigForScenario, loadScenarioText, simulate } from "../../src/api.js";
import { TcpMemory, freeBufferPages, tcpMemDefault } from "../../src/tcp/mem.js";
import { ScenarioError } from "../../src/scenario/errors.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";
import { buildReport } from "../../src/report/build.js";
import type { TcpSock } from "../../src/tcp/sock.js";

async function runText(text: string) {
  const s = loadScenarioText(text, "t.yaml");
  const core = await createCore(coreConfigForScenario(s));
  return { s, report: simulate(core, s) };
}

async function runWorldText(text: string) {
  const s = loadScenarioText(text, "t.yaml");
  const spec = worldSpecFromScenario(s);
  const core = await createCore(coreConfigFor(spec));
  const w = new World(core, spec);
  const result = w.run();
  return { w, report: buildReport(w, result) };
}

/** A receiver that never reads, SO_RCVBUF 1 MiB (2 MiB with rmem_max raised), no GRO: one 2304-byte truesize per segment. */
const neverReads = (server: string, duration = "200ms") => `
name: t
duration: ${duration}
hosts:
  server:
    nic: { gro: false }
    sysctl: { net.core.rmem_max: 4194304${server} }
    sockets:
      - { listen: 5001, rcvbuf: 1MiB, readRate: false }
  client: {}
links:
  - { a: client, b: server, delay: 50us }
traffic:
  - { kind: bulk, from: client, to: server:5001 }
`;

describe("tcp_mem defaults (tcp_init_mem)", () => {
  it("L = max(128, free buffer pages / 16): [3/4 L, L, 3/2 L]", () => {
    // 16 GiB = 4194304 pages -> L 262144
    expect(tcpMemDefault(freeBufferPages(16 * 2 ** 30))).toEqual([196608, 262144, 393216]);
    // 1 GiB = 262144 pages -> L 16384
    expect(tcpMemDefault(freeBufferPages(2 ** 30))).toEqual([12288, 16384, 24576]);
    // 1000 pages -> 62 < 128
    expect(tcpMemDefault(1000)).toEqual([96, 128, 192]);
  });

  it("hosts.X.memory sizes tcp_mem and the per-socket caps tcp_rmem[2]/tcp_wmem[2] (pages << 5); a file's value wins", () => {
    const s = loadScenarioText(
      `name: t\nduration: 1ms\nhosts:\n  small: { memory: 64MiB }\n  big: { memory: 1GiB }\n  set: { memory: 64MiB, sysctl: { net.ipv4.tcp_mem: "1 2 3" } }\n  dflt: {}\n`,
      "t.yaml",
    );
    const sys = (i: number) => s.hosts[i]!.sysctl;
    // 64 MiB = 16384 pages: L = 1024; caps min(6 MiB, 524288) and min(4 MiB, 524288)
    expect(sys(0)["net.ipv4.tcp_mem"]).toEqual([768, 1024, 1536]);
    expect(sys(0)["net.ipv4.tcp_rmem"]).toEqual([4096, 131072, 524288]);
    expect(sys(0)["net.ipv4.tcp_wmem"]).toEqual([4096, 16384, 524288]);
    expect(sys(1)["net.ipv4.tcp_mem"]).toEqual([12288, 16384, 24576]);
    expect(sys(1)["net.ipv4.tcp_rmem"]).toEqual([4096, 131072, 6291456]);
    expect(sys(2)["net.ipv4.tcp_mem"]).toEqual([1, 2, 3]);
    // the default 16 GiB gives the table's defaults
    expect(sys(3)["net.ipv4.tcp_mem"]).toEqual([196608, 262144, 393216]);
    expect(sys(3)["net.ipv4.tcp_wmem"]).toEqual([4096, 16384, 4194304]);
  });

  it("bad values name the field and the range", () => {
    expect(() => loadScenarioText(`name: t\nduration: 1ms\nhosts:\n  a: { memory: 1MiB }\n`, "t.yaml")).toThrow(/hosts\.a\.memory/);
    expect(() => loadScenarioText(`name: t\nduration: 1ms\nhosts:\n  a: { sysctl: { net.core.mem_pcpu_rsv: 100 } }\n`, "t.yaml")).toThrow(/256\.\.2147483647/);
    expect(() => loadScenarioText(`name: t\nduration: 1ms\nhosts:\n  a: { sysctl: { net.ipv4.tcp_mem: "1 2" } }\n`, "t.yaml")).toThrow(ScenarioError);
  });
});

describe("the per-CPU reserve (sk_memory_allocated_add/sub)", () => {
  it("pages reach tcp_memory_allocated only once a CPU's reserve reaches ±mem_pcpu_rsv", () => {
    const m = new TcpMemory([100, 200, 300], 256);
    m.add(0, 255);
    expect(m.allocated).toBe(0);
    m.add(1, 10); // another CPU has its own reserve
    expect(m.allocated).toBe(0);
    m.add(0, 1); // 256 on CPU 0: drained
    expect([m.allocated, m.pcpu[0]]).toEqual([256, 0]);
    m.sub(0, 100);
    expect([m.allocated, m.pcpu[0]]).toEqual([256, -100]);
    m.sub(0, 156); // -256: drained
    expect([m.allocated, m.pcpu[0], m.pcpu[1]]).toEqual([0, 0, 10]);
    m.sub(1, 300); // -290 drains; proto_memory_allocated never reads below 0
    expect([m.allocated, m.memoryAllocated]).toEqual([-290, 0]);
  });
});

describe("receive side under tcp_mem", () => {
  it("pressure: the charge that drains the reserve (page 256 > tcp_mem[1]) enters pressure and is refused; drops PROTO_MEM", async () => {
    const { report } = await runText(neverReads(`, net.ipv4.tcp_mem: "100 200 300"`));
    const n = report.hosts.server!.nstat;
    // GRO off, in order: tcp_queue_rcv coalesces each 1514-byte frame (truesize 2304) into the receive
    // queue's tail by stealing its head (2304 − 256 = 2048) until the tail has 17 frags, so k frames cost
    // 2048·k + 256·ceil(k/18); tcp_try_rmem_schedule asks for the whole 2304 first. Frame k + 1 is refused
    // when 2048·k + 256·ceil(k/18) + 2304 > 255 pages·4096 = 1044480: first at k = 506
    // (1036288 + 29·256 + 2304 = 1046016; k = 505: 1043968)
    const k = 506;
    const rmem = 2048 * k + 256 * Math.ceil(k / 18);
    expect(report.flows[0]!.bytes).toBe(k * 1448);
    expect(report.hosts.server!.sockstat).toEqual({ inuse: 2, orphan: 0, tw: 0, alloc: 2, mem: 256 });
    expect(n.TcpExtTCPMemoryPressures).toBe(1);
    // 256 <= tcp_mem[2], but rmem > tcp_rmem[0] and 2 sockets × 256 pages >= 300: suppressed
    expect(n.TcpExtTCPRcvQDrop).toBe(1);
    expect(report.ledger.dropped.PROTO_MEM).toBe(1 + (n.TcpExtTCPOFODrop ?? 0));
    expect(report.flows[0]!.ss).toContain("rcv_ssthresh:5792"); // tcp_adjust_rcv_ssthresh: 4 · advmss 1448
    expect(report.flows[0]!.ss).toContain(`r${rmem},`);
    expect(n.TcpExtTCPRcvCoalesce).toBe(k - Math.ceil(k / 18));
    expect(report.ledger.unaccounted).toBe(0);
  });

  it("hard limit: over tcp_mem[2] nothing is guaranteed (same refusal point with tcp_mem 10 20 30)", async () => {
    const { report } = await runText(neverReads(`, net.ipv4.tcp_mem: "10 20 30"`));
    expect(report.flows[0]!.bytes).toBe(506 * 1448);
    expect(report.hosts.server!.nstat.TcpExtTCPMemoryPressures).toBe(1);
    expect(report.hosts.server!.nstat.TcpExtTCPRcvQDrop).toBe(1);
  });

  it("below tcp_mem[0] after the drain: no pressure, no drop; sockstat shows the 256 drained pages", async () => {
    const { report } = await runText(neverReads(`, net.ipv4.tcp_mem: "300 400 500"`, "100ms"));
    const n = report.hosts.server!.nstat;
    expect(n.TcpExtTCPMemoryPressures).toBeUndefined();
    expect(report.ledger.dropped.PROTO_MEM).toBeUndefined();
    // the 256th page was charged (the reserve drained into tcp_memory_allocated): as in the pressure case above,
    // frame 507 asks for page 256, so at least 506 frames are queued, 2048·506 + 256·ceil(506/18) bytes.
    // (Not bytes ACKed: with the listener's 2 MiB window from the handshake the receiver's ACKs lag.)
    expect(Number(/skmem:\(r(\d+),/.exec(report.flows[0]!.ss)![1])).toBeGreaterThanOrEqual(2048 * 506 + 256 * Math.ceil(506 / 18));
    expect(report.hosts.server!.sockstat.mem).toBe(256);
  });

  it("TCPMemoryPressuresChrono adds the ms spent under pressure when usage falls below tcp_mem[0]", async () => {
    // the reader reads from 0; 600 KB at 10 MB/s into rcvbuf 2 MiB: the queue first builds past 1 MB of truesize
    const text = `
name: t
duration: 1s
hosts:
  server:
    nic: { gro: false }
    sysctl: { net.core.rmem_max: 4194304, net.ipv4.tcp_mem: "100 200 100000" }
    sockets:
      - { listen: 5001, rcvbuf: 1MiB, readRate: 2MB/s }
  client: {}
links:
  - { a: client, b: server, delay: 50us }
traffic:
  - { kind: bulk, from: client, to: server:5001, bytes: 1500000 }
`;
    const { report } = await runText(text);
    const n = report.hosts.server!.nstat;
    expect(n.TcpExtTCPMemoryPressures).toBe(1);
    // pressure ends when reads return 256 pages at once (the reserve reaches -256: allocated 0 < 100)
    expect(n.TcpExtTCPMemoryPressuresChrono).toBeGreaterThan(0);
    expect(report.flows[0]!.bytes).toBe(1500000);
    expect(report.ledger.unaccounted).toBe(0);
  });
});

describe("send side under tcp_mem", () => {
  const fourFlows = (mem: string) => `
name: t
duration: 30ms
hosts:
  server: {}
  client: { sysctl: { ${mem} } }
links:
  - { a: client, b: server, delay: 50us }
traffic:
  - { kind: bulk, from: client, to: server:5001, flows: 4 }
`;
  it("four writers past 256 pages enter pressure: tcp_sndbuf_expand stops and sk_stream_moderate_sndbuf shrinks sndbuf", async () => {
    const { report } = await runText(fourFlows(`net.ipv4.tcp_mem: "100 200 300"`));
    expect(report.hosts.client!.nstat.TcpExtTCPMemoryPressures).toBe(1);
    expect(report.flows.some((f) => f.sndbuf < f.sndbufMax)).toBe(true);
    const base = await runText(fourFlows(`net.core.somaxconn: 4096`));
    // without pressure sk_sndbuf never shrinks
    expect(base.report.flows.every((f) => f.sndbuf === f.sndbufMax)).toBe(true);
    expect(base.report.hosts.client!.nstat.TcpExtTCPMemoryPressures).toBeUndefined();
  });
});

describe("accounting closes", () => {
  it("a finished transfer returns every page: the receiver's reserve and counter are back to 0, and so are the sender's (TIME_WAIT)", async () => {
    const text = `
name: t
duration: 100ms
hosts:
  server: { nic: { gro: false } }
  client: {}
links:
  - { a: client, b: server, delay: 50us }
traffic:
  - { kind: bulk, from: client, to: server:5001, bytes: 3000000 }
`;
    const { w, report } = await runWorldText(text);
    expect(report.flows[0]!.bytes).toBe(3000000);
    const srv = w.host("server").stack.tcp.mem;
    expect(srv.allocated + srv.pcpu.reduce((a, b) => a + b, 0)).toBe(0);
    const cli = w.host("client").stack.tcp.mem;
    // the sender is in TIME_WAIT: tcp_time_wait destroyed the full socket and returned its pages
    expect(cli.allocated + cli.pcpu.reduce((a, b) => a + b, 0)).toBe(0);
    expect(report.hosts.server!.sockstat).toMatchObject({ inuse: 1, alloc: 1, tw: 0, orphan: 0 });
    expect(report.hosts.client!.sockstat).toMatchObject({ inuse: 0, alloc: 0, tw: 1 });
  });
});

describe("built-in tcp-mem-pressure", () => {
  it("256 MiB: tcp_mem 3072 4096 6144; 8 never-read flows enter pressure and each stops at its share of tcp_mem[2]", async () => {
    const { loadBuiltinScenario, BUILTIN_SCENARIOS } = await import("../../src/scenario/builtin.js");
    const s = loadBuiltinScenario("tcp-mem-pressure");
    expect(s.hosts.find((h) => h.name === "receiver")!.sysctl["net.ipv4.tcp_mem"]).toEqual([3072, 4096, 6144]);
    const { w, report } = await runWorldText(BUILTIN_SCENARIOS.find((b) => b.name === "tcp-mem-pressure")!.text);
    const t = w.host("receiver").stack.tcp;
    // tcp_openreq_init_rwin from the listener's SO_RCVBUF 2 MiB (<= rmem_max 4 MiB): sk_rcvbuf 4 MiB, full space
    // 2097152, clamp 2097152 (SOCK_RCVBUF_LOCK): rcv_wnd = 1448 · 1448 = 2096704; scale ilog2(min(max(2096704,
    // tcp_rmem[2] = 65536 pages << 5 = 2 MiB, rmem_max 4 MiB), 2097152)) − 15 = 6
    expect(t.listeners[0]!.win!.ts).toEqual({ window: 2096704, wscale: 6 });
    const n = report.hosts.receiver!.nstat;
    expect(n.TcpExtTCPMemoryPressures).toBe(1);
    expect(n.TcpExtTCPRcvQDrop).toBeGreaterThan(0);
    // tcp_select_window after a refused segment (ICSK_ACK_NOMEM): window 0 without TCPToZeroWindowAdv (it returns
    // before the count: nomem-window.test.ts), and the next non-zero window counts TCPFromZeroWindowAdv. Its
    // normal path also gives 0, counting TCPToZeroWindowAdv, once a sender has used the offered window up
    // (tcp_receive_window 0, so it may not stay open) with less than an MSS free. Per flow, zero windows are
    // entered (To, or NOMEM uncounted) and left (From) in turn, so To <= From + 1 per flow: To <= From + 8.
    // (Senders that keep to the window from the start, the SYN-ACK's unscaled one, can use it up exactly.)
    expect(n.TcpExtTCPFromZeroWindowAdv).toBeGreaterThan(0);
    expect(n.TcpExtTCPToZeroWindowAdv ?? 0).toBeLessThanOrEqual(n.TcpExtTCPFromZeroWindowAdv! + 8);
    // nstat counts skbs (GRO aggregates), the ledger wire packets
    expect(report.ledger.dropped.PROTO_MEM).toBeGreaterThanOrEqual(n.TcpExtTCPRcvQDrop + (n.TcpExtTCPOFODrop ?? 0));
    // 9 sockets × 683 pages > 6144: under pressure a socket's charge stops at 682 pages (one that got more
    // before pressure began, while tcp_memory_allocated <= tcp_mem[1], keeps it; all of it came below
    // tcp_mem[1] + a CPU's reserve). Each holds at least its share less one GRO aggregate (≤ 45 frames of
    // 2304), and each 1448-byte frame costs at least 2048 (skb_gro_receive and tcp_try_coalesce keep only
    // the first frame's struct sk_buff)
    for (const f of report.flows) {
      const r = Number(/skmem:\(r(\d+),/.exec(f.ss)![1]);
      expect(r).toBeGreaterThan(682 * 4096 - 45 * 2304);
      expect(r).toBeLessThanOrEqual((4096 + 256) * 4096);
      expect(f.bytes).toBeLessThanOrEqual(Math.floor(r / 2048) * 1448);
      // every socket selected a window under pressure with less than half its space free (682 pages of 1024):
      // __tcp_select_window's tcp_adjust_rcv_ssthresh, 4 · advmss 1448
      expect(f.ss).toContain("rcv_ssthresh:5792");
    }
    const children = [...t.ports.get(5001)!.conns.values()] as TcpSock[];
    expect(children.map((sk) => sk.conn!.rcvWscale)).toEqual(Array(8).fill(6));
    const ss = report.hosts.receiver!.sockstat;
    expect(ss.mem).toBeGreaterThan(4096);
    expect(ss.mem).toBeLessThanOrEqual(6144);
    expect(report.ledger.unaccounted).toBe(0);
  });
});

describe("whose per-CPU reserve (sk_memory_allocated_add/sub: this_cpu)", () => {
  it("the receiver's softirq on CPU 0 charges CPU 0's reserve, its reader thread on CPU 1 returns pages to CPU 1's", async () => {
    // 100 KB, no GRO: the softirq (IRQ on CPU 0) charges rmem pages, the reader pinned to CPU 1 frees them;
    // 100 KB is ~35 pages, far from mem_pcpu_rsv (256), so nothing reaches tcp_memory_allocated
    const text = `
name: t
duration: 100ms
hosts:
  server:
    cpus: 2
    nic: { gro: false, irqAffinity: [0] }
    apps:
      - { port: 5001, cpu: 1, connected: true }
  client: {}
links:
  - { a: client, b: server, delay: 50us }
traffic:
  - { kind: bulk, from: client, to: server:5001, bytes: 100000 }
`;
    const { w, report } = await runWorldText(text);
    expect(report.flows[0]!.bytes).toBe(100000);
    const srv = w.host("server").stack.tcp.mem;
    expect(srv.allocated).toBe(0);
    expect(srv.pcpu[0]!).toBeGreaterThan(0);
    expect(srv.pcpu[1]!).toBeLessThan(0);
    // every page charged came back: the two reserves cancel
    expect(srv.pcpu[0]! + srv.pcpu[1]!).toBe(0);
  });
});
