// GRO in the NAPI poll, end to end: a bulk TCP flow into a receiver whose NIC
// coalesces interrupts (rx-usecs 50), with NETIF_F_GRO on and off. Expected
// numbers come from the wire: 10 Gbit/s and 1538-byte frames (1448 payload +
// 32 TCP + 20 IP + 14 Ethernet + 4 FCS + 20 preamble/IFG) give one frame per
// 1.2304 us, so one 50 us coalescing window holds ~40 frames; an aggregate
// stops at 45 × 1448 (tcp_gro_receive: 52 + 45 × 1448 = 65212 < 65536, one
// more would reach gro_max_size).
import { describe, expect, it } from "vitest";
import { runWorld, bulk } from "../tcpdata/helpers.js";
import { host, link, world } from "../sim/spec-helpers.js";
import type { HostSpec } from "../../src/sim/world-spec.js";
import type { TcpListenerConfig } from "../../src/tcp/tcp-host.js";
import { DEFAULT_COST } from "../../src/cpu/cost.js";
import { groTruesize, rxTruesize } from "../../src/tcp/data-in.js";
import { loadScenarioText } from "../../src/scenario/load.js";
import { loadBuiltinScenario } from "../../src/scenario/builtin.js";
import { worldSpecFromScenario } from "../../src/sim/from-scenario.js";
import { runScenario } from "../../src/run-scenario.js";

const sink: TcpListenerConfig = { port: 5001, backlog: 128, accept: true, app: { kind: "sink" } };

function spec(gro: boolean, opts: { rxUsecs?: number; durationNs?: number; receiver?: Partial<HostSpec> } = {}) {
  const nic = { queues: 1, rateBps: 10e9, mtu: 1500, rxRing: 1024, txRing: 256, txqueuelen: 1000, rxUsecs: opts.rxUsecs ?? 50_000, gro };
  return world(
    // the default CPU costs, except that the application's socket calls take no time: the reader
    // empties the queue at once, never owning the socket (no backlog), as the ACK counts below assume
    [host("a", 1, { nic }), host("b", 2, { cpus: 2, nic, cost: { app: 0, copyPerByte: 0 }, listeners: [sink], ...opts.receiver })],
    [link("a", "b", { delayNs: 50_000 })],
    [bulk()],
    { durationNs: opts.durationNs ?? 20e6 },
  );
}

function closed(r: { ledger: { unaccounted: number }; pool: { balanced: boolean } }) {
  expect(r.ledger.unaccounted).toBe(0);
  expect(r.pool.balanced).toBe(true);
}

describe("GRO in the NAPI poll (bulk TCP receiver)", async () => {
  const on = await runWorld(spec(true));
  const off = await runWorld(spec(false));
  const bOn = on.report.hosts.b!;
  const bOff = off.report.hosts.b!;

  it("merges a coalescing window's segments into one skb, at most 45 per aggregate", () => {
    const { packetsIn, packetsOut } = bOn.gro;
    expect(packetsIn).toBeGreaterThan(10_000);
    const ratio = packetsIn / packetsOut;
    // ~40.6 frames per 50 us window; windows end early at flow starts and TSval changes, and an aggregate ends
    // at every sender GSO skb's last segment, which carries PSH (__tcp_transmit_skb forces it on GSO skbs;
    // tcp_gro_receive flushes there): the sender's skbs (~44 segments) end inside most windows, so about
    // two aggregates per window
    expect(ratio).toBeGreaterThan(15);
    expect(ratio).toBeLessThanOrEqual(45);
    expect(packetsOut).toBeGreaterThanOrEqual(on.report.hosts.a!.txOffload.eth0!.tsoSkbs);
    expect(bOn.gro.devices.eth0).toEqual({ enabled: true, packetsIn, packetsOut });
    // every skb GRO passed up was processed once (softnet_stat counts aggregates)
    const processed = bOn.softnet.reduce((s, x) => s + x.processed, 0);
    expect(processed).toBe(packetsOut);
    const ctx = on.w.host("b").gro[0]!.contexts[0]!.stats();
    expect(ctx.segmentsOut + ctx.heldSegments).toBe(packetsIn);
  });

  it("with GRO off every frame goes up alone", () => {
    expect(bOff.gro.packetsOut).toBe(bOff.gro.packetsIn);
    expect(bOff.gro.devices.eth0!.enabled).toBe(false);
    expect(bOff.softnet.reduce((s, x) => s + x.processed, 0)).toBe(bOff.gro.packetsIn);
  });

  it("fewer IP/TCP receives and less softirq time with GRO, the same goodput", () => {
    const ipOn = bOn.nstat.IpInReceives!;
    const ipOff = bOff.nstat.IpInReceives!;
    expect(ipOn).toBe(bOn.gro.packetsOut); // one ip_rcv per skb up the stack
    expect(ipOn * 20).toBeLessThan(ipOff);
    const soft = (b: typeof bOn) => b.cpu.reduce((s, c) => s + c.softirqNs, 0);
    // per wire packet: driver + gro either way; ip + tcp once per aggregate with GRO
    const c = DEFAULT_COST;
    expect(soft(bOff) - soft(bOn)).toBeGreaterThan(0.8 * (ipOff - ipOn) * (c.ip + c.tcp) - bOff.gro.packetsIn * c.gro);
    expect(soft(bOn)).toBeLessThan(0.5 * soft(bOff));
    const gOn = on.report.flows[0]!.goodputBps;
    const gOff = off.report.flows[0]!.goodputBps;
    expect(Math.abs(gOn - gOff) / gOff).toBeLessThan(0.05);
  });

  it("TCP sizes an aggregate as its segments: rcv_mss from gso_size, truesize per frame (merged ones without their sk_buff)", () => {
    // a lone 1514-byte frame's truesize in the model is 2304 (rxTruesize): scaling_ratio
    // floor(1448 * 256 / 2304) = 160 without GRO. With GRO the ratio comes from the aggregate
    // tcp_measure_rcv_mss saw last, k full segments: floor(k * 1448 * 256 / (2304 + (k - 1) * 2048))
    // (160..180); an aggregate given the truesize of one skb of its length would show ~220
    const withGro = Array.from({ length: 45 }, (_, i) => Math.floor(((i + 1) * 1448 * 256) / groTruesize(66, (i + 1) * 1448, 1448, i + 1)));
    for (const [r, ratios] of [
      [on, withGro],
      [off, [160]],
    ] as const) {
      const f = [...r.w.flows.values()][0]!;
      expect(f.receiver!.rcvMss).toBe(1448);
      expect(ratios).toContain(f.receiver!.scalingRatio);
    }
  });

  it("ACKs: one per aggregate with GRO (each is > rcv_mss), one per two full segments without", () => {
    const acks = (r: typeof on) => r.report.links.find((l) => l.a === "b")!.packets;
    // __tcp_ack_snd_check: rcv_nxt - rcv_wup > rcv_mss ACKs at once; +1 for the handshake's ACK
    expect(acks(on)).toBeLessThanOrEqual(bOn.gro.packetsOut + 1);
    expect(acks(on)).toBeGreaterThan(0.9 * bOn.gro.packetsOut);
    // without GRO one per two full segments, plus the quick ACK each rcv_ssthresh growth grants while the
    // window opens (tcp_grow_window: icsk_ack.quick |= 1): above half, well below one per segment
    expect(acks(off)).toBeGreaterThan(0.49 * bOff.gro.packetsIn);
    expect(acks(off)).toBeLessThan(0.56 * bOff.gro.packetsIn);
  });

  it("the ledger counts an aggregate's gso_segs wire packets and closes", () => {
    closed(on.report);
    closed(off.report);
    // the pool holds skbs: an aggregate is one
    expect(on.report.pool.inFlight).toBeLessThanOrEqual(on.report.ledger.inFlight);
  });
});

describe("GRO flush points", () => {
  // Stop the run at many instants: the ledger closes at every one, and some
  // catch GRO / a backlog holding an aggregate.
  async function stopsWhile(held: (r: Awaited<ReturnType<typeof runWorld>>) => boolean, o: Parameters<typeof spec>[1]) {
    for (let t = 3.3e6; t < 3.6e6; t += 2e3) {
      const r = await runWorld(spec(true, { ...o, durationNs: t }));
      closed(r.report);
      if (held(r)) return r;
    }
    throw new Error("no stop instant with an aggregate held");
  }

  it("a full poll (64 frames) keeps this jiffy's aggregate for the next poll; aggregates stay ≤ 45", async () => {
    // 100 us windows hold ~81 frames: a 64-frame poll passes up what ended at a sender GSO skb's last
    // segment, which carries PSH (__tcp_transmit_skb forces it on GSO skbs; tcp_gro_receive merges it, then
    // flushes), and holds the rest past the poll (napi_gro_flush(n, true) keeps packets of the current jiffy).
    // A sender skb has at most 45 segments (65212 B with its header, under gro_max_size), so no aggregate
    // reaches gro_max_size: each ends at a PSH segment or a poll's end.
    const r = await stopsWhile((r) => r.w.host("b").gro[0]!.contexts[0]!.heldCount > 0, { rxUsecs: 100_000 });
    const b = r.report.hosts.b!;
    const ratio = b.gro.packetsIn / b.gro.packetsOut;
    // (~24 frames per aggregate)
    expect(ratio).toBeGreaterThan(15);
    expect(ratio).toBeLessThanOrEqual(45);
    const hb = r.w.host("b");
    const st = hb.gro[0]!.contexts[0]!.stats();
    expect(st.reasons.maxSize).toBe(0);
    expect(st.reasons.tcpFlags).toBeGreaterThan(0);
    expect(st.heldNow).toBe(1);
    expect(st.heldSegments).toBeGreaterThan(0);
    expect(st.heldSegments).toBeLessThan(45);
    expect(hb.heldSkbs()).toBe(1);
    expect(hb.heldSegments()).toBe(st.heldSegments);
    // wire packets minus skbs: GRO's aggregate (k segments, one skb: k - 1) plus the sender's GSO skbs
    // in its qdisc and TX ring (TCP builds super-packets, TX path), each k segments in one skb
    const senderTx = r.w.host("a").nics[0]!.tx;
    expect(r.report.ledger.inFlight - r.report.pool.inFlight).toBe(st.heldSegments - 1 + senderTx.heldSegments() - senderTx.held());
  });

  it("an aggregate steered by RPS into another CPU's backlog is in flight with its segments", async () => {
    const rps = { cpus: [[1]], flowCnt: 0, arfs: false, flowLimitCpus: [] };
    const r = await stopsWhile((r) => r.w.host("b").held() > 0, { receiver: { rps } });
    const b = r.report.hosts.b!;
    const hb = r.w.host("b");
    const segs = hb.heldSegments();
    expect(segs).toBeGreaterThan(hb.held());
    // plus the extra segments of the sender's GSO skbs (qdisc / TX ring), one skb each
    const senderTx = r.w.host("a").nics[0]!.tx;
    expect(r.report.ledger.inFlight - r.report.pool.inFlight).toBe(segs - hb.heldSkbs() + senderTx.heldSegments() - senderTx.held());
    expect(b.softnet[1]!.processed).toBe(b.gro.packetsOut - b.softnet[0]!.processed - hb.held());
    expect(b.softnet[1]!.processed).toBeGreaterThan(0);
  });

  it("without interrupt coalescing polls are short and GRO merges little", async () => {
    const r = await runWorld(spec(true, { rxUsecs: 0, durationNs: 5e6 }));
    const b = r.report.hosts.b!;
    expect(b.gro.packetsIn / b.gro.packetsOut).toBeLessThan(3);
    closed(r.report);
  });
});

describe("groTruesize", () => {
  it("adds each merged frame's truesize less its freed struct sk_buff (skb_gro_receive, head_frag stolen)", () => {
    // 66-byte headers + 1448: 1514 + 384 rounds up to 2048, + 256 = 2304
    expect(rxTruesize(1514)).toBe(2304);
    // the first frame whole, 44 merged at 2304 - 256 = 2048
    expect(groTruesize(66, 45 * 1448, 1448, 45)).toBe(2304 + 44 * 2048);
    // last segment 100 bytes: 166 + 384 = 550 -> 1024 + 256, merged: 1024
    expect(groTruesize(66, 2 * 1448 + 100, 1448, 3)).toBe(2304 + 2048 + 1024);
  });
});

describe("nic.gro in scenarios", () => {
  const text = (gro: string) => `name: t\nduration: 1ms\nhosts:\n  a: {}\n  b:\n    nic: { gro: ${gro} }\nlinks:\n  - { a: a, b: b }\ntraffic:\n  - { kind: bulk, from: a, to: b:5001 }\n`;

  it("defaults to on and reaches the engine's NIC config", () => {
    const s = loadScenarioText(text("false"));
    expect(s.hosts.find((h) => h.name === "a")!.nic.gro).toBe(true);
    const spec = worldSpecFromScenario(s);
    expect(spec.hosts.find((h) => h.name === "b")!.nic.gro).toBe(false);
    expect(spec.hosts.find((h) => h.name === "a")!.nic.gro).toBe(true);
  });

  it("refuses anything but a boolean, naming the field", () => {
    expect(() => loadScenarioText(text('"on"'))).toThrow(/hosts\.b\.nic\.gro.*true or false/s);
  });

  it("rx-gro-on-off: the GRO host runs the stack ~21× less often for the same goodput", async () => {
    const r = await runScenario(loadBuiltinScenario("rx-gro-on-off"));
    const on = r.hosts.groon!;
    const off = r.hosts.groff!;
    // ~40 frames per rx-usecs window, cut where a sender GSO skb's PSH segment ends an aggregate
    expect(on.gro.packetsIn / on.gro.packetsOut).toBeGreaterThan(15);
    expect(off.gro.packetsIn).toBe(off.gro.packetsOut);
    expect(on.nstat.IpInReceives! * 20).toBeLessThan(off.nstat.IpInReceives!);
    expect(on.cpu[0]!.softirq).toBeLessThan(off.cpu[0]!.softirq / 2);
    expect(r.ledger.unaccounted).toBe(0);
    expect(r.pool.balanced).toBe(true);
  });
});
