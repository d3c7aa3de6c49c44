import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshCore } from "../helpers.js";
import type { Core } from "../../src/core/core.js";
import { WireError } from "../../src/wire/errors.js";
import { PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapWriter, pcapMaxSnaplen, readPcap, readPcapHeader } from "../../src/wire/pcap.js";
import { PcapFileReader, PcapFileWriter, readPcapFile } from "../../src/wire/pcap-node.js";
import { parsePacket, writePacket, type PacketSpec } from "../../src/wire/skb-headers.js";
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_PSH, TCPHDR_SYN } from "../../src/wire/tcp.js";

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

let core: Core;
let dir: string;
beforeAll(async () => {
  core = await freshCore({ skbs: 32 });
  dir = mkdtempSync(join(tmpdir(), "skbsim-pcap-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("PcapWriter", () => {
  it("writes the documented global header and record layout (little endian, ns)", () => {
    const w = new PcapWriter();
    w.writeRecord(1_500_000_123, hexBytes("aabbcc"), 0, 3, 60);
    expect(Buffer.from(w.toBytes()).toString("hex")).toBe(
      "4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400" + "01000000" + // magic, 2.4, zone, sigfigs, snaplen 262144, Ethernet
        "01000000" + "7b65cd1d" + "03000000" + "3c000000" + "aabbcc", // 1 s, 500000123 ns, caplen 3, len 60
    );
  });

  it("microsecond files truncate the fraction", () => {
    const w = new PcapWriter({ nanos: false });
    w.writeRecord(2_000_001_999, new Uint8Array(1), 0, 1, 1);
    const { header, records } = readPcap(w.toBytes());
    expect(header.nanos).toBe(false);
    expect(records[0]).toMatchObject({ tsSec: 2, tsFrac: 1, tsNs: 2_000_001_000 });
  });

  it("round trip: skbs in, records out, headers parse back; chunks go to the sink incrementally", () => {
    const chunks: Uint8Array[] = [];
    const w = new PcapWriter({ sink: (c) => chunks.push(c), chunkBytes: 256 });
    const specs: PacketSpec[] = [];
    for (let i = 0; i < 20; i++) {
      const spec: PacketSpec = {
        ip: i % 2 ? { version: 6, src: "2001:db8::1", dst: "2001:db8::2" } : { version: 4, src: "10.0.0.1", dst: "10.0.0.2", id: i },
        l4: i % 3 ? { proto: "tcp", sport: 1000 + i, dport: 80, seq: i * 1448, flags: TCPHDR_ACK, options: { ts: { val: i, ecr: 0 } } } : { proto: "udp", sport: 53, dport: 1000 + i },
        payloadLen: i * 100,
      };
      specs.push(spec);
      writePacket(core, i, spec);
      core.skbTime.tstamp[i] = 1e9 * i + 7;
      w.writeSkb(core, i);
    }
    expect(chunks.length).toBeGreaterThan(3); // flushed as it went
    w.flush();
    const all = Buffer.concat(chunks);
    const { header, records } = readPcap(new Uint8Array(all));
    expect(header).toMatchObject({ nanos: true, bigEndian: false, versionMajor: 2, versionMinor: 4, snaplen: 262144, linktype: 1 });
    expect(records).toHaveLength(20);
    records.forEach((r, i) => {
      expect(r.tsNs).toBe(1e9 * i + 7);
      expect(r.caplen).toBe(core.skb.hdrLen[i]);
      expect(r.len).toBe(core.skb.len[i]);
      expect(r.data).toEqual(core.headers.subarray(i * 128, i * 128 + r.caplen));
      const p = parsePacket(r.data, 0, r.caplen, r.len, { verifyL4Checksum: true });
      expect(p.payloadLen).toBe(specs[i]!.payloadLen);
    });
  });

  it("zeroFillPayload writes the virtual payload as zeros up to the snaplen", () => {
    writePacket(core, 0, { ip: { version: 4, src: "10.0.0.1", dst: "10.0.0.2" }, l4: { proto: "udp", sport: 1, dport: 2 }, payloadLen: 300 });
    const w = new PcapWriter({ zeroFillPayload: true, snaplen: 200 });
    w.writeSkb(core, 0, 0);
    const r = readPcap(w.toBytes()).records[0]!;
    expect([r.caplen, r.len]).toEqual([200, 342]);
    expect(r.data.subarray(42).every((x) => x === 0)).toBe(true);
  });

  it("refuses bad arguments with typed errors", () => {
    const w = new PcapWriter();
    expect(code(() => w.writeRecord(-1, new Uint8Array(4), 0, 4, 4))).toBe("BAD_ARGUMENT");
    expect(code(() => w.writeRecord(NaN, new Uint8Array(4), 0, 4, 4))).toBe("BAD_ARGUMENT");
    expect(code(() => w.writeRecord(0, new Uint8Array(4), 2, 4, 4))).toBe("BAD_ARGUMENT");
    expect(code(() => w.writeRecord(0, new Uint8Array(4), 0, 4, 3))).toBe("BAD_ARGUMENT");
    expect(code(() => new PcapWriter({ snaplen: 0 }))).toBe("BAD_ARGUMENT");
    expect(code(() => w.writeSkb(core, 99))).toBe("BAD_ARGUMENT");
  });

  it("PcapFileWriter appends to a file and readPcapFile reads it back", () => {
    const path = join(dir, "a.pcap");
    const w = new PcapFileWriter(path, { chunkBytes: 64 });
    writePacket(core, 1, { ip: { version: 4, src: "10.0.0.1", dst: "10.0.0.2" }, l4: { proto: "tcp", sport: 1, dport: 2 } });
    for (let i = 0; i < 5; i++) w.writeSkb(core, 1, i * 1000);
    expect(readFileSync(path).length).toBeGreaterThan(24); // already on disk before close
    w.close();
    w.close();
    const { records } = readPcapFile(path);
    expect(records.map((r) => r.tsNs)).toEqual([0, 1000, 2000, 3000, 4000]);
  });
});

describe("pcap reader", () => {
  it("reads a hand-made big-endian microsecond file", () => {
    const f = hexBytes(
      "a1b2c3d4 0002 0004 00000000 00000000 0000ffff 00000001" +
        "5f5e1000 0000000a 00000004 00000040 deadbeef" + // 1600000000 s + 10 us, 4 of 64 bytes
        "5f5e1001 000f423f 00000000 00000000", // an empty record, frac 999999 us
    );
    const { header, records } = readPcap(f);
    expect(header).toMatchObject({ nanos: false, bigEndian: true, snaplen: 65535, linktype: 1 });
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ tsSec: 1600000000, tsFrac: 10, caplen: 4, len: 64, offset: 24 });
    expect(Buffer.from(records[0]!.data).toString("hex")).toBe("deadbeef");
    expect(records[1]).toMatchObject({ tsSec: 1600000001, tsFrac: 999999, caplen: 0, len: 0, offset: 44 });
  });

  it("reads a little-endian nanosecond header and a header-only file", () => {
    const f = hexBytes("4d3cb2a1 0200 0400 00000000 00000000 80000000 71000000");
    expect(readPcap(f)).toMatchObject({ header: { nanos: true, bigEndian: false, snaplen: 128, linktype: 113 }, records: [] });
    expect(readPcapHeader(hexBytes("a1b23c4d 0002 0004 00000000 00000000 00000080 00000001")).nanos).toBe(true);
    expect(PCAP_MAGIC_NS).toBe(0xa1b23c4d);
    expect(PCAP_MAGIC_US).toBe(0xa1b2c3d4);
  });

  const good = () => {
    const w = new PcapWriter({ snaplen: 128 });
    w.writeRecord(5, new Uint8Array(20).fill(7), 0, 20, 100);
    w.writeRecord(6, new Uint8Array(20).fill(8), 0, 20, 100);
    return w.toBytes();
  };

  it.each<[string, (b: Uint8Array) => Uint8Array, string, number]>([
    ["short global header", (b) => b.subarray(0, 23), "TRUNCATED", 0],
    ["bad magic", (b) => (b.set([1, 2, 3, 4], 0), b), "BAD_MAGIC", 0],
    ["pcapng", (b) => (b.set([0x0a, 0x0d, 0x0d, 0x0a], 0), b), "UNSUPPORTED", 0],
    ["version 3.4", (b) => ((b[4] = 3), b), "BAD_VERSION", 4],
    ["version 1.4 (archaic)", (b) => ((b[4] = 1), b), "BAD_VERSION", 4],
    ["version 2.5", (b) => ((b[6] = 5), b), "BAD_VERSION", 4],
    ["truncated record header", (b) => b.subarray(0, 24 + 36 + 10), "TRUNCATED", 60],
    ["truncated record data", (b) => b.subarray(0, b.length - 1), "TRUNCATED", 60],
    // max_snaplen_for_dlt(EN10MB) = 262144: caplen 262145 is refused whatever the snaplen
    ["caplen > 262144", (b) => (b.set([0x01, 0x00, 0x04, 0x00], 24 + 8), b), "BAD_LENGTH", 32],
  ])("%s -> %s", (_, corrupt, want, offset) => {
    try {
      readPcap(corrupt(good()));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WireError);
      expect((e as WireError).code).toBe(want);
      expect((e as WireError).offset).toBe(offset);
      expect((e as WireError).layer).toBe("pcap");
    }
  });

  // libpcap (sf-pcap.c) pcap_check_header / pcap_next_packet: what it takes that a strict reader might not
  describe("as libpcap takes it", () => {
    // LE ns file, snaplen S, linktype 1; records of (caplen, len, fill byte)
    const file = (snaplen: number, recs: [number, number, number][], version = "0200 0400", fracs: number[] = []) => {
      const h = hexBytes(`4d3cb2a1 ${version} 00000000 00000000 00000000 01000000`);
      new DataView(h.buffer).setUint32(16, snaplen, true);
      const parts: Uint8Array[] = [h];
      recs.forEach(([caplen, len, fill], i) => {
        const r = new Uint8Array(16 + caplen);
        const v = new DataView(r.buffer);
        v.setUint32(0, 7 + i, true);
        v.setUint32(4, fracs[i] ?? 5, true);
        v.setUint32(8, caplen, true);
        v.setUint32(12, len, true);
        r.fill(fill, 16);
        for (let k = 0; k < caplen; k++) r[16 + k] = (fill + k) & 0xff;
        parts.push(r);
      });
      return Uint8Array.from(Buffer.concat(parts));
    };

    it("snaplen 0 (or above INT_MAX): the link type's maximum (pcap_adjust_snapshot)", () => {
      const { header, records } = readPcap(file(0, [[100, 100, 1]]));
      expect(header).toMatchObject({ snaplen: 0, snapshot: 262144 });
      expect(records[0]).toMatchObject({ caplen: 100, len: 100, offset: 24 });
      expect(readPcapHeader(file(0x80000000, [])).snapshot).toBe(262144);
      // snaplen between the maximum and INT_MAX is kept (libpcap clamps only the bogus ones)
      expect(readPcapHeader(file(300000, [])).snapshot).toBe(300000);
      expect(pcapMaxSnaplen(231)).toBe(128 * 1024 * 1024);
      expect(pcapMaxSnaplen(249)).toBe(1024 * 1024);
      expect(pcapMaxSnaplen(279)).toBe(8 * 1024 * 1024);
    });

    it("caplen > snaplen (up to the maximum): the first snaplen bytes, the rest skipped, caplen reported = snaplen", () => {
      const f = file(64, [[100, 1500, 10], [20, 20, 200]]);
      const { records } = readPcap(f);
      expect(records.map((r) => [r.caplen, r.len, r.offset, r.data.length, r.data[0], r.data[63]])).toEqual([
        [64, 1500, 24, 64, 10, 73],
        [20, 20, 24 + 16 + 100, 20, 200, undefined],
      ]);
      // caplen > len is taken as it is (libpcap does not compare them)
      expect(readPcap(file(64, [[40, 30, 1]])).records[0]).toMatchObject({ caplen: 40, len: 30 });
      // a record cut inside the skipped part is truncated
      expect(code(() => readPcap(f.subarray(0, 24 + 16 + 80)))).toBe("TRUNCATED");
    });

    it("a timestamp fraction of a second or more is taken (libpcap does not check it)", () => {
      const r = readPcap(file(64, [[4, 4, 1]], "0200 0400", [1_500_000_000])).records[0]!;
      expect(r).toMatchObject({ tsSec: 7, tsFrac: 1_500_000_000, tsNs: 8_500_000_000 });
    });

    it("caplen and len swapped before 2.3 and in DG/UX 543.0; 2.3 swaps only where caplen > len", () => {
      // records written as (len, caplen): caplen 4 of 60 bytes on the wire
      const swapped = (v: string) => {
        const f = file(64, [[60, 4, 1]], v);
        return f.subarray(0, 24 + 16 + 4);
      };
      for (const v of ["0200 0200", "0200 0000", "1f02 0000"]) {
        const { header, records } = readPcap(swapped(v));
        expect(header.lengthsSwapped).toBe("yes");
        expect(records[0]).toMatchObject({ caplen: 4, len: 60 });
      }
      expect(readPcap(swapped("0200 0300")).records[0]).toMatchObject({ caplen: 4, len: 60 });
      expect(readPcap(file(64, [[4, 60, 1]], "0200 0300")).records[0]).toMatchObject({ caplen: 4, len: 60 });
      expect(code(() => readPcapHeader(file(64, [], "1f02 0100")))).toBe("BAD_VERSION");
    });

    it("PcapFileReader reads in chunks: the same records as readPcap, a record larger than the chunk, the offsets in the file", () => {
      const f = file(64, [[100, 1500, 10], [20, 20, 200], [0, 0, 0], [64, 64, 3]]);
      const path = join(dir, "chunks.pcap");
      writeFileSync(path, f);
      const want = readPcap(f).records.map((r) => ({ ...r, data: Array.from(r.data) }));
      for (const chunk of [24, 25, 40, 1 << 16]) {
        const r = new PcapFileReader(path, chunk);
        const got = Array.from(r.records()).map((x) => ({ ...x, data: Array.from(x.data) }));
        r.close();
        expect(got).toEqual(want);
      }
      expect(readPcapFile(path).records).toHaveLength(4);
      // truncated in the file: the record's offset
      writeFileSync(path, f.subarray(0, f.length - 1));
      const r = new PcapFileReader(path, 32);
      try {
        Array.from(r.records());
        expect.unreachable();
      } catch (e) {
        expect((e as WireError).code).toBe("TRUNCATED");
        expect((e as WireError).offset).toBe(24 + 116 + 36 + 16);
      } finally {
        r.close();
      }
    });

    it("PcapFileReader on an endless device reads one chunk: /dev/zero is refused at its magic", () => {
      expect(code(() => new PcapFileReader("/dev/zero"))).toBe("BAD_MAGIC");
    });
  });

  it("garbage never throws anything but WireError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (tail, ns) => {
        const hdr = ns ? hexBytes("4d3cb2a1 0200 0400 00000000 00000000 40000000 01000000") : hexBytes("a1b2c3d4 0002 0004 00000000 00000000 00000040 00000001");
        const f = new Uint8Array(hdr.length + tail.length);
        f.set(hdr);
        f.set(tail, hdr.length);
        for (const cut of [f.length, 3, 30]) {
          try {
            readPcap(f.subarray(0, cut));
          } catch (e) {
            expect(e).toBeInstanceOf(WireError);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

const TSHARK = spawnSync("tshark", ["-v"], { stdio: "ignore" }).status === 0;

describe("tshark cross-check", () => {
  function handshake(w: PcapWriter): number[] {
    const c4 = { version: 4 as const, src: "192.0.2.1", dst: "192.0.2.2" };
    const s4 = { version: 4 as const, src: "192.0.2.2", dst: "192.0.2.1" };
    const syn = { mss: 1460, sackPerm: true, wscale: 7 };
    const flow: PacketSpec[] = [
      { ip: { ...c4, id: 1 }, l4: { proto: "tcp", sport: 40000, dport: 5201, seq: 1000, flags: TCPHDR_SYN, window: 64240, options: { ...syn, ts: { val: 100, ecr: 0 } } } },
      { ip: { ...s4, id: 0 }, l4: { proto: "tcp", sport: 5201, dport: 40000, seq: 9000, ack: 1001, flags: TCPHDR_SYN | TCPHDR_ACK, window: 65160, options: { ...syn, ts: { val: 500, ecr: 100 } } } },
      { ip: { ...c4, id: 2 }, l4: { proto: "tcp", sport: 40000, dport: 5201, seq: 1001, ack: 9001, flags: TCPHDR_ACK, window: 502, options: { ts: { val: 101, ecr: 500 } } } },
    ];
    for (let k = 0; k < 4; k++) {
      flow.push({ ip: { ...c4, id: 3 + k }, l4: { proto: "tcp", sport: 40000, dport: 5201, seq: 1001 + k * 1448, ack: 9001, flags: TCPHDR_ACK | TCPHDR_PSH, window: 502, options: { ts: { val: 102 + k, ecr: 500 } } }, payloadLen: 1448 });
    }
    flow.push({ ip: { ...s4, id: 1 }, l4: { proto: "tcp", sport: 5201, dport: 40000, seq: 9001, ack: 1001 + 4 * 1448, flags: TCPHDR_ACK, window: 1000, options: { ts: { val: 510, ecr: 105 }, sack: [[1001 + 5 * 1448, 1001 + 6 * 1448]] } } });
    flow.push({ ip: { ...c4, id: 7 }, l4: { proto: "tcp", sport: 40000, dport: 5201, seq: 1001 + 4 * 1448, ack: 9001, flags: TCPHDR_FIN | TCPHDR_ACK, window: 502, options: { ts: { val: 110, ecr: 510 } } } });
    flow.push({ ip: { version: 6, src: "2001:db8::1", dst: "2001:db8::2", flowLabel: 0xbeef }, l4: { proto: "tcp", sport: 1, dport: 2, seq: 5, flags: TCPHDR_SYN, window: 100, options: { ...syn, ts: { val: 1, ecr: 0 } } } });
    flow.push({ ip: { version: 6, src: "2001:db8::1", dst: "2001:db8::2" }, l4: { proto: "udp", sport: 5000, dport: 6000 }, payloadLen: 333 });
    flow.push({ ip: { version: 4, src: "198.51.100.1", dst: "198.51.100.2" }, l4: { proto: "udp", sport: 5000, dport: 6000 }, payloadLen: 777 });
    flow.forEach((spec, i) => {
      writePacket(core, 20, spec);
      w.writeSkb(core, 20, 1000 * i);
    });
    return flow.map((s) => (s.l4.proto === "tcp" ? s.l4.flags ?? 0 : -1));
  }
  const IPV4_ROWS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 11];

  function tshark(path: string): string[][] {
    const r = spawnSync(
      "tshark",
      ["-n", "-r", path, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
        "-T", "fields", "-E", "occurrence=f", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "udp.checksum.status",
        "-e", "tcp.flags", "-e", "_ws.malformed", "-e", "_ws.expert.severity"],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.replace(/\n$/, "").split("\n").map((l) => l.split("\t"));
  }

  const PI_WARN = 0x00600000;

  (TSHARK ? it : it.skip)(
    TSHARK ? "tshark decodes a headers-only capture: no malformed frames, IPv4 checksums good" : "tshark check skipped: tshark is not installed",
    () => {
      const path = join(dir, "hs.pcap");
      const w = new PcapFileWriter(path);
      const flags = handshake(w);
      w.close();
      const rows = tshark(path);
      expect(rows).toHaveLength(flags.length);
      rows.forEach(([ipStatus, , , tcpFlags, malformed, severity], i) => {
        expect(ipStatus).toBe(IPV4_ROWS.includes(i) ? "1" : ""); // 1 = good
        if (flags[i]! >= 0) expect(Number(tcpFlags)).toBe(flags[i]);
        expect(malformed).toBe("");
        expect(Number(severity || 0)).toBeLessThan(PI_WARN);
      });
    },
  );

  (TSHARK ? it : it.skip)(
    TSHARK ? "tshark verifies TCP/UDP checksums when the payload is written as zeros" : "tshark check skipped: tshark is not installed",
    () => {
      const path = join(dir, "zf.pcap");
      const w = new PcapFileWriter(path, { zeroFillPayload: true });
      const flags = handshake(w);
      w.close();
      const rows = tshark(path);
      expect(rows).toHaveLength(flags.length);
      rows.forEach(([, tcpStatus, udpStatus, , malformed], i) => {
        expect(flags[i]! >= 0 ? tcpStatus : udpStatus).toBe("1");
        expect(malformed).toBe("");
      });
    },
  );
});
