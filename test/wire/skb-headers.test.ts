import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { freshCore } from "../helpers.js";
import type { Core } from "../../src/core/core.js";
import { SKB_HEADROOM } from "../../src/core/skb-fields.js";
import { formatIPv6, parseIPv4, parseIPv6 } from "../../src/wire/addr.js";
import { WireError } from "../../src/wire/errors.js";
import {
  buildHeaders,
  copyHeaders,
  parsePacket,
  parseSkb,
  readFlowTuple,
  setIpId,
  setPayloadLen,
  setTcpAck,
  setTcpFlags,
  setTcpSeq,
  setTcpTimestamps,
  setTcpWindow,
  writePacket,
  type PacketSpec,
} from "../../src/wire/skb-headers.js";
import { ipv4SendCheck } from "../../src/wire/ipv4.js";
import { TCPHDR_ACK, TCPHDR_PSH, TCPHDR_SYN } from "../../src/wire/tcp.js";

let core: Core;
beforeAll(async () => {
  core = await freshCore({ skbs: 64 });
});

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof WireError) return e.code;
    throw e;
  }
  return "OK";
}

/** Independent oracle: checksum over an explicit pseudo header + segment with
 *  its payload materialised as zeros (the rule in csum.ts). */
function explicitL4Checksum(frame: Uint8Array, payloadLen: number): number {
  const v4 = frame[14]! >> 4 === 4;
  const ipLen = v4 ? 20 : 40;
  const seg = frame.subarray(14 + ipLen);
  const segLen = seg.length + payloadLen;
  const ph = new Uint8Array(v4 ? 12 : 40);
  if (v4) {
    ph.set(frame.subarray(26, 34), 0);
    ph[9] = frame[23]!;
    ph[10] = segLen >> 8;
    ph[11] = segLen & 0xff;
  } else {
    ph.set(frame.subarray(22, 54), 0);
    ph[34] = segLen >> 8;
    ph[35] = segLen & 0xff;
    ph[39] = frame[20]!;
  }
  const all = new Uint8Array(ph.length + segLen);
  all.set(ph, 0);
  all.set(seg, ph.length);
  const ck = v4 ? ph.length + (frame[23] === 6 ? 16 : 6) : ph.length + (frame[20] === 6 ? 16 : 6);
  all[ck] = 0;
  all[ck + 1] = 0;
  let s = 0;
  for (let i = 0; i < all.length; i += 2) s += (all[i]! << 8) | (all[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

const syn: PacketSpec = {
  ip: { version: 4, src: "10.0.0.1", dst: "10.0.0.2", id: 0x4d2 },
  l4: { proto: "tcp", sport: 40000, dport: 80, seq: 1000, flags: TCPHDR_SYN, window: 64240, options: { mss: 1460, sackPerm: true, ts: { val: 1, ecr: 0 }, wscale: 7 } },
};

describe("writePacket", () => {
  it("builds a SYN into the skb and sets the header columns", () => {
    const r = writePacket(core, 3, syn);
    expect(r).toEqual({ hdrLen: 74, len: 74, network: 14, transport: 34, protocol: 0x0800 });
    const s = core.skb;
    expect([s.len[3], s.hdrLen[3], s.mac[3], s.network[3], s.transport[3], s.protocol[3]]).toEqual([74, 74, 0, 14, 34, 0x0800]);
    const b = core.headers.subarray(3 * SKB_HEADROOM, 3 * SKB_HEADROOM + 74);
    // Ethernet, then IPv4 with DF, TTL 64, proto 6, tot_len 60
    expect(Buffer.from(b.subarray(12, 24)).toString("hex")).toBe("08004500003c04d240004006");
    const p = parseSkb(core, 3, { verifyL4Checksum: true });
    expect(p.l4).toMatchObject({ proto: "tcp", sport: 40000, dport: 80, seq: 1000, flags: TCPHDR_SYN, window: 64240, headerLen: 40 });
    expect(p.l4CheckOk).toBe(true);
    expect(p.l4!.check).toBe(explicitL4Checksum(b, 0));
  });

  it("UDP over IPv6 with a virtual payload: the checksum treats the payload as zeros", () => {
    const spec: PacketSpec = { ip: { version: 6, src: "2001:db8::1", dst: "2001:db8::2", flowLabel: 0x12345, tos: 0x20, ttl: 3 }, l4: { proto: "udp", sport: 5000, dport: 6000 }, payloadLen: 1200 };
    const r = writePacket(core, 4, spec);
    expect(r).toMatchObject({ hdrLen: 62, len: 1262, transport: 54, protocol: 0x86dd });
    const p = parseSkb(core, 4);
    expect(p.ip).toMatchObject({ version: 6, payloadLen: 1208, nextHeader: 17, hopLimit: 3, flowLabel: 0x12345, trafficClass: 0x20 });
    expect(p.l4).toMatchObject({ proto: "udp", length: 1208 });
    expect(p.payloadLen).toBe(1200);
    expect(p.l4CheckOk).toBe(true);
    expect(p.l4!.check).toBe(explicitL4Checksum(core.headers.subarray(4 * 128, 4 * 128 + 62), 1200));
  });

  it("bad specs are typed errors naming the field, and leave the skb untouched", () => {
    writePacket(core, 5, syn);
    const before = core.headers.slice(5 * 128, 6 * 128);
    expect(code(() => writePacket(core, 5, { ...syn, ip: { ...syn.ip, src: "10.0.0" } }))).toBe("BAD_ARGUMENT");
    expect(code(() => writePacket(core, 5, { ...syn, ip: { ...syn.ip, version: 6 } }))).toBe("BAD_ARGUMENT");
    expect(code(() => writePacket(core, 5, { ...syn, payloadLen: 65535 }))).toBe("BAD_ARGUMENT");
    expect(code(() => writePacket(core, 5, { ...syn, ip: { ...syn.ip, ttl: 256 } }))).toBe("BAD_ARGUMENT");
    expect(code(() => writePacket(core, 5, { ...syn, l4: { proto: "tcp", sport: 1, dport: 2, options: { ts: { val: 0, ecr: 0 }, sack: [[1, 2], [3, 4], [5, 6], [7, 8]] } } }))).toBe("BAD_OPTION");
    expect(code(() => writePacket(core, 64, syn))).toBe("BAD_ARGUMENT");
    expect(code(() => writePacket(core, -1, syn))).toBe("BAD_ARGUMENT");
    expect(core.headers.slice(5 * 128, 6 * 128)).toEqual(before);
    try {
      writePacket(core, 5, { ...syn, ip: { ...syn.ip, ttl: 300 } });
    } catch (e) {
      expect((e as Error).message).toMatch(/ttl = 300 .*0\.\.255/);
    }
  });

  it("readFlowTuple reads the 5-tuple from the headers", () => {
    writePacket(core, 6, syn);
    expect(readFlowTuple(core, 6)).toEqual({ version: 4, src: "10.0.0.1", dst: "10.0.0.2", sport: 40000, dport: 80, proto: 6 });
    writePacket(core, 7, { ip: { version: 6, src: "::ffff:10.0.0.1", dst: "fe80::1" }, l4: { proto: "udp", sport: 1, dport: 2 } });
    expect(readFlowTuple(core, 7)).toEqual({ version: 6, src: "::ffff:10.0.0.1", dst: "fe80::1", sport: 1, dport: 2, proto: 17 });
    core.skb.network[8] = 0xff;
    expect(code(() => readFlowTuple(core, 8))).toBe("BAD_ARGUMENT");
  });
});

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const specArb: fc.Arbitrary<PacketSpec> = fc
  .record({
    v: fc.constantFrom(4 as const, 6 as const),
    src4: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    dst4: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    src6: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    dst6: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    ttl: fc.integer({ min: 0, max: 255 }),
    id: fc.integer({ min: 0, max: 0xffff }),
    df: fc.boolean(),
    tos: fc.integer({ min: 0, max: 255 }),
    flowLabel: fc.integer({ min: 0, max: 0xfffff }),
    tcp: fc.boolean(),
    sport: fc.integer({ min: 0, max: 0xffff }),
    dport: fc.integer({ min: 0, max: 0xffff }),
    seq: u32,
    ack: u32,
    flags: fc.integer({ min: 0, max: 255 }),
    window: fc.integer({ min: 0, max: 0xffff }),
    options: fc.record(
      {
        mss: fc.integer({ min: 0, max: 0xffff }),
        wscale: fc.integer({ min: 0, max: 14 }),
        sackPerm: fc.constant(true),
        ts: fc.record({ val: u32, ecr: u32 }),
        sack: fc.array(fc.tuple(u32, u32), { minLength: 1, maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
    payloadLen: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 65000 })),
  })
  .map((r) => ({
    ip: r.v === 4 ? { version: 4 as const, src: r.src4, dst: r.dst4, ttl: r.ttl, id: r.id, df: r.df, tos: r.tos } : { version: 6 as const, src: r.src6, dst: r.dst6, ttl: r.ttl, tos: r.tos, flowLabel: r.flowLabel },
    l4: r.tcp
      ? { proto: "tcp" as const, sport: r.sport, dport: r.dport, seq: r.seq, ack: r.ack, flags: r.flags, window: r.window, options: r.options }
      : { proto: "udp" as const, sport: r.sport, dport: r.dport },
    payloadLen: r.payloadLen,
  }));

describe("writePacket + parsePacket round trip", () => {
  it("every field comes back; checksums verify and match the explicit oracle", () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const r = writePacket(core, 9, spec);
        const p = parseSkb(core, 9, { verifyL4Checksum: true });
        expect(p.headerLen).toBe(r.hdrLen);
        expect(p.payloadLen).toBe(spec.payloadLen);
        expect(core.skb.len[9]).toBe(r.hdrLen + spec.payloadLen!);
        const ip = spec.ip;
        const srcText = ip.version === 4 ? Array.from(ip.src as Uint8Array).join(".") : formatIPv6(ip.src as Uint8Array);
        expect(p.ip!.src).toBe(srcText);
        if (ip.version === 4) expect(p.ip).toMatchObject({ version: 4, ttl: ip.ttl, id: ip.id, df: ip.df, tos: ip.tos, checkOk: true });
        else expect(p.ip).toMatchObject({ version: 6, hopLimit: ip.ttl, trafficClass: ip.tos, flowLabel: ip.flowLabel });
        const l4 = spec.l4;
        if (l4.proto === "tcp") {
          const { kinds, ...opts } = (p.l4 as { options: { kinds: number[] } }).options;
          void kinds;
          expect(p.l4).toMatchObject({ proto: "tcp", sport: l4.sport, dport: l4.dport, seq: l4.seq, ack: l4.ack, flags: l4.flags, window: l4.window });
          expect(opts).toEqual(l4.options);
        } else {
          expect(p.l4).toMatchObject({ proto: "udp", sport: l4.sport, dport: l4.dport, length: 8 + spec.payloadLen! });
        }
        const frame = core.headers.subarray(9 * 128, 9 * 128 + r.hdrLen);
        const want = explicitL4Checksum(frame, spec.payloadLen!);
        expect(p.l4!.check).toBe(l4.proto === "udp" && want === 0 ? 0xffff : want);
      }),
      { numRuns: 300 },
    );
  });
});

describe("hot path: template copy + in-place patches", () => {
  it("copyHeaders stamps bytes and header columns", () => {
    writePacket(core, 10, syn);
    core.skb.hash[11] = 77;
    copyHeaders(core, 10, 11);
    expect(core.headers.slice(11 * 128, 11 * 128 + 74)).toEqual(core.headers.slice(10 * 128, 10 * 128 + 74));
    expect([core.skb.len[11], core.skb.hdrLen[11], core.skb.transport[11], core.skb.protocol[11], core.skb.hash[11]]).toEqual([74, 74, 34, 0x0800, 77]);
    expect(code(() => copyHeaders(core, 10, 1000))).toBe("BAD_ARGUMENT");
  });

  it("patched packets are byte-identical to packets built from the patched spec", () => {
    const data = (v: 4 | 6, seq: number, ack: number, flags: number, win: number, ts: [number, number], id: number, payloadLen: number): PacketSpec => ({
      ip: v === 4 ? { version: 4, src: parseIPv4("192.0.2.1")!, dst: "192.0.2.2", id } : { version: 6, src: parseIPv6("2001:db8::a")!, dst: "2001:db8::b" },
      l4: { proto: "tcp", sport: 33000, dport: 5201, seq, ack, flags, window: win, options: { ts: { val: ts[0], ecr: ts[1] } } },
      payloadLen,
    });
    fc.assert(
      fc.property(
        fc.constantFrom(4 as const, 6 as const),
        u32,
        u32,
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.tuple(u32, u32),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 65000 }),
        (v, seq, ack, flags, win, ts, id, pl) => {
          writePacket(core, 12, data(v, 0, 0, TCPHDR_ACK, 512, [0, 0], 0, 1448)); // the template
          copyHeaders(core, 12, 13);
          setTcpSeq(core, 13, seq);
          setTcpAck(core, 13, ack);
          setTcpFlags(core, 13, flags);
          setTcpWindow(core, 13, win);
          expect(setTcpTimestamps(core, 13, ts[0], ts[1])).toBe(true);
          setIpId(core, 13, id);
          setPayloadLen(core, 13, pl);
          writePacket(core, 14, data(v, seq, ack, flags, win, ts, id, pl));
          expect(Buffer.from(core.headers.subarray(13 * 128, 13 * 128 + 66 + (v === 6 ? 20 : 0))).toString("hex")).toBe(
            Buffer.from(core.headers.subarray(14 * 128, 14 * 128 + 66 + (v === 6 ? 20 : 0))).toString("hex"),
          );
          expect(core.skb.len[13]).toBe(core.skb.len[14]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("setPayloadLen on UDP keeps length and checksum right; range errors are typed", () => {
    writePacket(core, 15, { ip: { version: 4, src: "10.1.1.1", dst: "10.1.1.2" }, l4: { proto: "udp", sport: 9, dport: 9 }, payloadLen: 10 });
    setPayloadLen(core, 15, 999);
    const p = parseSkb(core, 15, { verifyL4Checksum: true });
    expect(p.l4).toMatchObject({ proto: "udp", length: 1007 });
    expect(p.payloadLen).toBe(999);
    expect(code(() => setPayloadLen(core, 15, 65535 - 28 + 1))).toBe("BAD_ARGUMENT");
    expect(code(() => setPayloadLen(core, 15, -1))).toBe("BAD_ARGUMENT");
    expect(code(() => setTcpSeq(core, 15, 1))).toBe("BAD_ARGUMENT"); // UDP: refused, not corrupted
    expect(code(() => setTcpSeq(core, 1000, 1))).toBe("BAD_ARGUMENT");
    expect(code(() => setIpId(core, 1000, 1))).toBe("BAD_ARGUMENT");
  });
});

describe("parsePacket on garbage", () => {
  it("random frames and corrupted valid frames only ever throw WireError", () => {
    fc.assert(
      fc.property(specArb, fc.array(fc.tuple(fc.nat(127), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(130), fc.nat(70000), (spec, flips, cut, extra) => {
        const buf = new Uint8Array(128);
        const r = buildHeaders(spec, buf, 0);
        for (const [i, v] of flips) buf[i] = v;
        try {
          parsePacket(buf, 0, Math.min(cut, r.hdrLen + 8), r.len + (extra % 3 === 0 ? 0 : extra - 35000));
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 140 }), fc.integer({ min: -3, max: 150 }), fc.integer({ min: -3, max: 200 }), (b, off, len) => {
        if (b.length > 14) {
          b[12] = 0x08;
          b[13] = len & 1 ? 0x00 : 0xdd;
          if (len & 1) b[14] = 0x45;
          else b[12] = 0x86;
        }
        try {
          parsePacket(b, off, len, len + 5);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("IPv6 extension headers and VLAN tags are UNSUPPORTED; other protocols parse with l4 = null", () => {
    const b = new Uint8Array(128);
    buildHeaders({ ip: { version: 6, src: "::1", dst: "::2" }, l4: { proto: "udp", sport: 1, dport: 2 } }, b, 0);
    b[20] = 44; // fragment header
    expect(code(() => parsePacket(b, 0, 62))).toBe("UNSUPPORTED");
    b[20] = 58; // ICMPv6
    const p = parsePacket(b, 0, 62);
    expect(p.l4).toBeNull();
    expect(p.headerLen).toBe(54);
    const arp = new Uint8Array(42);
    arp[12] = 0x08;
    arp[13] = 0x06;
    expect(parsePacket(arp, 0, 42)).toMatchObject({ ip: null, l4: null, headerLen: 14, payloadLen: 28 });
  });

  it("a non-first IPv4 fragment has no L4 header", () => {
    const b = new Uint8Array(128);
    buildHeaders({ ip: { version: 4, src: "10.0.0.1", dst: "10.0.0.2", df: false }, l4: { proto: "udp", sport: 1, dport: 2 }, payloadLen: 100 }, b, 0);
    b[20] = 0x00;
    b[21] = 0x10; // fragment offset 16 * 8
    b[24] = 0;
    b[25] = 0;
    expect(code(() => parsePacket(b, 0, 42, 142))).toBe("BAD_CHECKSUM"); // not yet re-summed
    ipv4SendCheck(b, 14);
    const p = parsePacket(b, 0, 42, 142);
    expect(p.l4).toBeNull();
    expect(p.l4CheckOk).toBeNull();
    expect(p.ip).toMatchObject({ fragOff: 16, checkOk: true });
  });

  it("TCP/UDP header flags ride along in parsed output", () => {
    writePacket(core, 16, { ...syn, l4: { ...syn.l4, flags: TCPHDR_ACK | TCPHDR_PSH } as PacketSpec["l4"], payloadLen: 1448 });
    expect(parseSkb(core, 16).l4).toMatchObject({ flags: 0x18 });
  });
});

describe("HeaderTemplate", () => {
  it("stamps the same bytes and columns as writePacket", async () => {
    const { HeaderTemplate, writePacket } = await import("../../src/wire/skb-headers.js");
    const { createCore } = await import("../../src/core/node.js");
    const core = await createCore({ skbs: 8, ringSlots: 64, wheelEntries: 64 });
    core.allocBurst(2);
    const [a, b] = [core.scratch[0]!, core.scratch[1]!];
    const spec = { ip: { version: 4 as const, src: "10.0.0.1", dst: "10.0.0.2", id: 7 }, l4: { proto: "udp" as const, sport: 40000, dport: 9000 }, payloadLen: 100 };
    writePacket(core, a, spec);
    new HeaderTemplate(spec).stamp(core, b);
    const cols = ["len", "hdrLen", "mac", "network", "transport", "protocol"] as const;
    for (const c of cols) expect(core.skb[c][b], c).toBe(core.skb[c][a]);
    const n = core.skb.hdrLen[a]!;
    expect(Array.from(core.headers.subarray(b * 128, b * 128 + n))).toEqual(Array.from(core.headers.subarray(a * 128, a * 128 + n)));
  });
});
