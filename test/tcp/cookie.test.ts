// SYN cookies (net/ipv4/syncookies.c; spec §5, behaviours 6–8).
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/sim/rng.js";
import { CookieSecrets, MSSTAB, MSSTAB6, cookieCheck, cookieCheckSet, cookieDecodeOptions, cookieEncode, cookieSeq, cookieTimestamp, mssIndex } from "../../src/tcp/cookie.js";
import { keyFromWords, siphashRef } from "../../src/core/ref/siphash.js";
import { freshCore } from "../helpers.js";
import { TCPHDR_ACK } from "../../src/wire/tcp.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { closed, connect, run, serverWorld } from "./helpers.js";
import { createCore } from "../../src/core/node.js";
import { World, coreConfigFor } from "../../src/sim/world.js";
import { buildReport } from "../../src/report/build.js";
import { sendPeerSegment } from "../tcpdata/peer-segment.js";

const S = 1e9;

const core = await freshCore();

describe("cookie_hash is Linux's SipHash over Linux's words", () => {
  const sec = new CookieSecrets(new Rng(7), core);
  const keyOf = (k: number) => keyFromWords(sec.key, k * 4);

  it("IPv4: siphash_4u32(saddr, daddr, sport << 16 | dport, count) of the network-order values, as x86 reads them", () => {
    // little-endian words of __be32/__be16 values: the message is saddr's
    // bytes, daddr's bytes, dport's bytes, sport's bytes, then count LE
    const msg = Uint8Array.from([10, 0, 0, 1, 10, 0, 0, 2, 0, 80, 0x9c, 0x40, 0x34, 0x12, 0, 0]);
    sec.tuple4(0x0a000001, 0x0a000002, 40000, 80);
    for (const c of [0, 1]) {
      const [k0, k1] = keyOf(c);
      const want = Number(siphashRef(k0, k1, msg) & 0xffffffffn) | 0;
      expect(sec.hash(0x1234, c)).toBe(want);
    }
  });

  it("IPv6: siphash over {saddr[16], daddr[16], u32 count, __be16 sport, dport} under syncookie6_secret", () => {
    const saddr = Uint8Array.from({ length: 16 }, (_, i) => 0x20 + i);
    const daddr = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 - i);
    const at = 5 * 128 + 22; // some skb's IPv6 source address offset in core.headers
    core.headers.set(saddr, at);
    core.headers.set(daddr, at + 16);
    sec.tuple6(at, at + 16, 40000, 443);
    const msg = new Uint8Array(40);
    msg.set(saddr, 0);
    msg.set(daddr, 16);
    msg.set([0x78, 0x56, 0x34, 0x12, 0x9c, 0x40, 0x01, 0xbb], 32);
    for (const c of [0, 1]) {
      const [k0, k1] = keyOf(2 + c);
      expect(sec.hash(0x12345678, c)).toBe(Number(siphashRef(k0, k1, msg) & 0xffffffffn) | 0);
    }
    // the full addresses count: a change that the old 32-bit fold cancelled out
    const seq = cookieSeq(sec, 1000, 2, 7);
    expect(cookieCheckSet(sec, seq >>> 0, 1000, 7 * 60e9, true)).toBe(MSSTAB6[2]);
    core.headers[at] ^= 1;
    core.headers[at + 4] ^= 1;
    sec.tuple6(at, at + 16, 40000, 443);
    expect(cookieSeq(sec, 1000, 2, 7)).not.toBe(seq);
    expect(cookieCheckSet(sec, seq >>> 0, 1000, 7 * 60e9, true)).toBe(0);
  });

  it("the four keys come from the seed: same seed, same keys; another seed, others", () => {
    expect(Array.from(new CookieSecrets(new Rng(7), core).key)).toEqual(Array.from(sec.key));
    expect(Array.from(new CookieSecrets(new Rng(8), core).key)).not.toEqual(Array.from(sec.key));
  });
});

describe("cookie encoding", () => {
  const sec = new CookieSecrets(new Rng(7), core);
  const tuple = [0x0a000001, 0x0a000002, 40000, 80] as const;

  it("msstab index: the largest entry <= mss, 0 below 1300", () => {
    expect(MSSTAB).toEqual([536, 1300, 1440, 1460]);
    expect([100, 536, 1200, 1299, 1300, 1400, 1440, 1459, 1460, 9000].map((m) => mssIndex(m))).toEqual([0, 0, 0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it("IPv6: net/ipv6/syncookies.c's own msstab {1280-60, 1480-60, 1500-60, 9000-60} (review14b #8)", () => {
    expect(MSSTAB6).toEqual([1220, 1420, 1440, 8940]);
    // __cookie_v6_init_sequence: the largest entry <= mss; before, the IPv4 table (9000-byte MTU: 1460, not 8940)
    const v6 = [100, 1220, 1340, 1419, 1420, 1440, 1460, 8939, 8940, 65000].map((m) => mssIndex(m, true));
    expect(v6).toEqual([0, 0, 0, 0, 1, 2, 2, 2, 3, 3]);
    // __cookie_v6_check reads the index back through the same table: MTU 9000 (SYN MSS 8940) -> 8940,
    // MTU 1400 (SYN MSS 1340) -> 1220 (IPv4's table: 1300)
    const at = 7 * 128 + 22;
    core.headers.set(Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i), at);
    sec.tuple6(at, at + 16, 40000, 443);
    expect(cookieCheckSet(sec, cookieSeq(sec, 1000, mssIndex(8940, true), 7) >>> 0, 1000, 7 * 60e9, true)).toBe(8940);
    expect(cookieCheckSet(sec, cookieSeq(sec, 1000, mssIndex(1340, true), 7) >>> 0, 1000, 7 * 60e9, true)).toBe(1220);
  });

  it("round trip for every MSS class, within the age limit (counter c and c+1 only)", () => {
    for (let i = 0; i < 4; i++) {
      const isn = 123456789;
      const t0 = 30 * S;
      const cookie = cookieEncode(sec, ...tuple, isn, i, t0);
      // the final ACK carries ack_seq = cookie + 1, seq = isn + 1
      const check = (now: number) => cookieCheck(sec, cookie, ...tuple, isn, now);
      expect(check(t0)).toBe(MSSTAB[i]);
      expect(check(119.9 * S)).toBe(MSSTAB[i]); // counter 1, diff 1
      expect(check(120 * S)).toBe(0); // counter 2, diff 2 >= MAX_SYNCOOKIE_AGE
      // encoded in minute 1, checked in minute 0: diff wraps to 255
      const later = cookieEncode(sec, ...tuple, isn, i, 90 * S);
      expect(cookieCheck(sec, later, ...tuple, isn, 30 * S)).toBe(0);
    }
  });

  it("a cookie for another tuple or ISN does not validate; bits above the MSS index are checked (as in Linux)", () => {
    const cookie = cookieEncode(sec, ...tuple, 1000, 3, 0);
    expect(cookieCheck(sec, cookie, tuple[0], tuple[1], 40001, 80, 1000, 0)).toBe(0);
    expect(cookieCheck(sec, cookie, ...tuple, 1001, 0)).toBe(1440); // additive: seq+1 reads as mssind-1
    expect(cookieCheck(sec, cookie, ...tuple, 5000, 0)).toBe(0);
    const flips = Array.from({ length: 32 }, (_, b) => cookieCheck(sec, (cookie ^ (1 << b)) >>> 0, ...tuple, 1000, 0));
    expect(flips.slice(2).every((m) => m === 0)).toBe(true);
    // the low bits are additive: cookie - k reads as mssind 3 - k
    expect([1, 2, 3, 4].map((k) => cookieCheck(sec, (cookie - k) >>> 0, ...tuple, 1000, 0))).toEqual([1440, 1300, 536, 0]);
    expect(cookieCheck(sec, (cookie + 1) >>> 0, ...tuple, 1000, 0)).toBe(0);
  });

  it("cookie_init_timestamp: options in TSval's low 6 bits, never ahead of now", () => {
    const now = 1_000_003;
    expect(cookieTimestamp(now, 7, true, false) & 63).toBe(0x17);
    expect(cookieTimestamp(now, 0, false, false) & 63).toBe(0x00);
    expect(cookieTimestamp(now, -1, true, false) & 63).toBe(0x1f);
    expect(cookieTimestamp(now, 14, true, true) & 63).toBe(0x3e);
    for (const ws of [-1, 0, 7, 14]) expect(cookieTimestamp(now, ws, true, true)).toBeLessThanOrEqual(now);
  });

  it("cookie_timestamp_decode: no TS -> no options; sysctls off -> reject", () => {
    const o = { ok: false, tsOk: false, sackOk: false, sndWscale: -1 };
    expect(cookieDecodeOptions(o, false, 0x17, 1, 1, 1)).toEqual({ ok: true, tsOk: false, sackOk: false, sndWscale: -1 });
    expect(cookieDecodeOptions(o, true, 0x17, 1, 1, 1)).toEqual({ ok: true, tsOk: true, sackOk: true, sndWscale: 7 });
    expect(cookieDecodeOptions(o, true, 0x1f, 1, 1, 1)).toEqual({ ok: true, tsOk: true, sackOk: true, sndWscale: -1 });
    expect(cookieDecodeOptions(o, true, 0x17, 1, 0, 1).ok).toBe(false);
    expect(cookieDecodeOptions(o, true, 0x07, 1, 1, 0).ok).toBe(false);
  });
});

describe("cookies on the wire", () => {
  it("tcp_timestamps=2, syncookies=2: SYN-ACK TSval & 63 = 0x17 (ws 7 + SACK); the handshake completes via SyncookiesRecv", async () => {
    const tsvals: number[] = [];
    const spec = serverWorld({ accept: true, sysctl: { "net.ipv4.tcp_syncookies": 2, "net.ipv4.tcp_timestamps": 2 } }, [connect(3)]);
    const { report } = await run(spec, (core) => (h) => {
      const o = h * SKB_HEADROOM + 34;
      const b = core.headers;
      // SYN-ACK with MSS(4) + SACK_PERM,TS: TSval at TCP header + 24
      if (b[o + 13] === 0x12) tsvals.push(((b[o + 28]! << 24) | (b[o + 29]! << 16) | (b[o + 30]! << 8) | b[o + 31]!) >>> 0);
    });
    expect(tsvals).toHaveLength(3);
    for (const v of tsvals) expect(v & 63).toBe(0x17);
    const n = report.hosts.server!.nstat;
    expect(n.TcpExtSyncookiesSent).toBe(3);
    expect(n.TcpExtSyncookiesRecv).toBe(3);
    expect(n.TcpPassiveOpens).toBe(3);
    expect(report.hosts.server!.tcpStates).toEqual({ ESTABLISHED: 3, LISTEN: 1 });
    closed(report);
  });

  it("without timestamps a cookie SYN-ACK carries only the MSS", async () => {
    const opts: number[] = [];
    const spec = serverWorld({ sysctl: { "net.ipv4.tcp_syncookies": 2, "net.ipv4.tcp_timestamps": 0 } }, [connect(1)]);
    await run(spec, (core) => (h) => {
      const o = h * SKB_HEADROOM + 34;
      if (core.headers[o + 13] === 0x12) opts.push(core.headers[o + 12]! >> 4);
    });
    expect(opts).toEqual([6]); // 20-byte header + MSS option
  });

  async function forgedAck(overflowed: boolean) {
    const spec = serverWorld({}, []);
    const core = await createCore(coreConfigFor(spec));
    const w = new World(core, spec);
    const tcp = w.host("server").stack.tcp;
    if (overflowed) tcp.listeners[0]!.lastOverflow = 0;
    sendPeerSegment(tcp, { src: [10, 0, 0, 1], sport: 40000, dport: 80, seq: 1001, ack: 0xdeadbeef, flags: TCPHDR_ACK, window: 502 });
    const result = w.run();
    return buildReport(w, result);
  }

  it("a forged ACK within 2 min of an overflow: SyncookiesFailed +1 and a RST; with no recent overflow: RST only", async () => {
    const a = await forgedAck(true);
    expect(a.hosts.server!.nstat).toMatchObject({ TcpExtSyncookiesFailed: 1, TcpOutRsts: 1 });
    closed(a);
    const b = await forgedAck(false);
    expect(b.hosts.server!.nstat.TcpExtSyncookiesFailed).toBeUndefined();
    expect(b.hosts.server!.nstat.TcpOutRsts).toBe(1);
    closed(b);
  });
});
