import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { WireError } from "../../src/wire/errors.js";
import { parseEthHeader, writeEthHeader, ETH_P_IP, ETH_P_8021Q } from "../../src/wire/eth.js";
import { parseIpv4Header, writeIpv4Header, ipv4SendCheck, setIpv4Field16, IPV4_ID, IPV4_TOT_LEN } from "../../src/wire/ipv4.js";
import { parseIpv6Header, writeIpv6Header } from "../../src/wire/ipv6.js";
import {
  parseTcpHeader,
  parseTcpOptions,
  tcpFlagsString,
  tcpSetTimestamps,
  tcpTimestampOffset,
  writeTcpHeader,
  writeTcpOptions,
  TCPHDR_ACK,
  TCPHDR_CWR,
  TCPHDR_ECE,
  TCPHDR_FIN,
  TCPHDR_PSH,
  TCPHDR_RST,
  TCPHDR_SYN,
  TCPHDR_URG,
  TCPOPT_EOL,
  TCPOPT_MSS,
  TCPOPT_NOP,
  TCPOPT_SACK,
  TCPOPT_SACK_PERM,
  TCPOPT_TIMESTAMP,
  TCPOPT_WINDOW,
  type TcpOptions,
} from "../../src/wire/tcp.js";
import { parseUdpHeader, writeUdpHeader } from "../../src/wire/udp.js";
import { parseIPv4, parseIPv6 } from "../../src/wire/addr.js";
import { internetChecksum } from "../../src/wire/csum.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const hexBytes = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof WireError) return e.code;
    throw e;
  }
  return "OK";
}

describe("Ethernet", () => {
  it("writes and parses", () => {
    const b = new Uint8Array(16);
    writeEthHeader(b, 1, hexBytes("02005e005301"), hexBytes("02005e005302"), ETH_P_IP);
    expect(hex(b.subarray(1, 15))).toBe("02005e00530102005e0053020800");
    expect(parseEthHeader(b, 1)).toEqual({ dst: "02:00:5e:00:53:01", src: "02:00:5e:00:53:02", ethertype: 0x0800 });
  });
  it("truncated and VLAN-tagged frames are typed errors", () => {
    expect(code(() => parseEthHeader(new Uint8Array(13), 0))).toBe("TRUNCATED");
    expect(code(() => parseEthHeader(new Uint8Array(20), 0, 10))).toBe("TRUNCATED");
    const b = new Uint8Array(14);
    b[12] = ETH_P_8021Q >> 8;
    expect(code(() => parseEthHeader(b, 0))).toBe("UNSUPPORTED");
  });
});

describe("IPv4 header", () => {
  const f = { src: parseIPv4("192.168.0.1")!, dst: parseIPv4("192.168.0.199")!, protocol: 17, totLen: 0x73, df: true, ttl: 64 };

  it("matches the known header bytes, checksum 0xb861", () => {
    const b = new Uint8Array(20);
    expect(writeIpv4Header(b, 0, f)).toBe(20);
    expect(hex(b)).toBe("45000073000040004011b861c0a80001c0a800c7");
    expect(code(() => parseIpv4Header(b, 0))).toBe("BAD_LENGTH"); // 20 bytes cannot hold tot_len 0x73
    const p = parseIpv4Header(b, 0, 20, 0x73);
    expect(p).toMatchObject({ version: 4, ihl: 5, totLen: 0x73, df: true, mf: false, fragOff: 0, ttl: 64, protocol: 17, check: 0xb861, checkOk: true, src: "192.168.0.1", dst: "192.168.0.199" });
  });

  it("options set the IHL and are covered by the checksum", () => {
    const b = new Uint8Array(32);
    const hl = writeIpv4Header(b, 4, { ...f, totLen: 100, options: hexBytes("01010100"), id: 0x1234, mf: true, fragOff: 5, tos: 0xb8 });
    expect(hl).toBe(24);
    expect(b[4]).toBe(0x46);
    const p = parseIpv4Header(b, 4, 28, 100);
    expect(p).toMatchObject({ ihl: 6, headerLen: 24, id: 0x1234, mf: true, df: true, fragOff: 5, tos: 0xb8, checkOk: true });
    expect(hex(p.options)).toBe("01010100");
    expect(code(() => writeIpv4Header(b, 0, { ...f, options: new Uint8Array(3) }))).toBe("BAD_OPTION");
  });

  it("in-place field changes keep the checksum valid", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 20, max: 0xffff }), (id, tl) => {
        const b = new Uint8Array(20);
        writeIpv4Header(b, 0, f);
        setIpv4Field16(b, 0, IPV4_ID, id);
        setIpv4Field16(b, 0, IPV4_TOT_LEN, tl);
        expect(internetChecksum(b, 0, 20)).toBe(0);
        const full = b.slice();
        ipv4SendCheck(full, 0);
        expect(internetChecksum(full, 0, 20)).toBe(0);
      }),
    );
  });

  it("malformed headers give the right code, in ip_rcv_core's order", () => {
    const good = () => {
      const b = new Uint8Array(20);
      writeIpv4Header(b, 0, f);
      return b;
    };
    expect(code(() => parseIpv4Header(good(), 0, 19))).toBe("TRUNCATED");
    let b = good();
    b[0] = 0x65;
    expect(code(() => parseIpv4Header(b, 0))).toBe("BAD_VERSION");
    b = good();
    b[0] = 0x44;
    expect(code(() => parseIpv4Header(b, 0))).toBe("BAD_IHL");
    b = good();
    b[0] = 0x46;
    expect(code(() => parseIpv4Header(b, 0))).toBe("TRUNCATED");
    b = good();
    b[2] = 0;
    b[3] = 19;
    expect(code(() => parseIpv4Header(b, 0))).toBe("BAD_LENGTH");
    expect(code(() => parseIpv4Header(good(), 0, 20, 0x72))).toBe("BAD_LENGTH");
    b = good();
    b[8] = 63;
    expect(code(() => parseIpv4Header(b, 0, 20, 0x73))).toBe("BAD_CHECKSUM");
    expect(parseIpv4Header(b, 0, 20, 0x73, false).checkOk).toBe(false);
    const e = (() => {
      try {
        parseIpv4Header(b, 0, 20, 0x73);
      } catch (x) {
        return x as WireError;
      }
    })()!;
    expect(e).toBeInstanceOf(WireError);
    expect(e.layer).toBe("ipv4");
    expect(e.offset).toBe(10);
  });
});

describe("IPv6 header", () => {
  it("writes and parses all fields", () => {
    const b = new Uint8Array(40);
    writeIpv6Header(b, 0, { src: parseIPv6("2001:db8::1")!, dst: parseIPv6("2001:db8::2")!, nextHeader: 6, payloadLen: 1000, hopLimit: 7, trafficClass: 0xab, flowLabel: 0xcdef1 });
    expect(hex(b.subarray(0, 8))).toBe("6abcdef103e80607");
    expect(parseIpv6Header(b, 0, 40, 1040)).toEqual({
      version: 6, headerLen: 40, trafficClass: 0xab, flowLabel: 0xcdef1, payloadLen: 1000, nextHeader: 6, hopLimit: 7, src: "2001:db8::1", dst: "2001:db8::2",
    });
  });
  it("malformed headers", () => {
    const b = new Uint8Array(40);
    writeIpv6Header(b, 0, { src: new Uint8Array(16), dst: new Uint8Array(16), nextHeader: 17, payloadLen: 8 });
    expect(code(() => parseIpv6Header(b, 0, 39))).toBe("TRUNCATED");
    expect(code(() => parseIpv6Header(b, 0, 40, 47))).toBe("BAD_LENGTH");
    b[0] = 0x40;
    expect(code(() => parseIpv6Header(b, 0))).toBe("BAD_VERSION");
    expect(code(() => writeIpv6Header(b, 0, { src: new Uint8Array(16), dst: new Uint8Array(16), nextHeader: 17, payloadLen: 8, flowLabel: 1 << 20 }))).toBe("BAD_ARGUMENT");
  });
});

describe("TCP header and options", () => {
  it("flag constants are the kernel's (include/net/tcp.h)", () => {
    expect([TCPHDR_FIN, TCPHDR_SYN, TCPHDR_RST, TCPHDR_PSH, TCPHDR_ACK, TCPHDR_URG, TCPHDR_ECE, TCPHDR_CWR]).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
    expect(tcpFlagsString(TCPHDR_SYN | TCPHDR_ACK)).toBe("ACK|SYN");
  });

  it("a SYN's options use tcp_options_write's layout: MSS | SACK_PERM+TS | NOP+WS = 20 bytes", () => {
    const b = new Uint8Array(40);
    const n = writeTcpOptions(b, 0, { mss: 1460, sackPerm: true, ts: { val: 0x01020304, ecr: 0 }, wscale: 7 });
    expect(n).toBe(20);
    expect(hex(b.subarray(0, n))).toBe("020405b4" + "0402080a" + "01020304" + "00000000" + "01030307");
  });

  it("a data segment's timestamps are NOP,NOP,TS = 12 bytes; SACK blocks follow as NOP,NOP,SACK", () => {
    const b = new Uint8Array(40);
    expect(writeTcpOptions(b, 0, { ts: { val: 5, ecr: 6 } })).toBe(12);
    expect(hex(b.subarray(0, 12))).toBe("0101080a0000000500000006");
    const n = writeTcpOptions(b, 0, { ts: { val: 5, ecr: 6 }, sack: [[100, 200]] });
    expect(n).toBe(24);
    expect(hex(b.subarray(12, 24))).toBe("0101050a" + "00000064" + "000000c8");
    expect(writeTcpOptions(b, 0, { sackPerm: true })).toBe(4);
    expect(hex(b.subarray(0, 4))).toBe("01010402");
  });

  it("too many options are BAD_OPTION", () => {
    const b = new Uint8Array(60);
    const four: [number, number][] = [[1, 2], [3, 4], [5, 6], [7, 8]];
    expect(code(() => writeTcpOptions(b, 0, { ts: { val: 1, ecr: 1 }, sack: four }))).toBe("BAD_OPTION");
    expect(writeTcpOptions(b, 0, { sack: four })).toBe(36);
  });

  const optsArb: fc.Arbitrary<TcpOptions> = fc.record(
    {
      mss: fc.integer({ min: 0, max: 0xffff }),
      wscale: fc.integer({ min: 0, max: 14 }),
      sackPerm: fc.constant(true),
      ts: fc.record({ val: fc.integer({ min: 0, max: 0xffffffff }), ecr: fc.integer({ min: 0, max: 0xffffffff }) }),
      sack: fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: [] },
  );

  it("options round-trip through write and parse", () => {
    fc.assert(
      fc.property(optsArb, (o) => {
        const b = new Uint8Array(40);
        const n = writeTcpOptions(b, 0, o);
        expect(n % 4).toBe(0);
        const { kinds, ...p } = parseTcpOptions(b, 0, n);
        void kinds;
        expect(p).toEqual(o);
      }),
    );
  });

  it("parsing tolerates any order, lone NOPs and EOL", () => {
    const b = hexBytes("01 030308 080a 00000001 00000002 0402 02040218 00 000000");
    expect(b.length).toBe(24);
    const p = parseTcpOptions(b, 0, b.length);
    expect(p).toMatchObject({ wscale: 8, ts: { val: 1, ecr: 2 }, sackPerm: true, mss: 0x218 });
    expect(p.kinds).toEqual([TCPOPT_NOP, TCPOPT_WINDOW, TCPOPT_TIMESTAMP, TCPOPT_SACK_PERM, TCPOPT_MSS, TCPOPT_EOL]);
    expect(parseTcpOptions(hexBytes("fe04abcd"), 0, 4).kinds).toEqual([0xfe]); // unknown kind skipped by length
    expect(parseTcpOptions(hexBytes("05 12 00000001 00000002 00000003 00000004"), 0, 18).sack).toEqual([[1, 2], [3, 4]]);
    void TCPOPT_SACK;
  });

  it.each([
    ["02", "no length byte"],
    ["0201", "length below 2"],
    ["0205050505", "MSS length 5"],
    ["020405", "runs past the end"],
    ["0802", "timestamp length 2"],
    ["0502", "SACK with no block"],
    ["050b0000000000000000000000", "SACK length not 2+8n"],
  ])("option bytes %s are BAD_OPTION (%s)", (h) => {
    const b = hexBytes(h);
    expect(code(() => parseTcpOptions(b, 0, b.length))).toBe("BAD_OPTION");
  });

  it("header round trip and data offset checks", () => {
    const b = new Uint8Array(64);
    const hl = writeTcpHeader(b, 2, { sport: 40000, dport: 443, seq: 0xfffffff0, ack: 7, flags: TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR, window: 64240, urgent: 3, options: { mss: 1460, sackPerm: true, ts: { val: 9, ecr: 0 }, wscale: 7 } });
    expect(hl).toBe(40);
    const p = parseTcpHeader(b, 2, 40, 40);
    expect(p).toMatchObject({ sport: 40000, dport: 443, seq: 0xfffffff0, ack: 7, doff: 10, headerLen: 40, flags: 0xc2, window: 64240, urgent: 3 });
    expect(p.options).toMatchObject({ mss: 1460, sackPerm: true, ts: { val: 9, ecr: 0 }, wscale: 7 });
    expect(code(() => parseTcpHeader(b, 2, 39))).toBe("TRUNCATED");
    expect(code(() => parseTcpHeader(b, 2, 40, 39))).toBe("BAD_DATA_OFFSET");
    b[2 + 12] = 0x40;
    expect(code(() => parseTcpHeader(b, 2))).toBe("BAD_DATA_OFFSET");
    expect(code(() => parseTcpHeader(b, 2, 19))).toBe("TRUNCATED");
  });

  it("finds and patches timestamps anywhere, keeping the checksum sum constant", () => {
    // TS after a lone NOP lands on an odd offset: the odd-alignment update path
    const b = hexBytes("0000 0000 00000000 00000000 8000 0000 0000 0000" + "01 080a 00000011 00000022 00");
    expect(b.length).toBe(32);
    const before = internetChecksum(b, 0, 32);
    expect(tcpTimestampOffset(b, 0)).toBe(23);
    b[16] = before >> 8;
    b[17] = before & 0xff;
    expect(internetChecksum(b, 0, 32)).toBe(0);
    expect(tcpSetTimestamps(b, 0, 0xdeadbeef, 0x01020304)).toBe(true);
    expect(hex(b.subarray(23, 31))).toBe("deadbeef01020304");
    expect(internetChecksum(b, 0, 32)).toBe(0);
    const none = new Uint8Array(20);
    none[12] = 0x50;
    expect(tcpSetTimestamps(none, 0, 1, 2)).toBe(false);
  });
});

describe("UDP header", () => {
  it("writes, parses and checks lengths", () => {
    const b = new Uint8Array(8);
    writeUdpHeader(b, 0, 53, 5353, 108);
    expect(hex(b)).toBe("003514e9006c0000");
    expect(parseUdpHeader(b, 0, 8, 108)).toEqual({ sport: 53, dport: 5353, length: 108, check: 0, headerLen: 8 });
    expect(code(() => parseUdpHeader(b, 0, 8, 107))).toBe("BAD_LENGTH");
    expect(code(() => parseUdpHeader(b, 0, 7))).toBe("TRUNCATED");
    b[5] = 7;
    b[4] = 0;
    expect(code(() => parseUdpHeader(b, 0))).toBe("BAD_LENGTH");
    expect(code(() => writeUdpHeader(b, 0, 1, 2, 7))).toBe("BAD_ARGUMENT");
  });
});

describe("header parsers never throw anything but WireError", () => {
  it("random bytes, offsets and lengths", () => {
    const parsers = [
      (b: Uint8Array, o: number, n: number) => parseEthHeader(b, o, n),
      (b: Uint8Array, o: number, n: number) => parseIpv4Header(b, o, n, n + 3),
      (b: Uint8Array, o: number, n: number) => parseIpv6Header(b, o, n, n),
      (b: Uint8Array, o: number, n: number) => parseTcpHeader(b, o, n, n),
      (b: Uint8Array, o: number, n: number) => parseTcpOptions(b, o, n),
      (b: Uint8Array, o: number, n: number) => parseUdpHeader(b, o, n),
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: -2, max: 90 }), fc.integer({ min: -2, max: 90 }), fc.nat(parsers.length - 1), (b, o, n, k) => {
        // make version/IHL/data-offset nibbles plausible often enough to get deep
        if (b.length > 12 && o >= 0 && o < b.length) b[o] = (b[o]! & 0x0f) | (k === 1 ? 0x40 : k === 2 ? 0x60 : b[o]! & 0xf0);
        try {
          parsers[k]!(b, o, n);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
