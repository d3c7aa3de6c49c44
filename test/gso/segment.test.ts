// GSO split rules checked field by field against values derived by hand from
// net/ipv4/tcp_offload.c (tcp_gso_segment) and net/ipv4/af_inet.c
// (inet_gso_segment): rx-tx-path.md §8.2 and predictions 11 and 17. Every
// segment is re-parsed from its bytes with src/wire (IPv4 header checksum and
// TCP checksum verified under the zero-filled-payload rule), and tshark reads
// a pcap of the segments when it is installed.
import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshCore } from "../helpers.js";
import type { Core } from "../../src/core/core.js";
import { createGso, SKB_GSO_TCP_FIXEDID, SKB_GSO_TCPV4, type Gso } from "../../src/core/gso.js";
import { parseSkb } from "../../src/wire/skb-headers.js";
import { PcapFileWriter } from "../../src/wire/pcap-node.js";
import { ACK, CWR, ECE, FIN, PSH, superPacket } from "./build.js";

let core: Core;
let gso: Gso;
beforeAll(async () => {
  core = await freshCore({ skbs: 256 });
  gso = createGso(core);
});

function segs(k: number, at = 0): number[] {
  return Array.from(core.scratch.subarray(at, at + k));
}
function tcp(h: number) {
  const p = parseSkb(core, h, { verifyIpChecksum: true, verifyL4Checksum: true });
  if (!p.ip || !p.l4 || p.l4.proto !== "tcp") throw new Error("not TCP");
  return { ip: p.ip, th: p.l4, p };
}

describe("prediction 11: payload 4000, MSS 1448, ACK|PSH|CWR, DF", () => {
  it("3 segments 1448/1448/1104; seq, IP ID, CWR first, PSH last, tot_len", () => {
    const S = 4294967000; // seq wraps inside the split
    const h = superPacket(core, { payload: 4000, mss: 1448, seq: S, id: 65535, flags: ACK | PSH | CWR | ECE, truesize: 10000 });
    const live = core.poolStats().live;
    const k = gso.segment(h, 0);
    expect(k).toBe(3);
    const out = segs(3);
    expect(core.skb.live[h]).toBe(0); // the super-packet is consumed
    expect(core.poolStats().live).toBe(live + 2);
    const pay = [1448, 1448, 1104];
    out.forEach((x, i) => {
      const { ip, th, p } = tcp(x);
      expect(p.l4CheckOk).toBe(true);
      expect(th.seq).toBe((S + i * 1448) >>> 0);
      expect(ip.version === 4 && ip.id).toBe((65535 + i) & 0xffff); // I, I+1, I+2 mod 2^16
      expect(ip.version === 4 && ip.df).toBe(true);
      expect(ip.version === 4 && ip.checkOk).toBe(true);
      expect(ip.version === 4 && ip.totLen).toBe(20 + 32 + pay[i]!);
      expect(th.flags).toBe([ACK | CWR | ECE, ACK | ECE, ACK | PSH | ECE][i]);
      expect(th.ack).toBe(7777);
      expect(th.window).toBe(502);
      expect(th.options.ts).toEqual({ val: 1000, ecr: 500 });
      const s = core.skb;
      expect([s.len[x], s.hdrLen[x], s.mac[x], s.network[x], s.transport[x], s.protocol[x]]).toEqual([66 + pay[i]!, 66, 0, 14, 34, 0x0800]);
      expect([s.gsoSize[x], s.gsoSegs[x], s.gsoType[x]]).toEqual([0, 0, 0]);
      expect([s.hash[x], s.queue[x], s.sk[x], s.mark[x], s.next[x]]).toEqual([0x51ccc178, 3, 17, 9, 0xffffffff]);
      expect(core.skbTime.tstamp[x]).toBe(123456);
      expect(core.skbTime.born[x]).toBe(5);
    });
    // truesize split by payload: floor(10000*1448/4000) = 3620, 3620, rest 2760
    expect(out.map((x) => core.skb.truesize[x])).toEqual([3620, 3620, 2760]);
    expect(gso.stats()).toMatchObject({ in: 1, segmented: 1, segsOut: 3 });
    core.scratch.set(out, 0);
    core.freeBurst(3, 0);
  });

  it("FIN goes to the last segment only; FIXEDID keeps every IP ID", () => {
    const h = superPacket(core, { payload: 3000, mss: 1000, id: 7, flags: ACK | FIN | PSH, gsoType: SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID });
    expect(gso.segment(h, 0)).toBe(3);
    const out = segs(3);
    expect(out.map((x) => tcp(x).th.flags)).toEqual([ACK, ACK, ACK | FIN | PSH]);
    expect(out.map((x) => (tcp(x).ip as { id: number }).id)).toEqual([7, 7, 7]);
    core.scratch.set(out, 0);
    core.freeBurst(3, 0);
  });
});

describe("64 KB super-packet", () => {
  it("45 segments of 1448 (payload 65160, L3 65212), every field", () => {
    const P = 45 * 1448;
    const h = superPacket(core, { payload: P, mss: 1448, seq: 1000, id: 300, flags: ACK | PSH, truesize: 90000 });
    expect(core.skb.len[h]).toBe(66 + P);
    expect(gso.segment(h, 100)).toBe(45);
    const out = segs(45, 100);
    expect(new Set(out).size).toBe(45);
    let sum = 0;
    out.forEach((x, i) => {
      const { ip, th, p } = tcp(x);
      expect(p.l4CheckOk).toBe(true);
      expect(th.seq).toBe(1000 + i * 1448);
      expect((ip as { id: number }).id).toBe(300 + i);
      expect((ip as { totLen: number }).totLen).toBe(1500);
      expect(core.skb.len[x]).toBe(1514);
      expect(th.flags).toBe(i === 44 ? ACK | PSH : ACK);
      sum += core.skb.truesize[x]!;
      expect(core.skb.truesize[x]).toBe(2000); // 90000 / 45
    });
    expect(sum).toBe(90000);
    core.scratch.set(out, 0);
    core.freeBurst(45, 0);
  });

  it("IPv6: payload_len per segment, TCP checksums over the v6 pseudo-header", () => {
    const h = superPacket(core, { v6: true, payload: 10000, mss: 1428, seq: 5, flags: ACK | PSH | CWR });
    expect(gso.segment(h, 0)).toBe(8); // ceil(10000 / 1428)
    const out = segs(8);
    out.forEach((x, i) => {
      const { ip, th, p } = tcp(x);
      const pay = i < 7 ? 1428 : 10000 - 7 * 1428;
      expect(p.l4CheckOk).toBe(true);
      expect(ip.version).toBe(6);
      expect((ip as { payloadLen: number }).payloadLen).toBe(32 + pay);
      expect(core.skb.len[x]).toBe(14 + 40 + 32 + pay);
      expect(core.skb.protocol[x]).toBe(0x86dd);
      expect(th.seq).toBe(5 + i * 1428);
      expect(th.flags).toBe(i === 0 ? ACK | CWR : i === 7 ? ACK | PSH : ACK);
    });
    core.scratch.set(out, 0);
    core.freeBurst(8, 0);
  });
});

describe("edges and failures", () => {
  it("payload <= MSS: the skb itself, checksums completed, gso fields cleared", () => {
    const h = superPacket(core, { payload: 1448, mss: 1448, flags: ACK | PSH | CWR });
    core.headers[h * 128 + 34 + 16] ^= 0xff; // a seed-only TCP checksum
    expect(gso.segment(h, 0)).toBe(1);
    expect(core.scratch[0]).toBe(h);
    expect(tcp(h).p.l4CheckOk).toBe(true);
    expect(tcp(h).th.flags).toBe(ACK | PSH | CWR);
    expect(core.skb.gsoSize[h]).toBe(0);
    core.freeOne(h);
  });

  it("bad input is refused, counted, the skb untouched", () => {
    const before = gso.stats().bad;
    const h = superPacket(core, { payload: 3000, mss: 1000, gsoType: 0 });
    expect(gso.segment(h, 0)).toBe(0);
    const h2 = superPacket(core, { payload: 3000, mss: 1000, df: false, gsoType: SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID });
    expect(gso.segment(h2, 0)).toBe(0); // fixed ID without DF: -EINVAL
    expect(gso.stats().bad).toBe(before + 2);
    expect(core.skb.live[h]).toBe(1);
    expect(() => gso.segment(-1)).toThrow(/h:/);
    expect(gso.segment(h, 0, 2)).toBe(0); // bad still wins
    core.freeOne(h);
    core.freeOne(h2);
    const h3 = superPacket(core, { payload: 3000, mss: 1000 });
    expect(gso.segment(h3, 0, 2)).toBe(0); // 3 segments, 2 slots
    expect(gso.stats().noRoom).toBe(1);
    core.freeOne(h3);
  });

  it("pool exhaustion: counted failure, nothing leaked, the super-packet kept", async () => {
    const small = await freshCore({ skbs: 8 });
    const g = createGso(small);
    const h = superPacket(small, { payload: 20 * 1448, mss: 1448 });
    const live = small.poolStats().live;
    expect(g.segment(h, 0)).toBe(0);
    expect(small.poolStats().live).toBe(live);
    expect(small.skb.live[h]).toBe(1);
    expect(g.stats().noMem).toBe(1);
    // the burst form drops it (validate_xmit_skb frees on error)
    small.scratch[0] = h;
    expect(g.segmentBurst(1, 0, 100, 64)).toEqual({ out: 0, consumed: 1 });
    expect(small.poolStats().live).toBe(0);
    expect(g.stats().dropped).toBe(1);
  });

  it("burst: non-GSO skbs pass, GSO skbs split, stops before an input that does not fit", () => {
    const a = superPacket(core, { payload: 4000, mss: 1448 });
    const b = superPacket(core, { payload: 500, mss: 1448 });
    core.skb.gsoSize[b] = 0; // a plain skb
    const c = superPacket(core, { payload: 3000, mss: 1000 });
    core.scratch.set([a, b, c], 0);
    expect(gso.segmentBurst(3, 0, 100, 5)).toEqual({ out: 4, consumed: 2 });
    expect(core.scratch[103]).toBe(b);
    core.scratch.set([c], 0);
    expect(gso.segmentBurst(1, 0, 100, 5)).toEqual({ out: 3, consumed: 1 });
    core.freeBurst(3, 100);
    core.freeOne(b);
    for (let x = 0; x < 256; x++) if (core.skb.live[x]) core.freeOne(x);
    expect(() => gso.segmentBurst(4, 0, 2, 4)).toThrow(/overlap/);
  });
});

describe("prediction 17 and §8.3: tcp_tso_autosize", () => {
  it("12.5 MB/s, min_rtt 10 ms, MSS 1448: 12207 B -> 8 segments", () => {
    // bytes = 12500000 >> 10 = 12207; r = 10000 >> 9 = 19 -> + 65536 >> 19 = 0
    expect(gso.tsoAutosize({ pacingRate: 12_500_000, minRttUs: 10_000, mss: 1448, gsoMaxSize: 65536 })).toBe(8);
  });
  it("min_rtt < 512 µs: the bonus is the whole gso_max_size -> the device limit", () => {
    // r = 0: bytes = 12207 + 65536 -> capped at 65536 -> 65536 / 1448 = 45
    expect(gso.tsoAutosize({ pacingRate: 12_500_000, minRttUs: 300, mss: 1448, gsoMaxSize: 65536 })).toBe(45);
  });
  it("tx-queueing §8.13: 1.25e9 B/s, 100 µs -> G/mss; 1e6 B/s, 50 ms -> min 2", () => {
    expect(gso.tsoAutosize({ pacingRate: 1.25e9, minRttUs: 100, mss: 1448, gsoMaxSize: 65536 })).toBe(Math.floor(65536 / 1448));
    // 1e6 >> 10 = 976; r = 97: no bonus; 976 / 1448 = 0 -> tcp_min_tso_segs 2
    expect(gso.tsoAutosize({ pacingRate: 1e6, minRttUs: 50_000, mss: 1448, gsoMaxSize: 65536 })).toBe(2);
    // r = 1000 >> 9 = 1: 65536 >> 1 = 32768 bonus: (976 + 32768) / 1448 = 23
    expect(gso.tsoAutosize({ pacingRate: 1e6, minRttUs: 1000, mss: 1448, gsoMaxSize: 65536 })).toBe(23);
    expect(gso.tsoSegs({ pacingRate: 1.25e9, minRttUs: 100, mss: 1448, gsoMaxSize: 65536, gsoMaxSegs: 16 })).toBe(16);
    expect(() => gso.tsoAutosize({ pacingRate: -1, minRttUs: 1, mss: 1448, gsoMaxSize: 1 })).toThrow(/pacingRate/);
    expect(() => gso.tsoAutosize({ pacingRate: 1, minRttUs: 1, mss: 0, gsoMaxSize: 1 })).toThrow(/mss/);
  });
});

const TSHARK = spawnSync("tshark", ["-v"], { stdio: "ignore" }).status === 0;

describe("tshark", () => {
  (TSHARK ? it : it.skip)(TSHARK ? "reads the zero-filled pcap of GSO output: checksums good, nothing malformed, no sequence gaps" : "tshark check skipped: tshark is not installed", () => {
    const path = join(mkdtempSync(join(tmpdir(), "skbsim-gso-")), "gso.pcap");
    const w = new PcapFileWriter(path, { zeroFillPayload: true });
    let seq = 1000;
    let id = 1;
    let t = 0;
    let total = 0;
    for (const [payload, v6] of [[45 * 1448, false], [4000, false], [30000, false], [20000, true]] as const) {
      const h = superPacket(core, { payload, mss: 1448, seq, id, v6, flags: ACK | PSH });
      const k = gso.segment(h, 0);
      for (const x of segs(k)) w.writeSkb(core, x, (t += 1000));
      core.freeBurst(k, 0);
      seq += payload;
      id += k;
      total += k;
      if (v6) seq = 1000;
    }
    w.close();
    const r = spawnSync(
      "tshark",
      ["-n", "-r", path, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "tcp.analyze_sequence_numbers:TRUE",
        "-T", "fields", "-E", "occurrence=f", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "_ws.malformed", "-e", "tcp.analysis.flags", "-e", "tcp.len"],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.replace(/\n$/, "").split("\n").map((l) => l.split("\t"));
    expect(rows).toHaveLength(total);
    rows.forEach(([ipSt, tcpSt, malformed, flags], i) => {
      if (i < total - 14) expect(ipSt).toBe("1");
      expect(tcpSt).toBe("1");
      expect(malformed).toBe("");
      expect(flags, `row ${i}`).toBe("");
    });
  });
});
