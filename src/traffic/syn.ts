// `syn-flood`: bare connection requests from a tool, not a socket (hping3 -S
// style): nothing on the sender remembers them, so SYN-ACKs to spoofed
// sources go nowhere and none is ever ACKed. Each SYN carries the options a
// Linux SYN carries (MSS, SACK_PERM, timestamps, window scale 7, window 64240)
// and a random sequence number. Source ports: with one source address
// (`fixed`, `none`) they step as hping3's do (sendtcp.c: a random base
// 1024 + rand() % 2000, +1 per packet, mod 65536, unless -k), so no two SYNs
// share a 4-tuple until the 65536th; with random sources a random port per
// SYN. Per SYN: one skb, headers stamped from a template (src/tcp/stamp.ts),
// no JS object.
import type { Host } from "../net/host.js";
import { SegOut, get32 } from "../tcp/segment.js";
import { TcpStamp } from "../tcp/stamp.js";
import { badSource6, martianSource4 } from "../net/martian.js";
import { TCPHDR_SYN } from "../wire/tcp.js";
import type { QuietLane, TrafficContext, TrafficStats } from "./source.js";
import { EPHEMERAL_HIGH, EPHEMERAL_LOW } from "./source.js";

/** hping3's source ports start at 1024 + rand() % 2000. */
const HPING_BASE_PORT = 1024;
const HPING_BASE_PORTS = 2000;

export interface SynGenConfig {
  count: number;
  /** Start time (ns). */
  at: number;
  /** SYNs per second; 0 = all at `at`. */
  rate: number;
  /** Source addresses: the sender's own, random spoofed, or one fixed spoofed address. */
  spoof: "none" | "random" | "fixed";
  dport: number;
  /** Send bare SYNs without options and window 512 (as hping3 3.a2 does, measured). */
  bare?: boolean;
}

export class SynGenerator {
  readonly stats: TrafficStats;
  private sent = 0;
  private readonly kind: number;
  private readonly seg = new SegOut();
  private readonly src: Uint8Array;
  /** The SYN's headers, built once: each SYN patches addresses, port, seq, TSval. */
  private readonly stamp: TcpStamp;
  /** IPv4: the source (own or fixed spoofed) and destination address as u32. */
  private readonly saddr: number;
  private readonly daddr: number;
  /** The next source port when they step (one source address); -1: a random one per SYN. */
  private sport = -1;
  /** IPv4: the quiet step ctx.send reaches first (TrafficContext.quietLane), found at the first fire;
   *  null: none (IPv6, or a NIC that never goes quiet). */
  private lane: QuietLane | null | undefined = undefined;

  constructor(
    private readonly ctx: TrafficContext,
    private readonly from: Host,
    to: Host,
    private readonly config: SynGenConfig,
  ) {
    this.stats = { kind: "syn-flood", from: from.name, to: `${to.name}:${config.dport}`, packets: 0, bytes: 0, allocFailures: 0 };
    const v6 = from.config.addr.length === 16;
    this.src = Uint8Array.from(from.config.addr);
    // one spoofed source for the whole flood (hping3 -a ADDR): one IP would not drop as a martian
    // (src/net/martian.ts) nor take for the server's own, or the flood would never reach TCP
    if (config.spoof === "fixed") {
      do this.randomizeSource();
      while ((v6 ? badSource6(this.src, 0) : martianSource4(get32(this.src, 0)) !== null) || this.src.every((b, i) => b === to.config.addr[i]));
    }
    // hping3 main.c: initsport = 1024 + (rand() % 2000)
    if (config.spoof !== "random") this.sport = ctx.rng.int(HPING_BASE_PORT, HPING_BASE_PORT + HPING_BASE_PORTS - 1);
    const s = this.seg;
    s.v6 = v6;
    s.src = this.src;
    s.dst = Uint8Array.from(to.config.addr);
    s.dport = config.dport;
    s.flags = TCPHDR_SYN;
    if (config.bare) {
      // hping2.h DEFAULT_SRCWINSIZE (hping3 3.a2.ds2 on the wire: 512; its man page says 64)
      s.window = 512;
    } else {
      s.window = 64240;
      s.mss = from.config.nic.mtu - (v6 ? 60 : 40); // tcp_advertise_mss
      s.sackPerm = true;
      s.ts = true;
      s.wscale = 7;
    }
    this.stamp = new TcpStamp(s);
    this.saddr = v6 ? 0 : get32(this.src, 0);
    this.daddr = v6 ? 0 : get32(s.dst, 0);
    this.kind = ctx.loop.register(`syn-flood ${from.name}->${to.name}:${config.dport}`, () => this.fire());
  }

  start(): void {
    if (this.config.count > 0) this.ctx.loop.at(this.config.at, this.kind, 0);
  }

  private fire(): void {
    const { ctx, config } = this;
    const loop = ctx.loop;
    if (this.lane === undefined) this.lane = !this.seg.v6 && ctx.quietLane !== undefined ? ctx.quietLane(this.from, this.seg.dst) : null;
    if (config.rate <= 0) {
      for (let i = config.count - this.sent; i > 0; i--) this.sendOne();
      return;
    }
    const gap = 1e9 / config.rate;
    this.sendOne();
    // The SYNs due before anything else happens go now, each at its own time
    // (loop.runAhead), as their own events would: one event per burst.
    let next = loop.now + gap;
    // (idleAfter: horizon() > next, without filing what is staged or asking the wheel when the batch's
    // rest, the staged schedules or the wheel's published bound already tell)
    if (this.lane !== null) next = this.runAhead4(this.lane, next, gap);
    while (this.sent < config.count && loop.idleAfter(next)) {
      loop.runAhead(next);
      this.sendOne();
      next = loop.now + gap;
    }
    if (this.sent < config.count) loop.after(gap, this.kind, 0);
  }

  /** fire's run-ahead loop for IPv4 SYNs whose host has a quiet lane (TrafficContext.quietLane), as one
   *  function: per SYN, after the one before it went, the horizon check, then sendOne's allocation, draws
   *  (same order) and stamp, then the lane's quiet step, else ctx.send (which the lane's step is the first
   *  of). Returns the next SYN's time when one is left that is not due before the horizon. */
  private runAhead4(lane: QuietLane, next: number, gap: number): number {
    const { ctx, config, stats, stamp } = this;
    const { loop, core, rng } = ctx;
    const len = core.skb.len;
    const gsoSize = core.skb.gsoSize;
    const count = config.count;
    const random = config.spoof === "random";
    const saddr0 = this.saddr | 0;
    const daddr = this.daddr;
    const dport = this.seg.dport;
    const win = this.seg.window;
    while (this.sent < count && loop.idleAfter(next)) {
      loop.runAhead(next);
      this.sent++;
      const h = ctx.alloc();
      if (h < 0) {
        stats.allocFailures++;
      } else {
        const saddr = random ? rng.i32() : saddr0;
        const sport = this.nextSport();
        const seq = rng.i32();
        stamp.write4(core, h, saddr, daddr, (sport << 16) | dport, seq, 0, win, Math.floor(loop.now / 1e6), 0);
        stats.packets++;
        stats.bytes += len[h]!;
        // (a GSO skb is xmit's to check first; a SYN never is one)
        if (gsoSize[h] !== 0 || !lane.sendQuiet(h)) ctx.send(this.from, h);
      }
      next = loop.now + gap;
    }
    return next;
  }

  private sendOne(): void {
    const { ctx, seg } = this;
    this.sent++;
    const h = ctx.alloc();
    if (h < 0) {
      this.stats.allocFailures++;
      return;
    }
    if (!seg.v6) {
      // the same draws, in the same order, as the IPv6 path below
      // int32 words (i32: the u32 draw's bits), so no heap number per SYN
      const saddr = this.config.spoof === "random" ? ctx.rng.i32() : this.saddr | 0;
      const sport = this.nextSport();
      const seq = ctx.rng.i32();
      this.stamp.write4(ctx.core, h, saddr, this.daddr, (sport << 16) | seg.dport, seq, 0, seg.window, Math.floor(ctx.loop.now / 1e6), 0);
    } else {
      if (this.config.spoof === "random") this.randomizeSource();
      seg.sport = this.nextSport();
      seg.seq = ctx.rng.u32();
      seg.tsVal = Math.floor(ctx.loop.now / 1e6) >>> 0;
      this.stamp.write(ctx.core, h, seg);
    }
    this.stats.packets++;
    this.stats.bytes += ctx.core.skb.len[h]!;
    const lane = this.lane;
    if (lane === null || lane === undefined || ctx.core.skb.gsoSize[h] !== 0 || !lane.sendQuiet(h)) ctx.send(this.from, h);
  }

  /** hping3 sendtcp.c: src_port = (sequence + initsport) % 65536 after each packet. */
  private nextSport(): number {
    const p = this.sport;
    if (p < 0) return this.ctx.rng.int(EPHEMERAL_LOW, EPHEMERAL_HIGH);
    this.sport = (p + 1) & 0xffff;
    return p;
  }

  private randomizeSource(): void {
    const { rng } = this.ctx;
    for (let i = 0; i < this.src.length; i += 4) {
      const r = rng.u32();
      this.src[i] = r >>> 24;
      this.src[i + 1] = (r >>> 16) & 0xff;
      this.src[i + 2] = (r >>> 8) & 0xff;
      this.src[i + 3] = r & 0xff;
    }
  }
}
